/**
 * Emitters are functions of the model: given a hand-made model (a family definition and a few events,
 * no schemas on disk), each wiring emitter writes the text we want. Table tests: one row per kind of
 * family (plain JSON, signed, XML with its own answers, GET-only with a deadline, not served over HTTP,
 * only reply events), each with the lines the output must and must not contain.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Catalog, EventEntry } from "../generator/catalog.js";
import { emitEvents } from "../generator/emit/events.js";
import { emitHandlerWiring } from "../generator/emit/handler-wiring.js";
import { emitQueueWiring } from "../generator/emit/queue-wiring.js";
import { unresolvedImports } from "../generator/generate.js";
import { buildModel, type Model } from "../generator/model/build-model.js";
import type { FamilyDefinition } from "../generator/model/family-definition.js";

const base: FamilyDefinition = {
  name: "fax",
  order: 1,
  description: "Fax events.",
  body: "json-object",
  discriminant: "eventType",
  union: "FaxCallback",
  eventTypeAlias: "FaxEventType",
  map: "FaxCallbackMap",
  handlers: "FaxHandlers",
  validator: "validateFaxCallback",
  http: { path: "/callbacks/fax", contentTypes: ["application/json"], ackStatus: 204, doc: "Fax handlers." },
  reference: { displayName: "Fax", product: "Messaging" },
};

function event(family: string, name: string, response: string): EventEntry {
  const title = `${name.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase())}Callback`;
  return { family, event: name, title, id: `urn:${family}:${name}`, file: `${family}/${name}.schema.json`, schema: {}, meta: { family, event: name, response } };
}

function modelOf(definition: FamilyDefinition, events: EventEntry[]): Model {
  const catalog: Catalog = { schemasDir: "", schemas: new Map(), files: new Map(), events, elements: [] };
  return buildModel(catalog, [definition]);
}

test("the event table: one row per current name (earlier names of renamed events are the validator's to map)", () => {
  const renamed: FamilyDefinition = { ...base, renames: [{ from: "fax-arrived", to: "fax-received", source: "a test" }] };
  const text = emitEvents(modelOf(renamed, [event("fax", "fax-received", "empty"), event("fax", "fax-answer", "bxml")]))[0].contents;
  assert.ok(
    text.endsWith(
      [
        "export const faxEvents: Readonly<Record<string, EventInfo>> = Object.freeze({",
        '  "fax-received": { method: "faxReceived", response: "empty", title: "FaxReceivedCallback" },',
        '  "fax-answer": { method: "faxAnswer", response: "bxml", title: "FaxAnswerCallback" },',
        "});",
        "",
      ].join("\n"),
    ),
    text,
  );
});

test("the model refuses a rename to an event the family does not have, or one that shadows an event", () => {
  assert.throws(() => modelOf({ ...base, renames: [{ from: "fax-arrived", to: "fax-landed", source: "a test" }] }, [event("fax", "fax-received", "empty")]), /rename fax-arrived → fax-landed: no fax event is called fax-landed/);
  assert.throws(
    () => modelOf({ ...base, renames: [{ from: "fax-answer", to: "fax-received", source: "a test" }] }, [event("fax", "fax-received", "empty"), event("fax", "fax-answer", "bxml")]),
    /fax-answer is an event of its own/,
  );
});

const wiringRows: { name: string; definition: FamilyDefinition; events: EventEntry[]; want: string[]; wantNot: string[] }[] = [
  {
    name: "a plain JSON family",
    definition: base,
    events: [event("fax", "fax-received", "empty")],
    want: [
      'import { validateFaxCallback } from "./validators/fax.js";',
      'export const faxFamily: WebhookFamily = Object.freeze({\n  name: "fax",\n  discriminant: "eventType",\n  format: "json-object",\n  contentTypes: ["application/json"],\n  events: faxEvents,\n  validate: validateFaxCallback,\n  ackStatus: 204,\n});',
      "  /** Fax handlers. Served at `/callbacks/fax` unless `paths.fax` says otherwise. */\n  readonly fax?: FaxHandlers;",
      '    routes.push({ path: options.paths?.fax ?? "/callbacks/fax", family: faxFamily, handlers: options.fax });',
      "  return createWebhookHandlers({ ...options, routes });",
    ],
    wantNot: ["createSignedBodyCheck", "parseBody", "renderReply", "parseBxml"],
  },
  {
    name: "a signed family",
    definition: { ...base, http: { ...base.http!, signatureOption: "faxSignatureSecrets" } },
    events: [event("fax", "fax-received", "empty")],
    want: [
      'import { createSignedBodyCheck } from "./runtime/auth/hmac.js";',
      "  readonly faxSignatureSecrets?: readonly string[];",
      "    const secrets = options.faxSignatureSecrets;",
      "verifyBody: createSignedBodyCheck(secrets)",
    ],
    wantNot: [],
  },
  {
    name: "an XML family with its own answers",
    definition: { ...base, body: "xml", discriminant: undefined, select: [{ property: "OrderType" }], http: { ...base.http!, contentTypes: ["application/xml"], ackStatus: 200 } },
    events: [event("fax", "fax-received", "empty")],
    want: ['import { validateFaxCallback, parseFaxBody, renderFaxReply } from "./validators/fax.js";', "  parseBody: parseFaxBody,", "  renderReply: renderFaxReply,", "  ackStatus: 200,"],
    wantNot: ["discriminant:"],
  },
  {
    name: "a GET-only family with the sender's deadline",
    definition: { ...base, http: { ...base.http!, contentTypes: [], methods: ["GET"], maxTimeoutMs: 450 } },
    events: [event("fax", "fax-received", "empty")],
    want: ['  methods: ["GET"],', "  maxTimeoutMs: 450,", "  contentTypes: [],"],
    wantNot: [],
  },
];

