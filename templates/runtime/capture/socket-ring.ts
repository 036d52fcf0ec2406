/**
 * How socket records (`createStreamServer({ capture })`: open, each message in and out, close) cross from
 * the socket's thread to the capture writer's thread: a ring of shared memory of their own, beside the
 * deliveries' (`record.ts`), written by {@link socketRingWriter} (`writer.ts`'s `recordSocket`) and read by
 * {@link socketRingReader} (`worker.ts`, in the same poll as the deliveries). No message, no structured
 * clone, no allocation per record on the socket's thread: a message's text is copied as UTF-8 (one native
 * copy, Node's `Buffer#write`) and everything else is numbers. A `media` payload crosses too, even when it is
 * to be dropped: finding it exactly costs the socket's thread more than copying it (measured: see
 * docs/benchmarks.md "Socket capture"); the writer thread drops it (`socket-entry.ts`) before anything is
 * written. Except in a message too large for a quarter of the ring (a long `playAudio`): there the payload
 * is taken out on the socket's thread (the message parsed once, rare) when it is to be dropped, so the
 * record still fits, and its length crosses with it. Node only.
 *
 * Every entry is 8-byte aligned; its size `-1` means nothing more before the ring's end, go on at 0.
 *
 * | bytes | what |
 * | --- | --- |
 * | 0–3, 4–7 | size in bytes, type ({@link SOCKET_OPEN} … {@link SOCKET_CLOSE_BY_RECEIVER}; a close is 4, 6 or 7: who closed it unknown, the peer, the receiver) |
 * | 8–15 | time (ms since the epoch), float64 |
 * | 16–19, 20–23 | connection, socket kind (0 stream, 1 transcription) |
 * | 24–27 | binary frame: its length; close: the code (-1 none); in / out: the length of a payload taken out, or -1 |
 * | 28… | strings, each an int32 UTF-8 length (-1: undefined) + its bytes, 4-aligned: open: the url, the headers as JSON; in / out: the text; close: the reason |
 */

import { Buffer } from "node:buffer";
import type { CapturedSocketMessage, SocketKind } from "../sockets/types.js";
import { ringRoom } from "./record.js";

/** Entry types. */
export const SOCKET_OPEN = 1;
export const SOCKET_IN = 2;
export const SOCKET_OUT = 3;
export const SOCKET_CLOSE = 4;
export const SOCKET_IN_BINARY = 5;
/** A close whose side is known (`by`): closed by the peer (Bandwidth), or by the receiver. */
export const SOCKET_CLOSE_BY_BANDWIDTH = 6;
export const SOCKET_CLOSE_BY_RECEIVER = 7;

/** Int32 slots of the socket ring's control block (16 bytes) shared by both threads. */
export const SOCKET_CONSUMED = 0; // bytes the writer thread has read (a 32-bit running total)
export const SOCKET_WRITTEN = 1; // bytes the socket's thread has written (the same kind of total)
export const SOCKET_DONE = 2; // records written to the files

const HEADER_BYTES = 28;

/** A socket record read back; `payloadLength`: its media payload, of that length, was taken out on the socket's thread. */
export interface SocketRecord extends CapturedSocketMessage {
  readonly payloadLength?: number;
}

/** A large message without its media payload (as `socket-entry.ts` would drop it), and the payload's length; undefined when it has none to drop. */
function withoutPayload(text: string): { text: string; length: number } | undefined {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (message === null || typeof message !== "object") return undefined;
  const event = (message as { eventType?: unknown }).eventType;
  const holder = (event === "playAudio" ? (message as { media?: unknown }).media : event === "media" ? message : undefined) as { payload?: unknown } | undefined;
  if (holder === undefined || holder === null || typeof holder !== "object" || typeof holder.payload !== "string") return undefined;
  const length = holder.payload.length;
  holder.payload = "";
  return { text: JSON.stringify(message), length };
}

/**
 * The writing end of a socket ring: a function that writes one record into it and returns true, or returns
 * false (nothing written) when the ring has no room for it or the record is not one a socket server makes.
 *
 * @example
 * const write = socketRingWriter(ring, control, false);
 * if (!write(message)) dropped++;
 */
