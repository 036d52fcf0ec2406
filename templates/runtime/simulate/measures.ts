// The voice-AI measures of a simulated call, from the two sides' audio on the call's clock (20 ms frames
// from the answer): how long the bot takes to start answering after each caller utterance, how long it
// takes to `clear` its audio when the caller talks over it, and how long both talk at once. Plus the
// audio itself as WAV files (the bot alone; caller left + bot right).
import { writeWav } from "../audio/wav.js";
import { rms, SPEECH_RMS, type Utterance } from "./caller-audio.js";

/** One caller utterance and the bot's answer to it. */
export interface ResponseMeasure {
  /** When the caller stopped talking (ISO 8601, simulated time). */
  readonly utteranceEnd: string;
  /** What the caller said, when the script gave the text. */
  readonly text?: string;
  /** When the bot's first audio after it was heard; `null` if the bot said nothing before the caller spoke again (or the call ended). */
  readonly botAudio: string | null;
  /** `botAudio` − `utteranceEnd` in ms; `null` with no answer. */
  readonly latencyMs: number | null;
}

/** The caller talking over the bot. */
export interface BargeInMeasure {
  /** When the caller started talking while the bot's audio played. */
  readonly at: string;
  /** When the bot's `clear` arrived; `null` if it never cleared (the bot talked on). */
  readonly clear: string | null;
  /** `clear` − `at` in ms; `null` without a clear. */
  readonly clearMs: number | null;
  /** How long both talked at once from `at` until the bot fell silent, ms. */
  readonly doubleTalkMs: number;
}

/**
 * The voice-AI measures of a streamed call (`trace.measures`): times are simulated, so with
 * `speed: "max"` they are those of a receiver that answers at once, repeatable run after run.
 */
export interface VoiceMeasures {
  /** The caller's utterances (ISO 8601 start and end). */
  readonly utterances: ReadonlyArray<{ readonly start: string; readonly end: string; readonly text?: string }>;
  /** End of each utterance → the bot's first audio. */
  readonly responses: readonly ResponseMeasure[];
  /** Each time the caller started talking over the bot → the bot's `clear`. */
  readonly bargeIns: readonly BargeInMeasure[];
  /** Total time both talked at once, ms. */
  readonly doubleTalkMs: number;
}

/** The call's audio as WAV files (8 kHz 16-bit PCM, from the answer to the end of the last stream). */
export interface CallAudio {
  /** What the bot played into the call (its `playAudio`), mono. */
  readonly bot: Uint8Array;
  /** Stereo: the caller on the left, the bot on the right. */
  readonly mix: Uint8Array;
  readonly seconds: number;
}

/** What the measures are computed from (ms from the answer). */
export interface MeasureInput {
  readonly anchorMs: number;
  readonly caller: Int16Array;
  readonly bot: Int16Array;
  readonly utterances: readonly Utterance[];
  readonly clears: readonly number[];
}

const FRAME = 160;

/** The measures and the WAV files. */
export function computeMeasures(input: MeasureInput): { measures: VoiceMeasures; audio: CallAudio } {
  const frames = Math.ceil(input.bot.length / FRAME);
  const iso = (ms: number) => new Date(input.anchorMs + ms).toISOString();
  const caller = new Int16Array(input.bot.length);
  caller.set(input.caller.subarray(0, caller.length));
  const botVoiced: boolean[] = [];
  const callerVoiced: boolean[] = [];
  for (let f = 0; f < frames; f++) {
    botVoiced.push(rms(input.bot, f * FRAME, f * FRAME + FRAME) > SPEECH_RMS);
    callerVoiced.push(rms(caller, f * FRAME, f * FRAME + FRAME) > SPEECH_RMS);
  }
  const heard = input.utterances.filter((u) => u.startMs < frames * 20);
  const responses = heard.map((u, i): ResponseMeasure => {
    const until = Math.min(frames, i + 1 < heard.length ? Math.floor(heard[i + 1].startMs / 20) : frames);
    let found = -1;
    for (let f = Math.ceil(u.endMs / 20); f < until; f++) {
      if (botVoiced[f]) {
        found = f;
        break;
      }
    }
    const botMs = found < 0 ? null : Math.max(u.endMs, found * 20);
    return { utteranceEnd: iso(u.endMs), ...(u.text !== undefined ? { text: u.text } : {}), botAudio: botMs === null ? null : iso(botMs), latencyMs: botMs === null ? null : botMs - u.endMs };
  });
  const bargeIns: BargeInMeasure[] = [];
  for (const u of heard) {
    const f0 = Math.floor(u.startMs / 20);
    if (!botVoiced[f0]) continue;
    const clear = input.clears.find((c) => c >= u.startMs);
    let both = 0;
    for (let f = f0; f < frames && botVoiced[f]; f++) if (callerVoiced[f]) both++;
    bargeIns.push({ at: iso(u.startMs), clear: clear === undefined ? null : iso(clear), clearMs: clear === undefined ? null : clear - u.startMs, doubleTalkMs: both * 20 });
  }
  let overlap = 0;
  for (let f = 0; f < frames; f++) if (botVoiced[f] && callerVoiced[f]) overlap++;
  const mix = new Int16Array(caller.length * 2);
  for (let i = 0; i < caller.length; i++) {
    mix[2 * i] = caller[i];
    mix[2 * i + 1] = input.bot[i];
  }
  return {
    measures: { utterances: heard.map((u) => ({ start: iso(u.startMs), end: iso(u.endMs), ...(u.text !== undefined ? { text: u.text } : {}) })), responses, bargeIns, doubleTalkMs: overlap * 20 },
    audio: {
      bot: writeWav({ encoding: "pcm16", sampleRate: 8000, channels: 1, samples: input.bot }),
      mix: writeWav({ encoding: "pcm16", sampleRate: 8000, channels: 2, samples: mix }),
      seconds: input.bot.length / 8000,
    },
  };
}

/** The measures as transcript lines, times relative to `startMs` (the first entry of the trace). */
export function formatMeasures(measures: VoiceMeasures, startMs: number): string[] {
  const at = (iso: string) => `+${((Date.parse(iso) - startMs) / 1000).toFixed(2)}s`;
  const lines = ["Voice-AI measures:"];
  for (const r of measures.responses) {
    const said = r.text !== undefined ? ` ${JSON.stringify(r.text)}` : "";
    lines.push(`  caller stops at ${at(r.utteranceEnd)}${said} → ${r.latencyMs === null ? "no answer from the bot" : `bot answers after ${r.latencyMs} ms`}`);
  }
  for (const b of measures.bargeIns) {
    lines.push(`  caller talks over the bot at ${at(b.at)} → ${b.clearMs === null ? "the bot never cleared its audio" : `clear after ${b.clearMs} ms`}, ${b.doubleTalkMs} ms of double talk`);
  }
  if (measures.responses.length === 0 && measures.bargeIns.length === 0) lines.push("  the caller said nothing");
  lines.push(`  double talk in all: ${measures.doubleTalkMs} ms`);
  return lines;
}
