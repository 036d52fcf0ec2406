/**
 * What the ack-fast hand-off costs a receiver per request, measured in one run: messaging deliveries
 * (one event each, distinct ids) through the node adapter in a receiver process, answered
 * (a) inline: the handler runs in the receiver (a trivial handler: the cheapest inline path);
 * (b) queue: stored as a BullMQ job on a local redis-server, then acknowledged;
 * (c) inline + Redis dedupe and (d) queue + Redis dedupe (claim, store, mark done).
 * Two figures per variant at the SAME offered rate for all (autocannon `overallRate`): the receiver's
 * CPU time per request (from /proc; redis-server's own CPU is reported separately) and p99 latency;
 * plus the throughput at full load. Run by hand (needs redis-server):
 *
 *   node --import tsx bench/queue.ts [--seconds 5] [--rate 400] [--rounds 3]
 */

import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { startRedisServer } from "../test/support/redis-server.js";
import { startReceiver } from "../test/load/cluster.js";
import { LOAD_AUTHORIZATION, MESSAGING_PATH, messagingEvent } from "../test/load/deliveries.js";

const require = createRequire(import.meta.url);
const autocannon = require("autocannon") as (options: Record<string, unknown>) => Promise<{
  requests: { average: number; total: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
}>;

function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, clock ticks of 10 ms
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
}

export interface QueueBenchRow {
  readonly name: string;
  readonly cpuUsPerRequest: number;
  readonly redisCpuUsPerRequest: number;
  readonly p99Ms: number;
  readonly fullLoadRps: number;
  readonly non2xx: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** One paced round against one receiver: its CPU and redis-server's per request, and the p99. */
async function pacedRound(url: string, pid: number, redisPid: number, seconds: number, rate: number): Promise<{ cpu: number; redisCpu: number; p99: number; bad: number }> {
  const cpu0 = cpuMs(pid);
  const redis0 = cpuMs(redisPid);
  const paced = await autocannon({ url, connections: 10, duration: seconds, overallRate: rate, requests: requests() });
  const n = Math.max(1, paced.requests.total);
  return { cpu: ((cpuMs(pid) - cpu0) * 1000) / n, redisCpu: ((cpuMs(redisPid) - redis0) * 1000) / n, p99: paced.latency.p99, bad: paced.non2xx + paced.errors };
}

/**
 * Every variant's receiver runs at once; paced rounds alternate between them (so a noisy moment on this
 * shared machine does not fall on one variant only); medians of `rounds`. Then one full-load run each.
 */
export async function runQueueBench(seconds: number, rate: number, rounds = 3): Promise<QueueBenchRow[]> {
  const redis = await startRedisServer();
  const url = redis.url;
  const variants: Variant[] = [
    { name: "inline", config: { mode: "inline", dedupe: "off" } },
    { name: "queue", config: { mode: "queue", dedupe: "off", redisUrl: url, queueName: "bench-q" } },
    { name: "inline + Redis dedupe", config: { mode: "inline", dedupe: "redis", redisUrl: url, queueName: "bench-i" } },
    { name: "queue + Redis dedupe", config: { mode: "queue", dedupe: "redis", redisUrl: url, queueName: "bench-qd" } },
  ];
  const receivers = await Promise.all(variants.map((variant) => startReceiver(variant.config)));
  try {
    for (const receiver of receivers) await autocannon({ url: receiver.url, connections: 10, duration: 2, requests: requests() }); // warm-up
    const samples = variants.map(() => ({ cpu: [] as number[], redisCpu: [] as number[], p99: [] as number[], bad: 0 }));
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < variants.length; i++) {
        const sample = await pacedRound(receivers[i].url, receivers[i].pid, redis.pid!, seconds, rate);
        samples[i].cpu.push(sample.cpu);
        samples[i].redisCpu.push(sample.redisCpu);
        samples[i].p99.push(sample.p99);
        samples[i].bad += sample.bad;
      }
    }
    const rows: QueueBenchRow[] = [];
    for (let i = 0; i < variants.length; i++) {
      const full = await autocannon({ url: receivers[i].url, connections: 20, duration: seconds, requests: requests() });
      rows.push({
        name: variants[i].name,
        cpuUsPerRequest: Math.round(median(samples[i].cpu)),
        redisCpuUsPerRequest: Math.round(median(samples[i].redisCpu)),
        p99Ms: median(samples[i].p99),
        fullLoadRps: Math.round(full.requests.average),
        non2xx: samples[i].bad + full.non2xx + full.errors,
      });
    }
    return rows;
  } finally {
    await Promise.allSettled(receivers.map((receiver) => receiver.stop()));
    await redis.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(name);
    return i < 0 ? fallback : Number(process.argv[i + 1]);
  };
  const rows = await runQueueBench(arg("--seconds", 5), arg("--rate", 400), arg("--rounds", 3));
  const inline = rows[0].cpuUsPerRequest;
  console.log("| variant | receiver CPU / request | ratio to inline | redis-server CPU / request | p99 at the same rate | req/s at full load |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const row of rows) {
    console.log(`| ${row.name} | ${row.cpuUsPerRequest} µs | ${(row.cpuUsPerRequest / inline).toFixed(2)}× | ${row.redisCpuUsPerRequest} µs | ${row.p99Ms} ms | ${row.fullLoadRps} |${row.non2xx ? ` (${row.non2xx} non-2xx!)` : ""}`);
  }
}
