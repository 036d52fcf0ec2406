// The receiver acknowledges an event once Redis holds it; a Redis without an append-only file loses, when
// it crashes, every event stored since its last snapshot (Debian's redis-server package ships with
// `appendonly no`). The BullMQ producer says so once, naming the setting, and says nothing on a Redis that
// keeps one. Two real redis-servers, one with `--appendonly no`, one with `--appendonly yes`.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createBullMQQueue } from "../templates/runtime/queue/bullmq-queue.js";
import type { QueuedEvent } from "../templates/runtime/queue/types.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";

let volatile: RedisServer;
let durable: RedisServer;
before(async () => {
  volatile = await startRedisServer();
  durable = await startRedisServer({ persist: true });
});
after(async () => {
  await volatile.dispose();
  await durable.dispose();
});

const event: QueuedEvent = { family: "messaging", eventType: "message-delivered", event: { type: "message-delivered" }, valid: true, receivedAt: 0, id: "aof-check" };

/** The producer's warnings by the time its first enqueue is stored (the check's INFO goes first on the connection). */
async function warningsOf(redis: RedisServer): Promise<string[]> {
  const warnings: string[] = [];
  const queue = createBullMQQueue({ connection: redis.url, queueName: "aof", logger: { warn: (message: string) => warnings.push(message) } });
  try {
    await queue.enqueue([event]);
    await queue.enqueue([event]); // a second round trip: the INFO reply's handler has surely run
    return warnings;
  } finally {
    await queue.close();
  }
}

test("a Redis without an append-only file gets one warning naming appendonly; one with it gets none", async () => {
  const warned = await warningsOf(volatile);
  assert.equal(warned.length, 1, warned.join("\n"));
  assert.match(warned[0], new RegExp(`^bw-codegen queue: the Redis at 127\\.0\\.0\\.1:${volatile.port} keeps no append-only file \\(appendonly no\\): a crash of it loses the events stored since its last snapshot, already acknowledged to Bandwidth\\. Set appendonly yes`));
  assert.deepEqual(await warningsOf(durable), []);
});
