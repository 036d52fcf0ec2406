/**
 * How a delivery crosses from the receiver's thread to the capture writer's thread: entries in a ring of
 * shared memory (`SharedArrayBuffer`), written by `writer.ts` and read by `worker.ts`, with no message,
 * no structured clone and no allocation per delivery (the writer thread polls the ring). Short strings
 * that repeat (family, event, method, path, content types, user agent, a fixed answer) are defined once
 * (a string entry) and then named by number; others travel inside the delivery's entry. Every entry is
 * 8-byte aligned and starts with its size in bytes (int32; `-1`: nothing more before the ring's end, go on
 * at 0) and its kind (int32).
 *
 * A string entry (kind {@link ENTRY_STRING}): bytes 8–11 its UTF-8 length, 16… the text; it gets the next
 * number of the table. A delivery (kind {@link ENTRY_DELIVERY}):
 *
 * | bytes | what |
 * | --- | --- |
 * | 8–15, 16–23 | arrival time (ms since the epoch), latency (ms), float64 |
 * | 24–55 | family, event, method, url, content type, user agent, answer content type, answer body: string ids (int32) |
 * | 56–63 | body kind, body length (bytes) |
 * | 64–67, 68–71 | answer status, the body's offset past byte 72 (0–7: bytes keep their source's alignment) |
 * | 72 + offset… | the body's bytes (bytes, UTF-8 text, or a parsed body's JSON), then each inline string: int32 length + UTF-8, 4-aligned |
 *
 * A string id is `-1` for undefined, `n ≥ 0` for string `n` of the table, `-2` for the next inline string.
 * The reading end decodes UTF-8 straight from the shared memory with Node's `Buffer` (the writer thread is
 * Node only; the writing end uses no Node API).
 */

import { Buffer, isUtf8 } from "node:buffer";

/** Entry kinds. */
export const ENTRY_DELIVERY = 1;
export const ENTRY_STRING = 2;

/** The fixed part of a delivery entry, and of a string entry, in bytes. */
export const DELIVERY_HEADER_BYTES = 72;
export const STRING_HEADER_BYTES = 16;

/** How the body travels: none (undefined), null, bytes, UTF-8 text, a parsed value as JSON, or a parsed value that is not JSON. */
export const BODY_NONE = 0;
export const BODY_NULL = 1;
export const BODY_BYTES = 2;
export const BODY_TEXT = 3;
export const BODY_PARSED = 4;
export const BODY_NOT_JSON = 5;
/** No body (a delivery refused before it was read, or over the limit): the text carried is why (`omitted`). */
export const BODY_OMITTED = 6;

/** Int32 slots of the control block shared by both threads. */
export const CONSUMED = 0; // bytes the writer thread has read so far (a 32-bit running total)
export const WRITTEN = 1; // bytes the receiver's thread has published so far (the same kind of total; entries before it are whole)
export const DONE = 2; // deliveries written to the files (or given up after a failure)
/** The writer thread's state: 0 not started yet; -1 started (its priority as the process's, or its id unknown); > 0 started, this thread id at the lowest priority. */
export const WRITER = 3;
/** The writer thread's scheduling priority, where the system has per-thread niceness: the lowest. */
export const LOWEST_PRIORITY = 19;

/**
 * Room in a ring of `capacity` bytes (`used` of them not yet given back by the reader) for `need` bytes at
 * `head`: the bytes to skip first (0, or `capacity - head` to go on at 0 when the end is too close: the
 * writer marks `-1` there), or -1 when the ring has no room. Shared by the delivery and socket rings.
 *
 * @example
 * const skip = ringRoom(capacity, head, (written - consumed) >>> 0, need);
 */
export function ringRoom(capacity: number, head: number, used: number, need: number): number {
  const free = capacity - used;
  if (head + need <= capacity) return need <= free ? 0 : -1;
  const rest = capacity - head;
  return rest + need <= free ? rest : -1;
}

/** Views of one ring: the same shared memory as bytes, int32 and float64. */
export interface RingViews {
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
}

/**
 * Views over a ring's shared memory (its byte length a multiple of 8).
 *
 * @example
 * const views = ringViews(new SharedArrayBuffer(1 << 20));
 */
export function ringViews(buffer: SharedArrayBuffer): RingViews {
  return { u8: new Uint8Array(buffer), i32: new Int32Array(buffer), f64: new Float64Array(buffer) };
}

/** One delivery, read back. */
export interface CaptureRecord {
  readonly at: number;
  readonly family: string;
  readonly event: string | undefined;
  readonly method: string;
  readonly url: string;
  readonly contentType: string | undefined;
  readonly userAgent: string | undefined;
  /** The body as bytes, or as text (a framework's parsed value: its JSON); `omitted` says why there is none. */
  readonly body: string | Uint8Array | undefined;
  readonly omitted?: string;
  readonly status: number;
  readonly answerType: string | undefined;
  readonly answerBody: string;
  readonly latencyMs: number;
}

