// Renders a typed BXML tree ({ name, attributes, children }) to an XML string, correct by
// construction: the tree is first checked against the generated rules table (known elements only,
// allowed nesting, attribute types/enums/ranges, text rules), then written with every attribute
// value and text node escaped. Element and attribute names are only ever taken from the rules table,
// so no string can create markup. SSML exists only as typed child nodes; text is never un-escaped.
import { BandwidthError } from "../errors.js";

import { escapeXmlAttribute, escapeXmlText, XmlCharacterError, type InvalidCharPolicy } from "../xml/escape.js";
import type { ValidationIssue } from "../validation.js";
import {
  type BxmlAttributeValue,
  type BxmlNode,
  type BxmlRules,
  type ElementRule,
  type PathLink,
  type Reporter,
  hasOwn,
  pathOf,
} from "./rules.js";
import { runChecks } from "./checks.js";
import { BOOLEAN, EMPTY, ENUM, MIXED, STRING, TEXT, compileRules, type FastAttribute, type FastRule } from "./compiled-rules.js";
import { validateBxmlTree } from "./tree.js";
import { formatNumber } from "./values.js";

/** Options of {@link renderBxml}. */
export interface BxmlRenderOptions {
  /** Write the `<?xml version="1.0" encoding="UTF-8"?>` declaration (default true). */
  declaration?: boolean;
  /**
   * Characters XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF) in text or
   * attribute values: `"error"` (default) throws {@link BxmlRenderError}; `"remove"` drops them first and
   * then checks what is left, so a value that removal empties or bends out of its rule (a
   * `SpeakSentence` of only a lone surrogate) is refused with a {@link BxmlRenderError} naming it: the
   * output is never a document the parser would reject.
   */
  invalidChars?: InvalidCharPolicy;
}

/**
 * The tree cannot be rendered as valid BXML; `issues` lists every problem with its element path.
 *
 * @example
 * try {
 *   Response(SpeakSentence("bell \u0007")).toString();
 * } catch (error) {
 *   if (error instanceof BxmlRenderError) console.error(error.issues); // [{ path: "/Response/SpeakSentence[1]/text()", message: "character U+0007 …" }]
 * }
 */
export class BxmlRenderError extends BandwidthError {
  /** Every problem found, e.g. `{ path: "/Response/Gather[1]/@maxDigits", message: "must be an integer from 1 to 50, not 0" }`. */
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[]) {
    super("BW_BXML_RENDER", `invalid BXML: ${issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`)).join("; ")}`);
    this.name = "BxmlRenderError";
    this.issues = issues;
  }
}

/** The XML declaration written before the root element. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/**
 * Checks and renders a BXML tree.
 *
 * @throws {BxmlRenderError} when the tree breaks a rule or holds a character XML cannot carry.
 * @example
 * renderBxml({ name: "Response", attributes: {}, children: [{ name: "Hangup", attributes: {}, children: [] }] }, BXML_RULES);
 * // '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>'
 */
export function renderBxml(root: BxmlNode, rules: BxmlRules, options?: BxmlRenderOptions): string {
  const compiled = compileRules(rules);
  // "remove" cleans the tree first, so every rule is checked on the values actually written
  if (options?.invalidChars === "remove") root = withoutInvalidChars(root, 0);
  const invalid: InvalidCharPolicy = "error";
  let body: string | undefined;
  try {
    const rootRule = root !== null && typeof root === "object" ? compiled.get(root.name) : undefined;
    body = rootRule === undefined ? undefined : writeElement(root, rootRule, invalid, 0);
  } catch (error) {
    if (error instanceof XmlCharacterError) throw new BxmlRenderError([locateBadCharacter(root, rules, error)]);
    throw error;
  }
  if (body === undefined) {
    // Something breaks a rule: the validator says exactly what and where.
    const { errors } = validateBxmlTree(root, rules, { strict: true });
    throw new BxmlRenderError(errors.length > 0 ? errors : [{ path: "", message: "the tree breaks a BXML rule" }]);
  }
  const xml = options?.declaration === false ? body : XML_DECLARATION + body;
  if (xml.length * 3 > rules.maxBytes) {
    const bytes = new TextEncoder().encode(xml).byteLength;
    if (bytes > rules.maxBytes) {
      throw new BxmlRenderError([{ path: `/${root.name}`, message: `the document is ${bytes} bytes; Bandwidth's BXML limit is ${rules.maxBytes} (64 KB)` }]);
    }
  }
  return xml;
}

