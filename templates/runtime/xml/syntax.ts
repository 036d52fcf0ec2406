// XML 1.0 lexical building blocks for the parser: character classes, the forbidden-character test,
// UTF-8 length, line:column positions, line-end normalisation and the parse error they report.
import { BandwidthError } from "../errors.js";

/** A well-formedness or limit error, with the position where it was found (1-based line and column). */
export class XmlParseError extends BandwidthError {
  /** 1-based line of the error. */
  readonly line: number;
  /** 1-based column (UTF-16 code units) of the error. */
  readonly column: number;
  /** 0-based offset in the (decoded) input. */
  readonly offset: number;
  /** The message without the position prefix. */
  readonly reason: string;
  constructor(reason: string, line: number, column: number, offset: number) {
    super("BW_MALFORMED_XML", `${line}:${column}: ${reason}`);
    this.name = "XmlParseError";
    this.reason = reason;
    this.line = line;
    this.column = column;
    this.offset = offset;
  }
}

/** Characters XML 1.0 forbids anywhere, written raw: C0 controls except tab/LF/CR, U+FFFE/U+FFFF, lone surrogates. */
export const FORBIDDEN_CHAR: RegExp =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** UTF-8 length of a string (well-formed or not; lone surrogates count 3 bytes as the encoder would write U+FFFD). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/**
 * Computes 1-based line and column of an offset (CR LF, CR and LF each end a line).
 *
 * @example
 * xmlPosition("<a>\n<b/>", 5); // { line: 2, column: 2 }
 */
export function xmlPosition(src: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 10 || (c === 13 && src.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export function isNameStart(c: number): boolean {
  if (c < 0x80) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
  return (
    (c >= 0xc0 && c <= 0xd6) || (c >= 0xd8 && c <= 0xf6) || (c >= 0xf8 && c <= 0x2ff) || (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) || c === 0x200c || c === 0x200d || (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) || (c >= 0x3001 && c <= 0xd7ff) || (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd) ||
    // surrogate pairs for U+10000..U+EFFFF (pairs are known to be well formed at this point)
    (c >= 0xd800 && c <= 0xdb7f) || (c >= 0xdc00 && c <= 0xdfff)
  );
}

export function isNameChar(c: number): boolean {
  if (c < 0x80) {
    return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 58 || c === 45 || c === 46;
  }
  return isNameStart(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040;
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

export function isXmlChar(cp: number): boolean {
  return (
    cp === 9 || cp === 10 || cp === 13 || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

export function normaliseLineEnds(s: string): string {
  return s.includes("\r") ? s.replace(/\r\n?/g, "\n") : s;
}