/**
 * The ring as a Node `Buffer` (no copy: the same shared memory), for decoding UTF-8 straight out of it; the
 * reading end only (the writer thread, Node).
 */
export type RingBytes = Buffer;

/**
 * A `Buffer` over a ring's shared memory, for {@link readString} and {@link readRecord}.
 *
 * @example
 * const bytes = ringBytes(settings.ring);
 */
export function ringBytes(buffer: SharedArrayBuffer): RingBytes {
  return Buffer.from(buffer);
}

/** UTF-8 text out of the ring, decoded in place (no copy first). */
function decode(bytes: RingBytes, start: number, length: number): string {
  return length === 0 ? "" : bytes.toString("utf8", start, start + length);
}

/**
 * The string entry at byte `at`: its text.
 *
 * @example
 * strings.push(readString(views, bytes, tail));
 */
export function readString(ring: RingViews, bytes: RingBytes, at: number): string {
  return decode(bytes, at + STRING_HEADER_BYTES, ring.i32[(at >> 2) + 2]);
}

/** The string named by `id` (record.ts's ids): undefined, one of the table, or (-2) the inline string at `inline`. */
function stringAt(ring: RingViews, bytes: RingBytes, strings: readonly string[], id: number, inline: number): string | undefined {
  if (id === -1) return undefined;
  if (id >= 0) return strings[id];
  return decode(bytes, inline + 4, ring.i32[inline >> 2]);
}

/** Where the inline string after the one at `inline` starts, when `id` named it (-2); `inline` otherwise. */
function after(ring: RingViews, id: number, inline: number): number {
  return id === -2 ? (inline + 4 + ring.i32[inline >> 2] + 3) & ~3 : inline;
}

/**
 * The delivery entry at byte `at`, with its body and strings copied out of the shared memory (strings and
 * a UTF-8 body decoded straight from it; other bytes copied), so the ring's space can be given back at once.
 * A byte body that is valid UTF-8 comes back as its text (what the capture file stores); one that is not
 * comes back as bytes (`entry.ts` says why it is left out).
 *
 * @example
 * const record = readRecord(views, bytes, tail, strings);
 */
export function readRecord(ring: RingViews, bytes: RingBytes, at: number, strings: readonly string[]): CaptureRecord {
  const w = at >> 2;
  const d = at >> 3;
  const i32 = ring.i32;
  const kind = i32[w + 14];
  const length = i32[w + 15];
  const start = at + DELIVERY_HEADER_BYTES + i32[w + 17];
  let inline = (start + length + 3) & ~3;
  // the eight string fields in their order (family … answer body), inline ones one after the other
  let id = i32[w + 6];
  const family = stringAt(ring, bytes, strings, id, inline);
  inline = after(ring, id, inline);
  id = i32[w + 7];
  const event = stringAt(ring, bytes, strings, id, inline);
  inline = after(ring, id, inline);
  id = i32[w + 8];
  const method = stringAt(ring, bytes, strings, id, inline);
  inline = after(ring, id, inline);
  id = i32[w + 9];
  const url = stringAt(ring, bytes, strings, id, inline);
  inline = after(ring, id, inline);
  id = i32[w + 10];
  const contentType = stringAt(ring, bytes, strings, id, inline);
  inline = after(ring, id, inline);
  id = i32[w + 11];
  const userAgent = stringAt(ring, bytes, strings, id, inline);
  inline = after(ring, id, inline);
  id = i32[w + 12];
  const answerType = stringAt(ring, bytes, strings, id, inline);
  inline = after(ring, id, inline);
  const answerBody = stringAt(ring, bytes, strings, i32[w + 13], inline);
  let body: string | Uint8Array | undefined;
  if (kind === BODY_BYTES) {
    const view = ring.u8.subarray(start, start + length);
    body = isUtf8(view) ? decode(bytes, start, length) : view.slice();
  } else if (kind === BODY_TEXT || kind === BODY_PARSED) body = decode(bytes, start, length);
  // none, null, a parsed value that is not JSON, or omitted (the reason below): no body
  const record = {
    at: ring.f64[d + 1],
    latencyMs: ring.f64[d + 2],
    status: i32[w + 16],
    family: family ?? "",
    event,
    method: method ?? "",
    url: url ?? "",
    contentType,
    userAgent,
    answerType,
    answerBody: answerBody ?? "",
    body,
  };
  if (kind === BODY_NOT_JSON) return { ...record, omitted: "a parsed value that is not JSON" };
  return kind === BODY_OMITTED ? { ...record, omitted: decode(bytes, start, length) } : record;
}
