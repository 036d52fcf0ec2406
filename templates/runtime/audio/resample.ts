// Sample-rate conversion between the telephony rates (8, 16 and 24 kHz), and from or to any other rate of
// 8 to 192 kHz (a speech synthesiser's 22.05, 44.1 or 48 kHz): a polyphase windowed-sinc FIR (Kaiser window),
// streaming (state kept across chunks, so 20 ms frames join without clicks, and a
// chunked conversion equals the one-shot one sample for sample). Edge-safe: typed arrays only.
//
// The filter: cutoff at 0.46 × the lower rate (3,680 Hz between 8 and 16 kHz: telephone audio stops at
// 3.4 kHz), 32 zero crossings of the sinc on each side, Kaiser window β = 8, every phase normalised to unit
// gain at 0 Hz. Measured (docs/benchmarks.md, "Audio helpers"): 300 to 3,400 Hz within 0.01 dB; 4.1 kHz and
// up, which would fold back into the band going to 8 kHz, more than 80 dB down; a 1 kHz tone through
// 8 → 16 → 8 kHz comes back within 1 LSB. The price is work and latency: each output sample reads
// 2H + 1 input samples (H = 32 × input rate / (2 × cutoff): 35 at 8 kHz, 105 at 24 kHz), a look-ahead of
// about 4.4 ms. Cheaper interpolation (linear, cubic) is faster per sample but either aliases (linear: a
// 7 kHz tone at 16 kHz comes out at 1 kHz only 6 dB down) or needs a separate low-pass that has no state
// across chunks; at telephony rates the FIR costs tens of µs per 20 ms frame.
import { BandwidthConfigError } from "../errors.js";

/** The rates the helpers convert between (Bandwidth's μ-law is 8 kHz; playAudio PCM takes all three). */
export type TelephonyRate = 8000 | 16000 | 24000;

/** Lowest and highest rate a resampler takes (Hz): the telephony rates, and e.g. 22050, 44100, 48000. */
const MIN_RATE = 8000;
const MAX_RATE = 192_000;
/** Most filter taps (phases × width) one conversion may build: 8 MiB of coefficients. */
const MAX_TAPS = 1 << 20;
const ZERO_CROSSINGS = 32;
const CUTOFF = 0.46; // × the lower of the two rates
const KAISER_BETA = 8;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind (series), for the Kaiser window. */
function bessel0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 50; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/** The filter for one conversion: per phase, 2H + 1 taps over input samples base − H … base + H. */
interface Filter {
  readonly up: number; // L
  readonly down: number; // M
  readonly half: number; // H, in input samples
  readonly taps: Float64Array; // phase-major: taps[phase * (2H + 1) + (d + H)]
}

/**
 * Most filter taps kept built across resamplers (16 MiB of coefficients): any whole rate of 8 to 192 kHz
 * makes millions of pairs possible (a rate read from each caller's WAV file), and one filter may hold 2^20
 * taps, so the cache forgets the least recently used filters past this (a resampler keeps its own).
 */
export const MOST_CACHED_FILTER_TAPS: number = 1 << 21;
/** Built filters by `from:to`, least recently used first, and the taps they hold together. */
const filters = new Map<string, Filter>();
let cachedTaps = 0;

/** Taps of the filters cached now (at most {@link MOST_CACHED_FILTER_TAPS}; for tests). */
export function cachedFilterTaps(): number {
  return cachedTaps;
}

function filterFor(from: number, to: number): Filter {
  const key = `${from}:${to}`;
  const cached = filters.get(key);
  if (cached !== undefined) {
    filters.delete(key); // most recently used last
    filters.set(key, cached);
    return cached;
  }
  const g = gcd(from, to);
  const up = to / g;
  const down = from / g;
  const cutoff = CUTOFF * Math.min(from, to); // Hz
  const half = Math.ceil((ZERO_CROSSINGS * from) / (2 * cutoff));
  const width = 2 * half + 1;
  if (up * width > MAX_TAPS) {
    throw new BandwidthConfigError(`${from} → ${to} Hz needs ${up} filter phases (the rates share no large factor): convert to a nearby common rate first (e.g. 48000, 44100 or 24000)`);
  }
  const span = half * up + up; // window half-length in upsampled samples (a little over the taps' reach)
  const fc = cutoff / (from * up); // cycles per upsampled sample
  const norm = bessel0(KAISER_BETA);
  const taps = new Float64Array(up * width);
  for (let phase = 0; phase < up; phase++) {
    let sum = 0;
    for (let d = -half; d <= half; d++) {
      const t = phase - d * up; // distance, in upsampled samples, from the output position to input sample base + d
      const r = t / span;
      let value = 0;
      if (Math.abs(r) < 1) {
        const sinc = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
        value = sinc * (bessel0(KAISER_BETA * Math.sqrt(1 - r * r)) / norm);
      }
      taps[phase * width + d + half] = value;
      sum += value;
    }
    for (let i = 0; i < width; i++) taps[phase * width + i] /= sum; // unit gain at DC, phase by phase
  }
  const filter: Filter = { up, down, half, taps };
  for (const [old, held] of filters) {
    if (cachedTaps + taps.length <= MOST_CACHED_FILTER_TAPS) break;
    filters.delete(old);
    cachedTaps -= held.taps.length;
  }
  filters.set(key, filter);
  cachedTaps += taps.length;
  return filter;
}

function checkRate(name: string, rate: number): void {
  if (!Number.isSafeInteger(rate) || rate < MIN_RATE || rate > MAX_RATE) {
    throw new BandwidthConfigError(`${name} must be a whole number of Hz from ${MIN_RATE} to ${MAX_RATE} (8000, 16000 and 24000 for the call), not ${rate}`);
  }
}