// ---- one-pass checking writer over the compiled rules (compiled-rules.ts)

const MAX_DEPTH = 64;
let failed = false;
const flagFailure: Reporter = () => {
  failed = true;
};
const NOT_BLANK = /\S/;

/** One attribute value as XML attribute text, or undefined when it breaks its rule. */
function writeAttributeValue(a: FastAttribute, value: BxmlAttributeValue, invalid: InvalidCharPolicy): string | undefined {
  switch (a.kind) {
    case STRING:
      if (typeof value !== "string" || value.length > a.maxLength || (a.pattern !== null && !a.pattern.test(value))) return undefined;
      return escapeXmlAttribute(value, invalid);
    case ENUM:
      if (typeof value !== "string" || !(a.values as readonly string[]).includes(value)) return undefined;
      return escapeXmlAttribute(value, invalid);
    case BOOLEAN:
      if (value === true) return "true";
      if (value === false) return "false";
      return undefined;
    default:
      if (typeof value !== "number" || !(value >= a.min && value <= a.max) || (a.integer ? !Number.isInteger(value) : !Number.isFinite(value))) return undefined;
      return formatNumber(value);
  }
}

/** `<name a="…"` for an element's attributes, or undefined when one is unknown, invalid or a required one is missing. */
function writeStartTag(attributes: BxmlNode["attributes"], rule: FastRule, invalid: InvalidCharPolicy): string | undefined {
  let out = rule.open;
  const ruleAttributes = rule.attributes;
  for (const key in attributes) {
    if (!hasOwn(attributes, key)) continue; // inherited (e.g. a polluted Object.prototype): never written
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    const a = ruleAttributes.get(key);
    if (a === undefined) return undefined;
    const text = writeAttributeValue(a, value, invalid);
    if (text === undefined) return undefined;
    out += a.prefix + text + '"';
  }
  const required = rule.required;
  for (let i = 0; i < required.length; i++) {
    const v = attributes[required[i]];
    if (v === undefined || v === null || !hasOwn(attributes, required[i])) return undefined;
  }
  return out;
}

/** `>children</name>` of an element with element or mixed content, or undefined when a child breaks a rule. */
function writeChildren(out: string, children: BxmlNode["children"], rule: FastRule, invalid: InvalidCharPolicy, depth: number): string | undefined {
  const n = children.length;
  const mixed = rule.content === MIXED;
  let count = 0;
  let blank = true;
  out += ">";
  for (let i = 0; i < n; i++) {
    const child = children[i];
    if (typeof child === "string") {
      if (!mixed) return undefined;
      if (blank && NOT_BLANK.test(child)) blank = false;
      out += escapeXmlText(child, invalid);
      continue;
    }
    if (child === null || typeof child !== "object") return undefined;
    const childRule = rule.children.get(child.name);
    if (childRule === undefined || child.name !== childRule.name) return undefined;
    const written = writeElement(child, childRule, invalid, depth + 1);
    if (written === undefined) return undefined;
    out += written;
    count++;
    blank = false;
  }
  if (mixed ? rule.min > 0 && blank : count < rule.min || count > rule.max) return undefined;
  return out + rule.close;
}

/**
 * Checks and writes one element in one pass. Returns undefined as soon as anything breaks a rule;
 * the caller then runs the validator for the full list of problems (messages live in one place).
 */
