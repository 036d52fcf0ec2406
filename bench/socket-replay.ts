/**
 * How long replaying captured sockets takes (`replayCapture` / `bw-codegen replay`): N captured media
 * streams of F frames each (start, F `media` frames with their payloads dropped as a capture stores them,
 * stop; the bot answered start with a playAudio and the first frame with a clear), replayed one after the
 * other against the same bot, in process (`sockets.target`: the `createStreamServer`, no network) and over
 * `ws` to `attachStreamServer` on 127.0.0.1. Prints the wall time of each and per socket; every replay must
 * come out clean (it throws otherwise).
 *
 *   node --import tsx bench/socket-replay.ts [sockets=100] [frames=250]
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { SocketCaptureEntry } from "../generated/capture.js";
import { createStreamServer } from "../generated/sockets.js";
import { attachStreamServer } from "../generated/sockets-node.js";
import { replayCapture } from "../generated/testing.js";

const count = Number(process.argv[2] ?? 100);
const frames = Number(process.argv[3] ?? 250);
const user = { username: "bw-stream", password: "bench-s3cret-pw" };
const quiet = { warn() {}, error() {} };
const silence = new Uint8Array(160).fill(0xff);

const metadata = { accountId: "5590123", callId: "c-1a2b3c4d-5e6f", streamId: "s-1a2b3c4d", streamName: "bot", tracks: [{ name: "inbound", mediaFormat: { encoding: "audio/PCMU", sampleRate: 8000 } }] };
const records: SocketCaptureEntry[] = [];
for (let connection = 1; connection <= count; connection++) {
  const head = { v: 1 as const, socket: "stream" as const, connection, at: new Date().toISOString() };
  records.push({ ...head, type: "open", url: "/sockets/stream", headers: {} });
  records.push({ ...head, type: "in", event: "start", message: JSON.stringify({ eventType: "start", metadata }) });
  records.push({ ...head, type: "out", event: "playAudio", message: JSON.stringify({ eventType: "playAudio", media: { contentType: "audio/pcmu", payload: "" } }), payloadLength: 216 });
  for (let i = 1; i <= frames; i++) {
    records.push({ ...head, type: "in", event: "media", message: JSON.stringify({ eventType: "media", track: "inbound", sequenceNumber: String(i), payload: "" }), payloadLength: 216 });
    if (i === 1) records.push({ ...head, type: "out", event: "clear", message: JSON.stringify({ eventType: "clear" }) });
  }
  records.push({ ...head, type: "in", event: "stop", message: JSON.stringify({ eventType: "stop", metadata }) });
  records.push({ ...head, type: "close", code: 1000, reason: "" });
}

const bot = createStreamServer<{ frames: number }>({
  logger: quiet,
  stream: {
    credentials: [user],
    createState: () => ({ frames: 0 }),
    onStart: (_start, stream) => void stream.playAudio(silence),
    onMedia: (_frame, stream) => {
      if (++stream.state.frames === 1) stream.clear();
    },
  },
});
const http = createServer((_req, res) => res.end());
const attached = attachStreamServer(http, bot);
await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

async function timed(name: string, run: () => ReturnType<typeof replayCapture>): Promise<void> {
  const started = performance.now();
  const report = await run();
  const ms = performance.now() - started;
  const different = report.sockets.filter((s) => s.differences.length > 0);
  if (report.sockets.length !== count || different.length > 0) throw new Error(`${name}: ${different.length} different: ${JSON.stringify(different[0]?.differences)}`);
  console.log(`${name}: ${count} sockets × ${frames + 2} messages in ${(ms / 1000).toFixed(2)} s (${(ms / count).toFixed(1)} ms per socket, ${((ms * 1000) / (count * (frames + 2))).toFixed(1)} µs per message)`);
}

try {
  await timed("in process", () => replayCapture(() => new Response(null, { status: 204 }), records, { sockets: { ...user, target: bot } }));
  await timed("over ws on 127.0.0.1", () => replayCapture(url, records, { sockets: user }));
} finally {
  await attached.close();
  http.closeAllConnections();
  http.close();
}
