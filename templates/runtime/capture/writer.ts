/**
 * `createCapture({ dir })` (`bw-codegen/capture`, Node only): the capture sink that records every delivery
 * the receiver answers into redacted NDJSON files. On the receiver's thread it only writes a record into a
 * ring of shared memory (`record.ts`: numbers, ids of strings already sent, the body's bytes): no message,
 * no structured clone, no allocation per delivery. Entries are published to the writer thread in batches
 * (one `Atomics.store` of the running byte total per `PUBLISH_EVERY` entries, or within
 * `PUBLISH_MS` by a timer, and always before a flush), so a delivery pays plain stores only. The
 * worker thread (`worker.ts`) reads the published entries every 20 ms, gives the space back, redacts and
 * writes.
 * A delivery is never slowed or failed by capture: a backlog over `maxPending` drops records (counted), and
 * the first write failure (unwritable folder, full disk) is reported once through the logger and turns
 * capture off.
 */

import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { getPriority, setPriority } from "node:os";
import { Worker } from "node:worker_threads";
import type { WebhookLogger } from "../http/context.js";
import type { CapturedDelivery, CaptureSink } from "../http/types.js";
import type { CapturedSocketMessage, SocketCaptureSink } from "../sockets/types.js";
import { SOCKET_DONE, socketRingWriter } from "./socket-ring.js";
import type { CaptureWorkerSettings, FromWorker, ToWorker } from "./worker.js";
import {
  BODY_BYTES,
  BODY_NONE,
  BODY_NOT_JSON,
  BODY_NULL,
  BODY_OMITTED,
  BODY_PARSED,
  BODY_TEXT,
  CONSUMED,
  DELIVERY_HEADER_BYTES,
  DONE,
  ENTRY_DELIVERY,
  ENTRY_STRING,
  LOWEST_PRIORITY,
  STRING_HEADER_BYTES,
  WRITER,
  WRITTEN,
  ringRoom,
  ringViews,
} from "./record.js";

/** Strings up to this length are sent once and then named by number; at most MAX_STRINGS of them. */
const INTERN_MAX_LENGTH = 512;
const MAX_STRINGS = 4096;
/**
 * Entries are published to the writer thread (the one `Atomics.store` that makes them visible, whole) once
 * this many wait, or once they take an eighth of the ring; the rest within PUBLISH_MS (an unref'd timer,
 * armed at most once per PUBLISH_MS), and all of them before a flush.
 */
const PUBLISH_EVERY = 32;
const PUBLISH_MS = 10;
/**
 * At the process's exit, a capture waits for its writer thread to write what was recorded: for the thread to
 * start, at most EXIT_START_MS (a process that exits soon after it began, on a loaded machine), then for as
 * long as it makes progress, giving up after EXIT_WAIT_MS without any.
 */
const EXIT_START_MS = 10_000;
const EXIT_WAIT_MS = 2000;

/** The open captures of this process, each with what it does at the process's exit (one listener for all). */
const openAtExit = new Set<() => void>();
let exitHooked = false;

/**
 * Registers a capture's exit step. `process.exit()` (the scaffolded server's SIGTERM / Ctrl-C path, or any
 * exit without `close()`) ends the writer thread at once, and with it the deliveries recorded in its last
 * 20 ms: at `exit` each open capture waits, bounded, until its writer thread has written them.
 */
