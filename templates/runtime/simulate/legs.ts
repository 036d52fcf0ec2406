// Executors of the verbs that involve another call leg: Transfer (B-legs, transferAnswer BXML on the
// B-leg, transferDisconnect per leg, transferComplete on the A-leg), Bridge (bridgeComplete or
// bridgeTargetComplete) and Conference (created / member join / member exit / completed).

import type { BxmlNode } from "../bxml/rules.js";
import { pausedSoFar, pauseOrResume, playMedia, textOf } from "./executor.js";
import { callEvent, conferenceEvent, isoDuration, type Leg } from "./payloads.js";
import { nth, type TargetOutcome, type TransferScript } from "./script.js";
import { SEMANTICS, VERBS } from "./semantics.js";
import type { CallbackTarget, Executor, Next, PausableRecording, Run } from "./types.js";

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
    ...errorOf(cause),
  });
  await run.sendAsync("B", event, target);
}

/** The errorMessage a failure cause carries (none for hangup / cancel). */
const errorOf = (cause: string): { errorMessage?: string } => (SEMANTICS.errorMessages[cause] !== undefined ? { errorMessage: SEMANTICS.errorMessages[cause] } : {});

/** What each destination does: the script's `targets`, else `answered` / `answeredBy`. */
function outcomesOf(ts: TransferScript | Record<string, never>, count: number): TargetOutcome[] {
  const t = ts as TransferScript;
  if (t.targets !== undefined) return Array.from({ length: count }, (_, i) => t.targets?.[i] ?? "no-answer");
  const winner = t.answered === false ? -1 : Math.min(Math.max(0, t.answeredBy ?? 0), count - 1);
  return Array.from({ length: count }, (_, i) => (i === winner ? "answer" : "no-answer"));
}

/** A destination's own tag: its callbacks carry it (`""`: none); without one the B-leg carries the A-leg's (CHOICE). */
function destinationTag(dest: BxmlNode, a: Leg): string | undefined {
  const tag = dest.attributes.tag;
  if (typeof tag === "string") return tag === "" ? undefined : tag;
  return SEMANTICS.bLegInheritsTag ? a.tag : undefined;
}

/**
 * Rings the B-legs at once: busy / rejected destinations end at once, the first "answer" that rings no
 * longer than callTimeout answers and runs its transferAnswer BXML, then the legs talk; the others are
 * cancelled (or time out when nobody answers in time).
 */
async function transfer(run: Run, a: Leg, verb: BxmlNode, baseUrl: string): Promise<Next> {
  const ts = nth(run.script.transfers, run.counters.transfer++);
  run.calleeGathers = 0;
  // documented default: the remote party's number (the caller of an inbound call, the called party of an outbound one)
  const given = verb.attributes.transferCallerId;
  const transferCallerId = typeof given === "string" && given.trim() !== "" ? given : a.direction === "outbound" ? a.to : a.from;
  const dests = verb.children.filter((c): c is BxmlNode => typeof c !== "string");
  const legs: Leg[] = dests.map((d) => ({
    callId: run.ids.callId(), from: a.from, to: a.to, direction: "outbound", startMs: run.clock.now(), answerMs: undefined, tag: destinationTag(d, a),
    parent: { callId: a.callId, transferCallerId, transferTo: textOf(d) },
  }));
  const outcomes = outcomesOf(ts, legs.length);
  const callTimeout = num(verb.attributes.callTimeout, SEMANTICS.transfer.callTimeout);
  const ringSeconds = "ringSeconds" in ts && ts.ringSeconds !== undefined ? ts.ringSeconds : SEMANTICS.ringSecondsBeforeAnswer;
  const winner = ringSeconds <= callTimeout ? outcomes.indexOf("answer") : -1;
  run.note(a, `dialling ${legs.map((l, i) => `${l.parent!.transferTo}${outcomes[i] === "answer" ? "" : ` (${outcomes[i]})`}`).join(", ")}`);
  for (let i = 0; i < legs.length; i++) {
    if (outcomes[i] === "busy" || outcomes[i] === "rejected") await transferDisconnect(run, legs[i], dests[i], baseUrl, outcomes[i]);
  }
  const ringing = legs.map((_, i) => i).filter((i) => outcomes[i] === "answer" || outcomes[i] === "no-answer");
  if (winner < 0) {
    if (ringing.length === 0) return transferComplete(run, a, verb, baseUrl, legs[0], outcomes[0]);
    if (outcomes.includes("answer")) run.note(a, `the destination would answer after ${ringSeconds} s of ringing: past callTimeout (${callTimeout} s)`);
    run.clock.advance(callTimeout);
    for (const i of ringing) await transferDisconnect(run, legs[i], dests[i], baseUrl, "timeout");
    return transferComplete(run, a, verb, baseUrl, legs[ringing[0]], "timeout");
  }
  run.clock.advance(ringSeconds);
  const b = legs[winner];
  b.answerMs = run.clock.now();
  for (const i of ringing) if (i !== winner) await transferDisconnect(run, legs[i], dests[i], baseUrl, "cancel");
  const answerTarget = run.target(dests[winner].attributes, spec("Transfer", "transferAnswer"), baseUrl);
  if (answerTarget !== undefined) {
    const doc = await run.sendSync(b, callEvent(run.identity, run.clock, b, "transferAnswer"), answerTarget, "transferAnswer");
    if (doc !== undefined) await run.runDocument(b, doc);
  }
  if (run.isEnded(a)) {
    await transferDisconnect(run, b, dests[winner], baseUrl, "hangup");
    return "stop";
  }
  const talkSeconds = "talkSeconds" in ts && ts.talkSeconds !== undefined ? ts.talkSeconds : 30;
  if (!run.ended.has(b.callId)) {
    run.note(a, `bridged with ${b.parent!.transferTo}; talking ${talkSeconds} s`);
    run.clock.advance(talkSeconds);
  }
  const bCause = run.ended.get(b.callId) ?? "hangup";
  const hangupBy = "hangupBy" in ts ? ts.hangupBy : undefined;
  if (hangupBy !== "caller" && !run.ended.has(b.callId)) run.note(a, `${b.parent!.transferTo} hangs up`);
  if (hangupBy === "caller") {
    run.end(a, "hangup", "the caller hung up during the transfer");
    await transferDisconnect(run, b, dests[winner], baseUrl, "hangup");
    return "stop";
  }
  await transferDisconnect(run, b, dests[winner], baseUrl, bCause);
  return transferComplete(run, a, verb, baseUrl, b, bCause);
}