export function socketRingWriter(buffer: SharedArrayBuffer, control: SharedArrayBuffer, keepMedia: boolean): (message: CapturedSocketMessage) => boolean {
  const bytes = Buffer.from(buffer); // its write() copies a string as UTF-8 with no view to make (TextEncoder.encodeInto needs one)
  const i32 = new Int32Array(buffer);
  const f64 = new Float64Array(buffer);
  const counters = new Int32Array(control);
  const capacity = buffer.byteLength;
  let head = 0; // where the next entry goes
  let written = 0; // bytes written, a 32-bit running total (compared with the writer thread's CONSUMED)
  let consumed = 0; // its CONSUMED as last read (read again only when space seems short)

  /** Room for `need` bytes at `head` (wrapping to 0 when the end is too close); false when the ring is full. */
  function reserve(need: number): boolean {
    let skip = ringRoom(capacity, head, (written - consumed) >>> 0, need);
    if (skip < 0) {
      consumed = Atomics.load(counters, SOCKET_CONSUMED);
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

  /** The entry's fixed part; `number` at bytes 24–27. */
  function header(type: number, message: CapturedSocketMessage, kind: number, number: number): void {
    const w = head >> 2;
    i32[w + 1] = type;
    f64[(head >> 3) + 1] = message.at;
    i32[w + 4] = message.connection;
    i32[w + 5] = kind;
    i32[w + 6] = number;
  }

  /** Writes a string (int32 length + UTF-8) at `at` (4-aligned), within `limit`; the 4-aligned end. */
  function putString(at: number, text: string | undefined, limit: number): number {
    if (text === undefined) {
      i32[at >> 2] = -1;
      return at + 4;
    }
    const length = text.length === 0 ? 0 : bytes.write(text, at + 4, limit - at - 4, "utf8");
    i32[at >> 2] = length;
    return (at + 4 + length + 3) & ~3;
  }

  /** Publishes the entry at `head`, `end` being where its last string ends. */
  function commit(end: number): void {
    const size = (end - head + 7) & ~7;
    i32[head >> 2] = size;
    head += size;
    if (head === capacity) head = 0;
    written = (written + size) | 0;
    Atomics.store(counters, SOCKET_WRITTEN, written); // the entry's bytes are in place before the total says so
  }

  /** A text over a quarter of the ring: its exact size, and without its payload when that is dropped anyway. */
  function writeLarge(type: number, message: CapturedSocketMessage, kind: number, whole: string): boolean {
    let text = whole;
    let payloadLength = -1;
    if (!keepMedia) {
      const smaller = withoutPayload(text);
      if (smaller !== undefined) {
        text = smaller.text;
        payloadLength = smaller.length;
      }
    }
    const need = (HEADER_BYTES + 4 + Buffer.byteLength(text, "utf8") + 7) & ~7;
    if (need > capacity || !reserve(need)) return false;
    header(type, message, kind, payloadLength);
    commit(putString(head + HEADER_BYTES, text, head + need));
    return true;
  }

  function writeOpen(message: CapturedSocketMessage, kind: number): boolean {
    const url = message.url ?? "";
    const headers = JSON.stringify(message.headers ?? {});
    const need = (HEADER_BYTES + 8 + (url.length + headers.length) * 3 + 7) & ~7;
    if (need > capacity || !reserve(need)) return false;
    header(SOCKET_OPEN, message, kind, -1);
    commit(putString(putString(head + HEADER_BYTES, url, head + need), headers, head + need));
    return true;
  }

  function writeClose(message: CapturedSocketMessage, kind: number): boolean {
    const reason = message.reason;
    const need = (HEADER_BYTES + 4 + (reason?.length ?? 0) * 3 + 7) & ~7;
    if (need > capacity || !reserve(need)) return false;
    header(message.by === "receiver" ? SOCKET_CLOSE_BY_RECEIVER : message.by === "bandwidth" ? SOCKET_CLOSE_BY_BANDWIDTH : SOCKET_CLOSE, message, kind, message.code ?? -1);
    commit(putString(head + HEADER_BYTES, reason, head + need));
    return true;
  }

  return (message) => {
    const kind = message.kind === "stream" ? 0 : message.kind === "transcription" ? 1 : -1;
    if (kind < 0) return false;
    const type = message.type;
    if (type === "in" || type === "out") {
      const text = message.text;
      const code = type === "in" ? SOCKET_IN : SOCKET_OUT;
      if (text === undefined) {
        if (!reserve(HEADER_BYTES + 4)) return false;
        header(SOCKET_IN_BINARY, message, kind, message.binaryBytes ?? 0);
        commit(head + HEADER_BYTES);
        return true;
      }
      const need = (HEADER_BYTES + 4 + text.length * 3 + 7) & ~7;
      if (need > capacity >> 2) return writeLarge(code, message, kind, text);
      if (!reserve(need)) return false;
      header(code, message, kind, -1);
      commit(putString(head + HEADER_BYTES, text, head + need));
      return true;
    }
    if (type === "open") return writeOpen(message, kind);
    if (type === "close") return writeClose(message, kind);
    return false;
  };
}

/** The reading end of a socket ring. */
export interface SocketRingReader {
  /** Every record written so far, in order, copied out; their space is given back at once. */
  read(): SocketRecord[];
  /** Tells the socket's thread `count` more records are in the files. */
  written(count: number): void;
}

/**
 * The reading end of the socket ring that {@link socketRingWriter} writes.
 *
 * @example
 * const sockets = socketRingReader(settings.socketRing, settings.socketControl);
 * for (const record of sockets.read()) chunk += line(record);
 */
export function socketRingReader(buffer: SharedArrayBuffer, control: SharedArrayBuffer): SocketRingReader {
  const text8 = Buffer.from(buffer);
  const i32 = new Int32Array(buffer);
  const f64 = new Float64Array(buffer);
  const counters = new Int32Array(control);
  const capacity = buffer.byteLength;
  let tail = 0;
  let consumed = 0;
  let at = 0; // where the next string of the entry being read starts

  /** The next string of the entry, decoded straight from the shared memory (Node's Buffer: no copy first). */
  function text(): string | undefined {
    const bytes = i32[at >> 2];
    if (bytes < 0) {
      at += 4;
      return undefined;
    }
    const value = bytes === 0 ? "" : text8.toString("utf8", at + 4, at + 4 + bytes);
    at = (at + 4 + bytes + 3) & ~3;
    return value;
  }

  function entry(): SocketRecord {
    const w = tail >> 2;
    const type = i32[w + 1];
    const head = { at: f64[(tail >> 3) + 1], connection: i32[w + 4], kind: (i32[w + 5] === 1 ? "transcription" : "stream") as SocketKind };
    const number = i32[w + 6];
    at = tail + HEADER_BYTES;
    if (type === SOCKET_OPEN) {
      const url = text();
      return { ...head, type: "open", url, headers: JSON.parse(text() ?? "{}") as Record<string, string> };
    }
    if (type === SOCKET_CLOSE || type === SOCKET_CLOSE_BY_BANDWIDTH || type === SOCKET_CLOSE_BY_RECEIVER) {
      const by = type === SOCKET_CLOSE_BY_RECEIVER ? { by: "receiver" as const } : type === SOCKET_CLOSE_BY_BANDWIDTH ? { by: "bandwidth" as const } : {};
      return { ...head, type: "close", ...(number < 0 ? {} : { code: number }), reason: text(), ...by };
    }
    if (type === SOCKET_IN_BINARY) return { ...head, type: "in", binaryBytes: number };
    return { ...head, type: type === SOCKET_IN ? "in" : "out", text: text(), ...(number < 0 ? {} : { payloadLength: number }) };
  }

  return {
    read(): SocketRecord[] {
      const end = Atomics.load(counters, SOCKET_WRITTEN); // pairs with the writer's store: entries up to here are in place
      const records: SocketRecord[] = [];
      while (consumed !== end) {
        if (tail === capacity || i32[tail >> 2] === -1) {
          consumed = (consumed + capacity - tail) | 0;
          tail = 0;
          continue;
        }
        const size = i32[tail >> 2];
        records.push(entry());
        tail += size;
        if (tail === capacity) tail = 0;
        consumed = (consumed + size) | 0;
      }
      Atomics.store(counters, SOCKET_CONSUMED, consumed);
      return records;
    },
    written(count: number): void {
      Atomics.add(counters, SOCKET_DONE, count);
    },
  };
}
