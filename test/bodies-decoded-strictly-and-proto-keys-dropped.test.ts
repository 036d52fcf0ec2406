/**
 * Bodies are checked before they are decoded, on EVERY adapter over real HTTP: invalid UTF-8 is a 400
 * `invalid_utf8` (not replaced with U+FFFD and accepted), a charset parameter other than UTF-8 and an XML
 * declaration naming another encoding are 415, and the TFV signature is verified over the raw bytes
 * received (a signed body whose bytes are not UTF-8 verifies, then is refused as 400, rather than failing
 * the signature on re-encoded text). `__proto__` keys never reach a handler: dropped from JSON (spelled out
 * or escaped, at any depth), from a numbers XML `<__proto__>` element, and from a body Express's own JSON
 * parser already parsed.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { createBandwidthWebhooks } from "../generated/index.js";
import { tfvFamily } from "../generated/webhooks.js";
import { createSignedBodyCheck, signBody, SIGNATURE_HEADER } from "../templates/runtime/auth/hmac.js";
import { createWebhookHandlers } from "../templates/runtime/webhooks.js";
import { ADAPTERS, GOOD_AUTH, PASSWORD, USERNAME, newLog, send, startServer, testOptions } from "./adapter-harness.js";
import { startGenerated } from "./support/generated-servers.js";
import type { GeneratedWebhooks } from "./support/generated-servers.js";

const JSON_CT = { "content-type": "application/json" };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const bytes = (...parts: (string | number[])[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : Buffer.from(p))));

describe("invalid UTF-8 and foreign encodings", () => {
  for (const adapter of ADAPTERS) {
    it(`${adapter}: invalid UTF-8 → 400 invalid_utf8, no handler runs; a charset other than UTF-8 → 415`, async () => {
      const log = newLog();
      const server = await startServer(adapter, testOptions(log));
      try {
        for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80] /* a UTF-16 surrogate */, [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
          const res = await send(server.port, { headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: bytes('{"eventType":"answer","callId":"c-', bad, '"}') });
          assert.equal(res.status, 400, `bytes ${bad.join(",")}`);
          assert.deepEqual(JSON.parse(res.body), { error: "invalid_utf8", message: "request body is not valid UTF-8" });
        }
        assert.equal(log.handled.length, 0);
        const latin = await send(server.port, { headers: { authorization: GOOD_AUTH, "content-type": "application/json; charset=iso-8859-1" }, body: bytes('{"eventType":"answer","callId":"c-', [0xe9], '"}') });
        assert.equal(latin.status, 415);
        const ok = await send(server.port, { headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: bytes([0xef, 0xbb, 0xbf], '{"eventType":"answer","callId":"c-\u00e9\ud83d\ude00"}') });
        assert.equal(ok.status, 200, "valid UTF-8 (with a BOM) is accepted");
        assert.equal(log.handled[0].event.callId, "c-\u00e9\ud83d\ude00");
      } finally {
        await server.close();
      }
    });

    it(`${adapter}: numbers XML declaring ISO-8859-1 → 415 unsupported_charset; invalid UTF-8 XML → 400`, async () => {
      const seen: unknown[] = [];
      const webhooks = createBandwidthWebhooks({
        credentials: [{ username: USERNAME, password: PASSWORD }],
        logger: quiet,
        numbers: { orders: (event: unknown) => void seen.push(event) } as never,
      }) as unknown as GeneratedWebhooks;
      const server = await startGenerated(adapter, webhooks);
      const post = (body: Buffer) => send(server.port, { path: "/callbacks/numbers", headers: { authorization: GOOD_AUTH, "content-type": "application/xml" }, body });
      const order = (declaration: string, name: string | number[]) =>
        bytes(declaration, "<Notification><Status>COMPLETE</Status><SubscriptionId>s</SubscriptionId><OrderType>orders</OrderType><OrderId>", name, "</OrderId></Notification>");
      try {
        const foreign = await post(order('<?xml version="1.0" encoding="ISO-8859-1"?>', [0x43, 0x61, 0x66, 0xe9]));
        assert.equal(foreign.status, 415);
        assert.equal(JSON.parse(foreign.body).error, "unsupported_charset");
        const invalid = await post(order('<?xml version="1.0"?>', [0x43, 0xe9]));
        assert.deepEqual([invalid.status, JSON.parse(invalid.body).error], [400, "invalid_utf8"]);
        assert.equal(seen.length, 0);
        const ok = await post(order('<?xml version="1.0" encoding="UTF-8"?>', "Caf\u00e9"));
        assert.equal(ok.status, 200);
        assert.equal((seen[0] as { OrderId: string }).OrderId, "Caf\u00e9");
      } finally {
        await server.close();
      }
    });

    it(`${adapter}: the TFV signature covers the raw bytes (a signed non-UTF-8 body verifies, then is 400)`, async () => {
      const secret = "tfv-secret-raw-bytes-1";
      const server = await startServer(adapter, {
        credentials: [{ username: USERNAME, password: PASSWORD }],
        logger: quiet,
        routes: [{ path: "/callbacks/tfv", family: { ...tfvFamily, verifyBody: createSignedBodyCheck([secret]) }, handlers: {} }],
      });
      try {
        const body = bytes('{"accountId":"9901234","phoneNumber":"+18445550123","status":"VERIFIED","internalTicketNumber":"t-', [0xff, 0xfe], '"}');
        const res = await send(server.port, {
          path: "/callbacks/tfv",
          headers: { authorization: GOOD_AUTH, ...JSON_CT, [SIGNATURE_HEADER]: await signBody(new Uint8Array(body), secret) },
          body,
        });
        assert.equal(res.status, 400, `signature checked over the raw bytes, then the body refused: ${res.body}`);
        assert.equal(JSON.parse(res.body).error, "invalid_utf8");
      } finally {
        await server.close();
      }
    });
  }
});

