/**
 * The Fetch adapter bounds what it reads whatever the body stream yields: chunks that are strings (a
 * hand-made `ReadableStream`), `Uint8Array`s or other `ArrayBuffer` views are counted in bytes, so the
 * size limit holds (413) and the handler's promise never rejects; a chunk that is not bytes at all is
 * 400 `body_read_failed`. A body that stops arriving is cancelled at `bodyTimeoutMs` and answered
 * 408 `body_timeout`, over real HTTP (@hono/node-server on 127.0.0.1, a raw socket that sends half a body).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { createWebhookCore } from "../templates/runtime/http/core.js";
import { createFetchHandler } from "../templates/runtime/http/adapters/fetch.js";
import { GOOD_AUTH, answerEvent, newLog, testOptions } from "./adapter-harness.js";

const URL_ = "http://receiver.test/callbacks/voice";
const HEADERS = { authorization: GOOD_AUTH, "content-type": "application/json" };

/** A POST whose body stream yields these chunks, in order. */
function streamed(chunks: unknown[]): Request {
  const queue = [...chunks];
  const body = new ReadableStream({
    pull(controller) {
      if (queue.length === 0) controller.close();
      else controller.enqueue(queue.shift());
    },
  });
  return new Request(URL_, { method: "POST", headers: HEADERS, body, duplex: "half" } as RequestInit);
}

describe("Fetch adapter: any chunk type counts against the limit (bodyLimit 1024 here)", () => {
  const handler = createFetchHandler(createWebhookCore(testOptions(newLog())));
  const big = "x".repeat(600);

  it("string chunks over the limit: 413, the promise resolves", async () => {
    const response = await handler(streamed([`{"pad":"${big}`, `${big}"}`]));
    assert.equal(response.status, 413);
  });

  it("string chunks within the limit: counted and decoded like bytes", async () => {
    const event = answerEvent();
    const response = await handler(streamed([event.slice(0, 10), event.slice(10)]));
    assert.equal(response.status, 200);
  });

  it("ArrayBuffer views (DataView, Uint16Array) and ArrayBuffers over the limit: 413", async () => {
    const bytes = new TextEncoder().encode(`{"pad":"${big}${big}"}`);
    const half = bytes.byteLength / 2;
    const copy = (from: number, to: number) => bytes.slice(from, to).buffer;
    assert.equal((await handler(streamed([new DataView(copy(0, half)), new DataView(copy(half, bytes.byteLength))]))).status, 413);
    assert.equal((await handler(streamed([copy(0, half), copy(half, bytes.byteLength)]))).status, 413);
    const even = bytes.slice(0, bytes.byteLength - (bytes.byteLength % 2));
    assert.equal((await handler(streamed([new Uint16Array(even.buffer)]))).status, 413);
  });

  it("a DataView body within the limit reaches the handler", async () => {
    const bytes = new TextEncoder().encode(answerEvent());
    const response = await handler(streamed([new DataView(bytes.buffer, 0, 5), new DataView(bytes.buffer, 5)]));
    assert.equal(response.status, 200);
  });

  it("a chunk that is not bytes (a number): 400 body_read_failed, not a rejection", async () => {
    const response = await handler(streamed(["{", 42]));
    assert.equal(response.status, 400);
    assert.equal((await response.json()).error, "body_read_failed");
  });
});

describe("Fetch adapter: a body that never ends", () => {
  it("is answered 408 body_timeout at bodyTimeoutMs (real HTTP, half a body sent)", { timeout: 20_000 }, async () => {
    const handler = createFetchHandler(createWebhookCore(testOptions(newLog(), { bodyLimit: 1 << 20 })), { bodyTimeoutMs: 300 });
    const server = createAdaptorServer({ fetch: handler }) as Server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
    try {
      const answer = await new Promise<string>((resolve, reject) => {
        let text = "";
        socket.on("data", (chunk: Buffer) => {
          text += chunk.toString("latin1");
          if (text.includes("\r\n\r\n") && text.includes("}")) resolve(text);
        });
        socket.on("error", reject);
        socket.on("close", () => resolve(text));
        socket.write(
          `POST /callbacks/voice HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${GOOD_AUTH}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"eventType":"answer",`,
        );
      });
      assert.match(answer, /^HTTP\/1\.1 408 /);
      assert.match(answer, /"error":"body_timeout"/);
    } finally {
      socket.destroy();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    }
  });

  it("refuses a bodyTimeoutMs that is not a positive number", () => {
    const core = createWebhookCore(testOptions(newLog()));
    assert.throws(() => createFetchHandler(core, { bodyTimeoutMs: 0 }), /bodyTimeoutMs must be a positive number/);
  });
});
