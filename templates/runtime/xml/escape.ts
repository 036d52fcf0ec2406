// XML escaping for text and attribute values: markup characters become references, characters XML 1.0
// cannot represent throw (or are dropped on request). Used by the BXML renderer and the numbers
// replies; edge-safe (no Node APIs).
import { BandwidthError } from "../errors.js";

/** Thrown by the escaping helpers when a string holds a character XML 1.0 cannot represent. */
export class XmlCharacterError extends BandwidthError {
  /** Index (UTF-16 code units) of the offending character in the string. */
  readonly index: number;
  /** Code point (or lone surrogate) that cannot be written. */
  readonly codePoint: number;
  constructor(codePoint: number, index: number) {
    super(
      "BW_XML_CHARACTER",
      `character U+${codePoint.toString(16).toUpperCase().padStart(4, "0")} at index ${index} cannot be written in XML 1.0 ` +
        "(control characters other than tab, line feed and carriage return, lone surrogates, U+FFFE and U+FFFF are forbidden)",
    );
    this.name = "XmlCharacterError";
    this.index = index;
    this.codePoint = codePoint;
  }
}

/** What the escaping helpers do with characters XML 1.0 forbids: throw {@link XmlCharacterError} or drop them. */
export type InvalidCharPolicy = "error" | "remove";

// Anything that needs work: markup characters, CR/LF/TAB (kept as references in attributes), any C0
// control, any surrogate (pairs are fine, lone ones are not), U+FFFE/U+FFFF.
const NEEDS_ESCAPE_TEXT = /[&<>"'\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const NEEDS_ESCAPE_ATTR = /[&<>"'\t\n\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/**
 * Escapes a string for use as XML character data: `& < > " '` become entity references and CR a
 * character reference (so it survives line-end normalisation). Forbidden characters throw or are removed.
 *
 * @example
 * escapeXmlText('Press 1 & say "yes" <now>'); // 'Press 1 &amp; say &quot;yes&quot; &lt;now&gt;'
 */
export function escapeXmlText(value: string, invalid: InvalidCharPolicy = "error"): string {
  return NEEDS_ESCAPE_TEXT.test(value) ? escapeSlow(value, false, invalid) : value;
}

/**
 * Escapes a string for use inside a double- or single-quoted XML attribute value: `& < > " '` become
 * entity references, and tab, LF and CR character references (so attribute-value normalisation keeps
 * them). Forbidden characters throw or are removed.
 *
 * @example
 * `<PlayAudio username="${escapeXmlAttribute('a"b')}">`; // '<PlayAudio username="a&quot;b">'
 */
export function escapeXmlAttribute(value: string, invalid: InvalidCharPolicy = "error"): string {
  return NEEDS_ESCAPE_ATTR.test(value) ? escapeSlow(value, true, invalid) : value;
}

function escapeSlow(value: string, attribute: boolean, invalid: InvalidCharPolicy): string {
  let out = "";
  let last = 0;
  const length = value.length;
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c > 62 && c < 0xd800) continue; // the common case: nothing to do
    let rep: string;
    switch (c) {
      case 38:
        rep = "&amp;";
        break;
      case 60:
        rep = "&lt;";
        break;
      case 62:
        rep = "&gt;";
        break;
      case 34:
        rep = "&quot;";
        break;
      case 39:
        rep = "&apos;";
        break;
      case 13:
        rep = "&#13;";
        break;
      case 10:
        if (!attribute) continue;
        rep = "&#10;";
        break;
      case 9:
        if (!attribute) continue;
        rep = "&#9;";
        break;
      default:
        if (c >= 0x20 && c < 0xd800) continue;
        if (c >= 0xd800 && c <= 0xdfff) {
          if (c <= 0xdbff && i + 1 < length && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
            i++; // a valid pair stays as is
            continue;
          }
        } else if (c > 0xdfff && c !== 0xfffe && c !== 0xffff) continue;
        rep = invalidChar(c, i, invalid);
    }
    if (i > last) out += value.slice(last, i);
    out += rep;
    last = i + 1;
  }
  if (last === 0) return value;
  return last < length ? out + value.slice(last) : out;
}

function invalidChar(c: number, index: number, invalid: InvalidCharPolicy): string {
  if (invalid === "remove") return "";
  throw new XmlCharacterError(c, index);
}
