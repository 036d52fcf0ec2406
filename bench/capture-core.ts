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
 * older Node it runs itself again under Node 24 from npm, test/support/runtimes.ts), summed over all the rounds
 * of a variant (the clock's steps are too coarse for one round). Captures are flushed every 8 rounds (the
 * writer thread at the lowest priority mostly drains while the next rounds run). Prints each variant's CPU per
 * request and the differences; on a loaded machine repeat it and read ranges (±100 ns between runs here).
 *
 *   node --import tsx bench/capture-core.ts [rounds=300] [A=generated] [B]
 *   (BENCH_APART=1: each variant from its own copy, A-off, A-sink, A-capture: see below)
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
// short rounds, many of them, so that every variant sees the same load: the thread clock advances in steps of
// 0.3–3 ms on this VM, so it is summed over all the rounds of a variant rather than read per round
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
// BENCH_APART=1: each variant from its own copy of the build (FOLDER-off, FOLDER-sink, FOLDER-capture), so
// that no variant's type feedback shapes another's compiled code (a real receiver has one configuration)
const apart = process.env.BENCH_APART === "1";
for (const [build, folder] of folders.entries()) {
  const load = async (name: string) => {
    const from = apart ? `${folder}-${name}` : folder;
    const { createBandwidthWebhooks } = (await import(pathToFileURL(join(from, "webhooks.js")).href)) as typeof WebhooksModule;
    const { createCapture } = (await import(pathToFileURL(join(from, "capture.js")).href)) as typeof CaptureModule;
    const make = (capture: unknown): Core =>
      createBandwidthWebhooks({ credentials: [BENCH_CREDENTIALS], logger: silent, voice: { answer: answerBxml }, validateBxml: false, ...(capture === undefined ? {} : { capture }) } as Parameters<typeof createBandwidthWebhooks>[0]).core;
    return { make, createCapture };
  };
  variants.push({ name: "off", build, core: (await load("off")).make(undefined) });
  variants.push({ name: "sink", build, core: (await load("sink")).make({ record() {} }) });
  const { make, createCapture } = await load("capture");
  const capture = createCapture({ dir: join(dir, String(build)), logger: silent });
  variants.push({ name: "capture", build, core: make(capture), capture });
}

const thread: number[] = variants.map(() => 0);

/** One round of `core`: the thread CPU it took (µs), summed per variant. */
function round(core: Core, which: number, kept: boolean): void {
  const started = cpu();
  for (let i = 0; i < PER_ROUND; i++) {
    const route = core.match(BENCH_PATH)!;
    const request = { method: "POST", url: BENCH_PATH, authorization: headers.authorization, contentType: headers["content-type"], contentLength: headers["content-length"], contentEncoding: undefined, body: undefined as unknown as Uint8Array, raw, readHeader };
    if (core.check(route, request) !== undefined) throw new Error("refused");
    request.body = body;
    const answer = core.handle(route, request) as { status: number; body: string };
    if (answer.status !== 200) throw new Error(`answered ${answer.status}`);
    Buffer.byteLength(answer.body); // as the node adapter does (content-length), which flattens the rendered BXML
  }
  const used = cpu() - started;
  if (kept) thread[which] += used;
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
console.log(`Node ${process.version}; ${ROUNDS} rounds of ${PER_ROUND} requests per variant, order rotated each round; load average ${loadavg().map((x) => x.toFixed(1)).join(" / ")}`);
for (const [build, folder] of folders.entries()) {
  const of = (name: string): number => thread[variants.findIndex((v) => v.build === build && v.name === name)] / (ROUNDS * PER_ROUND);
  const [off, sink, full] = [of("off"), of("sink"), of("capture")];
  console.log(
    `${folder}: thread CPU per request off ${off.toFixed(3)} µs, do-nothing sink ${sink.toFixed(3)}, capture ${full.toFixed(3)}; the core's share (sink − off) ${ns(sink - off)}, record() (capture − sink) ${ns(full - sink)}, in all ${ns(full - off)} (${(((full - off) / off) * 100).toFixed(1)} % of the core)`,
  );
}
