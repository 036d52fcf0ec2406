/**
 * From request bytes to the value a handler sees, refusing what cannot be read faithfully: strict UTF-8
 * decoding (invalid bytes are refused, not replaced with U+FFFD), an XML declaration naming another
 * encoding (refused: it would otherwise be decoded as UTF-8), and `__proto__` keys (dropped from parsed
 * JSON and from a value a framework parsed, so handler code that merges the event into another object
 * with `Object.assign` or a recursive merge cannot reach `Object.prototype`).
 *
 * Edge-safe: only `TextDecoder`.
 */

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** What {@link decodeUtf8} returns for bytes that are not UTF-8. */
export const INVALID_UTF8: unique symbol = Symbol("invalid UTF-8");

/**
 * Decodes a body as UTF-8 without replacing anything: bytes that are not UTF-8 give `INVALID_UTF8`.
 * A leading byte-order mark is dropped.
 *
 * @example
 * decodeUtf8(new Uint8Array([0x7b, 0x7d])); // "{}"
 * decodeUtf8(new Uint8Array([0x7b, 0xff, 0x7d])); // INVALID_UTF8
 */
export function decodeUtf8(bytes: Uint8Array): string | typeof INVALID_UTF8 {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return INVALID_UTF8;
  }
}

const XML_DECLARATION_ENCODING = /^\uFEFF?<\?xml[ \t\r\n][^?>]*?\bencoding[ \t\r\n]*=[ \t\r\n]*["']([^"']*)["']/;

/**
 * The encoding an XML document's declaration names (text, or the body's bytes), when it names one other
 * than UTF-8 (or US-ASCII, a subset); `undefined` otherwise.
 *
 * @example
 * foreignXmlEncoding('<?xml version="1.0" encoding="ISO-8859-1"?><a/>'); // "ISO-8859-1"
 * foreignXmlEncoding('<?xml version="1.0" encoding="utf-8"?><a/>');      // undefined
 */
export function foreignXmlEncoding(body: string | Uint8Array): string | undefined {
  // the declaration is ASCII: for bytes, its first 256 are enough and are read one byte per character
  // (before decoding, so a Latin-1 body is refused for its declaration, not for its bytes)
  let head: string;
  if (typeof body === "string") head = body.slice(0, 256);
  else {
    const start = body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
    head = String.fromCharCode(...body.subarray(start, start + 256));
  }
  if (!head.startsWith("<?xml") && !head.startsWith("\uFEFF<?xml")) return undefined;
  const match = XML_DECLARATION_ENCODING.exec(head);
  if (match === null) return undefined;
  const name = match[1].toLowerCase();
  return name === "utf-8" || name === "utf8" || name === "us-ascii" ? undefined : match[1];
}

/**
 * Whether JSON text may hold a `__proto__` key (spelled out, or with escapes, which JSON.parse decodes):
 * a cheap test that lets {@link dropProtoKeys} be skipped for nearly every body.
 */
export function mayHoldProtoKey(text: string): boolean {
  return text.includes("__proto__") || text.includes("\\u");
}

/**
 * Deletes every own `__proto__` property from a parsed JSON value, at any depth (objects in arrays
 * included), in place; returns the value. JSON.parse creates such keys as plain own properties; they are
 * harmless until handler code copies them with `Object.assign` or a merge, which would set a prototype.
 *
 * @example
 * dropProtoKeys(JSON.parse('{"a":1,"__proto__":{"x":1}}')); // { a: 1 }
 */
export function dropProtoKeys<T>(value: T): T {
  drop(value);
  return value;
}

/** Walks with an explicit stack (no recursion limit for deeply nested input), each object once (cycles). */
function drop(root: unknown): void {
  const stack: unknown[] = [root];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const value = stack.pop();
    if (value === null || typeof value !== "object" || seen.has(value)) continue;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === "object") stack.push(item);
      continue;
    }
    const record = value as Record<string, unknown>;
    if (Object.hasOwn(record, "__proto__")) Reflect.deleteProperty(record, "__proto__"); // the own key only
    for (const key of Object.keys(record)) {
      const child = record[key];
      if (child !== null && typeof child === "object") stack.push(child);
    }
  }
}
