/**
 * The load side of the socket load benchmark (bench/socket-load.ts forks it on the other core): opens N
 * media streams as Bandwidth does (Basic credentials on the handshake, `start`), then sends one 20 ms
 * μ-law `media` frame per stream every 20 ms (the streams' phases spread evenly over the 20 ms), and
 * times each frame to the `playAudio` echo that answers it (per stream, in order: a socket keeps order).
 * It also records its own lateness (actual send time minus the schedule), so an overloaded load process
 * shows up as such instead of as server latency. IPC commands: `open` {url, n}, `load` {warmMs,
 * measureMs} → stats, `close`.
 */

import WebSocket from "ws";

const FRAME_MS = 20;
/** 160 bytes of a 440 Hz tone in μ-law, base64 (fixed: the server echoes it back). */
const PAYLOAD = Buffer.from(Array.from({ length: 160 }, (_, i) => 0x80 | Math.round(40 + 30 * Math.sin((2 * Math.PI * 440 * i) / 8000)))).toString("base64");

/** Latency histogram in 0.1 ms buckets up to 2 s. */
class Histogram {
  readonly buckets = new Uint32Array(20_001);
  count = 0;
  max = 0;
  add(ms: number): void {
    this.buckets[Math.min(20_000, Math.max(0, Math.round(ms * 10)))]++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }
  quantile(q: number): number {
    const target = Math.ceil(this.count * q);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i];
      if (seen >= target && target > 0) return i / 10;
    }
    return Number.NaN;
  }
}

interface Conn {
  socket: WebSocket;
  /** Send times of the frames not yet echoed, oldest first. */
  pending: number[];
  sequence: number;
  /** The start message's metadata, JSON (the stop repeats it). */
  metadata: string;
}

let conns: Conn[] = [];
let latency = new Histogram();
let lateness = new Histogram();
let measuring = false;
/** performance.now() when the measured window began: echoes of frames sent before it are not counted. */
let measureStart = Number.POSITIVE_INFINITY;
let echoed = 0;
let sent = 0;
let unexpected = 0;
let closedEarly = 0;
let opening = 0;

function open(url: string, authorization: string): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: { authorization }, perMessageDeflate: false });
    const id = conns.length + opening++;
    const metadata = JSON.stringify({ accountId: "5590123", callId: `c-load-${id}`, streamId: `s-load-${id}`, streamName: "load", tracks: [{ name: "inbound", mediaFormat: { encoding: "PCMU", sampleRate: 8000 } }] });
    const conn: Conn = { socket, pending: [], sequence: 0, metadata };
    socket.on("message", (data, binary) => {
      const sentAt = conn.pending.shift();
      if (binary || sentAt === undefined || !(data as Buffer).includes('"playAudio"')) return void unexpected++;
      if (sentAt >= measureStart) {
        latency.add(performance.now() - sentAt);
        echoed++;
      }
    });
    socket.once("open", () => {
      socket.send(`{"eventType":"start","metadata":${metadata}}`);
      resolve(conn);
    });
    socket.once("unexpected-response", (_request, response) => reject(new Error(`handshake refused: ${response.statusCode}`)));
    socket.once("error", reject);
    socket.once("close", () => {
      if (conns.includes(conn)) closedEarly++;
    });
  });
}

async function openAll(url: string, n: number, authorization: string): Promise<void> {
  for (let at = conns.length; at < n; at += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - at) }, () => open(url, authorization)));
    opening = 0;
    conns.push(...batch);
  }
}

/** Sends every stream's frames on schedule for `ms`; the streams are spread over 20 one-millisecond slots. */
function run(ms: number): Promise<void> {
  return new Promise((resolve) => {
    const start = performance.now();
    let slot = -1;
    const timer = setInterval(() => {
      const now = performance.now();
      const due = Math.floor(now - start);
      for (let s = slot + 1; s <= due; s++) {
        for (let i = s % FRAME_MS; i < conns.length; i += FRAME_MS) {
          const conn = conns[i];
          if (conn.socket.readyState !== WebSocket.OPEN) continue;
          const at = performance.now();
          if (measuring) lateness.add(at - (start + s));
          conn.pending.push(at);
          conn.socket.send(`{"eventType":"media","track":"inbound","sequenceNumber":"${++conn.sequence}","payload":"${PAYLOAD}"}`);
          if (measuring) sent++;
        }
      }
      slot = due;
      if (now - start >= ms) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
}

process.on("message", async (message: { cmd: string; url?: string; n?: number; authorization?: string; warmMs?: number; measureMs?: number }) => {
  try {
    if (message.cmd === "open") {
      await openAll(message.url!, message.n!, message.authorization!);
      process.send!({ opened: conns.length });
    } else if (message.cmd === "load") {
      latency = new Histogram();
      lateness = new Histogram();
      echoed = sent = unexpected = closedEarly = 0;
      await run(message.warmMs!);
      measuring = true;
      const cpu = process.cpuUsage();
      const began = performance.now();
      measureStart = began;
      await run(message.measureMs!);
      measuring = false;
      const elapsed = performance.now() - began;
      const used = process.cpuUsage(cpu);
      await new Promise((resolve) => setTimeout(resolve, 200)); // echoes of the last frames
      measureStart = Number.POSITIVE_INFINITY;
      process.send!({
        sent,
        echoed,
        unexpected,
        closedEarly,
        seconds: elapsed / 1000,
        p50: latency.quantile(0.5),
        p99: latency.quantile(0.99),
        max: latency.max,
        latenessP99: lateness.quantile(0.99),
        clientCpu: (used.user + used.system) / 1000 / elapsed,
      });
    } else if (message.cmd === "close") {
      const closing = conns;
      conns = [];
      await Promise.all(
        closing.map(
          (conn) =>
            new Promise<void>((resolve) => {
              if (conn.socket.readyState === WebSocket.CLOSED) return resolve();
              conn.socket.once("close", () => resolve());
              conn.socket.send(`{"eventType":"stop","metadata":${conn.metadata}}`);
              conn.socket.close(1000);
              setTimeout(() => conn.socket.terminate(), 5000).unref();
            }),
        ),
      );
      process.send!({ closed: true });
    }
  } catch (error) {
    process.send!({ error: error instanceof Error ? error.message : String(error) });
  }
});
process.on("disconnect", () => process.exit(0));
