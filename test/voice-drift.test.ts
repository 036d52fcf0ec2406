// Checks that our voice callback schemas accept everything Bandwidth's official OpenAPI spec (bandwidth.yml)
// describes for the voice callbacks it models, that every such spec schema is mapped to one of our events, and
// that generator/spec-drift/allowlist.json holds no stale voice entries. Also proves the comparer detects drift.
// Runs against every copy of the spec (`bandwidthSpecs()`: the pinned bandwidth-sdk's and each one vendored
// in test/fixtures/spec/), so a Bandwidth change newer than the npm package still fails here.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  SchemaStore,
  applyAllowList,
  compareSchemas,
  compareWithSpec,
  formatDifferences,
  loadAllowList,
  type DriftDifference,
  type JsonSchema,
} from "../generator/spec-drift/compare.js";
import { bandwidthSpecs, repoRoot } from "./support/drift.js";
import { VOICE_SPEC_TO_EVENT as SPEC_TO_EVENT } from "./support/spec-mapping.js";
import { earlierNames } from "../generator/model/families.js";

const specs = bandwidthSpecs();
const spec = specs[0].doc; // the synthetic "newer spec" test below starts from the npm copy
const store = SchemaStore.fromDirectory(join(repoRoot, "schemas"));
const voiceSpecNames = new Set(Object.keys(SPEC_TO_EVENT));
const ourFile = (event: string): string => `voice/${event}.schema.json`;

for (const { label, doc } of specs) {
  test(`every voice callback schema in ${label} is mapped to one of our events`, () => {
    const schemas: Record<string, JsonSchema> = doc.components.schemas;
    // Voice callbacks are the *Callback schemas discriminated by an eventType property (messaging uses `type`).
    const inSpec = Object.keys(schemas)
      .filter((name) => name.endsWith("Callback") && schemas[name]?.properties?.eventType)
      .sort();
    assert.ok(inSpec.length >= 21, `expected at least 21 voice callbacks in the spec, found ${inSpec.length}`);
    assert.deepEqual(inSpec, [...voiceSpecNames].sort(), "a voice callback was added to or removed from bandwidth.yml: update SPEC_TO_EVENT");
  });
}

test("every mapped event has our schema with matching x-bw metadata", () => {
  for (const [specName, event] of Object.entries(SPEC_TO_EVENT)) {
    const { schema } = store.locate(ourFile(event));
    assert.equal(schema["x-bw"]?.family, "voice", `${ourFile(event)} (for ${specName})`);
    assert.equal(schema["x-bw"]?.event, event, `${ourFile(event)} (for ${specName})`);
  }
  // The spec's event name for record-complete must be accepted: a rename in the family table.
  assert.deepEqual(earlierNames("voice", "recordComplete"), ["recordingComplete"]);
});

/** Every difference between one copy of the spec and our voice schemas (`extras`: ours → spec ones too, for the allow-list's stale check). */
function voiceDifferences(doc: JsonSchema, extras = false): DriftDifference[] {
  const diffs: DriftDifference[] = [];
  for (const [specName, event] of Object.entries(SPEC_TO_EVENT)) {
    diffs.push(...compareWithSpec({ spec: specName, doc, ours: ourFile(event), store, extras }));
  }
  return diffs;
}

for (const { label, doc } of specs) {
  test(`our voice schemas accept everything ${label} describes (except allow-listed, explained differences)`, () => {
    const { unexplained } = applyAllowList(voiceDifferences(doc), loadAllowList(), voiceSpecNames);
    assert.deepEqual(unexplained, [], formatDifferences(unexplained));
  });
}

test("a newer spec that adds a field to a voice callback fails the drift check, naming the field", () => {
  // What a newer bandwidth-sdk would bring: the real spec with one property added to answerCallback.
  const newer: JsonSchema = structuredClone(spec);
  const answer = newer.components.schemas.answerCallback;
  answer.properties = { ...answer.properties, futureField: { type: "string", description: "added in a newer spec" } };
  const diffs = compareWithSpec({ spec: "answerCallback", doc: newer, ours: ourFile("answer"), store });
  const { unexplained } = applyAllowList(diffs, loadAllowList(), voiceSpecNames);
  assert.deepEqual(unexplained.map((d) => `${d.property}: ${d.problem}`), ["futureField: property missing from ours"]);
  assert.match(formatDifferences(unexplained), /answerCallback › futureField/);
});

test("the drift allow-list has no stale voice entries (an entry must excuse a difference in at least one copy of the spec)", () => {
  const allowList = loadAllowList();
  const { stale } = applyAllowList(specs.flatMap(({ doc }) => voiceDifferences(doc, true)), allowList, voiceSpecNames);
  assert.deepEqual(stale, [], `allow-list entries that no longer suppress any difference (remove them):\n${JSON.stringify(stale, null, 2)}`);
  for (const entry of allowList) {
    assert.ok(specs.some(({ doc }) => doc.components.schemas[entry.spec]), `allow-list entry names unknown spec schema ${entry.spec}`);
  }
});

