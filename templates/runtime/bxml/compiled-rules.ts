// The BXML rules table compiled for the renderer: a monomorphic, Map-based copy of each element rule
// (numeric content and attribute kinds, precomputed tag text, linked child rules), cached per table.

import type { AttributeRule, BxmlRules, ElementRule } from "./rules.js";

export const EMPTY: number = 0;
export const TEXT: number = 1;
export const ELEMENTS: number = 2;
export const MIXED: number = 3;
export const STRING: number = 0;
export const ENUM: number = 1;
export const BOOLEAN: number = 2;
export const NUMBER: number = 3;

/** An attribute rule, compiled. */
export interface FastAttribute {
  /** ` name="`, written before the value. */
  prefix: string;
  kind: number;
  integer: boolean;
  min: number;
  max: number;
  maxLength: number;
  pattern: RegExp | null;
  values: readonly string[] | null;
}

/** An element rule, compiled; `children` link to the compiled child rules. */
export interface FastRule {
  name: string;
  /** `<name` */
  open: string;
  /** `</name>` */
  close: string;
  hasChecks: boolean;
  content: number;
  attributes: Map<string, FastAttribute>;
  required: readonly string[];
  children: Map<string, FastRule>;
  min: number;
  max: number;
  textPattern: RegExp | null;
  textMaxLength: number;
  rule: ElementRule;
}

const compiledRules = new WeakMap<BxmlRules, Map<string, FastRule>>();

/** Compiled rules by root element name (children are reached through the rules). Cached per table. */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: over the limit of 40 when the limit was set (issue 21); split it when it is next changed
export function compileRules(rules: BxmlRules): Map<string, FastRule> {
  let roots = compiledRules.get(rules);
  if (roots !== undefined) return roots;
  const byKey = new Map<string, FastRule>();
  for (const key of Object.keys(rules.elements)) {
    const rule = rules.elements[key];
    const attributes = new Map<string, FastAttribute>();
    for (const name of Object.keys(rule.attributes)) {
      const a: AttributeRule = rule.attributes[name];
      attributes.set(name, {
        prefix: ` ${name}="`,
        kind: a.type === "string" ? STRING : a.type === "enum" ? ENUM : a.type === "boolean" ? BOOLEAN : NUMBER,
        integer: a.type === "integer",
        min: (a.type === "integer" || a.type === "number") && a.min !== undefined ? a.min : -Infinity,
        max: (a.type === "integer" || a.type === "number") && a.max !== undefined ? a.max : Infinity,
        maxLength: a.type === "string" && a.maxLength !== undefined ? a.maxLength : Infinity,
        pattern: a.type === "string" && a.pattern !== undefined ? a.pattern : null,
        values: a.type === "enum" ? a.values : null,
      });
    }
    byKey.set(key, {
      name: rule.name,
      open: `<${rule.name}`,
      close: `</${rule.name}>`,
      hasChecks: rule.checks.length > 0,
      content: rule.content === "empty" ? EMPTY : rule.content === "text" ? TEXT : rule.content === "elements" ? ELEMENTS : MIXED,
      attributes,
      required: rule.required,
      children: new Map(),
      min: rule.min,
      max: rule.max < 0 ? Infinity : rule.max,
      textPattern: rule.text?.pattern ?? null,
      textMaxLength: rule.text?.maxLength ?? Infinity,
      rule,
    });
  }
  for (const key of Object.keys(rules.elements)) {
    const fast = byKey.get(key) as FastRule;
    const children = rules.elements[key].children;
    for (const childName of Object.keys(children)) fast.children.set(childName, byKey.get(children[childName]) as FastRule);
  }
  roots = new Map();
  for (const name of Object.keys(rules.roots)) roots.set(name, byKey.get(rules.roots[name]) as FastRule);
  compiledRules.set(rules, roots);
  return roots;
}
