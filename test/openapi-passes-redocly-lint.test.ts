// The generated OpenAPI 3.1 document passes Redocly's recommended rules with no errors and no warning
// except the two kinds where the rule is wrong (each checked to be exactly that case; see
// CONTRIBUTING.md, "OpenAPI document"), and has a webhook (with our examples, the right responses, tags
// grouped by product, the auth challenge and the BXML reply explained) for every event in the catalog.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { buildModel } from "../generator/model/build-model.js";
import { familyByName } from "../generator/model/families.js";
import { handlerName } from "../generator/model/handler-names.js";
import { loadCatalog } from "../generator/catalog.js";
import { PROCESS_LIMIT_MS } from "./support/children.js";
import { REPO_ROOT } from "./support/cli.js";

const spec = JSON.parse(readFileSync(join(REPO_ROOT, "generated", "openapi.json"), "utf8"));

interface LintProblem {
  ruleId: string;
  severity: string;
  message: string;
  location: { pointer: string }[];
}

function lintProblems(file: string): LintProblem[] {
  const bin = join(REPO_ROOT, "node_modules", ".bin", "redocly");
  const run = spawnSync(bin, ["lint", join(REPO_ROOT, "generated", file), "--extends", "recommended", "--format", "json"], { encoding: "utf8", timeout: PROCESS_LIMIT_MS, killSignal: "SIGKILL" });
  assert.equal(run.status, 0, `${file}\n${run.stderr}${run.error ? `\n${run.error.message}` : ""}`);
  return JSON.parse(run.stdout.slice(run.stdout.indexOf("{"))).problems;
}

/** Value at a JSON pointer such as `#/components/schemas/X/if/not/required/0`. */
function at(pointer: string): any {
  return pointer.replace(/^#\//, "").split("/").reduce((node, key) => node?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
}

/**
 * Why each remaining warning is wrong, as a check that it is exactly that case:
 * - no-invalid-media-type-examples on `application/xml` examples: the example of an XML body is the XML
 *   document, a string (OpenAPI 3.1, Media Type Object: non-JSON examples are strings), while the schema
 *   describes its elements (the JSON form); Redocly validates every example as JSON against the schema.
 * - no-required-schema-properties-undefined inside `if`/`then`/`not`: those subschemas are conditions on
 *   the object, whose properties the enclosing schema defines ("transcription or realTimeTranscription",
 *   "lat with lon"); the rule looks for them in the condition itself and follows only allOf/anyOf/oneOf.
 */
const EXPLAINED: Record<string, (p: LintProblem) => boolean> = {
  "no-invalid-media-type-examples": (p) => /\/content\/application~1xml\/examples\/[^/]+\/value$/.test(p.location[0].pointer) && typeof at(p.location[0].pointer) === "string" && at(p.location[0].pointer).startsWith("<?xml"),
  "no-required-schema-properties-undefined": (p) => {
    const pointer = p.location[0].pointer;
    const match = /^(.*?)(?:\/allOf\/\d+)?\/(?:if|then|else)(?:\/not)?\/required\/\d+$/.exec(pointer);
    if (!match) return false;
    const name = at(pointer);
    return typeof name === "string" && at(match[1])?.properties?.[name] !== undefined;
  },
};

test("`redocly lint --extends recommended`: no error, and the only warnings are the explained false positives", () => {
  for (const file of ["openapi.json", "openapi.yaml"]) {
    const problems = lintProblems(file);
    const unexplained = problems.filter((p) => !(p.severity === "warn" && EXPLAINED[p.ruleId]?.(p)));
    assert.deepEqual(unexplained.map((p) => `${p.severity} ${p.ruleId} ${p.location[0].pointer}: ${p.message}`), [], file);
  }
});

test("tags per family, grouped by product; the auth challenge and the BXML reply are explained", () => {
  const tags = spec.tags.map((t: { name: string }) => t.name);
  const grouped = spec["x-tagGroups"].flatMap((g: { tags: string[] }) => g.tags);
  assert.deepEqual([...grouped].sort(), [...tags].sort(), "every tag is in exactly one group (Redoc hides ungrouped tags)");
  assert.deepEqual(spec["x-tagGroups"].map((g: { name: string }) => g.name), ["Voice", "Messaging", "Numbers"]);
  for (const t of spec.tags) assert.ok(t["x-displayName"] && t.description, t.name);
  assert.match(spec.components.securitySchemes.bandwidthBasic.description, /no\*\* `Authorization` header[\s\S]*401[\s\S]*WWW-Authenticate: Basic realm/);
  assert.match(spec.info.description, /## Authentication: the challenge/);
  const gather = spec.webhooks["voice.gather"].post;
  assert.match(gather.description, /^\*\*Webhook\*\* `voice\.gather` · event `eventType: "gather"` · \*\*reply\*\* BXML/);
  assert.match(gather.responses["200"].description, /verbs after it never run/);
  assert.equal(gather.responses["200"].content["application/xml"].schema.$ref, "#/components/schemas/BxmlResponse");
  // Conference events may only use conference-scope verbs, and say so.
  assert.match(spec.webhooks["voice.conferenceCreated"].post.responses["200"].description, /Verbs allowed here: `<PlayAudio>`, `<SpeakSentence>`/);
  // Element names in descriptions are code, not HTML tags a renderer would drop.
  assert.doesNotMatch(JSON.stringify(spec.webhooks), /[^`]<(Response|Gather)>[^`]/);
});

test("the document is OpenAPI 3.1 with one webhook per event, examples and expected responses", () => {
  assert.match(spec.openapi, /^3\.1\./);
  assert.deepEqual(spec.components.securitySchemes.bandwidthBasic, spec.components.securitySchemes.bandwidthBasic && { ...spec.components.securitySchemes.bandwidthBasic, type: "http", scheme: "basic" });
  const catalog = loadCatalog(join(REPO_ROOT, "schemas"));
  // Webhook families only: the socket families (transport "websocket") are in the AsyncAPI document.
  const webhookEvents = buildModel(catalog).families.filter((f) => f.transport === "http").flatMap((f) => f.events);
  assert.ok(webhookEvents.length < catalog.events.length);
  for (const e of webhookEvents) {
    const hook = spec.webhooks[`${e.family}.${handlerName(familyByName(e.family), e.event)}`];
    assert.ok(hook, `${e.family}.${e.event} has a webhook`);
    if (hook.get) {
      // Query-string requests (Emergency Calling API): parameters instead of a body, a JSON reply.
      assert.ok(hook.get.parameters.length >= 1 && hook.get.responses["200"].content["application/json"], `${e.event} query and reply`);
      assert.ok(hook.get.responses["401"].headers["WWW-Authenticate"], "401 documents the challenge header");
      continue;
    }
    const body = Object.values<any>(hook.post.requestBody.content)[0];
    assert.ok(Object.keys(body.examples).length >= 2, `${e.event} examples`);
    const responses = Object.keys(hook.post.responses);
    if (e.meta.response === "bxml") assert.ok(responses.includes("200") && hook.post.responses["200"].content["application/xml"], e.event);
    // Numbers notifications count anything but 200 as a failure; the others are acknowledged with 204.
    if (e.meta.response === "empty") assert.ok(e.family === "numbers" ? responses.includes("200") && !hook.post.responses["200"].content : responses.includes("204") && !responses.includes("200"), e.event);
    if (e.meta.response === "port-out-validation-response") assert.ok(hook.post.responses["200"].content["application/xml"], e.event);
    assert.ok(hook.post.responses["401"].headers["WWW-Authenticate"], "401 documents the challenge header");
  }
});
