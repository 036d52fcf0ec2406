/**
 * The flight recorder's costs, measured on a real receiver:
 * 1. Capture on vs off over HTTP. A node:http receiver (bench/capture-server.ts: `createBandwidthWebhooks(...)
 *    .node`, the HTTP group's answer callback, NODE_ENV=production) runs in a child process under Node 24
 *    from npm (test/support/runtimes.ts; it has `process.threadCpuUsage()`), with two receivers built alike,
 *    one with a real `createCapture`. This process drives it over 127.0.0.1 with autocannon as the HTTP group
 *    does (50 connections, pipelining 1, the same request), first at full load to find the rate, then at a
 *    fixed offered rate (60 % of the lower throughput, the HTTP group's rule) in rounds that alternate
 *    off/on (the order flipped every pair, so drift falls on both alike). Per round the child reports the
 *    CPU time per request of its main thread (the receiver's thread: what the "never slows a delivery"
 *    design puts on the request) and of the whole process (the writer thread's redaction and writing
 *    included; the capture is flushed before that clock is read). Prints medians and the median of the
 *    per-pair ratios on ÷ off for both. On a loaded 2-core machine a lap's CPU per request moves by ±10 %
 *    (how many requests one wake-up serves, other processes' cache use), so the ratio's resolution is a few
 *    percent; for finer resolution the same child then times the two receivers' cores without the network
 *    (`check` + `handle`, thread CPU, alternating rounds) and reports what capture adds in ns, also as a
 *    share of the HTTP receiver's thread CPU per request of the same run.
 * 2. Replaying 10 000 deliveries captured by step 1 against a local node:http receiver with
 *    `replayCapture`, with and without Bandwidth's auth challenge (which doubles the requests).
 *
 * The writer thread runs at the lowest priority (the capture's default); `--priority normal` runs it at the
 * process's (`lowPriority: false`), for comparison.
 *
 *   node --import tsx bench/capture.ts [--pairs 12] [--seconds 2] [--rate usual|full|REQ_PER_S] [--core-rounds 20] [--node 24|host] [--priority low|normal] [--no-replay]
 *   (BENCH_LAPS=1 also prints every lap: on/off, thread and process µs per request, requests)
 */

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createBandwidthWebhooks } from "../generated/index.js";
import { parseCapture } from "../generated/capture.js";
import { replayCapture } from "../generated/testing.js";
import { ensureRuntime, runtime } from "../test/support/runtimes.js";
import { answerBxml, BENCH_AUTHORIZATION, BENCH_CREDENTIALS, BENCH_PATH } from "./http-shared.js";
import { ANSWER_TEXT } from "./validators.js";

const autocannon = createRequire(import.meta.url)("autocannon") as (options: Record<string, unknown>) => Promise<{
  requests: { total: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}>;

const arg = (name: string, fallback: string): string => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? fallback : process.argv[at + 1];
};
const PAIRS = Number(arg("pairs", "12"));
const SECONDS = Number(arg("seconds", "2"));
const RATE = arg("rate", "usual"); // "usual": 60 % of the lower full-load throughput; "full": no limit; or req/s
const NODE = arg("node", "24") === "host" ? process.execPath : ensureRuntime(runtime("Node 24"));
const REPLAY = !process.argv.includes("--no-replay");
const PRIORITY = arg("priority", "low");
const SERVER = fileURLToPath(new URL("./capture-server.ts", import.meta.url));
const CONNECTIONS = 50;
const CORE_ROUNDS = Number(arg("core-rounds", "20"));
// rounds long enough for the thread clock, which advances in steps of about a millisecond on this kernel
const CORE_PER_ROUND = 10_000;

