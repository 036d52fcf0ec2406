/**
 * The hot path of a media stream: one `media` text frame → its track, sequence number and decoded audio,
 * with no `JSON.parse` object and no intermediate payload string. A single pass reads a flat JSON object
 * whose values are strings without escapes, numbers, booleans or null (which is what a `media` frame is);
 * anything else (nesting, escapes, another eventType, a missing or mistyped field, a non-integer number,
 * a payload that is not base64) returns `undefined` and the caller takes the slow path (`JSON.parse` + the generated validator), which
 * stays the single source of truth for what is valid. Base64 is decoded straight from the frame text into
 * a fresh buffer (the handler may keep it). Edge-safe.
 */

const DECODE: Uint8Array = new Uint8Array(128).fill(255);
{
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < 64; i++) DECODE[alphabet.charCodeAt(i)] = i;
}

/** A media frame read by the fast path. */
export interface FastMedia {
  track: string;
  audio: Uint8Array;
  sequenceNumber: string | number | undefined;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function skipSpace(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i);
  return i;
}

/** End of a string starting after its opening quote (index of the closing quote), or -1 on an escape/control/end. */
function stringEnd(text: string, i: number): number {
  const end = text.indexOf('"', i);
  if (end < 0) return -1;
  // An escape or a raw control character inside: leave it to JSON.parse.
  for (let j = i; j < end; j++) {
    const c = text.charCodeAt(j);
    if (c === BACKSLASH || c < 0x20) return -1;
  }
  return end;
}

/**
 * End of the payload string: only its closing quote is looked for (`indexOf` is vectorised). A backslash
 * before it declines; any other character outside the base64 alphabet (a raw control character included)
 * makes the decode fail, which declines too, so the slow path names the fault.
 */
function payloadEnd(text: string, i: number): number {
  const end = text.indexOf('"', i);
  if (end < 0) return -1;
  const backslash = text.indexOf("\\", i);
  return backslash >= 0 && backslash < end ? -1 : end;
}

/** End of a bare JSON literal (number, true, false, null): the index of the first delimiter. */
function literalEnd(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (i < text.length && c !== 0x2c && c !== 0x7d && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) c = text.charCodeAt(++i);
  return i;
}

/**
 * Small typed arrays are slow to allocate one by one (each gets its own backing store), so decoded frames
 * are views into a shared 64 KiB slab, handed out in order and never reused (a full slab is dropped and
 * lives as long as a view into it, as with Node's Buffer pool). A memory pool only: no stream's state.
 */
const SLAB_BYTES = 64 * 1024;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

