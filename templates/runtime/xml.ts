// The project's one XML parser and XML escaping helpers: small, strict, fast and safe.
//
// Used for BXML (parseBxml) and for the numbers product's XML notifications. It is a hand-written,
// non-validating XML 1.0 parser with these deliberate properties:
// - no DTD processing at all: any `<!DOCTYPE` (and so any entity declaration) is rejected, nothing is
//   ever fetched, only the five predefined entities and numeric character references are expanded;
// - well-formedness errors carry line:column;
// - characters XML 1.0 forbids (C0 controls, lone surrogates, U+FFFE/U+FFFF) are rejected, raw or as
//   character references;
// - input size (UTF-8 bytes) and element depth are limited;
// - no namespace processing: `xml:lang` or `amazon:effect` are plain names;
// - edge-safe: no eval, no Node APIs (TextDecoder is a web standard).

/** One element of a parsed document. */
export interface XmlElement {
  /** Element name exactly as written (case-sensitive, prefix included: `xml:lang`). */
  name: string;
  /** Attribute values after entity expansion and XML attribute-value normalisation, in document order. */
  attributes: Record<string, string>;
  /** Child elements only, in document order. */
  children: XmlElement[];
  /**
   * Mixed content in document order: child elements and text nodes (strings). Adjacent text, CDATA
   * sections and character references are merged into one string; comments and processing
   * instructions are dropped. Whitespace-only text is kept.
   */
  nodes: Array<XmlElement | string>;
  /** All direct text of this element concatenated (not the text of descendants). */
  text: string;
}

/** Limits for {@link parseXml}. */
export interface XmlParseOptions {
  /** Maximum document size in UTF-8 bytes (default 1 MiB). */
  maxBytes?: number;
  /** Maximum element nesting depth; the root element is depth 1 (default 64). */
  maxDepth?: number;
}

/** A well-formedness or limit error, with the position where it was found (1-based line and column). */
export class XmlParseError extends Error {
  /** 1-based line of the error. */
  readonly line: number;
  /** 1-based column (UTF-16 code units) of the error. */
  readonly column: number;
  /** 0-based offset in the (decoded) input. */
  readonly offset: number;
  /** The message without the position prefix. */
  readonly reason: string;
  constructor(reason: string, line: number, column: number, offset: number) {
    super(`${line}:${column}: ${reason}`);
    this.name = "XmlParseError";
    this.reason = reason;
    this.line = line;
    this.column = column;
    this.offset = offset;
  }
}

const DEFAULT_MAX_BYTES = 1024 * 1024;
const DEFAULT_MAX_DEPTH = 64;

/** Characters XML 1.0 forbids anywhere, written raw: C0 controls except tab/LF/CR, U+FFFE/U+FFFF, lone surrogates. */
const FORBIDDEN_CHAR =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Parses an XML document into its root element.
 *
 * @throws {XmlParseError} when the input is not well-formed XML 1.0, has a DOCTYPE, uses an entity other
 *   than the five predefined ones, contains a forbidden character, or exceeds a limit.
 * @example
 * const root = parseXml('<?xml version="1.0"?><Response><Hangup/></Response>');
 * root.name;              // "Response"
 * root.children[0].name;  // "Hangup"
 */
export function parseXml(input: string | Uint8Array, options?: XmlParseOptions): XmlElement {
  const maxBytes = options?.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxDepth = options?.maxDepth ?? DEFAULT_MAX_DEPTH;
  let src: string;
  if (typeof input === "string") {
    if (input.length > maxBytes || (input.length * 3 > maxBytes && utf8Length(input) > maxBytes)) {
      throw new XmlParseError(`document is larger than ${maxBytes} bytes`, 1, 1, 0);
    }
    src = input;
  } else {
    if (input.byteLength > maxBytes) throw new XmlParseError(`document is larger than ${maxBytes} bytes`, 1, 1, 0);
    try {
      src = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(input);
    } catch {
      throw new XmlParseError("document is not valid UTF-8", 1, 1, 0);
    }
  }
  return new Parser(src, maxDepth, typeof input !== "string").parseDocument();
}

