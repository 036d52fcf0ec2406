// `bw-codegen drift <capture>` ends with a summary line a newcomer reads first: one finding is "1 kind of
// drift" (it said "1 kinds of drift"), several are "N kinds of drift"; exit 1 either way.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { REPO_ROOT, runCliAsync } from "./support/cli.js";
import { recordCapture } from "./support/recorder.js";

const root = join(REPO_ROOT, ".tmp", `drift-words-${process.pid}`);
mkdirSync(root, { recursive: true });
after(() => rmSync(root, { recursive: true, force: true }));

test("drift's summary: 1 kind of drift, 2 kinds of drift", async () => {
  const [file] = await recordCapture(join(root, "capture"));
  const lines = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line));
  const disconnect = lines.find((entry) => entry.event === "disconnect");
  const body = JSON.parse(disconnect.body);
  const one = join(root, "one.ndjson");
  writeFileSync(one, [...lines, { ...disconnect, body: JSON.stringify({ ...body, sipDiagnostics: 1 }) }].map((e) => `${JSON.stringify(e)}\n`).join(""));
  const single = await runCliAsync(["drift", one]);
  assert.equal(single.status, 1, single.stdout + single.stderr);
  assert.match(single.stdout, /: 1 kind of drift\n$/);
  const two = join(root, "two.ndjson");
  writeFileSync(two, [...lines, { ...disconnect, body: JSON.stringify({ ...body, sipDiagnostics: 1, carrierNote: "x" }) }].map((e) => `${JSON.stringify(e)}\n`).join(""));
  const several = await runCliAsync(["drift", two]);
  assert.equal(several.status, 1, several.stdout + several.stderr);
  assert.match(several.stdout, /: 2 kinds of drift\n$/);
});
