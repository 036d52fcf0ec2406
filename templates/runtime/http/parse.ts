/**
 * Turns a request into the value to validate: the query string of a GET, a value a framework already
 * parsed, or the body text (BOM stripped) parsed as JSON or by the family's XML parser. Also the
 * conversion of GET query strings to the numbers and booleans the schema wants.
 */

import { decodeUtf8, dropProtoKeys, foreignXmlEncoding, INVALID_UTF8, mayHoldProtoKey } from "./body-text.js";
import { EMPTY_BODY, FOREIGN_XML_ENCODING, MALFORMED_JSON, MALFORMED_XML, NOT_UTF8 } from "./responses.js";
import type { CoreRequest, CoreResponse, WebhookFamily } from "./types.js";
import type { ValidationIssue } from "../validation.js";

/** The parsed request: `fromQuery` marks values that came from a query string (all strings). */
export interface ParsedRequest {
  readonly value: unknown;
  readonly fromQuery: boolean;
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

/** Parses a query string into a plain object of strings (the first value wins for repeated names). */
function parseQuery(url: string): Record<string, unknown> {
  const q = url.indexOf("?");
  const out: Record<string, unknown> = {};
  if (q < 0) return out;
  // Form decoding turns "+" into a space, so an E.164 number sent without percent-encoding
  // (`from=+15551234567`) would read " 15551234567": a value that is "+" and digits keeps its "+".
  const query = url.slice(q + 1).replace(/(^|&)([^=&]*)=\+([0-9]+)(?=&|$)/g, "$1$2=%2B$3");
  for (const [name, value] of new URLSearchParams(query)) {
    if (!Object.hasOwn(out, name) && name !== "__proto__") out[name] = value;
  }
  return out;
}

/**
 * The value of a request, or the answer that says why there is none: 400 for an empty body, bytes that
 * are not UTF-8, malformed JSON or XML; 415 for an XML declaration naming another encoding. `__proto__`
 * keys of JSON (and of a value a framework parsed) are dropped before anything sees the value.
 */
export function parseRequest(family: WebhookFamily, request: CoreRequest): ParsedRequest | CoreResponse {
  if (request.method === "GET") return { value: parseQuery(request.url), fromQuery: true };
  const body = request.body;
  if (body !== null && typeof body === "object" && !(body instanceof Uint8Array)) return { value: dropProtoKeys(body.parsed), fromQuery: false };
  let text: string;
  if (body === undefined || body === null) text = "";
  else if (typeof body === "string") text = body;
  else {
    if (family.format === "xml" && foreignXmlEncoding(body) !== undefined) return FOREIGN_XML_ENCODING;
    const decoded = decodeUtf8(body); // strict: invalid bytes are refused, never replaced with U+FFFD
    if (decoded === INVALID_UTF8) return NOT_UTF8;
    text = decoded;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0 || isBlank(text)) return EMPTY_BODY;
  if (family.format === "xml") {
    if (foreignXmlEncoding(text) !== undefined) return FOREIGN_XML_ENCODING;
    try {
      return { value: family.parseBody!(text), fromQuery: false };
    } catch {
      return MALFORMED_XML;
    }
  }
  let value: unknown;
  try {
    value = family.parseBody === undefined ? JSON.parse(text) : family.parseBody(text);
  } catch {
    return MALFORMED_JSON;
  }
  if (mayHoldProtoKey(text)) dropProtoKeys(value); // JSON.parse keeps "__proto__" as an own key
  return { value, fromQuery: false };
}

/**
 * Voice GET callbacks carry every field as a string. For top-level fields the validator wanted as a number
 * or boolean, converts the string when it is exactly one; returns `undefined` when nothing changed.
 */
export function coerceQueryValues(event: Record<string, unknown>, errors: readonly ValidationIssue[]): Record<string, unknown> | undefined {
  let copy: Record<string, unknown> | undefined;
  for (const issue of errors) {
    const match = /^\/([^/]+)$/.exec(issue.path);
    if (match === null) continue;
    const name = match[1].replace(/~1/g, "/").replace(/~0/g, "~");
    const value = event[name];
    if (typeof value !== "string") continue;
    let converted: unknown = value;
    if (/\b(number|integer)\b/.test(issue.message) && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value)) converted = Number(value);
    else if (/\bboolean\b/.test(issue.message) && (value === "true" || value === "false")) converted = value === "true";
    if (converted !== value) (copy ??= { ...event })[name] = converted;
  }
  return copy;
}
