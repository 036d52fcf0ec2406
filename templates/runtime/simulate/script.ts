// The caller's side of a simulated call: what the person on the phone (and the transfer targets) do.
// A script is plain JSON (`--script flow.json`); every field is optional.
import { ScriptError } from "./script-error.js";
import { SEMANTICS } from "./semantics.js";
import { resolveMedia, type MediaScript, type ResolvedMedia } from "./media-script.js";

export { ScriptError };

/** What a dialled destination does: answers, is busy, rejects the call, or rings until the callTimeout. */
export type TargetOutcome = "answer" | "busy" | "rejected" | "no-answer";

const OUTCOMES: readonly TargetOutcome[] = ["answer", "busy", "rejected", "no-answer"];

/** What happens at one `<Transfer>`. */
export interface TransferScript {
  /** Whether a destination answers (default true). */
  readonly answered?: boolean;
  /** Which destination answers, by position (default 0, the first). */
  readonly answeredBy?: number;
  /** Seconds the two parties talk once bridged (default 30). */
  readonly talkSeconds?: number;
  /** Who hangs up after talking: the callee (default; the A-leg continues) or the caller (the call ends). */
  readonly hangupBy?: "callee" | "caller";
  /** Digits the callee presses at each `<Gather>` of the transferAnswer BXML. */
  readonly calleeDigits?: readonly string[];
  /**
   * What each destination does, by position (`["busy", "answer"]`); a missing entry rings unanswered.
   * The first "answer" wins. Overrides `answered` / `answeredBy`.
   */
  readonly targets?: readonly TargetOutcome[];
  /** Seconds a destination rings before it answers (default 5): past the Transfer's callTimeout it never does (cause timeout). */
  readonly ringSeconds?: number;
}

/** What happens at a `<Forward>` (every Forward of the call). */
export interface ForwardScript {
  /** What the forwarded-to party does (default "answer"). */
  readonly outcome?: TargetOutcome;
  /** Seconds it rings before answering (default 5): past the Forward's callTimeout it never does. */
  readonly ringSeconds?: number;
  /** Seconds the two parties talk before one hangs up (default 30). */
  readonly talkSeconds?: number;
}

/** What happens at one `<Refer>`. */
export interface ReferScript {
  /** Whether the REFER transfers the call (default "success"; referComplete's `referCallStatus`). */
  readonly status?: "success" | "failure";
  /** SIP response to the REFER (default 202 on success, 405 on failure). */
  readonly referSipResponseCode?: number;
  /** SIP code of the NOTIFY about reaching the target (default 200 on success, none on failure). */
  readonly notifySipResponseCode?: number;
}

/** What happens at one `<Connect>` (a BRTC endpoint). */
export interface ConnectScript {
  /** Seconds the caller and the endpoint talk (default 30). */
  readonly seconds?: number;
  /** Who leaves: the endpoint (default; execution continues after `<Connect>`) or the caller (the call ends). */
  readonly endedBy?: "endpoint" | "caller";
}

/** What happens at one `<Record>`. */
export interface RecordScript {
  /** Seconds the caller speaks (default 5). */
  readonly seconds?: number;
  /** How the caller ends it: pressing a digit (default "#"), falling silent, or hanging up. */
  readonly endWith?: "digit" | "silence" | "hangup";
  /** The digit pressed when `endWith` is "digit" (default "#"). */
  readonly digit?: string;
  /** What the caller said: the `transcription.text` of transcriptionAvailable when the Record asks for `transcribe`. */
  readonly transcript?: string;
}

