// `bw-codegen drift --spec`, run as a user would (the CLI binary): the vendored copy of Bandwidth's newest
// spec gives only known, explained differences and the known recordingComplete rename (exit 0); copies of it
// changed in a temp folder (an injected field, a new enum value, a new event type, a renamed event, a
// renamed field, a removed event, a changed type, a field no longer required) are each reported as such, a renamed event as a rename
// rather than one removed plus one new (exit 1), an event under a name the family's renames already list is
// reported as a handled rename and is not drift (exit 0); --json is one finding a line then a summary;
// usage mistakes and unreadable specs exit 2; a JSON spec needs no yaml package, a YAML one says what to install.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { stringify } from "yaml";
import { type JsonSchema, loadAllowList, loadBandwidthSpec } from "../generator/spec-drift/compare.js";
import { SPEC_BASELINE } from "../generator/spec-drift/spec-callbacks.js";
import { jsonLines, runCliAsync } from "./support/cli.js";
import { vendoredSpecDir } from "./support/drift.js";

const vendored = join(vendoredSpecDir, "bandwidth-2026-07-22.yml");
const original: JsonSchema = loadBandwidthSpec(vendored);
const work = mkdtempSync(join(tmpdir(), "bw-drift-spec-"));
after(() => rmSync(work, { recursive: true, force: true }));

/** A copy of the vendored spec changed by `change`, written as JSON (or YAML) in the temp folder. */
function specCopy(name: string, change: (schemas: Record<string, JsonSchema>, doc: JsonSchema) => void, format: "json" | "yml" = "json"): string {
  const doc = structuredClone(original);
  change(doc.components.schemas, doc);
  const file = join(work, `${name}.${format}`);
  writeFileSync(file, format === "json" ? JSON.stringify(doc) : stringify(doc));
  return file;
}

async function driftJson(file: string): Promise<{ status: number | null; findings: Record<string, any>[]; summary: Record<string, any>; stderr: string }> {
  const run = await runCliAsync(["drift", "--spec", file, "--json"]);
  const lines = jsonLines(run.stdout);
  return { status: run.status, findings: lines.filter((l) => l.summary !== true), summary: lines[lines.length - 1], stderr: run.stderr };
}

const baselineEvents = Object.values(SPEC_BASELINE).flat().length;
const drifting = (findings: Record<string, any>[]) => findings.filter((f) => !f.known);

