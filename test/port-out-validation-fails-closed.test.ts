/**
 * Port-out validation fails closed, on every adapter over real HTTP: a numbers route without a
 * `portOutValidationRequest` handler (or with one that returns nothing) answers a dispute with code 7598
 * (the order goes to Exception for review), never the empty 200 Bandwidth takes as approval. Order
 * notifications on the same route are still acknowledged with 200, and an explicit `{ portable: true }`
 * still approves.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createBandwidthWebhooks } from "../generated/index.js";
import { ADAPTERS, GOOD_AUTH, PASSWORD, USERNAME, send } from "./adapter-harness.js";
import { startGenerated } from "./support/generated-servers.js";
import type { GeneratedWebhooks } from "./support/generated-servers.js";

const REQUEST =
  "<PortOutValidationRequest><PON>P-1</PON><Pin>0427</Pin><TelephoneNumbers><TelephoneNumber>9195550142</TelephoneNumber></TelephoneNumbers></PortOutValidationRequest>";
const ORDER =
  "<Notification><Status>COMPLETE</Status><SubscriptionId>s-1</SubscriptionId><OrderType>orders</OrderType><OrderId>o-1</OrderId><CompletedTelephoneNumbers><TelephoneNumber>9195550142</TelephoneNumber></CompletedTelephoneNumbers></Notification>";
const DISPUTE =
  '<?xml version="1.0" encoding="UTF-8"?><PortOutValidationResponse><Portable>false</Portable><Errors><Error><Code>7598</Code><Description>port-out validation is not answered by this server (no portOutValidationRequest handler, or it returned nothing or failed)</Description></Error></Errors></PortOutValidationResponse>';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function webhooksWith(numbers: Record<string, unknown>): GeneratedWebhooks {
  return createBandwidthWebhooks({ credentials: [{ username: USERNAME, password: PASSWORD }], numbers: numbers as never, logger: quiet }) as unknown as GeneratedWebhooks;
}

const post = (port: number, body: string) =>
  send(port, { path: "/callbacks/numbers", headers: { authorization: GOOD_AUTH, "content-type": "application/xml" }, body });

describe("port-out validation without an answer is disputed, not approved", () => {
  for (const adapter of ADAPTERS) {
    it(`${adapter}: no portOutValidationRequest handler → 200 + a 7598 dispute; orders still acknowledged`, async () => {
      const server = await startGenerated(adapter, webhooksWith({ orders: () => undefined }));
      try {
        const res = await post(server.port, REQUEST);
        assert.equal(res.status, 200);
        assert.match(String(res.headers["content-type"]), /^application\/xml/);
        assert.equal(res.body, DISPUTE);
        const order = await post(server.port, ORDER);
        assert.deepEqual([order.status, order.body], [200, ""]);
      } finally {
        await server.close();
      }
    });

    it(`${adapter}: a handler returning nothing is disputed; { portable: true } approves`, async () => {
      let approve = false;
      const server = await startGenerated(adapter, webhooksWith({ portOutValidationRequest: () => (approve ? { portable: true } : undefined) }));
      try {
        assert.equal((await post(server.port, REQUEST)).body, DISPUTE);
        approve = true;
        const ok = await post(server.port, REQUEST);
        assert.equal(ok.body, '<?xml version="1.0" encoding="UTF-8"?><PortOutValidationResponse><Portable>true</Portable></PortOutValidationResponse>');
      } finally {
        await server.close();
      }
    });

    it(`${adapter}: a handler that throws or rejects is disputed too (any non-200 would approve), and onError hears it`, async () => {
      const errors: string[] = [];
      const webhooks = createBandwidthWebhooks({
        credentials: [{ username: USERNAME, password: PASSWORD }],
        numbers: { portOutValidationRequest: (event: { PON: string }) => (event.PON === "P-1" ? Promise.reject(new Error("CRM down")) : undefined) } as never,
        logger: quiet,
        onError: (error: unknown) => void errors.push((error as Error).message),
      }) as unknown as GeneratedWebhooks;
      const server = await startGenerated(adapter, webhooks);
      try {
        const rejected = await post(server.port, REQUEST);
        assert.deepEqual([rejected.status, rejected.body], [200, DISPUTE]);
        assert.deepEqual(errors, ["CRM down"]);
      } finally {
        await server.close();
      }
    });
  }
});
