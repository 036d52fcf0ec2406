// CONTRIBUTING.md schema rule 3, mechanised: a field is required only when Bandwidth's spec and docs show it
// on every delivery. (1) The catalog check: no required field accepts null or is described as conditional.
// (2) Against every copy of the spec (the pinned bandwidth-sdk's and each one vendored in
// test/fixtures/spec/): every field we require is declared by the event's spec model,
// not nullable, not described as "(optional)"/"only present", and in the model's required list when it has
// one; for voice events the spec does not model, not nullable in any spec voice model. (3) Exceptions
// (generator/required-exceptions.json) each have a reason and each still excuse something.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { loadCatalog, REQUIRED_EXCEPTIONS, type EventEntry } from "../generator/catalog.js";
import { CONDITIONAL_WORDS, loadRequiredExceptions, requiredFieldFindings, requiredRuleProblems, type RequiredFinding } from "../generator/required-rule.js";
import { bandwidthSpecs, repoRoot, type JsonSchema } from "./support/drift.js";
import { VOICE_SPEC_TO_EVENT } from "./support/spec-mapping.js";
import { derefSpec, specProperties, specRequired } from "./support/spec-shapes.js";

const catalog = loadCatalog(join(repoRoot, "schemas"));
const exceptions = loadRequiredExceptions(REQUIRED_EXCEPTIONS);
const specs = bandwidthSpecs();
const spec = specs[0].doc; // the rule's own checks below use the npm copy
const models: Record<string, JsonSchema> = spec.components.schemas;

/** Our event file → the spec model it corresponds to (messaging: the shared model of its type). */
function specModelFor(event: EventEntry, models: Record<string, JsonSchema>): string | undefined {
  if (event.family === "voice") return Object.entries(VOICE_SPEC_TO_EVENT).find(([, e]) => e === event.event)?.[0];
  if (event.family === "messaging") {
    if ((models.statusCallbackTypeEnum.enum as string[]).includes(event.event)) return "statusCallback";
    if ((models.inboundCallbackTypeEnum.enum as string[]).includes(event.event)) return "inboundCallback";
  }
  if (event.family === "tfv") return { status: "verificationWebhook", denial: "verificationDenialWebhook", failure: "failureWebhook", blocked: "blockedWebhook" }[event.event];
  if (event.file.startsWith("endpoint/device-")) return "endpointEvent";
  return undefined;
}

/** What the spec says about one property of a model, for the rule. */
function specSaysOptional(prop: JsonSchema, spec: JsonSchema = specs[0].doc): string | undefined {
  const target = derefSpec(spec, prop);
  if (prop.nullable === true || target?.nullable === true) return "is nullable in the spec";
  const text = `${prop.description ?? ""} ${target?.description ?? ""}`;
  const words = text.match(CONDITIONAL_WORDS);
  return words ? `is described as conditional in the spec ("${words[0]}")` : undefined;
}

/** Properties nullable or conditional in any of the spec's voice callback models (the voice field dictionary). */
function voiceDictionaryOf(spec: JsonSchema): Map<string, string> {
  const dictionary = new Map<string, string>();
  for (const model of Object.keys(VOICE_SPEC_TO_EVENT)) {
    for (const [name, prop] of Object.entries(specProperties(spec, spec.components.schemas[model]))) {
      const why = specSaysOptional(prop, spec);
      if (why && !dictionary.has(name)) dictionary.set(name, `${why} (${model})`);
    }
  }
  return dictionary;
}
const voiceDictionary = voiceDictionaryOf(spec);