test("the vendored newest spec catches what the npm package's copy cannot: a voice schema without sipCallId drifts from it alone", () => {
  const vendored = specs.find((s) => s.label.startsWith("vendored bandwidth-2026-07-22"));
  assert.ok(vendored, "test/fixtures/spec/bandwidth-2026-07-22.yml is vendored and checked");
  const ours = structuredClone(store.locate(ourFile("answer")).schema);
  delete ours.properties.sipCallId;
  const older = new SchemaStore([...[...store.byId.values()].filter((s) => s.$id !== ours.$id), ours]);
  const against = (doc: JsonSchema) => compareWithSpec({ spec: "answerCallback", doc, ours: ours.$id, store: older }).map((d) => `${d.property}: ${d.problem}`);
  assert.deepEqual(against(specs[0].doc), []);
  assert.deepEqual(against(vendored.doc), ["sipCallId: property missing from ours"]);
});

// The comparer itself: synthetic spec and "ours" schemas with known drift, so the checks above cannot pass
// vacuously.
const OURS_ID = "https://bw-codegen.dev/schemas/test/sample.schema.json";
const COMMON_ID = "https://bw-codegen.dev/schemas/test/common.schema.json";
const syntheticStore = new SchemaStore([
  {
    $id: COMMON_ID,
    $defs: {
      cause: { anyOf: [{ enum: ["hangup", "busy"] }, { type: "string" }] },
      when: { anyOf: [{ type: "string", pattern: "^[0-9]{4}-" }, { type: "null" }] },
      detail: { title: "Detail", type: "object", properties: { value: { type: "string" } }, additionalProperties: { type: "string" } },
    },
  },
  {
    $id: OURS_ID,
    type: "object",
    properties: {
      kind: { const: "sample" },
      cause: { $ref: "common.schema.json#/$defs/cause" },
      direction: { type: "string", enum: ["inbound"] },
      count: { type: "number" },
      flag: { type: "string" },
      when: { $ref: "common.schema.json#/$defs/when" },
      detail: { anyOf: [{ $ref: "common.schema.json#/$defs/detail" }, { type: "null" }] },
      tracks: { type: "array", items: { enum: ["inbound", "outbound"] } },
    },
  },
]);
const syntheticDoc = {
  components: {
    schemas: {
      direction: { type: "string", enum: ["inbound", "outbound"] },
      sample: {
        allOf: [
          { type: "object", properties: { kind: { type: "string" }, cause: { type: "string", enum: ["busy", "no-route"] } } },
          {
            properties: {
              direction: { $ref: "#/components/schemas/direction" },
              count: { type: "integer", nullable: true },
              flag: { type: "boolean" },
              when: { type: "string", format: "date-time", nullable: true },
              detail: { type: "object", properties: { value: { type: "string" }, extra: { type: "string" }, weight: { type: "number" } } },
              tracks: { type: "array", items: { type: "string", enum: ["inbound", "both"] } },
              missing: { type: "string" },
            },
          },
        ],
      },
    },
  },
};

test("the comparer reports missing properties, incompatible types, nulls the spec allows and ours refuses, and rejected enum values, and nothing else", () => {
  const diffs = compareWithSpec({ spec: "sample", doc: syntheticDoc, ours: OURS_ID, store: syntheticStore });
  const found = diffs.map((d) => `${d.property}: ${d.problem}`).sort();
  assert.deepEqual(found, [
    "count: spec declares it nullable, ours does not accept null",
    "detail.weight: spec type number, ours accepts string",
    "direction: spec enum value(s) \"outbound\" not accepted by ours",
    "flag: spec type boolean, ours accepts string",
    "missing: property missing from ours",
    "tracks[]: spec enum value(s) \"both\" not accepted by ours",
  ]);
  // Open enum accepts "no-route"; integer fits number; a nullable `when` is fine where ours takes null; extra key covered by additionalProperties.
  assert.ok(diffs.every((d) => d.spec === "sample" && d.ours === OURS_ID));
});

test("allow-list entries suppress matching differences and unmatched entries are reported stale", () => {
  const diffs = compareSchemas({ type: "object", properties: { gone: { type: "string" } } }, {
    spec: "sample",
    doc: syntheticDoc,
    ours: OURS_ID,
    store: syntheticStore,
  });
  assert.equal(diffs.length, 1);
  const entry = { spec: "sample", property: "gone", ours: OURS_ID, why: "test" };
  const staleEntry = { spec: "sample", property: "other", ours: OURS_ID, why: "test" };
  const foreign = { spec: "notVoice", property: "x", ours: "y", why: "another family's entry" };
  const result = applyAllowList(diffs, [entry, staleEntry, foreign], new Set(["sample"]));
  assert.deepEqual(result.unexplained, []);
  assert.deepEqual(result.stale, [staleEntry]);
  assert.match(formatDifferences(diffs), /sample › gone .*property missing from ours/);
});
