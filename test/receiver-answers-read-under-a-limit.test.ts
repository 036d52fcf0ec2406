/**
 * Answers written by someone else are read under a byte limit: the simulator (`simulateCall`),
 * `deliverEvent` and `bw-codegen simulate event` stop reading a receiver's answer that never ends (or is
 * just too long) at the limit and say so ("the receiver's answer exceeded N bytes"), instead of buffering
 * it until the memory or the timeout runs out. The receiver here is a real node:http server on 127.0.0.1
 * that drips an endless BXML answer (16 KiB every 5 ms) until the client goes away.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AnswerTooLargeError, deliverEvent, simulateCall } from "../generated/testing.js";
import { runCliAsync } from "./support/cli.js";

const CHUNK = Buffer.from(`<!--${"x".repeat(16 * 1024 - 7)}-->`);

/** Answers every request 200 with an XML body that never ends; counts the requests. */
async function startEndless(): Promise<{ url: string; requests: number; close(): Promise<void> }> {
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    req.resume();
    res.writeHead(200, { "content-type": "application/xml" });
    res.write("<Response>");
    const timer = setInterval(() => res.write(CHUNK), 5);
    res.on("close", () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks/voice`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const cli = (args: string[]) => runCliAsync(args, { env: { NO_COLOR: "1" } });

describe("a receiver's answer is read under a limit", () => {
  let endless: Awaited<ReturnType<typeof startEndless>>;
  before(async () => {
    endless = await startEndless();
  });
  after(() => endless.close());

  it("simulateCall: an endless answer to initiate is a failed callback that says the limit was passed", async () => {
    const trace = await simulateCall(endless.url, { maxAnswerBytes: 65_536, callbackTimeout: 5 });
    assert.equal(trace.ok, false);
    const request = trace.entries.find((e) => e.kind === "request");
    assert.ok(request !== undefined && request.kind === "request");
    assert.equal(request.delivered, false);
    assert.equal(request.status, 200);
    assert.equal(request.error, "the receiver's answer exceeded 65536 bytes (the rest was not read)");
    const problem = trace.entries.find((e) => e.kind === "problem");
    assert.ok(problem !== undefined && problem.kind === "problem");
    assert.equal(problem.code, "callback-failed");
    assert.match(problem.message, /the receiver's answer exceeded 65536 bytes/);
  });

  it("deliverEvent: rejects with AnswerTooLargeError naming the limit and the status", async () => {
    await assert.rejects(
      deliverEvent({ url: endless.url, body: { eventType: "initiate", callId: "c-1" }, maxAnswerBytes: 65_536, timeoutMs: 5_000 }),
      (error: unknown) => {
        assert.ok(error instanceof AnswerTooLargeError, String(error));
        assert.equal(error.message, "the receiver's answer exceeded 65536 bytes (the rest was not read)");
        assert.equal(error.limit, 65_536);
        assert.equal(error.status, 200);
        return true;
      },
    );
  });

  it("deliverEvent: the default limit is 1 MiB", async () => {
    await assert.rejects(deliverEvent({ url: endless.url, body: { eventType: "initiate", callId: "c-1" }, timeoutMs: 5_000 }), /exceeded 1048576 bytes/);
  });

  it("deliverEvent: an answer within the limit is read whole, a stream of odd chunk types included", async () => {
    const chunks: unknown[] = ["<Response>", new TextEncoder().encode("<Hangup/>"), new DataView(new TextEncoder().encode("</Response>").buffer)];
    const fetchStub = async () =>
      new Response(new ReadableStream({ pull(controller) { chunks.length > 0 ? controller.enqueue(chunks.shift()) : controller.close(); } }), {
        status: 200,
        headers: { "content-type": "application/xml" },
      });
    const result = await deliverEvent({ url: "http://127.0.0.1:9/", body: { eventType: "initiate" }, fetch: fetchStub, maxAnswerBytes: 64 });
    assert.equal(result.body, "<Response><Hangup/></Response>");
    assert.deepEqual(result.verbs, ["Hangup"]);
  });

  it("bw-codegen simulate event: exits 1 and reports the limit", async () => {
    const run = await cli(["simulate", "event", "answer", "--url", endless.url]);
    assert.equal(run.status, 1, run.stderr + run.stdout);
    assert.match(run.stdout, /the receiver's answer exceeded 1048576 bytes/);
  });
});
