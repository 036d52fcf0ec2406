/**
 * Adding a callback family takes its schemas plus one definition file, nothing else: a throwaway "fax"
 * family (one schema, one definition in a temporary definitions folder beside links to the project's
 * own) is generated end to end, and every output that lists families picks it up: types, validators,
 * the event table, handler interfaces, the OpenAPI reference (tag and product group), the
 * `createBandwidthWebhooks` wiring with its route, and the queue worker's options.
 */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { generateFiles, REPO_ROOT } from "../generator/generate.js";
import { FAMILIES_DIR, loadFamilyDefinitions } from "../generator/model/families.js";

const FAX_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://bw-codegen.dev/schemas/fax/fax-received.schema.json",
  title: "FaxReceivedCallback",
  description: "A throwaway test family: a fax arrived. Exists only to show what adding a family takes.",
  "x-bw": { family: "fax", event: "fax-received", response: "empty", summary: "A fax arrived" },
  type: "object",
  properties: {
    eventType: { const: "fax-received", description: "The discriminant." },
    faxId: { type: "string", description: "The fax's id." },
    pages: { type: "integer", minimum: 1, description: "How many pages arrived." },
  },
  required: ["eventType", "faxId"],
  examples: [
    { eventType: "fax-received", faxId: "f-1" },
    { eventType: "fax-received", faxId: "f-2", pages: 3 },
  ],
};

const FAX_DEFINITION = `// The throwaway fax family of test/a-new-family-is-one-definition-file.test.ts.
export default {
  name: "fax",
  order: 99,
  description: "Fax events (a throwaway family for a test).",
  body: "json-object",
  discriminant: "eventType",
  union: "FaxCallback",
  eventTypeAlias: "FaxEventType",
  map: "FaxCallbackMap",
  handlers: "FaxHandlers",
  validator: "validateFaxCallback",
  http: { path: "/callbacks/fax", contentTypes: ["application/json"], ackStatus: 204, doc: "Fax handlers." },
  reference: { displayName: "Fax events", product: "Messaging" },
};
`;

let dir: string;
let files: Map<string, string>;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "bw-fax-family-"));
  const schemas = join(dir, "schemas");
  cpSync(join(REPO_ROOT, "schemas"), schemas, { recursive: true });
  mkdirSync(join(schemas, "fax"));
  writeFileSync(join(schemas, "fax", "fax-received.schema.json"), `${JSON.stringify(FAX_SCHEMA, null, 2)}\n`);
  const definitions = join(dir, "families");
  mkdirSync(definitions);
  for (const name of readdirSync(FAMILIES_DIR).filter((n) => n.endsWith(".ts"))) symlinkSync(join(FAMILIES_DIR, name), join(definitions, name));
  writeFileSync(join(definitions, "fax.ts"), FAX_DEFINITION);
  files = await generateFiles({ schemasDir: schemas, familiesDir: definitions });
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("the definitions folder is read whole: the fixture family is loaded after the project's own", async () => {
  const names = (await loadFamilyDefinitions(join(dir, "families"))).map((f) => f.name);
  assert.deepEqual(names.slice(-1), ["fax"]);
  assert.ok(names.includes("voice") && names.includes("numbers"));
});

test("types, validators, the event table and the handler interface", () => {
  assert.match(files.get("types.d.ts")!, /export type FaxCallback =\s+\| FaxReceivedCallback;/);
  assert.match(files.get("types.d.ts")!, /export type FaxEventType = FaxCallback\["eventType"\];/);
  assert.match(files.get("validators/fax.js")!, /export const validateFaxCallback = createFamilyValidator\(/);
  assert.match(files.get("events.js")!, /export const faxEvents = Object\.freeze\(\{\s+"fax-received": \{ method: "faxReceived", response: "empty"/);
  assert.match(files.get("handlers.d.ts")!, /export interface FaxHandlers \{[\s\S]*faxReceived\?\(event: FaxReceivedCallback, context: HandlerContext\): NoReply;/);
});

test("createBandwidthWebhooks serves it at its route, and the worker takes its events", () => {
  const webhooks = files.get("webhooks.js")!;
  assert.match(webhooks, /export const faxFamily = Object\.freeze\(\{\s+name: "fax",\s+discriminant: "eventType",\s+format: "json-object",/);
  assert.match(webhooks, /path: options\.paths\?\.fax \?\? "\/callbacks\/fax", family: faxFamily/);
  assert.match(files.get("webhooks.d.ts")!, /readonly fax\?: FaxHandlers;/);
  assert.match(files.get("queue.d.ts")!, /readonly fax\?: QueuedHandlers<FaxHandlers>;/);
});

test("the OpenAPI reference has its webhook, its tag and its product group", () => {
  const doc = JSON.parse(files.get("openapi.json")!);
  assert.ok(doc.webhooks["fax.faxReceived"], "the fax webhook");
  assert.deepEqual(
    doc.tags.find((t: { name: string }) => t.name === "fax"),
    { name: "fax", "x-displayName": "Fax events", description: "Fax events (a throwaway family for a test)." },
  );
  assert.ok(doc["x-tagGroups"].find((g: { name: string }) => g.name === "Messaging").tags.includes("fax"));
});

test("nothing outside the fixture changed: the project's families generate as they do without it", async () => {
  const plain = await generateFiles();
  for (const path of ["validators/voice.js", "validators/numbers.js", "bxml/index.js", "runtime/http/core.js"]) assert.equal(files.get(path), plain.get(path), path);
});
