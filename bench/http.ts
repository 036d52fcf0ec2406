/**
 * Requests per second of webhook servers under autocannon, each ratio measured in the same run:
 * (a) node:http: a bare server replying with a constant vs bw-codegen's node handler (auth, JSON.parse,
 *     validation, dispatch, BXML render of an `answer`), and vs what users write today (node:http + ajv
 *     compiled at start-up + bandwidth-sdk's BXML classes);
 * (b) Express: express.json() + a constant reply vs bw-codegen's Express middleware;
 * (c) Fastify: its built-in JSON parser + a constant reply vs bw-codegen's Fastify plugin;
 * (d) scaffold: the node:http server `bw-codegen scaffold` writes, default options, builder-rendered BXML,
 *     in development mode (no NODE_ENV: every reply's BXML is checked) and with NODE_ENV=production, next
 *     to the bare server and a careful hand-written one (node:http + ajv fast formats + template literal).
 *
 * Each server runs in its own child process (bench/http-server.ts); the load generator runs here. On a
 * 2-core machine the load generator (autocannon, itself a node process) competes with the server and can
 * be the bottleneck, so two numbers are taken per server:
 * - throughput: requests/s at full load (the issue's targets are stated this way), measured in
 *   alternating rounds so a noisy moment does not fall on one server only;
 * - server CPU time per request at the SAME offered rate for every server of a group (autocannon
 *   `overallRate`, 60% of the slowest server's throughput), read from /proc: the cost of the server's own
 *   work, not limited by the load generator. Where throughput is client-bound, this is the number to read.
 * Both sides are identical across compared servers: same connections, request bytes and durations.
 */

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { BENCH_CREDENTIALS, BENCH_PATH } from "./http-shared.js";
import { percent, type Row } from "./harness.js";
import { ANSWER_TEXT } from "./validators.js";

const require = createRequire(import.meta.url);
// autocannon ships CommonJS without types; only the parts used here are typed.
const autocannon = require("autocannon") as (options: Record<string, unknown>) => Promise<AutocannonResult>;

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}

const SERVER_SCRIPT = fileURLToPath(new URL("./http-server.ts", import.meta.url));
const AUTHORIZATION = `Basic ${Buffer.from(`${BENCH_CREDENTIALS.username}:${BENCH_CREDENTIALS.password}`).toString("base64")}`;

export interface HttpBenchOptions {
  /** Seconds of warm-up per server (default 2). */
  warmup?: number;
  /** Seconds per measurement round (default 3). */
  duration?: number;
  /** Alternating measurement rounds per server (default 2). */
  rounds?: number;
  /** Concurrent connections (default 50). */
  connections?: number;
  /** Only these groups: `node`, `express`, `fastify`, `scaffold`. */
  groups?: string[];
  /** Pin servers to CPU 1 and the load generator to CPU 0 with `taskset` (Linux; default off: on a shared machine a pinned core can be busy with other work). */
  pin?: boolean;
}

interface Server {
  variant: string;
  port: number;
  child: ChildProcess;
}

/**
 * On Linux with `taskset`, the servers run on CPU 1 and the load generator on CPU 0, so they do not take
 * turns on the same core (other processes on the machine can still interfere).
 */
const CAN_PIN = process.platform === "linux" && existsSync("/usr/bin/taskset");
let PIN = false;

function pinSelf(cpus: string): void {
  if (PIN) spawnSync("taskset", ["-a", "-p", "-c", cpus, String(process.pid)], { stdio: "ignore" });
}

/** CPU time a process has used so far, in seconds: [user, system] (Linux; NaN elsewhere). */
function cpuSeconds(pid: number): [number, number] {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return [Number(fields[11]) / 100, Number(fields[12]) / 100]; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return [Number.NaN, Number.NaN];
  }
}

/** Every server runs with NODE_ENV=production except `*-development` ones, which run without NODE_ENV. */
function serverEnv(variant: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "production" };
  if (variant.endsWith("-development")) delete env.NODE_ENV;
  return env;
}

function startServer(variant: string): Promise<Server> {
  const command = PIN ? "taskset" : process.execPath;
  const args = ["--import", "tsx", SERVER_SCRIPT, variant];
  const child = spawn(command, PIN ? ["-c", "1", process.execPath, ...args] : args, {
    env: serverEnv(variant),
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      const match = /^LISTENING (\d+)$/.exec(line);
      if (match === null) reject(new Error(`${variant}: unexpected output ${line}`));
      else resolve({ variant, port: Number(match[1]), child });
    });
    child.once("exit", (code) => reject(new Error(`${variant} exited with ${code}`)));
  });
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    server.child.once("exit", () => resolve());
    server.child.kill("SIGTERM");
  });
}

