// BXML rules table types and the checks that run on a typed BXML tree.
//
// The generator turns schemas/bxml/*.schema.json into one compact table (generated/bxml/rules.js):
// per element its attributes (type, enum, range, pattern), required attributes, content kind,
// allowed children and how many, text rule and named cross-attribute checks. Rendering
// (bxml-render.ts), parsing (bxml-parse.ts) and validating JSON-form trees all read that table, so the
// schemas stay the single source of truth.

import type { ValidationIssue } from "./validation.js";

/** A value a BXML attribute can hold in the typed tree. */
export type BxmlAttributeValue = string | number | boolean;

/**
 * The JSON form of a BXML element: `{ name, attributes, children }`. Text content and SSML mixed
 * content are strings inside `children`, in document order.
 */
export interface BxmlNode {
  name: string;
  attributes: { [attribute: string]: BxmlAttributeValue | undefined };
  children: ReadonlyArray<BxmlNode | string>;
}

/** How one attribute's value is checked. */
export type AttributeRule =
  | { readonly type: "string"; readonly maxLength?: number; readonly pattern?: RegExp; readonly message?: string }
  | { readonly type: "enum"; readonly values: readonly string[] }
  | { readonly type: "boolean" }
  | { readonly type: "integer" | "number"; readonly min?: number; readonly max?: number };

/** How text content is checked (elements whose content is `text`). */
export interface TextRule {
  readonly pattern?: RegExp;
  readonly maxLength?: number;
  readonly message?: string;
}

/** Everything the runtime knows about one element (one schema in schemas/bxml/). */
export interface ElementRule {
  /** XML element name. */
  readonly name: string;
  /** empty: nothing inside; text: one text node; elements: child elements only (whitespace ignored); mixed: text and child elements (SSML). */
  readonly content: "empty" | "text" | "elements" | "mixed";
  readonly attributes: Readonly<Record<string, AttributeRule>>;
  readonly required: readonly string[];
  /** Unknown attributes are errors (not warnings) on this element. */
  readonly closed: boolean;
  /** Allowed child element name → rule key. */
  readonly children: Readonly<Record<string, string>>;
  /** Minimum number of child elements (content `elements`) or 1 when text/content is required. */
  readonly min: number;
  /** Maximum number of child elements; -1 = unlimited. */
  readonly max: number;
  readonly text?: TextRule;
  /** Named cross-attribute checks (see CHECKS). */
  readonly checks: readonly string[];
}

/** The whole generated table. */
export interface BxmlRules {
  /** Root element name → rule key. */
  readonly roots: Readonly<Record<string, string>>;
  readonly elements: Readonly<Record<string, ElementRule>>;
  /** Verbs allowed at the top level in restricted contexts (`conference`, `transferAnswer`). */
  readonly scopes: Readonly<Record<string, readonly string[]>>;
  /** Bandwidth's document size limit in bytes. */
  readonly maxBytes: number;
}

/** Options shared by validation entry points. */
export interface BxmlCheckOptions {
  /** Unknown attributes are errors instead of warnings. */
  strict?: boolean;
  /** Also check the top-level verbs against a restricted context: `conference` or `transferAnswer`. */
  scope?: string;
}

/** Collected problems of one document. */
export interface BxmlIssues {
  errors: ValidationIssue[];
  warnings: ValidationIssue[];
}

/** At most this many errors (and this many warnings) are collected for one document. */
export const MAX_ISSUES = 100;

/** `Object.hasOwn`, spelled so it also works where the rules objects have a prototype. */
export const hasOwn: (object: object, key: string) => boolean = (object, key) => Object.prototype.hasOwnProperty.call(object, key);

/** The rule of an allowed child, or undefined. */
export function childRule(rules: BxmlRules, parent: ElementRule, childName: string): ElementRule | undefined {
  return hasOwn(parent.children, childName) ? rules.elements[parent.children[childName]] : undefined;
}

/**
 * Describes what an attribute rule accepts.
 *
 * @example
 * expectation({ type: "integer", min: 1, max: 50 }); // "must be an integer from 1 to 50"
 */
