// `bw-codegen replay` against a receiver that captures into the folder being replayed (a newcomer's first
// replay: the receiver that made the capture, still capturing): every replayed delivery is recorded again,
// so the next replay sends each twice. Replay says so on stderr, naming the file that grew or appeared, and
// `--update` does not rewrite a file the receiver appended to (what it appended would be lost): exit 1,
// the file left as the receiver wrote it. The receiver's capture here writes synchronously (a CaptureSink
// appending to the file), so what replay sees does not depend on a writer thread's timing.
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import type { CapturedDelivery, CaptureSink } from "../generated/capture.js";
import { TEST_LIMIT_MS } from "./support/children.js";
import { REPO_ROOT, runCliAsync } from "./support/cli.js";
import { PASSWORD, USERNAME, recordCapture, startReceiver } from "./support/recorder.js";

const root = join(REPO_ROOT, ".tmp", `replay-recapture-${process.pid}`);
mkdirSync(root, { recursive: true });
after(() => rmSync(root, { recursive: true, force: true }));

/** Runs the CLI without blocking this process (the receiver answers from here); killed on every path. */
const cli = (args: string[]) => runCliAsync(args);

/** A capture that appends one line per delivery to `file` at once (what a capturing receiver does, without the 20 ms). */
function appendingTo(file: string): CaptureSink {
  return {
    record(delivery: CapturedDelivery): void {
      appendFileSync(file, `${JSON.stringify({ v: 1, at: new Date(delivery.at).toISOString(), family: delivery.family, event: delivery.eventType, method: delivery.method, url: delivery.url, headers: {}, body: null, answer: { status: delivery.response.status, body: delivery.response.body ?? "" }, latencyMs: 0 })}\n`);
    },
  };
}

const credentials = ["--username", USERNAME, "--password", PASSWORD];

test("replay into a receiver capturing into the replayed file warns, naming it; --update leaves that file alone (exit 1)", { timeout: TEST_LIMIT_MS }, async () => {
  const dir = join(root, "grows");
  const [file] = await recordCapture(dir);
  const recorded = readFileSync(file, "utf8");

  const receiver = await startReceiver({ capture: appendingTo(file) });
  try {
    const replay = await cli(["replay", dir, "--url", receiver.url, ...credentials]);
    assert.equal(replay.status, 0, replay.stdout + replay.stderr);
    assert.match(replay.stdout, /5 deliveries replayed, no difference/);
    assert.match(replay.stderr, new RegExp(`warning: the receiver is capturing into the capture being replayed \\(${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} grew\\)`));
    assert.match(replay.stderr, /Replay against a receiver with capture off/);

    writeFileSync(file, recorded);
    const changed = await startReceiver({ variant: "changed", capture: appendingTo(file) });
    try {
      const update = await cli(["replay", dir, "--url", changed.url, "--update", ...credentials]);
      assert.equal(update.status, 1, update.stdout + update.stderr);
      assert.match(update.stderr, /not updated: it grew while replaying/);
      assert.match(update.stdout, /5 deliveries replayed, 1 different \(1 file\(s\) not updated\)/);
      const lines = readFileSync(file, "utf8").trim().split("\n");
      assert.equal(lines.length, recorded.trim().split("\n").length + 5, "the recorded lines and the 5 the receiver appended are all there");
      assert.ok(readFileSync(file, "utf8").startsWith(recorded), "the recorded answers are not rewritten");
    } finally {
      await changed.close();
    }
  } finally {
    await receiver.close();
  }
});

test("replay into a receiver capturing into a new file of the replayed folder names the new file", { timeout: TEST_LIMIT_MS }, async () => {
  const dir = join(root, "appears");
  await recordCapture(dir);
  const added = join(dir, "capture-later-0001.ndjson");
  const receiver = await startReceiver({ capture: appendingTo(added) });
  try {
    const replay = await cli(["replay", dir, "--url", receiver.url, ...credentials]);
    assert.equal(replay.status, 0, replay.stdout + replay.stderr);
    assert.match(replay.stderr, /capture-later-0001\.ndjson appeared\)/);
  } finally {
    await receiver.close();
  }
  assert.equal(readdirSync(dir).length, 2);
});

test("replay against a receiver without capture prints no warning", { timeout: TEST_LIMIT_MS }, async () => {
  const dir = join(root, "quiet");
  await recordCapture(dir);
  const receiver = await startReceiver();
  try {
    const replay = await cli(["replay", dir, "--url", receiver.url, ...credentials]);
    assert.equal(replay.status, 0, replay.stdout + replay.stderr);
    assert.equal(replay.stderr, "");
  } finally {
    await receiver.close();
  }
});
