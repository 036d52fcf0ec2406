/**
 * One delivery read from the ring (`record.ts`) as one NDJSON line of the capture file (`format.ts`),
 * redacted by the capture's redactor (`redact.ts`) unless the capture was told not to. The writer thread
 * (`worker.ts`) calls it per delivery; `bench/capture-writer.ts` measures it. Edge-safe: text in, text out.
 */
import { formatEntry } from "./format.js";
import type { CaptureEntry } from "./format.js";
import type { CaptureRecord } from "./record.js";
import { hmacSha256 } from "./hmac-sha256.js";
import { createRedactor, type Redactor } from "./redact.js";

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
 * all three), or kept as they arrived when `redactor` is undefined.
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
  }
  const at = new Date(record.at).toISOString();
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
