/**
 * The capture's redaction and delivery line as they were before the writer thread was made cheaper
 * (issue 28, 2026-12-05; templates/runtime/capture/redact.ts and worker.ts's `entryOf` at commit 09afddc,
 * copied unchanged but for names and the header): the straightforward version, with pseudonyms from
 * node:crypto's `createHmac` per value. Test `capture-redaction-is-unchanged-with-warm-or-cold-caches` holds the
 * optimized writer to it byte for byte. Not used by the package.
 */
import { createHmac } from "node:crypto";

/** HMAC-SHA256 of a text under the capture's key (32 bytes). */
export type Hmac = (text: string) => Uint8Array;

/** Redaction settings of one capture. */
export interface RedactionOptions {
  readonly hmac: Hmac;
  /** Field names (JSON keys, XML element names, query parameters) never redacted, e.g. `["tag", "text"]`. */
  readonly keep?: readonly string[];
}

/** A redactor bound to one capture's key: every method is deterministic for that key. */
export interface Redactor {
  /**
   * Redacts one request body (JSON or XML text; anything else is replaced as a whole) and returns it with the
   * original → pseudonym pairs it replaced (used to redact the answer the same way).
   */
  body(text: string, contentType: string | undefined): { text: string; replaced: Map<string, string> };
  /** Redacts a request target's query string (`/callbacks/voice?from=%2B1…`), adding to `replaced`. */
  url(url: string, replaced: Map<string, string>): string;
  /** Replaces, in an answer, every value the request's redaction replaced (an echoed number, an id in a URL). */
  answer(text: string, replaced: Map<string, string>): string;
  /** The pseudonym of one value (same shape). */
  pseudonym(value: string): string;
}

