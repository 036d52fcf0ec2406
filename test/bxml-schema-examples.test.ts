// Every BXML element schema: covered by the rules table, its examples validate, render and re-parse to
// the same tree (inside the smallest valid parent chain), and the reference's element list is complete.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as bxml from "../generated/bxml/index.js";
import { BXML_RULES } from "../generated/bxml/rules.js";
import { BxmlDocument, parseBxml, renderBxml, validateBxml, type BxmlNode, type BxmlVerb } from "../generated/bxml/index.js";

const SCHEMAS = join(import.meta.dirname, "..", "schemas", "bxml");
const schemas = readdirSync(SCHEMAS)
  .filter((f) => f.endsWith(".schema.json"))
  .map((f) => ({ file: f, schema: JSON.parse(readFileSync(join(SCHEMAS, f), "utf8")) }));

const ruleKey = (title: string) => title.replace(/Element$/, "");

const VERBS = [
  "Bridge", "Conference", "Connect", "Forward", "Gather", "Hangup", "Pause", "PauseRecording", "PlayAudio", "Record", "Redirect", "Refer",
  "ResumeRecording", "Ring", "SendDtmf", "SpeakSentence", "StartGather", "StartRecording", "StartStream", "StartTranscription", "StopGather",
  "StopRecording", "StopStream", "StopTranscription", "Tag", "Transfer",
];
const NESTED = ["Endpoint", "PhoneNumber", "SipUri", "StreamParam", "CustomParam"];
const SSML = ["break", "emphasis", "lang", "p", "phoneme", "prosody", "s", "say-as", "sub"];

test("the schemas cover every element of the reference: 2 roots, 26 verbs, nested elements and the SSML subset", () => {
  const names = new Set(schemas.map((s) => s.schema["x-bw"].element));
  for (const name of ["Response", "Bxml", ...VERBS, ...NESTED, ...SSML]) assert.ok(names.has(name), `no schema for <${name}>`);
  assert.deepEqual(Object.keys(BXML_RULES.roots).sort(), ["Bxml", "Response"]);
  const rootChildren = Object.keys(BXML_RULES.elements.Response.children).sort();
  assert.deepEqual(rootChildren, [...VERBS].sort());
  assert.deepEqual(Object.keys(BXML_RULES.elements.Bxml.children).sort(), [...VERBS].sort());
});

test("every schema is in the rules table with its attributes, and every schema has at least one example", () => {
  for (const { file, schema } of schemas) {
    const rule = BXML_RULES.elements[ruleKey(schema.title)];
    assert.ok(rule, `${file}: not in the rules table`);
    assert.equal(rule.name, schema["x-bw"].element, file);
    assert.deepEqual(Object.keys(rule.attributes).sort(), Object.keys(schema.properties.attributes.properties ?? {}).sort(), file);
    assert.ok(Array.isArray(schema.examples) && schema.examples.length >= 1, `${file}: needs examples`);
    assert.ok(schema.description.length > 30, `${file}: needs a description`);
  }
});

/** The shortest chain of parents from a root down to (not including) the element with this rule key. */
function parentChain(key: string): string[] {
  const queue: string[][] = [["Response"]];
  while (queue.length > 0) {
    const chain = queue.shift() as string[];
    const last = BXML_RULES.elements[chain[chain.length - 1]];
    for (const childKey of Object.values(last.children)) {
      if (childKey === key) return chain;
      if (!chain.includes(childKey) && chain.length < 6) queue.push([...chain, childKey]);
    }
  }
  throw new Error(`no parent chain for ${key}`);
}

