// `bw-codegen fixtures --out DIR` pointed at a folder the user already uses: it never replaces a file it did
// not write (a `replay.test.mjs` of theirs, a numbered .json of theirs that the generated test would also
// replay), never writes through a symbolic link, and then writes nothing at all (exit 1, naming the files).
// Files an earlier run wrote are replaced, and those this run does not write again are removed, so the
// generated test replays this capture only; other files of the user's stay.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fixturesCommand } from "../generator/cli/fixtures.js";

const root = mkdtempSync(join(tmpdir(), "bw-fixtures-out-"));
after(() => rmSync(root, { recursive: true, force: true }));

const entry = (event: string) =>
  JSON.stringify({ v: 1, at: "2026-12-05T08:00:00.000Z", family: "voice", event, method: "POST", url: "/callbacks/voice", headers: {}, body: "{}", answer: { status: 204, body: "" }, latencyMs: 1 });
const threeDeliveries = join(root, "three.ndjson");
writeFileSync(threeDeliveries, `${entry("initiate")}\n${entry("gather")}\n${entry("disconnect")}\n`);
const oneDelivery = join(root, "one.ndjson");
writeFileSync(oneDelivery, `${entry("answer")}\n`);

/** Runs the command in process, its output collected. */
async function fixtures(...args: string[]): Promise<{ code: number; stderr: string }> {
  const out = process.stdout.write;
  const err = process.stderr.write;
  let stderr = "";
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: await fixturesCommand.run(args), stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

test("a replay.test.mjs or a numbered .json of the user's is never replaced, and nothing is written", async () => {
  for (const mine of ["replay.test.mjs", "001-voice-initiate.json", "042-my-own-fixture.json"]) {
    const dir = join(root, `users-${mine}`);
    mkdirSync(dir);
    writeFileSync(join(dir, mine), "my own work\n");
    writeFileSync(join(dir, "notes.txt"), "mine too\n");
    const run = await fixtures(threeDeliveries, "--out", dir);
    assert.equal(run.code, 1, mine);
    assert.match(run.stderr, new RegExp(mine.replace(".", "\\.")));
    assert.equal(readFileSync(join(dir, mine), "utf8"), "my own work\n");
    assert.deepEqual(readdirSync(dir).sort(), [mine, "notes.txt"].sort(), "nothing written");
  }
});

test("a symbolic link where a file goes is not written through", async () => {
  const dir = join(root, "linked");
  mkdirSync(dir);
  const outside = join(root, "outside.txt");
  writeFileSync(outside, "not yours to write\n");
  symlinkSync(outside, join(dir, "replay.test.mjs"));
  const run = await fixtures(threeDeliveries, "--out", dir);
  assert.equal(run.code, 1);
  assert.equal(readFileSync(outside, "utf8"), "not yours to write\n");
});

test("a second run replaces the first run's files and removes those it does not write again", async () => {
  const dir = join(root, "again");
  mkdirSync(dir);
  writeFileSync(join(dir, "notes.txt"), "mine\n");
  assert.equal((await fixtures(threeDeliveries, "--out", dir)).code, 0);
  assert.deepEqual(readdirSync(dir).sort(), ["001-voice-initiate.json", "002-voice-gather.json", "003-voice-disconnect.json", "notes.txt", "replay.test.mjs"]);
  assert.equal((await fixtures(oneDelivery, "--out", dir)).code, 0);
  assert.deepEqual(readdirSync(dir).sort(), ["001-voice-answer.json", "notes.txt", "replay.test.mjs"]);
  assert.match(readFileSync(join(dir, "replay.test.mjs"), "utf8"), /one\.ndjson: 1 captured deliveries/);
  assert.ok(existsSync(join(dir, "notes.txt")));
});
