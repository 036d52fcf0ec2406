// The BXML executors: one function per verb, doing what Bandwidth does when it runs that verb (which
// callbacks it sends, with which fields, what the caller hears and presses, how time passes). The
// callback URLs, defaults and choices come from semantics.ts; the state and delivery from engine.ts.

import type { BxmlNode } from "../bxml/rules.js";
import { callEvent, recordingFields, type Leg } from "./payloads.js";
import { nth } from "./script.js";
import { SEMANTICS, VERBS } from "./semantics.js";
import type { CallbackTarget, Executor, Next, PausableRecording, Run } from "./types.js";

export type { Executor, Next } from "./types.js";

/** The text of a node, SSML tags removed, whitespace collapsed. */
export function textOf(node: BxmlNode | string): string {
  if (typeof node === "string") return node;
  return node.children.map(textOf).join("").replace(/\s+/g, " ").trim();
}

const num = (value: unknown, fallback: number): number => (typeof value === "number" ? value : fallback);
const str = (value: unknown, fallback: string): string => (typeof value === "string" ? value : fallback);
const spec = (verb: string, event: string) => VERBS[verb].callbacks.find((c) => c.event === event)!;

/** Plays SpeakSentence / PlayAudio (top level or inside Gather), advancing the clock. */
export function playMedia(run: Run, leg: Leg, node: BxmlNode, baseUrl: string): void {
  const at = run.clock.iso();
  const legName = run.legName(leg);
  if (node.name === "SpeakSentence") {
    const said = textOf(node);
    run.trace.add({ kind: "said", at, leg: legName, text: said });
    run.clock.advance(said.split(" ").length * SEMANTICS.secondsPerWord);
  } else if (node.name === "PlayAudio") {
    const url = textOf(node);
    let resolved = url;
    try {
      resolved = run.resolve(url, baseUrl);
    } catch {
      // an unresolvable URL is played as written (Bandwidth would fail to fetch it)
    }
    run.trace.add({ kind: "played", at, leg: legName, text: resolved });
    run.clock.advance(SEMANTICS.secondsPerAudioFile);
  }
}

/** Digits the caller presses at one Gather, cut the way Bandwidth cuts them. */
function collect(input: string, terminatingDigits: string, maxDigits: number): { digits: string; terminatingDigit: string; pressed: string } {
  let digits = "";
  let pressed = "";
  for (const ch of input) {
    pressed += ch;
    if (terminatingDigits.includes(ch)) return { digits, terminatingDigit: ch, pressed };
    digits += ch;
    if (digits.length >= maxDigits) break;
  }
  return { digits, terminatingDigit: "", pressed };
}

/** recordingAvailable for a finished recording, then transcriptionAvailable when `transcribe` asked for it. */
async function recordingDone(
  run: Run,
  leg: Leg,
  recording: { recordingId: string; startMs: number; endMs: number; fileFormat: string; channels: number; pausedMs?: number },
  targets: { available: CallbackTarget | undefined; transcription: CallbackTarget | undefined },
  transcript: string | undefined,
): Promise<void> {
  const fields = recordingFields(run.identity, run.clock, leg.callId, recording);
  if (targets.available !== undefined) {
    const event = callEvent(run.identity, run.clock, leg, "recordingAvailable", { ...fields, status: "complete" });
    delete event.answerTime; // recordingAvailable carries no answerTime
    await run.sendAsync(run.legName(leg), event, targets.available);
  }
  if (targets.transcription === undefined) return;
  const { channels: _channels, ...rest } = fields;
  const transcription = {
    id: `t-${recording.recordingId.slice(2)}`,
    url: `${String(fields.mediaUrl).replace(/\/media$/, "")}/transcription`,
    status: "available",
    completedTime: run.clock.iso(),
    ...(transcript !== undefined ? { text: transcript, confidence: 0.9 } : {}),
  };
  const event = callEvent(run.identity, run.clock, leg, "transcriptionAvailable", { ...rest, transcription });
  delete event.answerTime;
  await run.sendAsync(run.legName(leg), event, targets.transcription);
}

async function gather(run: Run, leg: Leg, verb: BxmlNode, baseUrl: string): Promise<Next> {
  const a = verb.attributes;
  const d = SEMANTICS.gather;
  const input = leg === run.a ? run.script.digits[run.counters.gather++] ?? "" : nextCalleeDigits(run);
  const prompts = verb.children.filter((c): c is BxmlNode => typeof c !== "string");
  const repeat = input === "" ? num(a.repeatCount, d.repeatCount) : 1;
  for (let i = 0; i < repeat; i++) {
    for (const prompt of prompts) playMedia(run, leg, prompt, baseUrl);
    if (input === "") run.clock.advance(num(a.firstDigitTimeout, d.firstDigitTimeout));
  }
  const got = collect(input, str(a.terminatingDigits, d.terminatingDigits), num(a.maxDigits, d.maxDigits));
  if (got.pressed !== "") {
    run.clock.advance(got.pressed.length * SEMANTICS.secondsPerDigit);
    if (got.terminatingDigit === "" && got.digits.length < num(a.maxDigits, d.maxDigits)) run.clock.advance(num(a.interDigitTimeout, d.interDigitTimeout));
  }
  run.trace.add({ kind: "pressed", at: run.clock.iso(), leg: run.legName(leg), text: got.pressed });
  const target = run.target(a, spec("Gather", "gather"), baseUrl);
  if (target === undefined) {
    run.note(leg, got.pressed === "" ? "Gather timed out; no gatherUrl: execution continues" : `no gatherUrl: the digits ${JSON.stringify(got.digits)} are discarded, execution continues`);
    return "continue";
  }
  const event = callEvent(run.identity, run.clock, leg, "gather", { digits: got.digits, terminatingDigit: got.terminatingDigit });
  return (await run.sendSync(leg, event, target)) ?? "stop";
}

