// The project's one XML parser: small, strict, fast and safe (escaping is in escape.ts).
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
//
// This file builds the element tree; scanner.ts reads the lexical pieces, syntax.ts holds the character
// classes and the error type.

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

import { XmlScanner } from "./scanner.js";
import { FORBIDDEN_CHAR, XmlParseError, isSpace, normaliseLineEnds, utf8Length } from "./syntax.js";

export { XmlParseError, xmlPosition } from "./syntax.js";

const DEFAULT_MAX_BYTES = 1024 * 1024;
const DEFAULT_MAX_DEPTH = 64;

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
  return parseDocument(new XmlScanner(src, typeof input !== "string"), maxDepth);
}

/** Parses the prolog, the one root element and the trailing misc (comments, PIs, whitespace). */
function parseDocument(s: XmlScanner, maxDepth: number): XmlElement {
  const src = s.src;
  if (src.charCodeAt(0) === 0xfeff) s.pos = 1;
  const bad = FORBIDDEN_CHAR.exec(src);
  if (bad !== null) {
    const code = bad[0].charCodeAt(0);
    s.fail(`character U+${code.toString(16).toUpperCase().padStart(4, "0")} is not allowed in XML 1.0`, bad.index);
  }
  if (src.startsWith("<?xml", s.pos) && (isSpace(src.charCodeAt(s.pos + 5)) || src.charCodeAt(s.pos + 5) === 63)) {
    s.readDeclaration();
  }
  let root: XmlElement | undefined;
  for (;;) {
    s.skipSpace();
    if (s.pos >= src.length) break;
    if (src.charCodeAt(s.pos) !== 60 /* < */) {
      s.fail(root === undefined ? "text is not allowed before the root element" : "text is not allowed after the root element");
    }
    const next = src.charCodeAt(s.pos + 1);
    if (next === 33 /* ! */) {
      if (src.startsWith("<!--", s.pos)) s.skipComment();
      else if (src.startsWith("<!DOCTYPE", s.pos)) {
        s.fail("DOCTYPE declarations are not allowed (no DTDs, no entity declarations)");
      } else s.fail("unexpected markup declaration; only comments are allowed outside the root element");
    } else if (next === 63 /* ? */) {
      s.skipProcessingInstruction();
    } else if (root === undefined) {
      root = parseElement(s, maxDepth);
    } else {
      s.fail("only one root element is allowed");
    }
  }
  if (root === undefined) s.fail("document has no root element");
  return root;
}

/** The open elements (innermost last) and the text not yet given to the innermost one. */
interface TreeState {
  readonly stack: XmlElement[];
  text: string;
}

/** Gives the pending text to `element` (merged with adjacent text, as `nodes` promises). */
function flushText(state: TreeState, element: XmlElement): void {
  if (state.text !== "") {
    element.nodes.push(state.text);
    element.text += state.text;
    state.text = "";
  }
}

/** Reads a start tag at `<` (name and attributes); `selfClosing` for `<name/>`. */
function readStartTag(s: XmlScanner, tagStart: number): { element: XmlElement; selfClosing: boolean } {
  const src = s.src;
  s.pos++;
  const name = s.readName("element name");
  const attributes: Record<string, string> = {};
  for (;;) {
    const before = s.pos;
    s.skipSpace();
    if (s.pos >= src.length) s.fail(`unterminated start tag <${name}>`, tagStart);
    const c = src.charCodeAt(s.pos);
    if (c === 62 /* > */) {
      s.pos++;
      return { element: { name, attributes, children: [], nodes: [], text: "" }, selfClosing: false };
    }
    if (c === 47 /* / */) {
      if (src.charCodeAt(s.pos + 1) !== 62) s.fail('expected ">" after "/"', s.pos + 1);
      s.pos += 2;
      return { element: { name, attributes, children: [], nodes: [], text: "" }, selfClosing: true };
    }
    if (before === s.pos) s.fail(`expected whitespace, ">" or "/>" in start tag <${name}>`);
    const attrStart = s.pos;
    const attrName = s.readName("attribute name");
    s.skipSpace();
    if (src.charCodeAt(s.pos) !== 61 /* = */) s.fail(`expected "=" after attribute name "${attrName}"`);
    s.pos++;
    s.skipSpace();
    const value = s.readAttributeValue(attrName);
    if (Object.hasOwn(attributes, attrName)) {
      s.fail(`duplicate attribute "${attrName}" on <${name}>`, attrStart);
    }
    setAttribute(attributes, attrName, value);
  }
}