/** transferComplete on the A-leg (if transferCompleteUrl), else execution continues after <Transfer>. */
async function transferComplete(run: Run, a: Leg, verb: BxmlNode, baseUrl: string, b: Leg, cause: string): Promise<Next> {
  const target = run.target(verb.attributes, spec("Transfer", "transferComplete"), baseUrl);
  if (target === undefined) return "continue";
  const event = callEvent(run.identity, run.clock, a, "transferComplete", {
    transferCallerId: b.parent!.transferCallerId,
    transferTo: b.parent!.transferTo,
    cause,
    ...errorOf(cause),
  });
  return (await run.sendSync(a, event, target)) ?? "stop";
}

/**
 * Bridges another call; whichever leg remains gets bridgeComplete / bridgeTargetComplete (its BXML runs
 * on that call). A bridge the script makes fail sends bridgeComplete at once, with the cause.
 */
async function bridge(run: Run, a: Leg, verb: BxmlNode, baseUrl: string): Promise<Next> {
  const target: Leg = { callId: textOf(verb), from: a.to, to: a.from, direction: "outbound", startMs: run.clock.now(), answerMs: run.clock.now(), tag: undefined };
  const failure = run.script.bridgeFailure;
  if (failure !== undefined) {
    run.note(a, `the bridge with call ${target.callId} cannot be made (${failure})`);
    const t = run.target(verb.attributes, spec("Bridge", "bridgeComplete"), baseUrl);
    if (t === undefined) return "continue";
    return (await run.sendSync(a, callEvent(run.identity, run.clock, a, "bridgeComplete", { cause: failure, ...errorOf(failure) }), t)) ?? "stop";
  }
  run.note(a, `bridged with call ${target.callId}; talking ${SEMANTICS.bridgeSeconds} s`);
  run.clock.advance(SEMANTICS.bridgeSeconds);
  if (run.script.bridgeEndedBy === "caller") {
    run.end(a, "hangup", "the caller hung up during the bridge");
    const t = run.target(verb.attributes, spec("Bridge", "bridgeTargetComplete"), baseUrl);
    if (t === undefined) {
      run.note(a, `no bridgeTargetCompleteUrl: the target call ${target.callId} is hung up`);
      return "stop";
    }
    // the target call goes on once this one is over: the reply runs on it (its verbs show as the "target" leg)
    run.defer(async () => {
      const doc = await run.sendSync(target, callEvent(run.identity, run.clock, target, "bridgeTargetComplete"), t);
      if (doc !== undefined) await run.runDocument(target, doc);
      if (!run.ended.has(target.callId)) run.end(target, "hangup", "its BXML ran out");
    });
    return "stop";
  }
  const t = run.target(verb.attributes, spec("Bridge", "bridgeComplete"), baseUrl);
  if (t === undefined) return "continue";
  return (await run.sendSync(a, callEvent(run.identity, run.clock, a, "bridgeComplete"), t)) ?? "stop";
}

