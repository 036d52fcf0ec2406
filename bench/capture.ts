/**
 * The flight recorder's costs, in one process:
 * 1. Capture on vs off, same receiver core (the answer callback, the path adapters drive: `check`, then
 *    `handle` with the body as bytes). Rounds alternate off, on, off, on… so load from other processes
 *    falls on both alike. A round is `perRound` requests (default 256, the writer's batch) in one
 *    synchronous loop, timed by wall clock with the writer thread idle (Node 20 has no per-thread CPU
 *    clock, and on a loaded 2-core machine a busy writer thread slows the receiver's thread by competing
 *    for a core); the 256th recorded delivery hands the batch to the writer thread, so each "on" round
 *    includes exactly one real hand-off. Between rounds the capture is flushed, untimed. Prints medians and
 *    the median of per-pair ratios; the writer's own CPU per delivery (redaction + write) is reported apart.
 * 2. Replaying 10 000 captured deliveries (recorded by step 1) against a local node:http receiver with
 *    `replayCapture`, with and without Bandwidth's auth challenge (which doubles the requests).
 *
 *   node --import tsx bench/capture.ts [rounds=400] [perRound=256] [replay=yes|no]
 */

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBandwidthWebhooks } from "../generated/index.js";
import { createCapture, parseCapture } from "../generated/capture.js";
import { replayCapture } from "../generated/testing.js";
import { BENCH_AUTHORIZATION, BENCH_CREDENTIALS, BENCH_PATH } from "./http-shared.js";
import { ANSWER_TEXT } from "./validators.js";

const ROUNDS = Number(process.argv[2] ?? 400);
const PER_ROUND = Number(process.argv[3] ?? 256);
const REPLAY = process.argv[4] !== "no";
const REPLY = '<?xml version="1.0" encoding="UTF-8"?><Response><SpeakSentence>hi</SpeakSentence></Response>';
const BODY = new TextEncoder().encode(ANSWER_TEXT);
const headers: Record<string, string> = { authorization: BENCH_AUTHORIZATION, "content-type": "application/json", "content-length": String(BODY.length), "user-agent": "BandwidthAPI/v2" };
const raw = { headers };
const readHeader = (request: unknown, name: string): string | undefined => (request as typeof raw).headers[name];
const dir = mkdtempSync(join(tmpdir(), "bw-bench-capture-"));
const silent = { info() {}, warn() {}, error() {}, debug() {} };

const capture = createCapture({ dir, maxPending: 20_000, maxBytes: 1024 * 1024 * 1024 });
const build = (on: boolean) =>
  createBandwidthWebhooks({ credentials: [BENCH_CREDENTIALS], logger: silent, voice: { answer: () => REPLY }, validateBxml: false, ...(on ? { capture } : {}) });
const off = build(false);
const on = build(true);

function one(core: typeof off.core): string {
  const route = core.match(BENCH_PATH)!;
  const request = {
    method: "POST",
    url: BENCH_PATH,
    authorization: headers.authorization,
    contentType: headers["content-type"],
    contentLength: headers["content-length"],
    contentEncoding: undefined,
    body: undefined as unknown as Uint8Array,
    raw,
    readHeader,
  };
  const early = core.check(route, request);
  if (early !== undefined) return early.body;
  request.body = BODY;
  return (core.handle(route, request) as { body: string }).body;
}


/** Wall-clock ns per request of one round (the writer thread idle: its queue was flushed before). */
function round(core: typeof off.core): number {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < PER_ROUND; i++) sink += one(core).length;
  const wall = ((performance.now() - t0) * 1e6) / PER_ROUND;
  if (sink !== PER_ROUND * REPLY.length) throw new Error("unexpected answer");
  return wall;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

for (let i = 0; i < 50; i++) {
  round(off.core);
  round(on.core);
  await capture.flush();
}
const offs: number[] = [];
const ons: number[] = [];
const ratios: number[] = [];
const writer: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const a = round(off.core);
  const b = round(on.core);
  const start = process.cpuUsage();
  await capture.flush(); // hands the round to the writer thread and waits until it is written (not timed above)
  const used = process.cpuUsage(start);
  writer.push(((used.user + used.system) * 1000) / PER_ROUND);
  offs.push(a);
  ons.push(b);
  ratios.push(b / a);
}

const offMedian = median(offs);
console.log(`capture off: ${(offMedian / 1000).toFixed(2)} µs per request (receiver's thread, wall clock; median of ${ROUNDS} rounds of ${PER_ROUND})`);
console.log(`capture on:  ${(median(ons) / 1000).toFixed(2)} µs per request (recording and the hand-off to the writer thread; the writer idle)`);
const added = (median(ratios) - 1) * offMedian;
console.log(`ratio on/off (median of per-pair ratios): ${median(ratios).toFixed(3)} (+${(added / 1000).toFixed(2)} µs per request)`);
// The share of a whole request: the core is 2.78 of the 16.3 µs CPU a node:http request costs on a quiet machine
// (docs/benchmarks.md); under load both stretch alike, so the ratio scales that share, not this run's µs.
console.log(`against a whole node:http request (the core is 2.78 of its 16.3 µs CPU, quiet): +${((median(ratios) - 1) * (2.78 / 16.3) * 100).toFixed(1)} %; this run's +µs over 16.3 µs: +${((added / 16_300) * 100).toFixed(1)} %`);
console.log(`writer thread (redaction + NDJSON write), off the request path: ${(median(writer) / 1000).toFixed(2)} µs CPU per delivery`);

// 2. replay 10 000 captured deliveries
const files = await capture.close();
if (!REPLAY) {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}
const entries = files.flatMap((file) => parseCapture(readFileSync(file, "utf8"))).slice(0, 10_000);
const server = createServer(off.node);
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
for (const challenge of ["first", "every"] as const) {
  const started = performance.now();
  const report = await replayCapture(url, entries, { ...BENCH_CREDENTIALS, challenge });
  const seconds = (performance.now() - started) / 1000;
  const different = report.results.filter((r) => r.differences.length > 0).length;
  console.log(`replay ${entries.length} deliveries over HTTP, ${challenge === "first" ? "the first through the auth challenge (default)" : "each through the auth challenge (twice the requests)"}: ${seconds.toFixed(1)} s (${different} different)`);
}
server.closeAllConnections();
server.close();
rmSync(dir, { recursive: true, force: true });