/**
 * A streaming sample-rate converter for 16-bit mono PCM between 8, 16 and 24 kHz, or from/to any whole rate
 * of 8 to 192 kHz (see {@link createResampler}). Above 24 kHz the cutoff stays 0.46 × the lower rate. Output sample n is the input at time n / `to`, filtered: it is produced
 * once the input its filter reaches has arrived, so `push` returns a little less than a whole chunk's
 * worth at first, and `flush` returns the rest at the end.
 *
 * @example
 * const up = new Resampler(8000, 16000);
 * socket.on("media", (pcm8k) => bot.write(up.push(pcm8k)));
 * socket.on("stop", () => bot.write(up.flush()));
 */
export class Resampler {
  /** Input rate, Hz. */
  readonly from: number;
  /** Output rate, Hz. */
  readonly to: number;
  private readonly filter: Filter | undefined;
  /** Input samples from absolute index `origin` on (`origin` may be negative: leading silence). */
  private buffer: Float64Array;
  private length = 0;
  private origin: number;
  /** Input samples received so far. */
  private received = 0;
  /** Index of the next output sample. */
  private next = 0;

  constructor(from: number, to: number) {
    checkRate("from", from);
    checkRate("to", to);
    this.from = from;
    this.to = to;
    this.filter = from === to ? undefined : filterFor(from, to);
    const half = this.filter?.half ?? 0;
    this.buffer = new Float64Array(Math.max(64, 4 * half + 480));
    this.origin = -half;
    this.length = half; // the silence before the first sample
  }

  /** Converts the next chunk; returns the output samples it completes (possibly none). */
  push(input: Int16Array): Int16Array {
    if (this.filter === undefined) return input.slice();
    this.append(input);
    this.received += input.length;
    return this.drain(this.received);
  }

  /** Ends the stream: returns the remaining output (as if silence followed) and resets for a new stream. */
  flush(): Int16Array {
    const filter = this.filter;
    if (filter === undefined) return new Int16Array(0);
    const total = Math.ceil((this.received * filter.up) / filter.down);
    this.append(new Int16Array(filter.half + 1)); // silence after the end, enough for every remaining window
    const out = this.drain(Number.POSITIVE_INFINITY, total);
    this.reset();
    return out;
  }

  /** Forgets the stream so far (e.g. on a `clear`). */
  reset(): void {
    const half = this.filter?.half ?? 0;
    this.buffer.fill(0);
    this.origin = -half;
    this.length = half;
    this.received = 0;
    this.next = 0;
  }

  private append(input: Int16Array): void {
    if (this.length + input.length > this.buffer.length) {
      const grown = new Float64Array(Math.max(this.buffer.length * 2, this.length + input.length));
      grown.set(this.buffer.subarray(0, this.length));
      this.buffer = grown;
    }
    for (let i = 0; i < input.length; i++) this.buffer[this.length + i] = input[i];
    this.length += input.length;
  }

  /** Produces every output whose window ends before input index `available` (and below `limit`). */
  private drain(available: number, limit = Number.POSITIVE_INFINITY): Int16Array {
    const { up, down, half, taps } = this.filter!;
    const width = 2 * half + 1;
    const end = this.origin + this.length; // absolute index after the last buffered sample
    const reach = Math.min(available, end);
    // output n needs inputs up to floor(n·M / L) + H
    let count = 0;
    while (this.next + count < limit && Math.floor(((this.next + count) * down) / up) + half < reach) count++;
    const out = new Int16Array(count);
    const buffer = this.buffer;
    for (let k = 0; k < count; k++) {
      const position = (this.next + k) * down;
      const base = Math.floor(position / up);
      const phase = position - base * up;
      const first = base - half - this.origin;
      const row = phase * width;
      let acc = 0;
      for (let j = 0; j < width; j++) acc += taps[row + j] * buffer[first + j];
      out[k] = Math.min(32767, Math.max(-32768, Math.round(acc)));
    }
    this.next += count;
    // keep what the next output's window starts at
    const keepFrom = Math.floor((this.next * down) / up) - half;
    const drop = Math.min(Math.max(0, keepFrom - this.origin), this.length);
    if (drop > 0) {
      buffer.copyWithin(0, drop, this.length);
      this.length -= drop;
      this.origin += drop;
    }
    return out;
  }
}

/**
 * A streaming converter of mono 16-bit PCM between 8, 16 and 24 kHz, or from/to any whole rate of 8 to
 * 192 kHz (a synthesiser's 22050, 44100 or 48000 Hz): `push` each chunk, `flush` at the end. Chunks of any
 * size give the same samples as converting the whole signal at once.
 *
 * @example
 * const toBot = createResampler({ from: 8000, to: 24000 });   // caller audio → a 24 kHz speech model
 * const toCall = createResampler({ from: 24000, to: 8000 });  // the model's voice → the call
 * const fromTts = createResampler({ from: 44100, to: 16000 }); // a 44.1 kHz synthesiser → playAudio at 16 kHz
 * const pcm24k = toBot.push(mulawToPcm16(base64ToBytes(message.payload)));
 */
export function createResampler(options: { readonly from: number; readonly to: number }): Resampler {
  return new Resampler(options.from, options.to);
}

/**
 * Converts a whole signal (16-bit mono PCM) from one rate to another (8, 16, 24 kHz, or any whole rate of 8
 * to 192 kHz): `ceil(length × to / from)` samples, aligned with the input (no delay).
 *
 * @example
 * const pcm8k = resample(pcm24k, 24000, 8000);
 */
export function resample(input: Int16Array, from: number, to: number): Int16Array {
  const resampler = new Resampler(from, to);
  if (from === to) return input.slice();
  const head = resampler.push(input);
  const tail = resampler.flush();
  const out = new Int16Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}
