// A project scaffolded with `--queue bullmq` runs its own `npm test` right after scaffolding, whatever Redis
// is doing: with no REDIS_URL it needs no Redis (the receiver's tests build a config without redisUrl; the
// queue test is skipped and says how to run it) and passes; with REDIS_URL on a port nothing listens on,
// the queue test fails with a message naming REDIS_URL and what to start, and npm test exits non-zero
// (it used to hang for ever: the receiver's Redis clients kept reconnecting and held the test process);
// with a real redis-server, the queue test runs a disconnect through Redis to a worker's job handler.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { buildScaffold, writeScaffold } from "../generator/cli/scaffold.js";
import { TEST_LIMIT_MS, adopt, limitChild } from "./support/children.js";
import { childEnv } from "./support/processes.js";
import { freePort, startRedisServer, type RedisServer } from "./support/redis-server.js";
import { linkScaffoldModules } from "./support/scaffolded-echo-bot.js";

const dir = mkdtempSync(join(tmpdir(), "bw-scaffold-queue-test-"));
let redis: RedisServer | undefined;

before(() => {
  writeScaffold(dir, buildScaffold({ dir, framework: "node", queue: "bullmq" }), false);
  linkScaffoldModules(dir, ["bullmq", "ioredis"]);
});
after(async () => {
  await redis?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the project's `npm test` (its own process group, killed as hung after the process limit) with `REDIS_URL` set or not. */
function npmTest(redisUrl: string | undefined): Promise<{ status: number | null; output: string }> {
  const env = childEnv(redisUrl === undefined ? {} : { REDIS_URL: redisUrl });
  if (redisUrl === undefined) delete env.REDIS_URL;
  return new Promise((resolve, reject) => {
    const child = adopt(spawn("npm", ["test"], { cwd: dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] }), { group: true });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    const cancel = limitChild(child, (message) => (output += `\n${message}`));
    child.on("error", reject);
    child.on("close", (status) => {
      cancel();
      resolve({ status, output });
    });
  });
}

test("npm test without REDIS_URL needs no Redis: passes, the queue test skipped with how to run it", { timeout: TEST_LIMIT_MS }, async () => {
  const run = await npmTest(undefined);
  assert.equal(run.status, 0, run.output);
  assert.match(run.output, /# SKIP set REDIS_URL to run the queue end to end \(docker compose up -d redis; REDIS_URL=redis:\/\/127\.0\.0\.1:6379 npm test\)/);
  assert.match(run.output, /^# fail 0$/m);
});

test("npm test with REDIS_URL where no Redis listens fails, naming REDIS_URL and what to start", { timeout: TEST_LIMIT_MS }, async () => {
  const port = await freePort();
  const run = await npmTest(`redis://127.0.0.1:${port}`);
  assert.notEqual(run.status, 0, run.output);
  assert.doesNotMatch(run.output, /killed after .* hung/, "it ended on its own");
  assert.match(run.output, new RegExp(`Redis is not reachable at REDIS_URL \\(127\\.0\\.0\\.1:${port}\\): connect ECONNREFUSED [^\\n]*Start it \\(docker compose up -d redis\\) or point REDIS_URL at yours`));
  assert.match(run.output, /^# fail 1$/m);
});

test("npm test with REDIS_URL on a running redis-server runs a disconnect through the queue to the worker", { timeout: TEST_LIMIT_MS }, async () => {
  redis = await startRedisServer();
  const run = await npmTest(redis.url);
  assert.equal(run.status, 0, run.output);
  assert.match(run.output, /^ok \d+ - a disconnect goes through the queue on REDIS_URL to the worker's job handler$/m);
  assert.match(run.output, /^# skipped 0$/m);
});
