/**
 * A TFV body that starts with a byte-order mark, signed over its raw bytes (BOM included), is accepted
 * by every adapter, Express behind `express.text()` too: body-parser drops the BOM while decoding, and the
 * middleware puts it back when the declared length shows it was there, so the signature verifies over
 * the bytes received. A body signed without the BOM it carries, or a BOM added to a body signed
 * without it, is still refused (403 mismatch).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { tfvFamily } from "../generated/webhooks.js";
import { createWebhookHandlers } from "../templates/runtime/webhooks.js";
import { createSignedBodyCheck, signBody, SIGNATURE_HEADER } from "../templates/runtime/auth/hmac.js";
import { ADAPTERS, GOOD_AUTH, PASSWORD, USERNAME, send, startServer } from "./adapter-harness.js";

const SECRET = "tfv-secret-2026-bom";
const BODY = '{"accountId":"9901234","phoneNumber":"+18445550123","status":"VERIFIED","internalTicketNumber":"3f6c1e2a-9b7d-4c58-8e1f-0a2b4c6d8e90"}';
const WITH_BOM = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(BODY)]);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function options(seen: string[]) {
  return {
    credentials: [{ username: USERNAME, password: PASSWORD }],
    logger: quiet,
    routes: [
      {
        path: "/callbacks/tfv",
        family: { ...tfvFamily, verifyBody: createSignedBodyCheck([SECRET]) },
        handlers: {
          status(event: { phoneNumber: string }) {
            seen.push(event.phoneNumber);
            return undefined;
          },
        },
      },
    ],
  };
}

const post = async (port: number, body: Buffer, signed: Uint8Array) =>
  send(port, {
    path: "/callbacks/tfv",
    headers: { authorization: GOOD_AUTH, "content-type": "application/json", [SIGNATURE_HEADER]: await signBody(new Uint8Array(signed), SECRET) },
    body,
  });

describe("a signed TFV body starting with a BOM", () => {
  for (const adapter of ADAPTERS) {
    it(`${adapter}: accepted (signature over the raw bytes, BOM included)`, async () => {
      const seen: string[] = [];
      const server = await startServer(adapter, options(seen) as never);
      try {
        assert.equal((await post(server.port, WITH_BOM, WITH_BOM)).status, 204);
        assert.deepEqual(seen, ["+18445550123"]);
      } finally {
        await server.close();
      }
    });
  }

  it("Express after express.text(): accepted; a BOM the signature does not cover is refused", async () => {
    const seen: string[] = [];
    const webhooks = createWebhookHandlers(options(seen) as never);
    const app = express();
    app.use(express.text({ type: "*/*" }));
    app.use(webhooks.express);
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      assert.equal((await post(port, WITH_BOM, WITH_BOM)).status, 204);
      assert.equal((await post(port, Buffer.from(BODY), Buffer.from(BODY))).status, 204, "no BOM: unchanged");
      const unsigned = await post(port, WITH_BOM, Buffer.from(BODY));
      assert.equal(unsigned.status, 403);
      assert.equal(JSON.parse(unsigned.body).reason, "mismatch");
      assert.equal((await post(port, Buffer.from(BODY), WITH_BOM)).status, 403);
      assert.deepEqual(seen, ["+18445550123", "+18445550123"]);
    } finally {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    }
  });
});
