/**
 * The capture writer's thread (`writer.ts` starts it): every 20 ms (and on `flush`) reads the deliveries
 * and the socket records the receiver's thread wrote into the shared rings (`record.ts`, `socket-ring.ts`),
 * gives the space back, turns each delivery into its redacted NDJSON line (`entry.ts`, `redact.ts`:
 * pseudonyms from HMAC-SHA256 under the capture's key, which never leaves memory, `hmac-sha256.ts`) and each
 * socket record into its line (`socket-entry.ts`), merged by arrival time, encodes the lines into one reused
 * buffer and appends it to the current NDJSON file (in pieces of at most 1 MiB), rotating at `maxFileBytes` (cut at line ends) and deleting the oldest files of this
 * capture past `maxBytes` (a current file deleted or replaced meanwhile, e.g. by `replay --update`: on in a new one). All of it runs here, off the receiver's thread, at the lowest scheduling
 * priority where the system allows it (Linux: nice 19 for this thread alone, see {@link lowerPriority}), so it
 * only takes CPU the receiver does not want. The first failure (unwritable folder, full disk) is reported to
 * the writer, which turns capture off; nothing is retried.
 */

import { Buffer } from "node:buffer";
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readlinkSync, unlinkSync, writeSync } from "node:fs";
import { setPriority } from "node:os";
import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { captureRedactor, deliveryEntry } from "./entry.js";
import { socketEntryOf } from "./socket-entry.js";
import { socketRingReader } from "./socket-ring.js";
import { CONSUMED, DONE, ENTRY_STRING, LOWEST_PRIORITY, WRITER, WRITTEN, readRecord, readString, ringBytes, ringViews } from "./record.js";
import type { CaptureRecord } from "./record.js";

/** What the writer passes as `workerData`. */
export interface CaptureWorkerSettings {
  readonly dir: string;
  readonly key: Uint8Array;
  readonly keep: readonly string[];
  readonly redact: boolean;
  readonly maxFileBytes: number;
  readonly maxBytes: number;
  readonly prefix: string;
  /** The ring the receiver's thread writes records into (record.ts). */
  readonly ring: SharedArrayBuffer;
  /** int32 CONSUMED, WRITTEN, DONE, WRITER (record.ts): the ring's running byte totals, deliveries written, this thread's id. */
  readonly control: SharedArrayBuffer;
  /** Run this thread at the lowest scheduling priority (`lowPriority`, default true). */
  readonly lowPriority: boolean;
  /** Socket records keep media payloads. */
  readonly keepMedia: boolean;
  /** The ring socket records cross in (socket-ring.ts), and its control block (int32 CONSUMED, WRITTEN, DONE). */
  readonly socketRing: SharedArrayBuffer;
  readonly socketControl: SharedArrayBuffer;
}

/** Messages to the worker (deliveries and socket records do not travel by message: they are in the rings). */
export type ToWorker = { readonly type: "flush"; readonly id: number };
/** Messages from the worker. */
export type FromWorker = { readonly type: "flushed"; readonly id: number; readonly files: readonly string[] } | { readonly type: "failed"; readonly message: string };

/** How often the ring is read: a delivery reaches its file within about this long. */
const POLL_MS = 20;
/** The lines of one poll are encoded into one reused buffer of this size, written out whenever it is full. */
const OUT_BYTES = 1 << 20;

/** A write failure as one line: its code (once: node's messages often start with it) and message. */
function failure(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message;
  return code === undefined || message.startsWith(code) ? message : `${code}: ${message}`;
}

/**
 * Gives this thread the lowest scheduling priority, so the writer only takes CPU the receiver's thread does
 * not want (on a busy machine it falls behind, and past `maxPending` / the ring's size deliveries are dropped
 * from the capture, counted, rather than slowed). On Linux niceness is per thread: this thread's id is read
 * from `/proc/thread-self` (`<pid>/task/<tid>`) and only that thread is reniced (never the process: its main
 * thread's id is the pid). Elsewhere (no `/proc`, other systems) or when refused: nothing, silently. Returns
 * the thread's id (0 when not lowered), which the receiver's thread uses to raise it back at exit where allowed.
 */