export function expectation(rule: AttributeRule): string {
  switch (rule.type) {
    case "boolean":
      return 'must be "true" or "false"';
    case "enum":
      return `must be one of ${rule.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "integer":
    case "number": {
      const what = rule.type === "integer" ? "an integer" : "a number";
      if (rule.min !== undefined && rule.max !== undefined) return `must be ${what} from ${rule.min} to ${rule.max}`;
      if (rule.min !== undefined) return `must be ${what} of at least ${rule.min}`;
      if (rule.max !== undefined) return `must be ${what} of at most ${rule.max}`;
      return `must be ${what}`;
    }
    case "string":
      return rule.message ?? "must be a string";
  }
}

function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

/**
 * Checks a typed attribute value; returns the problem or undefined. Strings where a number or boolean
 * is expected are problems (the JSON form holds typed values).
 *
 * @example
 * checkValue({ type: "integer", min: 1, max: 50 }, 0); // "must be an integer from 1 to 50, not 0"
 * checkValue({ type: "boolean" }, true);               // undefined
 */
export function checkValue(rule: AttributeRule, value: unknown): string | undefined {
  switch (rule.type) {
    case "string":
      if (typeof value !== "string") return `must be a string, not ${shown(value)}`;
      if (rule.maxLength !== undefined && value.length > rule.maxLength) {
        return `must be at most ${rule.maxLength} characters (has ${value.length})`;
      }
      if (rule.pattern !== undefined && !rule.pattern.test(value)) return `${rule.message ?? `must match ${String(rule.pattern)}`}, not ${shown(value)}`;
      return undefined;
    case "enum":
      return typeof value === "string" && rule.values.includes(value) ? undefined : `${expectation(rule)}, not ${shown(value)}`;
    case "boolean":
      if (typeof value === "boolean") return undefined;
      if (value === "True" || value === "False" || value === "TRUE" || value === "FALSE") {
        return `${expectation(rule)} in lower case, not ${shown(value)} (python-sdk writes Python's True/False; Bandwidth documents only lower case)`;
      }
      return `${expectation(rule)}, not ${shown(value)}`;
    case "integer":
    case "number":
      if (
        typeof value !== "number" ||
        !Number.isFinite(value) ||
        (rule.type === "integer" && !Number.isInteger(value)) ||
        (rule.min !== undefined && value < rule.min) ||
        (rule.max !== undefined && value > rule.max)
      ) {
        return `${expectation(rule)}, not ${shown(value)}`;
      }
      return undefined;
  }
}

const INTEGER_TEXT = /^[+-]?[0-9]+$/;
const DECIMAL_TEXT = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/;

/**
 * Converts an attribute value read from XML to its typed form. Values that do not convert stay
 * strings, so {@link checkValue} reports them with the rule's expectation.
 *
 * @example
 * convertValue({ type: "number" }, "1.5");  // 1.5
 * convertValue({ type: "boolean" }, "True"); // "True" (left for checkValue to report)
 */
export function convertValue(rule: AttributeRule, raw: string): BxmlAttributeValue {
  switch (rule.type) {
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : raw;
    case "integer":
      // an integral decimal ("5.0", as java-sdk's JAXB writes Doubles) is the integer it denotes
      if (INTEGER_TEXT.test(raw)) return Number(raw);
      return DECIMAL_TEXT.test(raw) && Number.isInteger(Number(raw)) ? Number(raw) : raw;
    case "number":
      return DECIMAL_TEXT.test(raw) ? Number(raw) : raw;
    default:
      return raw;
  }
}

/**
 * Writes a number the way Bandwidth reads it: plain decimal notation, never an exponent, and exact
 * (shortest round-trip digits).
 *
 * @example
 * formatNumber(1.5);  // "1.5"
 * formatNumber(1e-7); // "0.0000001"
 */
export function formatNumber(value: number): string {
  const text = String(value);
  if (!text.includes("e")) return text === "-0" ? "0" : text;
  // d.ddde±x → plain digits, keeping exactly the shortest round-trip digits JavaScript chose
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text) as RegExpExecArray;
  const sign = match[1];
  const digits = match[2] + (match[3] ?? "");
  const exponent = Number(match[4]);
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  return sign + (digits.length > exponent + 1 ? `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}` : digits + "0".repeat(exponent + 1 - digits.length));
}

/** Where an element may appear, for "not allowed here" messages. */
export function placement(rules: BxmlRules, name: string): string {
  const parents: string[] = [];
  for (const key of Object.keys(rules.elements)) {
    const rule = rules.elements[key];
    if (hasOwn(rule.children, name) && !parents.includes(rule.name)) parents.push(rule.name);
  }
  if (parents.length === 0) {
    return hasOwn(rules.roots, name) ? `<${name}> is a root element and cannot be nested` : `<${name}> is not a BXML element (names are case-sensitive)`;
  }
  return `<${name}> belongs in ${parents.map((p) => `<${p}>`).join(" or ")}`;
}

function allowedChildren(rule: ElementRule): string {
  const names = Object.keys(rule.children);
  return names.length === 0 ? "no child elements" : names.length > 12 ? "verbs" : names.map((n) => `<${n}>`).join(", ");
}