/** Callee digits for Gathers in transferAnswer BXML (from the current transfer's script entry). */
function nextCalleeDigits(run: Run): string {
  const t = nth(run.script.transfers, Math.max(0, run.counters.transfer - 1));
  const list = "calleeDigits" in t && t.calleeDigits !== undefined ? t.calleeDigits : [];
  const index = run.calleeGathers++;
  return list[index] ?? "";
}

async function redirect(run: Run, leg: Leg, verb: BxmlNode, baseUrl: string): Promise<Next> {
  const target = run.target(verb.attributes, spec("Redirect", "redirect"), baseUrl);
  if (target === undefined) return "continue"; // redirectUrl is required: parseBxml already refused this
  return (await run.sendSync(leg, callEvent(run.identity, run.clock, leg, "redirect"), target)) ?? "stop";
}

async function hangup(run: Run, leg: Leg): Promise<Next> {
  run.end(leg, "hangup", "<Hangup>");
  return "stop";
}

async function pause(run: Run, _leg: Leg, verb: BxmlNode): Promise<Next> {
  run.clock.advance(num(verb.attributes.duration, verb.name === "Ring" ? SEMANTICS.ring : SEMANTICS.pause));
  return "continue";
}

async function media(run: Run, leg: Leg, verb: BxmlNode, baseUrl: string): Promise<Next> {
  playMedia(run, leg, verb, baseUrl);
  return "continue";
}

async function tag(_run: Run, leg: Leg, verb: BxmlNode): Promise<Next> {
  const value = textOf(verb);
  leg.tag = value === "" ? undefined : value;
  return "continue";
}

async function sendDtmf(run: Run, leg: Leg, verb: BxmlNode): Promise<Next> {
  run.note(leg, `plays DTMF ${JSON.stringify(textOf(verb))}`);
  run.clock.advance(textOf(verb).length * 0.6);
  return "continue";
}

/** Forward: the target rings; busy/rejected/unanswered within callTimeout ends the call with that cause. */
async function forward(run: Run, leg: Leg, verb: BxmlNode): Promise<Next> {
  const fs = run.script.forward;
  const to = str(verb.attributes.to, "?");
  const callTimeout = num(verb.attributes.callTimeout, SEMANTICS.transfer.callTimeout);
  const ringSeconds = fs.ringSeconds ?? SEMANTICS.ringSecondsBeforeAnswer;
  const outcome = fs.outcome ?? "answer";
  if (outcome === "busy" || outcome === "rejected") {
    run.end(leg, outcome, `forwarded to ${to}, which ${outcome === "busy" ? "is busy" : "rejected the call"}`);
    return "stop";
  }
  if (outcome === "no-answer" || ringSeconds > callTimeout) {
    run.clock.advance(callTimeout);
    run.end(leg, "timeout", `forwarded to ${to}, which did not answer within callTimeout (${callTimeout} s)`);
    return "stop";
  }
  run.clock.advance(ringSeconds);
  leg.answerMs ??= run.clock.now();
  const talk = fs.talkSeconds ?? SEMANTICS.forwardTalkSeconds;
  run.note(leg, `${to} answers after ${ringSeconds} s; talking ${talk} s`);
  run.clock.advance(talk);
  run.end(leg, "hangup", `forwarded to ${to}: the application lost control of the call`);
  return "stop";
}

