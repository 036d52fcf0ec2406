// WAV (RIFF WAVE) read and write for the audio formats of Bandwidth's streams: 16-bit linear PCM
// (WAVE_FORMAT_PCM, or WAVE_FORMAT_EXTENSIBLE with the PCM subformat) and G.711 μ-law
// (WAVE_FORMAT_MULAW), mono or stereo, any sample rate. Reading is bounded: every size is checked
// against the bytes actually there, at most 64 chunks are looked at, and a malformed header is refused
// with a WavFormatError naming what is wrong. Edge-safe (DataView, typed arrays).
import { BandwidthError } from "../errors.js";

/** The sample formats the WAV helpers read and write. */
export type WavEncoding = "pcm16" | "mulaw";

/** Decoded WAV audio: interleaved samples (`Int16Array` for pcm16, μ-law bytes for mulaw). */
export type WavAudio =
  | { readonly encoding: "pcm16"; readonly sampleRate: number; readonly channels: number; readonly samples: Int16Array }
  | { readonly encoding: "mulaw"; readonly sampleRate: number; readonly channels: number; readonly samples: Uint8Array };

/**
 * Thrown by {@link readWav} for bytes that are not a WAV file it can read, and by {@link writeWav} for
 * audio it cannot write; the message says what is wrong.
 *
 * @example
 * try { readWav(bytes); } catch (error) { if (error instanceof WavFormatError) console.error(error.message); }
 */
export class WavFormatError extends BandwidthError {
  constructor(message: string) {
    super("BW_INVALID_WAV", message);
    this.name = "WavFormatError";
  }
}

const FORMAT_PCM = 1;
const FORMAT_MULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;
const MAX_CHUNKS = 64;
const MAX_CHANNELS = 2;
const MAX_RATE = 384000;
/** A data size written by streaming encoders that did not know the length: "up to the end". */
const UNKNOWN_SIZE = 0xffffffff;

const fourCC = (view: DataView, at: number): string =>
  String.fromCharCode(view.getUint8(at), view.getUint8(at + 1), view.getUint8(at + 2), view.getUint8(at + 3));

interface Format {
  encoding: WavEncoding;
  channels: number;
  sampleRate: number;
}

