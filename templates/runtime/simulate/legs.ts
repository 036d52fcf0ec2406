// Executors of the verbs that involve another call leg: Transfer (B-legs, transferAnswer BXML on the
// B-leg, transferDisconnect per leg, transferComplete on the A-leg), Bridge (bridgeComplete or
// bridgeTargetComplete) and Conference (created / member join / member exit / completed).

import type { BxmlNode } from "../bxml/rules.js";
import { playMedia, textOf } from "./executor.js";
import { callEvent, conferenceEvent, type Leg } from "./payloads.js";
import { nth } from "./script.js";
import { SEMANTICS, VERBS } from "./semantics.js";
import type { Executor, Next, Run } from "./types.js";

const spec = (verb: string, event: string) => VERBS[verb].callbacks.find((c) => c.event === event)!;
const num = (value: unknown, fallback: number): number => (typeof value === "number" ? value : fallback);

/** Sends transferDisconnect for one B-leg (to its destination's transferDisconnectUrl, if any). */
async function transferDisconnect(run: Run, leg: Leg, dest: BxmlNode, baseUrl: string, cause: string): Promise<void> {
  const target = run.target(dest.attributes, spec("Transfer", "transferDisconnect"), baseUrl);
  if (!run.ended.has(leg.callId)) run.ended.set(leg.callId, cause);
  if (target === undefined) return;
  const event = callEvent(run.identity, run.clock, leg, "transferDisconnect", {
    endTime: run.clock.iso(),
    cause,
    ...(cause === "timeout" ? { errorMessage: "Call timed out" } : {}),
  });
  await run.sendAsync("B", event, target);
}

/** Rings the B-legs; the answering one runs its transferAnswer BXML, then the legs talk. */
async function transfer(run: Run, a: Leg, verb: BxmlNode, baseUrl: string): Promise<Next> {
  const ts = nth(run.script.transfers, run.counters.transfer++);
  run.calleeGathers = 0;
  const transferCallerId = typeof verb.attributes.transferCallerId === "string" ? verb.attributes.transferCallerId : a.from;
  const dests = verb.children.filter((c): c is BxmlNode => typeof c !== "string");
  const legs: Leg[] = dests.map((d) => ({
    callId: run.ids.callId(), from: a.from, to: a.to, direction: "outbound", startMs: run.clock.now(), answerMs: undefined, tag: a.tag,
    parent: { callId: a.callId, transferCallerId, transferTo: textOf(d) },
  }));
  const answered = ts.answered !== false;
  const winner = answered ? Math.min(Math.max(0, ts.answeredBy ?? 0), legs.length - 1) : -1;
  run.note(a, `dialling ${legs.map((l) => l.parent!.transferTo).join(", ")}${answered ? "" : " (nobody answers)"}`);
  if (!answered) {
    run.clock.advance(num(verb.attributes.callTimeout, SEMANTICS.transfer.callTimeout));
    for (let i = 0; i < legs.length; i++) await transferDisconnect(run, legs[i], dests[i], baseUrl, "timeout");
    return transferComplete(run, a, verb, baseUrl, legs[0], "timeout");
  }
  run.clock.advance(SEMANTICS.ringSecondsBeforeAnswer);
  const b = legs[winner];
  b.answerMs = run.clock.now();
  for (let i = 0; i < legs.length; i++) if (i !== winner) await transferDisconnect(run, legs[i], dests[i], baseUrl, "cancel");
  const answerTarget = run.target(dests[winner].attributes, spec("Transfer", "transferAnswer"), baseUrl);
  if (answerTarget !== undefined) {
    const doc = await run.sendSync(b, callEvent(run.identity, run.clock, b, "transferAnswer"), answerTarget, "transferAnswer");
    if (doc !== undefined) await run.runDocument(b, doc);
  }
  if (run.isEnded(a)) {
    await transferDisconnect(run, b, dests[winner], baseUrl, "hangup");
    return "stop";
  }
  if (!run.ended.has(b.callId)) {
    run.note(a, `bridged with ${b.parent!.transferTo}; talking ${ts.talkSeconds ?? 30} s`);
    run.clock.advance(ts.talkSeconds ?? 30);
  }
  const bCause = run.ended.get(b.callId) ?? "hangup";
  if (ts.hangupBy !== "caller" && !run.ended.has(b.callId)) run.note(a, `${b.parent!.transferTo} hangs up`);
  if (ts.hangupBy === "caller") {
    run.end(a, "hangup", "the caller hung up during the transfer");
    await transferDisconnect(run, b, dests[winner], baseUrl, "hangup");
    return "stop";
  }
  await transferDisconnect(run, b, dests[winner], baseUrl, bCause === "hangup" ? "hangup" : bCause);
  return transferComplete(run, a, verb, baseUrl, b, bCause === "hangup" ? "hangup" : bCause);
}