function finishAtExit(finish: () => void): void {
  openAtExit.add(finish);
  if (exitHooked) return;
  exitHooked = true;
  process.on("exit", () => {
    for (const step of openAtExit) step();
  });
}

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
  /** Deliveries waiting to be written before new ones are dropped (and counted); socket records apart, the same number. Default 10 000. */
  readonly maxPending?: number;
  /**
   * Bytes of shared memory between the receiver's thread and the writer's (records and bodies waiting to
   * be written); when it is full, deliveries are dropped from the capture (and counted). Default 16 MiB.
   */
  readonly bufferBytes?: number;
  /**
   * Bytes of shared memory for socket records (`createStreamServer({ capture })`), a ring of their own; when
   * it is full, socket records are dropped (and counted in `socketStats.dropped`). Default 4 MiB (a media
   * frame without its payload takes about 100 bytes).
   */
  readonly socketBufferBytes?: number;
  /**
   * Socket records (`createStreamServer({ capture })`): keep the audio of `media` / `playAudio` messages.
   * Default `false`: the payload is dropped, its base64 length and the `sequenceNumber` stay.
   */
  readonly keepMedia?: boolean;
  /**
   * Run the writer thread (redaction, the files) at the lowest scheduling priority, so it only takes CPU
   * the receiver does not want. Default `true`; Linux only (nice 19 for that thread alone), skipped
   * silently elsewhere or when the system refuses. The price: on a machine kept busy by something else the
   * writer falls behind, and past `maxPending` or `bufferBytes` deliveries are dropped from the capture
   * (counted in `stats.dropped`). While a `flush()` waits, from `close()` on and at the process's exit, the
   * thread gets the process's priority back where raising one is allowed (privileged). `false` keeps the
   * process's priority (every delivery written, at the cost of competing with the receiver for the cores).
   */
  readonly lowPriority?: boolean;
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
  /**
   * Refusals anyone can cause (401, 405) the core left out, over `UNAUTHENTICATED_REFUSALS_PER_SECOND` on its
   * receiver; each episode of them is also logged once (count and span) when it ends: a later one over a
   * second apart, `flush()`, `close()`.
   */
  readonly refusalsNotRecorded: number;
  /** Socket records (messages, opens, closes) handed to the writer, and dropped (a full socket buffer, a backlog over `maxPending`, or after a failure). */
  readonly socketStats: { readonly recorded: number; readonly dropped: number };
  /** Waits until every delivery recorded so far is written; resolves to the files of this capture, oldest first. */
  flush(): Promise<string[]>;
  /** Flushes, then stops the writer thread. */
  close(): Promise<string[]>;
}

/** A framework's parsed body (rare) as JSON text, as the writer thread used to make it; undefined when it is not JSON. */
function parsedJson(body: { parsed: unknown }): string | undefined {
  try {
    return JSON.stringify(body.parsed) ?? "";
  } catch {
    return undefined;
  }
}

/** The most bytes a delivery's entry can take (text as UTF-8 is at most 3 bytes per UTF-16 unit), 8-aligned. */
function mostBytes(kind: number, body: unknown, inline: readonly string[], pad: number): number {
  let need = DELIVERY_HEADER_BYTES + pad + (kind === BODY_BYTES ? (body as Uint8Array).length : kind === BODY_TEXT || kind === BODY_PARSED || kind === BODY_OMITTED ? (body as string).length * 3 : 0) + 3;
  for (let i = 0; i < inline.length; i++) need += 4 + inline[i].length * 3 + 3;
  return (need + 7) & ~7;
}

/** Copies a byte body into the ring at `at`; its length. */
function copyBytes(u8: Uint8Array, body: Uint8Array, at: number): number {
  u8.set(body, at);
  return body.length;
}

/** Writes `inline` strings from byte `at` of the ring (int32 length + UTF-8, 4-aligned), up to `limit`; the end. */
function writeInline(inline: readonly string[], text: Buffer, i32: Int32Array, at: number, limit: number): number {
  let end = at;
  for (let i = 0; i < inline.length; i++) {
    const bytes = text.write(inline[i], end + 4, limit - end - 4, "utf8");
    i32[end >> 2] = bytes;
    end = (end + 4 + bytes + 3) & ~3;
  }
  return end;
}

/**
 * The process's Node options for the writer thread, less `--input-type` (with it, as in
 * `node --input-type=module -e …`, a worker started from a file fails at once: no capture at all).
 */
function workerExecArgv(): string[] {
  const args: string[] = [];
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i];
    if (arg === "--input-type") i++;
    else if (!arg.startsWith("--input-type=")) args.push(arg);
  }
  return args;
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
 * // on shutdown, after the server closed: await capture.close(); (what was recorded last is written)
 * // later: bw-codegen replay captures --url http://127.0.0.1:3000 ; bw-codegen drift captures
 */
