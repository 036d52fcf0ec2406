// Parses and validates BXML: XML text → typed tree ({ name, attributes, children }) checked against
// the generated rules table, or a list of problems with element paths
// (`/Response/Gather[1]/@maxDigits: must be an integer from 1 to 50, not "0"`).
//
// Well-formedness comes from xml.ts (no DTDs, no entities beyond the predefined five, positioned
// errors). On top of it: the 64 KB limit, known roots and elements, allowed nesting and counts,
// attribute types/enums/ranges, text rules. Unknown attributes are warnings by default (Bandwidth
// ignores attributes it does not know; see CONTRIBUTING.md) and errors with `strict`.

import { parseXml, XmlParseError, type XmlElement } from "../xml/parser.js";
import type { ValidationIssue } from "../validation.js";
import {
  type BxmlCheckOptions,
  type BxmlIssues,
  type BxmlNode,
  type BxmlRules,
  type ElementRule,
  type PathLink,
  type BxmlAttributeValue,
  childRule,
  hasOwn,
  issuesFull,
  MAX_ISSUES,
  pathOf,
  placement,
  withOrdinalCache,
} from "./rules.js";
import { unknownAttributeMessage } from "./checks.js";
import { rootMessage, validateBxmlTree } from "./tree.js";
import { convertValue } from "./values.js";

/** Options of {@link parseBxml}. */
export interface BxmlParseOptions extends BxmlCheckOptions {
  /** Size limit in bytes (default: Bandwidth's 64 KB from the rules table). */
  maxBytes?: number;
}

/** Outcome of parsing: the typed document (plus warnings), or the problems found. */
export type BxmlParseResult<T> =
  | { ok: true; type: string; value: T; warnings: ValidationIssue[] }
  | { ok: false; type?: string; errors: ValidationIssue[]; warnings: ValidationIssue[] };

/**
 * Parses and validates a BXML document. `makeDocument` wraps the typed root (the generated module
 * passes its document class, so the result renders again with `.toXml()`).
 *
 * @example
 * const result = parseBxml('<Response><Hangup/></Response>', BXML_RULES, (root) => root);
 * if (result.ok) result.value.children[0]; // { name: "Hangup", attributes: {}, children: [] }
 */
export function parseBxml<T>(
  input: string | Uint8Array,
  rules: BxmlRules,
  makeDocument: (root: BxmlNode) => T,
  options?: BxmlParseOptions,
): BxmlParseResult<T> {
  const maxBytes = options?.maxBytes ?? rules.maxBytes;
  let xml: XmlElement;
  try {
    xml = parseXml(input, { maxBytes, maxDepth: 64 });
  } catch (error) {
    if (error instanceof XmlParseError) {
      const message = error.reason.startsWith("document is larger")
        ? `document is larger than ${maxBytes} bytes (Bandwidth's BXML limit is 64 KB)`
        : `not well-formed XML at line ${error.line}, column ${error.column}: ${error.reason}`;
      return { ok: false, errors: [{ path: "", message }], warnings: [] };
    }
    throw error;
  }
  if (!hasOwn(rules.roots, xml.name)) {
    return { ok: false, errors: [{ path: `/${xml.name}`, message: rootMessage(rules, xml.name) }], warnings: [] };
  }
  const issues: BxmlIssues = { errors: [], warnings: [] };
  const converter = new Converter(rules, options?.strict === true, issues);
  const root = withOrdinalCache(() => converter.convert(xml, rules.elements[rules.roots[xml.name]], { parent: undefined, siblings: [xml], index: 0 }));
  const checked = validateBxmlTree(root, rules, options);
  for (const error of checked.errors) if (!issuesFull(issues, false)) issues.errors.push(error);
  for (const warning of checked.warnings) if (!issuesFull(issues, true)) issues.warnings.push(warning);
  if (issues.errors.length > 0) {
    return { ok: false, type: xml.name, errors: issues.errors.slice(0, MAX_ISSUES), warnings: issues.warnings };
  }
  return { ok: true, type: xml.name, value: makeDocument(root), warnings: issues.warnings };
}

/**
 * Parses SSML markup meant for the content of one element (SpeakSentence) into typed child nodes,
 * validated against that element's rules: the one explicit SSML entry point.
 *
 * @example
 * parseBxmlContent('Hello <break time="1s"/> world', BXML_RULES, "SpeakSentence");
 * // { ok: true, value: ["Hello ", { name: "break", attributes: { time: "1s" }, children: [] }, " world"] }
 */
