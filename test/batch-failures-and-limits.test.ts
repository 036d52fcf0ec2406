/**
 * Batches over real HTTP on every adapter (127.0.0.1), with the generated messaging and numbers
 * families: a handler that throws synchronously after an async one started never leaves an unhandled
 * rejection (every promise is observed, each failure reaches `onError`, the request is answered 500
 * once); a batch over `maxBatchEvents` and an XML document over `maxXmlElements` are refused 413
 * naming the limit, with one log line and no handler call; real-shaped batches of 1-50 events are
 * acknowledged as before, without a log line.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { messagingFamily, numbersFamily } from "../generated/webhooks.js";
import { createWebhookCore } from "../templates/runtime/http/core.js";
import type { WebhookCoreOptions } from "../templates/runtime/http/core.js";
import { ADAPTERS, GOOD_AUTH, PASSWORD, USERNAME, send, startServer } from "./adapter-harness.js";
import type { RunningServer } from "./adapter-harness.js";

function example(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(import.meta.dirname, "..", "schemas", "messaging", file), "utf8")).examples[0];
}
const received = example("message-received.schema.json");
const failed = example("message-failed.schema.json");
const delivered = example("message-delivered.schema.json");

interface Seen {
  handled: string[];
  errors: { kind: string; eventType: string | undefined; message: string }[];
  logs: string[];
  rejections: unknown[];
}

function options(seen: Seen, overrides: Partial<WebhookCoreOptions> = {}): WebhookCoreOptions {
  const messaging = {
    messageReceived: async (event: { message: { text: string } }) => {
      seen.handled.push("messageReceived");
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (event.message.text.includes("reject")) throw new Error("async handler rejected");
    },
    messageFailed: () => {
      seen.handled.push("messageFailed");
      throw new Error("sync handler threw");
    },
    messageDelivered: () => void seen.handled.push("messageDelivered"),
  };
  const line = (message: string): void => void seen.logs.push(message);
  return {
    routes: [
      { path: "/callbacks/messaging", family: messagingFamily, handlers: messaging },
      { path: "/callbacks/numbers", family: numbersFamily, handlers: { orders: () => void seen.handled.push("orders") } },
    ],
    credentials: [{ username: USERNAME, password: PASSWORD }],
    bodyLimit: 2 * 1024 * 1024,
    timeoutMs: 2000,
    onError: (error, info) => void seen.errors.push({ kind: info.kind, eventType: info.eventType, message: (error as Error).message }),
    logger: { debug: line, info: line, warn: line, error: line },
    ...overrides,
  };
}

const post = (port: number, path: string, body: string, contentType = "application/json") =>
  send(port, { path, headers: { authorization: GOOD_AUTH, "content-type": contentType }, body });
const rejectingReceived = { ...received, message: { ...(received.message as object), text: "please reject" } };

for (const adapter of ADAPTERS) {
  describe(`batches on the ${adapter} adapter`, () => {
    let server: RunningServer;
    const seen: Seen = { handled: [], errors: [], logs: [], rejections: [] };
    const onRejection = (reason: unknown): void => void seen.rejections.push(reason);
    before(async () => {
      process.on("unhandledRejection", onRejection);
      server = await startServer(adapter, options(seen));
    });
    after(async () => {
      await server.close();
      process.off("unhandledRejection", onRejection);
    });
    const reset = (): void => {
      seen.handled.length = 0;
      seen.errors.length = 0;
      seen.logs.length = 0;
      seen.rejections.length = 0;
    };

    it("an async handler rejecting after a sync throw: 500 once, both failures to onError, no unhandled rejection", async () => {
      reset();
      const response = await post(server.port, "/callbacks/messaging", JSON.stringify([rejectingReceived, failed]));
      assert.equal(response.status, 500, response.body);
      await new Promise((resolve) => setTimeout(resolve, 100)); // a late rejection would surface here
      assert.deepEqual(seen.rejections, []);
      assert.deepEqual(
        seen.errors.map((e) => [e.kind, e.eventType, e.message]).sort(),
        [
          ["handler", "message-failed", "sync handler threw"],
          ["handler", "message-received", "async handler rejected"],
        ],
      );
      assert.deepEqual(seen.handled.sort(), ["messageFailed", "messageReceived"]);
    });

    it("a sync throw first, then an async handler that succeeds: every handler runs, 500 after it settled", async () => {
      reset();
      const response = await post(server.port, "/callbacks/messaging", JSON.stringify([failed, received, delivered]));
      assert.equal(response.status, 500);
      assert.deepEqual(seen.handled.sort(), ["messageDelivered", "messageFailed", "messageReceived"]);
      assert.deepEqual(seen.errors.map((e) => e.eventType), ["message-failed"]);
      assert.deepEqual(seen.rejections, []);
    });

    it("20 000 malformed events in one request: 413 naming the limit, one log line, no handler", async () => {
      reset();
      const body = JSON.stringify(Array.from({ length: 20_000 }, () => ({ type: "message-delivered" })));
      const response = await post(server.port, "/callbacks/messaging", body);
      assert.equal(response.status, 413);
      const answer = JSON.parse(response.body);
      assert.equal(answer.error, "too_many_events");
      assert.equal(answer.limit, 100);
      assert.match(answer.message, /at most 100 events \(option maxBatchEvents\)/);
      assert.deepEqual(seen.handled, []);
      assert.equal(seen.logs.length, 1, seen.logs.join("\n"));
      assert.match(seen.logs[0], /413 too_many_events/);
    });

    for (const size of [1, 2, 10, 50]) {
      it(`a real-shaped batch of ${size} event(s): acknowledged 200, one handler call each, nothing logged`, async () => {
        reset();
        const response = await post(server.port, "/callbacks/messaging", JSON.stringify(Array.from({ length: size }, () => delivered)));
        assert.equal(response.status, 200);
        assert.equal(seen.handled.length, size);
        assert.deepEqual(seen.logs.filter((l) => !l.includes("development mode")), []);
      });
    }

    it("a batch of invalid events: one summary line for the request, no handler", async () => {
      reset();
      const body = JSON.stringify(Array.from({ length: 40 }, () => ({ type: "message-delivered" })));
      const response = await post(server.port, "/callbacks/messaging", body);
      assert.equal(response.status, 200); // acknowledged: Bandwidth would retry a payload that never gets better
      assert.deepEqual(seen.handled, []);
      const summaries = seen.logs.filter((l) => l.includes("first issues at"));
      assert.equal(summaries.length, 1, seen.logs.join("\n"));
      assert.match(summaries[0], /of 40 events, 40 invalid/);
      assert.match(summaries[0], /"\/0\/time", "\/0\/description", "\/0\/to"/);
    });

    it("numbers XML over maxXmlElements: 413 too_many_elements, no handler", async () => {
      reset();
      const xml = `<?xml version="1.0"?><Notification><SubscriptionId>s</SubscriptionId><OrderType>orders</OrderType><OrderId>o</OrderId><Status>COMPLETE</Status><CompletedTelephoneNumbers>${"<TelephoneNumber/>".repeat(12_000)}</CompletedTelephoneNumbers></Notification>`;
      const response = await post(server.port, "/callbacks/numbers", xml, "application/xml");
      assert.equal(response.status, 413, response.body);
      assert.equal(JSON.parse(response.body).error, "too_many_elements");
      assert.deepEqual(seen.handled, []);
      assert.equal(seen.logs.length, 1, seen.logs.join("\n"));
    });

    it("numbers XML of a real size is handled as before", async () => {
      reset();
      const numbers = Array.from({ length: 500 }, (_, i) => `<TelephoneNumber>91955${String(i).padStart(5, "0")}</TelephoneNumber>`).join("");
      const xml = `<?xml version="1.0"?><Notification><SubscriptionId>s</SubscriptionId><OrderType>orders</OrderType><OrderId>o</OrderId><Status>COMPLETE</Status><CompletedTelephoneNumbers>${numbers}</CompletedTelephoneNumbers></Notification>`;
      const response = await post(server.port, "/callbacks/numbers", xml, "application/xml");
      assert.equal(response.status, 200, response.body);
      assert.deepEqual(seen.handled, ["orders"]);
    });
  });
}

describe("batch limits are configurable", () => {
  let server: RunningServer;
  const seen: Seen = { handled: [], errors: [], logs: [], rejections: [] };
  before(async () => {
    server = await startServer("node", options(seen, { maxBatchEvents: 2, maxXmlElements: 5 }));
  });
  after(() => server.close());

  it("maxBatchEvents: 2 refuses 3 events and names 2", async () => {
    const response = await post(server.port, "/callbacks/messaging", JSON.stringify([delivered, delivered, delivered]));
    assert.equal(response.status, 413);
    assert.equal(JSON.parse(response.body).limit, 2);
    assert.equal((await post(server.port, "/callbacks/messaging", JSON.stringify([delivered, delivered]))).status, 200);
  });

  it("maxXmlElements: 5 refuses a notification of 6 elements", async () => {
    const xml = "<Notification><SubscriptionId>s</SubscriptionId><OrderType>orders</OrderType><OrderId>o</OrderId><Status>COMPLETE</Status><Message>m</Message><Note>n</Note></Notification>";
    const response = await post(server.port, "/callbacks/numbers", xml, "application/xml");
    assert.equal(response.status, 413);
    assert.match(JSON.parse(response.body).message, /at most 5 XML elements \(option maxXmlElements\)/);
  });

  it("refuses a limit that is not a positive integer at construction", () => {
    assert.throws(() => createWebhookCore(options(seen, { maxBatchEvents: 0 })), /maxBatchEvents must be a positive integer/);
    assert.throws(() => createWebhookCore(options(seen, { maxXmlElements: 1.5 })), /maxXmlElements must be a positive integer/);
  });
});
