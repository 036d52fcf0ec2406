// The caller's audio in a simulated call: what the person on the phone says, as 8 kHz 16-bit PCM on the
// call's clock (sample 0 = the moment the call is answered), and where each utterance starts and ends.
// From a WAV file (any rate, 8/16/24/32-bit integer or 32/64-bit float, mono or stereo: converted to
// 8 kHz mono) or from timed segments (silence, a tone, a WAV per utterance, each with the text a
// transcriber would hear). Edge-safe: file paths are read by `loadCallerFiles` through a lazy
// `node:fs` import, only when a path is given.
import { resample } from "../audio/resample.js";
import { mulawToPcm16 } from "../audio/mulaw.js";
import { readWav, WavFormatError } from "../audio/wav.js";
import { ScriptError } from "./script-error.js";

/** WAV audio: a file path (read by `simulateCall` / the CLI) or the file's bytes. */
export type WavSource = string | Uint8Array;

/** One stretch of the caller's side: silence, a tone (a stand-in for speech), or a recorded utterance. */
export type CallerSegment =
  | { readonly silence: number }
  | { readonly tone: number; readonly seconds: number; readonly text?: string; readonly level?: number }
  | { readonly wav: WavSource; readonly text?: string };

/** What the caller says, on the call's clock (from the moment the call is answered). */
export interface CallerAudioScript {
  /** The caller's whole side as one WAV file (CLI `--audio caller.wav`); utterances are found by level. */
  readonly wav?: WavSource;
  /** Or timed segments, one after another; each tone or WAV segment is one utterance. */
  readonly segments?: readonly CallerSegment[];
  /** Language of the transcription messages (default `en-US`). */
  readonly language?: string;
  /**
   * Seconds after the answer at which the caller hangs up while a stream or transcription socket is open
   * and the call waits (`<StopStream wait="true">`, a long `<Pause>`). Default: once the caller's audio is
   * over and the bot has been silent for 2 s (with no caller audio at all, only `<StopStream wait>` ends so).
   */
  readonly hangupAfter?: number;
}

/** One caller utterance, ms from the answer. */
export interface Utterance {
  readonly startMs: number;
  readonly endMs: number;
  readonly text?: string;
}

/** The caller's audio, ready to stream. */
export interface CallerAudio {
  /** 8 kHz mono 16-bit PCM; sample 0 is the answer. */
  readonly pcm: Int16Array;
  readonly utterances: readonly Utterance[];
  readonly language: string;
  readonly hangupAfterMs: number | undefined;
}

const RATE = 8000;
/** CHOICE: a 20 ms frame counts as speech above this RMS (about -40 dBFS). */
export const SPEECH_RMS = 330;
/** CHOICE: in a whole-file caller track, an utterance ends after this much silence. */
const HANGOVER_MS = 400;
const TONE_LEVEL = 0.3;

/** RMS of `pcm[from, to)`. */
export function rms(pcm: Int16Array, from: number, to: number): number {
  let sum = 0;
  const end = Math.min(to, pcm.length);
  if (end <= from) return 0;
  for (let i = from; i < end; i++) sum += pcm[i] * pcm[i];
  return Math.sqrt(sum / (end - from));
}

/** Reads one sample at a byte offset, scaled to the 16-bit range. */
function sampleReader(view: DataView, float: boolean, bits: number): (at: number) => number {
  if (float) return bits === 32 ? (p) => view.getFloat32(p, true) * 32767 : (p) => view.getFloat64(p, true) * 32767;
  if (bits === 8) return (p) => (view.getUint8(p) - 128) << 8;
  if (bits === 24) return (p) => ((view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getUint8(p + 2) << 16)) << 8) >> 16;
  return (p) => view.getInt32(p, true) / 65536;
}

