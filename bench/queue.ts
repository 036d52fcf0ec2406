/**
 * What the ack-fast hand-off costs a receiver per request, measured in one run: messaging deliveries
 * (one event each, distinct ids) through the node adapter in a receiver process, answered
 * (a) inline: the handler runs in the receiver (a trivial, silent handler: the cheapest inline path);
 * (b) queue: stored in the intake stream (one XADD per event-loop turn), then acknowledged; a worker
 *     process forwards the stream to BullMQ and runs the jobs (its CPU is reported apart);
 * (c) queue, direct: a BullMQ `add` per event (the hand-off before the intake stream);
 * (d) inline + Redis dedupe and (e) queue + Redis dedupe (claim, store, mark done).
 * Per variant, at the SAME offered rates for all (autocannon `overallRate`): the receiver's CPU time per
 * request (from /proc; redis-server's and the worker's own CPU reported apart) and p99 latency, at a
 * quiet rate (each request alone in its event-loop turn: every Redis round trip is paid in full) and a
 * busy one (requests overlap, one XADD serves several); plus the throughput at full load. Run by hand
 * (needs redis-server):
 *
 *   node --import tsx bench/queue.ts [--seconds 4] [--rate 400] [--busy-rate 4000] [--rounds 3]
 */

import { createRequire } from "node:module";
import { readdirSync, readFileSync } from "node:fs";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { intakeKey } from "../templates/runtime/queue/intake.js";
import { startRedisServer } from "../test/support/redis-server.js";
import { startReceiver, startWorker } from "../test/load/cluster.js";
import { LOAD_AUTHORIZATION, MESSAGING_PATH, messagingEvent } from "../test/load/deliveries.js";

const require = createRequire(import.meta.url);
const autocannon = require("autocannon") as (options: Record<string, unknown>) => Promise<{
  requests: { average: number; total: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
}>;

/** A process's CPU time in ms, summed over its threads (GC helpers, libuv pool) from schedstat (ns, not 10 ms ticks). */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e6;
}

let counter = 0;
/** One request template whose body gets a fresh message id every time (so dedupe sees no duplicate). */
function requests(): Record<string, unknown>[] {
  const headers = { "content-type": "application/json", authorization: LOAD_AUTHORIZATION };
  const setupRequest = (request: Record<string, unknown>): Record<string, unknown> => {
    counter++;
    return { ...request, body: JSON.stringify([messagingEvent(`bench-${process.pid}-${counter}`, counter)]) };
  };
  return [{ method: "POST", path: MESSAGING_PATH, headers, setupRequest }];
}

interface Variant {
  readonly name: string;
  readonly config: Record<string, unknown>;
  /** Has a queue: a worker drains it after the receiver's rounds (its cost per job is measured then). */
  readonly worker?: boolean;
}

/** One rate's figures for a variant (medians of the rounds). */
export interface PacedFigures {
  readonly cpuUsPerRequest: number;
  readonly redisCpuUsPerRequest: number;
  readonly p99Ms: number;
}