/** One request, checked: the benchmark must measure 200s with the BXML, not 401s or 400s. */
async function verify(server: Server): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${server.port}${BENCH_PATH}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: AUTHORIZATION },
    body: ANSWER_TEXT,
  });
  const body = await response.text();
  if (response.status !== 200 || !body.includes("<SpeakSentence>Hello")) {
    throw new Error(`${server.variant} answered ${response.status}: ${body.slice(0, 200)}`);
  }
  return body;
}

async function load(server: Server, seconds: number, connections: number, rate?: number): Promise<AutocannonResult & { cpu: number; userCpu: number }> {
  const cpuBefore = cpuSeconds(server.child.pid!);
  const result = await autocannon({
    ...(rate === undefined ? {} : { overallRate: Math.round(rate) }),
    url: `http://127.0.0.1:${server.port}${BENCH_PATH}`,
    method: "POST",
    headers: { "content-type": "application/json", authorization: AUTHORIZATION },
    body: ANSWER_TEXT,
    connections,
    pipelining: 1,
    duration: seconds,
  });
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(`${server.variant}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  const cpuAfter = cpuSeconds(server.child.pid!);
  const userCpu = cpuAfter[0] - cpuBefore[0];
  return { ...result, cpu: userCpu + cpuAfter[1] - cpuBefore[1], userCpu };
}

interface Measured {
  /** Requests per second. */
  rps: number;
  /** Worst p99 latency of the rounds, ms. */
  p99: number;
  /** The common offered rate of the CPU measurement, req/s. */
  rate: number;
  /** Server CPU time (user + system) per request at that rate, µs (not limited by the load generator). */
  cpuPerRequest: number;
  /** The user-space part of it, µs (system time is mostly the loopback TCP send, the same work for every server). */
  userPerRequest: number;
}

/** Warms every server of a group, measures throughput in alternating rounds, then CPU per request at a common rate. */
async function measureGroup(variants: string[], options: Required<Omit<HttpBenchOptions, "groups" | "pin">>): Promise<Record<string, Measured>> {
  const servers: Server[] = [];
  try {
    for (const variant of variants) servers.push(await startServer(variant));
    const bodies = new Set<string>();
    for (const server of servers) bodies.add(await verify(server));
    if (bodies.size !== 1) throw new Error(`servers of ${variants.join(", ")} answer different bodies`);
    for (const server of servers) await load(server, options.warmup, options.connections);
    const totals = new Map<string, { requests: number; seconds: number; p99: number[] }>(variants.map((v) => [v, { requests: 0, seconds: 0, p99: [] }]));
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? servers : [...servers].reverse();
      for (const server of order) {
        const result = await load(server, options.duration, options.connections);
        const total = totals.get(server.variant)!;
        total.requests += result.requests.total;
        total.seconds += result.duration;
        total.p99.push(result.latency.p99);
      }
    }
    const throughput = new Map([...totals].map(([variant, total]) => [variant, total.requests / total.seconds]));
    const rate = 0.6 * Math.min(...throughput.values());
    const out: Record<string, Measured> = {};
    for (const server of servers) {
      const result = await load(server, options.duration, options.connections, rate);
      const total = totals.get(server.variant)!;
      out[server.variant] = {
        rps: throughput.get(server.variant)!,
        p99: Math.max(...total.p99),
        rate: result.requests.total / result.duration,
        cpuPerRequest: (result.cpu / result.requests.total) * 1e6,
        userPerRequest: (result.userCpu / result.requests.total) * 1e6,
      };
    }
    return out;
  } finally {
    await Promise.all(servers.map(stopServer));
  }
}

function rps(value: number): string {
  return `${Math.round(value).toLocaleString("en-US")} req/s`;
}

function cpu(measured: Measured): string {
  return `${measured.cpuPerRequest.toFixed(1)} µs CPU/req (user ${measured.userPerRequest.toFixed(1)})`;
}

/** Two rows per comparison: throughput (what the target names) and server CPU per request. */
function compare(label: string, how: string, oursName: string, ours: Measured, baseName: string, base: Measured, target: number | undefined): Row[] {
  const throughput = ours.rps / base.rps;
  const efficiency = base.cpuPerRequest / ours.cpuPerRequest;
  const goal = target === undefined ? "" : `≥ ${Math.round(target * 100)}%`;
  const asRatio = (x: number): string => (target === undefined ? `${x.toFixed(2)}×` : percent(x));
  return [
    {
      group: "http",
      benchmark: `${label}: throughput (${how})`,
      ours: `${oursName} ${rps(ours.rps)} (p99 ${ours.p99} ms)`,
      baseline: `${baseName} ${rps(base.rps)} (p99 ${base.p99} ms)`,
      ratio: asRatio(throughput),
      target: goal,
      met: target === undefined ? undefined : throughput >= target,
    },
    {
      group: "http",
      benchmark: `${label}: server CPU time per request at the same ${rps(Math.min(ours.rate, base.rate))} for both (baseline ÷ ours)`,
      ours: `${oursName} ${cpu(ours)}`,
      baseline: `${baseName} ${cpu(base)}`,
      ratio: asRatio(efficiency),
      target: goal,
      met: target === undefined || Number.isNaN(efficiency) ? undefined : efficiency >= target,
    },
  ];
}

/** The default server a scaffold produces, development vs production, vs the bare and the hand-written server. */
async function scaffoldRows(settings: Required<Omit<HttpBenchOptions, "groups" | "pin">>, how: string): Promise<Row[]> {
  const m = await measureGroup(["node-constant", "node-hand-written", "scaffold-development", "scaffold-production"], settings);
  const what = "scaffold's default node:http server, answer BXML rendered by the builder";
  const bare = "bare node:http, constant reply";
  return [
    ...compare(`${what}, development mode (no NODE_ENV: every reply's BXML checked)`, how, "scaffold, development", m["scaffold-development"], bare, m["node-constant"], undefined),
    ...compare(`${what}, NODE_ENV=production (\`npm start\`)`, how, "scaffold, production", m["scaffold-production"], bare, m["node-constant"], undefined),
    ...compare("hand-written node:http + ajv (fast formats) + template-literal BXML", how, "hand-written", m["node-hand-written"], bare, m["node-constant"], undefined),
    ...compare(`${what}, NODE_ENV=production vs the hand-written server`, how, "scaffold, production", m["scaffold-production"], "hand-written", m["node-hand-written"], undefined),
  ];
}

export async function runHttpBench(options: HttpBenchOptions = {}): Promise<Row[]> {
  const settings = {
    warmup: options.warmup ?? 2,
    duration: options.duration ?? 3,
    rounds: options.rounds ?? 2,
    connections: options.connections ?? 50,
  };
  const groups = options.groups ?? ["node", "express", "fastify", "scaffold"];
  PIN = options.pin === true && CAN_PIN;
  const how = `${settings.connections} connections, pipelining 1, ${settings.rounds}×${settings.duration} s after ${settings.warmup} s warm-up${PIN ? ", server on CPU 1, load generator on CPU 0" : ""}`;
  const rows: Row[] = [];
  pinSelf("0");
  try {
    if (groups.includes("node")) {
      const m = await measureGroup(["node-constant", "node-bw-codegen", "node-today"], settings);
      rows.push(...compare("node:http answer callback (auth + JSON.parse + validate + BXML render)", how, "bw-codegen", m["node-bw-codegen"], "bare node:http, constant reply", m["node-constant"], 0.7));
      rows.push(...compare("node:http answer callback vs what users write today (auth check + JSON.parse + ajv + bandwidth-sdk BXML)", how, "bw-codegen", m["node-bw-codegen"], "node:http + ajv + bandwidth-sdk", m["node-today"], undefined));
    }
    if (groups.includes("express")) {
      const m = await measureGroup(["express-constant", "express-bw-codegen-adapter", "express-bw-codegen"], settings);
      rows.push(...compare("Express adapter (auth + JSON.parse + validate + dispatch; the handler returns the same constant BXML)", how, "bw-codegen middleware", m["express-bw-codegen-adapter"], "express.json() + constant reply", m["express-constant"], 0.9));
      rows.push(...compare("Express answer callback, the handler rendering its BXML with the builder", how, "bw-codegen middleware", m["express-bw-codegen"], "express.json() + constant reply", m["express-constant"], undefined));
    }
    if (groups.includes("fastify")) {
      const m = await measureGroup(["fastify-constant", "fastify-constant-plugin", "fastify-bw-codegen-adapter", "fastify-bw-codegen"], settings);
      const adapter = "Fastify adapter (auth + JSON.parse + validate + dispatch; the handler returns the same constant BXML)";
      rows.push(...compare(`${adapter} vs the same reply from a route in a plugin, as Fastify apps are built`, how, "bw-codegen plugin", m["fastify-bw-codegen-adapter"], "plugin route, built-in JSON parser + constant reply", m["fastify-constant-plugin"], 0.9));
      rows.push(...compare(`${adapter} vs a Fastify app with no plugin at all`, how, "bw-codegen plugin", m["fastify-bw-codegen-adapter"], "root route, built-in JSON parser + constant reply", m["fastify-constant"], 0.9));
      rows.push(...compare("What registering any plugin costs a Fastify app (the constant route, in a plugin vs at the root)", how, "plugin route", m["fastify-constant-plugin"], "root route", m["fastify-constant"], undefined));
      rows.push(...compare("Fastify answer callback, the handler rendering its BXML with the builder", how, "bw-codegen plugin", m["fastify-bw-codegen"], "plugin route, built-in JSON parser + constant reply", m["fastify-constant-plugin"], undefined));
    }
    if (groups.includes("scaffold")) rows.push(...(await scaffoldRows(settings, how)));
  } finally {
    pinSelf(`0-${Math.max(1, availableParallelism() - 1)}`);
  }
  return rows;
}
