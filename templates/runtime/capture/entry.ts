/**
 * One delivery read from the ring (`record.ts`) as one NDJSON line of the capture file (`format.ts`),
 * redacted by the capture's redactor (`redact.ts`) unless the capture was told not to. The writer thread
 * (`worker.ts`) calls it per delivery; `bench/capture-writer.ts` measures it. Edge-safe: text in, text out.
 */
import { formatEntry } from "./format.js";
import type { CaptureEntry } from "./format.js";
import type { CaptureRecord } from "./record.js";
import { hmacSha256 } from "./hmac-sha256.js";
import { createRedactor, maskCredentials, type Redactor } from "./redact.js";

// ignoreBOM: a byte-order mark is part of the body as it arrived (redact.ts keeps it in front of the JSON)
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

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

const DAY_MS = 86_400_000;
/** 0–99 and 0–999 with leading zeros. */
const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));
/** The day of the last arrival time and its `YYYY-MM-DDT` (deliveries of one day share it). */
let day = Number.NaN;
let dayText = "";

/** `new Date(at).toISOString()`, with the day's part worked out once per day. */
function isoTime(at: number): string {
  const ms = Math.trunc(at); // as Date does
  if (!(ms >= 0 && ms < 253_402_300_800_000)) return new Date(at).toISOString(); // before 1970 or past 9999: Date's own form (or its RangeError)
  const rest = ms % DAY_MS;
  if (ms - rest !== day) {
    day = ms - rest;
    dayText = new Date(day).toISOString().slice(0, 11);
  }
  const seconds = Math.floor(rest / 1000);
  return `${dayText}${TWO[Math.floor(seconds / 3600)]}:${TWO[Math.floor(seconds / 60) % 60]}:${TWO[seconds % 60]}.${THREE[rest % 1000]}Z`;
}

/**
 * The redactor of one capture: pseudonyms from HMAC-SHA256 under `key` (`hmac-sha256.ts`, the same bytes as
 * node:crypto's), fields named in `keep` left alone.
 *
 * @example
 * const redactor = captureRedactor(settings.key, settings.keep);
 */
export function captureRedactor(key: Uint8Array, keep: readonly string[]): Redactor {
  return createRedactor({ hmac: hmacSha256(key), keep });
}

/**
 * The capture entry of one delivery: body, query and answer redacted by `redactor` (the same pseudonyms in
 * all three), or kept as they arrived but for credentials (masked all the same) when `redactor` is undefined.
 *
 * @example
 * chunk += deliveryLine(readRecord(views, tail, strings), redactor);
 */
export function deliveryEntry(record: CaptureRecord, redactor: Redactor | undefined): CaptureEntry {
  const { text, omitted } = bodyText(record);
  const headers: Record<string, string> = {};
  if (record.contentType !== undefined) headers["content-type"] = record.contentType;
  if (record.userAgent !== undefined) headers["user-agent"] = record.userAgent;
  let body = text;
  let url = record.url;
  let answer = record.answerBody;
  if (redactor !== undefined) {
    let replaced: Map<string, string>;
    if (text === null) replaced = new Map<string, string>();
    else {
      const redacted = redactor.body(text, record.contentType);
      body = redacted.text;
      replaced = redacted.replaced; // a new map of this body's own
    }
    url = redactor.url(url, replaced);
    answer = redactor.answer(answer, replaced);
  } else {
    // unredacted (redact: false): credentials are still never stored
    if (body !== null) body = maskCredentials(body);
    url = maskCredentials(url);
    answer = maskCredentials(answer);
  }
  const at = isoTime(record.at);
  const answered = { status: record.status, contentType: record.answerType, body: answer };
  const latencyMs = Math.round(record.latencyMs * 1000) / 1000;
  // two literal shapes (no spread): the same fields in the same order as ever
  return omitted === undefined
    ? { v: 1, at, family: record.family, event: record.event, method: record.method, url, headers, body, answer: answered, latencyMs }
    : { v: 1, at, family: record.family, event: record.event, method: record.method, url, headers, body, omitted, answer: answered, latencyMs };
}

/** {@link deliveryEntry} as one NDJSON line (with its newline). */
export function deliveryLine(record: CaptureRecord, redactor: Redactor | undefined): string {
  return formatEntry(deliveryEntry(record, redactor));
}