/** UTF-8 length of a string (well-formed or not; lone surrogates count 3 bytes as the encoder would write U+FFFD). */
function utf8Length(s: string): number {
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

function isNameStart(c: number): boolean {
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

function isNameChar(c: number): boolean {
  if (c < 0x80) {
    return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 58 || c === 45 || c === 46;
  }
  return isNameStart(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 9 || c === 13;
}

function isXmlChar(cp: number): boolean {
  return (
    cp === 9 || cp === 10 || cp === 13 || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function setAttribute(attributes: Record<string, string>, name: string, value: string): void {
  if (name === "__proto__") {
    Object.defineProperty(attributes, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    attributes[name] = value;
  }
}

class Parser {
  private pos = 0;
  /**
   * Where the next `&` at or after the last search start is (-1: none up to the end). Text and attribute
   * reading only move forward, so one remembered position makes every search for `&` together linear
   * in the document (searching to the end once per text segment was quadratic).
   */
  private amp = -2;
  private readonly src: string;
  private readonly maxDepth: number;
  private readonly fromBytes: boolean;

  constructor(src: string, maxDepth: number, fromBytes: boolean) {
    this.src = src;
    this.maxDepth = maxDepth;
    this.fromBytes = fromBytes;
  }

  fail(reason: string, at: number = this.pos): never {
    const { line, column } = xmlPosition(this.src, at);
    throw new XmlParseError(reason, line, column, at);
  }

  parseDocument(): XmlElement {
    const src = this.src;
    if (src.charCodeAt(0) === 0xfeff) this.pos = 1;
    const bad = FORBIDDEN_CHAR.exec(src);
    if (bad !== null) {
      const code = bad[0].charCodeAt(0);
      this.fail(`character U+${code.toString(16).toUpperCase().padStart(4, "0")} is not allowed in XML 1.0`, bad.index);
    }
    if (src.startsWith("<?xml", this.pos) && (isSpace(src.charCodeAt(this.pos + 5)) || src.charCodeAt(this.pos + 5) === 63)) {
      this.parseDeclaration();
    }
    let root: XmlElement | undefined;
    for (;;) {
      this.skipSpace();
      if (this.pos >= src.length) break;
      if (src.charCodeAt(this.pos) !== 60 /* < */) {
        this.fail(root === undefined ? "text is not allowed before the root element" : "text is not allowed after the root element");
      }
      const next = src.charCodeAt(this.pos + 1);
      if (next === 33 /* ! */) {
        if (src.startsWith("<!--", this.pos)) this.skipComment();
        else if (src.startsWith("<!DOCTYPE", this.pos)) {
          this.fail("DOCTYPE declarations are not allowed (no DTDs, no entity declarations)");
        } else this.fail("unexpected markup declaration; only comments are allowed outside the root element");
      } else if (next === 63 /* ? */) {
        this.skipProcessingInstruction();
      } else if (root === undefined) {
        root = this.parseElement();
      } else {
        this.fail("only one root element is allowed");
      }
    }
    if (root === undefined) this.fail("document has no root element");
    return root;
  }

  private parseDeclaration(): void {
    const src = this.src;
    const start = this.pos;
    const end = src.indexOf("?>", start);
    if (end < 0) this.fail("unterminated XML declaration");
    const body = src.slice(start + 5, end);
    const m = /^\s+version\s*=\s*(?:"([^"]*)"|'([^']*)')(?:\s+encoding\s*=\s*(?:"([^"]*)"|'([^']*)'))?(?:\s+standalone\s*=\s*(?:"([^"]*)"|'([^']*)'))?\s*$/.exec(
      body,
    );
    if (m === null) this.fail("malformed XML declaration (expected version, then optional encoding and standalone)", start);
    const version = m[1] ?? m[2];
    if (version !== "1.0") this.fail(`unsupported XML version "${version}" (only 1.0)`, start);
    const encoding = m[3] ?? m[4];
    if (encoding !== undefined) {
      if (!/^[A-Za-z][A-Za-z0-9._-]*$/.test(encoding)) this.fail(`malformed encoding name "${encoding}"`, start);
      if (this.fromBytes && !/^utf-?8$/i.test(encoding)) this.fail(`unsupported encoding "${encoding}" (only UTF-8)`, start);
    }
    const standalone = m[5] ?? m[6];
    if (standalone !== undefined && standalone !== "yes" && standalone !== "no") {
      this.fail(`standalone must be "yes" or "no", not "${standalone}"`, start);
    }
    this.pos = end + 2;
  }

  private skipSpace(): void {
    const src = this.src;
    while (this.pos < src.length && isSpace(src.charCodeAt(this.pos))) this.pos++;
  }

  private skipComment(): void {
    const start = this.pos;
    const dash = this.src.indexOf("--", start + 4);
    if (dash < 0) this.fail("unterminated comment", start);
    if (this.src.charCodeAt(dash + 2) !== 62 /* > */) this.fail('"--" is not allowed inside a comment', dash);
    this.pos = dash + 3;
  }

  private skipProcessingInstruction(): void {
    const start = this.pos;
    this.pos += 2;
    const target = this.readName("processing instruction target");
    if (target.toLowerCase() === "xml") this.fail("the XML declaration is only allowed at the very start of the document", start);
    const end = this.src.indexOf("?>", this.pos);
    if (end < 0) this.fail("unterminated processing instruction", start);
    if (end > this.pos && !isSpace(this.src.charCodeAt(this.pos))) this.fail("expected whitespace after processing instruction target");
    this.pos = end + 2;
  }

  private readName(what: string): string {
    const src = this.src;
    const start = this.pos;
    if (start >= src.length || !isNameStart(src.charCodeAt(start))) this.fail(`expected ${what}`);
    let p = start + 1;
    while (p < src.length && isNameChar(src.charCodeAt(p))) p++;
    this.pos = p;
    return src.slice(start, p);
  }

  /** Parses the element starting at `<` and everything inside it, iteratively (no recursion). */
  private parseElement(): XmlElement {
    const src = this.src;
    const len = src.length;
    const stack: XmlElement[] = [];
    let root: XmlElement | undefined;
    let text = ""; // pending text of the current (top) element
    for (;;) {
      // at '<' of a start tag
      const tagStart = this.pos;
      this.pos++;
      const name = this.readName("element name");
      const attributes: Record<string, string> = {};
      let selfClosing = false;
      for (;;) {
        const before = this.pos;
        this.skipSpace();
        if (this.pos >= len) this.fail(`unterminated start tag <${name}>`, tagStart);
        const c = src.charCodeAt(this.pos);
        if (c === 62 /* > */) {
          this.pos++;
          break;
        }
        if (c === 47 /* / */) {
          if (src.charCodeAt(this.pos + 1) !== 62) this.fail('expected ">" after "/"', this.pos + 1);
          this.pos += 2;
          selfClosing = true;
          break;
        }
        if (before === this.pos) this.fail(`expected whitespace, ">" or "/>" in start tag <${name}>`);
        const attrStart = this.pos;
        const attrName = this.readName("attribute name");
        this.skipSpace();
        if (src.charCodeAt(this.pos) !== 61 /* = */) this.fail(`expected "=" after attribute name "${attrName}"`);
        this.pos++;
        this.skipSpace();
        const value = this.readAttributeValue(attrName);
        if (Object.prototype.hasOwnProperty.call(attributes, attrName)) {
          this.fail(`duplicate attribute "${attrName}" on <${name}>`, attrStart);
        }
        setAttribute(attributes, attrName, value);
      }
      const element: XmlElement = { name, attributes, children: [], nodes: [], text: "" };
      if (stack.length > 0) {
        const parent = stack[stack.length - 1];
        if (text !== "") {
          parent.nodes.push(text);
          parent.text += text;
          text = "";
        }
        parent.children.push(element);
        parent.nodes.push(element);
      } else {
        root = element;
      }
      if (!selfClosing) {
        if (stack.length >= this.maxDepth) this.fail(`elements are nested deeper than ${this.maxDepth} levels`, tagStart);
        stack.push(element);
      } else if (stack.length === 0) {
        return element;
      }
      // content until the next start tag (or until the root closes)
      for (;;) {
        const lt = src.indexOf("<", this.pos);
        if (lt < 0) this.fail(`<${stack[stack.length - 1].name}> is not closed`, len);
        if (lt > this.pos) text += this.readText(lt);
        this.pos = lt;
        const next = src.charCodeAt(lt + 1);
        if (next === 47 /* / */) {
          const closeStart = lt;
          this.pos = lt + 2;
          const closeName = this.readName("element name in end tag");
          this.skipSpace();
          if (src.charCodeAt(this.pos) !== 62) this.fail(`expected ">" to end </${closeName}>`);
          this.pos++;
          const open = stack.pop() as XmlElement;
          if (open.name !== closeName) {
            this.fail(`end tag </${closeName}> does not match start tag <${open.name}>`, closeStart);
          }
          if (text !== "") {
            open.nodes.push(text);
            open.text += text;
            text = "";
          }
          if (stack.length === 0) return root as XmlElement;
        } else if (next === 33 /* ! */) {
          if (src.startsWith("<!--", lt)) this.skipComment();
          else if (src.startsWith("<![CDATA[", lt)) {
            const end = src.indexOf("]]>", lt + 9);
            if (end < 0) this.fail("unterminated CDATA section", lt);
            text += normaliseLineEnds(src.slice(lt + 9, end));
            this.pos = end + 3;
          } else if (src.startsWith("<!DOCTYPE", lt)) {
            this.fail("DOCTYPE declarations are not allowed (no DTDs, no entity declarations)", lt);
          } else this.fail("unexpected markup declaration", lt);
        } else if (next === 63 /* ? */) {
          this.skipProcessingInstruction();
        } else {
          break; // a child start tag
        }
      }
    }
  }

  /** The position of the first `&` at or after `from` (-1: none); amortised linear over a parse. */
  private nextAmp(from: number): number {
    const known = this.amp;
    if (known === -1 || known >= from) return known;
    return (this.amp = this.src.indexOf("&", from));
  }

  /** Reads character data from pos up to `end` (exclusive), expanding references. */
  private readText(end: number): string {
    const src = this.src;
    let out = "";
    let p = this.pos;
    for (;;) {
      const amp = this.nextAmp(p);
      const chunkEnd = amp < 0 || amp > end ? end : amp;
      if (chunkEnd > p) {
        const chunk = src.slice(p, chunkEnd);
        if (chunk.includes("]]>")) this.fail('"]]>" is not allowed in text; write "]]&gt;"', p + chunk.indexOf("]]>"));
        out += chunk.includes("\r") ? normaliseLineEnds(chunk) : chunk;
      }
      if (chunkEnd === end) break;
      this.pos = amp;
      out += this.readReference(end);
      p = this.pos;
    }
    this.pos = end;
    return out;
  }

  private readAttributeValue(attrName: string): string {
    const src = this.src;
    const quote = src.charCodeAt(this.pos);
    if (quote !== 34 && quote !== 39) this.fail(`value of attribute "${attrName}" must be quoted`);
    const start = this.pos + 1;
    const end = src.indexOf(quote === 34 ? '"' : "'", start);
    if (end < 0) this.fail(`unterminated value of attribute "${attrName}"`, this.pos);
    const raw = src.slice(start, end);
    const lt = raw.indexOf("<");
    if (lt >= 0) this.fail(`"<" is not allowed in attribute values; write "&lt;"`, start + lt);
    if (raw.indexOf("&") < 0 && !/[\t\n\r]/.test(raw)) {
      this.pos = end + 1;
      return raw;
    }
    let out = "";
    let p = start;
    while (p < end) {
      const c = src.charCodeAt(p);
      if (c === 38 /* & */) {
        this.pos = p;
        out += this.readReference(end);
        p = this.pos;
      } else if (c === 13) {
        out += " ";
        p += src.charCodeAt(p + 1) === 10 ? 2 : 1;
      } else if (c === 10 || c === 9) {
        out += " ";
        p++;
      } else {
        const amp = this.nextAmp(p);
        let stop = amp < 0 || amp > end ? end : amp;
        for (let i = p; i < stop; i++) {
          const d = src.charCodeAt(i);
          if (d === 9 || d === 10 || d === 13) {
            stop = i;
            break;
          }
        }
        out += src.slice(p, stop);
        p = stop;
      }
    }
    this.pos = end + 1;
    return out;
  }

  /** Reads `&...;` at pos (not beyond `limit`) and returns its replacement text. */
  private readReference(limit: number): string {
    const src = this.src;
    const start = this.pos;
    // a reference is at most 12 characters: never search further (a stray "&" far from any ";")
    const semi = src.slice(start, Math.min(limit, start + 13)).indexOf(";") + start;
    if (semi < start || semi > limit || semi - start > 12) this.fail('"&" must start an entity or character reference; write "&amp;"', start);
    const body = src.slice(start + 1, semi);
    this.pos = semi + 1;
    switch (body) {
      case "lt":
        return "<";
      case "gt":
        return ">";
      case "amp":
        return "&";
      case "quot":
        return '"';
      case "apos":
        return "'";
    }
    if (body.charCodeAt(0) === 35 /* # */) {
      let cp: number;
      if (/^#[0-9]+$/.test(body)) cp = Number.parseInt(body.slice(1), 10);
      else if (/^#x[0-9A-Fa-f]+$/.test(body)) cp = Number.parseInt(body.slice(2), 16);
      else this.fail(`malformed character reference "&${body};"`, start);
      if (!isXmlChar(cp)) this.fail(`character reference "&${body};" refers to a character XML 1.0 forbids`, start);
      return String.fromCodePoint(cp);
    }
    if (/^[A-Za-z_:][A-Za-z0-9._:-]*$/.test(body)) {
      this.fail(`undefined entity "&${body};" (only &lt; &gt; &amp; &quot; &apos; and character references are allowed)`, start);
    }
    this.fail('"&" must start an entity or character reference; write "&amp;"', start);
  }
}

function normaliseLineEnds(s: string): string {
  return s.includes("\r") ? s.replace(/\r\n?/g, "\n") : s;
}

// ---------------------------------------------------------------------------------------------
// Escaping

/** Thrown by the escaping helpers when a string holds a character XML 1.0 cannot represent. */
export class XmlCharacterError extends Error {
  /** Index (UTF-16 code units) of the offending character in the string. */
  readonly index: number;
  /** Code point (or lone surrogate) that cannot be written. */
  readonly codePoint: number;
  constructor(codePoint: number, index: number) {
    super(
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
