/**
 * How many concurrent bidirectional media streams one node process holds: 50 `media` frames a second in
 * (20 ms of μ-law each) and 50 `playAudio` a second out per stream, with the p99 of frame → echo latency
 * under 20 ms, and the server's RSS per stream. The server (bench/socket-load-server.ts) is pinned to
 * core 0 and the load (bench/socket-load-client.ts) to core 1 with `taskset` where it exists, so the load
 * generator's work is not billed to the server. Levels rise until one fails (p99 ≥ 20 ms, or echoes
 * lost); each level is 1 s of warm-up and 3 s measured, streams kept open from one level to the next.
 * Our runtime (`createStreamServer` + `attachStreamServer`) against the same echo bot hand-written on
 * `ws` + `JSON.parse` + `Buffer` base64 + ajv, in one run.
 * `npm run bench -- --only socket-load`, or on its own: `node --expose-gc --import tsx bench/socket-load.ts`.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Row } from "./harness.js";

const SERVER = fileURLToPath(new URL("./socket-load-server.ts", import.meta.url));
const CLIENT = fileURLToPath(new URL("./socket-load-client.ts", import.meta.url));
/** Stream counts tried in turn (BENCH_SOCKET_LEVELS=250,500 to choose). */
const LEVELS = (process.env.BENCH_SOCKET_LEVELS ?? "250,500,1000,1500,2000,3000,4000").split(",").map(Number);
const P99_LIMIT_MS = 20;
const AUTHORIZATION = `Basic ${Buffer.from("bench-stream:bench-stream-password").toString("base64")}`;

interface LevelResult {
  n: number;
  sent: number;
  echoed: number;
  unexpected: number;
  closedEarly: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
  latenessP99: number;
  clientCpu: number;
  serverCpu: number;
  rssPerStreamKb: number;
  /** Server CPU time per frame echoed (one media in, one playAudio out), µs. */
  cpuPerFrameUs: number;
  /** Every frame was echoed (no loss, no error): the server kept up, whatever the latency. */
  keptUp: boolean;
  ok: boolean;
  error?: string;
}

/** Pinned with taskset where it exists, unless BENCH_SOCKET_PIN=0. */
const pinnable = process.env.BENCH_SOCKET_PIN !== "0" && (existsSync("/usr/bin/taskset") || existsSync("/bin/taskset"));

/**
 * BENCH_SOCKET_NICE=-10 runs both children at that niceness (negative needs root): on a machine loaded by
 * other work, a process that needs more than its fair share of a core is descheduled for hundreds of
 * milliseconds at a time, which measures the machine, not the server. Say so when you use it.
 */
const NICE = process.env.BENCH_SOCKET_NICE;

/** Starts a TypeScript child with IPC, pinned to `core` when taskset exists. */
function child(script: string, args: string[], core: number): ChildProcess {
  const node = [process.execPath, "--expose-gc", "--import", "tsx", script, ...args];
  const pinned = pinnable ? ["taskset", "-c", String(core), ...node] : node;
  const [command, ...rest] = NICE ? ["nice", "-n", NICE, ...pinned] : pinned;
  return spawn(command, rest, { stdio: ["ignore", "inherit", "inherit", "ipc"], env: { ...process.env, NODE_ENV: "production" } });
}

/** Sends a command and waits for the child's next message. */
function ask<T>(proc: ChildProcess, message: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null): void => reject(new Error(`child exited (${code})`));
    proc.once("exit", onExit);
    proc.once("message", (reply: T & { error?: string }) => {
      proc.off("exit", onExit);
      if (reply.error) reject(new Error(reply.error));
      else resolve(reply);
    });
    if (Object.keys(message).length > 0) proc.send(message);
  });
}

