// The intake stream between receivers and BullMQ, on a real redis-server: the requests of one turn are
// written as one entry; entries written before any worker existed are forwarded when one starts; an
// entry a forwarder read and never finished (it died) is taken over by another after the claim time and
// handled once; an entry that is not ours is removed and reported without blocking the others; and a
// Redis that lost the consumer group gets it again.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { createBullMQQueue } from "../templates/runtime/queue/bullmq-queue.js";
import { INTAKE_GROUP, intakeDeadKey, intakeKey, jobsOfEntry, startIntakeForwarder } from "../templates/runtime/queue/intake.js";
import type { QueuedEvent } from "../templates/runtime/queue/types.js";
import { createQueueWorker } from "../templates/runtime/queue/worker.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { until } from "./support/until.js";

const silent = { warn: () => {}, error: () => {} };
const messagingEvents = { "message-delivered": { method: "messageDelivered" } };

function job(id: string | undefined): QueuedEvent {
  return { family: "messaging", eventType: "message-delivered", event: { type: "message-delivered", message: { id: id ?? "none" } }, valid: true, receivedAt: Date.now(), id };
}

/** A worker on `queueName` whose messaging handler records each event's message id in `seen`. */
function recordingWorker(url: string, queueName: string, seen: string[], extra: Partial<Parameters<typeof createQueueWorker>[0]> = {}) {
  return createQueueWorker({
    connection: url,
    queueName,
    logger: silent,
    families: { messaging: { events: messagingEvents, handlers: { messageDelivered: (event: any) => void seen.push(event.message.id) } } },
    ...extra,
  });
}

describe("intake stream and forwarder (real redis-server)", () => {
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

  test("the requests of one event-loop turn are one entry; each request's promise resolves once it is stored", async () => {
    const queue = createBullMQQueue({ connection: redis.url, queueName: "i1" });
    try {
      await queue.enqueue([job("warm")]);
      await Promise.all([queue.enqueue([job("a")]), queue.enqueue([job("b"), job("c")]), queue.enqueue([job(undefined)])]);
      const entries = await raw.xrange(intakeKey("i1"), "-", "+");
      assert.equal(entries.length, 2, "the warm-up entry, then one entry for the three requests of one turn");
      const jobs = jobsOfEntry(entries[1][0], entries[1][1])!;
      assert.deepEqual(jobs.map((j) => j.opts.jobId), ["a", "b", "c", `${entries[1][0]}.3`]);
      assert.equal(jobs[0].opts.attempts, 5);
      assert.equal(jobs[0].name, "messaging:message-delivered");
    } finally {
      await queue.close();
    }
  });

  test("entries stored before any worker existed are forwarded and handled once a worker starts", async () => {
    const queue = createBullMQQueue({ connection: redis.url, queueName: "i2" });
    const seen: string[] = [];
    await queue.enqueue([job("early-1")]);
    await queue.enqueue([job("early-2"), job(undefined)]);
    const worker = recordingWorker(redis.url, "i2", seen);
    try {
      await until(() => seen.length === 3);
      await until(async () => (await raw.xlen(intakeKey("i2"))) === 0);
      assert.deepEqual(seen.sort(), ["early-1", "early-2", "none"]);
      assert.equal(worker.forwarder!.forwarded(), 2);
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  test("an entry a forwarder read but never forwarded (it died) is taken over after the claim time, handled once", async () => {
    const queue = createBullMQQueue({ connection: redis.url, queueName: "i3" });
    const key = intakeKey("i3");
    await raw.xgroup("CREATE", key, INTAKE_GROUP, "0", "MKSTREAM");
    await queue.enqueue([job("orphan")]);
    const read = await raw.xreadgroup("GROUP", INTAKE_GROUP, "dead-forwarder", "COUNT", 10, "STREAMS", key, ">");
    assert.equal((read as [string, unknown[]][])[0][1].length, 1, "the dead forwarder holds the entry");
    const seen: string[] = [];
    const worker = recordingWorker(redis.url, "i3", seen, { intakeClaimIdleMs: 300 });
    try {
      await until(() => seen.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 800)); // a second claim pass would show a repeat here
      assert.deepEqual(seen, ["orphan"]);
      const pending = (await raw.xpending(key, INTAKE_GROUP)) as [number, ...unknown[]];
      assert.equal(pending[0], 0, "nothing left pending");
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  test("an entry forwarded twice (the forwarder died after addBulk, before XACK) runs its handler once", async () => {
    const key = intakeKey("i4");
    const bull = new Queue("i4", { connection: { host: "127.0.0.1", port: redis.port } });
    const seen: string[] = [];
    const queue = createBullMQQueue({ connection: redis.url, queueName: "i4", keepCompletedSeconds: 0 });
    await queue.enqueue([job(undefined)]); // no dedupe key: the job id is the entry id
    const [[entryId, fields]] = await raw.xrange(key, "-", "+");
    await bull.addBulk(jobsOfEntry(entryId, fields)! as never); // what the dead forwarder had done
    const worker = recordingWorker(redis.url, "i4", seen);
    try {
      await until(() => seen.length === 1);
      await until(async () => (await raw.xlen(key)) === 0);
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(seen, ["none"]);
    } finally {
      await worker.close();
      await queue.close();
      await bull.close();
    }
  });

  test("an entry that is not a bw-codegen entry is dead-lettered and reported; the next ones are forwarded", async () => {
    const key = intakeKey("i5");
    await raw.xadd(key, "*", "something", "else");
    const queue = createBullMQQueue({ connection: redis.url, queueName: "i5" });
    await queue.enqueue([job("after-foreign")]);
    const errors: string[] = [];
    const seen: string[] = [];
    const worker = recordingWorker(redis.url, "i5", seen, { logger: { warn: () => {}, error: (message: string) => void errors.push(message) } });
    try {
      await until(() => seen.length === 1 && errors.length === 1);
      assert.match(errors[0], /cannot be forwarded \(not a bw-codegen entry.*moved to bw:intake-dead:i5/);
      await until(async () => (await raw.xlen(key)) === 0);
      const [[, dead]] = await raw.xrange(intakeDeadKey("i5"), "-", "+");
      assert.deepEqual(JSON.parse(dead[dead.indexOf("fields") + 1]), ["something", "else"]);
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  test("a Redis that lost the consumer group (restarted empty) gets it again; new entries flow", async () => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: null });
    const bull = new Queue("i6", { connection: { host: "127.0.0.1", port: redis.port } });
    const forwarder = startIntakeForwarder({ client, queue: bull, queueName: "i6", logger: silent, blockMs: 100 });
    const queue = createBullMQQueue({ connection: redis.url, queueName: "i6" });
    try {
      await queue.enqueue([job("one")]);
      await until(async () => (await bull.getJob("one")) !== undefined);
      await raw.del(intakeKey("i6")); // the stream and its group are gone
      await queue.enqueue([job("two")]);
      await until(async () => (await bull.getJob("two")) !== undefined);
    } finally {
      await forwarder.close();
      client.disconnect();
      await queue.close();
      await bull.close();
    }
  });
});
