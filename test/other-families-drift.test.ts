// Checks that our messaging, toll-free verification and BRTC endpoint schemas accept everything Bandwidth's
// official OpenAPI spec (bandwidth.yml) describes for them, that every event type the spec enumerates has
// one of our schemas, and that generator/spec-drift/allowlist.json holds no stale entries for these spec schemas.
// Numbers notifications, MFA, legacy WebRTC and emergency callbacks are not modelled in bandwidth.yml.
// Runs against every copy of the spec (`bandwidthSpecs()`: the pinned bandwidth-sdk's and each vendored one).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  SchemaStore,
  applyAllowList,
  compareSchemas,
  eventTypeCoverage,
  formatEventTypeCoverage,
  formatDifferences,
  loadAllowList,
  type DriftDifference,
  type JsonSchema,
} from "../generator/spec-drift/compare.js";
import { narrowed as narrowEvent } from "../generator/spec-drift/spec-callbacks.js";
import { bandwidthSpecs, repoRoot } from "./support/drift.js";
import { validateEndpointEvent } from "../generated/validators/endpoint.js";
import { validateMessagingCallback } from "../generated/validators/messaging.js";
import { familyByName } from "../generator/model/families.js";

const specs = bandwidthSpecs();
const store = SchemaStore.fromDirectory(join(repoRoot, "schemas"));

/**
 * One comparison: a spec schema, narrowed to one event where the spec shares one schema between several
 * event types (its discriminant's enum is replaced by the single value our schema is for).
 */
interface Mapping {
  spec: string;
  ours: string;
  discriminant?: { property: string; value: string };
}

const messagingStatus = ["message-sending", "message-sent", "message-delivered", "message-failed", "message-read"];
const messagingInbound = ["message-received", "suggestion-response", "requested-location-response"];
const MAPPINGS: Mapping[] = [
  ...messagingStatus.map((type) => ({ spec: "statusCallback", ours: `messaging/${type}.schema.json`, discriminant: { property: "type", value: type } })),
  ...messagingInbound.map((type) => ({ spec: "inboundCallback", ours: `messaging/${type}.schema.json`, discriminant: { property: "type", value: type } })),
  { spec: "verificationWebhook", ours: "tfv/status.schema.json" },
  { spec: "verificationDenialWebhook", ours: "tfv/denial.schema.json" },
  { spec: "failureWebhook", ours: "tfv/failure.schema.json" },
  { spec: "blockedWebhook", ours: "tfv/blocked.schema.json" },
  { spec: "endpointEvent", ours: "endpoint/device-connected.schema.json", discriminant: { property: "eventType", value: "DEVICE_CONNECTED" } },
  { spec: "endpointEvent", ours: "endpoint/device-disconnected.schema.json", discriminant: { property: "eventType", value: "DEVICE_DISCONNECTED" } },
];
const specNames = new Set(MAPPINGS.map((m) => m.spec));

/** The spec schema as seen for one event: the shared discriminant narrowed to that event's value (generator/spec-drift). */
function narrowed(doc: JsonSchema, mapping: Mapping): JsonSchema {
  if (!mapping.discriminant) return { $ref: `#/components/schemas/${mapping.spec}` };
  return narrowEvent(doc, mapping.spec, mapping.discriminant.property, mapping.discriminant.value);
}

/** `extras`: ours → spec differences too (the allow-list's stale check). */
function allDifferences(spec: JsonSchema, extras = false): DriftDifference[] {
  return MAPPINGS.flatMap((m) => compareSchemas(narrowed(spec, m), { spec: m.spec, doc: spec, ours: m.ours, store, extras }));
}

