// BXML rules table types and the lookups every BXML module shares (child rules, placement, paths).
//
// The generator turns schemas/bxml/*.schema.json into one compact table (generated/bxml/rules.js):
// per element its attributes (type, enum, range, pattern), required attributes, content kind,
// allowed children and how many, text rule and named cross-attribute checks. Rendering
// (render.ts), parsing (parse.ts) and validating JSON-form trees (tree.ts, checks.ts, values.ts) all read that table, so the
// schemas stay the single source of truth.

import type { ValidationIssue } from "../validation.js";

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
export const hasOwn: (object: object, key: string) => boolean = (object, key) => Object.hasOwn(object, key);

/** The rule of an allowed child, or undefined. */
export function childRule(rules: BxmlRules, parent: ElementRule, childName: string): ElementRule | undefined {
  return hasOwn(parent.children, childName) ? rules.elements[parent.children[childName]] : undefined;
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

/** The children `rule` allows, for messages. */
export function allowedChildren(rule: ElementRule): string {
  const names = Object.keys(rule.children);
  return names.length === 0 ? "no child elements" : names.length > 12 ? "verbs" : names.map((n) => `<${n}>`).join(", ");
}

/** Where an element belongs, or what is allowed in `parent` instead. */
export function placementOrAllowed(rules: BxmlRules, parent: ElementRule, name: string): string {
  const where = placement(rules, name);
  return where.includes("belongs") ? where : `${where}; allowed here: ${allowedChildren(parent)}`;
}

/** Reports one problem: `where` is "" for the element itself, "@attr", "text()" or a child step like "Foo[2]". */
export type Reporter = (where: string, message: string, warning?: boolean) => void;

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

/** Where a node sits: its parent's link and its index among the parent's children (paths are built only on error). */
export interface PathLink {
  readonly parent: PathLink | undefined;
  readonly siblings: ReadonlyArray<BxmlNode | string>;
  readonly index: number;
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