/** Wrap an example node so that it sits in a valid document (adding required content around it). */
function wrap(node: BxmlNode, key: string): BxmlDocument {
  if (key === "Response" || key === "Bxml") return new BxmlDocument(node.name as "Response" | "Bxml", node.children as BxmlVerb[]);
  const chain = parentChain(key);
  let current: BxmlNode = node;
  for (let i = chain.length - 1; i >= 1; i--) {
    const rule = BXML_RULES.elements[chain[i]];
    const attributes: Record<string, string> = {};
    for (const r of rule.required) attributes[r] = r === "xml:lang" ? "en-US" : r === "interpret-as" ? "characters" : r === "destination" ? "wss://x.example.com" : "x";
    current = { name: rule.name, attributes, children: [current] };
  }
  // a bidirectional stream alone would end the call at once (a warning): keep it up as a real document does
  const keepAlive: BxmlVerb[] =
    current.name === "StartStream" && current.attributes.mode === "bidirectional" ? [{ name: "StopStream", attributes: { name: String(current.attributes.name), wait: true }, children: [] }] : [];
  return new BxmlDocument("Response", [current as BxmlVerb, ...keepAlive]);
}

for (const { file, schema } of schemas) {
  test(`examples of ${file} validate, render and re-parse to the same tree`, () => {
    const key = ruleKey(schema.title);
    for (const example of schema.examples) {
      const doc = wrap(example, key);
      const checked = validateBxml(doc, { strict: true });
      assert.ok(checked.ok, `${file}: ${JSON.stringify(checked.ok ? [] : checked.errors)}`);
      const xml = renderBxml(doc);
      assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?><(Response|Bxml)[ />]/);
      const parsed = parseBxml(xml, { strict: true });
      assert.ok(parsed.ok, `${file}: ${xml}\n${JSON.stringify(parsed.ok ? [] : parsed.errors)}`);
      assert.deepEqual(parsed.value, doc);
      assert.deepEqual(parsed.warnings, []);
      assert.equal(parsed.value.toXml(), xml, "rendering is deterministic");
    }
  });
}

test("every builder @example in the generated declarations runs and builds what it documents", () => {
  const dts = readFileSync(join(import.meta.dirname, "..", "generated", "bxml", "index.d.ts"), "utf8");
  const names = Object.keys(bxml);
  const run = (code: string): unknown => new Function(...names, `return ${code}`)(...names.map((n) => (bxml as Record<string, unknown>)[n]));
  const blocks = [...dts.matchAll(/\/\*\*\n \* <([^>]+)>:[^\n]*\n(?: \*[^\n]*\n)*? \* @example\n \* ([^\n]+)\n \*\/\nexport declare function (\w+)/g)];
  assert.ok(blocks.length >= Object.keys(BXML_RULES.elements).length, `found ${blocks.length} builder examples`);
  for (const [, elementName, code, fn] of blocks) {
    const built = run(code) as BxmlNode;
    assert.equal(built.name, elementName, `${fn}: ${code}`);
    const key = Object.keys(BXML_RULES.elements).find((k) => k === fn || (k.startsWith("Ssml") && k === fn));
    assert.ok(key, fn);
    const doc = wrap(built, key);
    assert.ok(validateBxml(doc, { strict: true }).ok, `${fn}: ${code}`);
  }
});

test("the generated BXML module and its runtime load and run with code generation from strings disabled, without Node APIs", async () => {
  const { spawnSync } = await import("node:child_process");
  const script = `import { Response, Gather, SpeakSentence, ssmlMarkup, parseBxml } from "./generated/bxml/index.js";
    const xml = Response(Gather({ maxDigits: 2 }, SpeakSentence(ssmlMarkup('Hi <break time="1s"/> &amp; bye')))).toXml();
    const parsed = parseBxml(xml);
    if (!parsed.ok) throw new Error("did not re-parse");
    process.stdout.write(xml);`;
  const run = spawnSync(process.execPath, ["--disallow-code-generation-from-strings", "--input-type=module", "-e", script], { cwd: join(import.meta.dirname, ".."), encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /<SpeakSentence>Hi <break time="1s"\/> &amp; bye<\/SpeakSentence>/);
  for (const file of ["xml/parser.js", "xml/scanner.js", "xml/syntax.js", "xml/escape.js", "bxml/rules.js", "bxml/values.js", "bxml/checks.js", "bxml/tree.js", "bxml/compiled-rules.js", "bxml/render.js", "bxml/parse.js"]) {
    const code = readFileSync(join(import.meta.dirname, "..", "generated", "runtime", file), "utf8");
    assert.doesNotMatch(code, /from "node:|require\(|\beval\(|new Function|process\.|Buffer\./, file);
  }
});