/** transferComplete on the A-leg (if transferCompleteUrl), else execution continues after <Transfer>. */
async function transferComplete(run: Run, a: Leg, verb: BxmlNode, baseUrl: string, b: Leg, cause: string): Promise<Next> {
  const target = run.target(verb.attributes, spec("Transfer", "transferComplete"), baseUrl);
  if (target === undefined) return "continue";
  const event = callEvent(run.identity, run.clock, a, "transferComplete", {
    transferCallerId: b.parent!.transferCallerId,
    transferTo: b.parent!.transferTo,
    cause,
    ...(cause === "timeout" ? { errorMessage: "Call timed out" } : {}),
  });
  return (await run.sendSync(a, event, target)) ?? "stop";
}

/** Bridges another call; whichever leg remains gets bridgeComplete / bridgeTargetComplete. */
async function bridge(run: Run, a: Leg, verb: BxmlNode, baseUrl: string): Promise<Next> {
  const target: Leg = { callId: textOf(verb), from: a.to, to: a.from, direction: "outbound", startMs: run.clock.now(), answerMs: run.clock.now(), tag: undefined };
  run.note(a, `bridged with call ${target.callId}; talking ${SEMANTICS.bridgeSeconds} s`);
  run.clock.advance(SEMANTICS.bridgeSeconds);
  if (run.script.bridgeEndedBy === "caller") {
    run.end(a, "hangup", "the caller hung up during the bridge");
    const t = run.target(verb.attributes, spec("Bridge", "bridgeTargetComplete"), baseUrl);
    if (t === undefined) {
      run.note(a, `no bridgeTargetCompleteUrl: the target call ${target.callId} is hung up`);
      return "stop";
    }
    const doc = await run.sendSync(target, callEvent(run.identity, run.clock, target, "bridgeTargetComplete"), t);
    if (doc !== undefined) await run.runDocument(target, doc);
    return "stop";
  }
  const t = run.target(verb.attributes, spec("Bridge", "bridgeComplete"), baseUrl);
  if (t === undefined) return "continue";
  return (await run.sendSync(a, callEvent(run.identity, run.clock, a, "bridgeComplete"), t)) ?? "stop";
}

/** Runs conference-scope BXML (only play/speak/recording verbs are allowed there): records what all members hear. */
function runConferenceDoc(run: Run, a: Leg, doc: { root: BxmlNode; baseUrl: string } | undefined): void {
  if (doc === undefined) return;
  for (const child of doc.root.children) {
    if (typeof child === "string") continue;
    if (child.name === "SpeakSentence" || child.name === "PlayAudio") playMedia(run, a, child, doc.baseUrl);
    else run.note(a, `conference: ${child.name}`);
  }
}

/** Joins a conference; the caller stays `conferenceSeconds`, then hangs up (CHOICE). */
async function conference(run: Run, a: Leg, verb: BxmlNode, baseUrl: string): Promise<Next> {
  const conf = { conferenceId: run.ids.conferenceId(), name: textOf(verb), tag: typeof verb.attributes.tag === "string" ? verb.attributes.tag : a.tag };
  const target = run.target(verb.attributes, spec("Conference", "conferenceCreated"), baseUrl);
  run.note(a, `joins conference ${JSON.stringify(conf.name)}`);
  const send = async (event: string, member?: Leg) =>
    target === undefined ? undefined : run.sendSync(a, conferenceEvent(run.clock, conf, event, member), target, "conference");
  runConferenceDoc(run, a, await send("conferenceCreated"));
  if (!run.isEnded(a)) runConferenceDoc(run, a, await send("conferenceMemberJoin", a));
  if (run.isEnded(a)) return "stop";
  run.clock.advance(run.script.conferenceSeconds);
  run.end(a, "hangup", `the caller hung up after ${run.script.conferenceSeconds} s in the conference`);
  if (target !== undefined) {
    // the call has ended: the exit reply would run for the remaining members (there are none)
    await run.sendSync(a, conferenceEvent(run.clock, conf, "conferenceMemberExit", a), target, "conference");
    await run.sendAsync("conference", conferenceEvent(run.clock, conf, "conferenceCompleted"), target);
  }
  return "stop";
}

/** Executors of the multi-leg verbs. */
export const LEG_EXECUTORS: Readonly<Record<string, Executor>> = {
  Transfer: transfer,
  Bridge: bridge,
  Conference: conference,
};