/** A whole simulated call (the caller's audio and the stream speed: {@link MediaScript}). */
export interface CallScript extends MediaScript {
  /** `inbound` (default: Bandwidth sends `initiate`) or `outbound` (a call you created: `answer`). */
  readonly direction?: "inbound" | "outbound";
  /** Caller and called numbers (defaults +19195550100 → +19195550142). */
  readonly from?: string;
  readonly to?: string;
  /** Digits pressed at each `<Gather>`, in order: `"1"`, `"2#"`; `""` or a missing entry lets the gather time out. */
  readonly digits?: readonly string[];
  /** Digits the caller presses once a `<StartGather>` runs (one dtmf event each). */
  readonly dtmf?: string;
  /** One entry per `<Transfer>`, in order (the last one repeats). */
  readonly transfers?: readonly TransferScript[];
  /** One entry per `<Record>`, in order (the last one repeats). */
  readonly recordings?: readonly RecordScript[];
  /** The caller hangs up when step N (the Nth verb executed, counting from 1) starts. */
  readonly hangupAtStep?: number;
  /** Seconds the caller stays in a `<Conference>` before hanging up (default 10). */
  readonly conferenceSeconds?: number;
  /** Who leaves a `<Bridge>` first: the target (default; bridgeComplete) or the caller (bridgeTargetComplete). */
  readonly bridgeEndedBy?: "target" | "caller";
  /** A `<Bridge>` that cannot be made: bridgeComplete at once with this cause and an errorMessage. */
  readonly bridgeFailure?: "busy" | "rejected" | "unknown";
  /** What the forwarded-to party does at a `<Forward>`. */
  readonly forward?: ForwardScript;
  /** One entry per `<Refer>`, in order (the last one repeats). */
  readonly refers?: readonly ReferScript[];
  /** One entry per `<Connect>`, in order (the last one repeats). */
  readonly connects?: readonly ConnectScript[];
  /** Where `disconnect` goes (default: the initial URL: the application's call-status URL). */
  readonly disconnectUrl?: string;
  /** Seconds Bandwidth waits for each callback (1-25, default 15). */
  readonly callbackTimeout?: number;
  /** Stop after this many verbs (default 100): bounds Redirect loops. */
  readonly maxSteps?: number;
  /** Simulated call length limit in seconds (default 4 h). */
  readonly maxCallSeconds?: number;
  /** Wall-clock limit of the whole run in ms (default 120 000). */
  readonly maxRunMs?: number;
  /** Simulated start time (ISO 8601; default now). */
  readonly startTime?: string;
  /** Seed for the generated ids (default: random). Same seed, same ids. */
  readonly seed?: number;
  /** Account and application ids (defaults 9900000 and a fixed UUID). */
  readonly accountId?: string;
  readonly applicationId?: string;
  /** Tag the call starts with (outbound calls: the createCall `tag`). */
  readonly tag?: string;
}

/** A script with every default filled in. */
export interface ResolvedScript {
  readonly direction: "inbound" | "outbound";
  readonly from: string;
  readonly to: string;
  readonly digits: readonly string[];
  readonly dtmf: string;
  readonly transfers: readonly TransferScript[];
  readonly recordings: readonly RecordScript[];
  readonly hangupAtStep: number | undefined;
  readonly conferenceSeconds: number;
  readonly bridgeEndedBy: "target" | "caller";
  readonly bridgeFailure: "busy" | "rejected" | "unknown" | undefined;
  readonly forward: ForwardScript;
  readonly refers: readonly ReferScript[];
  readonly connects: readonly ConnectScript[];
  readonly disconnectUrl: string | undefined;
  readonly callbackTimeoutMs: number;
  readonly maxSteps: number;
  readonly maxCallSeconds: number;
  readonly maxRunMs: number;
  readonly startMs: number;
  readonly seed: number;
  readonly accountId: string;
  readonly applicationId: string;
  readonly tag: string | undefined;
  readonly media: ResolvedMedia;
}

const DIGITS = /^[0-9*#A-Da-d]*$/;

function positive(name: string, value: number | undefined, fallback: number, min = 0, max = Infinity): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
    throw new ScriptError(`${name} must be a number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  }
  return value;
}

function dtmfError(value: unknown): string {
  if (value === undefined) return "";
  throw new ScriptError(`dtmf must be DTMF digits (0-9 * # A-D), not ${JSON.stringify(value)}`);
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !allowed.includes(value as T)) throw new ScriptError(`${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, not ${JSON.stringify(value)}`);
  return value as T;
}

function list<T>(name: string, value: readonly T[] | undefined, check: (entry: T, at: string) => void): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ScriptError(`${name} must be an array`);
  value.forEach((entry, i) => {
    if (entry === null || typeof entry !== "object") throw new ScriptError(`${name}[${i}] must be an object`);
    check(entry, `${name}[${i}]`);
  });
  return value;
}

