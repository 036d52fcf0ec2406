// The trace of a simulated call, as data: every callback request (event type, URL, auth outcome,
// status, latency, the payload sent), every verb executed, what the caller heard and pressed, the
// problems found in the receiver's behaviour, and how the call ended.

import type { AuthOutcome } from "./client.js";
import type { CallAudio, VoiceMeasures } from "./measures.js";

/** One callback delivery (after the auth challenge and any fallback). */
export interface RequestEntry {
  readonly kind: "request";
  /** Simulated time the callback was sent (ISO 8601). */
  readonly at: string;
  readonly event: string;
  readonly method: "GET" | "POST";
  readonly url: string;
  /** Which leg the event is about: `A` (the caller), `B` (a transfer target), `target` (a bridge target), `conference`. */
  readonly leg: string;
  /** `primary` or `fallback` URL. */
  readonly via: "primary" | "fallback";
  /** True for the retry of an async callback after a connection error (Bandwidth retries once). */
  readonly retry?: boolean;
  readonly auth: AuthOutcome;
  /** HTTP status of the answer that counts (0: no answer). */
  readonly status: number;
  /** Wall-clock ms from the first request of the handshake to the end of the answer. */
  readonly latencyMs: number;
  /** The payload sent. */
  readonly payload: unknown;
  /** The answer body (BXML for sync events); at most 64 KB kept. */
  readonly body: string;
  readonly contentType: string | undefined;
  /** Whether Bandwidth would count this as delivered. */
  readonly delivered: boolean;
  /** Why it was not delivered (timeout, connection error, status …). */
  readonly error?: string;
}

/** One BXML verb executed. */
export interface VerbEntry {
  readonly kind: "verb";
  readonly at: string;
  /** Step number (1-based, counting every verb of the call). */
  readonly step: number;
  readonly leg: string;
  readonly verb: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** What happened, in words (`pressed "1#"`, `not simulated: …`). */
  readonly detail?: string;
}

/** Something the caller heard or did, for the transcript. */
export interface MediaEntry {
  readonly kind: "said" | "played" | "pressed" | "note";
  readonly at: string;
  readonly leg: string;
  readonly text: string;
}

/** A way the receiver behaved that Bandwidth would not accept (exit 1). */
export interface ProblemEntry {
  readonly kind: "problem";
  readonly at: string;
  readonly code:
    | "callback-dropped"
    | "callback-failed"
    | "invalid-bxml"
    | "empty-reply"
    | "reply-too-large"
    | "step-limit"
    | "url-refused"
    | "time-limit"
    | "stream-rejected"
    | "stream-failed"
    | "socket-message-invalid";
  readonly event?: string;
  readonly url?: string;
  readonly message: string;
  /** For invalid BXML: each error with its element path. */
  readonly errors?: ReadonlyArray<{ readonly path: string; readonly message: string }>;
}

/** Something in the receiver's BXML that Bandwidth accepts but that is most likely a mistake (not a failure: exit 0). */
export interface WarningEntry {
  readonly kind: "warning";
  readonly at: string;
  /**
   * `unreachable-verbs`: verbs placed after a hand-off (Redirect, a Gather with gatherUrl, …) that can never run;
   * `bxml-ignored`: BXML answered to an event whose reply Bandwidth ignores (it never runs);
   * `unauthenticated-accepted` (security): credentials are configured but the receiver accepted the
   * request that carried none, so anyone can post to it;
   * `voice-api-basic-auth`: a Voice API request used the deprecated API-user Basic auth instead of an OAuth2 token.
   */
  readonly code: "unreachable-verbs" | "bxml-ignored" | "unauthenticated-accepted" | "voice-api-basic-auth";
  readonly event?: string;
  readonly url?: string;
  readonly message: string;
}

/**
 * One request the bot made to the Voice API stand-in (`startVoiceApi`): a token, or a change to the call
 * (`hangup`, `redirect`, `bxml`), or a request refused with an error answer (`refused`, see `error`).
 */
