/**
 * A stream's outbound side: the `playAudio` / `clear` messages and the bounded queue in front of the
 * transport. A message goes straight to the socket while the transport's `bufferedAmount` is at or under
 * the high-water mark; above it, it waits in this queue, bounded by bytes; a message that would take the
 * queue over its bound is handled by the policy (`reject`: not queued, `drop-oldest`: older queued audio
 * goes, `close`: the socket is closed with 4012), and the `onBackpressure` hook hears of it. The adapter's
 * `drain()` sends what waits. All state is per stream. Edge-safe.
 */

import { bytesToBase64, pcm16ToBase64 } from "../audio/base64.js";
import { playAudioContentType } from "../audio/content-type.js";
import { BandwidthConfigError } from "../errors.js";
import type { BackpressureInfo, BackpressurePolicy, PlayableAudio, PlayAudioFormat, SocketLike } from "./types.js";

/** The limits of one queue (resolved from the server's options). */
export interface QueueLimits {
  readonly maxQueuedBytes: number;
  readonly highWaterMark: number;
  readonly policy: BackpressurePolicy;
}

/** The `clear` message: one constant string. */
export const CLEAR_MESSAGE = '{"eventType":"clear"}';

/** Writes the `playAudio` message for audio in a format (μ-law bytes by default). Throws on a mismatch. */
export function playAudioMessage(audio: PlayableAudio, format: PlayAudioFormat | undefined): string {
  let contentType: string;
  let payload: string;
  if (format === undefined || format.encoding === "mulaw") {
    if (!(audio instanceof Uint8Array)) {
      throw new BandwidthConfigError("playAudio: μ-law audio is a Uint8Array; for 16-bit PCM pass { encoding: \"pcm16\", sampleRate }");
    }
    contentType = "audio/pcmu";
    payload = bytesToBase64(audio);
  } else {
    contentType = playAudioContentType(format);
    if (audio instanceof Int16Array) payload = pcm16ToBase64(audio);
    else if (audio instanceof Uint8Array) {
      if (audio.length % 2 !== 0) throw new BandwidthConfigError("playAudio: 16-bit PCM bytes come in pairs (little-endian); got an odd length");
      payload = bytesToBase64(audio);
    } else throw new BandwidthConfigError("playAudio: audio must be a Uint8Array or an Int16Array");
  }
  // contentType is one of four fixed ASCII strings and base64 needs no escaping: no JSON.stringify.
  return `{"eventType":"playAudio","media":{"contentType":"${contentType}","payload":"${payload}"}}`;
}

/** The bounded queue of one stream. */
export class OutboundQueue {
  private readonly items: string[] = [];
  private head = 0;
  private waiters: (() => void)[] | undefined;
  /** Bytes waiting (the messages are ASCII: one character, one byte). */
  bytes = 0;

  constructor(
    private readonly socket: SocketLike,
    private readonly limits: QueueLimits,
  ) {}

  private buffered(): number {
    const amount = this.socket.bufferedAmount;
    return typeof amount === "number" ? amount : 0;
  }

  /** Sends or queues a message; returns what happened when the bound was hit (`undefined`: sent or queued). */
  offer(text: string): BackpressureInfo | undefined {
    if (this.head === this.items.length && this.buffered() <= this.limits.highWaterMark) {
      this.socket.send(text);
      return undefined;
    }
    const { maxQueuedBytes, policy } = this.limits;
    if (this.bytes + text.length <= maxQueuedBytes) {
      this.push(text);
      return undefined;
    }
    if (policy === "drop-oldest" && text.length <= maxQueuedBytes) {
      let dropped = 0;
      while (this.bytes + text.length > maxQueuedBytes) {
        this.bytes -= this.items[this.head].length;
        this.items[this.head++] = "";
        dropped++;
      }
      this.push(text);
      return this.info("dropped", dropped);
    }
    return this.info(policy === "close" ? "closed" : "rejected", 0);
  }

  private push(text: string): void {
    if (this.head > 64 && this.head * 2 >= this.items.length) {
      this.items.splice(0, this.head); // sent or dropped slots: keep the array as short as the queue
      this.head = 0;
    }
    this.items.push(text);
    this.bytes += text.length;
  }

  private info(action: BackpressureInfo["action"], droppedMessages: number): BackpressureInfo {
    return { action, policy: this.limits.policy, queuedBytes: this.bytes, maxQueuedBytes: this.limits.maxQueuedBytes, droppedMessages };
  }

  /** Sends queued messages while the transport is under its high-water mark. */
  flush(): void {
    const items = this.items;
    if (this.head === items.length) return;
    while (this.head < items.length && this.buffered() <= this.limits.highWaterMark) {
      const text = items[this.head];
      items[this.head++] = "";
      this.bytes -= text.length;
      this.socket.send(text);
    }
    if (this.head === items.length) this.reset();
  }

  /** Drops everything queued (barge-in, close) and wakes `drained()` waiters. */
  reset(): void {
    this.items.length = 0;
    this.head = 0;
    this.bytes = 0;
    const waiters = this.waiters;
    this.waiters = undefined;
    if (waiters !== undefined) for (const wake of waiters) wake();
  }

  /** Resolves once nothing is queued. */
  drained(): Promise<void> {
    if (this.head === this.items.length) return Promise.resolve();
    return new Promise((resolve) => {
      (this.waiters ??= []).push(resolve);
    });
  }
}
