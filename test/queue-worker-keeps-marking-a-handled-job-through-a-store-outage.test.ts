// The worker's run-once step through a dedupe-store outage longer than a job's claim (the store's Redis
// restarting): a job whose handler succeeded but whose done-mark fails is held and the mark retried until
// it lands, so when BullMQ runs the job again (here: re-added after its record was removed, as a stalled
// job is re-run after a Redis restart) the handler is not called a second time. It used to give up when
// the claim ran out: the re-run found the claim expired and no mark, and handled the event again. The
// store is a memory store with an injected clock whose complete() fails while "down"; BullMQ runs on a
// real redis-server.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createMemoryDedupeStore, type DedupeStore } from "../templates/runtime/delivery/dedupe-store.js";
import { createBullMQQueue } from "../templates/runtime/queue/bullmq-queue.js";
import type { QueuedEvent } from "../templates/runtime/queue/types.js";
import { createQueueWorker } from "../templates/runtime/queue/worker.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { until } from "./support/until.js";

let redis: RedisServer;
before(async () => {
  redis = await startRedisServer();
});
after(async () => {
  await redis.dispose();
});

const messagingEvents = { "message-delivered": { method: "messageDelivered" } };
const job: QueuedEvent = { family: "messaging", eventType: "message-delivered", event: { type: "message-delivered", message: { id: "m-1" } }, valid: true, receivedAt: 0, id: "outage-job" };

test("a job handled while the store is away is marked done once it is back, however long that took: its re-run does not handle it again", async () => {
  let clock = 0;
  const memory = createMemoryDedupeStore({ now: () => clock });
  let down = false;
  let failedMarks = 0;
  const store: DedupeStore = {
    claim: (key, ttl) => memory.claim(key, ttl),
    release: (key, token) => memory.release(key, token),
    complete: (key, token, ttl) => {
      if (!down) return memory.complete(key, token, ttl);
      failedMarks++;
      return Promise.reject(new Error("dedupe store unavailable: no answer"));
    },
  };
  const warnings: string[] = [];
  let handled = 0;
  const queue = createBullMQQueue({ connection: redis.url, queueName: "outage", handOff: "direct", keepCompletedSeconds: 0 });
  const worker = createQueueWorker({
    connection: redis.url,
    queueName: "outage",
    dedupe: store,
    claimTtlMs: 200,
    logger: { warn: (message: string) => warnings.push(message), error: () => undefined },
    families: {
      messaging: {
        events: messagingEvents,
        handlers: {
          messageDelivered: () => {
            handled++;
            down = true; // the store's Redis goes away as the handler finishes
          },
        },
      },
    },
  });
  try {
    await queue.enqueue([job]);
    await until(() => failedMarks >= 3); // the old code gave up after its third try (past the 200 ms claim)
    await until(async () => failedMarks >= 4 || (await queue.queue.getJob("outage-job")) === undefined);
    clock += 60_000; // in the store, the claim has long run out
    down = false; // the store is back
    await until(async () => (await queue.queue.getJob("outage-job")) === undefined); // completed (and removed)
    assert.equal(handled, 1);

    await queue.enqueue([job]); // BullMQ runs the job again (a stalled job's re-run after a Redis restart)
    await until(async () => (await queue.queue.getJob("outage-job")) === undefined);
    assert.equal(handled, 1, "the re-run found the job marked done: handled once");
    assert.match(warnings.join("\n"), /job outage-job was handled but cannot be marked so \(dedupe store unavailable: no answer\); retrying until it is/);
  } finally {
    await worker.close();
    await queue.close();
  }
});
