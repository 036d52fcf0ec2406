// The generated OpenAPI 3.1 document passes Redocly's recommended rules with no errors, and has a
// webhook (with our examples and the right responses) for every event in the catalog.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadCatalog } from "../generator/catalog.js";
import { camelCase } from "../generator/schema-transforms.js";
import { REPO_ROOT } from "./support/cli.js";

const spec = JSON.parse(readFileSync(join(REPO_ROOT, "generated", "openapi.json"), "utf8"));

test("openapi.yaml passes `redocly lint --extends recommended` with no errors", () => {
  const bin = join(REPO_ROOT, "node_modules", ".bin", "redocly");
  for (const file of ["openapi.yaml", "openapi.json"]) {
    const run = spawnSync(bin, ["lint", join(REPO_ROOT, "generated", file), "--extends", "recommended", "--format", "summary"], { encoding: "utf8", timeout: 120_000 });
    assert.equal(run.status, 0, `${file}\n${run.stdout}\n${run.stderr}`);
    assert.doesNotMatch(run.stdout + run.stderr, /^error /m);
  }
});

test("the document is OpenAPI 3.1 with one webhook per event, examples and expected responses", () => {
  assert.match(spec.openapi, /^3\.1\./);
  assert.deepEqual(spec.components.securitySchemes.bandwidthBasic, spec.components.securitySchemes.bandwidthBasic && { ...spec.components.securitySchemes.bandwidthBasic, type: "http", scheme: "basic" });
  const catalog = loadCatalog(join(REPO_ROOT, "schemas"));
  for (const e of catalog.events) {
    const hook = spec.webhooks[`${e.family}.${camelCase(e.event)}`];
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
