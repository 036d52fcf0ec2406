/**
 * The receiver bench/capture.ts measures, in its own process (started by it with an IPC channel): one
 * node:http server on 127.0.0.1 answering `POST /callbacks/voice` through one of two receivers built alike
 * (`createBandwidthWebhooks(...).node`, the HTTP group's answer callback rendering its BXML with the
 * builder, production settings), one of them with a real `createCapture` writing into the folder named by
 * the first argument. The load never stops while it is measured (the same connections throughout): the
 * parent ends a lap and names the receiver of the next with one message, and the listener only forwards
 * to the receiver of the moment. Per lap it reports the CPU time of this process's main thread
 * (`process.threadCpuUsage()`, Node >= 23.9: the receiver's thread), read at the switch with the count of
 * requests, and of the whole process (`process.cpuUsage()`: the writer thread, GC helpers and libuv threads
 * included), read after the capture is flushed (the writer thread has finished the lap's deliveries) with
 * its own count.
 *
 * Messages in: `{ type: "begin", on }`, `{ type: "lap", on }` (the next lap's receiver), `{ type: "close" }`.
 * Out: `{ type: "listening", port, threadClock, node }`, `{ type: "begun" }`, `{ type: "lap", on, requests,
 * threadUs, processRequests, processUs, stats }`, `{ type: "closed", files, stats }`.
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createCapture } from "../generated/capture.js";
import { createBandwidthWebhooks } from "../generated/webhooks.js";
import { answerBxml, BENCH_AUTHORIZATION, BENCH_CREDENTIALS, BENCH_PATH } from "./http-shared.js";
import { ANSWER_TEXT } from "./validators.js";

type Message = { type: "begin"; on: boolean } | { type: "lap"; on: boolean } | { type: "core"; rounds: number; perRound: number } | { type: "close" };

const dir = process.argv[2];
if (dir === undefined || process.send === undefined) throw new Error("usage: started by bench/capture.ts with an IPC channel and a capture folder");
const send = process.send.bind(process);

const silent = { info() {}, warn() {}, error() {}, debug() {} };
// the writer may fall behind on a loaded machine: a backlog is dropped from the capture (counted and reported)
// argv[3] "normal": the writer thread at the process's priority (lowPriority: false); default its own, the lowest
const capture = createCapture({ dir, logger: silent, lowPriority: process.argv[3] !== "normal" });
const build = (withCapture: boolean) =>
  createBandwidthWebhooks({ credentials: [BENCH_CREDENTIALS], logger: silent, voice: { answer: answerBxml }, validateBxml: false, ...(withCapture ? { capture } : {}) });
const receivers = { off: build(false), on: build(true) };
const off = receivers.off.node;
const on = receivers.on.node;

// Node >= 23.9 (the types of Node 20 do not know it)
const threadCpuUsage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
const threadClock = typeof threadCpuUsage === "function";
const threadCpu = (): number => {
  if (!threadClock) return Number.NaN;
  const used = threadCpuUsage.call(process);
  return used.user + used.system;
};
const processCpu = (): number => {
  const used = process.cpuUsage();
  return used.user + used.system;
};

let receiver = off;
let requests = 0;
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  requests++;
  receiver(req, res);
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

/**
 * The same two receivers' cores without the network: `check` then `handle` with the body as bytes (what
 * the node adapter does), rounds of `perRound` requests alternating off/on (order flipped every pair), the
 * main thread's CPU per request; the capture is flushed between rounds. Resolution for the HTTP laps'
 * ratio: the difference here is what capture adds to the receiver's thread, without the network's noise.
 */
async function coreRounds(rounds: number, perRound: number): Promise<{ off: number[]; on: number[] }> {
  const body = Buffer.from(ANSWER_TEXT);
  const headers: Record<string, string> = { authorization: BENCH_AUTHORIZATION, "content-type": "application/json", "content-length": String(body.length), "user-agent": "BandwidthAPI/v2" };
  const raw = { headers };
  const readHeader = (request: unknown, name: string): string | undefined => (request as typeof raw).headers[name];
  const round = (core: typeof receivers.off.core): number => {
    const started = threadCpu();
    for (let i = 0; i < perRound; i++) {
      const route = core.match(BENCH_PATH)!;
      const request = { method: "POST", url: BENCH_PATH, authorization: headers.authorization, contentType: headers["content-type"], contentLength: headers["content-length"], contentEncoding: undefined, body: undefined as unknown as Uint8Array, raw, readHeader };
      if (core.check(route, request) !== undefined) throw new Error("refused");
      request.body = body;
      const answer = core.handle(route, request) as { status: number; body: string };
      if (answer.status !== 200) throw new Error(`answered ${answer.status}`);
      Buffer.byteLength(answer.body); // as the node adapter does (content-length), which flattens the rendered BXML in both
    }
    return (threadCpu() - started) / perRound;
  };
  const out = { off: [] as number[], on: [] as number[] };
  for (let r = -3; r < rounds; r++) {
    const order = r % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const);
    for (const which of order) {
      const used = round(receivers[which].core);
      if (r >= 0) out[which].push(used);
    }
    await capture.flush();
  }
  return out;
}

let current = false;
let mark = { requests: 0, thread: 0, process: 0, processRequests: 0 };
process.on("message", async (message: Message) => {
  if (message.type === "begin") {
    receiver = message.on ? on : off;
    current = message.on;
    await capture.flush();
    mark = { requests, thread: threadCpu(), process: processCpu(), processRequests: requests };
    send({ type: "begun" });
  } else if (message.type === "lap") {
    // the receiver's thread: its clock and the count at the switch itself
    const thread = threadCpu();
    const count = requests;
    const was = current;
    receiver = message.on ? on : off;
    current = message.on;
    // the whole process: after the writer thread has finished the lap's deliveries (requests answered
    // meanwhile, a few ms of the next lap's, are counted with this lap, so the window stays consistent)
    await capture.flush();
    const all = processCpu();
    const processRequests = requests;
    send({
      type: "lap",
      on: was,
      requests: count - mark.requests,
      threadUs: thread - mark.thread,
      processRequests: processRequests - mark.processRequests,
      processUs: all - mark.process,
      stats: capture.stats,
    });
    mark = { requests: count, thread, process: all, processRequests };
  } else if (message.type === "core") {
    send({ type: "core", ...(await coreRounds(message.rounds, message.perRound)) });
  } else {
    server.closeAllConnections();
    server.close();
    const files = await capture.close();
    send({ type: "closed", files, stats: capture.stats }, () => process.exit(0));
  }
});
process.on("disconnect", () => process.exit(0)); // never outlive the bench
send({ type: "listening", port: (server.address() as AddressInfo).port, threadClock, node: process.version });
