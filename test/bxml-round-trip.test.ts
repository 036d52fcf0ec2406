// Round trip, property-based: random valid BXML trees generated from the rules table (every element,
// attribute and content kind, values that need escaping) render to XML that parses back to the very
// same tree; and rendering is a fixed point (render(parse(render(t))) === render(t)).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BXML_RULES } from "../generated/bxml/rules.js";
import { BxmlDocument, parseBxml, renderBxml, validateBxml, type BxmlNode, type BxmlVerb } from "../generated/bxml/index.js";
import type { AttributeRule } from "../generated/runtime/bxml/rules.js";

// ---- valid sample values for patterned attributes and texts, harvested from the schemas' own examples
const samples = new Map<string, Set<unknown>>();
function harvest(node: BxmlNode, key: string): void {
  const rule = BXML_RULES.elements[key];
  for (const [name, value] of Object.entries(node.attributes)) {
    const k = `${key}@${name}`;
    if (!samples.has(k)) samples.set(k, new Set());
    samples.get(k)!.add(value);
  }
  for (const child of node.children) {
    if (typeof child === "string") {
      if (!samples.has(`${key}#text`)) samples.set(`${key}#text`, new Set());
      samples.get(`${key}#text`)!.add(child);
    } else if (rule.children[child.name]) harvest(child, rule.children[child.name]);
  }
}
const SCHEMAS = join(import.meta.dirname, "..", "schemas", "bxml");
for (const file of readdirSync(SCHEMAS)) {
  const schema = JSON.parse(readFileSync(join(SCHEMAS, file), "utf8"));
  for (const example of schema.examples) harvest(example, schema.title.replace(/Element$/, ""));
}
// a few extra valid values so patterned fields vary more than the examples do
const extra: Record<string, string[]> = {
  "PhoneNumber#text": ["+442071234567", " +15550001111 ", "+861012345678"],
  "SipUri#text": ["sip:a@b", "sips:x@y.example.com;transport=tls"],
  "Conference#text": ["a", "room.1-A_b"],
  "SendDtmf#text": ["0", "*#w,W", "ABCD"],
};
for (const [k, values] of Object.entries(extra)) for (const v of values) samples.get(k)!.add(v);

const specials = fc.constantFrom("&", "<", ">", '"', "'", "]]>", "\r", "\n", "\r\n", "\t", " ", "é", "😀", "\u2028", "&amp;", "<Transfer>", "</SpeakSentence>", "&#x41;");
const plain = fc.constantFrom(..."abcXYZ019 .-_/:#*".split(""));
const unit = fc.oneof({ weight: 2, arbitrary: specials }, { weight: 3, arbitrary: plain }, { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) });
const text = (maxLength: number, minLength = 0) => fc.string({ unit, minLength, maxLength }).filter((s) => s.length <= maxLength);

function attributeArb(key: string, name: string, rule: AttributeRule): fc.Arbitrary<unknown> {
  switch (rule.type) {
    case "string": {
      if (rule.pattern) {
        const known = [...(samples.get(`${key}@${name}`) ?? [])].filter((v) => typeof v === "string" && rule.pattern!.test(v));
        assert.ok(known.length > 0, `no valid sample for ${key}@${name}`);
        return fc.constantFrom(...known);
      }
      return text(Math.min(rule.maxLength ?? 24, 24));
    }
    case "enum":
      return fc.constantFrom(...rule.values);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.integer({ min: rule.min ?? 0, max: rule.max ?? (rule.min ?? 0) + 1000 });
    case "number":
      return fc
        .double({ min: rule.min ?? 0, max: rule.max ?? 1000, noNaN: true, noDefaultInfinity: true })
        .filter((x) => !Object.is(x, -0));
  }
}

function textArb(key: string): fc.Arbitrary<string> {
  const rule = BXML_RULES.elements[key];
  if (rule.text?.pattern) {
    const known = [...(samples.get(`${key}#text`) ?? [])].filter((v) => typeof v === "string" && rule.text!.pattern!.test(v)) as string[];
    assert.ok(known.length > 0, `no valid text sample for ${key}`);
    return fc.constantFrom(...known);
  }
  return text(Math.min(rule.text?.maxLength ?? 30, 30), 1);
}

/** Merge adjacent strings and drop empty ones: the canonical mixed content a parser produces. */
function canonicalMixed(items: Array<BxmlNode | string>): Array<BxmlNode | string> {
  const out: Array<BxmlNode | string> = [];
  for (const item of items) {
    if (typeof item === "string") {
      if (item === "") continue;
      if (typeof out[out.length - 1] === "string") out[out.length - 1] += item;
      else out.push(item);
    } else out.push(item);
  }
  return out;
}