/** Samples of a WAV file in a form `readWav` does not read (8-bit, 24/32-bit integer, float): 16-bit interleaved. */
function readOtherWav(bytes: Uint8Array): { sampleRate: number; channels: number; samples: Int16Array } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag4 = (at: number) => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
  if (bytes.length < 12 || tag4(0) !== "RIFF" || tag4(8) !== "WAVE") throw new WavFormatError("not a WAV file: it must start with RIFF....WAVE");
  let fmt: { tag: number; channels: number; sampleRate: number; bits: number } | undefined;
  for (let at = 12, n = 0; at + 8 <= bytes.length && n < 64; n++) {
    const id = tag4(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "fmt " && size >= 16) {
      let tag = view.getUint16(body, true);
      if (tag === 0xfffe && size >= 26) tag = view.getUint16(body + 24, true);
      fmt = { tag, channels: view.getUint16(body + 2, true), sampleRate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
    } else if (id === "data" && fmt !== undefined) {
      const { tag, bits, channels, sampleRate } = fmt;
      const width = bits / 8;
      const supported = (tag === 1 && [8, 24, 32].includes(bits)) || (tag === 3 && (bits === 32 || bits === 64));
      if (!supported || channels < 1 || channels > 2 || sampleRate < 1) throw new WavFormatError(`unsupported WAV: format tag ${tag}, ${bits}-bit, ${channels} channels`);
      const count = Math.floor(Math.min(size, bytes.length - body) / width);
      const samples = new Int16Array(count);
      const read = sampleReader(view, tag === 3, bits);
      for (let i = 0; i < count; i++) samples[i] = Math.max(-32768, Math.min(32767, Math.round(read(body + i * width))));
      return { sampleRate, channels, samples };
    }
    at = body + size + (size % 2);
  }
  throw new WavFormatError("no fmt or data chunk");
}

/** Any-rate mono PCM → 8 kHz: the telephony resampler for 16/24 kHz, a windowed-sinc low-pass otherwise. */
function to8k(pcm: Int16Array, rate: number): Int16Array {
  if (rate === RATE) return pcm;
  if (rate === 16000 || rate === 24000) return resample(pcm, rate, RATE);
  const step = rate / RATE;
  const cutoff = Math.min(1, RATE / rate) * 0.46 * 2; // normalised to the input's Nyquist
  const half = Math.ceil((16 / cutoff) | 0) + 1;
  const out = new Int16Array(Math.floor(pcm.length / step));
  for (let n = 0; n < out.length; n++) {
    const centre = n * step;
    const base = Math.floor(centre);
    let acc = 0;
    let gain = 0;
    for (let k = base - half; k <= base + half; k++) {
      const x = k - centre;
      const arg = Math.PI * cutoff * x;
      const sinc = x === 0 ? 1 : Math.sin(arg) / arg;
      const w = 0.5 + 0.5 * Math.cos((Math.PI * x) / (half + 1));
      const tap = sinc * w;
      gain += tap;
      if (k >= 0 && k < pcm.length) acc += tap * pcm[k];
    }
    out[n] = Math.max(-32768, Math.min(32767, Math.round(acc / gain)));
  }
  return out;
}

/**
 * A WAV file's audio as 8 kHz mono 16-bit PCM (stereo is averaged).
 *
 * @throws {ScriptError} naming the file when it cannot be read.
 */
export function decodeCallerWav(bytes: Uint8Array, name: string): Int16Array {
  let audio: { sampleRate: number; channels: number; samples: Int16Array };
  try {
    const wav = readWav(bytes);
    audio = { sampleRate: wav.sampleRate, channels: wav.channels, samples: wav.encoding === "mulaw" ? mulawToPcm16(wav.samples) : wav.samples };
  } catch (error) {
    if (!(error instanceof WavFormatError)) throw error;
    try {
      audio = readOtherWav(bytes);
    } catch (other) {
      throw new ScriptError(`${name}: ${(other as Error).message}`);
    }
  }
  let mono = audio.samples;
  if (audio.channels === 2) {
    mono = new Int16Array(audio.samples.length / 2);
    for (let i = 0; i < mono.length; i++) mono[i] = (audio.samples[2 * i] + audio.samples[2 * i + 1]) >> 1;
  }
  return to8k(mono, audio.sampleRate);
}

/** Utterances in a whole-file track: 20 ms frames above the speech level, joined across gaps under 400 ms. */
export function findUtterances(pcm: Int16Array): Utterance[] {
  const out: Utterance[] = [];
  let start = -1;
  let lastVoiced = -1;
  for (let f = 0; f * 160 < pcm.length; f++) {
    const voiced = rms(pcm, f * 160, f * 160 + 160) > SPEECH_RMS;
    if (voiced) {
      if (start < 0) start = f;
      lastVoiced = f;
    } else if (start >= 0 && (f - lastVoiced) * 20 >= HANGOVER_MS) {
      out.push({ startMs: start * 20, endMs: (lastVoiced + 1) * 20 });
      start = -1;
    }
  }
  if (start >= 0) out.push({ startMs: start * 20, endMs: (lastVoiced + 1) * 20 });
  return out;
}