/** A conference: its fields and its recording (StartRecording in conference BXML). */
interface ConferenceState {
  readonly conferenceId: string;
  readonly name: string;
  readonly tag: string | undefined;
  recording: (PausableRecording & { target: CallbackTarget | undefined; fileFormat: string }) | undefined;
}

/** conferenceRecordingAvailable for the conference's recording (always one channel), to StartRecording's recordingAvailableUrl. */
async function conferenceRecordingDone(run: Run, conf: ConferenceState): Promise<void> {
  const rec = conf.recording;
  if (rec === undefined) return;
  conf.recording = undefined;
  if (rec.target === undefined) return;
  const now = run.clock.now();
  const recordingId = run.ids.recordingId();
  const event = {
    ...conferenceEvent(run.clock, conf, "conferenceRecordingAvailable"),
    accountId: run.identity.accountId,
    recordingId,
    channels: 1,
    startTime: run.clock.iso(rec.startMs),
    endTime: run.clock.iso(now),
    duration: isoDuration((now - rec.startMs - pausedSoFar(rec, now)) / 1000),
    fileFormat: rec.fileFormat,
    mediaUrl: `https://voice.bandwidth.com/api/v2/accounts/${run.identity.accountId}/conferences/${conf.conferenceId}/recordings/${recordingId}/media`,
    status: "complete",
  };
  await run.sendAsync("conference", event, rec.target);
}

/**
 * Runs conference-scope BXML (only play/speak/recording verbs are allowed there): what all members hear,
 * and the conference's recording (transcribe and multiChannel are ignored for conferences).
 */
async function runConferenceDoc(run: Run, a: Leg, conf: ConferenceState, doc: { root: BxmlNode; baseUrl: string } | undefined): Promise<void> {
  if (doc === undefined) return;
  for (const child of doc.root.children) {
    if (typeof child === "string") continue;
    if (child.name === "SpeakSentence" || child.name === "PlayAudio") playMedia(run, a, child, doc.baseUrl);
    else if (child.name === "StartRecording") {
      if (conf.recording !== undefined) run.note(a, "conference: a recording is already running: this StartRecording is ignored");
      else {
        const target = run.target(child.attributes, spec("StartRecording", "recordingAvailable"), doc.baseUrl);
        conf.recording = { startMs: run.clock.now(), pausedMs: 0, pausedAt: undefined, target, fileFormat: typeof child.attributes.fileFormat === "string" ? child.attributes.fileFormat : "wav" };
        run.note(a, "conference: recording started");
      }
    } else if (child.name === "StopRecording") await conferenceRecordingDone(run, conf);
    else if (child.name === "PauseRecording" || child.name === "ResumeRecording") run.note(a, `conference: ${pauseOrResume(conf.recording, child.name, run.clock.now())}`);
    else run.note(a, `conference: ${child.name}`);
  }
}

/** Joins a conference; the caller stays `conferenceSeconds`, then hangs up (CHOICE). */
async function conference(run: Run, a: Leg, verb: BxmlNode, baseUrl: string): Promise<Next> {
  // the engine has already set the call's tag from this verb's tag: the conference (created by this call) carries it
  const conf: ConferenceState = { conferenceId: run.ids.conferenceId(), name: textOf(verb), tag: a.tag, recording: undefined };
  const target = run.target(verb.attributes, spec("Conference", "conferenceCreated"), baseUrl);
  run.note(a, `joins conference ${JSON.stringify(conf.name)}`);
  const send = async (event: string, member?: Leg) =>
    target === undefined ? undefined : run.sendSync(a, conferenceEvent(run.clock, conf, event, member), target, "conference");
  await runConferenceDoc(run, a, conf, await send("conferenceCreated"));
  if (!run.isEnded(a)) await runConferenceDoc(run, a, conf, await send("conferenceMemberJoin", a));
  if (run.isEnded(a)) {
    await conferenceRecordingDone(run, conf);
    return "stop";
  }
  run.clock.advance(run.script.conferenceSeconds);
  run.end(a, "hangup", `the caller hung up after ${run.script.conferenceSeconds} s in the conference`);
  if (target !== undefined) {
    // the call has ended: the exit reply would run for the remaining members (there are none)
    await run.sendSync(a, conferenceEvent(run.clock, conf, "conferenceMemberExit", a), target, "conference");
    await run.sendAsync("conference", conferenceEvent(run.clock, conf, "conferenceCompleted"), target);
  }
  // a recording still running ends with the conference; it is available once processed
  await conferenceRecordingDone(run, conf);
  return "stop";
}

/** Executors of the multi-leg verbs. */
export const LEG_EXECUTORS: Readonly<Record<string, Executor>> = {
  Transfer: transfer,
  Bridge: bridge,
  Conference: conference,
};
