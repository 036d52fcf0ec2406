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
 *   node --import tsx bench/queue.ts [--seconds 10] [--rate 800]
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

async function measure(variant: Variant, redisPid: number, seconds: number, rate: number): Promise<QueueBenchRow> {
  const receiver = await startReceiver(variant.config);
  try {
    await autocannon({ url: receiver.url, connections: 10, duration: 2, requests: requests() }); // warm-up
    const cpu0 = cpuMs(receiver.pid);
    const redis0 = cpuMs(redisPid);
    const paced = await autocannon({ url: receiver.url, connections: 10, duration: seconds, overallRate: rate, requests: requests() });
    const cpu = cpuMs(receiver.pid) - cpu0;
    const redisCpu = cpuMs(redisPid) - redis0;
    const full = await autocannon({ url: receiver.url, connections: 20, duration: seconds, requests: requests() });
    return {
      name: variant.name,
      cpuUsPerRequest: Math.round((cpu * 1000) / paced.requests.total),
      redisCpuUsPerRequest: Math.round((redisCpu * 1000) / paced.requests.total),
      p99Ms: paced.latency.p99,
      fullLoadRps: Math.round(full.requests.average),
      non2xx: paced.non2xx + full.non2xx + paced.errors + full.errors,
    };
  } finally {
    await receiver.stop();
  }
}

export async function runQueueBench(seconds: number, rate: number): Promise<QueueBenchRow[]> {
  const redis = await startRedisServer();
  try {
    const url = redis.url;
    const variants: Variant[] = [
      { name: "inline", config: { mode: "inline", dedupe: "off" } },
      { name: "queue", config: { mode: "queue", dedupe: "off", redisUrl: url, queueName: "bench-q" } },
      { name: "inline + Redis dedupe", config: { mode: "inline", dedupe: "redis", redisUrl: url, queueName: "bench-i" } },
      { name: "queue + Redis dedupe", config: { mode: "queue", dedupe: "redis", redisUrl: url, queueName: "bench-qd" } },
    ];
    const rows: QueueBenchRow[] = [];
    for (const variant of variants) rows.push(await measure(variant, redis.pid!, seconds, rate));
    return rows;
  } finally {
    await redis.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(name);
    return i < 0 ? fallback : Number(process.argv[i + 1]);
  };
  const rows = await runQueueBench(arg("--seconds", 10), arg("--rate", 800));
  const inline = rows[0].cpuUsPerRequest;
  console.log("| variant | receiver CPU / request | ratio to inline | redis-server CPU / request | p99 at the same rate | req/s at full load |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const row of rows) {
    console.log(`| ${row.name} | ${row.cpuUsPerRequest} µs | ${(row.cpuUsPerRequest / inline).toFixed(2)}× | ${row.redisCpuUsPerRequest} µs | ${row.p99Ms} ms | ${row.fullLoadRps} |${row.non2xx ? ` (${row.non2xx} non-2xx!)` : ""}`);
  }
}