interface Lap {
  readonly on: boolean;
  readonly requests: number;
  readonly threadUs: number;
  readonly processRequests: number;
  readonly processUs: number;
  readonly stats: { recorded: number; written: number; dropped: number };
}
type FromServer =
  | ({ type: "lap" } & Lap)
  | { type: "listening"; port: number; threadClock: boolean; node: string }
  | { type: "begun" }
  | { type: "core"; off: number[]; on: number[] }
  | { type: "closed"; files: string[]; stats: Lap["stats"] };

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const dir = mkdtempSync(join(tmpdir(), "bw-bench-capture-"));
const child: ChildProcess = spawn(NODE, ["--import", "tsx", SERVER, dir, PRIORITY], { env: { ...process.env, NODE_ENV: "production" }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
const stopChild = (): void => {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
};
process.on("exit", stopChild);

/** The child's next message of `type` (a child that exits first fails the bench). */
function next<T extends FromServer["type"]>(type: T): Promise<Extract<FromServer, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`the receiver exited (${code})`));
    const onMessage = (message: FromServer): void => {
      if (message.type !== type) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(message as Extract<FromServer, { type: T }>);
    };
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

try {
  const listening = await next("listening");
  const url = `http://127.0.0.1:${listening.port}${BENCH_PATH}`;

  /** Load for `seconds` (full load, or a fixed offered rate) with the connections of autocannon; resolves when it ends. */
  const drive = (seconds: number, rate?: number) => {
    const run = autocannon({
      ...(rate === undefined ? {} : { overallRate: Math.round(rate) }),
      url,
      method: "POST",
      headers: { "content-type": "application/json", authorization: BENCH_AUTHORIZATION },
      body: ANSWER_TEXT,
      connections: CONNECTIONS,
      pipelining: 1,
      duration: seconds,
    });
    return run.then((result) => {
      if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
      return result.requests.total / result.duration;
    });
  };
  const lap = async (on: boolean): Promise<Lap> => {
    child.send({ type: "lap", on });
    return next("lap");
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  // warm-up at full load, which also gives the throughput the fixed rate is taken from
  const full: Record<"off" | "on", number[]> = { off: [], on: [] };
  for (let i = 0; i < 2; i++) {
    for (const on of [false, true]) {
      child.send({ type: "begin", on });
      await next("begun");
      full[on ? "on" : "off"].push(await drive(SECONDS));
    }
  }
  const rate = RATE === "full" ? undefined : RATE === "usual" ? 0.6 * Math.min(median(full.off), median(full.on)) : Number(RATE);

  // laps at the fixed rate, the load never stopping: off on | on off | off on …, the first lap a warm-up
  const order = Array.from({ length: PAIRS }, (_, pair) => (pair % 2 === 0 ? [false, true] : [true, false])).flat();
  child.send({ type: "begin", on: order[0] });
  await next("begun");
  const driving = drive(SECONDS * (order.length + 1) + 1, rate);
  await sleep(SECONDS * 1000);
  await lap(order[0]); // the warm-up lap, dropped
  const laps: Lap[] = [];
  for (let i = 0; i < order.length; i++) {
    await sleep(SECONDS * 1000);
    laps.push(await lap(order[i + 1] ?? false));
  }
  const offered = await driving;
  if (process.env.BENCH_LAPS) for (const l of laps) console.log(l.on ? "on " : "off", (l.threadUs / l.requests).toFixed(2), (l.processUs / l.processRequests).toFixed(2), l.requests);

  const thread = { off: [] as number[], on: [] as number[], ratio: [] as number[] };
  const whole = { off: [] as number[], on: [] as number[], ratio: [] as number[] };
  for (let pair = 0; pair < PAIRS; pair++) {
    const [first, second] = [laps[2 * pair], laps[2 * pair + 1]];
    const [offLap, onLap] = first.on ? [second, first] : [first, second];
    if (offLap.on || !onLap.on) throw new Error("laps out of order");
    thread.off.push(offLap.threadUs / offLap.requests);
    thread.on.push(onLap.threadUs / onLap.requests);
    whole.off.push(offLap.processUs / offLap.processRequests);
    whole.on.push(onLap.processUs / onLap.processRequests);
    thread.ratio.push(thread.on.at(-1)! / thread.off.at(-1)!);
    whole.ratio.push(whole.on.at(-1)! / whole.off.at(-1)!);
  }
  const line = (what: string, values: { off: number[]; on: number[]; ratio: number[] }): string => {
    const r = median(values.ratio);
    const added = (r - 1) * median(values.off);
    return `${what}: off ${median(values.off).toFixed(2)} µs, on ${median(values.on).toFixed(2)} µs CPU per request; ratio on/off ${r.toFixed(4)} (${r >= 1 ? "+" : ""}${((r - 1) * 100).toFixed(2)} %, ${added >= 0 ? "+" : ""}${added.toFixed(2)} µs; pairs ${Math.min(...values.ratio).toFixed(3)}–${Math.max(...values.ratio).toFixed(3)})`;
  };
  // the cores without the network, same process, same receivers: what capture adds to the receiver's thread
  let core = "";
  if (listening.threadClock) {
    child.send({ type: "core", rounds: CORE_ROUNDS, perRound: CORE_PER_ROUND });
    const measured = await next("core");
    const added = median(measured.on.map((x, i) => x - measured.off[i]));
    core = `receiver's core without the network (check + handle, same receivers, ${CORE_ROUNDS} pairs of ${CORE_PER_ROUND}): off ${median(measured.off).toFixed(2)} µs, on ${median(measured.on).toFixed(2)} µs; capture adds ${(added * 1000).toFixed(0)} ns (median of per-pair differences) = ${((added / median(thread.off)) * 100).toFixed(2)} % of the HTTP receiver's thread CPU per request above`;
  }
  const load = loadavg().map((x) => x.toFixed(2)).join(" / ");
  const stats = laps.at(-1)!.stats;
  console.log(`receiver: node:http under Node ${listening.node}, the writer thread at ${PRIORITY === "normal" ? "the process's priority" : "the lowest priority"}; full load off ${Math.round(median(full.off))} / on ${Math.round(median(full.on))} req/s; measured at ${Math.round(offered)} req/s (${RATE === "usual" ? "offered: 60 % of the lower" : RATE === "full" ? "full load" : "offered"}), ${PAIRS} pairs of ${SECONDS} s laps under one continuous load, ${CONNECTIONS} connections; load average at the end ${load}`);
  if (listening.threadClock) console.log(line("receiver's thread (process.threadCpuUsage)", thread));
  else console.log("receiver's thread: this Node has no process.threadCpuUsage (use --node 24)");
  console.log(line("whole process, writer thread included (process.cpuUsage)", whole));
  if (listening.threadClock) console.log(`whole process minus receiver's thread, capture on: ${(median(whole.on) - median(thread.on)).toFixed(2)} µs per request (off: ${(median(whole.off) - median(thread.off)).toFixed(2)}; the writer thread, GC helpers, libuv)`);
  if (core !== "") console.log(core);
  console.log(`deliveries recorded ${stats.recorded}, written ${stats.written}, dropped ${stats.dropped} (during the laps at the fixed rate: ${stats.dropped - laps[0].stats.dropped})`);

  child.send({ type: "close" });
  const { files } = await next("closed");

  // 2. replay 10 000 captured deliveries
  if (REPLAY) {
    const entries = files.flatMap((file) => parseCapture(readFileSync(file, "utf8"))).slice(0, 10_000);
    const receiver = createBandwidthWebhooks({ credentials: [BENCH_CREDENTIALS], voice: { answer: answerBxml }, validateBxml: false });
    const server = createServer(receiver.node);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const challenge of ["first", "every"] as const) {
        const started = performance.now();
        const report = await replayCapture(base, entries, { ...BENCH_CREDENTIALS, challenge });
        const seconds = (performance.now() - started) / 1000;
        const different = report.results.filter((r) => r.differences.length > 0).length;
        console.log(`replay ${entries.length} deliveries over HTTP, ${challenge === "first" ? "the first through the auth challenge (default)" : "each through the auth challenge (twice the requests)"}: ${seconds.toFixed(1)} s (${different} different)`);
      }
    } finally {
      server.closeAllConnections();
      server.close();
    }
  }
} finally {
  stopChild();
  rmSync(dir, { recursive: true, force: true });
}
