/**
 * The receiver bench/capture.ts measures, in its own process (started by it with an IPC channel): one
 * node:http server on 127.0.0.1 answering `POST /callbacks/voice` through one of two receivers built alike
 * (`createBandwidthWebhooks(...).node`, the HTTP group's answer callback rendering its BXML with the
 * builder, production settings), one of them with a real `createCapture` writing into the folder named by
 * the first argument. The parent says which receiver answers the next round; the server's listener only
 * forwards to it. Per round it reports, per request, the CPU time of this process's main thread
 * (`process.threadCpuUsage()`, Node ≥ 23.9: the receiver's thread) and of the whole process
 * (`process.cpuUsage()`: the writer thread, GC helpers and libuv threads included). At a round's end the
 * main thread's clock is read first, then the capture is flushed (the writer thread finishes the round's
 * deliveries) and only then the process clock is read, so the writer's work lands in its own round.
 *
 * Messages in: `{ type: "begin", on }`, `{ type: "end" }`, `{ type: "close" }`. Out: `{ type: "listening",
 * port, threadClock }`, `{ type: "begun" }`, `{ type: "round", requests, threadUs, processUs, stats }`,
 * `{ type: "closed", files, stats }`.
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createCapture } from "../generated/capture.js";
import { createBandwidthWebhooks } from "../generated/webhooks.js";
import { answerBxml, BENCH_CREDENTIALS } from "./http-shared.js";

type Message = { type: "begin"; on: boolean } | { type: "end" } | { type: "close" };

const dir = process.argv[2];
if (dir === undefined || process.send === undefined) throw new Error("usage: started by bench/capture.ts with an IPC channel and a capture folder");
const send = process.send.bind(process);

const silent = { info() {}, warn() {}, error() {}, debug() {} };
// the writer may fall behind on a loaded machine: a backlog is dropped from the capture (counted and reported)
const capture = createCapture({ dir, logger: silent });
const build = (withCapture: boolean) =>
  createBandwidthWebhooks({ credentials: [BENCH_CREDENTIALS], logger: silent, voice: { answer: answerBxml }, validateBxml: false, ...(withCapture ? { capture } : {}) });
const off = build(false).node;
const on = build(true).node;

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

let started = { requests: 0, thread: 0, process: 0 };
process.on("message", async (message: Message) => {
  if (message.type === "begin") {
    receiver = message.on ? on : off;
    started = { requests, thread: threadCpu(), process: processCpu() };
    send({ type: "begun" });
  } else if (message.type === "end") {
    const thread = threadCpu();
    const count = requests - started.requests;
    await capture.flush(); // the writer thread finishes this round's deliveries (nothing to do after an "off" round)
    const all = processCpu();
    send({ type: "round", requests: count, threadUs: thread - started.thread, processUs: all - started.process, stats: capture.stats });
  } else {
    server.closeAllConnections();
    server.close();
    const files = await capture.close();
    send({ type: "closed", files, stats: capture.stats }, () => process.exit(0));
  }
});
process.on("disconnect", () => process.exit(0)); // never outlive the bench
send({ type: "listening", port: (server.address() as AddressInfo).port, threadClock, node: process.version });
