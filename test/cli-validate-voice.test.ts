// `bw-codegen validate` as a user runs it: exit codes (0 valid, 1 invalid, 2 usage/unreadable),
// the --json line contract, malformed JSON and unknown event types as results (never crashes).
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { loadCatalog } from "../generator/catalog.js";
import { REPO_ROOT, jsonLines, runCli } from "./support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "bw-validate-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const catalog = loadCatalog(join(REPO_ROOT, "schemas"));
const answer = catalog.events.find((e) => e.family === "voice" && e.event === "answer")!.schema.examples[0];

function file(name: string, contents: string): string {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
}

test("every voice example file is valid: exit 0, one JSON line per file with kind and type", () => {
  const files = catalog.events.filter((e) => e.family === "voice").map((e) => file(`${e.event}.json`, JSON.stringify(e.schema.examples[1], null, 2)));
  const run = runCli(["validate", "--kind", "voice", "--json", ...files]);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const lines = jsonLines(run.stdout);
  assert.equal(lines.length, files.length);
  for (const [i, line] of lines.entries()) {
    assert.deepEqual(Object.keys(line).slice(0, 5), ["file", "valid", "kind", "type", "errors"]);
    assert.equal(line.file, files[i]);
    assert.equal(line.valid, true);
    assert.equal(line.kind, "voice");
    assert.deepEqual(line.errors, []);
  }
});

test("--kind auto recognises a voice callback", () => {
  const run = runCli(["validate", "--json", file("auto.json", JSON.stringify(answer))]);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.deepEqual(jsonLines(run.stdout)[0], { file: join(dir, "auto.json"), valid: true, kind: "voice", type: "answer", errors: [] });
});

const broken: [string, string, RegExp][] = [
  ["missing-call-id.json", JSON.stringify({ ...answer, callId: undefined }), /^\/callId$/],
  ["wrong-type.json", JSON.stringify({ ...answer, direction: 7 }), /^\/direction$/],
  ["unknown-event.json", JSON.stringify({ ...answer, eventType: "callAnsweredNew" }), /^\/eventType$/],
  ["no-event-type.json", JSON.stringify({ ...answer, eventType: undefined }), /^\/eventType$/],
  ["malformed.json", '{"eventType": "answer", "callId": ', /^$/],
  ["not-an-object.json", "[1, 2]", /^$/],
];

for (const [name, contents, path] of broken) {
  test(`an invalid file (${name}) is a result with a path, exit 1, never a crash`, () => {
    const run = runCli(["validate", "--kind", "voice", "--json", file(name, contents)]);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    const [line] = jsonLines(run.stdout);
    assert.equal(line.valid, false);
    assert.equal(line.kind, "voice");
    assert.ok(line.errors.some((e: { path: string }) => path.test(e.path)), JSON.stringify(line.errors));
    assert.equal(run.stderr, "");
  });
}

test("one invalid file among valid ones makes the exit status 1", () => {
  const run = runCli(["validate", "--json", file("ok.json", JSON.stringify(answer)), file("bad.json", "{")]);
  assert.equal(run.status, 1);
  assert.deepEqual(jsonLines(run.stdout).map((l) => l.valid), [true, false]);
});

test("trailing commas (seen in published examples) are accepted with a warning, or rejected with --strict-json", () => {
  const text = JSON.stringify(answer, null, 2).replace(/\n}$/, ",\n}");
  const lenient = runCli(["validate", "--json", file("trailing.json", text)]);
  assert.equal(lenient.status, 0, lenient.stdout);
  assert.match(jsonLines(lenient.stdout)[0].warnings[0], /trailing comma/);
  const strict = runCli(["validate", "--json", "--strict-json", file("trailing.json", text)]);
  assert.equal(strict.status, 1);
});

test("--strict rejects properties Bandwidth may add later; the default accepts them", () => {
  const path = file("extra.json", JSON.stringify({ ...answer, brandNewField: true }));
  assert.equal(runCli(["validate", path]).status, 0);
  const run = runCli(["validate", "--strict", "--json", path]);
  assert.equal(run.status, 1);
  assert.equal(jsonLines(run.stdout)[0].errors[0].path, "/brandNewField");
});

test("usage errors and unreadable files exit 2", () => {
  assert.equal(runCli(["validate"]).status, 2);
  assert.equal(runCli(["validate", "--kind", "fax", "x.json"]).status, 2);
  assert.equal(runCli(["validate", "--bogus", "x.json"]).status, 2);
  const missing = runCli(["validate", "--json", join(dir, "does-not-exist.json")]);
  assert.equal(missing.status, 2);
  assert.match(jsonLines(missing.stdout)[0].errors[0].message, /cannot read file/);
});

test("every command has --help", () => {
  for (const command of ["generate", "check", "validate"]) {
    const run = runCli([command, "--help"]);
    assert.equal(run.status, 0);
    assert.match(run.stdout, new RegExp(`Usage: bw-codegen ${command}`));
  }
  assert.equal(runCli(["--help"]).status, 0);
  assert.equal(runCli(["nonsense"]).status, 2);
});

test("--kind auto checks XML that no family claims as BXML, so a wrong root is named", () => {
  const run = runCli(["validate", "--json", file("wrong-root.xml", '<?xml version="1.0"?><Request><Hangup/></Request>')]);
  assert.equal(run.status, 1);
  const [line] = jsonLines(run.stdout);
  assert.equal(line.kind, "bxml");
  assert.deepEqual(line.errors, [{ path: "/Request", message: "root element must be <Response> or <Bxml>, not <Request>" }]);
});
