/**
 * The capture writer's thread (`writer.ts` starts it): every 20 ms (and on `flush`) reads the deliveries
 * the receiver's thread wrote into the shared ring (`record.ts`), gives the space back, redacts each delivery (`redact.ts`, HMAC-SHA256
 * from node:crypto under the capture's key, which never leaves memory) and appends it to the current NDJSON
 * file, rotating at `maxFileBytes` and deleting the oldest files of this capture past `maxBytes`. All of it
 * runs here, off the receiver's thread. The first failure (unwritable folder, full disk) is reported to the
 * writer, which turns capture off; nothing is retried.
 */

import { createHmac } from "node:crypto";
import { closeSync, mkdirSync, openSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { formatEntry } from "./format.js";
import type { CaptureEntry } from "./format.js";
import type { CapturedSocketMessage } from "../sockets/types.js";
import { socketEntryOf } from "./socket-entry.js";
import { createRedactor } from "./redact.js";
import { CONSUMED, DONE, ENTRY_STRING, WRITTEN, readRecord, readString, ringViews } from "./record.js";
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
  /** int32 CONSUMED, WRITTEN, DONE (record.ts): the ring's running byte totals and deliveries written. */
  readonly control: SharedArrayBuffer;
  /** Socket records keep media payloads. */
  readonly keepMedia: boolean;
}

/** Messages to the worker (deliveries do not travel by message: they are in the ring; socket records do, in batches). */
export type ToWorker = { readonly type: "flush"; readonly id: number } | { readonly type: "sockets"; readonly records: readonly CapturedSocketMessage[] };
/** Messages from the worker. */
export type FromWorker =
  | { readonly type: "flushed"; readonly id: number; readonly files: readonly string[] }
  | { readonly type: "failed"; readonly message: string }
  | { readonly type: "socketsDone"; readonly count: number };

/** How often the ring is read: a delivery reaches its file within about this long. */
const POLL_MS = 20;

const decoder = new TextDecoder("utf-8", { fatal: true });

/** The body as text, or why it is left out. */
function bodyText(record: CaptureRecord): { text: string | null; omitted?: string } {
  const body = record.body;
  if (record.omitted !== undefined) return { text: null, omitted: record.omitted };
  if (body === undefined) return { text: "" };
  if (typeof body === "string") return { text: body };
  try {
    return { text: decoder.decode(body) };
  } catch {
    return { text: null, omitted: "not UTF-8 text" };
  }
}

