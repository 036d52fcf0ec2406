// `bw-codegen scaffold --queue bullmq`: the receiver keeps only the reply (BXML, port-out) handlers and
// hands the rest to a BullMQ queue on REDIS_URL; src/worker.ts (`npm run worker`) runs src/jobs/*.ts;
// docker-compose.yml documents the Redis; REDIS_URL is in .env.example and config.ts. The project
// type-checks against this checkout (bw-codegen linked, no install). Without --queue nothing changes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { buildScaffold, writeScaffold } from "../generator/cli/scaffold.js";
import { PROCESS_LIMIT_MS, TEST_LIMIT_MS } from "./support/children.js";

const ROOT = resolve(import.meta.dirname, "..");

test("--queue bullmq adds the worker, the jobs, REDIS_URL and docker-compose.yml; reply handlers stay in the receiver", () => {
  const files = buildScaffold({ dir: "queued", framework: "node", queue: "bullmq" });
  for (const path of ["src/worker.ts", "src/jobs/voice.ts", "src/jobs/messaging.ts", "src/jobs/numbers.ts", "docker-compose.yml"]) assert.ok(files.has(path), path);
  const manifest = JSON.parse(files.get("package.json")!);
  assert.equal(manifest.scripts.worker, "NODE_ENV=production exec node dist/worker.js", "the worker runs compiled, like npm start");
  assert.equal(manifest.scripts["worker:dev"], "exec tsx watch src/worker.ts");
  assert.ok(manifest.dependencies.bullmq && manifest.dependencies.ioredis);
  assert.match(files.get(".env.example")!, /^REDIS_URL=redis:\/\/127\.0\.0\.1:6379$/m);
  assert.match(files.get("src/config.ts")!, /export function loadRedisUrl/);
  assert.match(files.get("src/queue.ts")!, /createBullMQQueue\(\{ connection: config\.redisUrl, spoolDir: config\.spoolDir \}\)/, "the spool is on: Bandwidth does not resend voice and numbers events answered 503");
  assert.match(files.get("src/config.ts")!, /spoolDir: loadSpoolDir\(env\)/);
  assert.match(files.get("src/config.ts")!, /env\.BW_SPOOL_DIR === "" \? ".bw-spool"/, "default .bw-spool");
  assert.match(files.get(".env.example")!, /^BW_SPOOL_DIR=.bw-spool$/m);
  assert.match(files.get(".gitignore")!, /^.bw-spool\/$/m);
  assert.match(files.get("src/config.ts")!, /redisUrl: loadRedisUrl\(env\)/, "npm start's config always has REDIS_URL");
  assert.match(files.get("src/webhooks.ts")!, /\{ queue: queue\.queue, dedupe: \{ store: queue\.dedupe \} \}/);
  assert.match(files.get("src/app.ts")!, /await queue\?\.close\(\)/, "the server's close closes the queue's Redis connections");
  assert.ok(files.has("test/queue.test.ts"));
  assert.match(files.get("src/worker.ts")!, /messaging: messagingJobs,/);
  const voice = files.get("src/handlers/voice.ts")!;
  assert.match(voice, /answer\(event, context\)/);
  assert.doesNotMatch(voice, /disconnect\(event, context\)/);
  assert.match(files.get("src/jobs/voice.ts")!, /disconnect\(event, context\)/);
  assert.doesNotMatch(files.get("src/jobs/voice.ts")!, /answer\(event, context\)/);
  assert.match(files.get("docker-compose.yml")!, /--appendonly", "yes"/);
});

test("without --queue the scaffold has no queue file or option", () => {
  const files = buildScaffold({ dir: "plain", framework: "node" });
  for (const path of files.keys()) assert.ok(!/worker|jobs\/|docker-compose|queue/.test(path), path);
  assert.doesNotMatch(files.get("src/app.ts")!, /queue/i);
  assert.doesNotMatch(files.get("src/webhooks.ts")!, /queue|Redis/i);
  assert.doesNotMatch(files.get("src/config.ts")!, /REDIS_URL/);
  assert.doesNotMatch(files.get(".env.example")!, /REDIS_URL/);
  assert.match(files.get("src/handlers/voice.ts")!, /disconnect\(event, context\)/);
});

test("the --queue bullmq project type-checks against this checkout", { timeout: TEST_LIMIT_MS }, () => {
  const dir = mkdtempSync(join(tmpdir(), "bw-scaffold-queue-"));
  try {
    writeScaffold(dir, buildScaffold({ dir, framework: "express", queue: "bullmq" }), false);
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(ROOT, join(dir, "node_modules", "bw-codegen"));
    for (const pkg of ["@types", "bullmq", "ioredis", "express", "typescript"]) symlinkSync(join(ROOT, "node_modules", pkg), join(dir, "node_modules", pkg));
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", join(dir, "tsconfig.json")], { encoding: "utf8", timeout: PROCESS_LIMIT_MS, killSignal: "SIGKILL" });
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