export interface QueueBenchRow {
  readonly name: string;
  readonly quiet: PacedFigures;
  readonly busy: PacedFigures;
  readonly fullLoadRps: number;
  readonly non2xx: number;
  /** The worker's CPU per job while it drains the queue (forwarding the intake stream and running the job). */
  readonly workerCpuUsPerJob?: number;
  readonly jobs?: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One paced round against one receiver: its CPU and redis-server's per request, and the p99. */
async function pacedRound(url: string, pid: number, redisPid: number, seconds: number, rate: number): Promise<{ cpu: number; redisCpu: number; p99: number; bad: number }> {
  const cpu0 = cpuMs(pid);
  const redis0 = cpuMs(redisPid);
  const paced = await autocannon({ url, connections: 10, duration: seconds, overallRate: rate, requests: requests() });
  const n = Math.max(1, paced.requests.total);
  return { cpu: ((cpuMs(pid) - cpu0) * 1000) / n, redisCpu: ((cpuMs(redisPid) - redis0) * 1000) / n, p99: paced.latency.p99, bad: paced.non2xx + paced.errors };
}

/** Starts a worker on a filled queue and measures its CPU per job until the queue is drained. */
async function drainCost(url: string, queueName: string): Promise<{ cpuUsPerJob: number; jobs: number }> {
  const queue = new Queue(queueName, { connection: { host: "127.0.0.1", port: Number(new URL(url).port) } });
  const redis = new Redis(url);
  const pending = async (): Promise<number> => {
    const counts = await queue.getJobCounts("waiting", "active", "delayed");
    return (await redis.xlen(intakeKey(queueName))) + counts.waiting + counts.active + counts.delayed;
  };
  const before = (await queue.getJobCounts("completed")).completed;
  const worker = await startWorker({ redisUrl: url, queueName, silent: true });
  const cpu0 = cpuMs(worker.pid);
  try {
    for (let idle = 0; idle < 3; ) {
      idle = (await pending()) === 0 ? idle + 1 : 0;
      await sleep(200);
    }
    const jobs = (await queue.getJobCounts("completed")).completed - before;
    return { cpuUsPerJob: Math.round(((cpuMs(worker.pid) - cpu0) * 1000) / Math.max(1, jobs)), jobs };
  } finally {
    await worker.stop();
    await queue.close();
    redis.disconnect();
  }
}

type Samples = { cpu: number[]; redisCpu: number[]; p99: number[]; bad: number };
const noSamples = (): Samples => ({ cpu: [], redisCpu: [], p99: [], bad: 0 });
const figures = (s: Samples): PacedFigures => ({ cpuUsPerRequest: Math.round(median(s.cpu)), redisCpuUsPerRequest: Math.round(median(s.redisCpu)), p99Ms: median(s.p99) });

/**
 * Every variant's receiver runs at once; paced rounds alternate between them (so a noisy moment on this
 * shared machine does not fall on one variant only); medians of `rounds`. Then one full-load run each.
 * No worker runs meanwhile (workers usually run elsewhere; here they would take the receiver's cores):
 * each queue is drained by a worker afterwards, which measures the worker's cost per job.
 */
export async function runQueueBench(seconds: number, rate: number, busyRate: number, rounds = 3): Promise<QueueBenchRow[]> {
  const redis = await startRedisServer();
  const url = redis.url;
  const variants: Variant[] = [
    { name: "inline", config: { mode: "inline", dedupe: "off", silent: true } },
    { name: "queue (intake stream)", config: { mode: "queue", dedupe: "off", redisUrl: url, queueName: "bench-q" }, worker: true },
    { name: "queue (intake stream), Redis over a Unix socket", config: { mode: "queue", dedupe: "off", redisUrl: redis.socketPath, queueName: "bench-u" }, worker: true },
    { name: "queue (direct BullMQ add)", config: { mode: "queue", handOff: "direct", dedupe: "off", redisUrl: url, queueName: "bench-d" }, worker: true },
    { name: "inline + Redis dedupe", config: { mode: "inline", dedupe: "redis", redisUrl: url, queueName: "bench-i", silent: true } },
    { name: "queue + Redis dedupe", config: { mode: "queue", dedupe: "redis", redisUrl: url, queueName: "bench-qd" }, worker: true },
  ];
  const receivers = await Promise.all(variants.map((variant) => startReceiver(variant.config)));
  try {
    for (const receiver of receivers) await autocannon({ url: receiver.url, connections: 10, duration: 2, requests: requests() }); // warm-up
    const quiet = variants.map(noSamples);
    const busy = variants.map(noSamples);
    for (let round = 0; round < rounds; round++) {
      for (const [samples, offered] of [[quiet, rate], [busy, busyRate]] as const) {
        for (let i = 0; i < variants.length; i++) {
          const sample = await pacedRound(receivers[i].url, receivers[i].pid, redis.pid!, seconds, offered);
          samples[i].cpu.push(sample.cpu);
          samples[i].redisCpu.push(sample.redisCpu);
          samples[i].p99.push(sample.p99);
          samples[i].bad += sample.bad;
        }
      }
    }
    const rows: QueueBenchRow[] = [];
    for (let i = 0; i < variants.length; i++) {
      const full = await autocannon({ url: receivers[i].url, connections: 20, duration: seconds, requests: requests() });
      const drained = variants[i].worker ? await drainCost(url, variants[i].config.queueName as string) : undefined;
      rows.push({
        name: variants[i].name,
        quiet: figures(quiet[i]),
        busy: figures(busy[i]),
        fullLoadRps: Math.round(full.requests.average),
        non2xx: quiet[i].bad + busy[i].bad + full.non2xx + full.errors,
        workerCpuUsPerJob: drained?.cpuUsPerJob,
        jobs: drained?.jobs,
      });
    }
    return rows;
  } finally {
    await Promise.allSettled(receivers.map((child) => child.stop()));
    await redis.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(name);
    return i < 0 ? fallback : Number(process.argv[i + 1]);
  };
  const rate = arg("--rate", 400);
  const busyRate = arg("--busy-rate", 4000);
  const rows = await runQueueBench(arg("--seconds", 4), rate, busyRate, arg("--rounds", 3));
  const [inline] = rows;
  console.log(`| variant | receiver CPU / request at ${rate} req/s | ratio to inline | at ${busyRate} req/s | ratio to inline | redis-server CPU / request (busy) | p99 (busy) | req/s at full load | ratio to inline | worker CPU / job (draining) |`);
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  for (const row of rows) {
    const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
    console.log(
      `| ${row.name} | ${row.quiet.cpuUsPerRequest} µs | ${ratio(row.quiet.cpuUsPerRequest, inline.quiet.cpuUsPerRequest)} | ${row.busy.cpuUsPerRequest} µs | ${ratio(row.busy.cpuUsPerRequest, inline.busy.cpuUsPerRequest)} | ${row.busy.redisCpuUsPerRequest} µs | ${row.busy.p99Ms} ms | ${row.fullLoadRps} | ${ratio(inline.fullLoadRps, row.fullLoadRps)} | ${row.workerCpuUsPerJob === undefined ? "–" : `${row.workerCpuUsPerJob} µs (${row.jobs} jobs)`} |${row.non2xx ? ` (${row.non2xx} non-2xx!)` : ""}`,
    );
  }
}