describe("bw-codegen drift --spec", () => {
  it("the vendored 2026-07-22 spec: no drift, only allow-listed differences and the handled recordingComplete rename (table and --json)", async () => {
    const table = await runCliAsync(["drift", "--spec", vendored]);
    assert.equal(table.status, 0, table.stdout + table.stderr);
    assert.match(table.stdout, /^Renames \(ours → the spec's name\)\n/m);
    assert.match(table.stdout, /voice\s+recordComplete\s+renamed-event\s+recordComplete\s+recordingComplete\s+handled/);
    assert.match(table.stdout, new RegExp(`^${baselineEvents} spec events compared with our schemas: no drift \\(\\d+ known difference`, "m"));

    const { status, findings, summary } = await driftJson(vendored);
    assert.equal(status, 0);
    assert.deepEqual(drifting(findings), []);
    const allowList = loadAllowList();
    for (const f of findings.filter((f) => f.kind !== "renamed-event")) {
      assert.ok(allowList.some((a) => a.spec === f.spec && a.property === f.path && a.ours === f.ours), `not allow-listed: ${JSON.stringify(f)}`);
    }
    assert.deepEqual(Object.keys(summary).sort(), ["compared", "drift", "findings", "known", "renames", "spec", "summary"]);
    assert.deepEqual({ ...summary, known: undefined }, { summary: true, spec: vendored, compared: baselineEvents, findings: 0, known: undefined, renames: 1, drift: false });
    for (const f of findings) {
      for (const key of ["family", "event", "kind", "path", "spec", "ours", "known", "detail"]) assert.ok(key in f, `${key} in ${JSON.stringify(f)}`);
    }
  });

  it("an injected field, a new enum value, a changed type, a field no longer required, a new event type and a removed one are each reported, with the field's path (exit 1)", async () => {
    const file = specCopy("changed", (schemas) => {
      schemas.answerCallback.properties.futureField = { type: "string" };
      schemas.answerCallback.properties.machineDetectionResult = { $ref: "#/components/schemas/machineDetectionResult" };
      schemas.machineDetectionResult.properties.futureDetail = { type: "object", properties: { score: { type: "number" } } };
      schemas.fileFormatEnum.enum.push("ogg");
      schemas.gatherCallback.properties.digits = { type: "integer" };
      schemas.holdCompleteCallback = structuredClone(schemas.answerCallback);
      delete schemas.dtmfCallback;
      schemas.inboundCallback.required = schemas.inboundCallback.required.filter((name: string) => name !== "time");
    });
    const { status, findings, summary } = await driftJson(file);
    assert.equal(status, 1, JSON.stringify(findings));
    const seen = drifting(findings).map((f) => `${f.family} ${f.event} ${f.kind} ${f.path}${f.values ? ` ${f.values.join(",")}` : ""}`);
    for (const expected of [
      "voice answer new-field futureField",
      "voice answer new-field machineDetectionResult.futureDetail",
      "voice recordingAvailable new-enum-value fileFormat ogg",
      "voice gather type-mismatch digits integer",
      "voice holdComplete new-event-type ",
      "voice dtmf removed-event-type ",
      "messaging message-received required-change time",
    ]) {
      assert.ok(seen.includes(expected), `${expected} not in:\n${seen.join("\n")}`);
    }
    assert.equal(summary.drift, true);
    assert.equal(summary.findings, drifting(findings).length);
    const table = await runCliAsync(["drift", "--spec", file]);
    assert.equal(table.status, 1);
    assert.match(table.stdout, /^family\s+event\s+kind\s+path\s+detail$/m);
    assert.match(table.stdout, /^voice\s+answer\s+new-field\s+futureField\s+property missing from ours$/m);
    assert.match(table.stdout, /^voice\s+recordingAvailable\s+new-enum-value\s+fileFormat\s+ogg$/m);
  });

  it("a renamed event is one rename (not a removed plus a new event), a renamed field too; both shown in the renames table (exit 1)", async () => {
    const file = specCopy("renamed", (schemas) => {
      schemas.transferAnsweredCallback = schemas.transferAnswerCallback;
      delete schemas.transferAnswerCallback;
      const props = schemas.disconnectCallback.properties;
      props.endedTime = props.endTime;
      delete props.endTime;
    });
    const { status, findings } = await driftJson(file);
    assert.equal(status, 1);
    const renames = findings.filter((f) => f.rename !== undefined).map((f) => `${f.kind} ${f.event} ${f.rename.from} → ${f.rename.to}`);
    assert.deepEqual(renames.sort(), ["likely-renamed-event transferAnswer transferAnswer → transferAnswered", "likely-renamed-field disconnect endTime → endedTime", "renamed-event recordComplete recordComplete → recordingComplete"]);
    assert.deepEqual(findings.filter((f) => /(new|removed)-event-type/.test(f.kind)), []);
    assert.deepEqual(findings.filter((f) => f.event === "disconnect" && /(new|removed)-field/.test(f.kind)), []);
    const table = await runCliAsync(["drift", "--spec", file]);
    assert.match(table.stdout, /voice\s+transferAnswer\s+likely-renamed-event\s+transferAnswer\s+transferAnswered\s+not handled: add it to the family's renames/);
    assert.match(table.stdout, /voice\s+disconnect\s+likely-renamed-field\s+endTime\s+endedTime\s+not handled/);
  });

  it("an event under a name the family's renames list (an older spec's request-location-response) is a handled rename, not drift (exit 0); also read as YAML", async () => {
    const file = specCopy(
      "older-name",
      (schemas) => {
        schemas.inboundCallbackTypeEnum.enum = schemas.inboundCallbackTypeEnum.enum.map((t: string) => (t === "requested-location-response" ? "request-location-response" : t));
      },
      "yml",
    );
    const { status, findings } = await driftJson(file);
    assert.equal(status, 0, JSON.stringify(drifting(findings)));
    const renamed = findings.find((f) => f.family === "messaging" && f.kind === "renamed-event");
    assert.deepEqual([renamed?.event, renamed?.rename, renamed?.known], ["requested-location-response", { from: "requested-location-response", to: "request-location-response" }, true]);
  });

  it("usage mistakes and unreadable specs exit 2 with one line saying what is wrong; --help documents --spec", async () => {
    const missing = await runCliAsync(["drift", "--spec", join(work, "nope.yml")]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /^bw-codegen drift: no such file: /);
    const both = await runCliAsync(["drift", "--spec", vendored, "some.ndjson"]);
    assert.equal(both.status, 2);
    assert.match(both.stderr, /give --spec or capture files, not both/);
    const notSpec = join(work, "not-a-spec.json");
    writeFileSync(notSpec, JSON.stringify({ hello: "world" }));
    const wrong = await runCliAsync(["drift", "--spec", notSpec]);
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /not an OpenAPI document with components\/schemas/);
    const broken = join(work, "broken.json");
    writeFileSync(broken, "{ not json");
    assert.equal((await runCliAsync(["drift", "--spec", broken])).status, 2);
    const help = await runCliAsync(["drift", "--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /bw-codegen drift --spec <bandwidth\.yml\|bandwidth\.json> \[--json\]/);
    for (const kind of ["new-event-type", "removed-event-type", "renamed-event", "likely-renamed-event", "new-field", "removed-field", "likely-renamed-field", "new-enum-value", "type-mismatch", "required-change"]) {
      assert.match(help.stdout, new RegExp(`^  ${kind} `, "m"));
    }
  });

  it("without the yaml package (a runtime install): a JSON spec still works, a YAML one names what to install (exit 2)", async () => {
    const hooks = join(work, "hide-yaml.mjs");
    writeFileSync(
      hooks,
      `export async function resolve(specifier, context, next) {
  if (specifier === "yaml") throw Object.assign(new Error("Cannot find package 'yaml'"), { code: "ERR_MODULE_NOT_FOUND" });
  return next(specifier, context);
}\n`,
    );
    const register = join(work, "register.mjs");
    writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(`file://${hooks}`)});\n`);
    const env = { NODE_OPTIONS: `--import ${register}` };
    const json = specCopy("as-json", () => {});
    const ok = await runCliAsync(["drift", "--spec", json], { env });
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    const yml = await runCliAsync(["drift", "--spec", vendored], { env });
    assert.equal(yml.status, 2, yml.stdout + yml.stderr);
    assert.match(yml.stderr, /^bw-codegen drift: .*it needs the code generator's tools.*Missing: yaml\./s);
    assert.match(yml.stderr, /npm install --save-dev yaml@/);
  });

  it("without ajv and yaml (a scaffolded project): one message names both and one npm install line (exit 2), not one per try", async () => {
    const hooks = join(work, "hide-ajv-yaml.mjs");
    writeFileSync(
      hooks,
      `export async function resolve(specifier, context, next) {
  if (specifier === "yaml" || specifier === "ajv" || specifier.startsWith("ajv/")) throw Object.assign(new Error("Cannot find package " + specifier), { code: "ERR_MODULE_NOT_FOUND" });
  return next(specifier, context);
}\n`,
    );
    const register = join(work, "register-ajv-yaml.mjs");
    writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(`file://${hooks}`)});\n`);
    const env = { NODE_OPTIONS: `--import ${register}` };
    const yml = await runCliAsync(["drift", "--spec", vendored], { env });
    assert.equal(yml.status, 2, yml.stdout + yml.stderr);
    assert.match(yml.stderr, /Missing: ajv, yaml\./);
    assert.match(yml.stderr, /npm install --save-dev ajv@\S+ yaml@\S+/);
    const json = await runCliAsync(["drift", "--spec", specCopy("as-json-no-ajv", () => {})], { env });
    assert.equal(json.status, 2, json.stdout + json.stderr);
    assert.match(json.stderr, /Missing: ajv\./, "a JSON spec needs no yaml");
  });
});