function readFormat(view: DataView, at: number, size: number): Format {
  if (size < 16) throw new WavFormatError(`the fmt chunk is ${size} bytes, at least 16 expected`);
  let tag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const byteRate = view.getUint32(at + 8, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bits = view.getUint16(at + 14, true);
  if (tag === FORMAT_EXTENSIBLE) {
    if (size < 40) throw new WavFormatError(`a WAVE_FORMAT_EXTENSIBLE fmt chunk is ${size} bytes, 40 expected`);
    tag = view.getUint16(at + 24, true); // the subformat GUID starts with the format tag
  }
  let encoding: WavEncoding;
  if (tag === FORMAT_PCM) {
    if (bits !== 16) throw new WavFormatError(`only 16-bit PCM is supported, not ${bits}-bit`);
    encoding = "pcm16";
  } else if (tag === FORMAT_MULAW) {
    if (bits !== 8) throw new WavFormatError(`μ-law samples are 8 bits, not ${bits}`);
    encoding = "mulaw";
  } else {
    throw new WavFormatError(`unsupported WAV format tag 0x${tag.toString(16).padStart(4, "0")} (supported: 1 = PCM, 7 = μ-law)`);
  }
  if (channels < 1 || channels > MAX_CHANNELS) throw new WavFormatError(`${channels} channels: only mono and stereo are supported`);
  if (sampleRate < 1 || sampleRate > MAX_RATE) throw new WavFormatError(`sample rate ${sampleRate} Hz is out of range (1 to ${MAX_RATE})`);
  const expectedAlign = channels * (bits / 8);
  if (blockAlign !== expectedAlign) throw new WavFormatError(`block align is ${blockAlign}, ${expectedAlign} expected for ${channels} × ${bits}-bit`);
  if (byteRate !== sampleRate * blockAlign) throw new WavFormatError(`byte rate is ${byteRate}, ${sampleRate * blockAlign} expected (rate × block align)`);
  return { encoding, channels, sampleRate };
}

/**
 * Reads a WAV file: 16-bit PCM or μ-law, mono or stereo, any rate. The samples are copied out of
 * `bytes` (interleaved when stereo). Throws {@link WavFormatError} on anything else or on a malformed
 * or truncated header. A data size of 0xFFFFFFFF (written by streaming encoders) means "to the end".
 *
 * @example
 * const wav = readWav(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 * const pcm = wav.encoding === "mulaw" ? mulawToPcm16(wav.samples) : wav.samples;
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: over the limit of 40 when the limit was set (issue 21); split it when it is next changed
export function readWav(bytes: Uint8Array): WavAudio {
  if (bytes.length < 12) throw new WavFormatError(`${bytes.length} bytes: too short for a WAV header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (fourCC(view, 0) !== "RIFF" || fourCC(view, 8) !== "WAVE") throw new WavFormatError("not a WAV file: it must start with RIFF....WAVE");
  let format: Format | undefined;
  let at = 12;
  for (let chunks = 0; at + 8 <= bytes.length; chunks++) {
    if (chunks >= MAX_CHUNKS) throw new WavFormatError(`no data chunk among the first ${MAX_CHUNKS} chunks`);
    const id = fourCC(view, at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === "data") {
      if (format === undefined) throw new WavFormatError("the data chunk comes before the fmt chunk");
      const available = bytes.length - body;
      const length = size === UNKNOWN_SIZE ? available - (available % (format.encoding === "pcm16" ? 2 * format.channels : format.channels)) : size;
      if (length > available) throw new WavFormatError(`the data chunk says ${size} bytes but only ${available} follow: truncated file`);
      const frame = (format.encoding === "pcm16" ? 2 : 1) * format.channels;
      if (length % frame !== 0) throw new WavFormatError(`the data chunk holds ${length} bytes, not a whole number of ${frame}-byte sample frames`);
      if (format.encoding === "mulaw") return { ...format, encoding: "mulaw", samples: bytes.slice(body, body + length) };
      const samples = new Int16Array(length / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(body + 2 * i, true);
      return { ...format, encoding: "pcm16", samples };
    }
    if (size > bytes.length - body) throw new WavFormatError(`the ${JSON.stringify(id)} chunk says ${size} bytes but only ${bytes.length - body} follow: truncated file`);
    if (id === "fmt ") {
      if (format !== undefined) throw new WavFormatError("two fmt chunks");
      format = readFormat(view, body, size);
    }
    at = body + size + (size % 2); // chunks are padded to an even length
  }
  throw new WavFormatError(format === undefined ? "no fmt chunk" : "no data chunk");
}

/**
 * Writes a WAV file: 16-bit PCM (a 44-byte header) or μ-law (WAVE_FORMAT_MULAW with its `fact`
 * chunk), `samples` interleaved when `channels` is 2. Throws {@link WavFormatError} when the
 * description does not fit (channels, rate, a sample count that is not a multiple of the channels).
 *
 * @example
 * const file = writeWav({ encoding: "mulaw", sampleRate: 8000, channels: 1, samples: mulawBytes }); // a caller's audio, playable anywhere
 */
export function writeWav(audio: WavAudio): Uint8Array {
  if (audio === null || typeof audio !== "object" || ArrayBuffer.isView(audio)) {
    throw new WavFormatError("writeWav takes one object: { encoding: \"pcm16\" | \"mulaw\", sampleRate, channels, samples }");
  }
  const { encoding, channels, sampleRate, samples } = audio;
  if (encoding !== "pcm16" && encoding !== "mulaw") throw new WavFormatError(`unsupported encoding ${JSON.stringify(encoding)} (pcm16 or mulaw)`);
  // JavaScript callers have no type check: 16-bit samples given as bytes (or the reverse) would write noise
  if (encoding === "pcm16" ? !(samples instanceof Int16Array) : !(samples instanceof Uint8Array)) {
    throw new WavFormatError(encoding === "pcm16" ? "pcm16 samples must be an Int16Array" : "mulaw samples must be a Uint8Array");
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS) throw new WavFormatError(`${channels} channels: only mono and stereo are supported`);
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > MAX_RATE) throw new WavFormatError(`sample rate ${sampleRate} Hz is out of range (1 to ${MAX_RATE})`);
  if (samples.length % channels !== 0) throw new WavFormatError(`${samples.length} samples do not make whole ${channels}-channel frames`);
  const pcm = encoding === "pcm16";
  const bytesPerSample = pcm ? 2 : 1;
  const dataSize = samples.length * bytesPerSample;
  const fmtSize = pcm ? 16 : 18;
  const header = 12 + 8 + fmtSize + (pcm ? 0 : 12) + 8;
  const padded = dataSize + (dataSize % 2);
  if (header + padded - 8 > 0xfffffffe) throw new WavFormatError(`${dataSize} bytes of audio do not fit in a WAV file (4 GiB)`);
  const out = new Uint8Array(header + padded);
  const view = new DataView(out.buffer);
  const text = (at: number, s: string) => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  text(0, "RIFF");
  view.setUint32(4, out.length - 8, true);
  text(8, "WAVE");
  text(12, "fmt ");
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, pcm ? FORMAT_PCM : FORMAT_MULAW, true);
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * bytesPerSample, true);
  view.setUint16(32, channels * bytesPerSample, true);
  view.setUint16(34, bytesPerSample * 8, true);
  let at = 36;
  if (!pcm) {
    view.setUint16(36, 0, true); // cbSize
    text(38, "fact");
    view.setUint32(42, 4, true);
    view.setUint32(46, samples.length / channels, true);
    at = 50;
  }
  text(at, "data");
  view.setUint32(at + 4, dataSize, true);
  if (pcm) {
    const pcmSamples = samples as Int16Array;
    for (let i = 0; i < pcmSamples.length; i++) view.setInt16(at + 8 + 2 * i, pcmSamples[i], true);
  } else {
    out.set(samples as Uint8Array, at + 8);
  }
  return out;
}
