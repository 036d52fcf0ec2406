// The per-element BXML checks: attributes (unknown names with a spelling suggestion, types, ranges,
// required ones), content (text rules, allowed children and how many) and the named cross-attribute
// checks the schemas reference in `x-bw.checks`. tree.ts walks a document and runs them on each element.

import { type BxmlNode, type BxmlRules, type ElementRule, type Reporter, allowedChildren, childRule, hasOwn, placementOrAllowed, step } from "./rules.js";
import { checkValue, shown } from "./values.js";

/** Checks an element's attributes (typed values): unknown names, types and ranges, required ones. */
export function checkAttributes(node: BxmlNode, rule: ElementRule, report: Reporter, strict: boolean): void {
  const attributes = node.attributes;
  for (const key of Object.keys(attributes)) {
    const value = attributes[key];
    if (value === undefined || value === null) continue;
    if (!hasOwn(rule.attributes, key)) {
      report(`@${key}`, unknownAttributeMessage(rule, key), !strict);
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
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: over the limit of 40 when the limit was set (issue 21); split it when it is next changed
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

/** XML whitespace (space, tab, CR, LF) at either end of a text; other Unicode spaces are content. */
const XML_SPACE_AT_ENDS = /^[ \t\r\n]+|[ \t\r\n]+$/g;

/**
 * Checks text content against the element's text rule. A length limit counts the text without its
 * surrounding whitespace: Bandwidth trims it (`<Tag>`), and pretty-printed documents have it.
 */
export function checkText(text: string, rule: ElementRule, report: Reporter): void {
  const tr = rule.text;
  if (tr === undefined) return;
  const length = tr.maxLength === undefined ? 0 : text.replace(XML_SPACE_AT_ENDS, "").length;
  if (tr.maxLength !== undefined && length > tr.maxLength) report("text()", `must be at most ${tr.maxLength} characters (has ${length})`);
  if (tr.pattern !== undefined && !tr.pattern.test(text)) report("text()", `${tr.message ?? `must match ${String(tr.pattern)}`}, not ${shown(text)}`);
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
