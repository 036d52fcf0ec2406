// The issue's done-when scenario: two receiver processes and one worker sharing one redis-server on
// 127.0.0.1 (queue + Redis dedupe on), a replay of messaging deliveries with a share of duplicates,
// Redis stopped and restarted mid-run and (optionally) one receiver killed mid-run and replaced. Counts
// each unique event's handler runs: lost (acknowledged or not, never handled) and duplicates processed
// must both be 0. `runExactlyOnce` is used by test/queue-exactly-once.test.ts (small count) and, run
// directly, prints the full figure:
//
//   node --import tsx test/load/exactly-once.ts [--count 10000] [--duplicates 0.2] [--no-kill] [--inline [--throw|--hang]]
import { Queue } from "bullmq";
import { dedupeKey } from "../../templates/runtime/queue/dedupe-keys.js";
import { startRedisServer } from "../support/redis-server.js";
import { handledCounts, startReceiver, startWorker, type Child } from "./cluster.js";
import { replayList } from "./deliveries.js";
import { replay, type ReplayResult } from "./replay.js";

export interface ExactlyOnceReport {
  readonly deliveries: number;
  readonly unique: number;
  readonly handledOnce: number;
  readonly lost: number;
  readonly duplicatesProcessed: number;
  readonly redisRestarts: number;
  readonly receiversKilled: number;
  readonly mode: "queue" | "inline";
  readonly handlerFault?: string;
  readonly replay: ReplayResult;
  readonly ms: number;
  /** For lost events: their job's state in BullMQ (diagnosis). */
  readonly lostJobs: string[];
}

export interface ExactlyOnceOptions {
  readonly count: number;
  readonly duplicateShare: number;
  /** `queue` (default): receivers enqueue, one worker handles; `inline`: the receivers' own handlers run. */
  readonly mode?: "queue" | "inline";
  /** Make the first handler run of 5 % of the events throw or hang (inline mode). */
  readonly handlerFault?: "throw" | "hang";
  /** Stop and restart Redis mid-run. Default true. */
  readonly restartRedis?: boolean;
  /** Kill one receiver (SIGKILL) mid-run and start a replacement. Default true. */
  readonly killReceiver?: boolean;
  /** How long Redis stays down. Default 1000 ms. */
  readonly redisDownMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function settle(children: readonly Child[], unique: readonly string[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const counts = handledCounts(children);
    if (unique.every((id) => counts.has(id))) break;
    await sleep(100);
  }
  await sleep(1500); // late duplicates (a stalled job run again) would show up here
}

export async function runExactlyOnce(options: ExactlyOnceOptions): Promise<ExactlyOnceReport> {
  const started = Date.now();
  const redis = await startRedisServer({ persist: true });
  const queueName = "exactly-once";
  const mode = options.mode ?? "queue";
  const { deliveries, unique } = replayList(options.count, options.duplicateShare);
  const faultIds = options.handlerFault === undefined ? [] : unique.filter((_, i) => i % 20 === 7);
  const config = { redisUrl: redis.url, queueName, mode, dedupe: "redis", pendingTtlMs: 2000, timeoutMs: 1000, fault: options.handlerFault, faultIds };
  const children: Child[] = [];
  try {
    if (mode === "queue") children.push(await startWorker({ redisUrl: redis.url, queueName }));
    const receivers = await Promise.all([startReceiver(config), startReceiver(config)]);
    children.push(...receivers);
    let redisRestarts = 0;
    let receiversKilled = 0;
    const faults: Promise<void>[] = [];
    const onAck = (done: number): void => {
      if (options.restartRedis !== false && done === Math.floor(deliveries.length * 0.3)) {
        faults.push((async () => {
          await redis.stop();
          await sleep(options.redisDownMs ?? 1000);
          await redis.start();
          redisRestarts++;
        })());
      }
      if (options.killReceiver !== false && done === Math.floor(deliveries.length * 0.6)) {
        faults.push((async () => {
          await receivers[0].kill();
          receiversKilled++;
          const replacement = await startReceiver(config);
          children.push(replacement);
          receivers[0] = replacement;
        })());
      }
    };
    const result = await replay({ urls: () => receivers.filter((r) => r.url !== "").map((r) => r.url), deliveries, concurrency: 32, onAck });
    await Promise.all(faults);
    await settle(children, unique, 60_000);
    const counts = handledCounts(children);
    const handledOnce = unique.filter((id) => counts.get(id) === 1).length;
    const lost = unique.filter((id) => !counts.has(id)).length;
    const lostJobs: string[] = [];
    if (lost > 0) {
      const queue = new Queue(queueName, { connection: { host: "127.0.0.1", port: redis.port } });
      for (const delivery of deliveries.filter((d) => !counts.has(d.id)).slice(0, 10)) {
        const event = JSON.parse(delivery.body)[0];
        const jobId = (await dedupeKey("messaging", event.type, event))!;
        const job = await queue.getJob(jobId);
        lostJobs.push(`${delivery.id}: ${job === undefined ? "no job" : `${await job.getState()} ${job.failedReason ?? ""}`}`);
      }
      await queue.close();
    }
    let duplicatesProcessed = 0;
    for (const n of counts.values()) duplicatesProcessed += n - 1;
    return { deliveries: deliveries.length, unique: unique.length, handledOnce, lost, duplicatesProcessed, redisRestarts, receiversKilled, mode, handlerFault: options.handlerFault, replay: result, ms: Date.now() - started, lostJobs };
  } finally {
    await Promise.allSettled(children.map((child) => child.stop()));
    await redis.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(name);
    return i < 0 ? fallback : Number(process.argv[i + 1]);
  };
  const fault = process.argv.includes("--throw") ? "throw" : process.argv.includes("--hang") ? "hang" : undefined;
  const report = await runExactlyOnce({
    count: arg("--count", 10_000),
    duplicateShare: arg("--duplicates", 0.2),
    killReceiver: !process.argv.includes("--no-kill"),
    mode: process.argv.includes("--inline") ? "inline" : "queue",
    handlerFault: fault,
  });
  console.log(JSON.stringify(report, null, 2));
  process.exit(report.lost === 0 && report.duplicatesProcessed === 0 && report.handledOnce === report.unique ? 0 : 1);
}