function bytesOf(source: WavSource, where: string): Uint8Array {
  if (source instanceof Uint8Array) return source;
  throw new ScriptError(`${where}: the WAV file ${JSON.stringify(source)} was not loaded (pass its bytes, or run through simulateCall / the CLI, which read paths)`);
}

/** Checks the caller's script and renders the audio. @throws {ScriptError} naming the bad field. */
export function resolveCallerAudio(script: CallerAudioScript | undefined): CallerAudio {
  const language = script?.language ?? "en-US";
  const hangupAfterMs = typeof script?.hangupAfter === "number" && script.hangupAfter >= 0 ? Math.round(script.hangupAfter * 1000) : undefined;
  if (script === undefined || (script.wav === undefined && script.segments === undefined)) return { pcm: new Int16Array(0), utterances: [], language, hangupAfterMs };
  if (script.wav !== undefined) {
    const pcm = decodeCallerWav(bytesOf(script.wav, "caller.wav"), "caller.wav");
    return { pcm, utterances: findUtterances(pcm), language, hangupAfterMs };
  }
  if (!Array.isArray(script.segments)) throw new ScriptError("caller.segments must be an array of { silence } / { tone, seconds } / { wav } segments");
  const parts: Int16Array[] = [];
  const utterances: Utterance[] = [];
  let at = 0;
  script.segments.forEach((segment, i) => {
    const where = `caller.segments[${i}]`;
    let part: Int16Array;
    if ("silence" in segment && typeof segment.silence === "number" && segment.silence >= 0) part = new Int16Array(Math.round(segment.silence * RATE));
    else if ("tone" in segment && typeof segment.tone === "number" && typeof segment.seconds === "number" && segment.seconds >= 0 && segment.tone > 0 && segment.tone < RATE / 2) {
      part = new Int16Array(Math.round(segment.seconds * RATE));
      const amplitude = 32767 * Math.min(1, Math.max(0, segment.level ?? TONE_LEVEL));
      for (let n = 0; n < part.length; n++) part[n] = Math.round(amplitude * Math.sin((2 * Math.PI * segment.tone * n) / RATE));
    } else if ("wav" in segment && segment.wav !== undefined) part = decodeCallerWav(bytesOf(segment.wav, where), `${where}.wav`);
    else throw new ScriptError(`${where} must be { silence: seconds }, { tone: Hz below 4000, seconds } or { wav: file }, not ${JSON.stringify(segment)}`);
    const text = "text" in segment && typeof segment.text === "string" ? segment.text : undefined;
    if (!("silence" in segment) && part.length > 0) utterances.push({ startMs: Math.round((at * 1000) / RATE), endMs: Math.round(((at + part.length) * 1000) / RATE), ...(text !== undefined ? { text } : {}) });
    parts.push(part);
    at += part.length;
  });
  const pcm = new Int16Array(at);
  let o = 0;
  for (const part of parts) {
    pcm.set(part, o);
    o += part.length;
  }
  return { pcm, utterances, language, hangupAfterMs };
}

/**
 * Reads the WAV files a script names by path (`caller.wav`, `caller.segments[i].wav`), relative paths
 * against `baseDir`, and returns the script with their bytes in place. Loads `node:fs` only when a path
 * is there.
 */
export async function loadCallerFiles(script: CallerAudioScript | undefined, baseDir?: string): Promise<CallerAudioScript | undefined> {
  if (script === undefined || script === null || typeof script !== "object") return script;
  const paths = [script.wav, ...(Array.isArray(script.segments) ? script.segments.map((s) => ("wav" in s ? s.wav : undefined)) : [])];
  if (!paths.some((p) => typeof p === "string")) return script;
  const fsName = "node:fs/promises";
  const pathName = "node:path";
  const fs = (await import(fsName)) as typeof import("node:fs/promises");
  const path = (await import(pathName)) as typeof import("node:path");
  const read = async (file: WavSource): Promise<Uint8Array> => {
    if (typeof file !== "string") return file;
    try {
      return new Uint8Array(await fs.readFile(baseDir !== undefined ? path.resolve(baseDir, file) : file));
    } catch (error) {
      throw new ScriptError(`cannot read the caller's WAV file ${file}: ${(error as Error).message}`);
    }
  };
  return {
    ...script,
    ...(script.wav !== undefined ? { wav: await read(script.wav) } : {}),
    ...(Array.isArray(script.segments) ? { segments: await Promise.all(script.segments.map(async (s) => ("wav" in s && s.wav !== undefined ? { ...s, wav: await read(s.wav) } : s))) } : {}),
  };
}
