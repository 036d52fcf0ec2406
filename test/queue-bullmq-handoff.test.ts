// The BullMQ hand-off on a real redis-server: enqueued events reach the worker's handler for their
// family and type with the job context; a throwing handler is retried with back-off and, its attempts
// exhausted, stays in the failed set; a job id (the dedupe key) is stored once however often it is
// enqueued; and with Redis stopped, enqueue rejects within its timeout instead of hanging.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Redis } from "ioredis";
import { createBullMQQueue } from "../templates/runtime/queue/bullmq-queue.js";
import { intakeKey } from "../templates/runtime/queue/intake.js";
import type { QueueJobContext, QueuedEvent } from "../templates/runtime/queue/types.js";
import { createQueueWorker } from "../templates/runtime/queue/worker.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { settles, until } from "./support/until.js";

const silent = { warn: () => {}, error: () => {} };
const messagingEvents = { "message-delivered": { method: "messageDelivered" }, "message-failed": { method: "messageFailed" } };

function job(id: string | undefined, type = "message-delivered"): QueuedEvent {
  return { family: "messaging", eventType: type, event: { type, message: { id: id ?? "none" } }, valid: true, receivedAt: Date.now(), id };
}

describe("BullMQ hand-off (real redis-server)", () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedisServer({ persist: true }); // a restart keeps what was stored, as in production
  });
  after(async () => {
    await redis.dispose();
  });

  test("enqueued events reach the typed handler once each, with the job context", async () => {
    const queue = createBullMQQueue({ connection: redis.url, queueName: "q1" });
    const seen: { id: unknown; context: QueueJobContext }[] = [];
    const worker = createQueueWorker({
      connection: redis.url,
      queueName: "q1",
      logger: silent,
      families: { messaging: { events: messagingEvents, handlers: { messageDelivered: (event: any, context: QueueJobContext) => void seen.push({ id: event.message.id, context }) } } },
    });
    try {
      await queue.enqueue([job("a"), job("b"), job("c")]);
      await queue.enqueue([job("a"), job("b")]); // same job ids: not stored again
      await until(() => seen.length >= 3);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(seen.map((s) => s.id).sort(), ["a", "b", "c"]);
      assert.equal(seen[0].context.family, "messaging");
      assert.equal(seen[0].context.eventType, "message-delivered");
      assert.equal(seen[0].context.attempt, 1);
      assert.equal(seen[0].context.attempts, 5);
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  test("a throwing handler is retried with back-off, then left in the failed set", async () => {
    const queue = createBullMQQueue({ connection: redis.url, queueName: "q2", attempts: 3, backoff: { type: "fixed", delay: 100 } });
    const runs: number[] = [];
    const failures: boolean[] = [];
    let flakyRuns = 0;
    const worker = createQueueWorker({
      connection: redis.url,
      queueName: "q2",
      logger: silent,
      onFailed: (_error, info) => void failures.push(info.final),
      families: {
        messaging: {
          events: messagingEvents,
          handlers: {
            messageDelivered: () => {
              runs.push(Date.now());
              throw new Error("CRM down");
            },
            messageFailed: () => {
              if (++flakyRuns < 2) throw new Error("once");
            },
          },
        },
      },
    });
    try {
      await queue.enqueue([job("always-fails"), job("flaky", "message-failed")]);
      await until(async () => (await queue.queue.getFailedCount()) === 1 && (await queue.queue.getCompletedCount()) === 1);
      assert.equal(runs.length, 3);
      assert.ok(runs[1] - runs[0] >= 90 && runs[2] - runs[1] >= 90, `back-off between runs: ${runs[1] - runs[0]}, ${runs[2] - runs[1]} ms`);
      assert.deepEqual(failures, [false, false, false, true]);
      const [failed] = await queue.queue.getFailed();
      assert.equal(failed.id, "always-fails");
      assert.equal(failed.failedReason, "CRM down");
      assert.equal(flakyRuns, 2);
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  test("an event no handler takes completes and is reported", async () => {
    const queue = createBullMQQueue({ connection: redis.url, queueName: "q3" });
    const unhandled: string[] = [];
    const worker = createQueueWorker({ connection: redis.url, queueName: "q3", logger: silent, onUnhandled: (j) => void unhandled.push(j.eventType), families: { messaging: { events: messagingEvents, handlers: {} } } });
    try {
      await queue.enqueue([job("x", "message-failed"), { ...job("y"), family: "nope" }]);
      await until(() => unhandled.length === 2);
      await until(async () => (await queue.queue.getCompletedCount()) === 2);
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  test("a job BullMQ runs again (here: re-added after its record was removed) is not handled twice", async () => {
    const queue = createBullMQQueue({ connection: redis.url, queueName: "q5", keepCompletedSeconds: 0 });
    const seen: string[] = [];
    const worker = createQueueWorker({
      connection: redis.url,
      queueName: "q5",
      logger: silent,
      families: { messaging: { events: messagingEvents, handlers: { messageDelivered: (event: any) => void seen.push(event.message.id) } } },
    });
    try {
      await queue.enqueue([job("once")]);
      await until(() => seen.length === 1);
      await until(async () => (await queue.queue.getJob("once")) === undefined);
      await queue.enqueue([job("once"), job("other")]);
      await until(() => seen.includes("other"));
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(seen, ["once", "other"]);
    } finally {
      await worker.close();
      await queue.close();
    }
  });

  for (const handOff of ["intake", "direct"] as const)
    test(`with Redis stopped, enqueue (${handOff}) rejects within its timeout; after a restart it stores again`, async () => {
      const queue = createBullMQQueue({ connection: redis.url, queueName: `q4-${handOff}`, timeoutMs: 500, handOff });
      const reader = new Redis(redis.url);
      reader.on("error", () => undefined);
      /** The job ids stored so far: BullMQ's jobs (direct) or the intake stream's events (intake). */
      const stored = async (): Promise<string[]> => {
        if (handOff === "direct") return (await queue.queue.getJobs(["waiting"])).map((j) => j.id ?? "").sort();
        const entries = await reader.xrange(intakeKey(`q4-${handOff}`), "-", "+");
        return entries.flatMap(([, fields]) => (JSON.parse(fields[fields.indexOf("e") + 1]) as QueuedEvent[]).map((e) => e.id ?? "")).sort();
      };
      try {
        await queue.enqueue([job("before")]);
        await redis.stop();
        // Rejected while Redis is still down (it is restarted only below), so without waiting for a
        // reconnect; a wait would hang here until WAIT_LIMIT_MS.
        await assert.rejects(settles(queue.enqueue([job("during")]), "enqueue with Redis down"), /queue unavailable|writeable|Connection/i);
        await redis.start();
        await until(async () => {
          try {
            await queue.enqueue([job("after")]);
            return true;
          } catch {
            return false;
          }
        });
        assert.deepEqual(await stored(), ["after", "before"]);
      } finally {
        reader.disconnect();
        await queue.close();
      }
    });
});
