/**
 * What socket capture (`createStreamServer({ capture })`) costs the socket's thread per `media` frame:
 * frames fed straight to one connection (no transport), capture off vs on (a real `createCapture` writing
 * redacted NDJSON to a temporary folder; payloads dropped by default, `keep` as the third argument keeps
 * them), and a sink that does nothing (what the socket server itself spends making each record: the clock
 * read, the record object), rounds alternating off, sink, on, off, sink, on… so load from other processes
 * falls on all alike. Each round is timed by wall clock; where the runtime has `process.threadCpuUsage()`
 * (Node ≥ 23.9), by this thread's own CPU time, which the writer thread (busy redacting and writing on
 * another core, or competing for this one) does not count in; and by the whole process's CPU from the
 * round's start to the end of the capture's flush (the writer thread's redaction and writing included: what
 * capture costs the machine). Prints the medians (ns per frame), the medians of per-round differences from
 * off, and the ratio on / off.
 *
 *   node --import tsx bench/socket-capture.ts [rounds=20] [frames=50000] [drop|keep]
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCapture } from "../generated/capture.js";
import { type AcceptedUpgrade, type SocketCaptureSink, createStreamServer } from "../generated/sockets.js";

const rounds = Number(process.argv[2] ?? 20);
const perRound = Number(process.argv[3] ?? 50_000);
const keepMedia = process.argv[4] === "keep";
const payload = Buffer.alloc(160, 0x7f).toString("base64");
const frames = Array.from({ length: 1000 }, (_, i) => `{"eventType":"media","track":"inbound","sequenceNumber":"${i}","payload":"${payload}"}`);
const start = JSON.stringify({ eventType: "start", metadata: { accountId: "5590123", callId: "c-1a2b3c4d", streamId: "s-1a2b3c4d", streamName: "bot", tracks: ["inbound"] } });
const quiet = { warn() {}, error() {} };
const threadCpu = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
const cpuNs = (): number => {
  const usage = threadCpu!.call(process);
  return (usage.user + usage.system) * 1000;
};

interface Timing {
  wall: number;
  cpu: number;
  process: number;
}

const processNs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) * 1000;
};

async function round(capture: SocketCaptureSink | undefined, flush?: () => Promise<unknown>): Promise<Timing> {
  const server = createStreamServer({ capture, logger: quiet, stream: { allowUnauthenticated: true, onMedia: () => undefined } });
  const decision = (await server.authorizeUpgrade({ url: "/sockets/stream", headers: {} })) as AcceptedUpgrade;
  const connection = server.accept({ send() {}, close() {} }, decision);
  connection.message(start);
  const p = processNs();
  const c = threadCpu === undefined ? 0 : cpuNs();
  const t = process.hrtime.bigint();
  for (let i = 0; i < perRound; i++) connection.message(frames[i % 1000]);
  const wall = Number(process.hrtime.bigint() - t) / perRound;
  const cpu = threadCpu === undefined ? Number.NaN : (cpuNs() - c) / perRound;
  connection.closed(1000, "");
  await flush?.();
  return { wall, cpu, process: (processNs() - p) / perRound };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const dir = mkdtempSync(join(tmpdir(), "bw-socket-capture-bench-"));
// a frame's record takes ~100 bytes (payload dropped) or ~330 (kept): the buffer holds a round
const capture = createCapture({ dir, maxPending: Number.MAX_SAFE_INTEGER, keepMedia, socketBufferBytes: perRound * 512, maxBytes: 4 * 1024 * 1024 * 1024, logger: quiet });
try {
  const off: Timing[] = [];
  const sink: Timing[] = [];
  const on: Timing[] = [];
  const nothing: SocketCaptureSink = { recordSocket() {} };
  await round(undefined); // warm-up
  await round(nothing);
  await round(capture);
  await capture.flush();
  for (let r = 0; r < rounds; r++) {
    off.push(await round(undefined));
    sink.push(await round(nothing));
    on.push(await round(capture, () => capture.flush()));
  }
  console.log(`socket capture (payloads ${keepMedia ? "kept" : "dropped"}), ${rounds} rounds × ${perRound} media frames (ns per frame on the socket's thread)`);
  for (const clock of threadCpu === undefined ? (["wall", "process"] as const) : (["wall", "cpu", "process"] as const)) {
    const a = off.map((t) => t[clock]);
    const n = sink.map((t) => t[clock]);
    const b = on.map((t) => t[clock]);
    const added = (values: number[]): string => median(values.map((value, i) => value - a[i])).toFixed(0);
    const ratio = median(b.map((value, i) => value / a[i]));
    console.log(
      `  ${clock === "wall" ? "wall clock " : clock === "cpu" ? "thread CPU " : "process CPU"} off ${median(a).toFixed(0)}  on ${median(b).toFixed(0)}  added: by capture ${added(b)}, of which a do-nothing sink ${added(n)}  on/off ${ratio.toFixed(2)}`,
    );
  }
  console.log(`  socket records written: ${capture.socketStats.recorded}, dropped ${capture.socketStats.dropped}`);
} finally {
  await capture.close();
  rmSync(dir, { recursive: true, force: true });
}