for (const { label: specLabel, doc: spec } of specs) {
  const schemas: Record<string, JsonSchema> = spec.components.schemas;

  test(`every messaging callback type in ${specLabel} has our schema, with matching x-bw metadata`, (t) => {
    const enumerated = [...schemas.statusCallbackTypeEnum.enum, ...schemas.inboundCallbackTypeEnum.enum].sort();
    // A name Bandwidth renamed is reported as a rename (and accepted), a new one as missing or a likely rename.
    const coverage = eventTypeCoverage(enumerated, [...messagingStatus, ...messagingInbound], familyByName("messaging").renames ?? []);
    for (const line of formatEventTypeCoverage("messaging", coverage)) t.diagnostic(line);
    assert.deepEqual(coverage.missing, [], formatEventTypeCoverage("messaging", coverage).join("\n"));
    if (coverage.renamed.length > 0) return; // an older spec: its names map to ours through the renames
    assert.deepEqual(enumerated, [...messagingStatus, ...messagingInbound].sort(), "bandwidth.yml's messaging type enums changed: update MAPPINGS");
    assert.deepEqual(Object.keys(schemas.callback.discriminator.mapping).sort(), enumerated);
    for (const type of enumerated) {
      const { schema } = store.locate(`messaging/${type}.schema.json`);
      assert.equal(schema["x-bw"]?.family, "messaging");
      assert.equal(schema["x-bw"]?.event, type);
      assert.equal(schema.properties.type.const, type);
    }
  });

  test(`every TFV webhook shape in ${specLabel} is mapped to one of our tfv schemas`, () => {
    const body = spec.components.requestBodies.verificationWebhookRequest.content["application/json"].schema;
    const shapes = body.oneOf.map((s: JsonSchema) => String(s.$ref).split("/").pop()).sort();
    const mapped = MAPPINGS.filter((m) => m.ours.startsWith("tfv/")).map((m) => m.spec).sort();
    assert.deepEqual(shapes, mapped, "bandwidth.yml's TFV webhook shapes changed: update MAPPINGS");
  });

  test(`every endpoint eventType in ${specLabel} has our schema`, () => {
    for (const value of schemas.endpointEventTypeEnum.enum as string[]) {
      const mapping = MAPPINGS.find((m) => m.spec === "endpointEvent" && m.discriminant?.value === value);
      assert.ok(mapping, `no schema for endpoint eventType ${value}`);
      assert.equal(store.locate(mapping.ours).schema["x-bw"].event, value);
    }
  });

  test(`our messaging, TFV and endpoint schemas accept everything ${specLabel} describes (except allow-listed, explained differences)`, () => {
    const { unexplained } = applyAllowList(allDifferences(spec), loadAllowList(), specNames);
    assert.deepEqual(unexplained, [], formatDifferences(unexplained));
  });

  test(`narrowing really compares (${specLabel}): an event schema checked against another event's type value drifts`, () => {
    const diffs = compareSchemas(narrowed(spec, { spec: "statusCallback", ours: "x", discriminant: { property: "type", value: "message-sent" } }), {
      spec: "statusCallback",
      doc: spec,
      ours: "messaging/message-delivered.schema.json",
      store,
    });
    assert.ok(diffs.some((d) => d.property === "type" && d.problem === 'spec enum value(s) "message-sent" not accepted by ours'), formatDifferences(diffs));
  });

  test(`Bandwidth's own example payloads in ${specLabel} validate, lenient and strict (messaging wrapped in the array it arrives in)`, () => {
    const examples: Record<string, { value: Record<string, unknown> }> = spec.components.examples;
    let messaging = 0;
    let endpoint = 0;
    for (const [name, example] of Object.entries(examples)) {
      const value = example.value;
      if (/CallbackExample$/.test(name) && value && typeof value.message === "object") {
        messaging++;
        for (const strict of [false, true]) {
          const result = validateMessagingCallback([value], { strict });
          assert.equal(result.ok, true, `${name} (strict ${strict}): ${JSON.stringify(!result.ok && result.errors)}`);
          assert.equal(result.type, value.type);
        }
      }
      if (/^endpoint.*EventExample$/.test(name)) {
        endpoint++;
        for (const strict of [false, true]) assert.equal(validateEndpointEvent(value, { strict }).ok, true, name);
      }
    }
    assert.ok(messaging >= 8, `expected the spec's messaging callback examples, found ${messaging}`);
    assert.ok(endpoint >= 1, "expected the spec's endpoint event example");
  });
}

test("the drift allow-list has no stale messaging, TFV or endpoint entries (an entry must excuse a difference in at least one copy of the spec)", () => {
  const { stale } = applyAllowList(specs.flatMap(({ doc }) => allDifferences(doc, true)), loadAllowList(), specNames);
  assert.deepEqual(stale, [], `allow-list entries that no longer suppress any difference (remove them):\n${JSON.stringify(stale, null, 2)}`);
});

test("the drift check reports a renamed event type as a rename, not as a missing event", () => {
  // A spec of 2025-08 to 2026-06: the location reply was "request-location-response" (issue 24's audit).
  const schemas: Record<string, JsonSchema> = specs[specs.length - 1].doc.components.schemas;
  const older = schemas.inboundCallbackTypeEnum.enum.map((type: string) => (type === "requested-location-response" ? "request-location-response" : type));
  const coverage = eventTypeCoverage([...schemas.statusCallbackTypeEnum.enum, ...older], [...messagingStatus, ...messagingInbound], familyByName("messaging").renames ?? []);
  assert.deepEqual(coverage.renamed, [{ spec: "request-location-response", ours: "requested-location-response" }]);
  assert.deepEqual(coverage.missing, []);
  assert.match(formatEventTypeCoverage("messaging", coverage).join("\n"), /^renamed: spec messaging event type "request-location-response" is another name Bandwidth has used for our "requested-location-response"/);
  // A rename the family table does not know yet: reported as a likely rename, naming both.
  const unknown = eventTypeCoverage(["message-received", "suggestion-reply"], ["message-received", "suggestion-response"], []);
  assert.deepEqual(unknown.missing, [{ spec: "suggestion-reply", likelyRenameOf: "suggestion-response" }]);
  assert.match(formatEventTypeCoverage("messaging", unknown)[0], /^likely renamed: spec messaging event type "suggestion-reply" .* our "suggestion-response" is not in the spec/);
  // A wholly new type is missing, with no rename guessed.
  assert.deepEqual(eventTypeCoverage(["holographic-message"], ["message-received"], []).missing, [{ spec: "holographic-message" }]);
});
