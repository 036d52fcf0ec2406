// `bw-codegen validate --kind bxml|auto --json` over the realistic fixture documents and over broken
// copies of them (unknown verbs, forbidden nesting, wrong attribute types, wrong roots, not well-formed):
// one JSON line per file, `type` = root element, exit 0 / 1 / 2 as the contract says. Real binary, real files.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { jsonLines, REPO_ROOT, runCli } from "./support/cli.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "bxml");
const files = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".xml"))
  .sort()
  .map((f) => relative(REPO_ROOT, join(FIXTURES, f)));

test("every fixture validates with --kind bxml and with --kind auto; exit 0", () => {
  for (const kind of ["bxml", "auto"]) {
    const run = runCli(["validate", "--kind", kind, "--json", ...files]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    const lines = jsonLines(run.stdout);
    assert.equal(lines.length, files.length);
    lines.forEach((line, i) => {
      assert.equal(line.file, files[i], "file is the path as given");
      assert.equal(line.valid, true);
      assert.equal(line.kind, "bxml");
      assert.ok(line.type === "Response" || line.type === "Bxml");
      assert.deepEqual(line.errors, []);
    });
  }
});

/** Broken copies: each mutation of a valid document and the error path it must produce. */
const MUTATIONS: Array<[label: string, from: RegExp, to: string, path: RegExp]> = [
  ["unknown verb", /<Hangup\/>/, "<HangUp/>", /^\/Response\/HangUp\[1\]$/],
  ["forbidden nesting", /<SpeakSentence voice="julie">/, '<Transfer><PhoneNumber>+15550001001</PhoneNumber></Transfer><SpeakSentence voice="julie">', /^\/Response\/Gather\[1\]\/Transfer\[1\]$/],
  ["wrong attribute type", /maxDigits="1"/, 'maxDigits="one"', /^\/Response\/Gather\[1\]\/@maxDigits$/],
  ["attribute out of range", /interDigitTimeout="2.5"/, 'interDigitTimeout="61"', /^\/Response\/Gather\[1\]\/@interDigitTimeout$/],
  ["wrong enum", /<Gather /, '<Gather gatherMethod="PUT" ', /^\/Response\/Gather\[1\]\/@gatherMethod$/],
  ["python boolean", /<Hangup\/>/, '<Ring answerCall="True"/>', /^\/Response\/Ring\[1\]\/@answerCall$/],
  ["wrong root", /<(\/?)Response>/g, "<$1Document>", /^\/Document$/],
  ["not well-formed", /<\/Gather>/, "", /^$/],
  ["DOCTYPE", /^<\?xml[^>]*>/, '<?xml version="1.0"?><!DOCTYPE Response>', /^$/],
];

test("broken copies of a fixture are invalid with an element path; exit 1", () => {
  const dir = mkdtempSync(join(tmpdir(), "bxml-cli-"));
  const source = readFileSync(join(FIXTURES, "ivr-menu.xml"), "utf8");
  const broken = MUTATIONS.map(([label, from, to], i) => {
    const text = source.replace(from, to);
    assert.notEqual(text, source, `${label}: mutation did not apply`);
    const file = join(dir, `${i}.xml`);
    writeFileSync(file, text);
    return file;
  });
  const run = runCli(["validate", "--kind", "bxml", "--json", ...broken]);
  assert.equal(run.status, 1, run.stderr);
  const lines = jsonLines(run.stdout);
  assert.equal(lines.length, MUTATIONS.length);
  lines.forEach((line, i) => {
    const [label, , , path] = MUTATIONS[i];
    assert.equal(line.valid, false, label);
    assert.equal(line.kind, "bxml");
    assert.ok(line.errors.length > 0, label);
    assert.ok(line.errors.some((e: { path: string }) => path.test(e.path)), `${label}: ${JSON.stringify(line.errors)}`);
    for (const e of line.errors) assert.equal(typeof e.message, "string");
  });
  assert.equal(lines[6].type, null, "a wrong root has no BXML type");
  assert.equal(lines[0].type, "Response");
});

test("mixed valid and invalid files exit 1; an unreadable file exits 2 and still gets its line", () => {
  const dir = mkdtempSync(join(tmpdir(), "bxml-cli-"));
  const bad = join(dir, "bad.xml");
  writeFileSync(bad, "<Response><Gather maxDigits='99'/></Response>");
  const mixed = runCli(["validate", "--kind", "bxml", "--json", files[0], bad]);
  assert.equal(mixed.status, 1);
  assert.deepEqual(jsonLines(mixed.stdout).map((l) => l.valid), [true, false]);
  const missing = runCli(["validate", "--kind", "bxml", "--json", files[0], join(dir, "nope.xml")]);
  assert.equal(missing.status, 2);
  const lines = jsonLines(missing.stdout);
  assert.equal(lines.length, 2);
  assert.equal(lines[1].valid, false);
});

test("unknown attributes are warnings (valid) by default and errors with --strict", () => {
  const dir = mkdtempSync(join(tmpdir(), "bxml-cli-"));
  const file = join(dir, "typo.xml");
  writeFileSync(file, '<Response><StartStream destination="wss://s.example.com" destination_username="u"/></Response>');
  const lenient = runCli(["validate", "--kind", "bxml", "--json", file]);
  assert.equal(lenient.status, 0);
  const [line] = jsonLines(lenient.stdout);
  assert.equal(line.valid, true);
  assert.match(line.warnings[0], /\/Response\/StartStream\[1\]\/@destination_username: .*did you mean "destinationUsername"/);
  const strict = runCli(["validate", "--kind", "bxml", "--json", "--strict", file]);
  assert.equal(strict.status, 1);
  assert.equal(jsonLines(strict.stdout)[0].errors[0].path, "/Response/StartStream[1]/@destination_username");
});

test("hostile input is an invalid result, never a crash", () => {
  const dir = mkdtempSync(join(tmpdir(), "bxml-cli-"));
  const inputs = ["", "<Response", "\u0000\u0001", '<!DOCTYPE a [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><Response>&b;</Response>', `<Response>${"<Gather>".repeat(5000)}`, `<Response><SpeakSentence>${"x".repeat(70_000)}</SpeakSentence></Response>`];
  const paths = inputs.map((text, i) => {
    const file = join(dir, `h${i}.xml`);
    writeFileSync(file, text);
    return file;
  });
  const run = runCli(["validate", "--kind", "bxml", "--json", ...paths]);
  assert.equal(run.status, 1, run.stderr);
  const lines = jsonLines(run.stdout);
  assert.equal(lines.length, inputs.length);
  for (const line of lines) {
    assert.equal(line.valid, false);
    assert.ok(line.errors[0].message.length > 0);
  }
});
