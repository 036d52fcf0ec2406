// Bandwidth resends a messaging callback answered 5xx, a voice async callback only after a connection
// error, a numbers notification never: with the queue and Redis down the receiver answered 503, and every
// voice and numbers event of the outage was lost. With `spoolDir`, the receiver (generated
// createBandwidthWebhooks, node adapter, real redis-server on 127.0.0.1, Redis dedupe store as a
// scaffolded project has) writes them to a local spool (files 0600) and answers 200; once Redis is back
// the spool is forwarded and a worker handles each event exactly once, also when a drain step fails after
// reaching Redis, when the receiver process is killed mid-drain, and for an event with no dedupe key; a
// redelivery afterwards adds nothing. Past the spool's cap the answer is 503 again (warned); a cut spool
// file is set aside, never forwarded; a spoolDir that is a symlink is refused.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import { createBandwidthWebhooks } from "../generated/index.js";
import { createBandwidthWorker, createBullMQQueue, createRedisDedupeStore, intakeKey } from "../generated/queue.js";
import type { BullMQEventQueue } from "../generated/queue.js";
import { adopt, killChild } from "./support/children.js";
import { orderNotification, postDelivery, voiceDisconnect } from "./support/events.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { until } from "./support/until.js";

const CREDENTIALS = { username: "spool", password: "spool-password" };
const AUTHORIZATION = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString("base64")}`;
const quiet = { warn: () => {}, error: () => {}, debug: () => {} };

const disconnect = voiceDisconnect;
const order = orderNotification;

/** What the receiver answered for an acknowledged delivery (voice: 204 No Content; numbers: 200 for Bandwidth's status), as one value. */
const ACK = "acknowledged";

async function post(url: string, path: string, body: unknown): Promise<number | typeof ACK> {
  const status = await postDelivery(url + path, body, AUTHORIZATION);
  return status >= 200 && status < 300 ? ACK : status;
}

interface Receiver {
  readonly url: string;
  readonly queue: BullMQEventQueue;
  close(): Promise<void>;
}

async function receiver(redisUrl: string, queueName: string, spoolDir: string, extra: Partial<Parameters<typeof createBullMQQueue>[0]> = {}): Promise<Receiver> {
  const queue = createBullMQQueue({ connection: redisUrl, queueName, timeoutMs: 500, spoolDir, logger: quiet, ...extra });
  const store = createRedisDedupeStore({ connection: redisUrl, prefix: `${queueName}:`, readyTimeoutMs: 300 });
  const webhooks = createBandwidthWebhooks({ credentials: [CREDENTIALS], logger: quiet, voice: {}, numbers: {}, queue, dedupe: { store }, onError: () => {} });
  const server: Server = createServer(webhooks.node);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queue,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue.close();
      await store.close?.();
    },
  };
}

/** A worker counting runs per event; `settled()` waits until `n` jobs completed and nothing waits to be forwarded. */
function worker(redisUrl: string, queueName: string) {
  const runs = new Map<string, number>();
  const count = (id: string): void => void runs.set(id, (runs.get(id) ?? 0) + 1);
  const started = createBandwidthWorker({
    connection: redisUrl,
    queueName,
    logger: quiet,
    voice: { disconnect: (event) => count(`voice ${event.callId}`) },
    numbers: { orders: (event) => count(`numbers ${event.OrderId}`) },
  });
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  return {
    runs,
    async settled(n: number): Promise<void> {
      await until(async () => {
        const counts = await redisCounts(redis, queueName);
        return counts.completed >= n && counts.intake === 0 && counts.waiting === 0;
      });
    },
    async close() {
      await started.close();
      redis.disconnect();
    },
  };
}

async function redisCounts(redis: Redis, queueName: string): Promise<{ completed: number; intake: number; waiting: number }> {
  const [completed, intake, waiting, active] = await Promise.all([
    redis.zcard(`bull:${queueName}:completed`),
    redis.xlen(intakeKey(queueName)),
    redis.llen(`bull:${queueName}:wait`),
    redis.llen(`bull:${queueName}:active`),
  ]);
  return { completed, intake, waiting: waiting + active };
}

const spoolFiles = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith(".spool"));

describe("the queue's local spool through a Redis outage (real redis-server)", () => {
  let redis: RedisServer;
  let root: string;
  before(async () => {
    redis = await startRedisServer({ persist: true });
    root = mkdtempSync(join(tmpdir(), "bw-spool-test-"));
  });
  after(async () => {
    await redis.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  test("Redis stopped: voice and numbers events answered 200 and spooled (0600); Redis back: each handled exactly once, a redelivery adds nothing", async () => {
    const dir = join(root, "outage");
    const r = await receiver(redis.url, "sp1", dir);
    const w = { current: undefined as ReturnType<typeof worker> | undefined };
    try {
      await redis.stop();
      assert.equal(await post(r.url, "/callbacks/voice", disconnect("c-1")), ACK);
      assert.equal(await post(r.url, "/callbacks/voice", disconnect("c-2")), ACK);
      assert.equal(await post(r.url, "/callbacks/numbers", order("o-1")), ACK);
      assert.equal(await post(r.url, "/callbacks/numbers", order("o-undated", false)), ACK);
      assert.equal(r.queue.spooled(), 4);
      for (const name of spoolFiles(dir)) assert.equal(statSync(join(dir, name)).mode & 0o777, 0o600);
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      await redis.start();
      await r.queue.spoolDrained();
      assert.deepEqual(spoolFiles(dir), []);
      w.current = worker(redis.url, "sp1");
      await w.current.settled(4);
      assert.equal(await post(r.url, "/callbacks/voice", disconnect("c-1")), ACK); // Bandwidth's redelivery
      await w.current.settled(4);
      assert.deepEqual(Object.fromEntries(w.current.runs), { "voice c-1": 1, "voice c-2": 1, "numbers o-1": 1, "numbers o-undated": 1 });
    } finally {
      await redis.start();
      await w.current?.close();
      await r.close();
    }
  });

  test("a drain step that fails after reaching Redis is forwarded again: nothing lost, nothing run twice", async () => {
    const dir = join(root, "step-fails");
    let failures = 0;
    const r = await receiver(redis.url, "sp2", dir, {
      onSpoolForwarded: () => {
        if (failures++ === 0) throw new Error("drain step failed before the files were removed");
      },
    });
    let w: ReturnType<typeof worker> | undefined;
    try {
      await redis.stop();
      for (const id of ["c-a", "c-b", "c-c"]) assert.equal(await post(r.url, "/callbacks/voice", disconnect(id)), ACK);
      assert.equal(await post(r.url, "/callbacks/numbers", order("o-nodate", false)), ACK);
      await redis.start();
      await r.queue.spoolDrained();
      assert.ok(failures >= 2, "the failed step was retried");
      w = worker(redis.url, "sp2");
      await w.settled(4);
      assert.deepEqual(Object.fromEntries(w.runs), { "voice c-a": 1, "voice c-b": 1, "voice c-c": 1, "numbers o-nodate": 1 });
    } finally {
      await redis.start();
      await w?.close();
      await r.close();
    }
  });

  test("the receiver process killed mid-drain (after Redis took the events, before the files were removed): the next one forwards them again, each handled once", async () => {
    const dir = join(root, "killed");
    const first = await receiver(redis.url, "sp3", dir);
    let w: ReturnType<typeof worker> | undefined;
    let next: Receiver | undefined;
    try {
      await redis.stop();
      for (const id of ["c-x", "c-y"]) assert.equal(await post(first.url, "/callbacks/voice", disconnect(id)), ACK);
      assert.equal(await post(first.url, "/callbacks/numbers", order("o-k", false)), ACK);
      await first.close(); // spooled, never forwarded
      await redis.start();
      const child = adopt(spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "support/spool-drain-then-die.ts"), redis.url, "sp3", dir], { stdio: "ignore" }));
      try {
        const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, s) => resolve(s)));
        assert.equal(signal, "SIGKILL");
      } finally {
        killChild(child);
      }
      assert.equal(spoolFiles(dir).length, 3, "killed before removing a file");
      next = await receiver(redis.url, "sp3", dir);
      await next.queue.spoolDrained();
      assert.deepEqual(spoolFiles(dir), []);
      w = worker(redis.url, "sp3");
      await w.settled(3);
      assert.deepEqual(Object.fromEntries(w.runs), { "voice c-x": 1, "voice c-y": 1, "numbers o-k": 1 });
    } finally {
      await redis.start();
      await w?.close();
      await next?.close();
    }
  });

  test("past the spool's cap: 503 again and a warning; what was spooled is still handled once", async () => {
    const dir = join(root, "cap");
    const warnings: string[] = [];
    const r = await receiver(redis.url, "sp4", dir, { spoolMaxBytes: 2000, logger: { warn: (m: string) => void warnings.push(m), error: () => {} } });
    let w: ReturnType<typeof worker> | undefined;
    try {
      await redis.stop();
      const statuses: (number | typeof ACK)[] = [];
      for (let i = 0; statuses.at(-1) !== 503; i++) statuses.push(await post(r.url, "/callbacks/voice", disconnect(`c-cap-${i}`)));
      const accepted = statuses.filter((s) => s === ACK).length;
      assert.ok(accepted >= 1);
      assert.deepEqual(statuses, [...Array(accepted).fill(ACK), 503]);
      assert.ok(warnings.some((m) => /spool .* is full/.test(m)));
      await redis.start();
      await r.queue.spoolDrained();
      w = worker(redis.url, "sp4");
      await w.settled(accepted);
      assert.deepEqual(Object.fromEntries(w.runs), Object.fromEntries(Array.from({ length: accepted }, (_, i) => [`voice c-cap-${i}`, 1])));
    } finally {
      await redis.start();
      await w?.close();
      await r.close();
    }
  });

  test("a cut spool file is set aside (never forwarded), the others are; a symlink in the spool or as spoolDir is never followed", async () => {
    const dir = join(root, "cut");
    mkdirSync(dir, { mode: 0o700 });
    const good = { v: 1, events: [{ family: "voice", eventType: "disconnect", event: disconnect("c-good"), valid: true, receivedAt: 1, id: "s-good" }] };
    writeFileSync(join(dir, "0000000000000001-a.spool"), `${JSON.stringify(good)}\n`, { mode: 0o600 });
    writeFileSync(join(dir, "0000000000000002-b.spool"), JSON.stringify(good).slice(0, 40), { mode: 0o600 }); // cut mid-line
    const outside = join(root, "outside.txt");
    writeFileSync(outside, `${JSON.stringify({ ...good, events: [{ ...good.events[0], event: disconnect("c-outside"), id: "s-outside" }] })}\n`);
    symlinkSync(outside, join(dir, "0000000000000003-c.spool")); // never followed
    const errors: string[] = [];
    const queue = createBullMQQueue({ connection: redis.url, queueName: "sp5", spoolDir: dir, logger: { warn: () => {}, error: (m: string) => void errors.push(m) } });
    let w: ReturnType<typeof worker> | undefined;
    try {
      await queue.spoolDrained();
      assert.deepEqual(readdirSync(dir).sort(), ["0000000000000002-b.spool.corrupt", "0000000000000003-c.spool"], "the symlink is left alone");
      assert.ok(errors.some((m) => /cut or corrupt/.test(m)));
      w = worker(redis.url, "sp5");
      await w.settled(1);
      assert.deepEqual(Object.fromEntries(w.runs), { "voice c-good": 1 });
    } finally {
      await w?.close();
      await queue.close();
    }

    const link = join(root, "link");
    symlinkSync(dir, link);
    const refused: string[] = [];
    const linked = createBullMQQueue({ connection: redis.url, queueName: "sp6", spoolDir: link, logger: { warn: () => {}, error: (m: string) => void refused.push(m) } });
    try {
      await until(() => refused.length > 0);
      assert.match(refused[0], /symlinks are refused/);
    } finally {
      await linked.close();
    }
  });
});
