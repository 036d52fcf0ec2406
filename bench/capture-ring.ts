/**
 * The capture's writer thread as it runs, through the ring: deliveries recorded by a real `createCapture`
 * (the answer callback bench/capture.ts sends, as bytes, with the builder-like answer), read back, redacted and
 * written by its real writer thread (`worker.ts`), which bench/capture-writer.ts leaves out (it times the
 * redacted line alone). Two builds in one process, A and B (a folder holding a compiled `capture.js`: this
 * tree's `generated`, or a copy of an older one), each with its own capture and writer thread (at the
 * process's priority here, so both get the CPU alike), in rounds that alternate A, B | B, A | … so load from
 * other processes falls on both. Per round: the process's CPU but the receiver's thread's (the writer thread,
 * with GC helpers) per delivery, read after a flush; a round records 8192 deliveries at once (the ring holds
 * them: none is dropped), then waits for the writer thread. (`record()` itself takes a few ms a round, under
 * the CPU clocks' 4 ms step: not measured here.)
 * Prints medians per build and the median of the per-pair ratios B ÷ A. Needs per-thread CPU clocks (Node ≥
 * 23.9): under an older Node it runs itself again under Node 24 from npm (test/support/runtimes.ts).
 *
 *   node --import tsx bench/capture-ring.ts [rounds=20] [A=generated] [B=generated]
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as CaptureModule from "../generated/capture.js";
import type { CapturedDelivery } from "../generated/runtime/http/types.js";
import { ensureRuntime, runtime } from "../test/support/runtimes.js";

const threadCpuUsage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.bind(process);
if (threadCpuUsage === undefined) {
  const again = spawnSync(ensureRuntime(runtime("Node 24")), [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(again.status ?? 1);
}

const ROUNDS = Number(process.argv[2] ?? 20);
const root = fileURLToPath(new URL("..", import.meta.url));
const builds = [process.argv[3] ?? "generated", process.argv[4] ?? process.argv[3] ?? "generated"].map((folder) => resolve(root, folder));
const PER_ROUND = 8192;
const silent = { info() {}, warn() {}, error() {}, debug() {} };
const body = new TextEncoder().encode(JSON.stringify(JSON.parse(readFileSync(join(root, "bench/fixtures/answer-callback.json"), "utf8"))));
const headers: Record<string, string> = { "user-agent": "BandwidthAPI/v2" };

/** One delivery as the core hands it over (the answer rendered per request, as the builder does). */
class Delivery implements CapturedDelivery {
  readonly family = "voice";
  readonly path = "/callbacks/voice";
  readonly method = "POST";
  readonly url = "/callbacks/voice";
  readonly eventType = "answer";
  readonly contentType = "application/json";
  readonly body = body;
  readonly latencyMs = 0.0421;
  readonly at: number;
  readonly response: { status: number; headers: Record<string, string>; body: string };
  constructor(n: number) {
    this.at = Date.UTC(2026, 11, 5) + n * 37;
    this.response = { status: 200, headers: { "content-type": "application/xml" }, body: `<?xml version="1.0" encoding="UTF-8"?><Response><SpeakSentence>Hello ${n % 2 === 0 ? "there" : "again"}</SpeakSentence></Response>` };
  }
  header(name: string): string | undefined {
    return headers[name];
  }
}

const cpu = (used: NodeJS.CpuUsage): number => used.user + used.system;
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const dir = mkdtempSync(join(tmpdir(), "bw-bench-capture-ring-"));
const captures = await Promise.all(
  builds.map(async (folder, i) => {
    const { createCapture } = (await import(pathToFileURL(join(folder, "capture.js")).href)) as typeof CaptureModule;
    // lowPriority: false (older builds ignore it): both writer threads at the process's priority
    return createCapture({ dir: join(dir, String(i)), logger: silent, maxPending: 1_000_000, lowPriority: false } as Parameters<typeof createCapture>[0]);
  }),
);

/** One round of `capture`: µs of CPU per delivery of the process but the receiver's thread. */
async function round(capture: CaptureModule.Capture, first: number): Promise<number> {
  const deliveries = Array.from({ length: PER_ROUND }, (_, i) => new Delivery(first + i));
  await capture.flush();
  const process0 = process.cpuUsage();
  const thread0 = cpu(threadCpuUsage!());
  for (let i = 0; i < PER_ROUND; i++) capture.record(deliveries[i]);
  await capture.flush();
  const thread = cpu(threadCpuUsage!()) - thread0;
  const all = cpu(process.cpuUsage(process0));
  if (capture.stats.dropped > 0) throw new Error("deliveries dropped: make the ring larger");
  // the rest of the process: everything but the receiver's thread (its record() calls and its wait)
  return (all - thread) / PER_ROUND;
}

const results: number[][] = [[], []];
try {
  for (let r = -2; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? [0, 1] : [1, 0];
    for (const which of order) {
      const measured = await round(captures[which], (r + 2) * PER_ROUND * 2 + which * PER_ROUND);
      if (r < 0) continue; // warm-up
      results[which].push(measured);
    }
  }
} finally {
  for (const capture of captures) await capture.close();
  rmSync(dir, { recursive: true, force: true });
}
const ratios = results[1].map((b, i) => b / results[0][i]);
console.log(`Node ${process.version}; ${ROUNDS} rounds of ${PER_ROUND} deliveries per build, alternating; A ${builds[0]}, B ${builds[1]}`);
for (const [name, r] of [["A", results[0]], ["B", results[1]]] as const) {
  console.log(`${name}: writer thread (the process but the receiver's thread) per delivery ${median(r).toFixed(2)} µs CPU (rounds ${Math.min(...r).toFixed(1)}–${Math.max(...r).toFixed(1)})`);
}
console.log(`writer B ÷ A: median of per-pair ratios ${median(ratios).toFixed(3)} (pairs ${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`);