function lowerPriority(): number {
  try {
    const self = readlinkSync("/proc/thread-self");
    const tid = Number(self.slice(self.lastIndexOf("/") + 1));
    if (!Number.isInteger(tid) || tid <= 0 || tid === process.pid) return 0;
    setPriority(tid, LOWEST_PRIORITY);
    return tid;
  } catch {
    return 0;
  }
}

/** Deletes an old capture file past `maxBytes`; one already gone (cleared by hand, a cleanup job) is not a failure. */
function forget(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOENT") throw error;
  }
}

function start(port: NonNullable<typeof parentPort>, settings: CaptureWorkerSettings): void {
  const counters = new Int32Array(settings.control);
  const thread = settings.lowPriority ? lowerPriority() : 0;
  const redactor = captureRedactor(settings.key, settings.keep);
  const deliveryRedactor = settings.redact ? redactor : undefined;
  const files: { path: string; size: number }[] = [];
  let fd: number | undefined;
  let total = 0;
  let opened = 0;
  let failed = false;
  const ring = ringViews(settings.ring);
  const ringText = ringBytes(settings.ring);
  const out = Buffer.allocUnsafe(OUT_BYTES);
  let used = 0; // bytes of `out` not written yet (whole lines)
  const strings: string[] = [];
  let tail = 0; // where the next record starts
  let consumed = 0; // bytes read so far, the same running total as the receiver's `written`
  const sockets = socketRingReader(settings.socketRing, settings.socketControl);
  const socketOptions = { redactor: deliveryRedactor, keepMedia: settings.keepMedia };

  function open(): number {
    if (fd !== undefined) closeSync(fd);
    const path = join(settings.dir, `${settings.prefix}-${String(++opened).padStart(4, "0")}.ndjson`);
    fd = openSync(path, "ax", 0o600);
    files.push({ path, size: 0 });
    return fd;
  }

  /**
   * The open file lost its name (writing on would lose every delivery while counting it written): the file
   * alone, deleted by hand or replaced (`replay --update` renames its new text over it), goes on in a new
   * file; a deleted folder (a clean-up, `rm -rf`) is reported and turns capture off (false), the folder not
   * made again.
   */
  function reopen(): boolean {
    const gone = files[files.length - 1];
    if (!existsSync(settings.dir)) {
      files.pop();
      failed = true;
      port.postMessage({ type: "failed", message: `ENOENT: the capture file ${gone.path} was deleted` } satisfies FromWorker);
      return false;
    }
    if (!existsSync(gone.path)) {
      files.pop();
      total -= gone.size;
    }
    open();
    return true;
  }

  /**
   * Appends whole lines, rotating at `maxFileBytes`: a batch (every entry of one 20 ms drain) that does not
   * fit is cut at a line end and goes on in the next file, so no file outgrows the limit (one entry larger
   * than it gets a file of its own) and `maxBytes` can delete the oldest ones. False when the current file
   * was deleted with its folder (reported, capture off).
   */
  function write(lines: Buffer): boolean {
    let bytes = lines;
    while (bytes.length > 0) {
      if (fd === undefined) open();
      else if (fstatSync(fd).nlink === 0 && !reopen()) return false;
      const current = files[files.length - 1];
      const room = settings.maxFileBytes - current.size;
      let take = bytes.length;
      if (take > room) {
        const cut = room > 0 ? bytes.lastIndexOf(10, room - 1) : -1; // the last line end that fits
        if (cut >= 0) take = cut + 1;
        else if (current.size > 0) {
          open();
          continue;
        } else {
          const end = bytes.indexOf(10);
          take = end < 0 ? bytes.length : end + 1;
        }
      }
      const part = take === bytes.length ? bytes : bytes.subarray(0, take);
      // a write may take fewer bytes than given (a disk filling up): the rest follows, or the error
      for (let at = 0; at < part.length; ) at += writeSync(fd!, part, at);
      current.size += take;
      total += take;
      bytes = bytes.subarray(take);
      while (total > settings.maxBytes && files.length > 1) {
        const oldest = files.shift()!;
        total -= oldest.size;
        forget(oldest.path);
      }
    }
    return true;
  }

  /** Writes out the lines waiting in `out`; false when a write failed (reported). */
  function writeOut(): boolean {
    if (used === 0) return true;
    const lines = out.subarray(0, used);
    used = 0;
    return write(lines);
  }

  /**
   * Adds one line (JSON text; its newline is added here) to `out`, encoded as UTF-8 straight into it (no
   * joined string of the poll's lines, no new buffer per poll); `out` is written out first when the line might
   * not fit. False when a write failed (reported).
   */
  function line(json: string): boolean {
    const most = json.length * 3 + 1;
    if (used + most > OUT_BYTES) {
      if (!writeOut()) return false;
      if (most > OUT_BYTES) return write(Buffer.from(`${json}\n`, "utf8")); // a line larger than `out`: on its own
    }
    used += out.write(json, used, "utf8");
    out[used++] = 10;
    return true;
  }

  /**
   * Reads every entry written so far in both rings, gives their space back, then redacts and writes the
   * deliveries and the socket records (socket-entry.ts), merged by arrival time (each ring's own order kept).
   * Counted as written (DONE) once every line of the poll is in the file.
   */
  function drain(): void {
    if (failed) return;
    const end = Atomics.load(counters, WRITTEN); // pairs with the receiver's store: entries up to here are in place
    const records: CaptureRecord[] = [];
    while (consumed !== end) {
      if (tail === ring.u8.length || ring.i32[tail >> 2] === -1) {
        consumed = (consumed + ring.u8.length - tail) | 0;
        tail = 0;
        continue;
      }
      const size = ring.i32[tail >> 2];
      if (ring.i32[(tail >> 2) + 1] === ENTRY_STRING) strings.push(readString(ring, ringText, tail));
      else records.push(readRecord(ring, ringText, tail, strings));
      tail += size;
      if (tail === ring.u8.length) tail = 0;
      consumed = (consumed + size) | 0;
    }
    Atomics.store(counters, CONSUMED, consumed);
    const socketRecords = sockets.read();
    if (records.length === 0 && socketRecords.length === 0) return;
    try {
      if (fd === undefined) mkdirSync(settings.dir, { recursive: true, mode: 0o700 });
      let s = 0;
      for (const record of records) {
        for (; s < socketRecords.length && socketRecords[s].at < record.at; s++) if (!line(JSON.stringify(socketEntryOf(socketRecords[s], socketOptions)))) return;
        if (!line(JSON.stringify(deliveryEntry(record, deliveryRedactor)))) return;
      }
      for (; s < socketRecords.length; s++) if (!line(JSON.stringify(socketEntryOf(socketRecords[s], socketOptions)))) return;
      if (writeOut()) {
        sockets.written(socketRecords.length);
        Atomics.add(counters, DONE, records.length);
        Atomics.notify(counters, DONE); // a receiver waiting at its exit goes on at once
      }
    } catch (error) {
      failed = true;
      port.postMessage({ type: "failed", message: failure(error) } satisfies FromWorker);
    }
  }

  setInterval(drain, POLL_MS);
  // ready: a receiver waiting at its exit (the process ending soon after it began) counts its wait from here
  Atomics.store(counters, WRITER, thread > 0 ? thread : -1);
  Atomics.notify(counters, WRITER);

  port.on("message", (message: ToWorker) => {
    if (message.type === "flush") {
      drain();
      port.postMessage({ type: "flushed", id: message.id, files: files.map((f) => f.path).filter((path) => existsSync(path)) } satisfies FromWorker);
    }
  });
}

if (parentPort !== null && (workerData as { captureWorker?: boolean } | undefined)?.captureWorker === true) {
  start(parentPort, (workerData as { settings: CaptureWorkerSettings }).settings);
}