async function record(run: Run, leg: Leg, verb: BxmlNode, baseUrl: string): Promise<Next> {
  const a = verb.attributes;
  const d = SEMANTICS.record;
  const rs = nth(run.script.recordings, run.counters.record++);
  const maxDuration = num(a.maxDuration, d.maxDuration);
  const endWith = rs.endWith ?? "digit";
  const terminating = str(a.terminatingDigits, d.terminatingDigits);
  const digit = rs.digit ?? "#";
  let seconds = Math.min(rs.seconds ?? 5, maxDuration);
  const endedByDigit = endWith === "digit" && terminating.includes(digit);
  if (!endedByDigit && endWith !== "hangup") seconds = Math.min(maxDuration, seconds + (num(a.silenceTimeout, 0) > 0 ? num(a.silenceTimeout, 0) : maxDuration));
  const startMs = run.clock.now();
  run.note(leg, `the caller speaks for ${rs.seconds ?? 5} s`);
  run.clock.advance(seconds);
  const recording = { recordingId: run.ids.recordingId(), startMs, endMs: run.clock.now(), fileFormat: str(a.fileFormat, d.fileFormat), channels: 1 };
  if (endedByDigit) run.trace.add({ kind: "pressed", at: run.clock.iso(), leg: run.legName(leg), text: digit });
  const fields = recordingFields(run.identity, run.clock, leg.callId, recording);
  const targets = {
    available: run.target(a, spec("Record", "recordingAvailable"), baseUrl),
    transcription: a.transcribe === true ? run.target(a, spec("Record", "transcriptionAvailable"), baseUrl) : undefined,
  };
  const sendAvailable = () => recordingDone(run, leg, recording, targets, rs.transcript);
  if (endWith === "hangup") {
    run.end(leg, "hangup", "the caller hung up while recording (no recordComplete)");
    await sendAvailable();
    return "stop";
  }
  const complete = run.target(a, spec("Record", "recordComplete"), baseUrl);
  if (complete === undefined) {
    await sendAvailable();
    return "continue";
  }
  const doc = await run.sendSync(leg, callEvent(run.identity, run.clock, leg, "recordComplete", fields), complete);
  if (SEMANTICS.recordingAvailableAfterRecordComplete) await sendAvailable();
  return doc ?? "stop";
}

async function startRecording(run: Run, leg: Leg, verb: BxmlNode, baseUrl: string): Promise<Next> {
  if (run.background !== undefined) {
    run.note(leg, "a recording is already running: this StartRecording is ignored");
    return "continue";
  }
  const a = verb.attributes;
  run.background = {
    startMs: run.clock.now(),
    pausedMs: 0,
    pausedAt: undefined,
    spec: run.target(a, spec("StartRecording", "recordingAvailable"), baseUrl),
    fileFormat: str(a.fileFormat, "wav"),
    channels: a.multiChannel === true ? 2 : 1,
    transcription: a.transcribe === true ? run.target(a, spec("StartRecording", "transcriptionAvailable"), baseUrl) : undefined,
    leg,
  };
  return "continue";
}

async function stopRecording(run: Run): Promise<Next> {
  const bg = run.background;
  if (bg === undefined) return "continue";
  run.background = undefined;
  const recording = { recordingId: run.ids.recordingId(), startMs: bg.startMs, endMs: run.clock.now(), fileFormat: bg.fileFormat, channels: bg.channels, pausedMs: pausedSoFar(bg, run.clock.now()) };
  await recordingDone(run, bg.leg, recording, { available: bg.spec, transcription: bg.transcription }, undefined);
  return "continue";
}

/** Milliseconds a recording has been paused by `now` (a pause still running counts up to `now`). */
export function pausedSoFar(recording: PausableRecording, now: number): number {
  return recording.pausedMs + (recording.pausedAt !== undefined ? now - recording.pausedAt : 0);
}

/** PauseRecording / ResumeRecording on a recording: what the trace says about it. */
export function pauseOrResume(recording: PausableRecording | undefined, verb: string, now: number): string {
  if (recording === undefined) return `${verb}: nothing is recording`;
  if (verb === "PauseRecording") {
    if (recording.pausedAt !== undefined) return "PauseRecording: the recording is already paused";
    recording.pausedAt = now;
    return "recording paused";
  }
  if (recording.pausedAt === undefined) return "ResumeRecording: the recording is not paused";
  recording.pausedMs += now - recording.pausedAt;
  recording.pausedAt = undefined;
  return "recording resumed";
}

async function recordingNote(run: Run, leg: Leg, verb: BxmlNode): Promise<Next> {
  run.note(leg, pauseOrResume(run.background, verb.name, run.clock.now()));
  return "continue";
}

/** StartGather: one async dtmf event per digit of the script's `dtmf`, sent to dtmfUrl as the caller presses them. */
async function startGather(run: Run, leg: Leg, verb: BxmlNode, baseUrl: string): Promise<Next> {
  const target = run.target(verb.attributes, spec("StartGather", "dtmf"), baseUrl);
  const digits = leg === run.a ? run.script.dtmf : "";
  if (target === undefined || digits === "") return "continue";
  run.trace.add({ kind: "pressed", at: run.clock.iso(), leg: run.legName(leg), text: digits });
  for (const digit of digits) {
    if (run.interrupted(leg)) break; // changed through the Voice API: the next verb boundary applies it
    run.clock.advance(SEMANTICS.secondsPerDigit);
    await run.sendAsync(run.legName(leg), callEvent(run.identity, run.clock, leg, "dtmf", { digit }), target);
  }
  return "continue";
}

/** The verbs the simulator runs. A verb missing here is recorded as "not simulated" and skipped. */
export const EXECUTORS: Readonly<Record<string, Executor>> = {
  Gather: gather,
  Redirect: redirect,
  Hangup: hangup,
  Pause: pause,
  Ring: pause,
  SpeakSentence: media,
  PlayAudio: media,
  Tag: tag,
  SendDtmf: sendDtmf,
  Forward: forward,
  Record: record,
  StartRecording: startRecording,
  StopRecording: stopRecording,
  PauseRecording: recordingNote,
  ResumeRecording: recordingNote,
  StartGather: startGather,
};
