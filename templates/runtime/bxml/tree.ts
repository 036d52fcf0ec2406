// Validation of a typed (JSON-form) BXML tree: walks the document (bounded depth, bounded issue count)
// running the per-element checks of checks.ts, then the scope check (conference / transferAnswer verbs)
// and the document-level warnings (stream-keep-alive.ts: a bidirectional stream the call would not outlive).

import { checkAttributes, checkContent, runChecks } from "./checks.js";
import { checkStreamKeepsCallAlive } from "./stream-keep-alive.js";
import { type BxmlCheckOptions, type BxmlIssues, type BxmlNode, type BxmlRules, type ElementRule, type PathLink, type Reporter, MAX_ISSUES, hasOwn, issuesFull, pathOf, step, withOrdinalCache } from "./rules.js";

/**
 * Validates a typed (JSON-form) tree against the rules: every problem with its element path, e.g.
 * `/Response/Gather[1]/@maxDigits`. Unknown attributes are warnings unless `strict`, on every element alike.
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
  if (Array.isArray(root.children)) checkStreamKeepsCallAlive(root, issues);
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
