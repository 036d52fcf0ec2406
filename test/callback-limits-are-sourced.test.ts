// No limit that no source states makes an event invalid (issue 24): every pattern, length, item-count and
// range keyword in the callback-family schemas (not BXML) names its source in a description, on the node or
// the nearest enclosing one ("Bandwidth's spec: maxLength 1024", "Bandwidth's port-out validation page:
// maxLength 25"), or says it is not stated by Bandwidth and only marks drift; and every such keyword is
// one the lenient policy reports as drift (dispatched), never as invalid.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { errorSeverity } from "../templates/runtime/validation.js";
import { repoRoot } from "./support/drift.js";

const LIMITS = ["pattern", "minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];

interface Limit {
  file: string;
  pointer: string;
  keyword: string;
  description: string;
}

/** Every limit keyword below `node`, with the nearest description (its own, else an enclosing node's). */
function limitsOf(file: string, node: unknown, pointer: string, inherited: string, out: Limit[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => {
      limitsOf(file, item, `${pointer}/${i}`, inherited, out);
    });
    return;
  }
  if (node === null || typeof node !== "object") return;
  const record = node as Record<string, unknown>;
  const description = typeof record.description === "string" ? record.description : inherited;
  for (const keyword of LIMITS) if (keyword in record && typeof record[keyword] !== "object") out.push({ file, pointer, keyword, description });
  for (const [key, value] of Object.entries(record)) {
    if (key === "examples" || key === "x-bw" || key === "properties") continue;
    limitsOf(file, value, `${pointer}/${key}`, description, out);
  }
  // a property's own name is a key, not a keyword: walk property schemas by name
  const properties = record.properties;
  if (properties !== null && typeof properties === "object" && !Array.isArray(properties)) {
    for (const [name, value] of Object.entries(properties)) limitsOf(file, value, `${pointer}/properties/${name}`, description, out);
  }
}

function callbackLimits(): Limit[] {
  const out: Limit[] = [];
  const root = join(repoRoot, "schemas");
  for (const family of readdirSync(root).sort()) {
    if (family === "bxml") continue;
    for (const name of readdirSync(join(root, family)).filter((n) => n.endsWith(".schema.json")).sort()) {
      limitsOf(`${family}/${name}`, JSON.parse(readFileSync(join(root, family, name), "utf8")), "", "", out);
    }
  }
  return out;
}

/** "Bandwidth's <source>: … <keyword>" or "Not stated by Bandwidth…: … <keyword>" (one sentence). */
function cites(description: string, keyword: string): boolean {
  return new RegExp(`(?:Bandwidth's [^:.]{1,60}|Not stated by Bandwidth[^:.]{0,60}): [^.]*?\\b${keyword}\\b`).test(description);
}

test("every limit in the callback schemas names its Bandwidth source (or says it is unsourced and marks drift only)", () => {
  const limits = callbackLimits();
  assert.ok(limits.length >= 30, `expected the callback schemas' limits, found ${limits.length}`);
  const unsourced = limits.filter((l) => !cites(l.description, l.keyword)).map((l) => `${l.file}#${l.pointer} ${l.keyword}`);
  assert.deepEqual(unsourced, []);
});

test("every limit keyword used in the callback schemas is drift for the lenient policy, never invalid", () => {
  for (const keyword of new Set(callbackLimits().map((l) => l.keyword))) {
    assert.equal(errorSeverity([{ keyword, instancePath: "/x", schemaPath: "#", params: {} }], { x: "value" }), "drift", keyword);
  }
});

test("limits no Bandwidth source states are gone: epoch and segment minimums, a recipient minimum, the SIP code range", () => {
  const read = (file: string) => JSON.parse(readFileSync(join(repoRoot, "schemas", file), "utf8"));
  assert.equal(read("common/endpoint.schema.json").$defs.epochMillis.minimum, undefined);
  assert.equal(read("common/messaging.schema.json").$defs.segmentCount.minimum, undefined);
  assert.equal(read("common/messaging.schema.json").$defs.recipients.minItems, undefined);
  assert.deepEqual(read("common/voice.schema.json").$defs.sipResponseCode.anyOf[0], { type: "integer" });
  assert.equal(read("common/webrtc.schema.json").$defs.timestamp.anyOf[0].minimum, undefined);
});