function start(port: NonNullable<typeof parentPort>, settings: CaptureWorkerSettings): void {
  const redactor = createRedactor({ hmac: (text) => createHmac("sha256", settings.key).update(text).digest(), keep: settings.keep });
  const files: { path: string; size: number }[] = [];
  let fd: number | undefined;
  let total = 0;
  let opened = 0;
  let failed = false;
  const ring = ringViews(settings.ring);
  const counters = new Int32Array(settings.control);
  const strings: string[] = [];
  let tail = 0; // where the next record starts
  let consumed = 0; // bytes read so far, the same running total as the receiver's `written`

  function entryOf(record: CaptureRecord): CaptureEntry {
    const { text, omitted } = bodyText(record);
    const headers: Record<string, string> = {};
    if (record.contentType !== undefined) headers["content-type"] = record.contentType;
    if (record.userAgent !== undefined) headers["user-agent"] = record.userAgent;
    let body = text;
    let url = record.url;
    let answer = record.answerBody;
    if (settings.redact) {
      const replaced = new Map<string, string>();
      if (text !== null) {
        const redacted = redactor.body(text, record.contentType);
        body = redacted.text;
        for (const [from, to] of redacted.replaced) replaced.set(from, to);
      }
      url = redactor.url(url, replaced);
      answer = redactor.answer(answer, replaced);
    }
    return {
      v: 1,
      at: new Date(record.at).toISOString(),
      family: record.family,
      event: record.event,
      method: record.method,
      url,
      headers,
      body,
      ...(omitted === undefined ? {} : { omitted }),
      answer: { status: record.status, contentType: record.answerType, body: answer },
      latencyMs: Math.round(record.latencyMs * 1000) / 1000,
    };
  }

  function open(): number {
    if (fd !== undefined) closeSync(fd);
    const path = join(settings.dir, `${settings.prefix}-${String(++opened).padStart(4, "0")}.ndjson`);
    fd = openSync(path, "ax", 0o600);
    files.push({ path, size: 0 });
    return fd;
  }

  /**
   * Appends whole lines, rotating at `maxFileBytes`: a batch (every delivery of one 20 ms drain) that does not
   * fit is cut at a line end and goes on in the next file, so no file outgrows the limit (one entry larger
   * than it gets a file of its own) and `maxBytes` can delete the oldest ones.
   */
  function write(chunk: string): void {
    let bytes = Buffer.from(chunk, "utf8");
    while (bytes.length > 0) {
      if (fd === undefined) open();
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
      writeSync(fd!, take === bytes.length ? bytes : bytes.subarray(0, take));
      current.size += take;
      total += take;
      bytes = bytes.subarray(take);
      while (total > settings.maxBytes && files.length > 1) {
        const oldest = files.shift()!;
        total -= oldest.size;
        unlinkSync(oldest.path);
      }
    }
  }

  /** Reads every entry written so far, gives the ring's space back, then redacts and writes the deliveries. */
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
      if (ring.i32[(tail >> 2) + 1] === ENTRY_STRING) strings.push(readString(ring, tail));
      else records.push(readRecord(ring, tail, strings));
      tail += size;
      if (tail === ring.u8.length) tail = 0;
      consumed = (consumed + size) | 0;
    }
    Atomics.store(counters, CONSUMED, consumed);
    if (records.length === 0) return;
    try {
      if (fd === undefined) mkdirSync(settings.dir, { recursive: true, mode: 0o700 });
      let chunk = "";
      for (const record of records) chunk += formatEntry(entryOf(record));
      write(chunk);
      Atomics.add(counters, DONE, records.length);
    } catch (error) {
      failed = true;
      const code = (error as { code?: string }).code;
      port.postMessage({ type: "failed", message: `${code === undefined ? "" : `${code}: `}${(error as Error).message}` } satisfies FromWorker);
    }
  }

  setInterval(drain, POLL_MS);
  /** Socket records (`socket-entry.ts`), redacted by the same redactor: a call id gets the deliveries' pseudonym. */
  function writeSockets(records: readonly CapturedSocketMessage[]): void {
    if (failed) return;
    try {
      if (fd === undefined) mkdirSync(settings.dir, { recursive: true, mode: 0o700 });
      const options = { redactor: settings.redact ? redactor : undefined, keepMedia: settings.keepMedia };
      let chunk = "";
      for (const record of records) chunk += `${JSON.stringify(socketEntryOf(record, options))}\n`;
      write(chunk);
    } catch (error) {
      failed = true;
      const code = (error as { code?: string }).code;
      port.postMessage({ type: "failed", message: `${code === undefined ? "" : `${code}: `}${(error as Error).message}` } satisfies FromWorker);
    }
  }

  port.on("message", (message: ToWorker) => {
    if (message.type === "sockets") {
      writeSockets(message.records);
      port.postMessage({ type: "socketsDone", count: message.records.length } satisfies FromWorker);
      return;
    }
    if (message.type === "flush") {
      drain();
      port.postMessage({ type: "flushed", id: message.id, files: files.map((f) => f.path) } satisfies FromWorker);
    }
  });
}

if (parentPort !== null && (workerData as { captureWorker?: boolean } | undefined)?.captureWorker === true) {
  start(parentPort, (workerData as { settings: CaptureWorkerSettings }).settings);
}