const E164 = /\+[1-9]\d{6,14}/g;
/** Ids inside free text ("Call c-8d1f…-61f0 is busy"): Bandwidth's prefixed ids and UUIDs. */
const ID_TOKEN = /\b(?:[a-z]{1,6}-)?[0-9a-f]{8}-[0-9a-f]{4,8}(?:-[0-9a-f]{4,12})+\b/gi;
const NOT_PERSONAL = /^(?:anonymous|private|restricted|unavailable|unknown)$/i;
const PHONE_KEY = /(?:number|^from$|^to$|^owner$|callerid$|calledid$|^tn$|^diversion$|phone)/i;
const ID_KEY = /(?:^id$|Id$|ID$|^sipCallId$)/;
const URL_KEY = /(?:url$|uri$|^media$|^mediaUrls?$)/i;
const TEXT_KEY = /^(?:text|body|message)$/;
const CONTAINER_KEY = /^(?:streamParams|customParams|sipHeaders|identity|stirShaken)$/;
const SIP_HEADER_KEY = /^x-/i;
/** An XML attribute that carries a credential: `password`, `fallbackPassword`, `destinationUsername`, … (value in either quote). */
const CREDENTIAL_ATTRIBUTE: RegExp = /(\s[A-Za-z]*(?:[Pp]assword|[Uu]sername)\s*=\s*)(["'])[^"']*\2/g;
/** Whether an attribute name is one {@link CREDENTIAL_ATTRIBUTE} blanks out. */

const XML_PERSONAL = /(?:Id$|ID$|Number|^Tn$|TN$|Url$|Name$|Address|Street|City|Zip|Email|Contact|^Text$)/;
const ID_PREFIX = /^[a-z]{1,6}-/;

const DIGITS = "0123456789";
const HEX_LOWER = "abcdef";
const HEX_UPPER = "ABCDEF";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * Builds the redactor of one capture.
 *
 * @example
 * const redactor = createRedactor({ hmac: (text) => createHmac("sha256", key).update(text).digest() });
 * redactor.pseudonym("+19195550100"); // "+1" and 10 other digits, the same every time for this key
 */
export function createReferenceRedactor(options: RedactionOptions): Redactor {
  const keep = new Set(options.keep ?? []);
  const cache = new Map<string, string>();

  /** Enough keyed bytes for `length` characters (HMAC in counter mode). */
  function stream(value: string, length: number): Uint8Array {
    const first = options.hmac(value);
    if (first.length >= length) return first;
    const out = new Uint8Array(length);
    out.set(first);
    for (let filled = first.length, round = 1; filled < length; round++) {
      const more = options.hmac(`${round}:${value}`);
      out.set(more.subarray(0, Math.min(more.length, length - filled)), filled);
      filled += more.length;
    }
    return out;
  }

  /** Same shape: digits stay digits (the first digit of an E.164 number stays), hex letters hex, letters letters. */
  function pseudonym(value: string): string {
    const known = cache.get(value);
    if (known !== undefined) return known;
    const bytes = stream(value, value.length);
    const prefix = value.startsWith("+") ? 2 : (ID_PREFIX.exec(value)?.[0].length ?? 0);
    let out = value.slice(0, prefix);
    for (let i = prefix; i < value.length; i++) {
      const c = value[i];
      const b = bytes[i];
      if (c >= "0" && c <= "9") out += DIGITS[b % 10];
      else if (c >= "a" && c <= "f") out += HEX_LOWER[b % 6];
      else if (c >= "A" && c <= "F") out += HEX_UPPER[b % 6];
      else if (c >= "g" && c <= "z") out += LOWER[b % 26];
      else if (c >= "G" && c <= "Z") out += UPPER[b % 26];
      else if (c.charCodeAt(0) > 127) out += LOWER[b % 26];
      else out += c;
    }
    if (cache.size >= 50_000) cache.clear();
    cache.set(value, out);
    return out;
  }

  function note(replaced: Map<string, string>, from: string, to: string): string {
    if (from !== to && from.length >= 3) replaced.set(from, to);
    return to;
  }

  /** Free text: every E.164 number and every id-looking token in it. */
  function phones(text: string, replaced: Map<string, string>): string {
    return text.replace(E164, (match) => note(replaced, match, pseudonym(match))).replace(ID_TOKEN, (match) => note(replaced, match, pseudonym(match)));
  }

  function redactUrl(text: string, replaced: Map<string, string>): string {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      return note(replaced, text, pseudonym(text));
    }
    parsed.username = "";
    parsed.password = "";
    parsed.pathname = parsed.pathname
      .split("/")
      .map((segment) => (/\d/.test(segment) && segment.length >= 3 && !/^v\d+$/i.test(segment) ? note(replaced, segment, pseudonym(segment)) : segment))
      .join("/");
    const query = new URLSearchParams(parsed.search);
    const out = new URLSearchParams();
    for (const [k, v] of query) out.append(k, keep.has(k) ? v : note(replaced, v, pseudonym(v)));
    parsed.search = out.toString();
    parsed.hash = "";
    return parsed.toString();
  }

  /** One string value under `key` (`inside`: under a container whose every value is personal). */
  function value(key: string, text: string, inside: boolean, replaced: Map<string, string>): string {
    if (keep.has(key) || text === "") return text;
    if (inside || SIP_HEADER_KEY.test(key)) return note(replaced, text, pseudonym(text));
    if (URL_KEY.test(key) || /^https?:\/\//i.test(text)) return redactUrl(text, replaced);
    if (TEXT_KEY.test(key)) return note(replaced, text, `[redacted ${pseudonym(hexOf(text))}]`);
    if (ID_KEY.test(key)) return note(replaced, text, pseudonym(text));
    if (PHONE_KEY.test(key)) {
      if (NOT_PERSONAL.test(text)) return text;
      E164.lastIndex = 0;
      return E164.test(text) && !/^\+\d+$/.test(text) ? phones(text, replaced) : note(replaced, text, pseudonym(text));
    }
    return phones(text, replaced);
  }

  /** A short keyed tag for a text replaced as a whole. */
  function hexOf(text: string): string {
    const bytes = options.hmac(text);
    let out = "";
    for (let i = 0; i < 6; i++) out += bytes[i].toString(16).padStart(2, "0");
    return out;
  }

  function walk(node: unknown, key: string, inside: boolean, replaced: Map<string, string>): unknown {
    if (typeof node === "string") return value(key, node, inside, replaced);
    if (Array.isArray(node)) return node.map((item) => walk(item, key, inside, replaced));
    if (node === null || typeof node !== "object") {
      return inside && (typeof node === "number" || typeof node === "boolean") && !keep.has(key) ? pseudonym(String(node)) : node;
    }
    if (keep.has(key)) return node;
    const out: Record<string, unknown> = {};
    const nested = inside || CONTAINER_KEY.test(key);
    for (const [name, child] of Object.entries(node as Record<string, unknown>)) out[name] = walk(child, name, nested, replaced);
    return out;
  }

  function xml(text: string, replaced: Map<string, string>): string {
    const elements = text.replace(/<([A-Za-z_][\w.-]*)(\s[^>]*)?>([^<]*)<\/\1\s*>/g, (whole, name: string, attrs: string | undefined, inner: string) => {
      if (keep.has(name) || inner.trim() === "" || !XML_PERSONAL.test(name)) return whole;
      return `<${name}${attrs ?? ""}>${NOT_PERSONAL.test(inner.trim()) ? inner : note(replaced, inner, pseudonym(inner))}</${name}>`;
    });
    return phones(elements, replaced);
  }

  return {
    pseudonym,
    body(text: string, contentType: string | undefined): { text: string; replaced: Map<string, string> } {
      const replaced = new Map<string, string>();
      const media = (contentType ?? "").toLowerCase();
      const trimmed = text.trimStart();
      if (trimmed === "") return { text, replaced };
      if (media.includes("json") || trimmed.startsWith("{") || trimmed.startsWith("[")) {
        try {
          return { text: JSON.stringify(walk(JSON.parse(text), "", false, replaced)), replaced };
        } catch {
          // not JSON after all: redacted as text below
        }
      }
      if (media.includes("xml") || trimmed.startsWith("<")) return { text: xml(text, replaced), replaced };
      if (media.includes("x-www-form-urlencoded")) {
        const params = new URLSearchParams(text);
        const out = new URLSearchParams();
        for (const [k, v] of params) out.append(k, value(k, v, false, replaced));
        return { text: out.toString(), replaced };
      }
      return { text: `[redacted ${text.length} characters: ${hexOf(text)}]`, replaced };
    },
    url(url: string, replaced: Map<string, string>): string {
      const q = url.indexOf("?");
      if (q === -1) return url;
      const params = new URLSearchParams(url.slice(q + 1));
      const out = new URLSearchParams();
      params.forEach((v, k) => {
        let parsed: unknown = v;
        if (v.startsWith("{") || v.startsWith("[")) {
          try {
            parsed = JSON.parse(v);
          } catch {
            parsed = v;
          }
        }
        out.append(k, typeof parsed === "string" ? value(k, v, false, replaced) : JSON.stringify(walk(parsed, k, false, replaced)));
      });
      return `${url.slice(0, q)}?${out.toString()}`;
    },
    answer(text: string, replaced: Map<string, string>): string {
      if (text === "") return text;
      // Verb credentials in a BXML answer (`password`, `fallbackPassword`, `destinationPassword`, and their
      // user names) never reach the file: their values become "***" (replay compares them as equal).
      let out = text.replace(CREDENTIAL_ATTRIBUTE, (_whole, head: string, quote: string) => `${head}${quote}***${quote}`);
      if (replaced.size === 0) return out;
      const originals = [...replaced.keys()].sort((a, b) => b.length - a.length);
      for (const original of originals) {
        if (out.includes(original)) out = out.split(original).join(replaced.get(original)!);
        // XML and JSON answers may carry the value escaped
        const escaped = original.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
        if (escaped !== original && out.includes(escaped)) out = out.split(escaped).join(replaced.get(original)!);
      }
      return out;
    },
  };
}

/** One delivery as the writer thread reads it from the ring (the fields `referenceLine` uses). */
export interface ReferenceRecord {
  readonly at: number;
  readonly family: string;
  readonly event: string | undefined;
  readonly method: string;
  readonly url: string;
  readonly contentType: string | undefined;
  readonly userAgent: string | undefined;
  readonly body: string | Uint8Array | undefined;
  readonly omitted?: string;
  readonly status: number;
  readonly answerType: string | undefined;
  readonly answerBody: string;
  readonly latencyMs: number;
}

/** The reference redactor of one capture key (HMAC-SHA256 from node:crypto, a new Hmac per value). */
export const referenceRedactor = (key: Uint8Array, keep: readonly string[]): Redactor =>
  createReferenceRedactor({ hmac: (text) => createHmac("sha256", key).update(text).digest(), keep });

const decoder = new TextDecoder("utf-8", { fatal: true });

function bodyText(record: ReferenceRecord): { text: string | null; omitted?: string } {
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

/** The NDJSON line of one delivery, as the writer thread wrote it (`redactor` undefined: unredacted). */
export function referenceLine(record: ReferenceRecord, redactor: Redactor | undefined): string {
  const { text, omitted } = bodyText(record);
  const headers: Record<string, string> = {};
  if (record.contentType !== undefined) headers["content-type"] = record.contentType;
  if (record.userAgent !== undefined) headers["user-agent"] = record.userAgent;
  let body = text;
  let url = record.url;
  let answer = record.answerBody;
  if (redactor !== undefined) {
    const replaced = new Map<string, string>();
    if (text !== null) {
      const redacted = redactor.body(text, record.contentType);
      body = redacted.text;
      for (const [from, to] of redacted.replaced) replaced.set(from, to);
    }
    url = redactor.url(url, replaced);
    answer = redactor.answer(answer, replaced);
  }
  const entry = {
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
  return `${JSON.stringify(entry)}\n`;
}