export function createCapture(options: CaptureOptions): Capture {
  const logger = options.logger ?? console;
  const key = options.key === undefined ? randomBytes(32) : typeof options.key === "string" ? new TextEncoder().encode(options.key) : options.key;
  const capacity = Math.max(64 * 1024, Math.ceil((options.bufferBytes ?? 16 * 1024 * 1024) / 8) * 8);
  const ring = new SharedArrayBuffer(capacity);
  const control = new SharedArrayBuffer(16); // int32 CONSUMED, WRITTEN, DONE, WRITER (record.ts)
  const socketCapacity = Math.max(64 * 1024, Math.ceil((options.socketBufferBytes ?? 4 * 1024 * 1024) / 8) * 8);
  const socketRing = new SharedArrayBuffer(socketCapacity);
  const socketControl = new SharedArrayBuffer(16); // int32 CONSUMED, WRITTEN, DONE (socket-ring.ts)
  const settings: CaptureWorkerSettings = {
    dir: options.dir,
    key,
    keep: options.keep ?? [],
    redact: options.redact !== false,
    maxFileBytes: options.maxFileBytes ?? 8 * 1024 * 1024,
    maxBytes: options.maxBytes ?? 64 * 1024 * 1024,
    prefix: `capture-${new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "")}-${randomBytes(3).toString("hex")}`,
    ring,
    control,
    keepMedia: options.keepMedia === true,
    socketRing,
    socketControl,
    lowPriority: options.lowPriority !== false,
  };
  const maxPending = options.maxPending ?? 10_000;
  const worker = new Worker(new URL("./worker.js", import.meta.url), { workerData: { captureWorker: true, settings }, execArgv: workerExecArgv() });
  worker.unref();
  const { u8, i32, f64 } = ringViews(ring);
  // the same shared memory as a Buffer: its write() copies a string as UTF-8 with no view to make per call
  // (TextEncoder.encodeInto needs one: about half the cost for a 150-character answer, Node 24)
  const text = Buffer.from(ring);
  const counters = new Int32Array(control);
  let active = true;
  let head = 0; // where the next entry goes
  let written = 0; // bytes written, a 32-bit running total (compared with the writer thread's CONSUMED)
  let published = 0; // the part of `written` the writer thread may read (the last total stored to WRITTEN)
  let unpublished = 0; // entries written since
  let publishTimer: ReturnType<typeof setTimeout> | undefined; // one timer, re-armed with refresh()
  let publishArmed = false;
  let consumed = 0; // the writer thread's CONSUMED as last read (it only grows: reading it again is needed only when space seems short)
  let finished = 0; // its DONE as last read (the same)
  let done = 0; // deliveries the writer thread had finished when capture stopped
  // strings the writer thread knows by number (each defined once by a string entry in the ring)
  const interned = new Map<string, number>();
  // a delivery's strings that travel inside its entry (long or past the table's size), in field order
  const inline: string[] = [];
  let nextFlush = 0;
  const flushes = new Map<number, (files: string[]) => void>();
  const stats = { recorded: 0, dropped: 0 };
  let refusalsLeftOut = 0;
  let behindReported = false;
  // the refusals left out since the last report (an episode: each within a second of the one before)
  const leftOut = { count: 0, from: 0, to: 0 };

  /** Logs the episode of refusals left out, once, with its count and span. */
  function reportLeftOut(): void {
    if (leftOut.count === 0) return;
    const { count, from, to } = leftOut;
    leftOut.count = 0;
    try {
      logger.warn(
        `bw-codegen capture: ${count} refused deliver${count === 1 ? "y" : "ies"} (401/405) not recorded, over the limit a second, between ${new Date(from).toISOString()} and ${new Date(to).toISOString()}`,
      );
    } catch {
      // nothing left to tell
    }
  }

  /** A refusal the core left out over its budget: counted, and its episode reported once. */
  function noteRefusalLeftOut(at: number): void {
    refusalsLeftOut++;
    if (leftOut.count > 0 && at - leftOut.to > 1000) reportLeftOut();
    if (leftOut.count === 0) leftOut.from = at;
    leftOut.to = at;
    leftOut.count++;
  }

  function stop(message: string): void {
    if (!active) return;
    done = Atomics.load(counters, DONE);
    active = false;
    stats.dropped += stats.recorded - done;
    socketStats.dropped += socketStats.recorded - Atomics.load(socketCounters, SOCKET_DONE);
    try {
      logger.error(`bw-codegen capture: ${message}; capture is off (deliveries are answered as before)`);
    } catch {
      // nothing left to tell
    }
  }

  worker.on("message", (message: FromWorker) => {
    if (message.type === "flushed") {
      flushes.get(message.id)?.([...message.files]);
      flushes.delete(message.id);
    } else {
      stop(`cannot write to ${JSON.stringify(options.dir)} (${message.message})`);
    }
  });
  worker.on("error", (error) => stop(`the writer thread failed (${error.message})`));
  let exited = false; // the writer thread has ended (closed, or it failed): a flush has nothing to wait for
  worker.on("exit", () => {
    exited = true;
    openAtExit.delete(atExit);
    for (const resolve of flushes.values()) resolve([]);
    flushes.clear();
  });

  /**
   * Makes every entry written so far visible to the writer thread: their bytes are in place before the
   * total says so (the store is sequentially consistent), and a total always ends between two entries, so
   * the writer never reads half of one.
   */
  function publish(): void {
    if (unpublished === 0) return;
    unpublished = 0;
    published = written;
    Atomics.store(counters, WRITTEN, written);
  }

  function publishLater(): void {
    publishArmed = false;
    publish();
  }

  /**
   * Gives the writer thread the priority of this one again, when it had lowered its own and the system
   * allows raising it (privileged; refused otherwise, silently): while someone waits for it (a flush, the
   * close, the process's exit), what is left to write should not wait behind everything else the machine runs.
   */
  function raiseWriter(): void {
    const tid = Atomics.load(counters, WRITER);
    if (tid <= 0) return;
    try {
      setPriority(tid, getPriority());
    } catch {
      // not allowed: the writer finishes at its low priority
    }
  }

  /** After a flush: the writer thread back at the lowest priority (always allowed), unless it is ending. */
  function lowerWriter(): void {
    const tid = Atomics.load(counters, WRITER);
    if (tid <= 0 || closing || exited) return;
    try {
      setPriority(tid, LOWEST_PRIORITY);
    } catch {
      // (lowering is always allowed; nothing to do if not)
    }
  }

  /**
   * At the process's exit: publishes what waits and blocks (the writer thread runs on) until every recorded
   * delivery and socket record is written. Neither the writer thread's start (it may not have started yet)
   * nor its pace (its low priority, a loaded machine) is held against it: the wait ends early only when the
   * thread does not start within EXIT_START_MS, or writes nothing for EXIT_WAIT_MS.
   */
  function atExit(): void {
    if (!active) return;
    publish();
    const startBy = Date.now() + EXIT_START_MS;
    while (Atomics.load(counters, WRITER) === 0) {
      if (Date.now() >= startBy) return;
      Atomics.wait(counters, WRITER, 0, 50);
    }
    raiseWriter();
    let last = -1;
    let lastSockets = -1;
    let giveUp = 0;
    for (;;) {
      const written = Atomics.load(counters, DONE);
      const socketsWritten = Atomics.load(socketCounters, SOCKET_DONE);
      if (written >= stats.recorded && socketsWritten >= socketStats.recorded) return;
      if (written !== last || socketsWritten !== lastSockets) {
        last = written;
        lastSockets = socketsWritten;
        giveUp = Date.now() + EXIT_WAIT_MS;
      } else if (Date.now() >= giveUp) return;
      Atomics.wait(counters, DONE, written, 20); // woken when the writer thread writes (it drains every 20 ms)
    }
  }
  finishAtExit(atExit);

  /** Room for `need` bytes at `head` (wrapping to 0 when the end is too close); false when the ring is full. */
  function reserve(need: number): boolean {
    let skip = ringRoom(capacity, head, (written - consumed) >>> 0, need);
    if (skip < 0) {
      publish(); // what the writer thread cannot see yet, it cannot give back
      consumed = Atomics.load(counters, CONSUMED); // read the shared total only when the last one read is not enough
      skip = ringRoom(capacity, head, (written - consumed) >>> 0, need);
      if (skip < 0) return false;
    }
    if (skip > 0) {
      i32[head >> 2] = -1; // nothing more before the end
      written = (written + skip) | 0;
      head = 0;
    }
    return true;
  }

  /** Moves `head` past an entry of `size` bytes (a multiple of 8); publishes a full batch, or arms the timer. */
  function commit(size: number): void {
    head += size;
    if (head === capacity) head = 0;
    written = (written + size) | 0;
    if (++unpublished >= PUBLISH_EVERY || (written - published) >>> 0 > capacity >>> 3) publish();
    else if (!publishArmed) {
      publishArmed = true;
      if (publishTimer === undefined) {
        publishTimer = setTimeout(publishLater, PUBLISH_MS);
        publishTimer.unref?.();
      } else publishTimer.refresh();
    }
  }

  /** A string's id: its table number (defined now by a string entry if new and short), or -2 (inline). */
  function idOf(value: string | undefined): number {
    if (value === undefined) return -1;
    const known = interned.get(value);
    if (known !== undefined) return known;
    if (value.length <= INTERN_MAX_LENGTH && interned.size < MAX_STRINGS) {
      const need = (STRING_HEADER_BYTES + value.length * 3 + 7) & ~7;
      if (reserve(need)) {
        const bytes = text.write(value, head + STRING_HEADER_BYTES, need - STRING_HEADER_BYTES, "utf8");
        const size = (STRING_HEADER_BYTES + bytes + 7) & ~7;
        i32[head >> 2] = size;
        i32[(head >> 2) + 1] = ENTRY_STRING;
        i32[(head >> 2) + 2] = bytes;
        const id = interned.size;
        interned.set(value, id);
        commit(size);
        return id;
      }
    }
    inline.push(value);
    return -2;
  }

  // per field, the last string and its id: a receiver sees the same family, method, path… request after request
  const lastValue: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined, undefined, undefined];
  const lastId: number[] = [-1, -1, -1, -1, -1, -1, -1];

  /** {@link idOf}, remembering the last string of each field. */
  function idAt(field: number, value: string | undefined): number {
    if (value === lastValue[field]) return lastId[field];
    const id = idOf(value);
    if (id !== -2) {
      lastValue[field] = value;
      lastId[field] = id;
    }
    return id;
  }

  // the answer's body is often rendered per call, different each time: it travels inline until the same text
  // comes twice in a row, and only then is named by number (no hashing of one-off answers, and they do not
  // fill the string table)
  let lastAnswer: string | undefined;
  let lastAnswerId = -2;

  /**
   * The answer body's string id: inline (-2) unless it repeats the last answer. The same string object as the
   * last answer costs one pointer compare; an equal answer rendered anew, one compare of its characters
   * (~20–30 ns for 300 bytes; Node 24).
   */
  function answerId(value: string): number {
    if (value !== lastAnswer) {
      lastAnswer = value;
      lastAnswerId = -2;
      inline.push(value);
      return -2;
    }
    if (lastAnswerId === -2) {
      if (value.length > INTERN_MAX_LENGTH) {
        inline.push(value);
        return -2;
      }
      lastAnswerId = idOf(value); // -2 again (and inline) when the table or the ring has no room
    }
    return lastAnswerId;
  }

  function behind(what: string): void {
    if (inline.length > 0) inline.length = 0;
    stats.dropped++;
    if (!behindReported) {
      behindReported = true;
      logger.warn(`bw-codegen capture: ${what}; deliveries are dropped from the capture until it catches up`);
    }
  }

  let closed = false;
  let closing = false;

  // socket records: written into a ring of their own (socket-ring.ts), read by the writer thread with the deliveries
  const writeSocket = socketRingWriter(socketRing, socketControl, options.keepMedia === true);
  const socketCounters = new Int32Array(socketControl);
  const socketStats = { recorded: 0, dropped: 0 };
  let socketsFinished = 0; // its socket DONE as last read
  let socketsBehindReported = false;

  function recordSocket(message: CapturedSocketMessage): void {
    if (!active) return;
    const recorded = socketStats.recorded;
    if (
      (recorded - socketsFinished >= maxPending && recorded - (socketsFinished = Atomics.load(socketCounters, SOCKET_DONE)) >= maxPending) ||
      !writeSocket(message)
    ) {
      socketStats.dropped++;
      if (!socketsBehindReported) {
        socketsBehindReported = true;
        logger.warn("bw-codegen capture: the socket records' buffer is full (the writer is behind); socket records are dropped from the capture until it catches up");
      }
      return;
    }
    socketStats.recorded = recorded + 1;
  }

  function flush(): Promise<string[]> {
    reportLeftOut();
    if (closed || exited) return Promise.resolve([]); // (after the thread ended, a message to it would never be answered)
    publish();
    if (flushes.size === 0) raiseWriter();
    const id = ++nextFlush;
    return new Promise<string[]>((resolve) => {
      flushes.set(id, resolve);
      worker.ref();
      worker.postMessage({ type: "flush", id } satisfies ToWorker);
    }).finally(() => {
      if (flushes.size > 0) return;
      worker.unref();
      lowerWriter();
    });
  }

  return {
    get active(): boolean {
      return active;
    },
    get socketStats(): { recorded: number; dropped: number } {
      return { ...socketStats };
    },
    recordSocket,
    get stats(): { recorded: number; written: number; dropped: number } {
      return { recorded: stats.recorded, written: active ? Atomics.load(counters, DONE) : done, dropped: stats.dropped };
    },
    get refusalsNotRecorded(): number {
      return refusalsLeftOut;
    },
    refusalNotRecorded: noteRefusalLeftOut,
    record(delivery: CapturedDelivery): void {
      if (!active) return;
      if (stats.recorded - finished >= maxPending && stats.recorded - (finished = Atomics.load(counters, DONE)) >= maxPending) {
        behind(`the writer is ${maxPending} deliveries behind`);
        return;
      }
      const response = delivery.response;
      // the strings first: a new short one is defined by its own entry, ahead of the delivery's
      const family = idAt(0, delivery.family);
      const event = idAt(1, delivery.eventType);
      const method = idAt(2, delivery.method);
      const url = idAt(3, delivery.url);
      const contentType = idAt(4, delivery.contentType);
      const userAgent = idAt(5, delivery.header("user-agent"));
      const answerType = idAt(6, response.headers["content-type"] ?? response.headers["Content-Type"]);
      const answerBody = answerId(response.body);
      let body = delivery.body as unknown;
      let kind = body instanceof Uint8Array ? BODY_BYTES : typeof body === "string" ? BODY_TEXT : body === undefined ? BODY_NONE : body === null ? BODY_NULL : BODY_PARSED;
      if (delivery.omitted !== undefined) {
        body = delivery.omitted; // a refused delivery's body was not read: why travels as its text
        kind = BODY_OMITTED;
      } else if (kind === BODY_PARSED) {
        body = parsedJson(body as { parsed: unknown });
        if (body === undefined) kind = BODY_NOT_JSON;
      }
      // bytes land at the same alignment (mod 8) as their source: copying into shared memory is word by word only then
      const pad = kind === BODY_BYTES ? (body as Uint8Array).byteOffset & 7 : 0;
      const need = mostBytes(kind, body, inline, pad);
      if (!reserve(need)) {
        behind(`the capture's ${capacity}-byte buffer is full (the writer is behind)`);
        return;
      }
      const start = head + DELIVERY_HEADER_BYTES + pad;
      const length = kind === BODY_BYTES ? copyBytes(u8, body as Uint8Array, start) : kind === BODY_TEXT || kind === BODY_PARSED || kind === BODY_OMITTED ? text.write(body as string, start, head + need - start, "utf8") : 0;
      let end = (start + length + 3) & ~3;
      if (inline.length > 0) {
        end = writeInline(inline, text, i32, end, head + need);
        inline.length = 0; // (setting a length is a runtime call: only when there is something to clear)
      }
      const size = (end - head + 7) & ~7;
      const w = head >> 2;
      i32[w] = size;
      i32[w + 1] = ENTRY_DELIVERY;
      f64[(head >> 3) + 1] = delivery.at;
      f64[(head >> 3) + 2] = delivery.latencyMs;
      i32[w + 6] = family;
      i32[w + 7] = event;
      i32[w + 8] = method;
      i32[w + 9] = url;
      i32[w + 10] = contentType;
      i32[w + 11] = userAgent;
      i32[w + 12] = answerType;
      i32[w + 13] = answerBody;
      i32[w + 14] = kind;
      i32[w + 15] = length;
      i32[w + 16] = response.status;
      i32[w + 17] = pad;
      commit(size);
      stats.recorded++;
    },
    flush,
    async close(): Promise<string[]> {
      closing = true; // (its flush raises the writer thread's priority, and it stays so until the thread ends)
      const files = await flush();
      if (active) done = Atomics.load(counters, DONE);
      active = false;
      closed = true;
      if (publishTimer !== undefined) clearTimeout(publishTimer);
      openAtExit.delete(atExit);
      await worker.terminate();
      return files;
    },
  };
}
