// The media part of a call script: the caller's audio (caller-audio.ts) and how fast the simulated clock
// runs while a stream or transcription socket is open.
import { resolveCallerAudio, type CallerAudio, type CallerAudioScript } from "./caller-audio.js";
import { ScriptError } from "./script-error.js";

/** What the caller says and how fast streamed time runs. */
export interface MediaScript {
  /** The caller's audio and utterances (a WAV file or timed segments), heard by streams and transcriptions. */
  readonly caller?: CallerAudioScript;
  /**
   * How fast the simulated clock runs while a socket is open: `1` (the default) is real time, `2` twice
   * as fast, `"max"` as fast as the receivers answer (each 20 ms tick waits for a ping round trip), which
   * gives the same trace for the same seed with a bot that answers promptly.
   */
  readonly speed?: number | "max";
}

/** The media script with defaults filled in. */
export interface ResolvedMedia {
  readonly caller: CallerAudio;
  /** `Infinity` for `"max"`. */
  readonly speed: number;
}

/** Checks the media part of a script. @throws {ScriptError} naming the bad field. */
export function resolveMedia(script: MediaScript): ResolvedMedia {
  const speed = script.speed ?? 1;
  if (speed !== "max" && (typeof speed !== "number" || !Number.isFinite(speed) || speed <= 0)) throw new ScriptError(`speed must be "max" or a number above 0, not ${JSON.stringify(speed)}`);
  if (script.caller !== undefined && (script.caller === null || typeof script.caller !== "object" || Array.isArray(script.caller))) throw new ScriptError("caller must be an object: { wav } or { segments }");
  return { caller: resolveCallerAudio(script.caller), speed: speed === "max" ? Number.POSITIVE_INFINITY : speed };
}