/** utime + stime of a process, in seconds (/proc; 0 where there is none). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

export async function runVariant(variant: "runtime" | "bare", log: (line: string) => void): Promise<LevelResult[]> {
  const server = child(SERVER, [variant], 0);
  const client = child(CLIENT, [], 1);
  const results: LevelResult[] = [];
  try {
    const { port } = await ask<{ port: number }>(server, {});
    const idle = await ask<{ rss: number }>(server, { cmd: "mem" });
    for (const n of LEVELS) {
      const result: LevelResult = { n, sent: 0, echoed: 0, unexpected: 0, closedEarly: 0, seconds: 0, p50: 0, p99: 0, max: 0, latenessP99: 0, clientCpu: 0, serverCpu: 0, rssPerStreamKb: 0, cpuPerFrameUs: 0, keptUp: false, ok: false };
      try {
        await ask(client, { cmd: "open", url: `ws://127.0.0.1:${port}/sockets/stream`, n, authorization: AUTHORIZATION });
        const cpu0 = cpuSeconds(server.pid!);
        const t0 = performance.now();
        Object.assign(result, await ask<Partial<LevelResult>>(client, { cmd: "load", warmMs: 1000, measureMs: 3000 }));
        result.serverCpu = (cpuSeconds(server.pid!) - cpu0) / ((performance.now() - t0) / 1000);
        const memory = await ask<{ rss: number; open: number }>(server, { cmd: "mem" });
        result.rssPerStreamKb = (memory.rss - idle.rss) / 1024 / n;
        result.cpuPerFrameUs = (result.serverCpu * 1e6) / (result.sent / result.seconds);
        result.keptUp = result.echoed >= result.sent * 0.999 && result.unexpected === 0 && result.closedEarly === 0 && memory.open === n;
        result.ok = result.keptUp && result.p99 < P99_LIMIT_MS;
      } catch (error) {
        result.error = error instanceof Error ? error.message : String(error);
      }
      results.push(result);
      log(
        `socket-load ${variant} ${n} streams: ${(result.sent / Math.max(result.seconds, 1e-9)).toFixed(0)} frames/s in, echoed ${result.echoed}/${result.sent}, ` +
          `p50 ${result.p50.toFixed(1)} ms, p99 ${result.p99.toFixed(1)} ms, max ${result.max.toFixed(1)} ms, load lateness p99 ${result.latenessP99.toFixed(1)} ms, ` +
          `server CPU ${(result.serverCpu * 100).toFixed(0)}% (${result.cpuPerFrameUs.toFixed(1)} µs/frame echoed), load CPU ${(result.clientCpu * 100).toFixed(0)}%, RSS ${result.rssPerStreamKb.toFixed(1)} KB/stream${result.error ? `, error: ${result.error}` : ""} → ${result.ok ? "held" : "NOT held"}`,
      );
      // go on while the server keeps up (the CPU figures), stop at the first level it does not
      if (!result.keptUp) break;
    }
    await ask(client, { cmd: "close" }).catch(() => undefined);
  } finally {
    server.kill("SIGKILL");
    client.kill("SIGKILL");
  }
  return results;
}

/** The largest level both variants kept up with (every frame echoed): CPU and memory are compared there. */
function keptUpByBoth(ours: LevelResult[], bare: LevelResult[]): [LevelResult, LevelResult] | [] {
  const pair = ours
    .filter((r) => r.keptUp)
    .map((r) => [r, bare.find((b) => b.n === r.n && b.keptUp)] as const)
    .filter((p): p is readonly [LevelResult, LevelResult] => p[1] !== undefined)
    .at(-1);
  return pair === undefined ? [] : [pair[0], pair[1]];
}

/** The largest level held, and its row of figures. */
function held(results: LevelResult[]): LevelResult | undefined {
  return results.filter((r) => r.ok).at(-1);
}

function describe(result: LevelResult | undefined, results: LevelResult[]): string {
  if (result === undefined) return `none (${results[0]?.error ?? `p99 ${results[0]?.p99.toFixed(1)} ms at ${results[0]?.n}`})`;
  const failed = results.find((r) => !r.ok);
  const next = failed ? `; ${failed.n}: ${failed.error ?? `p99 ${failed.p99.toFixed(1)} ms`}` : "; highest level tried";
  return `${result.n.toLocaleString("en-US")} streams (p99 ${result.p99.toFixed(1)} ms, server CPU ${(result.serverCpu * 100).toFixed(0)}%${next})`;
}

export async function runSocketLoadBench(log: (line: string) => void = (line) => void process.stderr.write(`${line}\n`)): Promise<Row[]> {
  const ours = await runVariant("runtime", log);
  const bare = await runVariant("bare", log);
  const a = held(ours);
  const b = held(bare);
  const [c, d] = keptUpByBoth(ours, bare);
  const where = pinnable ? "server pinned to one core, load on the other" : "no taskset: server and load share the cores";
  return [
    {
      group: "socket-load",
      benchmark: `concurrent bidirectional streams one node process holds, 50 frames/s each way, p99 frame→echo < ${P99_LIMIT_MS} ms (${where}; 1 s warm-up + 3 s per level)`,
      ours: `runtime ${describe(a, ours)}`,
      baseline: `ws + JSON.parse + Buffer + ajv ${describe(b, bare)}`,
      ratio: a && b ? `${(a.n / b.n).toFixed(2)}×` : "",
      target: "≥ 1,000 streams",
      met: a !== undefined && a.n >= 1000,
    },
    {
      group: "socket-load",
      benchmark: "server CPU per frame echoed (one media in + one playAudio out) at the largest level both kept up with, and the streams one fully busy core would carry at that cost (50 frames/s each way)",
      ours: c ? `runtime ${c.cpuPerFrameUs.toFixed(1)} µs at ${c.n} → ${Math.floor(1e6 / (50 * c.cpuPerFrameUs)).toLocaleString("en-US")} streams/core` : "",
      baseline: d ? `ws + ajv ${d.cpuPerFrameUs.toFixed(1)} µs at ${d.n} → ${Math.floor(1e6 / (50 * d.cpuPerFrameUs)).toLocaleString("en-US")} streams/core` : "",
      ratio: c && d ? `${(c.cpuPerFrameUs / d.cpuPerFrameUs).toFixed(2)}×` : "",
      target: "",
    },
    {
      group: "socket-load",
      benchmark: "server RSS per open stream at the largest level both kept up with (RSS after GC minus idle, over streams)",
      ours: c ? `runtime ${c.rssPerStreamKb.toFixed(1)} KB at ${c.n}` : "",
      baseline: d ? `ws + ajv ${d.rssPerStreamKb.toFixed(1)} KB at ${d.n}` : "",
      ratio: c && d ? `${(c.rssPerStreamKb / d.rssPerStreamKb).toFixed(2)}×` : "",
      target: "",
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await runSocketLoadBench()) console.log(`${row.benchmark}: ${row.ours} vs ${row.baseline} (${row.ratio})`);
}
