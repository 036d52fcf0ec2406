/**
 * `createCapture({ dir })` (`bw-codegen/capture`, Node only): the capture sink that records every delivery
 * the receiver answers into redacted NDJSON files. On the receiver's thread it only copies a few fields into
 * a list; once per event-loop turn the list goes to a worker thread (`worker.ts`) that redacts and writes.
 * A delivery is never slowed or failed by capture: a backlog over `maxPending` drops records (counted), and
 * the first write failure (unwritable folder, full disk) is reported once through the logger and turns
 * capture off.
 */

import { randomBytes } from "node:crypto";
import { Worker } from "node:worker_threads";
import type { WebhookLogger } from "../http/context.js";
import type { CapturedDelivery, CaptureSink } from "../http/types.js";
import type { CapturedSocketMessage, SocketCaptureSink } from "../sockets/types.js";
import type { CaptureWorkerSettings, FromWorker, ToWorker } from "./worker.js";
import { RECORD_FIELDS } from "./record.js";

/** Deliveries are handed to the writer thread at least every BATCH_MS, or as soon as 256 are waiting. */
const BATCH_MS = 20;
const BATCH_SLOTS = 256 * RECORD_FIELDS;

/** Options of {@link createCapture}. */
export interface CaptureOptions {
  /** The folder of the capture files (created, mode 0700; files are 0600). */
  readonly dir: string;
  /**
   * The pseudonym key (HMAC-SHA256). Default: 32 random bytes per capture, never written anywhere, so
   * pseudonyms cannot be recomputed by anyone. Give your own to keep pseudonyms stable across captures.
   */
  readonly key?: string | Uint8Array;
  /** Field names kept as they arrived (JSON keys, XML element names, query parameters), e.g. `["tag"]`. */
  readonly keep?: readonly string[];
  /** `false` stores bodies unredacted (credentials are still never stored). Default `true`. */
  readonly redact?: boolean;
  /** A file is rotated past this size. Default 8 MiB. */
  readonly maxFileBytes?: number;
  /** The files of this capture are kept under this total; the oldest are deleted. Default 64 MiB. */
  readonly maxBytes?: number;
  /** Deliveries waiting to be written before new ones are dropped (and counted). Default 10 000. */
  readonly maxPending?: number;
  /**
   * Socket records (`createStreamServer({ capture })`): keep the audio of `media` / `playAudio` messages.
   * Default `false`: the payload is dropped, its base64 length and the `sequenceNumber` stay.
   */
  readonly keepMedia?: boolean;
  /** Where the one report of a failure goes. Default `console`. */
  readonly logger?: WebhookLogger;
}

/**
 * A running capture: the sink to pass as `capture` to the webhooks and to `createStreamServer` (the same
 * object records both), plus flushing and counters.
 */
export interface Capture extends CaptureSink, SocketCaptureSink {
  /** `false` once a write failed (capture turned itself off) or after `close()`. */
  readonly active: boolean;
  /** Deliveries recorded, written, and dropped (backlog over `maxPending`, or after a failure). */
  readonly stats: { readonly recorded: number; readonly written: number; readonly dropped: number };
  /** Socket records (messages, opens, closes) handed to the writer, and dropped (backlog over `maxPending`, or after a failure). */
  readonly socketStats: { readonly recorded: number; readonly dropped: number };
  /** Waits until every delivery recorded so far is written; resolves to the files of this capture, oldest first. */
  flush(): Promise<string[]>;
  /** Flushes, then stops the writer thread. */
  close(): Promise<string[]>;
}

/**
 * Starts a capture writing into `dir`. Pass it as `capture` to `createBandwidthWebhooks`, and to
 * `createStreamServer` to record the sockets' messages too (media payloads dropped unless `keepMedia`).
 *
 * @example
 * import { createCapture } from "bw-codegen/capture";
 * const capture = createCapture({ dir: "captures", keep: ["tag"] });
 * const webhooks = createBandwidthWebhooks({ capture, credentials, voice: { answer: () => … } });
 * const sockets = createStreamServer({ capture, stream: { credentials, onMedia: … } });
 * // later: bw-codegen replay captures --url http://127.0.0.1:3000 ; bw-codegen drift captures
 */
