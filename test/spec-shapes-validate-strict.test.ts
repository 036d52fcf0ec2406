// Every payload shape Bandwidth's spec (the pinned bandwidth-sdk's bandwidth.yml) describes for a callback
// is accepted in strict mode, by the runtime validators and by `bw-codegen validate --strict`: each callback
// model filled with every property it declares (the spec's example values), each callback example, and the
// fields the issue-14 spec adds (sipCallId, sipResponseCode, sipHeaders). What cannot pass is said here.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { validateEndpointEvent, validateMessagingCallback, validateTfvCallback, validateVoiceCallback } from "../generated/index.js";
import { loadBandwidthSpec, specLabel, type JsonSchema } from "./support/drift.js";
import { VOICE_SPEC_TO_EVENT } from "./support/spec-mapping.js";
import { sampleFromSpec } from "./support/spec-shapes.js";
import { jsonLines, runCli } from "./support/cli.js";

const spec = loadBandwidthSpec();
const models: Record<string, JsonSchema> = spec.components.schemas;

interface Shape {
  name: string;
  kind: "voice" | "messaging" | "tfv" | "endpoint";
  value: unknown;
}

function voiceShapes(): Shape[] {
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
function messagingShapes(): Shape[] {
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

function otherShapes(): Shape[] {
  const shapes: Shape[] = ["verificationWebhook", "verificationDenialWebhook", "failureWebhook", "blockedWebhook"].map((m) => ({ name: m, kind: "tfv" as const, value: sampleFromSpec(spec, models[m]) }));
  for (const eventType of models.endpointEventTypeEnum.enum as string[]) {
    shapes.push({ name: `endpointEvent as ${eventType}`, kind: "endpoint", value: { ...(sampleFromSpec(spec, models.endpointEvent) as object), eventType } });
  }
  shapes.push({ name: "example endpointDisconnectedEventExample", kind: "endpoint", value: spec.components.examples.endpointDisconnectedEventExample.value });
  return shapes;
}

/** The voice fields issue 14 reports from Bandwidth's 2026-07-22 spec (not in bandwidth-sdk 8.1.4's). */
function newerSpecShapes(): Shape[] {
  const base = (model: string, event: string) => ({ ...(sampleFromSpec(spec, models[model]) as object), eventType: event });
  return [
    { name: "answer + sipCallId", kind: "voice", value: { ...base("answerCallback", "answer"), sipCallId: "a84b4c76e66710@pc33.example.com" } },
    { name: "disconnect + sipCallId, sipResponseCode", kind: "voice", value: { ...base("disconnectCallback", "disconnect"), sipCallId: "a84b4c76e66710@pc33.example.com", sipResponseCode: 486 } },
    { name: "initiate + sipCallId, sipHeaders", kind: "voice", value: { ...base("initiateCallback", "initiate"), sipCallId: "a84b4c76e66710", sipHeaders: { "x-account-ref": "A-1", "x-origin": "pbx-2" } } },
  ];
}

const validators = { voice: validateVoiceCallback, messaging: validateMessagingCallback, tfv: validateTfvCallback, endpoint: validateEndpointEvent };
const allShapes = [...voiceShapes(), ...messagingShapes(), ...otherShapes(), ...newerSpecShapes()];

test(`every callback model and example in ${specLabel} validates in strict mode (runtime validators)`, () => {
  assert.ok(allShapes.filter((s) => s.kind === "voice").length >= 22, "expected the spec's 21 voice models");
  const failures: string[] = [];
  for (const shape of allShapes) {
    const result = validators[shape.kind](shape.value, { strict: true });
    if (!result.ok) failures.push(`${shape.name}: ${JSON.stringify(result.errors)}`);
  }
  assert.deepEqual(failures, []);
});

test("the shapes really are complete: a model's sample carries every property the spec declares", () => {
  const answer = allShapes.find((s) => s.name === "answerCallback as answer")!.value as Record<string, unknown>;
  for (const key of ["enqueuedTime", "answerTime", "tag", "machineDetectionResult"]) assert.ok(key in answer, key);
  // And strict mode is really strict: a property the spec does not declare is refused.
  const result = validateVoiceCallback({ ...answer, notInTheSpec: 1 }, { strict: true });
  assert.equal(result.ok, false);
});

const dir = mkdtempSync(join(tmpdir(), "bw-spec-shapes-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test(`bw-codegen validate --strict accepts every callback shape of ${specLabel}`, () => {
  const files = allShapes.map((shape, i) => {
    const path = join(dir, `${i}-${shape.kind}.json`);
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