function allocate(length: number): Uint8Array {
  if (length > 4096) return new Uint8Array(length);
  if (slabUsed + length > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const view = new Uint8Array(slab, slabUsed, length);
  slabUsed += (length + 7) & ~7; // 8-byte aligned, so a view can be read as 16-bit samples too
  return view;
}

/** Node's and Bun's `Buffer`, when the runtime has one (looked up, not imported: this module stays edge-safe). */
interface BufferLike {
  from(text: string, encoding: "base64"): Uint8Array & { toString(encoding: "base64"): string };
}
const HOST_BUFFER: BufferLike | undefined = (() => {
  const candidate: unknown = (globalThis as { Buffer?: unknown }).Buffer;
  if (typeof candidate !== "function") return undefined;
  return typeof (candidate as { from?: unknown }).from === "function" ? (candidate as unknown as BufferLike) : undefined;
})();

/**
 * The host's native base64 decoder, made strict. Buffer skips characters outside the alphabet (and stops
 * at a misplaced "="), so any of them shows as fewer bytes than the text's length promises; the URL-safe
 * "-" and "_" it would take are looked for separately (two vectorised searches).
 */
function decodeNative(host: BufferLike, text: string, start: number, end: number): Uint8Array | undefined {
  let stop = end;
  if (stop > start && text.charCodeAt(stop - 1) === 0x3d) stop--;
  if (stop > start && text.charCodeAt(stop - 1) === 0x3d) stop--;
  const symbols = stop - start;
  const tail = symbols % 4;
  if (tail === 1 || (stop !== end && (end - start) % 4 !== 0)) return undefined;
  const source = text.slice(start, end);
  if (source.indexOf("-") >= 0 || source.indexOf("_") >= 0) return undefined;
  const bytes = host.from(source, "base64");
  return bytes.length === ((symbols - tail) >> 2) * 3 + (tail === 0 ? 0 : tail - 1) ? bytes : undefined;
}

/**
 * Decodes base64 from `text[start, end)` (standard alphabet, padding optional, nothing else), or
 * returns `undefined` when it is not base64 (or, on the native path, not in canonical form: the caller's
 * slow path then decodes it with {@link decodeBase64Range}).
 */
export function decodeMediaPayload(text: string, start: number, end: number): Uint8Array | undefined {
  return HOST_BUFFER !== undefined ? decodeNative(HOST_BUFFER, text, start, end) : decodeBase64Range(text, start, end);
}

/**
 * Decodes base64 from `text[start, end)` (standard alphabet, padding optional, nothing else), or
 * returns `undefined` when it is not base64. Portable (no Buffer).
 */
export function decodeBase64Range(text: string, start: number, end: number): Uint8Array | undefined {
  let stop = end;
  if (stop > start && text.charCodeAt(stop - 1) === 0x3d) stop--;
  if (stop > start && text.charCodeAt(stop - 1) === 0x3d) stop--;
  const symbols = stop - start;
  if (stop !== end && (end - start) % 4 !== 0) return undefined;
  const tail = symbols % 4;
  if (tail === 1) return undefined;
  const out = allocate(((symbols - tail) >> 2) * 3 + (tail === 0 ? 0 : tail - 1));
  let o = 0;
  let i = start;
  let chars = 0; // OR of the character codes: ≥ 128 when any is outside ASCII
  let bad = 0; // OR of the 6-bit values: 255 when any character is outside the alphabet
  for (const whole = stop - tail; i < whole; i += 4) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = text.charCodeAt(i + 2);
    const d = text.charCodeAt(i + 3);
    chars |= a | b | c | d;
    const va = DECODE[a & 127];
    const vb = DECODE[b & 127];
    const vc = DECODE[c & 127];
    const vd = DECODE[d & 127];
    bad |= va | vb | vc | vd;
    const n = (va << 18) | (vb << 12) | (vc << 6) | vd;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (tail > 1) {
    const a = text.charCodeAt(i);
    const b = text.charCodeAt(i + 1);
    const c = tail === 3 ? text.charCodeAt(i + 2) : 65; // "A" = 0
    chars |= a | b | c;
    const va = DECODE[a & 127];
    const vb = DECODE[b & 127];
    const vc = DECODE[c & 127];
    bad |= va | vb | vc;
    const n = (va << 10) | (vb << 4) | (vc >> 2);
    if (tail === 2) out[o] = n >> 8;
    else {
      out[o++] = n >> 8;
      out[o] = n & 0xff;
    }
  }
  return chars > 127 || bad > 63 ? undefined : out;
}

const OTHER = 0;
const EVENT_TYPE = 1;
const TRACK = 2;
const PAYLOAD = 3;
const SEQUENCE = 4;

/** True when `text` holds `word` at `start` (a plain loop: cheaper than `startsWith` with a position). */
function same(text: string, start: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (text.charCodeAt(start + k) !== word.charCodeAt(k)) return false;
  return true;
}

/** Which key `text[start, end)` is, without making a string of it. */
function keyOf(text: string, start: number, end: number): number {
  const length = end - start;
  if (length === 7) return same(text, start, "payload") ? PAYLOAD : OTHER;
  if (length === 9) return same(text, start, "eventType") ? EVENT_TYPE : OTHER;
  if (length === 5) return same(text, start, "track") ? TRACK : OTHER;
  if (length === 14) return same(text, start, "sequenceNumber") ? SEQUENCE : OTHER;
  return OTHER;
}

/** The track name; the two usual ones as constants (no new string per frame). */
function trackOf(text: string, start: number, end: number): string {
  if (end - start === 7 && same(text, start, "inbound")) return "inbound";
  if (end - start === 8 && same(text, start, "outbound")) return "outbound";
  return text.slice(start, end);
}

/** What the scan collects. */
interface Scan {
  /** 1 when eventType is "media", 0 when it is something else, -1 when absent. */
  media: number;
  track: string | undefined;
  payloadStart: number;
  payloadEnd: number;
  sequenceNumber: string | number | undefined;
}

/** Reads the value of `key` at `i` into `scan`; returns the index after it, or -1 (take the slow path). */
function readValue(text: string, i: number, key: number, scan: Scan): number {
  const first = text.charCodeAt(i);
  if (first === QUOTE) {
    const end = key === PAYLOAD ? payloadEnd(text, i + 1) : stringEnd(text, i + 1);
    if (end < 0) return -1;
    if (key === PAYLOAD) {
      scan.payloadStart = i + 1;
      scan.payloadEnd = end;
    } else if (key === EVENT_TYPE) scan.media = end - i - 1 === 5 && same(text, i + 1, "media") ? 1 : 0;
    else if (key === TRACK) scan.track = trackOf(text, i + 1, end);
    else if (key === SEQUENCE) scan.sequenceNumber = text.slice(i + 1, end);
    return end + 1;
  }
  if (first === 0x7b || first === 0x5b) return -1; // nested value: not a media frame's shape
  const end = literalEnd(text, i);
  if (end === i || key === EVENT_TYPE || key === TRACK || key === PAYLOAD) return -1;
  if (key === SEQUENCE) {
    const n = Number(text.slice(i, end));
    if (!Number.isInteger(n)) return -1;
    scan.sequenceNumber = n;
  } else if (!isLiteral(text.slice(i, end))) return -1;
  return end;
}

/**
 * Reads a `media` frame on the fast path, or returns `undefined` (take the slow path). Accepts unknown
 * extra properties, as the lenient validator does.
 */
export function readMediaFast(text: string): FastMedia | undefined {
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== 0x7b) return undefined;
  const scan: Scan = { media: -1, track: undefined, payloadStart: -1, payloadEnd: -1, sequenceNumber: undefined };
  i = skipSpace(text, i + 1);
  for (;;) {
    if (text.charCodeAt(i) !== QUOTE) return undefined;
    const keyEnd = stringEnd(text, i + 1);
    if (keyEnd < 0) return undefined;
    const key = keyOf(text, i + 1, keyEnd);
    i = skipSpace(text, keyEnd + 1);
    if (text.charCodeAt(i) !== 0x3a) return undefined;
    i = readValue(text, skipSpace(text, i + 1), key, scan);
    if (i < 0) return undefined;
    i = skipSpace(text, i);
    const c = text.charCodeAt(i);
    if (c === 0x7d) break;
    if (c !== 0x2c) return undefined;
    i = skipSpace(text, i + 1);
  }
  if (skipSpace(text, i + 1) !== text.length) return undefined;
  if (scan.media !== 1 || scan.track === undefined || scan.payloadStart < 0) return undefined;
  const audio = decodeMediaPayload(text, scan.payloadStart, scan.payloadEnd);
  // Not base64 (or a raw control character): the slow path says which (4000 not JSON or 4007).
  if (audio === undefined) return undefined;
  return { track: scan.track, audio, sequenceNumber: scan.sequenceNumber };
}

const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function isLiteral(value: string): boolean {
  return value === "true" || value === "false" || value === "null" || NUMBER.test(value);
}
