// Cutting call audio into frames of a fixed duration, both ways on a media stream: Bandwidth's frame size
// is not documented (20 ms is usual, not promised), while a speech model often wants fixed frames (e.g.
// 100 ms), and a long answer is better sent as several `playAudio` messages than one of megabytes (a
// `clear` then drops the rest at once, and no message nears a frame limit). `chunkAudio` cuts a whole
// buffer (views, no copy); `createAudioFramer` re-frames a stream of chunks of any size. Edge-safe.
import { BandwidthConfigError } from "../errors.js";
import type { TelephonyRate } from "./resample.js";

/** Audio a frame holds: μ-law bytes, or 16-bit PCM samples. */
export type AudioSamples = Uint8Array | Int16Array;

/** A frame length in time: `ms` at `sampleRate` (μ-law: 8000, the default). */
export interface FrameDuration {
  /** Milliseconds per frame (e.g. 20: 160 μ-law bytes at 8 kHz; 100 at 24 kHz: 2400 samples). */
  readonly ms: number;
  /** Samples per second of the audio (default 8000, μ-law's rate). */
  readonly sampleRate?: TelephonyRate;
}

/**
 * Samples in a frame of `ms` milliseconds at `sampleRate` (default 8000): a whole positive number, or a
 * BandwidthConfigError (e.g. 0.1 ms at 8 kHz is not a whole sample).
 *
 * @example
 * frameSamples({ ms: 20 }); // 160 (20 ms of μ-law)
 * frameSamples({ ms: 100, sampleRate: 24000 }); // 2400
 */
export function frameSamples(duration: FrameDuration): number {
  const rate = duration.sampleRate ?? 8000;
  if (rate !== 8000 && rate !== 16000 && rate !== 24000) throw new BandwidthConfigError(`frame sampleRate must be 8000, 16000 or 24000 Hz, not ${rate}`);
  const samples = (duration.ms * rate) / 1000;
  if (!Number.isSafeInteger(samples) || samples < 1) throw new BandwidthConfigError(`a frame of ${duration.ms} ms at ${rate} Hz is not a whole positive number of samples`);
  return samples;
}

function sizeOf(frame: number | FrameDuration): number {
  if (typeof frame !== "number") return frameSamples(frame);
  if (!Number.isSafeInteger(frame) || frame < 1) throw new BandwidthConfigError(`a frame is a whole positive number of samples, not ${frame}`);
  return frame;
}

/**
 * Cuts audio into frames of `frame` samples (a number, or `{ ms, sampleRate }`); the last one may be shorter.
 * The frames are views of `audio` (no copy): copy one (`.slice()`) before changing `audio`.
 *
 * @example
 * for (const part of chunkAudio(answerPcm24k, { ms: 200, sampleRate: 24000 })) stream.playAudio(part, { encoding: "pcm16", sampleRate: 24000 });
 */
export function chunkAudio<T extends AudioSamples>(audio: T, frame: number | FrameDuration): T[] {
  if (!(audio instanceof Uint8Array) && !(audio instanceof Int16Array)) throw new BandwidthConfigError("chunkAudio: audio must be a Uint8Array (μ-law) or an Int16Array (16-bit PCM)");
  const size = sizeOf(frame);
  const out: T[] = [];
  for (let at = 0; at < audio.length; at += size) out.push(audio.subarray(at, at + size) as T);
  return out;
}

/** A streaming re-framer: {@link createAudioFramer}. */
export interface AudioFramer<T extends AudioSamples> {
  /** Takes the next chunk (any length); returns the whole frames it completes, in order (fresh arrays, yours). */
  push(chunk: T): T[];
  /** The samples left over (shorter than a frame), or undefined when none; the framer is then empty. */
  flush(): T | undefined;
  /** Samples held, waiting for a whole frame. */
  readonly pending: number;
  /** Samples per frame. */
  readonly frameSamples: number;
}

class Framer<T extends AudioSamples> implements AudioFramer<T> {
  private readonly buffer: T;
  private held = 0;
  constructor(
    readonly frameSamples: number,
    private readonly make: (length: number) => T,
  ) {
    this.buffer = make(frameSamples);
  }
  /** A fresh copy of `chunk[from, to)`: not `slice`, which on a Node Buffer (a Uint8Array) returns a view of it. */
  private copy(chunk: T, from: number, to: number): T {
    const frame = this.make(to - from);
    frame.set(chunk.subarray(from, to));
    return frame;
  }
  get pending(): number {
    return this.held;
  }
  push(chunk: T): T[] {
    if (!(chunk instanceof this.buffer.constructor)) throw new BandwidthConfigError(`AudioFramer.push: this framer takes ${this.buffer instanceof Uint8Array ? "a Uint8Array (μ-law)" : "an Int16Array (16-bit PCM)"}`);
    const size = this.frameSamples;
    const frames: T[] = [];
    let at = 0;
    if (this.held > 0) {
      const take = Math.min(size - this.held, chunk.length);
      this.buffer.set(chunk.subarray(0, take), this.held);
      this.held += take;
      at = take;
      if (this.held < size) return frames;
      frames.push(this.copy(this.buffer, 0, size));
      this.held = 0;
    }
    for (; at + size <= chunk.length; at += size) frames.push(this.copy(chunk, at, at + size));
    if (at < chunk.length) {
      this.buffer.set(chunk.subarray(at), 0);
      this.held = chunk.length - at;
    }
    return frames;
  }
  flush(): T | undefined {
    if (this.held === 0) return undefined;
    const rest = this.copy(this.buffer, 0, this.held);
    this.held = 0;
    return rest;
  }
}

/**
 * A streaming re-framer: push chunks of any length (Bandwidth's media frames, a speech model's output), get
 * whole frames of a fixed size out, in order, samples never lost or reordered; `flush()` gives the rest.
 * `encoding` says the array type: `mulaw` (Uint8Array) or `pcm16` (Int16Array).
 *
 * @example
 * const to100ms = createAudioFramer({ encoding: "pcm16", frame: { ms: 100, sampleRate: 24000 } });
 * onMedia: (frame, stream) => { for (const block of to100ms.push(upsample.push(mulawToPcm16(frame.audio)))) model.send(block); }
 */
export function createAudioFramer(options: { readonly encoding: "mulaw"; readonly frame: number | FrameDuration }): AudioFramer<Uint8Array>;
export function createAudioFramer(options: { readonly encoding: "pcm16"; readonly frame: number | FrameDuration }): AudioFramer<Int16Array>;
export function createAudioFramer(options: { readonly encoding: "mulaw" | "pcm16"; readonly frame: number | FrameDuration }): AudioFramer<Uint8Array> | AudioFramer<Int16Array> {
  const size = sizeOf(options.frame);
  if (options.encoding === "mulaw") return new Framer<Uint8Array>(size, (n) => new Uint8Array(n));
  if (options.encoding === "pcm16") return new Framer<Int16Array>(size, (n) => new Int16Array(n));
  throw new BandwidthConfigError(`createAudioFramer: encoding must be "mulaw" or "pcm16", not ${JSON.stringify((options as { encoding: unknown }).encoding)}`);
}
