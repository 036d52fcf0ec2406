// The queue's local spool (templates/runtime/queue/spool.ts) by itself: how long a receiver waits to
// spool a request's events while Redis is down (one file each: write, fsync, rename, folder fsync), one
// at a time and 32 at once, and how fast the drainer forwards a backlog to a real redis-server. Short
// (a few seconds); figures in docs/benchmarks.md, "The queue's local spool". Run: node --import tsx bench/queue-spool.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBullMQQueue } from "../templates/runtime/queue/bullmq-queue.js";
import { openSpool } from "../templates/runtime/queue/spool.js";
import type { QueuedEvent } from "../templates/runtime/queue/types.js";
import { startRedisServer } from "../test/support/redis-server.js";

const event = (i: number): QueuedEvent => ({
  family: "voice",
  eventType: "disconnect",
  event: { eventType: "disconnect", eventTime: "2026-12-05T11:00:00.000Z", callId: `c-${i}`, accountId: "9900000", cause: "hangup", from: "+19195550100", to: "+19195550199" },
  valid: true,
  receivedAt: Date.now(),
  id: `k${i}`,
});
const quiet = { warn: () => {}, error: () => {} };
const pct = (sorted: number[], p: number): string => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(2);

const root = mkdtempSync(join(tmpdir(), "bw-spool-bench-"));
const redis = await startRedisServer({ persist: true });
try {
  const spool = await openSpool({ dir: join(root, "a"), logger: quiet });
  const one: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await spool.append([event(i)]);
    one.push(performance.now() - t);
  }
  one.sort((a, b) => a - b);
  console.log(`append, one at a time (300): p50 ${pct(one, 0.5)} ms, p99 ${pct(one, 0.99)} ms`);
  const t0 = performance.now();
  const many: number[] = [];
  await Promise.all(
    Array.from({ length: 32 }, async (_, w) => {
      for (let i = 0; i < 20; i++) {
        const t = performance.now();
        await spool.append([event(1000 + w * 100 + i)]);
        many.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  many.sort((a, b) => a - b);
  console.log(`append, 32 at once (640): ${(640 / seconds).toFixed(0)} requests/s, p50 ${pct(many, 0.5)} ms, p99 ${pct(many, 0.99)} ms`);
  await spool.close();

  await redis.stop();
  const queue = createBullMQQueue({ connection: redis.url, queueName: "bench-spool", spoolDir: join(root, "a"), logger: quiet });
  while (queue.spooled() === 0) await new Promise((resolve) => setTimeout(resolve, 20)); // the spool opens (Redis is down: nothing drains)
  const backlog = queue.spooled();
  await redis.start();
  const t1 = performance.now();
  await queue.spoolDrained();
  console.log(`drain: ${backlog} spooled files to the intake stream in ${(performance.now() - t1).toFixed(0)} ms (from Redis started to empty)`);
  await queue.close();
} finally {
  await redis.dispose();
  rmSync(root, { recursive: true, force: true });
}
