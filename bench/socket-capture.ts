/**
 * What socket capture (`createStreamServer({ capture })`) costs the socket's thread per `media` frame:
 * frames fed straight to one connection (no transport), capture off vs on (a real `createCapture` writing
 * redacted NDJSON to a temporary folder, payloads dropped by default), rounds alternating off, on, off, on…
 * so load from other processes falls on both alike; the capture is flushed between rounds, untimed. Prints
 * the medians (ns per frame) and the median of per-pair differences.
 *
 *   node --import tsx bench/socket-capture.ts [rounds=20] [frames=50000]
 */

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCapture } from "../generated/capture.js";
import { type AcceptedUpgrade, type SocketCaptureSink, createStreamServer } from "../generated/sockets.js";

const rounds = Number(process.argv[2] ?? 20);
const perRound = Number(process.argv[3] ?? 50_000);
const payload = Buffer.alloc(160, 0x7f).toString("base64");
const frames = Array.from({ length: 1000 }, (_, i) => `{"eventType":"media","track":"inbound","sequenceNumber":"${i}","payload":"${payload}"}`);
const start = JSON.stringify({ eventType: "start", metadata: { accountId: "5590123", callId: "c-1a2b3c4d", streamId: "s-1a2b3c4d", streamName: "bot", tracks: ["inbound"] } });
const quiet = { warn() {}, error() {} };

async function round(capture: SocketCaptureSink | undefined): Promise<number> {
  const server = createStreamServer({ capture, logger: quiet, stream: { allowUnauthenticated: true, onMedia: () => undefined } });
  const decision = (await server.authorizeUpgrade({ url: "/sockets/stream", headers: {} })) as AcceptedUpgrade;
  const connection = server.accept({ send() {}, close() {} }, decision);
  connection.message(start);
  const t = process.hrtime.bigint();
  for (let i = 0; i < perRound; i++) connection.message(frames[i % 1000]);
  const ns = Number(process.hrtime.bigint() - t) / perRound;
  connection.closed(1000, "");
  return ns;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const dir = mkdtempSync(join(tmpdir(), "bw-socket-capture-bench-"));
const capture = createCapture({ dir, maxPending: Number.MAX_SAFE_INTEGER, logger: quiet });
try {
  const off: number[] = [];
  const on: number[] = [];
  await round(undefined); // warm-up
  await round(capture);
  await capture.flush();
  for (let r = 0; r < rounds; r++) {
    off.push(await round(undefined));
    on.push(await round(capture));
    await capture.flush();
  }
  const diffs = on.map((value, i) => value - off[i]);
  console.log(`socket capture, ${rounds} rounds × ${perRound} media frames (ns per frame on the socket's thread)`);
  console.log(`  off ${median(off).toFixed(0)}  on ${median(on).toFixed(0)}  added (median of pairs) ${median(diffs).toFixed(0)}`);
  console.log(`  socket records written: ${capture.socketStats.recorded}, dropped ${capture.socketStats.dropped}`);
} finally {
  await capture.close();
  rmSync(dir, { recursive: true, force: true });
}