export function parseBxmlContent(
  markup: string,
  rules: BxmlRules,
  ruleKey: string,
): { ok: true; value: Array<BxmlNode | string> } | { ok: false; errors: ValidationIssue[] } {
  const rule = rules.elements[ruleKey];
  let xml: XmlElement;
  try {
    xml = parseXml(`<${rule.name}>${markup}</${rule.name}>`, { maxBytes: rules.maxBytes, maxDepth: 32 });
  } catch (error) {
    if (error instanceof XmlParseError) {
      const column = error.line === 1 ? Math.max(1, error.column - rule.name.length - 2) : error.column;
      return { ok: false, errors: [{ path: "", message: `not well-formed markup at line ${error.line}, column ${column}: ${error.reason}` }] };
    }
    throw error;
  }
  const issues: BxmlIssues = { errors: [], warnings: [] };
  const converter = new Converter(rules, true, issues);
  const link: PathLink = { parent: undefined, siblings: [xml], index: 0 };
  const node = converter.convert(xml, rule, link);
  if (issues.errors.length === 0) {
    // validate the content as if it sat in a root that allows this element
    const checked = validateFragment(node, rule, rules);
    issues.errors.push(...checked);
  }
  if (issues.errors.length > 0) return { ok: false, errors: issues.errors };
  return { ok: true, value: node.children as Array<BxmlNode | string> };
}

function validateFragment(node: BxmlNode, rule: ElementRule, rules: BxmlRules): ValidationIssue[] {
  const rootKey = Object.keys(rules.roots).find((r) => hasOwn(rules.elements[rules.roots[r]].children, rule.name));
  if (rootKey === undefined) return [];
  const wrapper: BxmlNode = { name: rootKey, attributes: {}, children: [node] };
  return validateBxmlTree(wrapper, rules, { strict: true }).errors.map((e) => ({
    path: e.path.replace(new RegExp(`^/${rootKey}/${rule.name}\\[1\\]`), ""),
    message: e.message,
  }));
}

const NOT_BLANK = /\S/;
/** Text that contains something shaped like a tag, e.g. SSML escaped as `&lt;break time="1s"/&gt;`. */
const LOOKS_LIKE_MARKUP = /<\/?[A-Za-z][\w:.-]*(\s[^<>]*)?\/?>/;

/** Turns XML elements into typed nodes, reporting what cannot be typed (unknown or misplaced elements, stray text, unknown attributes). */
class Converter {
  constructor(
    private readonly rules: BxmlRules,
    private readonly strict: boolean,
    private readonly issues: BxmlIssues,
  ) {}

  private report(link: PathLink, where: string, message: string, warning = false): void {
    const path = pathOf(link); // callers check issuesFull first, so no message or path is built past the cap
    (warning ? this.issues.warnings : this.issues.errors).push({ path: where === "" ? path : `${path}/${where}`, message });
  }

  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: over the limit of 40 when the limit was set (issue 21); split it when it is next changed
  convert(xml: XmlElement, rule: ElementRule, link: PathLink): BxmlNode {
    const attributes: { [attribute: string]: BxmlAttributeValue | undefined } = {};
    const raw = xml.attributes;
    for (const key in raw) {
      if (!hasOwn(raw, key)) continue;
      if (!hasOwn(rule.attributes, key)) {
        const warning = !this.strict;
        if (!issuesFull(this.issues, warning)) this.report(link, `@${key}`, unknownAttributeMessage(rule, key), warning);
        continue;
      }
      attributes[key] = convertValue(rule.attributes[key], raw[key]);
    }
    const children: Array<BxmlNode | string> = [];
    const nodes = xml.nodes;
    switch (rule.content) {
      case "text":
        for (let i = 0; i < nodes.length; i++) {
          const n = nodes[i];
          if (typeof n !== "string") this.misplaced(n, rule, link, nodes, i, " (text only)");
        }
        if (xml.text !== "") children.push(xml.text);
        break;
      case "empty":
      case "elements":
      case "mixed": {
        let reportedText = false;
        for (let i = 0; i < nodes.length; i++) {
          const n = nodes[i];
          if (typeof n === "string") {
            if (rule.content === "mixed") {
              children.push(n);
              if (!issuesFull(this.issues, true) && LOOKS_LIKE_MARKUP.test(n)) {
                this.report(link, "text()", `text looks like escaped markup (${JSON.stringify(LOOKS_LIKE_MARKUP.exec(n)?.[0])}): it is read as text, not SSML; write SSML as elements (java-sdk escapes it)`, true);
              }
            }
            else if (!reportedText && !issuesFull(this.issues, false) && NOT_BLANK.test(n)) {
              reportedText = true;
              this.report(link, "text()", rule.content === "empty" ? `<${rule.name}> takes no content` : `text is not allowed in <${rule.name}>`);
            }
            continue;
          }
          const cr = childRule(this.rules, rule, n.name);
          if (cr === undefined) {
            this.misplaced(n, rule, link, nodes, i, "");
            continue;
          }
          if (this.issues.errors.length >= MAX_ISSUES) continue;
          children.push(this.convert(n, cr, { parent: link, siblings: nodes, index: i }));
        }
        break;
      }
    }
    return { name: xml.name, attributes, children };
  }

  private misplaced(n: XmlElement, rule: ElementRule, link: PathLink, nodes: Array<XmlElement | string>, index: number, suffix: string): void {
    if (issuesFull(this.issues, false)) return;
    const childLink: PathLink = { parent: link, siblings: nodes, index };
    this.report(childLink, "", `<${n.name}> is not allowed inside <${rule.name}>${suffix}; ${placement(this.rules, n.name)}`);
  }
}
