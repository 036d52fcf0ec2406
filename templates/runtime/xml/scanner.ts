// The XML parser's cursor over the decoded document: reads names, attribute values, text with its
// entity and character references, and skips comments, processing instructions and the XML
// declaration, failing with line:column (XmlParseError). The tree is built by parser.ts.

import { XmlParseError, isNameChar, isNameStart, isSpace, isXmlChar, normaliseLineEnds, xmlPosition } from "./syntax.js";

/** A position in one document, moved forward by the read/skip methods. */
export class XmlScanner {
  pos = 0;
  /**
   * Where the next `&` at or after the last search start is (-1: none up to the end). Text and attribute
   * reading only move forward, so one remembered position makes every search for `&` together linear
   * in the document (searching to the end once per text segment was quadratic).
   */
  private amp = -2;
  readonly src: string;
  private readonly fromBytes: boolean;

  constructor(src: string, fromBytes: boolean) {
    this.src = src;
    this.fromBytes = fromBytes;
  }

  fail(reason: string, at: number = this.pos): never {
    const { line, column } = xmlPosition(this.src, at);
    throw new XmlParseError(reason, line, column, at);
  }

  readDeclaration(): void {
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

  skipSpace(): void {
    const src = this.src;
    while (this.pos < src.length && isSpace(src.charCodeAt(this.pos))) this.pos++;
  }

  skipComment(): void {
    const start = this.pos;
    const dash = this.src.indexOf("--", start + 4);
    if (dash < 0) this.fail("unterminated comment", start);
    if (this.src.charCodeAt(dash + 2) !== 62 /* > */) this.fail('"--" is not allowed inside a comment', dash);
    this.pos = dash + 3;
  }

  skipProcessingInstruction(): void {
    const start = this.pos;
    this.pos += 2;
    const target = this.readName("processing instruction target");
    if (target.toLowerCase() === "xml") this.fail("the XML declaration is only allowed at the very start of the document", start);
    const end = this.src.indexOf("?>", this.pos);
    if (end < 0) this.fail("unterminated processing instruction", start);
    if (end > this.pos && !isSpace(this.src.charCodeAt(this.pos))) this.fail("expected whitespace after processing instruction target");
    this.pos = end + 2;
  }

  readName(what: string): string {
    const src = this.src;
    const start = this.pos;
    if (start >= src.length || !isNameStart(src.charCodeAt(start))) this.fail(`expected ${what}`);
    let p = start + 1;
    while (p < src.length && isNameChar(src.charCodeAt(p))) p++;
    this.pos = p;
    return src.slice(start, p);
  }

  /** The position of the first `&` at or after `from` (-1: none); amortised linear over a parse. */
  private nextAmp(from: number): number {
    const known = this.amp;
    if (known === -1 || known >= from) return known;
    return (this.amp = this.src.indexOf("&", from));
  }

  /** Reads character data from pos up to `end` (exclusive), expanding references. */
  readText(end: number): string {
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

  readAttributeValue(attrName: string): string {
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
  readReference(limit: number): string {
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
