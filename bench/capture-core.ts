/**
 * What capture adds to the receiver's thread, part by part, without the network: the webhook core (`check`
 * + `handle`, the body as bytes, the answer's byte length taken as the node adapter does; the HTTP group's
 * answer callback, its BXML rendered by the builder per request) in three variants per build:
 * - `off`: no capture;
 * - `sink`: a capture sink whose `record()` does nothing (what the core itself adds: clock readings, the
 *   object handed to the sink);
 * - `capture`: a real `createCapture` (redaction on, the defaults; `record()` writing into the ring).
 * `sink − off` is the core's share, `capture − sink` is `record()`'s. Up to two builds (a folder holding a
 * compiled `webhooks.js` and `capture.js`: this tree's `generated`, or a copy of an older one) in one
 * process; rounds of every (build, variant) in an order rotated each round, so load from other processes
 * falls on all alike; the main thread's CPU per request (`process.threadCpuUsage()`, Node ≥ 23.9: under an
 * older Node it runs itself again under Node 24 from npm, test/support/runtimes.ts). Captures are flushed
 * between rounds (the writer thread is idle while a round runs). Prints medians and the median of per-round
 * differences against `off` of the same build.
 *
 *   node --import tsx bench/capture-core.ts [rounds=300] [A=generated] [B]
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as CaptureModule from "../generated/capture.js";
import type * as WebhooksModule from "../generated/webhooks.js";
import { ensureRuntime, runtime } from "../test/support/runtimes.js";
import { answerBxml, BENCH_AUTHORIZATION, BENCH_CREDENTIALS, BENCH_PATH } from "./http-shared.js";

const threadCpuUsage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.bind(process);
if (threadCpuUsage === undefined) {
  const again = spawnSync(ensureRuntime(runtime("Node 24")), [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
  process.exit(again.status ?? 1);
}

const ROUNDS = Number(process.argv[2] ?? 300);
const root = fileURLToPath(new URL("..", import.meta.url));
const folders = process.argv.slice(3, 5).map((folder) => resolve(root, folder));
if (folders.length === 0) folders.push(resolve(root, "generated"));
// short rounds, many of them: the thread clock advances in steps of 0.3–3 ms on this VM (so it is summed over
// all the rounds of a variant), and a short round is often not interrupted at all (its wall time, low quantile)
const PER_ROUND = 1000;
const silent = { info() {}, warn() {}, error() {}, debug() {} };
const body = Buffer.from(JSON.stringify(JSON.parse(readFileSync(join(root, "bench/fixtures/answer-callback.json"), "utf8"))));
const headers: Record<string, string> = { authorization: BENCH_AUTHORIZATION, "content-type": "application/json", "content-length": String(body.length), "user-agent": "BandwidthAPI/v2" };
const raw = { headers };
const readHeader = (request: unknown, name: string): string | undefined => (request as typeof raw).headers[name];

const cpu = (): number => {
  const used = threadCpuUsage!();
  return used.user + used.system;
};

type Core = ReturnType<typeof WebhooksModule.createBandwidthWebhooks>["core"];
interface Variant {
  readonly name: string;
  readonly build: number;
  readonly core: Core;
  readonly capture?: CaptureModule.Capture;
}

const dir = mkdtempSync(join(tmpdir(), "bw-bench-capture-core-"));
const variants: Variant[] = [];
for (const [build, folder] of folders.entries()) {
  const { createBandwidthWebhooks } = (await import(pathToFileURL(join(folder, "webhooks.js")).href)) as typeof WebhooksModule;
  const { createCapture } = (await import(pathToFileURL(join(folder, "capture.js")).href)) as typeof CaptureModule;
  const make = (capture: unknown): Core =>
    createBandwidthWebhooks({ credentials: [BENCH_CREDENTIALS], logger: silent, voice: { answer: answerBxml }, validateBxml: false, ...(capture === undefined ? {} : { capture }) } as Parameters<typeof createBandwidthWebhooks>[0]).core;
  const capture = createCapture({ dir: join(dir, String(build)), logger: silent });
  variants.push({ name: "off", build, core: make(undefined) });
  variants.push({ name: "sink", build, core: make({ record() {} }) });
  variants.push({ name: "capture", build, core: make(capture), capture });
}

const wall: number[][] = [];
const thread: number[] = [];

/** One round of `core`: its wall time per request (µs) and the thread CPU it took (µs, summed per variant). */
function round(core: Core, which: number, kept: boolean): void {
  const started = cpu();
  const began = performance.now();
  for (let i = 0; i < PER_ROUND; i++) {
    const route = core.match(BENCH_PATH)!;
    const request = { method: "POST", url: BENCH_PATH, authorization: headers.authorization, contentType: headers["content-type"], contentLength: headers["content-length"], contentEncoding: undefined, body: undefined as unknown as Uint8Array, raw, readHeader };
    if (core.check(route, request) !== undefined) throw new Error("refused");
    request.body = body;
    const answer = core.handle(route, request) as { status: number; body: string };
    if (answer.status !== 200) throw new Error(`answered ${answer.status}`);
    Buffer.byteLength(answer.body); // as the node adapter does (content-length), which flattens the rendered BXML
  }
  const took = (performance.now() - began) * 1000;
  const used = cpu() - started;
  if (!kept) return;
  wall[which].push(took / PER_ROUND);
  thread[which] += used;
}

for (let i = 0; i < variants.length; i++) {
  wall.push([]);
  thread.push(0);
}
try {
  for (let r = -20; r < ROUNDS; r++) {
    for (let k = 0; k < variants.length; k++) {
      const which = (k + r + 20) % variants.length;
      round(variants[which].core, which, r >= 0);
    }
    // the writer thread drains between rounds, not while one is timed (the ring holds a few rounds)
    if (r % 8 === 0) for (const variant of variants) if (variant.capture !== undefined) await variant.capture.flush();
  }
} finally {
  for (const variant of variants) if (variant.capture !== undefined) await variant.capture.close();
  rmSync(dir, { recursive: true, force: true });
}

const ns = (us: number): string => `${us >= 0 ? "+" : ""}${(us * 1000).toFixed(0)} ns`;
const quantile = (values: readonly number[], q: number): number => [...values].sort((x, y) => x - y)[Math.floor(q * (values.length - 1))];
console.log(`Node ${process.version}; ${ROUNDS} rounds of ${PER_ROUND} requests per variant, order rotated each round; load average ${loadavg().map((x) => x.toFixed(1)).join(" / ")}`);
for (const [build, folder] of folders.entries()) {
  const at = (name: string): number => variants.findIndex((v) => v.build === build && v.name === name);
  const [off, sink, full] = [at("off"), at("sink"), at("capture")];
  const cpuOf = (which: number): number => thread[which] / (ROUNDS * PER_ROUND);
  const wallOf = (which: number, q: number): number => quantile(wall[which], q);
  console.log(`${folder}:`);
  for (const [what, of] of [
    ["thread CPU, all rounds", cpuOf],
    ["wall time, 10th percentile of rounds", (w: number) => wallOf(w, 0.1)],
    ["wall time, 25th percentile of rounds", (w: number) => wallOf(w, 0.25)],
  ] as const) {
    console.log(
      `  ${what}: off ${of(off).toFixed(3)} µs, do-nothing sink ${of(sink).toFixed(3)}, capture ${of(full).toFixed(3)} per request; the core's share (sink − off) ${ns(of(sink) - of(off))}, record() (capture − sink) ${ns(of(full) - of(sink))}, in all ${ns(of(full) - of(off))} (${(((of(full) - of(off)) / of(off)) * 100).toFixed(1)} % of the core)`,
    );
  }
}
