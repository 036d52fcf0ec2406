// `bw-codegen replay --update` rewrites a capture file atomically: the new answers go into a temporary file
// of the same folder, fsynced, renamed over the capture, its mode kept. A disk that fails half-way through
// the write (ENOSPC injected into the CLI's fs.writeSync by a preloaded module) leaves the old file whole and
// no temporary file behind (exit 1, the file named); a capture file that is a symbolic link is not written
// through (the file it points to unchanged, exit 1); a temporary file an interrupted update left is no
// capture to a later replay.
import assert from "node:assert/strict";
import { chmodSync, copyFileSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { TEST_LIMIT_MS } from "./support/children.js";
import { BIN, runAsync } from "./support/cli.js";
import { PASSWORD, USERNAME, recordCapture, type Receiver } from "./support/recorder.js";

const root = mkdtempSync(join(tmpdir(), "bw-replay-update-"));
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

const credentials = ["--username", USERNAME, "--password", PASSWORD];
const cli = (args: string[], nodeArgs: string[] = []) => runAsync(process.execPath, [...nodeArgs, BIN, ...args]);

/** A module preloaded into the CLI: every write of more than 64 bytes to a file writes half, then fails as a full disk would. */
const diskFull = join(root, "disk-full.mjs");
writeFileSync(
  diskFull,
  `import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
const writeSync = fs.writeSync;
fs.writeSync = function (fd, buffer, ...rest) {
  if (fd > 2 && typeof buffer !== "string" && buffer.length > 64) {
    writeSync.call(fs, fd, buffer, 0, buffer.length >> 1);
    throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
  }
  return writeSync.call(fs, fd, buffer, ...rest);
};
syncBuiltinESMExports();
`,
);

let recorded: { file: string; receiver: Receiver } | undefined;
/** One capture of a simulated call, recorded once; the receiver answers the gather differently from now on. */
async function capture(): Promise<{ file: string; receiver: Receiver }> {
  if (recorded !== undefined) return recorded;
  const { files, receiver } = await recordCapture(join(root, "recorded"), { keep: true });
  closers.push(() => receiver.close());
  receiver.variant = "changed";
  recorded = { file: files[0], receiver };
  return recorded;
}

/** A copy of the capture in a folder of its own. */
function copyOf(name: string, source: string): { dir: string; file: string } {
  const dir = join(root, name);
  mkdirSync(dir);
  const file = join(dir, "capture-x-0001.ndjson");
  copyFileSync(source, file);
  return { dir, file };
}

test("replay --update rewrites the capture through a temporary file, keeping its mode, leaving nothing else behind", { timeout: TEST_LIMIT_MS }, async () => {
  const { file: source, receiver } = await capture();
  const { dir, file } = copyOf("updated", source);
  chmodSync(file, 0o640);
  const update = await cli(["replay", file, "--url", receiver.url, "--update", ...credentials]);
  assert.equal(update.status, 0, update.stdout + update.stderr);
  assert.notEqual(readFileSync(file, "utf8"), readFileSync(source, "utf8"));
  assert.equal(statSync(file).mode & 0o777, 0o640);
  assert.deepEqual(readdirSync(dir), ["capture-x-0001.ndjson"]);
  const again = await cli(["replay", file, "--url", receiver.url, ...credentials]);
  assert.equal(again.status, 0, again.stdout + again.stderr);
});

test("replay --update interrupted by a full disk leaves the old capture whole and no temporary file (exit 1, named)", { timeout: TEST_LIMIT_MS }, async () => {
  const { file: source, receiver } = await capture();
  const { dir, file } = copyOf("disk-full", source);
  const before = readFileSync(file);
  const update = await cli(["replay", file, "--url", receiver.url, "--update", ...credentials], ["--import", diskFull]);
  assert.equal(update.status, 1, update.stdout + update.stderr);
  assert.match(update.stderr, /capture-x-0001\.ndjson not updated: it could not be rewritten \(ENOSPC\); it is as it was/);
  assert.deepEqual(readFileSync(file), before, "the old capture is whole");
  assert.deepEqual(readdirSync(dir), ["capture-x-0001.ndjson"], "no temporary file left");
});

test("replay --update does not write through a capture file that is a symbolic link (exit 1), nor read a left temporary file", { timeout: TEST_LIMIT_MS }, async () => {
  const { file: source, receiver } = await capture();
  const { dir, file: target } = copyOf("linked", source);
  const link = join(dir, "capture-y-0001.ndjson");
  symlinkSync(target, link);
  const before = readFileSync(target);
  const update = await cli(["replay", link, "--url", receiver.url, "--update", ...credentials]);
  assert.equal(update.status, 1, update.stdout + update.stderr);
  assert.match(update.stderr, /capture-y-0001\.ndjson not updated: it is a symbolic link \(not written through\)/);
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.deepEqual(readFileSync(target), before, "the linked file is unchanged");

  // what an update killed before its rename leaves: a temporary file, which a replay of the folder does not read
  const own = join(root, "left");
  mkdirSync(own);
  copyFileSync(source, join(own, "capture-z-0001.ndjson"));
  writeFileSync(join(own, ".capture-z-0001.ndjson.0a1b2c3d4e5f.tmp"), readFileSync(source, "utf8").slice(0, 200));
  receiver.variant = "original";
  try {
    const replay = await cli(["replay", own, "--url", receiver.url, ...credentials]);
    assert.equal(replay.status, 0, replay.stdout + replay.stderr);
    assert.match(replay.stdout, /5 deliveries replayed, no difference/);
  } finally {
    receiver.variant = "changed";
  }
});