/** Reports one problem: `where` is "" for the element itself, "@attr", "text()" or a child step like "Foo[2]". */
export type Reporter = (where: string, message: string, warning?: boolean) => void;

/** Checks an element's attributes (typed values): unknown names, types and ranges, required ones. */
export function checkAttributes(node: BxmlNode, rule: ElementRule, report: Reporter, strict: boolean): void {
  const attributes = node.attributes;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    if (!hasOwn(rule.attributes, key)) {
      report(`@${key}`, unknownAttributeMessage(rule, key), !(strict || rule.closed));
      continue;
    }
    const problem = checkValue(rule.attributes[key], value);
    if (problem !== undefined) report(`@${key}`, problem);
  }
  for (const key of rule.required) {
    if (attributes[key] === undefined || attributes[key] === null || !hasOwn(attributes, key)) {
      report(`@${key}`, `is required on <${rule.name}>`);
    }
  }
}

/** The message for an attribute the element does not define, with a spelling suggestion when one is close. */
export function unknownAttributeMessage(rule: ElementRule, key: string): string {
  if (rule.closed) return `<${rule.name}> takes no attribute "${key}" here`;
  const suggestion = suggest(key, Object.keys(rule.attributes));
  return (
    `unknown attribute on <${rule.name}>: Bandwidth ignores attributes it does not know, so it has no effect` +
    (suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : "")
  );
}