function setAttribute(attributes: Record<string, string>, name: string, value: string): void {
  if (name === "__proto__") {
    Object.defineProperty(attributes, name, { value, enumerable: true, writable: true, configurable: true });
  } else {
    attributes[name] = value;
  }
}

/** Reads an end tag at `</` and closes the innermost element; `true` when that was the root. */
function closeElement(s: XmlScanner, state: TreeState, lt: number): boolean {
  const src = s.src;
  s.pos = lt + 2;
  const closeName = s.readName("element name in end tag");
  s.skipSpace();
  if (src.charCodeAt(s.pos) !== 62) s.fail(`expected ">" to end </${closeName}>`);
  s.pos++;
  const open = state.stack.pop() as XmlElement;
  if (open.name !== closeName) {
    s.fail(`end tag </${closeName}> does not match start tag <${open.name}>`, lt);
  }
  flushText(state, open);
  return state.stack.length === 0;
}

/** Reads `<!...>` inside an element: a comment (skipped), CDATA (text) or a refused declaration. */
function readMarkupDeclaration(s: XmlScanner, state: TreeState, lt: number): void {
  const src = s.src;
  if (src.startsWith("<!--", lt)) s.skipComment();
  else if (src.startsWith("<![CDATA[", lt)) {
    const end = src.indexOf("]]>", lt + 9);
    if (end < 0) s.fail("unterminated CDATA section", lt);
    state.text += normaliseLineEnds(src.slice(lt + 9, end));
    s.pos = end + 3;
  } else if (src.startsWith("<!DOCTYPE", lt)) {
    s.fail("DOCTYPE declarations are not allowed (no DTDs, no entity declarations)", lt);
  } else s.fail("unexpected markup declaration", lt);
}

/** Reads content up to the next child start tag (`false`) or until the root closes (`true`). */
function readContent(s: XmlScanner, state: TreeState): boolean {
  const src = s.src;
  for (;;) {
    const lt = src.indexOf("<", s.pos);
    if (lt < 0) s.fail(`<${state.stack[state.stack.length - 1].name}> is not closed`, src.length);
    if (lt > s.pos) state.text += s.readText(lt);
    s.pos = lt;
    const next = src.charCodeAt(lt + 1);
    if (next === 47 /* / */) {
      if (closeElement(s, state, lt)) return true;
    } else if (next === 33 /* ! */) {
      readMarkupDeclaration(s, state, lt);
    } else if (next === 63 /* ? */) {
      s.skipProcessingInstruction();
    } else {
      return false; // a child start tag
    }
  }
}

/** Parses the element starting at `<` and everything inside it, iteratively (no recursion). */
function parseElement(s: XmlScanner, maxDepth: number): XmlElement {
  const state: TreeState = { stack: [], text: "" };
  const stack = state.stack;
  let root: XmlElement | undefined;
  for (;;) {
    // at '<' of a start tag
    const tagStart = s.pos;
    const { element, selfClosing } = readStartTag(s, tagStart);
    if (stack.length > 0) {
      const parent = stack[stack.length - 1];
      flushText(state, parent);
      parent.children.push(element);
      parent.nodes.push(element);
    } else {
      root = element;
    }
    if (!selfClosing) {
      if (stack.length >= maxDepth) s.fail(`elements are nested deeper than ${maxDepth} levels`, tagStart);
      stack.push(element);
    } else if (stack.length === 0) {
      return element;
    }
    // content until the next start tag (or until the root closes)
    if (readContent(s, state)) return root as XmlElement;
  }
}