export function createCapture(options: CaptureOptions): Capture {
  const logger = options.logger ?? console;
  const key = options.key === undefined ? randomBytes(32) : typeof options.key === "string" ? new TextEncoder().encode(options.key) : options.key;
  const settings: CaptureWorkerSettings = {
    dir: options.dir,
    key,
    keep: options.keep ?? [],
    redact: options.redact !== false,
    maxFileBytes: options.maxFileBytes ?? 8 * 1024 * 1024,
    maxBytes: options.maxBytes ?? 64 * 1024 * 1024,
    keepMedia: options.keepMedia === true,
    prefix: `capture-${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}-${randomBytes(3).toString("hex")}`,
  };
  const maxPending = options.maxPending ?? 10_000;
  const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: { captureWorker: true, settings } });
  worker.unref();
  let active = true;
  let pending: unknown[] = [];
  // byte bodies of the batch, copied end to end into one buffer that is transferred (not cloned) with it
  let bytes = new Uint8Array(64 * 1024);
  let used = 0;
  let inFlight = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let nextFlush = 0;
  const flushes = new Map<number, (files: string[]) => void>();
  const stats = { recorded: 0, written: 0, dropped: 0 };
  let behindReported = false;
  let socketsInFlight = 0; // socket records handed to the writer thread and not yet written

  function stop(message: string): void {
    if (!active) return;
    active = false;
    stats.dropped += pending.length / RECORD_FIELDS;
    pending = [];
    try {
      logger.error(`bw-codegen capture: ${message}; capture is off (deliveries are answered as before)`);
    } catch {
      // nothing left to tell
    }
  }

  worker.on("message", (message: FromWorker) => {
    if (message.type === "done") {
      inFlight -= message.count;
      if (active) stats.written += message.count;
    } else if (message.type === "flushed") {
      flushes.get(message.id)?.([...message.files]);
      flushes.delete(message.id);
    } else if (message.type === "socketsDone") {
      socketsInFlight -= message.count;
    } else {
      stop(`cannot write to ${JSON.stringify(options.dir)} (${message.message})`);
    }
  });
  worker.on("error", (error) => stop(`the writer thread failed (${error.message})`));
  worker.on("exit", () => {
    for (const resolve of flushes.values()) resolve([]);
    flushes.clear();
  });

  function post(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0 || !active) return;
    const records = pending;
    const count = records.length / RECORD_FIELDS;
    const buffer = bytes.buffer as ArrayBuffer;
    pending = [];
    bytes = new Uint8Array(Math.max(64 * 1024, used));
    used = 0;
    inFlight += count;
    try {
      worker.postMessage({ type: "records", records, bytes: buffer } satisfies ToWorker, [buffer]);
    } catch (error) {
      inFlight -= count;
      stop(`a delivery could not be handed to the writer (${(error as Error).message})`);
    }
  }

  /** A byte body goes into the batch's buffer (its slot holds `[offset, length]`); anything else as it is. */
  function bodySlot(body: CapturedDelivery["body"]): unknown {
    if (!(body instanceof Uint8Array)) return body;
    if (used + body.length > bytes.length) {
      const bigger = new Uint8Array(Math.max(bytes.length * 2, used + body.length));
      bigger.set(bytes.subarray(0, used));
      bytes = bigger;
    }
    bytes.set(body, used);
    used += body.length;
    return [used - body.length, body.length];
  }

  let closed = false;

  // socket records: a batch of plain objects handed over once per BATCH_MS (a socket's message rate is low)
  let socketBatch: CapturedSocketMessage[] = [];
  let socketTimer: ReturnType<typeof setTimeout> | undefined;
  const socketStats = { recorded: 0, dropped: 0 };

  function postSockets(): void {
    if (socketTimer !== undefined) clearTimeout(socketTimer);
    socketTimer = undefined;
    if (socketBatch.length === 0) return;
    const records = socketBatch;
    socketBatch = [];
    if (!active) {
      socketStats.dropped += records.length;
      return;
    }
    socketsInFlight += records.length;
    try {
      worker.postMessage({ type: "sockets", records } satisfies ToWorker);
    } catch (error) {
      socketsInFlight -= records.length;
      socketStats.dropped += records.length;
      stop(`a socket record could not be handed to the writer (${(error as Error).message})`);
    }
  }

  function recordSocket(message: CapturedSocketMessage): void {
    if (!active) return;
    if (socketBatch.length + socketsInFlight >= maxPending) {
      socketStats.dropped++;
      return;
    }
    socketStats.recorded++;
    socketBatch.push(message);
    if (socketBatch.length >= 256) postSockets();
    else if (socketTimer === undefined) {
      socketTimer = setTimeout(postSockets, BATCH_MS);
      socketTimer.unref?.();
    }
  }

  function flush(): Promise<string[]> {
    if (closed) return Promise.resolve([]);
    postSockets();
    post();
    const id = ++nextFlush;
    return new Promise<string[]>((resolve) => {
      flushes.set(id, resolve);
      worker.ref();
      worker.postMessage({ type: "flush", id } satisfies ToWorker);
    }).finally(() => {
      if (flushes.size === 0) worker.unref();
    });
  }

  return {
    get active(): boolean {
      return active;
    },
    get stats(): { recorded: number; written: number; dropped: number } {
      return { ...stats };
    },
    get socketStats(): { recorded: number; dropped: number } {
      return { ...socketStats };
    },
    recordSocket,
    record(delivery: CapturedDelivery): void {
      if (!active) return;
      if (pending.length / RECORD_FIELDS + inFlight >= maxPending) {
        stats.dropped++;
        if (!behindReported) {
          behindReported = true;
          logger.warn(`bw-codegen capture: the writer is ${maxPending} deliveries behind; deliveries are dropped from the capture until it catches up`);
        }
        return;
      }
      stats.recorded++;
      const response = delivery.response;
      // flat, RECORD_FIELDS slots per delivery: a flat array is cloned into the writer thread ~2x cheaper than objects
      pending.push(
        delivery.at,
        delivery.family,
        delivery.eventType,
        delivery.method,
        delivery.url,
        delivery.contentType,
        delivery.header("user-agent"),
        bodySlot(delivery.body),
        response.status,
        response.headers["content-type"] ?? response.headers["Content-Type"],
        response.body,
        delivery.latencyMs,
      );
      // one message per batch: a postMessage costs a few µs, so deliveries are gathered for up to 20 ms
      if (pending.length >= BATCH_SLOTS) post();
      else if (timer === undefined) {
        timer = setTimeout(post, BATCH_MS);
        timer.unref?.();
      }
    },
    flush,
    async close(): Promise<string[]> {
      const files = await flush();
      active = false;
      closed = true;
      await worker.terminate();
      return files;
    },
  };
}