/** Every required field of ours the spec does not show on every delivery. */
function specFindings(spec: JsonSchema): RequiredFinding[] {
  const models: Record<string, JsonSchema> = spec.components.schemas;
  const voiceDictionary = voiceDictionaryOf(spec);
  const findings: RequiredFinding[] = [];
  for (const event of catalog.events) {
    const model = specModelFor(event, models);
    const discriminant = ["eventType", "type", "event"];
    for (const property of event.schema.required as string[]) {
      if (discriminant.includes(property) && event.schema.properties[property]?.const !== undefined) continue;
      const push = (problem: string): void => void findings.push({ file: event.file, at: "", property, problem });
      if (model === undefined) {
        const why = event.family === "voice" ? voiceDictionary.get(property) : undefined;
        if (why) push(why);
        continue;
      }
      const props = specProperties(spec, models[model]);
      const required = specRequired(spec, models[model]);
      if (!(property in props)) push(`is not declared by the spec's ${model}`);
      else if (required.length > 0 && !required.includes(property)) push(`is not in the required list of the spec's ${model}`);
      else {
        const why = specSaysOptional(props[property], spec);
        if (why) push(why);
      }
    }
  }
  return findings;
}

const excused = (f: RequiredFinding): boolean => exceptions.some((e) => e.file === f.file && e.at === f.at && e.property === f.property);

test("the required rule holds across every schema: no required field accepts null or is described as conditional", () => {
  assert.deepEqual(requiredRuleProblems(requiredFieldFindings(catalog.schemas, catalog.files), exceptions), []);
});

for (const { label, doc } of specs) {
  test(`every required field is shown on every delivery by ${label} (except reasoned exceptions)`, () => {
    const unexplained = specFindings(doc).filter((f) => !excused(f));
    assert.deepEqual(unexplained.map((f) => `${f.file}: ${f.property} ${f.problem}`), []);
  });
}

test("every exception has a reason and still excuses a finding of one of the two checks", () => {
  const all = [...requiredFieldFindings(catalog.schemas, catalog.files), ...specs.flatMap(({ doc }) => specFindings(doc))];
  for (const e of exceptions) {
    assert.ok(e.why.length > 40, `${e.file} ${e.property}: give a real reason`);
    assert.ok(all.some((f) => f.file === e.file && f.at === e.at && f.property === e.property), `stale exception: ${e.file} ${e.property}`);
  }
});

test("the catalog check catches a nullable or conditionally described required field, and ignores named types' own text", () => {
  const id = "https://bw-codegen.dev/schemas/test/x.schema.json";
  const common = "https://bw-codegen.dev/schemas/test/common.schema.json";
  const schemas = new Map<string, JsonSchema>([
    [common, { $id: common, $defs: { when: { description: "Absent when the call was never answered.", type: "string" }, obj: { title: "Obj", description: "Its 'x' is only sent when y.", type: "object" } } }],
    [
      id,
      {
        $id: id,
        type: "object",
        properties: {
          a: { anyOf: [{ type: "string" }, { type: "null" }] },
          b: { $ref: "common.schema.json#/$defs/when" },
          c: { description: "(optional) a spec-style remark", type: "string" },
          d: { $ref: "common.schema.json#/$defs/obj" },
          e: { description: "Always sent.", $ref: "common.schema.json#/$defs/when" },
          nested: { type: "object", properties: { f: { type: ["string", "null"] } }, required: ["f"] },
        },
        required: ["a", "b", "c", "d", "e", "nested"],
      },
    ],
  ]);
  const found = requiredFieldFindings(schemas, new Map([[id, "test/x.schema.json"]])).map((f) => `${f.at}:${f.property}`);
  assert.deepEqual(found.sort(), ["/properties/nested:f", ":a", ":b", ":c"]);
});

test("the spec check catches a field the spec marks nullable", () => {
  const answerTime = models.answerCallback.properties.answerTime;
  assert.match(specSaysOptional(answerTime) ?? "", /nullable/);
  assert.match(specSaysOptional(models.recordingAvailableCallback.properties.mediaUrl) ?? "", /nullable/);
  assert.equal(specSaysOptional(models.answerCallback.properties.callId), undefined);
  assert.match(voiceDictionary.get("answerTime") ?? "", /nullable/, "events the spec does not model inherit the voice dictionary");
});
