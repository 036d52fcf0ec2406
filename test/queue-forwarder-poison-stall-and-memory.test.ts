// Acknowledged means handled (issue 25), on a real redis-server: a poison intake entry (job options we
// never write, a job id BullMQ refuses, not JSON, not ours, a job BullMQ's addBulk refuses) is moved to
// the dead-letter stream with its reason and reported while the acknowledged events around it are
// handled; a forward is bounded in bytes (an entry larger than the bound goes alone); a stalled Redis
// (SIGSTOP) makes the receiver answer 503 store_unavailable instead of hanging, and the forwarder reports
// the stall and resumes after SIGCONT; a worker with a 256 MB heap drains a backlog of 1 MiB deliveries
// (100 of them here: the old forwarder read them all at once and died; the 300-delivery and
// 100,000-event figures are in docs/benchmarks.md, `node --import tsx test/load/exactly-once.ts --suite`);
// and a load-suite child that fails to start is registered and killed, so no failure leaves a process.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { createBandwidthWebhooks } from "../generated/index.js";
import { createBullMQQueue, createRedisDedupeStore } from "../generated/queue.js";
import { intakeDeadKey, intakeFields, intakeKey, startIntakeForwarder } from "../templates/runtime/queue/intake.js";
import type { QueuedEvent } from "../templates/runtime/queue/types.js";
import { startWorker, type Child } from "./load/cluster.js";
import { LOAD_AUTHORIZATION, LOAD_CREDENTIALS, messagingEvent } from "./load/deliveries.js";
import { runBacklog } from "./load/exactly-once.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { until } from "./support/until.js";

const silent = { warn: () => {}, error: () => {}, debug: () => {} };
const OPTIONS = JSON.stringify({ attempts: 5, backoff: { type: "exponential", delay: 1000 }, removeOnComplete: { age: 3600 }, removeOnFail: false });

function queued(id: string, text = ""): QueuedEvent {
  return { family: "messaging", eventType: "message-delivered", event: messagingEvent(id, 1, "+17045550187", text), valid: true, receivedAt: Date.now(), id };
}