describe("__proto__ keys never reach a handler", () => {
  const hostile = [
    '{"eventType":"answer","callId":"c-1","__proto__":{"polluted":"yes"},"to":"+1555"}',
    '{"eventType":"answer","callId":"c-1","\\u005f_proto__":{"polluted":"yes"},"nested":{"list":[{"__proto__":{"polluted":"deep"}}]}}',
  ];
  for (const adapter of ADAPTERS) {
    it(`${adapter}: JSON __proto__ keys (plain and escaped, at any depth) are dropped before dispatch`, async () => {
      const log = newLog();
      const server = await startServer(adapter, testOptions(log));
      try {
        for (const body of hostile) {
          const res = await send(server.port, { headers: { authorization: GOOD_AUTH, ...JSON_CT }, body });
          assert.equal(res.status, 200);
        }
        assert.equal(log.handled.length, 2);
        for (const { event } of log.handled) {
          assert.equal(Object.hasOwn(event, "__proto__"), false);
          assert.equal(Object.getPrototypeOf(event), Object.prototype);
          assert.equal(JSON.stringify(event).includes("polluted"), false, JSON.stringify(event));
          // what a handler might do with the event: merging it must not set a prototype
          assert.equal((Object.assign({}, event) as Record<string, unknown>).polluted, undefined);
        }
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      } finally {
        await server.close();
      }
    });

    it(`${adapter}: a numbers <__proto__> element is dropped`, async () => {
      const seen: Record<string, unknown>[] = [];
      const webhooks = createBandwidthWebhooks({
        credentials: [{ username: USERNAME, password: PASSWORD }],
        logger: quiet,
        numbers: { orders: (event: Record<string, unknown>) => void seen.push(event) } as never,
      }) as unknown as GeneratedWebhooks;
      const server = await startGenerated(adapter, webhooks);
      try {
        const res = await send(server.port, {
          path: "/callbacks/numbers",
          headers: { authorization: GOOD_AUTH, "content-type": "application/xml" },
          body: "<Notification><__proto__><polluted>yes</polluted></__proto__><Status>COMPLETE</Status><SubscriptionId>s</SubscriptionId><OrderType>orders</OrderType><OrderId>o</OrderId></Notification>",
        });
        assert.equal(res.status, 200);
        assert.equal(seen.length, 1);
        assert.equal(Object.hasOwn(seen[0], "__proto__"), false);
        assert.equal(seen[0].OrderId, "o");
      } finally {
        await server.close();
      }
    });
  }

  it("Express with express.json() before the middleware: the parsed body's __proto__ keys are dropped too", async () => {
    const log = newLog();
    const webhooks = createWebhookHandlers(testOptions(log));
    const app = express();
    app.use(express.json());
    app.use(webhooks.express);
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const res = await send((server.address() as AddressInfo).port, { headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: hostile[0] });
      assert.equal(res.status, 200);
      assert.equal(Object.hasOwn(log.handled[0].event, "__proto__"), false);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
