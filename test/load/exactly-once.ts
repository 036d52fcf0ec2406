// The fault suite (issues 21 and 25): two receiver processes and one worker sharing one redis-server on
// 127.0.0.1 (queue + Redis dedupe on), a replay of messaging deliveries with a share of duplicates, and
// faults mid-run: Redis stopped and restarted, (optionally) one receiver killed and replaced, poison
// entries written into the intake stream, Redis stalled (SIGSTOP, then SIGCONT), and group messages to
// two numbers (two callbacks with the same message id and time, one per recipient). Separately,
// `runBacklog`: a backlog stored before any worker runs (100,000 small events, or deliveries of about
// 1 MiB each) drained by a worker whose heap is capped at 256 MB. Every scenario reports acknowledged,
// handled, handled twice and lost (goal: 0 and 0). `runExactlyOnce` / `runBacklog` are used by
// test/queue-exactly-once.test.ts and test/queue-fault-suite.test.ts (smaller counts); run directly:
//
//   node --import tsx test/load/exactly-once.ts [--count 10000] [--duplicates 0.2] [--no-kill] [--inline [--throw|--hang]]
//   node --import tsx test/load/exactly-once.ts --suite   (every scenario at full size, a table for docs/benchmarks.md)
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { createBullMQQueue } from "../../generated/queue.js";
import { dedupeKey } from "../../templates/runtime/delivery/dedupe-keys.js";
import { messagingFamily } from "../../generated/webhooks.js";
import { intakeKey } from "../../templates/runtime/queue/intake.js";
import { startRedisServer } from "../support/redis-server.js";
import { handledCounts, startReceiver, startWorker, type Child } from "./cluster.js";
import { groupMessagePairs, handledId, messagingEvent, replayList } from "./deliveries.js";
import { replay, type ReplayResult } from "./replay.js";

/** What every scenario reports, per unique event. */
export interface FaultCounts {
  /** Unique events Bandwidth got a 2xx for (or, for a backlog, the producer's enqueue resolved). */
  readonly acknowledged: number;
  /** Unique events whose handler ran at least once. */
  readonly handled: number;
  /** Handler runs beyond the first, over all events (goal 0). */
  readonly handledTwice: number;
  /** Acknowledged events whose handler never ran (goal 0). */
  readonly lost: number;
}

