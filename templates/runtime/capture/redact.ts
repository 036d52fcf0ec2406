/**
 * Redaction of captured deliveries (`bw-codegen/capture`): personal data and identifiers are replaced by
 * pseudonyms that are consistent within one capture (the same number gives the same pseudonym, so a call's
 * callbacks still line up) and keep their shape (a pseudonymous E.164 number is still `+` and digits, a call
 * id still starts with `c-`), so the redacted events still pass validation. A pseudonym is derived from an
 * HMAC-SHA256 of the value under a key only the user holds (random per capture unless they give one): it
 * cannot be reversed or recomputed without that key.
 *
 * Edge-safe: the HMAC is injected (`capture/worker.ts` binds node:crypto). What is replaced (JSON keys, XML
 * element names, query parameters): phone numbers (any E.164 anywhere, and fields named like numbers, `from`,
 * `to`, `owner`, caller ids; the `Private` / `Anonymous` forms identify nobody and stay), ids (`…Id`, `…ID`,
 * `id`), URLs (`…Url`, `…Uri`, `media`, and any `http(s)://` value: the host stays, the path segments
 * holding digits (but versions like `v2` and segments under 3 characters) and every query value are replaced, credentials in the URL are dropped), message text
 * (`text`), SIP headers (`sipHeaders`, `diversion`, `X-…` fields), every value under `streamParams` /
 * `customParams`, and ids (prefixed ids, UUIDs) found inside any other text (an error message). `keep` names fields to leave as they are.
 *
 * Cost (it runs per delivery on the capture writer's thread): compact JSON is redacted in one pass over the
 * text (`json-pass.ts`), other JSON parsed and walked; pseudonyms, what a field or element name means and
 * redacted URLs are remembered per redactor (bounded maps, cleared when full). None of it changes the output:
 * every cached value is a pure function of the key and the input.
 */

import { type JsonRedaction, redactCompactJson } from "./json-pass.js";

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
export const CREDENTIAL_ATTRIBUTE: RegExp = /(\s[A-Za-z]*(?:[Pp]assword|[Uu]sername)\s*=\s*)(["'])[^"']*\2/g;
/** Whether an attribute name is one {@link CREDENTIAL_ATTRIBUTE} blanks out. */
export const isCredentialAttribute = (name: string): boolean => /(?:password|username)$/i.test(name);

/** What a field name says about its values (bits), worked out once per name: names repeat in every delivery. */
const KEEP = 1;
const SIP_HEADER = 2;
const URL_FIELD = 4;
const TEXT_FIELD = 8;
const ID_FIELD = 16;
const PHONE_FIELD = 32;
const CONTAINER = 64;
/** Bounds of the per-capture caches (cleared when full; entries are pure functions of the key and the value). */
const CACHE_LIMIT = 50_000;
const NAME_LIMIT = 10_000;

/**
 * Whether `text` may hold an {@link ID_TOKEN}: 8 hex digits then `-` somewhere (every id token has them).
 * A scan of the characters, much cheaper than the token's expression on text that has none (times, words).
 */
function mayHoldId(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) run++;
    else if (c === 45 && run >= 8) return true;
    else run = 0;
  }
  return false;
}