for (const row of wiringRows) {
  test(`handler wiring: ${row.name}`, () => {
    const text = emitHandlerWiring(modelOf(row.definition, row.events))[0].contents;
    for (const line of row.want) assert.ok(text.includes(line), `missing:\n${line}\n--- in ---\n${text}`);
    for (const line of row.wantNot) assert.ok(!text.includes(line), `unexpected ${line}`);
  });
}

test("handler wiring: a family without HTTP settings is not served, and with none served nothing is written", () => {
  const { http: _http, ...unserved } = base;
  assert.deepEqual(emitHandlerWiring(modelOf(unserved, [event("fax", "fax-received", "empty")])), []);
});

test("queue wiring: a worker option only for families with events whose reply Bandwidth ignores", () => {
  const queued = emitQueueWiring(modelOf(base, [event("fax", "fax-received", "empty"), event("fax", "fax-answer", "bxml")]))[0].contents;
  assert.ok(queued.includes("  readonly fax?: QueuedHandlers<FaxHandlers>;"));
  assert.ok(queued.includes("  if (options.fax !== undefined) families.fax = { events: faxEvents, handlers: options.fax };"));
  assert.deepEqual(emitQueueWiring(modelOf(base, [event("fax", "fax-answer", "bxml")])), []);
});

test("the model refuses an event whose family has no definition", () => {
  assert.throws(() => modelOf(base, [event("telex", "telex-received", "empty")]), /telex\/telex-received\.schema\.json: family "telex" has no definition in generator\/families\//);
});

test("generation fails on a generated module importing a file that is not generated (a runtime file renamed under an emitter)", () => {
  const files = [
    { path: "events.js", contents: "export const x = 1;\n", source: "" },
    { path: "webhooks.js", contents: 'import { createWebhookHandlers } from "./runtime/webhooks.js";\nexport * from "./events.js";\n', source: "" },
  ];
  assert.deepEqual(unresolvedImports(files), ["webhooks.js imports ./runtime/webhooks.js"]);
  assert.deepEqual(unresolvedImports([...files, { path: "runtime/webhooks.d.ts", contents: "export {};\n", source: "" }]), []);
});