export interface ApiEntry {
  readonly kind: "api";
  /** Simulated time the request arrived. */
  readonly at: string;
  readonly method: string;
  /** The path asked for (`/api/v2/accounts/9900000/calls/c-…`). */
  readonly path: string;
  /** The status the stand-in answered (200, 204, 400, 401, 404, 409 …). */
  readonly status: number;
  readonly action: "token" | "hangup" | "redirect" | "bxml" | "refused";
  /** The call id in the path, if any. */
  readonly callId?: string;
  /** The request body (JSON as an object, BXML as text), passwords hidden. */
  readonly body?: unknown;
  /** The error answer's description. */
  readonly error?: string;
}

/** How the call ended. */
export interface EndEntry {
  readonly kind: "end";
  readonly at: string;
  /** The disconnect cause (hangup, callback-error, invalid-bxml, …). */
  readonly cause: string;
  /** Who or what ended it, in words. */
  readonly reason: string;
}

/** A message on a media-stream or transcription socket (media frames are counted, not listed). */
export interface SocketEntry {
  readonly kind: "socket";
  readonly at: string;
  readonly socket: "stream" | "transcription";
  /** The stream's or transcription's name. */
  readonly name: string;
  /** `start`, `stop`, `transcription` (sent), `playAudio`, `clear` (received), `closed` (by the server). */
  readonly message: string;
  readonly text: string;
  /** The message sent (start, stop, transcription). */
  readonly payload?: unknown;
}

export type TraceEntry = RequestEntry | VerbEntry | MediaEntry | ProblemEntry | WarningEntry | EndEntry | ApiEntry | SocketEntry;

/** The whole trace. `ok` is false when any problem was found. */
export interface CallTrace {
  readonly callId: string;
  readonly from: string;
  readonly to: string;
  readonly direction: "inbound" | "outbound";
  /** Everything, in order. */
  readonly entries: readonly TraceEntry[];
  readonly requests: readonly RequestEntry[];
  readonly verbs: readonly VerbEntry[];
  /** Text spoken by `<SpeakSentence>` (SSML tags removed), in order. */
  readonly said: readonly string[];
  /** Audio URLs played by `<PlayAudio>`, resolved. */
  readonly played: readonly string[];
  /** Digits the caller pressed, per `<Gather>`. */
  readonly pressed: readonly string[];
  readonly problems: readonly ProblemEntry[];
  /** Likely mistakes that do not fail the flow (verbs that can never run). */
  readonly warnings: readonly WarningEntry[];
  /** Requests the bot made to the Voice API stand-in (`voiceApi` option), in order. */
  readonly api: readonly ApiEntry[];
  /** The disconnect cause; `undefined` only if the run was cut short before the call ended. */
  readonly cause: string | undefined;
  readonly ok: boolean;
  /** Voice-AI measures, when a stream ran (response latency, barge-in, double talk). */
  readonly measures?: VoiceMeasures;
  /** The call's audio as WAV files (the bot's, and a caller + bot stereo mix), when a stream ran. */
  readonly audio?: CallAudio;
}

/** Collects entries while the call runs. */
export class TraceRecorder {
  readonly entries: TraceEntry[] = [];
  add(entry: TraceEntry): void {
    this.entries.push(entry);
  }
  problem(entry: Omit<ProblemEntry, "kind">): void {
    this.entries.push({ kind: "problem", ...entry });
  }
  /** Number of verbs recorded so far. */
  get steps(): number {
    let n = 0;
    for (const e of this.entries) if (e.kind === "verb") n++;
    return n;
  }
  finish(call: { callId: string; from: string; to: string; direction: "inbound" | "outbound" }): CallTrace {
    const entries = this.entries.slice();
    const pick = <K extends TraceEntry["kind"]>(kind: K) => entries.filter((e): e is Extract<TraceEntry, { kind: K }> => e.kind === kind);
    const media = (kind: MediaEntry["kind"]) => entries.filter((e): e is MediaEntry => e.kind === kind).map((e) => e.text);
    const problems = pick("problem");
    const end = pick("end")[0];
    return {
      ...call,
      entries,
      requests: pick("request"),
      verbs: pick("verb"),
      said: media("said"),
      played: media("played"),
      pressed: media("pressed"),
      problems,
      warnings: pick("warning"),
      api: pick("api"),
      cause: end?.cause,
      ok: problems.length === 0,
    };
  }
}