function writeElement(node: BxmlNode, rule: FastRule, invalid: InvalidCharPolicy, depth: number): string | undefined {
  if (depth > MAX_DEPTH || node === null || typeof node !== "object") return undefined;
  const attributes = node.attributes;
  const children = node.children;
  if (attributes === null || typeof attributes !== "object" || !Array.isArray(children)) return undefined;
  const out = writeStartTag(attributes, rule, invalid);
  if (out === undefined) return undefined;
  if (rule.hasChecks) {
    failed = false;
    runChecks(node, rule.rule, flagFailure);
    if (failed) return undefined;
  }
  const n = children.length;
  switch (rule.content) {
    case EMPTY:
      return n === 0 ? out + "/>" : undefined;
    case TEXT: {
      if (n === 0) return rule.min > 0 ? undefined : out + "/>";
      const text = children[0];
      if (n > 1 || typeof text !== "string" || text.length > rule.textMaxLength || (rule.textPattern !== null && !rule.textPattern.test(text))) return undefined;
      return out + ">" + escapeXmlText(text, invalid) + rule.close;
    }
    default:
      if (n === 0) return rule.min > 0 ? undefined : out + "/>";
      return writeChildren(out, children, rule, invalid, depth);
  }
}

/** Any character XML 1.0 cannot carry: C0 controls but TAB/LF/CR, lone surrogates, U+FFFE, U+FFFF. */
const INVALID_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const MAYBE_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

function clean(value: string): string {
  return MAYBE_INVALID.test(value) ? value.replace(INVALID_CHARS, "") : value;
}

/**
 * The tree with every character XML cannot carry removed from text and string attribute values; nodes
 * (and the tree) that need no change are returned as they are. Malformed parts are kept for the checks.
 */
function withoutInvalidChars(node: BxmlNode, depth: number): BxmlNode {
  if (depth > MAX_DEPTH || node === null || typeof node !== "object") return node;
  const { attributes, children } = node;
  if (attributes === null || typeof attributes !== "object" || !Array.isArray(children)) return node;
  let newAttributes: Record<string, unknown> | undefined;
  for (const key of Object.keys(attributes)) {
    const value = (attributes as Record<string, unknown>)[key];
    if (typeof value !== "string") continue;
    const cleaned = clean(value);
    if (cleaned !== value) (newAttributes ??= { ...attributes })[key] = cleaned;
  }
  let newChildren: (BxmlNode | string)[] | undefined;
  for (let i = 0; i < children.length; i++) {
    const child = children[i] as BxmlNode | string;
    const cleaned = typeof child === "string" ? clean(child) : withoutInvalidChars(child, depth + 1);
    if (cleaned === child) continue;
    newChildren ??= children.slice() as (BxmlNode | string)[];
    newChildren[i] = cleaned;
  }
  if (newChildren !== undefined) {
    // removal may leave an empty string, which the canonical form never holds: drop it, so the text rules see what is written
    newChildren = newChildren.filter((child) => child !== "");
  }
  if (newAttributes === undefined && newChildren === undefined) return node;
  return { ...node, attributes: (newAttributes ?? attributes) as BxmlNode["attributes"], children: (newChildren ?? children) as BxmlNode["children"] };
}

/** Finds the text node or attribute holding a character XML cannot carry, for the error path. */
function locateBadCharacter(root: BxmlNode, rules: BxmlRules, error: XmlCharacterError): ValidationIssue {
  const visit = (node: BxmlNode, rule: ElementRule, link: PathLink, depth = 0): ValidationIssue | undefined => {
    if (depth > MAX_DEPTH) return undefined;
    for (const key of Object.keys(node.attributes)) {
      const value = node.attributes[key];
      if (typeof value !== "string") continue;
      try {
        escapeXmlAttribute(value);
      } catch (e) {
        if (e instanceof XmlCharacterError) return { path: `${pathOf(link)}/@${key}`, message: e.message };
      }
    }
    for (let i = 0; i < node.children.length; i++) {
      const child = node.children[i];
      if (typeof child === "string") {
        try {
          escapeXmlText(child);
        } catch (e) {
          if (e instanceof XmlCharacterError) return { path: `${pathOf(link)}/text()`, message: e.message };
        }
      } else if (hasOwn(rule.children, child.name)) {
        const found = visit(child, rules.elements[rule.children[child.name]], { parent: link, siblings: node.children, index: i }, depth + 1);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return (
    visit(root, rules.elements[rules.roots[root.name]], { parent: undefined, siblings: [root], index: 0 }) ?? { path: "", message: error.message }
  );
}
