// Every payload shape Bandwidth's spec (the pinned bandwidth-sdk's bandwidth.yml) describes for a callback
// is accepted in strict mode, by the runtime validators and by `bw-codegen validate --strict`: each callback
// model filled with every property it declares (the spec's example values) and each callback example, for
// every copy of the spec (`bandwidthSpecs()`: the pinned bandwidth-sdk's and each one vendored in
// test/fixtures/spec/, whose 2026-07-22 copy adds sipCallId, sipResponseCode, sipHeaders). What cannot pass
// is said here.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { validateEndpointEvent } from "../generated/validators/endpoint.js";
import { validateMessagingCallback } from "../generated/validators/messaging.js";
import { validateTfvCallback } from "../generated/validators/tfv.js";
import { validateVoiceCallback } from "../generated/validators/voice.js";
import { bandwidthSpecs, type JsonSchema } from "./support/drift.js";
import { VOICE_SPEC_TO_EVENT } from "./support/spec-mapping.js";
import { sampleFromSpec } from "./support/spec-shapes.js";
import { jsonLines, runCli } from "./support/cli.js";


interface Shape {
  name: string;
  kind: "voice" | "messaging" | "tfv" | "endpoint";
  value: unknown;
}

function voiceShapes(spec: JsonSchema): Shape[] {
  const models: Record<string, JsonSchema> = spec.components.schemas;
  const shapes: Shape[] = [];
  for (const [model, event] of Object.entries(VOICE_SPEC_TO_EVENT)) {
    // The spec's eventType is one shared string whose example is "bridgeComplete": set each model's own value.
    const value = { ...(sampleFromSpec(spec, models[model]) as object), eventType: event };
    shapes.push({ name: `${model} as ${event}`, kind: "voice", value });
  }
  // The spec's name for recordComplete, accepted as a rename (generator/families.ts).
  shapes.push({ name: "recordingCompleteCallback as recordingComplete", kind: "voice", value: { ...(sampleFromSpec(spec, models.recordingCompleteCallback) as object), eventType: "recordingComplete" } });
  return shapes;
}

/**
 * Messaging: statusCallback is one model for five types. Its errorCode is "applicable only when type is
 * message-failed" and eventTime is "for message-read callbacks" (the spec's own words), so a shape of
 * another type carries neither: our per-type schemas declare each field only on its type, and strict mode
 * refuses errorCode on, say, message-sent. That is the one spec combination that cannot pass, on purpose.
 */
function messagingShapes(spec: JsonSchema): Shape[] {
  const models: Record<string, JsonSchema> = spec.components.schemas;
  const shapes: Shape[] = [];
  const status = sampleFromSpec(spec, models.statusCallback) as Record<string, unknown>;
  for (const type of models.statusCallbackTypeEnum.enum as string[]) {
    const value: Record<string, unknown> = { ...status, type };
    if (type !== "message-failed") delete value.errorCode;
    if (type !== "message-read") delete value.eventTime;
    shapes.push({ name: `statusCallback as ${type}`, kind: "messaging", value: [value] });
  }
  const inbound = sampleFromSpec(spec, models.inboundCallback) as Record<string, unknown>;
  for (const type of models.inboundCallbackTypeEnum.enum as string[]) shapes.push({ name: `inboundCallback as ${type}`, kind: "messaging", value: [{ ...inbound, type }] });
  for (const [name, example] of Object.entries(spec.components.examples as Record<string, { value: any }>)) {
    if (/CallbackExample$/.test(name) && typeof example.value?.message === "object") shapes.push({ name: `example ${name}`, kind: "messaging", value: [example.value] });
  }
  return shapes;
}

function otherShapes(spec: JsonSchema): Shape[] {
  const models: Record<string, JsonSchema> = spec.components.schemas;
  const shapes: Shape[] = ["verificationWebhook", "verificationDenialWebhook", "failureWebhook", "blockedWebhook"].map((m) => ({ name: m, kind: "tfv" as const, value: sampleFromSpec(spec, models[m]) }));
  for (const eventType of models.endpointEventTypeEnum.enum as string[]) {
    shapes.push({ name: `endpointEvent as ${eventType}`, kind: "endpoint", value: { ...(sampleFromSpec(spec, models.endpointEvent) as object), eventType } });
  }
  shapes.push({ name: "example endpointDisconnectedEventExample", kind: "endpoint", value: spec.components.examples.endpointDisconnectedEventExample.value });
  return shapes;
}

const validators = { voice: validateVoiceCallback, messaging: validateMessagingCallback, tfv: validateTfvCallback, endpoint: validateEndpointEvent };
const dir = mkdtempSync(join(tmpdir(), "bw-spec-shapes-"));
after(() => rmSync(dir, { recursive: true, force: true }));

for (const [n, { label: specLabel, doc: spec }] of bandwidthSpecs().entries()) {
  const allShapes = [...voiceShapes(spec), ...messagingShapes(spec), ...otherShapes(spec)];

  test(`every callback model and example in ${specLabel} validates in strict mode (runtime validators)`, () => {
    assert.ok(allShapes.filter((s) => s.kind === "voice").length >= 22, "expected the spec's 21 voice models");
    const failures: string[] = [];
    for (const shape of allShapes) {
      const result = validators[shape.kind](shape.value, { strict: true });
      if (!result.ok) failures.push(`${shape.name}: ${JSON.stringify(result.errors)}`);
    }
    assert.deepEqual(failures, []);
  });

  test(`the shapes really are complete (${specLabel}): a model's sample carries every property the spec declares`, () => {
    const answer = allShapes.find((s) => s.name === "answerCallback as answer")!.value as Record<string, unknown>;
    for (const key of ["enqueuedTime", "answerTime", "tag", "machineDetectionResult"]) assert.ok(key in answer, key);
    // the newest spec's SIP fields come from the spec itself, not from a hand-written list
    if (specLabel.includes("2026-07-22")) assert.ok("sipCallId" in answer, "sipCallId");
    // And strict mode is really strict: a property the spec does not declare is refused.
    const result = validateVoiceCallback({ ...answer, notInTheSpec: 1 }, { strict: true });
    assert.equal(result.ok, false);
  });

  test(`bw-codegen validate --strict accepts every callback shape of ${specLabel}`, () => {
    const files = allShapes.map((shape, i) => {
      const path = join(dir, `${n}-${i}-${shape.kind}.json`);
      writeFileSync(path, JSON.stringify(shape.value, null, 2));
      return path;
    });
    const kinds = [...new Set(allShapes.map((s) => s.kind))];
    for (const kind of kinds) {
      const mine = files.filter((_, i) => allShapes[i].kind === kind);
      const run = runCli(["validate", "--strict", "--kind", kind, "--json", ...mine]);
      const invalid = jsonLines(run.stdout).filter((line) => line.valid !== true);
      assert.deepEqual(invalid, [], run.stderr);
      assert.equal(run.status, 0, run.stdout + run.stderr);
    }
  });
}