/** Fix-ups for the cross-attribute rules (x-bw.checks), so generated trees are valid by construction. */
function repair(node: BxmlNode): BxmlNode {
  const a = node.attributes as Record<string, unknown>;
  if (node.name === "say-as") {
    if (a["interpret-as"] === "date") a.format ??= "mdy";
    else delete a.format;
  }
  if (node.name === "Gather" && node.children.length > 0 && typeof a.repeatCount === "number") {
    a.repeatCount = Math.max(1, Math.min(a.repeatCount, Math.floor(20 / node.children.length)));
  }
  if (node.name === "break" && typeof a.time === "string" && /^\d+ms$/.test(a.time) && Number.parseInt(a.time, 10) > 10_000) a.time = "500ms";
  return node;
}

const elementArbs = new Map<string, fc.Arbitrary<BxmlNode>>();
function elementArb(key: string, depth: number): fc.Arbitrary<BxmlNode> {
  const cacheKey = `${key}/${depth}`;
  const cached = elementArbs.get(cacheKey);
  if (cached) return cached;
  const rule = BXML_RULES.elements[key];
  const attrs: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, r] of Object.entries(rule.attributes)) attrs[name] = attributeArb(key, name, r);
  const attributes = fc.record(attrs, { requiredKeys: [...rule.required], noNullPrototype: true });
  const childKeys = Object.values(rule.children);
  let children: fc.Arbitrary<Array<BxmlNode | string>>;
  switch (rule.content) {
    case "empty":
      children = fc.constant([]);
      break;
    case "text":
      children = rule.min > 0 ? textArb(key).map((t) => [t]) : fc.option(textArb(key), { nil: undefined }).map((t) => (t === undefined ? [] : [t]));
      break;
    case "elements": {
      const max = rule.max < 0 ? 3 : Math.min(rule.max, depth > 2 ? rule.min : 3);
      const child = depth > 4 ? fc.constant(undefined) : fc.constantFrom(...childKeys).chain((k) => elementArb(k, depth + 1));
      children = depth > 4 && rule.min > 0 ? fc.constant([]) : fc.array(child as fc.Arbitrary<BxmlNode>, { minLength: rule.min, maxLength: Math.max(max, rule.min) });
      break;
    }
    case "mixed": {
      const child = depth > 3 ? text(8, 1) : fc.oneof(text(12, 1), fc.constantFrom(...childKeys).chain((k) => elementArb(k, depth + 1)));
      children = fc.array(child, { minLength: 1, maxLength: depth > 3 ? 1 : 4 }).map((items) => {
        const content = canonicalMixed(items);
        return content.some((c) => typeof c !== "string" || /\S/.test(c)) ? content : canonicalMixed(["x", ...content]);
      });
      break;
    }
  }
  const arb = fc.record({ name: fc.constant(rule.name), attributes, children }, { noNullPrototype: true }).map((n) => repair(n as BxmlNode));
  elementArbs.set(cacheKey, arb);
  return arb;
}

const documentArb: fc.Arbitrary<BxmlDocument> = fc
  .tuple(fc.constantFrom("Response" as const, "Bxml" as const), fc.array(fc.constantFrom(...Object.values(BXML_RULES.elements.Response.children)).chain((k) => elementArb(k, 1)), { maxLength: 5 }))
  .map(([root, verbs]) => new BxmlDocument(root, verbs as BxmlVerb[]));

test("every element kind is reachable by the generator", () => {
  const seen = new Set<string>();
  const visit = (n: BxmlNode | string) => {
    if (typeof n === "string") return;
    seen.add(n.name);
    n.children.forEach(visit);
  };
  for (const doc of fc.sample(documentArb, { numRuns: 3000, seed: 42 })) visit(doc);
  for (const rule of Object.values(BXML_RULES.elements)) assert.ok(seen.has(rule.name), `never generated <${rule.name}>`);
});

test("property: generated trees are valid, and parse(render(tree)) equals tree", () => {
  fc.assert(
    fc.property(documentArb, (doc) => {
      const checked = validateBxml(doc, { strict: true });
      assert.ok(checked.ok, JSON.stringify(checked.ok ? [] : checked.errors));
      const xml = renderBxml(doc);
      const parsed = parseBxml(xml, { strict: true });
      assert.ok(parsed.ok, `${xml}\n${JSON.stringify(parsed.ok ? [] : parsed.errors)}`);
      assert.deepEqual(parsed.value, doc);
      assert.equal(parsed.value.toXml(), xml);
    }),
    { numRuns: 1500 },
  );
});

test("property: rendering without the declaration, or from the JSON form, gives the same body", () => {
  fc.assert(
    fc.property(documentArb, (doc) => {
      const full = doc.toXml();
      const body = doc.toXml({ declaration: false });
      assert.equal(full, `<?xml version="1.0" encoding="UTF-8"?>${body}`);
      const json = JSON.parse(JSON.stringify(doc));
      assert.equal(renderBxml(json), full);
    }),
    { numRuns: 300 },
  );
});
