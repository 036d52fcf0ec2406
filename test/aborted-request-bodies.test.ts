/**
 * A request body that cannot be read to its end (the client aborts mid-upload, a stream errors) never
 * makes an adapter reject or crash: the Fetch handler answers 400 `body_read_failed` (checked by wrapping
 * it under @hono/node-server over real HTTP, and with a Request whose stream errors); on every adapter
 * the server keeps serving the next request and no handler runs.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Server } from "node:http";
import { connect } from "node:net";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { createWebhookHandlers } from "../templates/runtime/webhooks.js";
import { ADAPTERS, ANSWER_BXML, GOOD_AUTH, answerEvent, newLog, send, startServer, testOptions } from "./adapter-harness.js";
import { settles } from "./support/until.js";

const JSON_CT = { "content-type": "application/json" };

/**
 * Sends headers announcing 1000 bytes (with `Expect: 100-continue`), waits for the server's
 * `100 Continue` (so it has the request, whatever the machine's load), sends 20 bytes, then resets the
 * connection.
 */
function abortMidBody(port: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => {
      socket.write(
        `POST /callbacks/voice HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: ${GOOD_AUTH}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\nexpect: 100-continue\r\n\r\n`,
      );
    });
    let seen = "";
    socket.on("data", (chunk: Buffer) => {
      if (seen.includes("100 Continue")) return;
      seen += chunk.toString("latin1");
      if (!seen.includes("100 Continue")) return;
      socket.write('{"eventType":"answer"');
      setTimeout(() => {
        socket.resetAndDestroy();
        resolve();
      }, 100);
    });
    socket.on("close", () => resolve());
    socket.on("error", () => {});
  });
}

describe("a request body that errors mid-stream", () => {
  it("fetch: the handler resolves with 400 body_read_failed (client reset under @hono/node-server)", async () => {
    const log = newLog();
    const webhooks = createWebhookHandlers(testOptions(log));
    const outcomes: (number | string)[] = [];
    let settled: () => void = () => {};
    const done = new Promise<void>((resolve) => (settled = resolve));
    const server = createAdaptorServer({
      fetch: async (request: Request) => {
        try {
          const response = await webhooks.fetch(request);
          outcomes.push(response.status);
          return response;
        } catch (error) {
          outcomes.push(`rejected: ${String(error)}`);
          throw error;
        } finally {
          settled();
        }
      },
    }) as Server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      await abortMidBody(port);
      await settles(done, "the fetch handler after a client reset");
      assert.deepEqual(outcomes, [400]);
      assert.equal(log.handled.length, 0);
      const next = await send(port, { headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: answerEvent() });
      assert.deepEqual([next.status, next.body], [200, ANSWER_BXML]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("fetch: a Request whose body stream errors gets a 400 Response, not a rejection", async () => {
    const webhooks = createWebhookHandlers(testOptions(newLog()));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"eventType":'));
        controller.error(new Error("connection reset"));
      },
    });
    const request = new Request("http://127.0.0.1/callbacks/voice", {
      method: "POST",
      headers: { authorization: GOOD_AUTH, ...JSON_CT },
      body,
      duplex: "half",
    } as RequestInit);
    const response = await webhooks.fetch(request);
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: "body_read_failed", message: "the request body could not be read to its end" });
  });

  for (const adapter of ADAPTERS) {
    it(`${adapter}: a client reset mid-body runs no handler and the server serves the next request`, async () => {
      const log = newLog();
      const server = await startServer(adapter, testOptions(log));
      try {
        await abortMidBody(server.port);
        await new Promise((resolve) => setTimeout(resolve, 100));
        const next = await send(server.port, { headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: answerEvent() });
        assert.deepEqual([next.status, next.body], [200, ANSWER_BXML]);
        assert.equal(log.handled.length, 1);
        assert.deepEqual(log.errors, []);
      } finally {
        await server.close();
      }
    });
  }
});