function suggest(key: string, candidates: readonly string[]): string | undefined {
  const squash = (s: string) => s.replace(/[_-]/g, "").toLowerCase();
  const k = squash(key);
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = c.toLowerCase() === key.toLowerCase() || squash(c) === k ? 0 : distance(k, squash(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * Checks an element's content: text rules, which children are allowed and how many. Returns, per
 * child index, the child rule to descend into (undefined for text and rejected children).
 */
export function checkContent(node: BxmlNode, rule: ElementRule, rules: BxmlRules, report: Reporter): Array<ElementRule | undefined> {
  const children = node.children;
  const childRules: Array<ElementRule | undefined> = new Array(children.length);
  switch (rule.content) {
    case "empty":
      if (children.length > 0) report(typeof children[0] === "string" ? "text()" : step(children, 0), `<${rule.name}> takes no content`);
      break;
    case "text": {
      if (children.length === 0) {
        if (rule.min > 0) report("text()", `text is required${rule.text?.message !== undefined ? `: it ${rule.text.message}` : ""}`);
        break;
      }
      for (let i = 0; i < children.length; i++) {
        if (typeof children[i] !== "string") report(step(children, i), `<${(children[i] as BxmlNode).name}> is not allowed inside <${rule.name}> (text only)`);
      }
      if (children.length > 1) report("text()", `<${rule.name}> holds one text node in the JSON form, not ${children.length}`);
      const text = children[0];
      if (typeof text === "string") checkText(text, rule, report);
      break;
    }
    case "elements":
    case "mixed": {
      let count = 0;
      let blank = true;
      for (let i = 0; i < children.length; i++) {
        const child = children[i];
        if (typeof child === "string") {
          if (rule.content === "elements") report("text()", `text is not allowed in <${rule.name}> (only ${allowedChildren(rule)})`);
          else if (blank && /\S/.test(child)) blank = false;
          continue;
        }
        if (child === null || typeof child !== "object" || typeof child.name !== "string") {
          report(`node()[${i + 1}]`, `is not a BXML element or a string`);
          continue;
        }
        const cr = childRule(rules, rule, child.name);
        if (cr === undefined) {
          report(step(children, i), `<${child.name}> is not allowed inside <${rule.name}>; ${placementOrAllowed(rules, rule, child.name)}`);
          continue;
        }
        childRules[i] = cr;
        count++;
        blank = false;
      }
      if (rule.content === "mixed") {
        if (rule.min > 0 && blank) report("", `<${rule.name}> needs content that is not blank`);
      } else if (count < rule.min || (rule.max >= 0 && count > rule.max)) {
        const range = rule.max < 0 ? `at least ${rule.min}` : rule.min === rule.max ? `exactly ${rule.min}` : rule.min > 0 ? `${rule.min} to ${rule.max}` : `at most ${rule.max}`;
        report("", `<${rule.name}> must contain ${range} of ${allowedChildren(rule)}, not ${count}`);
      }
      break;
    }
  }
  return childRules;
}

function placementOrAllowed(rules: BxmlRules, parent: ElementRule, name: string): string {
  const where = placement(rules, name);
  return where.includes("belongs") ? where : `${where}; allowed here: ${allowedChildren(parent)}`;
}

/** Checks text content against the element's text rule. */
export function checkText(text: string, rule: ElementRule, report: Reporter): void {
  const tr = rule.text;
  if (tr === undefined) return;
  if (tr.maxLength !== undefined && text.length > tr.maxLength) report("text()", `must be at most ${tr.maxLength} characters (has ${text.length})`);
  if (tr.pattern !== undefined && !tr.pattern.test(text)) report("text()", `${tr.message ?? `must match ${String(tr.pattern)}`}, not ${shown(text)}`);
}

/** XPath-like step of a child: `Gather[2]` is the second <Gather> among its siblings. */
export function step(children: ReadonlyArray<BxmlNode | string>, index: number): string {
  const child = children[index] as BxmlNode;
  if (ordinalCache !== undefined) {
    let ordinals = ordinalCache.get(children);
    if (ordinals === undefined) ordinalCache.set(children, (ordinals = countOrdinals(children)));
    return `${child.name}[${ordinals[index]}]`;
  }
  let n = 0;
  for (let i = 0; i <= index; i++) {
    const c = children[i];
    if (typeof c !== "string" && c !== null && typeof c === "object" && c.name === child.name) n++;
  }
  return `${child.name}[${n}]`;
}

/**
 * Ordinals of sibling lists, while one check runs ({@link withOrdinalCache}): counting the preceding
 * siblings for every issue's path was quadratic in the number of siblings. Scoped to one synchronous
 * run, so a tree the caller changes between two checks is never described with stale numbers.
 */
let ordinalCache: WeakMap<ReadonlyArray<unknown>, Int32Array> | undefined;

/** For each element of a sibling list, its 1-based position among the siblings of the same name. */
function countOrdinals(children: ReadonlyArray<BxmlNode | string>): Int32Array {
  const ordinals = new Int32Array(children.length);
  const seen = new Map<string, number>();
  for (let i = 0; i < children.length; i++) {
    const c = children[i];
    if (typeof c === "string" || c === null || typeof c !== "object") continue;
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    ordinals[i] = n;
  }
  return ordinals;
}

/**
 * Runs `check` with sibling ordinals cached (element paths in O(depth) each); nested calls share the cache.
 *
 * @example
 * const issues = withOrdinalCache(() => validateBxmlTree(root, rules));
 */
export function withOrdinalCache<T>(check: () => T): T {
  if (ordinalCache !== undefined) return check();
  ordinalCache = new WeakMap();
  try {
    return check();
  } finally {
    ordinalCache = undefined;
  }
}

/** Whether one more issue of this kind would pass the cap (errors and warnings: {@link MAX_ISSUES} each). */
export function issuesFull(issues: BxmlIssues, warning: boolean): boolean {
  return (warning ? issues.warnings : issues.errors).length >= MAX_ISSUES;
}

/** Named cross-attribute checks referenced by `x-bw.checks` in the schemas. */
export const CHECKS: Readonly<Record<string, (node: BxmlNode, report: Reporter) => void>> = {
  /** Gather: repeatCount × number of prompts ≤ 20. */
  gatherPromptLimit(node, report) {
    const repeat = typeof node.attributes.repeatCount === "number" ? node.attributes.repeatCount : 1;
    let prompts = 0;
    for (const c of node.children) if (typeof c !== "string") prompts++;
    if (repeat * prompts > 20) report("", `repeatCount × number of prompts must not exceed 20 (here ${repeat} × ${prompts} = ${repeat * prompts})`);
  },
  /** say-as: format only with interpret-as="date", and required there. */
  sayAsDateFormat(node, report) {
    const interpret = node.attributes["interpret-as"];
    const format = node.attributes.format;
    if (interpret === "date" && format === undefined) report("@format", 'is required when interpret-as is "date"');
    if (interpret !== "date" && interpret !== undefined && format !== undefined) report("@format", 'is only allowed when interpret-as is "date"');
  },
  /** break: time at most 10 seconds. */
  breakTimeLimit(node, report) {
    const time = node.attributes.time;
    if (typeof time !== "string") return;
    const m = /^([0-9.]+)(ms|s)$/.exec(time);
    if (m !== null && Number(m[1]) * (m[2] === "s" ? 1000 : 1) > 10000) report("@time", `must be at most 10s, not ${JSON.stringify(time)}`);
  },
};

/** Runs the named checks of a rule. */
export function runChecks(node: BxmlNode, rule: ElementRule, report: Reporter): void {
  for (const name of rule.checks) {
    const check = CHECKS[name];
    if (check !== undefined) check(node, report);
  }
}

/**
 * Validates a typed (JSON-form) tree against the rules: every problem with its element path, e.g.
 * `/Response/Gather[1]/@maxDigits`. Unknown attributes are warnings unless `strict` (or the element is closed).
 *
 * @example
 * const { errors } = validateBxmlTree({ name: "Response", attributes: {}, children: [] }, BXML_RULES);
 */
export function validateBxmlTree(root: BxmlNode, rules: BxmlRules, options?: BxmlCheckOptions): BxmlIssues {
  const issues: BxmlIssues = { errors: [], warnings: [] };
  if (root === null || typeof root !== "object" || typeof root.name !== "string" || !hasOwn(rules.roots, root.name)) {
    const name = root !== null && typeof root === "object" && typeof root.name === "string" ? root.name : "?";
    issues.errors.push({ path: `/${name}`, message: rootMessage(rules, name) });
    return issues;
  }
  const rootRule = rules.elements[rules.roots[root.name]];
  const walker = new TreeWalker(rules, options?.strict === true, issues);
  withOrdinalCache(() => walker.walk(root, rootRule, { parent: undefined, siblings: [root], index: 0 }, 0));
  if (options?.scope !== undefined) checkScope(root, rules, options.scope, issues);
  return issues;
}

/** Message for a root element that is not a BXML root. */
export function rootMessage(rules: BxmlRules, name: string): string {
  return `root element must be ${Object.keys(rules.roots).map((r) => `<${r}>`).join(" or ")}, not <${name}>`;
}

/** Reports top-level verbs that a restricted context (conference, transferAnswer) does not allow. */
export function checkScope(root: BxmlNode, rules: BxmlRules, scope: string, issues: BxmlIssues): void {
  const allowed = hasOwn(rules.scopes, scope) ? rules.scopes[scope] : undefined;
  if (allowed === undefined) {
    issues.errors.push({ path: "", message: `unknown scope "${scope}" (known: ${Object.keys(rules.scopes).join(", ")})` });
    return;
  }
  root.children.forEach((child, i) => {
    if (typeof child !== "string" && child !== null && typeof child === "object" && !allowed.includes(child.name)) {
      issues.errors.push({ path: `/${root.name}/${step(root.children, i)}`, message: `<${child.name}> is not allowed in ${scope} BXML (allowed: ${allowed.join(", ")})` });
    }
  });
}

const MAX_TREE_DEPTH = 64;

/** Where a node sits: its parent's link and its index among the parent's children (paths are built only on error). */
export interface PathLink {
  readonly parent: PathLink | undefined;
  readonly siblings: ReadonlyArray<BxmlNode | string>;
  readonly index: number;
}

/**
 * Element path of a link.
 *
 * @example
 * pathOf({ parent: { parent: undefined, siblings: [root], index: 0 }, siblings: root.children, index: 0 }); // "/Response/Gather[1]"
 */
export function pathOf(link: PathLink): string {
  let path = "";
  for (let l: PathLink | undefined = link; l !== undefined; l = l.parent) {
    path = `/${l.parent === undefined ? (l.siblings[l.index] as BxmlNode).name : step(l.siblings, l.index)}${path}`;
  }
  return path;
}

class TreeWalker {
  private link: PathLink | undefined;
  private readonly report: Reporter;
  constructor(
    private readonly rules: BxmlRules,
    private readonly strict: boolean,
    private readonly issues: BxmlIssues,
  ) {
    this.report = (where, message, warning) => {
      if (issuesFull(this.issues, warning === true)) return; // capped while collecting
      const path = pathOf(this.link as PathLink);
      (warning === true ? this.issues.warnings : this.issues.errors).push({ path: where === "" ? path : `${path}/${where}`, message });
    };
  }

  walk(node: BxmlNode, rule: ElementRule, link: PathLink, depth: number): void {
    if (this.issues.errors.length >= MAX_ISSUES) return;
    this.link = link;
    if (depth > MAX_TREE_DEPTH) {
      this.report("", `elements are nested deeper than ${MAX_TREE_DEPTH} levels`);
      return;
    }
    if (node.attributes === null || typeof node.attributes !== "object" || !Array.isArray(node.children)) {
      this.report("", "must be an object { name, attributes, children } with an attributes object and a children array");
      return;
    }
    checkAttributes(node, rule, this.report, this.strict);
    const childRules = checkContent(node, rule, this.rules, this.report);
    if (rule.checks.length > 0) runChecks(node, rule, this.report);
    const children = node.children;
    for (let i = 0; i < children.length; i++) {
      const cr = childRules[i];
      if (cr !== undefined) this.walk(children[i] as BxmlNode, cr, { parent: link, siblings: children, index: i }, depth + 1);
    }
  }
}
