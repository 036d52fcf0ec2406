// The types the engine and the verb executors share: where a callback goes, a BXML document to run,
// what an executor returns, and `Run`, the view of one simulated call that executors read and change.
// The engine's CallRun implements `Run`; executors depend on this file, never on engine.ts, so the
// engine can import its executors without an import cycle.

import type { BxmlNode } from "../bxml/rules.js";
import type { CallIdentity, Clock, Ids, Leg } from "./payloads.js";
import type { ResolvedScript } from "./script.js";
import type { CallbackSpec } from "./semantics.js";
import type { ProblemEntry, TraceRecorder } from "./trace.js";

/** Where one callback goes: URLs already resolved, credentials chosen. */
export interface CallbackTarget {
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly username?: string;
  readonly password?: string;
  readonly fallback?: { readonly url: string; readonly method: "GET" | "POST"; readonly username?: string; readonly password?: string; readonly uncredentialed?: string };
  /**
   * Set when this is a verb's callback and the verb has no credentials for it: where they belong, in
   * words (`username/password on the element with gatherUrl`). Bandwidth then sends no credentials, so a
   * receiver that challenges answers 401 and the callback is dropped: the problem names the fix. `""`
   * when the verb has no credential attributes at all (`<Refer>`): there is no fix but to accept it.
   */
  readonly uncredentialed?: string;
}

/** A BXML document to run and the URL it came from (relative URLs resolve against it). */
export interface Doc {
  readonly root: BxmlNode;
  readonly baseUrl: string;
}

/** What to do after a verb: go on with the next one, stop this leg's BXML, or run a new document. */
export type Next = "continue" | "stop" | Doc;

/** A recording that can be paused: paused time is not part of its duration. */
export interface PausableRecording {
  startMs: number;
  /** Milliseconds spent paused so far. */
  pausedMs: number;
  /** When the current pause began; undefined while recording. */
  pausedAt: number | undefined;
}

/** The running `<StartRecording>` of a call. */
export interface BackgroundRecording extends PausableRecording {
  spec: CallbackTarget | undefined;
  transcription: CallbackTarget | undefined;
  fileFormat: string;
  channels: number;
  leg: Leg;
}

/** One simulated call, as the executors see it (implemented by the engine's CallRun). */
export interface Run {
  readonly script: ResolvedScript;
  readonly ids: Ids;
  readonly clock: Clock;
  readonly trace: TraceRecorder;
  readonly identity: CallIdentity;
  readonly a: Leg;
  /** Legs that have ended, by call id, with their cause. */
  readonly ended: Map<string, string>;
  readonly counters: { gather: number; transfer: number; record: number; refer: number; connect: number };
  /** Gathers run so far on the current transfer's B-leg. */
  calleeGathers: number;
  /** The running `<StartRecording>`, if any. */
  background: BackgroundRecording | undefined;
  legName(leg: Leg): string;
  isEnded(leg: Leg): boolean;
  /** Whether a URL may receive this call's traffic (the callback URL's origin, the allowed ones); reports a refusal. */
  admits(url: string, event: string, attribute: string): boolean;
  /** Whether a Voice API change waits for this leg (the verb running on it should stop at its next step). */
  interrupted(leg: Leg): boolean;
  end(leg: Leg, cause: string, reason: string): void;
  note(leg: Leg, message: string): void;
  problem(entry: Omit<ProblemEntry, "kind" | "at">): void;
  resolve(url: string, baseUrl: string): string;
  target(attributes: BxmlNode["attributes"], spec: CallbackSpec, baseUrl: string): CallbackTarget | undefined;
  sendSync(leg: Leg, event: Record<string, unknown>, target: CallbackTarget, scope?: string): Promise<Doc | undefined>;
  sendAsync(leg: string, event: Record<string, unknown>, target: CallbackTarget): Promise<void>;
  sendIgnoringReply(leg: Leg, event: Record<string, unknown>, target: CallbackTarget): Promise<{ delivered: boolean; body: string }>;
  runDocument(leg: Leg, doc: Doc): Promise<void>;
  /** Runs `work` once this call has ended and its disconnect is sent (another call carrying on). */
  defer(work: () => Promise<void>): void;
}

/** Runs one verb on one leg. */
export type Executor = (run: Run, leg: Leg, verb: BxmlNode, baseUrl: string) => Promise<Next>;