export interface ExactlyOnceReport extends FaultCounts {
  readonly deliveries: number;
  readonly unique: number;
  readonly handledOnce: number;
  /** Same as `handledTwice` (kept for the older callers). */
  readonly duplicatesProcessed: number;
  readonly redisRestarts: number;
  readonly receiversKilled: number;
  readonly redisStalls: number;
  /** Poison entries written into the intake stream, and entries found in its dead-letter stream at the end. */
  readonly poisonWritten: number;
  readonly deadLettered: number;
  /** The group-message events (two per message) alone: how many were lost / handled twice. */
  readonly group?: FaultCounts;
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
  /** Write poison entries (caller job options, a refused job id, a foreign entry) into the intake stream mid-run (queue mode). */
  readonly poison?: boolean;
  /** Stall Redis (SIGSTOP) for this long mid-run, then SIGCONT. Default: no stall. */
  readonly stallRedisMs?: number;
  /** Add this many group messages to two numbers (two deliveries each). Default 0. */
  readonly groupMessages?: number;
  /** Longest wait for every event to be handled after the replay. Default 60 000 ms. */
  readonly settleMs?: number;
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

/** The counts of `ids` (the unique events a scenario sent), given which were acknowledged. */
export function countOf(ids: readonly string[], acknowledged: (id: string) => boolean, counts: ReadonlyMap<string, number>): FaultCounts {
  let acked = 0;
  let handled = 0;
  let handledTwice = 0;
  let lost = 0;
  for (const id of ids) {
    const n = counts.get(id) ?? 0;
    if (acknowledged(id)) acked++;
    if (n > 0) handled++;
    handledTwice += Math.max(0, n - 1);
    if (n === 0 && acknowledged(id)) lost++;
  }
  return { acknowledged: acked, handled, handledTwice, lost };
}

/** Poison entries a broken or hostile writer could leave in the intake stream: each must be dead-lettered, none may stop the others. */
function poisonEntries(): string[][] {
  const event = { family: "messaging", eventType: "message-delivered", event: messagingEvent("poison", 0), valid: true, receivedAt: Date.now() };
  return [
    ["v", "1", "o", JSON.stringify({ attempts: 5, delay: 86_400_000 }), "e", JSON.stringify([event])], // caller-supplied job options
    ["v", "1", "o", "{}", "e", JSON.stringify([{ ...event, id: "12345" }])], // a job id BullMQ refuses (an integer)
    ["v", "1", "o", "{}", "e", "{not json"],
    ["something", "else"], // not ours
  ];
}

export async function runExactlyOnce(options: ExactlyOnceOptions): Promise<ExactlyOnceReport> {
  const started = Date.now();
  const redis = await startRedisServer({ persist: true });
  const queueName = "exactly-once";
  const mode = options.mode ?? "queue";
  const list = replayList(options.count, options.duplicateShare);
  const group = groupMessagePairs(options.groupMessages ?? 0);
  const deliveries = [...list.deliveries];
  for (let i = 0; i < group.deliveries.length; i++) deliveries.splice(Math.floor(((i + 1) * deliveries.length) / (group.deliveries.length + 1)), 0, group.deliveries[i]);
  const unique = [...list.unique, ...group.unique];
  const faultIds = options.handlerFault === undefined ? [] : list.unique.filter((_, i) => i % 20 === 7);
  const config = { redisUrl: redis.url, queueName, mode, dedupe: "redis", pendingTtlMs: 2000, timeoutMs: 1000, fault: options.handlerFault, faultIds };
  const children: Child[] = []; // every child is registered as it is spawned, stopped in finally
  const raw = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  raw.on("error", () => undefined);
  let stalled = false;
  try {
    if (mode === "queue") await startWorker({ redisUrl: redis.url, queueName }, { children });
    const receivers = await Promise.all([startReceiver(config, { children }), startReceiver(config, { children })]);
    let redisRestarts = 0;
    let receiversKilled = 0;
    let redisStalls = 0;
    let poisonWritten = 0;
    let faults: Promise<void> = Promise.resolve(); // one after the other: a stall never meets a restarting Redis
    const fault = (run: () => Promise<void>): void => void (faults = faults.then(run));
    const at = (share: number, done: number): boolean => done === Math.floor(deliveries.length * share);
    const onAck = (done: number): void => {
      if (options.restartRedis !== false && at(0.3, done)) {
        fault(async () => {
          await redis.stop();
          await sleep(options.redisDownMs ?? 1000);
          await redis.start();
          redisRestarts++;
        });
      }
      if (options.stallRedisMs !== undefined && at(0.45, done)) {
        fault(async () => {
          const pid = redis.pid!;
          stalled = true;
          process.kill(pid, "SIGSTOP");
          try {
            await sleep(options.stallRedisMs!);
          } finally {
            process.kill(pid, "SIGCONT");
            stalled = false;
          }
          redisStalls++;
        });
      }
      if (options.poison === true && mode === "queue" && at(0.5, done)) {
        fault(async () => {
          await raw.connect().catch(() => undefined);
          for (const fields of poisonEntries()) {
            await raw.xadd(intakeKey(queueName), "*", ...fields);
            poisonWritten++;
          }
        });
      }
      if (options.killReceiver !== false && at(0.6, done)) {
        fault(async () => {
          await receivers[0].kill();
          receiversKilled++;
          receivers[0] = await startReceiver(config, { children });
        });
      }
    };
    const result = await replay({ urls: () => receivers.filter((r) => r.url !== "").map((r) => r.url), deliveries, concurrency: 32, onAck });
    await faults;
    await settle(children, unique, options.settleMs ?? 60_000);
    const counts = handledCounts(children);
    const gaveUp = new Set(result.gaveUp);
    const acknowledged = (id: string): boolean => !gaveUp.has(id);
    const all = countOf(unique, acknowledged, counts);
    const lostJobs: string[] = [];
    if (all.lost > 0 && mode === "queue") {
      const queue = new Queue(queueName, { connection: { host: "127.0.0.1", port: redis.port } });
      for (const delivery of deliveries.filter((d) => !counts.has(d.id)).slice(0, 10)) {
        const event = JSON.parse(delivery.body)[0];
        const jobId = (await dedupeKey("messaging", event.type, event, messagingFamily.datedBy))!;
        const job = await queue.getJob(jobId);
        lostJobs.push(`${delivery.id}: ${job === undefined ? "no job" : `${await job.getState()} ${job.failedReason ?? ""}`}`);
      }
      await queue.close();
    }
    const deadLettered = mode === "queue" ? await (await raw.connect().catch(() => undefined), raw.xlen(`bw:intake-dead:${queueName}`)) : 0;
    return {
      ...all,
      deliveries: deliveries.length,
      unique: unique.length,
      handledOnce: unique.filter((id) => counts.get(id) === 1).length,
      duplicatesProcessed: all.handledTwice,
      redisRestarts,
      receiversKilled,
      redisStalls,
      poisonWritten,
      deadLettered,
      group: group.unique.length === 0 ? undefined : countOf(group.unique, acknowledged, counts),
      mode,
      handlerFault: options.handlerFault,
      replay: result,
      ms: Date.now() - started,
      lostJobs,
    };
  } finally {
    if (stalled && redis.pid !== undefined) process.kill(redis.pid, "SIGCONT");
    raw.disconnect();
    await Promise.allSettled(children.map((child) => child.stop()));
    await redis.dispose();
  }
}

export interface BacklogOptions {
  /** Events stored before the worker starts. */
  readonly count: number;
  /** Characters of message text per event (1 MiB for the large-delivery backlog). Default 0. */
  readonly textBytes?: number;
  /** The worker's `--max-old-space-size`. Default 256. */
  readonly heapMb?: number;
  /** Longest wait for the worker to drain. Default 10 min. */
  readonly drainMs?: number;
}

export interface BacklogReport extends FaultCounts {
  readonly count: number;
  readonly textBytes: number;
  readonly heapMb: number;
  /** Intake entries the producer wrote (a busy receiver writes up to 200 events per entry). */
  readonly entries: number;
  /** How the worker ended (`undefined`: it was still running, as it should be). */
  readonly workerExit: string | undefined;
  readonly drainMs: number;
}

/**
 * A backlog stored through the receivers' own producer (`createBullMQQueue`, intake hand-off; 200
 * requests per event-loop turn, as under load) before any worker runs, then drained by one worker process
 * whose heap is capped (`--max-old-space-size`).
 */
export async function runBacklog(options: BacklogOptions): Promise<BacklogReport> {
  const redis = await startRedisServer();
  const queueName = "backlog";
  const heapMb = options.heapMb ?? 256;
  const textBytes = options.textBytes ?? 0;
  const text = "x".repeat(textBytes);
  const children: Child[] = [];
  const producer = createBullMQQueue({ connection: redis.url, queueName, timeoutMs: 30_000 });
  const raw = new Redis(redis.url);
  try {
    const ids: string[] = [];
    const acked = new Set<string>();
    const turn = textBytes > 64 * 1024 ? 8 : 200;
    for (let start = 0; start < options.count; start += turn) {
      const stores: Promise<void>[] = [];
      for (let i = start; i < Math.min(options.count, start + turn); i++) {
        const event = messagingEvent(`backlog-${i.toString().padStart(6, "0")}`, i, "+17045550187", text);
        const id = handledId(event);
        ids.push(id);
        const queued = { family: "messaging", eventType: "message-delivered", event, valid: true, receivedAt: Date.now(), id: `backlog-${i}` };
        stores.push(producer.enqueue([queued]).then(() => void acked.add(id)));
      }
      await Promise.all(stores);
    }
    const entries = await raw.xlen(intakeKey(queueName));
    const started = Date.now();
    const worker = await startWorker({ redisUrl: redis.url, queueName }, { children, nodeArgs: [`--max-old-space-size=${heapMb}`] });
    const deadline = started + (options.drainMs ?? 600_000);
    while (Date.now() < deadline && worker.exit() === undefined && worker.handled.size < ids.length) await sleep(200);
    const drainMs = Date.now() - started;
    if (worker.exit() === undefined) await sleep(1000); // late repeats would show here
    const counts = handledCounts(children);
    return { ...countOf(ids, (id) => acked.has(id), counts), count: options.count, textBytes, heapMb, entries, workerExit: worker.exit(), drainMs };
  } finally {
    raw.disconnect();
    await producer.close().catch(() => undefined);
    await Promise.allSettled(children.map((child) => child.stop()));
    await redis.dispose();
  }
}

const row = (name: string, c: FaultCounts, note: string): string => `| ${name} | ${c.acknowledged} | ${c.handled} | ${c.handledTwice} | ${c.lost} | ${note} |`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(name);
    return i < 0 ? fallback : Number(process.argv[i + 1]);
  };
  if (process.argv.includes("--suite")) {
    const rows: string[] = ["| scenario | acknowledged | handled | handled twice | lost | notes |", "|---|---|---|---|---|---|"];
    const faults = await runExactlyOnce({ count: arg("--count", 10_000), duplicateShare: 0.2, poison: true, stallRedisMs: 3000, groupMessages: 100 });
    rows.push(row("replay with Redis restart, receiver killed, poison entries, Redis stalled 3 s (all events)", faults, `${faults.deliveries} deliveries, ${faults.poisonWritten} poison entries → ${faults.deadLettered} dead-lettered, ${faults.replay.answers["503"] ?? 0} answers 503, ${Math.round(faults.ms / 1000)} s`));
    if (faults.group !== undefined) rows.push(row("  of which group messages to two numbers", faults.group, "two callbacks per message: same message.id and time, different `to`"));
    console.error(JSON.stringify(faults, null, 2));
    for (const [count, textBytes] of [[arg("--backlog", 100_000), 0], [arg("--large", 300), 1024 * 1024]] as const) {
      const backlog = await runBacklog({ count, textBytes });
      console.error(JSON.stringify(backlog));
      rows.push(row(`backlog of ${count.toLocaleString("en")} events of ${textBytes === 0 ? "~0.5 KB" : "1 MiB"}, worker heap ${backlog.heapMb} MB`, backlog, `${backlog.entries} intake entries; drained in ${Math.round(backlog.drainMs / 1000)} s; worker ${backlog.workerExit ?? "kept running"}`));
    }
    console.log(rows.join("\n"));
    process.exit(0);
  }
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