/** A character XML escapes (`answer` also looks for the escaped form of a value holding one). */
const XML_SPECIAL = /[&<>]/;
const HTTP = /^https?:\/\//i;
/** Whether `text` starts with `http://` or `https://`, any case. */
const startsWithHttp = (text: string): boolean => (text.charCodeAt(0) | 32) === 104 && HTTP.test(text);

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
export function createRedactor(options: RedactionOptions): Redactor {
  const keep = new Set(options.keep ?? []);
  const cache = new Map<string, string>();
  const kinds = new Map<string, number>();
  /** Redacted URLs with the pairs they noted (a call's `callUrl` comes back in each of its callbacks). */
  const urls = new Map<string, { readonly text: string; readonly pairs: readonly (readonly [string, string])[] }>();

  function kindOf(key: string): number {
    let kind = kinds.get(key);
    if (kind !== undefined) return kind;
    kind =
      (keep.has(key) ? KEEP : 0) |
      (SIP_HEADER_KEY.test(key) ? SIP_HEADER : 0) |
      (URL_KEY.test(key) ? URL_FIELD : 0) |
      (TEXT_KEY.test(key) ? TEXT_FIELD : 0) |
      (ID_KEY.test(key) ? ID_FIELD : 0) |
      (PHONE_KEY.test(key) ? PHONE_FIELD : 0) |
      (CONTAINER_KEY.test(key) ? CONTAINER : 0);
    if (kinds.size >= NAME_LIMIT) kinds.clear();
    kinds.set(key, kind);
    return kind;
  }

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
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(value, out);
    return out;
  }

  function note(replaced: Map<string, string>, from: string, to: string): string {
    if (from !== to && from.length >= 3) replaced.set(from, to);
    return to;
  }

  /** Free text: every E.164 number and every id-looking token in it. */
  function phones(text: string, replaced: Map<string, string>): string {
    const numbers = text.includes("+") ? text.replace(E164, (match) => note(replaced, match, pseudonym(match))) : text;
    return mayHoldId(numbers) ? numbers.replace(ID_TOKEN, (match) => note(replaced, match, pseudonym(match))) : numbers;
  }

  /** {@link urlOf}, remembered per URL with the pairs it noted (noted again, in the same order, on a repeat). */
  function redactUrl(text: string, replaced: Map<string, string>): string {
    let known = urls.get(text);
    if (known === undefined) {
      const own = new Map<string, string>();
      known = { text: urlOf(text, own), pairs: [...own] };
      if (urls.size >= CACHE_LIMIT) urls.clear();
      urls.set(text, known);
    }
    for (const [from, to] of known.pairs) replaced.set(from, to);
    return known.text;
  }

  function urlOf(text: string, replaced: Map<string, string>): string {
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
    if (text === "") return text;
    const kind = kindOf(key);
    if ((kind & KEEP) !== 0) return text;
    if (inside || (kind & SIP_HEADER) !== 0) return note(replaced, text, pseudonym(text));
    if ((kind & URL_FIELD) !== 0 || startsWithHttp(text)) return redactUrl(text, replaced);
    if ((kind & TEXT_FIELD) !== 0) return note(replaced, text, `[redacted ${pseudonym(hexOf(text))}]`);
    if ((kind & ID_FIELD) !== 0) return note(replaced, text, pseudonym(text));
    if ((kind & PHONE_FIELD) !== 0) {
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

  /** Redacts a parsed JSON value in place (it is the caller's own copy) and returns it, or the replaced scalar. */
  function walk(node: unknown, key: string, inside: boolean, replaced: Map<string, string>): unknown {
    if (typeof node === "string") return value(key, node, inside, replaced);
    if (node === null || typeof node !== "object") {
      return inside && (typeof node === "number" || typeof node === "boolean") && (kindOf(key) & KEEP) === 0 ? pseudonym(String(node)) : node;
    }
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = walk(node[i], key, inside, replaced);
      return node;
    }
    const kind = kindOf(key);
    if ((kind & KEEP) !== 0) return node;
    const nested = inside || (kind & CONTAINER) !== 0;
    const object = node as Record<string, unknown>;
    for (const name of Object.keys(object)) object[name] = walk(object[name], name, nested, replaced);
    return object;
  }

  /** The one-pass redaction of compact JSON bodies (`json-pass.ts`), noting into `noting`. */
  let noting = new Map<string, string>();
  const json: JsonRedaction = {
    keeps: (key) => (kindOf(key) & KEEP) !== 0,
    opens: (key) => (kindOf(key) & CONTAINER) !== 0,
    string: (key, text, inside) => value(key, text, inside, noting),
    scalar: (text) => pseudonym(text),
  };

  const elements = new Map<string, boolean>();
  /** Whether an XML element's text is replaced (by its name, worked out once per name). */
  function personalElement(name: string): boolean {
    let personal = elements.get(name);
    if (personal === undefined) {
      personal = !keep.has(name) && XML_PERSONAL.test(name);
      if (elements.size >= NAME_LIMIT) elements.clear();
      elements.set(name, personal);
    }
    return personal;
  }

  function xml(text: string, replaced: Map<string, string>): string {
    const elements = text.replace(/<([A-Za-z_][\w.-]*)(\s[^>]*)?>([^<]*)<\/\1\s*>/g, (whole, name: string, attrs: string | undefined, inner: string) => {
      if (!personalElement(name) || inner.trim() === "") return whole;
      return `<${name}${attrs ?? ""}>${NOT_PERSONAL.test(inner.trim()) ? inner : note(replaced, inner, pseudonym(inner))}</${name}>`;
    });
    return phones(elements, replaced);
  }

  return {
    pseudonym,
    body(text: string, contentType: string | undefined): { text: string; replaced: Map<string, string> } {
      let replaced = new Map<string, string>();
      const media = (contentType ?? "").toLowerCase();
      const trimmed = text.trimStart();
      if (trimmed === "") return { text, replaced };
      if (media.includes("json") || trimmed.startsWith("{") || trimmed.startsWith("[")) {
        // compact JSON in one pass; anything else (or a failure of the pass) parsed and walked as before,
        // noting afresh, so the pairs are noted in the walk's order either way
        noting = replaced;
        const compact = redactCompactJson(text, json);
        if (compact !== undefined) return { text: compact, replaced };
        replaced = new Map<string, string>();
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
        if (!XML_SPECIAL.test(original)) continue;
        const escaped = original.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
        if (out.includes(escaped)) out = out.split(escaped).join(replaced.get(original)!);
      }
      return out;
    },
  };
}
