// Sustained load on the node adapter with 10 % hostile requests, run by hand (bounded, 127.0.0.1 only):
// autocannon against one receiver process (messaging, in-memory dedupe on), where one request in ten is
// hostile in turn: wrong credentials, malformed JSON, malformed XML (numbers route), an oversized body;
// meanwhile a few clients keep slow bodies open (one byte every 250 ms; the server cuts them at its
// request timeout). Reports req/s, p99, errors, 5xx, answers by status and the receiver's RSS at start,
// middle and end (flat memory), as JSON.
//
//   node --import tsx test/load/soak.ts [--seconds 60] [--connections 20]
//
// `runSoak(seconds, connections, amount)` with an `amount` sends exactly that many requests (split evenly
// over the connections) instead of running for `seconds`: the test smoke uses it, so what it checks does
// not depend on how fast a loaded machine is.
import net from "node:net";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { startReceiver } from "./cluster.js";
import { LOAD_AUTHORIZATION, MESSAGING_PATH, messagingEvent } from "./deliveries.js";

const require = createRequire(import.meta.url);
const autocannon = require("autocannon") as (options: Record<string, unknown>) => Promise<{
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}>;

export interface SoakReport {
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly total: number;
  readonly errors: number;
  readonly serverErrors: number;
  readonly statuses: Record<string, number>;
  readonly hostileShare: number;
  readonly slowBodies: { opened: number; cut: number };
  readonly rssMb: { start: number; middle: number; end: number };
}

const BODY_LIMIT = 16 * 1024;

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match === null ? 0 : Math.round(Number(match[1]) / 1024);
}

/** The request mix: 36 valid deliveries (distinct ids) and 4 hostile ones, 10 % hostile. */
function requestMix(): Record<string, unknown>[] {
  const json = { "content-type": "application/json", authorization: LOAD_AUTHORIZATION };
  const valid = (i: number) => ({ method: "POST", path: MESSAGING_PATH, headers: json, body: JSON.stringify([messagingEvent(`soak-${i}`, i)]) });
  const hostile = [
    { method: "POST", path: MESSAGING_PATH, headers: { ...json, authorization: "Basic d3Jvbmc6Y3JlZHM=" }, body: JSON.stringify([messagingEvent("x", 0)]) },
    { method: "POST", path: MESSAGING_PATH, headers: json, body: '[{"type":"message-delivered","time":' },
    { method: "POST", path: "/callbacks/numbers", headers: { ...json, "content-type": "application/xml" }, body: "<Notification><OrderId>1</Order" },
    { method: "POST", path: MESSAGING_PATH, headers: json, body: `[${JSON.stringify({ pad: "x".repeat(BODY_LIMIT) })}]` },
  ];
  const mix: Record<string, unknown>[] = [];
  for (let i = 0; i < 40; i++) mix.push(i % 10 === 9 ? hostile[(i - 9) / 10] : valid(i));
  return mix;
}

/** Keeps `count` slow-body connections open until `stop` resolves; returns how many the server cut. */
function slowBodies(port: number, count: number, until: Promise<void>): Promise<{ opened: number; cut: number }> {
  let opened = 0;
  let cut = 0;
  let stopped = false;
  const sockets = new Set<net.Socket>();
  const open = (): void => {
    if (stopped) return;
    opened++;
    const socket = net.connect(port, "127.0.0.1");
    sockets.add(socket);
    socket.write(`POST ${MESSAGING_PATH} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\nauthorization: ${LOAD_AUTHORIZATION}\r\ncontent-length: 100000\r\n\r\n`);
    const drip = setInterval(() => socket.write("["), 250);
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(drip);
      sockets.delete(socket);
      if (!stopped) {
        cut++;
        open();
      }
    });
  };
  for (let i = 0; i < count; i++) open();
  return until.then(() => {
    stopped = true;
    for (const socket of sockets) socket.destroy();
    return { opened, cut };
  });
}

export async function runSoak(seconds: number, connections = 20, amount?: number): Promise<SoakReport> {
  const receiver = await startReceiver({ mode: "inline", dedupe: "memory", bodyLimit: BODY_LIMIT });
  try {
    const port = Number(new URL(receiver.url).port);
    const start = rssMb(receiver.pid);
    let middle = start;
    const mid = setTimeout(() => (middle = rssMb(receiver.pid)), (seconds * 1000) / 2);
    let finished!: () => void;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const slow = slowBodies(port, 5, done);
    const result = await autocannon({ url: receiver.url, connections, ...(amount === undefined ? { duration: seconds } : { amount }), requests: requestMix(), timeout: amount === undefined ? 10 : 120 });
    finished();
    clearTimeout(mid);
    const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stat]) => [code, stat.count]));
    const serverErrors = Object.entries(statuses).reduce((n, [code, count]) => n + (Number(code) >= 500 ? count : 0), 0);
    const hostile = (statuses["401"] ?? 0) + (statuses["400"] ?? 0) + (statuses["413"] ?? 0);
    return {
      seconds,
      requestsPerSecond: Math.round(result.requests.average),
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      total: result.requests.total,
      errors: result.errors + result.timeouts,
      serverErrors,
      statuses,
      hostileShare: Math.round((hostile / Math.max(1, result.requests.total)) * 1000) / 10,
      slowBodies: await slow,
      rssMb: { start, middle, end: rssMb(receiver.pid) },
    };
  } finally {
    await receiver.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string, fallback: number): number => {
    const i = process.argv.indexOf(name);
    return i < 0 ? fallback : Number(process.argv[i + 1]);
  };
  const report = await runSoak(arg("--seconds", 60), arg("--connections", 20));
  console.log(JSON.stringify(report, null, 2));
  process.exit(report.serverErrors === 0 ? 0 : 1);
}