describe("the forwarder keeps going, and every Redis call has a deadline (real redis-server)", () => {
  let redis: RedisServer;
  let raw: Redis;
  before(async () => {
    redis = await startRedisServer();
    raw = new Redis(redis.url);
  });
  after(async () => {
    raw.disconnect();
    await redis.dispose();
  });

  test("poison intake entries are dead-lettered with their reason and reported; the acknowledged events around them are forwarded", async () => {
    const key = intakeKey("p1");
    const bull = new Queue("p1", { connection: { host: "127.0.0.1", port: redis.port } });
    // BullMQ refusing a job our checks let through (a Redis script error, a newer BullMQ rule): the batch falls back entry by entry
    const refusing = Object.create(bull) as Queue;
    refusing.addBulk = (jobs) => (jobs.some((j) => j.opts?.jobId === "refused") ? Promise.reject(new Error("ERR job refused")) : bull.addBulk(jobs));
    const errors: string[] = [];
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    const event = queued("x");
    await raw.xadd(key, "*", ...intakeFields(OPTIONS, [queued("good-1")]));
    await raw.xadd(key, "*", "v", "1", "o", JSON.stringify({ attempts: 5, delay: 86_400_000 }), "e", JSON.stringify([queued("delayed")]));
    await raw.xadd(key, "*", "v", "1", "o", "{}", "e", JSON.stringify([{ ...event, id: "12345" }]));
    await raw.xadd(key, "*", "v", "1", "o", "{}", "e", "{not json");
    await raw.xadd(key, "*", "something", "else");
    await raw.xadd(key, "*", ...intakeFields(OPTIONS, [queued("refused")]));
    await raw.xadd(key, "*", ...intakeFields(OPTIONS, [queued("good-2"), queued("good-3")]));
    const forwarder = startIntakeForwarder({ client, queue: refusing, queueName: "p1", blockMs: 100, logger: { warn: () => {}, error: (m: string) => void errors.push(m) } });
    try {
      await until(async () => (await raw.xlen(intakeDeadKey("p1"))) === 5 && (await raw.xlen(key)) === 0, 20_000);
      for (const id of ["good-1", "good-2", "good-3"]) assert.notEqual(await bull.getJob(id), undefined, `${id} forwarded`);
      for (const id of ["delayed", "refused"]) assert.equal(await bull.getJob(id), undefined, `${id} not forwarded`);
      const dead = await raw.xrange(intakeDeadKey("p1"), "-", "+");
      const reasons = dead.map(([, fields]) => fields[fields.indexOf("reason") + 1]);
      assert.match(reasons[0], /job options other than attempts/);
      assert.match(reasons[1], /event 0: id is not a job id/);
      assert.match(reasons[2], /not JSON/);
      assert.match(reasons[3], /not a bw-codegen entry/);
      assert.match(reasons[4], /not added: ERR job refused/);
      assert.equal(errors.length, 5);
      for (const message of errors) assert.match(message, /cannot be forwarded .* moved to bw:intake-dead:p1/);
      assert.equal(forwarder.deadLettered(), 5);
      assert.equal(forwarder.forwarded(), 2);
    } finally {
      await forwarder.close();
      client.disconnect();
      await bull.close();
    }
  });

  test("a forward is bounded in bytes and jobs: entries go in several addBulks, an entry larger than the bound alone", async () => {
    const key = intakeKey("p2");
    const bull = new Queue("p2", { connection: { host: "127.0.0.1", port: redis.port } });
    const sizes: number[][] = [];
    const counting = Object.create(bull) as Queue;
    counting.addBulk = (jobs) => {
      sizes.push(jobs.map((j) => JSON.stringify(j.data).length));
      return bull.addBulk(jobs);
    };
    for (let i = 0; i < 6; i++) await raw.xadd(key, "*", ...intakeFields(OPTIONS, [queued(`small-${i}`, "s".repeat(1000))]));
    await raw.xadd(key, "*", ...intakeFields(OPTIONS, [queued("large", "l".repeat(20_000))]));
    for (let i = 6; i < 10; i++) await raw.xadd(key, "*", ...intakeFields(OPTIONS, [queued(`small-${i}`, "s".repeat(1000))]));
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    const forwarder = startIntakeForwarder({ client, queue: counting, queueName: "p2", blockMs: 100, maxBytes: 5000, maxJobs: 3, logger: silent });
    try {
      await until(async () => (await raw.xlen(key)) === 0, 20_000);
      assert.equal(sizes.flat().length, 11, "every job added once");
      for (const batch of sizes) {
        assert.ok(batch.length <= 3, `at most maxJobs per addBulk: ${batch.length}`);
        if (batch.some((n) => n > 20_000)) assert.equal(batch.length, 1, "the large entry alone");
        else assert.ok(batch.reduce((a, b) => a + b, 0) <= 5000, `within maxBytes: ${batch}`);
      }
    } finally {
      await forwarder.close();
      client.disconnect();
      await bull.close();
    }
  });

  test("Redis stalled (SIGSTOP): the receiver answers 503 store_unavailable instead of hanging; after SIGCONT the retry is stored", async () => {
    const queue = createBullMQQueue({ connection: redis.url, queueName: "p3", timeoutMs: 500 });
    const store = createRedisDedupeStore({ connection: redis.url, prefix: "p3:", commandTimeoutMs: 500 });
    const webhooks = createBandwidthWebhooks({ credentials: [LOAD_CREDENTIALS], logger: silent, onError: () => {}, messaging: {}, queue, dedupe: { store, pendingTtlMs: 2000 } } as never);
    const server: Server = createServer((webhooks as { node: Parameters<typeof createServer>[1] }).node);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks/messaging`;
    const post = async (id: string): Promise<{ status: number; body: string }> => {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: LOAD_AUTHORIZATION },
        body: JSON.stringify([messagingEvent(id, 1)]),
        signal: AbortSignal.timeout(15_000), // the old store waited for the stalled Redis for ever
      });
      return { status: response.status, body: await response.text() };
    };
    const pid = redis.pid!;
    try {
      assert.equal((await post("before-stall")).status, 200);
      process.kill(pid, "SIGSTOP");
      try {
        const during = await post("during-stall");
        assert.equal(during.status, 503);
        assert.equal(JSON.parse(during.body).error, "store_unavailable");
      } finally {
        process.kill(pid, "SIGCONT");
      }
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await post("during-stall")).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      assert.equal(status, 200);
    } finally {
      process.kill(pid, "SIGCONT");
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close?.();
      await queue.close();
    }
  });

  test("Redis stalled (SIGSTOP): the forwarder reports the stall within its deadline and forwards again after SIGCONT", async () => {
    const bull = new Queue("p4", { connection: { host: "127.0.0.1", port: redis.port } });
    const warnings: string[] = [];
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    const forwarder = startIntakeForwarder({ client, queue: bull, queueName: "p4", blockMs: 100, commandTimeoutMs: 500, logger: { warn: (m: string) => void warnings.push(m), error: () => {} } });
    const pid = redis.pid!;
    try {
      await raw.xadd(intakeKey("p4"), "*", ...intakeFields(OPTIONS, [queued("first")]));
      await until(async () => (await bull.getJob("first")) !== undefined);
      process.kill(pid, "SIGSTOP");
      try {
        await until(() => warnings.length > 0, 15_000);
      } finally {
        process.kill(pid, "SIGCONT");
      }
      assert.match(warnings[0], /forwarding the intake stream failed, retrying: intake: no answer to \w+ within/);
      await raw.xadd(intakeKey("p4"), "*", ...intakeFields(OPTIONS, [queued("after")]));
      await until(async () => (await bull.getJob("after")) !== undefined, 15_000);
    } finally {
      process.kill(pid, "SIGCONT");
      await forwarder.close();
      client.disconnect();
      await bull.close();
    }
  });
});

test("a worker with a 256 MB heap drains a backlog of 100 deliveries of 1 MiB: none lost, none twice, the worker keeps running", { timeout: 300_000 }, async () => {
  const report = await runBacklog({ count: 100, textBytes: 1024 * 1024, heapMb: 256, drainMs: 240_000 });
  assert.equal(report.workerExit, undefined, `the worker ended: ${report.workerExit}`);
  assert.equal(report.acknowledged, 100);
  assert.equal(report.lost, 0);
  assert.equal(report.handledTwice, 0);
  assert.equal(report.handled, 100);
});

test("a load-suite child that does not start is registered as it is spawned and killed, not left running", { timeout: 60_000 }, async () => {
  const children: Child[] = [];
  // a worker on a port nothing listens on never prints `ready`
  await assert.rejects(startWorker({ redisUrl: "redis://127.0.0.1:1" }, { children, readyTimeoutMs: 1000 }), /did not start/);
  assert.equal(children.length, 1, "registered as it was spawned");
  assert.notEqual(children[0].exit(), undefined, "the child was killed");
  assert.throws(() => process.kill(children[0].pid, 0), /ESRCH/);
});