/** The new per-verb fields (targets, ringSeconds, forward, refers, connects, bridgeFailure), checked. */
function callControl(script: CallScript): Pick<ResolvedScript, "transfers" | "forward" | "refers" | "connects" | "bridgeFailure"> {
  const transfers = list("transfers", script.transfers, (t, at) => {
    if (t.targets !== undefined) {
      if (!Array.isArray(t.targets)) throw new ScriptError(`${at}.targets must be an array`);
      t.targets.forEach((o, i) => {
        oneOf(`${at}.targets[${i}]`, o, OUTCOMES);
      });
    }
    positive(`${at}.ringSeconds`, t.ringSeconds, 0);
  });
  const forward = script.forward ?? {};
  if (forward === null || typeof forward !== "object") throw new ScriptError("forward must be an object");
  oneOf("forward.outcome", forward.outcome, OUTCOMES);
  positive("forward.ringSeconds", forward.ringSeconds, 0);
  positive("forward.talkSeconds", forward.talkSeconds, 0);
  const refers = list("refers", script.refers, (r, at) => {
    oneOf(`${at}.status`, r.status, ["success", "failure"] as const);
    positive(`${at}.referSipResponseCode`, r.referSipResponseCode, 0, 100, 699);
    positive(`${at}.notifySipResponseCode`, r.notifySipResponseCode, 0, 100, 699);
  });
  const connects = list("connects", script.connects, (c, at) => {
    positive(`${at}.seconds`, c.seconds, 0);
    oneOf(`${at}.endedBy`, c.endedBy, ["endpoint", "caller"] as const);
  });
  return { transfers, forward, refers, connects, bridgeFailure: oneOf("bridgeFailure", script.bridgeFailure, ["busy", "rejected", "unknown"] as const) };
}

/** Checks a script and fills in the defaults. @throws {ScriptError} naming the first bad field. */
export function resolveScript(script: CallScript = {}): ResolvedScript {
  if (script === null || typeof script !== "object" || Array.isArray(script)) throw new ScriptError("the script must be an object");
  const digits = script.digits ?? [];
  if (!Array.isArray(digits)) throw new ScriptError("digits must be an array of strings, one per <Gather>");
  digits.forEach((d, i) => {
    if (typeof d !== "string" || !DIGITS.test(d)) throw new ScriptError(`digits[${i}] must be DTMF digits (0-9 * # A-D), not ${JSON.stringify(d)}`);
  });
  if (script.direction !== undefined && script.direction !== "inbound" && script.direction !== "outbound") {
    throw new ScriptError(`direction must be "inbound" or "outbound", not ${JSON.stringify(script.direction)}`);
  }
  const [tMin, tMax] = SEMANTICS.callbackTimeoutRange;
  const startMs = script.startTime === undefined ? Date.now() : Date.parse(script.startTime);
  if (Number.isNaN(startMs)) throw new ScriptError(`startTime must be an ISO 8601 date and time, not ${JSON.stringify(script.startTime)}`);
  if (script.disconnectUrl !== undefined && !/^https?:\/\//i.test(String(script.disconnectUrl))) {
    throw new ScriptError(`disconnectUrl must be an absolute http or https URL, not ${JSON.stringify(script.disconnectUrl)}`);
  }
  const hangupAtStep = script.hangupAtStep === undefined ? undefined : positive("hangupAtStep", script.hangupAtStep, 0, 1);
  return {
    direction: script.direction ?? "inbound",
    from: script.from ?? "+19195550100",
    to: script.to ?? "+19195550142",
    digits,
    dtmf: typeof script.dtmf === "string" && DIGITS.test(script.dtmf) ? script.dtmf : dtmfError(script.dtmf),
    recordings: script.recordings ?? [],
    hangupAtStep,
    conferenceSeconds: positive("conferenceSeconds", script.conferenceSeconds, 10),
    bridgeEndedBy: script.bridgeEndedBy === "caller" ? "caller" : "target",
    ...callControl(script),
    disconnectUrl: script.disconnectUrl,
    callbackTimeoutMs: positive("callbackTimeout", script.callbackTimeout, SEMANTICS.callbackTimeout, tMin, tMax) * 1000,
    maxSteps: positive("maxSteps", script.maxSteps, SEMANTICS.maxSteps, 1),
    maxCallSeconds: positive("maxCallSeconds", script.maxCallSeconds, SEMANTICS.maxCallSeconds, 1),
    maxRunMs: positive("maxRunMs", script.maxRunMs, SEMANTICS.maxRunMs, 1),
    startMs,
    seed: script.seed ?? Math.floor(Math.random() * 2 ** 31),
    accountId: script.accountId ?? "9900000",
    applicationId: script.applicationId ?? "04e88489-df02-4e34-a0ee-27a91849555f",
    tag: script.tag,
    media: resolveMedia(script),
  };
}

/** The nth entry of a per-verb list; the last entry repeats, an empty list gives `{}`. */
export function nth<T extends object>(list: readonly T[], index: number): T | Record<string, never> {
  if (list.length === 0) return {};
  return list[Math.min(index, list.length - 1)];
}
