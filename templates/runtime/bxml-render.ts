// Renders a typed BXML tree ({ name, attributes, children }) to an XML string, correct by
// construction: the tree is first checked against the generated rules table (known elements only,
// allowed nesting, attribute types/enums/ranges, text rules), then written with every attribute
// value and text node escaped. Element and attribute names are only ever taken from the rules table,
// so no string can create markup. SSML exists only as typed child nodes; text is never un-escaped.

import { escapeXmlAttribute, escapeXmlText, XmlCharacterError, type InvalidCharPolicy } from "./xml.js";
import type { ValidationIssue } from "./validation.js";
import {
  type BxmlNode,
  type BxmlRules,
  type ElementRule,
  type PathLink,
  formatNumber,
  hasOwn,
  pathOf,
  validateBxmlTree,
} from "./bxml-rules.js";

/** Options of {@link renderBxml}. */
export interface BxmlRenderOptions {
  /** Write the `<?xml version="1.0" encoding="UTF-8"?>` declaration (default true). */
  declaration?: boolean;
  /**
   * Characters XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/U+FFFF) in text or
   * attribute values: `"error"` (default) throws {@link BxmlRenderError}; `"remove"` drops them.
   */
  invalidChars?: InvalidCharPolicy;
}

/** The tree cannot be rendered as valid BXML; `issues` lists every problem with its element path. */
export class BxmlRenderError extends Error {
  /** Every problem found, e.g. `{ path: "/Response/Gather[1]/@maxDigits", message: "must be an integer from 1 to 50, not 0" }`. */
  readonly issues: ValidationIssue[];
  constructor(issues: ValidationIssue[]) {
    super(`invalid BXML: ${issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`)).join("; ")}`);
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
  const { errors } = validateBxmlTree(root, rules, { strict: true });
  if (errors.length > 0) throw new BxmlRenderError(errors);
  const writer = new Writer(rules, options?.invalidChars ?? "error");
  const rootRule = rules.elements[rules.roots[root.name]];
  try {
    const body = writer.element(root, rootRule);
    return options?.declaration === false ? body : XML_DECLARATION + body;
  } catch (error) {
    if (error instanceof XmlCharacterError) throw new BxmlRenderError([locateBadCharacter(root, rules, error)]);
    throw error;
  }
}

class Writer {
  constructor(
    private readonly rules: BxmlRules,
    private readonly invalid: InvalidCharPolicy,
  ) {}

  /** Writes a node already checked against `rule`. */
  element(node: BxmlNode, rule: ElementRule): string {
    const name = rule.name;
    let out = "<" + name;
    const attributes = node.attributes;
    for (const key of Object.keys(attributes)) {
      const value = attributes[key];
      if (value === undefined || value === null) continue;
      out += " " + key + '="' + attributeText(value, this.invalid) + '"';
    }
    const children = node.children;
    const n = children.length;
    if (n === 0) return out + "/>";
    out += ">";
    for (let i = 0; i < n; i++) {
      const child = children[i];
      if (typeof child === "string") out += escapeXmlText(child, this.invalid);
      else out += this.element(child, this.rules.elements[rule.children[child.name]]);
    }
    return out + "</" + name + ">";
  }
}

function attributeText(value: string | number | boolean, invalid: InvalidCharPolicy): string {
  if (typeof value === "string") return escapeXmlAttribute(value, invalid);
  if (typeof value === "number") return formatNumber(value);
  return value ? "true" : "false";
}

/** Finds the text node or attribute holding a character XML cannot carry, for the error path. */
function locateBadCharacter(root: BxmlNode, rules: BxmlRules, error: XmlCharacterError): ValidationIssue {
  const visit = (node: BxmlNode, rule: ElementRule, link: PathLink): ValidationIssue | undefined => {
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
        const found = visit(child, rules.elements[rule.children[child.name]], { parent: link, siblings: node.children, index: i });
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return (
    visit(root, rules.elements[rules.roots[root.name]], { parent: undefined, siblings: [root], index: 0 }) ?? { path: "", message: error.message }
  );
}
