/**
 * Bandwidth approves a port-out when its validation request gets any answer but a 200
 * `<PortOutValidationResponse>`. So, on every adapter over real HTTP and in strict mode, every refusal the
 * server would make on the numbers route (a request failing its schema, malformed XML, a body over the
 * limit, announced or streamed, a wrong content type, a handler answer that cannot be rendered) is a
 * 200 + 7598 dispute. What stays: the 401 Basic-auth challenge (Bandwidth sends its credentials only
 * in answer to it), and the refusals of a plain `<Notification>` (Bandwidth retries those).
 * Also: an alphanumeric PIN and a 32-character account number pass strict validation (Bandwidth's rules).
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createBandwidthWebhooks } from "../generated/index.js";
import { ADAPTERS, GOOD_AUTH, PASSWORD, USERNAME, send } from "./adapter-harness.js";
import type { RawRequest } from "./adapter-harness.js";
import { startGenerated } from "./support/generated-servers.js";
import type { GeneratedWebhooks } from "./support/generated-servers.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const BODY_LIMIT = 4096;
const TNS = "<TelephoneNumbers><TelephoneNumber>9195550142</TelephoneNumber></TelephoneNumbers>";
const request = (inner: string) => `<PortOutValidationRequest><PON>P-1</PON>${inner}${TNS}</PortOutValidationRequest>`;
const APPROVAL = '<?xml version="1.0" encoding="UTF-8"?><PortOutValidationResponse><Portable>true</Portable></PortOutValidationResponse>';
const dispute = (reason: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><PortOutValidationResponse><Portable>false</Portable><Errors><Error><Code>7598</Code><Description>port-out validation request refused by this server (${reason})</Description></Error></Errors></PortOutValidationResponse>`;
const ORDER =
  "<Notification><Status>COMPLETE</Status><SubscriptionId>s-1</SubscriptionId><OrderType>orders</OrderType><OrderId>o-1</OrderId><CompletedTelephoneNumbers><TelephoneNumber>9195550142</TelephoneNumber></CompletedTelephoneNumbers></Notification>";

/** Strict mode; the handler approves the PINs and account numbers it knows, and returns an unrenderable answer for PON "BAD". */
function webhooks(): GeneratedWebhooks {
  return createBandwidthWebhooks({
    credentials: [{ username: USERNAME, password: PASSWORD }],
    strict: true,
    bodyLimit: BODY_LIMIT,
    logger: quiet,
    numbers: {
      portOutValidationRequest: (event: { PON?: string; Pin?: string; AccountNumber?: string }) =>
        event.PON === "BAD"
          ? { portable: true, pon: "x".repeat(30) } // a PON over 25 characters: the answer cannot be built
          : event.Pin === "AB12CD" || event.AccountNumber === "A".repeat(32)
            ? { portable: true }
            : { portable: false, errors: [{ code: 7513, description: "PIN invalid" }] },
      orders: () => undefined,
    } as never,
  }) as unknown as GeneratedWebhooks;
}

const numbers = (req: RawRequest): RawRequest => ({
  path: "/callbacks/numbers",
  ...req,
  headers: { authorization: GOOD_AUTH, "content-type": "application/xml", ...req.headers },
});

describe("port-out validation: a refusal is a dispute, never a 4xx/5xx Bandwidth reads as approval (strict mode)", () => {
  for (const adapter of ADAPTERS) {
    it(`${adapter}: Bandwidth's rules pass strict mode (alphanumeric PIN, 32-character account number) and reach the handler`, async () => {
      const server = await startGenerated(adapter, webhooks());
      try {
        const pin = await send(server.port, numbers({ body: request("<Pin>AB12CD</Pin>") }));
        assert.deepEqual([pin.status, pin.body], [200, APPROVAL]);
        const account = await send(server.port, numbers({ body: request(`<AccountNumber>${"A".repeat(32)}</AccountNumber>`) }));
        assert.deepEqual([account.status, account.body], [200, APPROVAL]);
      } finally {
        await server.close();
      }
    });

    it(`${adapter}: an unexpected element, malformed XML, a wrong content type, a body over the limit, an unrenderable answer → 200 + dispute`, async () => {
      const server = await startGenerated(adapter, webhooks());
      try {
        const cases: [string, RawRequest, string][] = [
          ["unexpected element", { body: request("<Pin>0427</Pin><Surprise>1</Surprise>") }, "400 invalid_event"],
          ["PIN over 10 characters", { body: request("<Pin>ABCDEFGHIJK</Pin>") }, "400 invalid_event"],
          ["malformed XML", { body: "<PortOutValidationRequest><Pin>0427</Pin>" }, "400 malformed_xml"],
          ["wrong content type", { body: request("<Pin>0427</Pin>"), headers: { "content-type": "application/json" } }, "415 unsupported_media_type"],
          ["announced length over the limit", { body: request("<Pin>0427</Pin>"), announceLength: BODY_LIMIT + 1 }, "413 payload_too_large"],
          ["streamed body over the limit", { body: request(`<SubscriberName>${"n".repeat(BODY_LIMIT)}</SubscriberName>`), chunked: true }, "413 payload_too_large"],
          ["handler answer that cannot be built", { body: `<PortOutValidationRequest><PON>BAD</PON>${TNS}</PortOutValidationRequest>` }, "500 internal_error"],
        ];
        for (const [name, req, reason] of cases) {
          const res = await send(server.port, numbers(req));
          assert.equal(res.status, 200, name);
          assert.match(String(res.headers["content-type"]), /^application\/xml/, name);
          assert.equal(res.body, dispute(reason), name);
        }
        // the handler still decides a request that passes
        const decided = await send(server.port, numbers({ body: request("<Pin>0427</Pin>") }));
        assert.match(decided.body, /<Code>7513<\/Code>/);
      } finally {
        await server.close();
      }
    });

    it(`${adapter}: the 401 challenge stays (Bandwidth answers it with credentials); a refused <Notification> keeps its 4xx (Bandwidth retries it)`, async () => {
      const server = await startGenerated(adapter, webhooks());
      try {
        const challenge = await send(server.port, { path: "/callbacks/numbers", headers: { "content-type": "application/xml" }, body: request("<Pin>0427</Pin>") });
        assert.equal(challenge.status, 401);
        assert.match(String(challenge.headers["www-authenticate"]), /^Basic /);
        const order = await send(server.port, numbers({ body: ORDER.replace("</Notification>", "<Surprise>1</Surprise></Notification>") }));
        assert.equal(order.status, 400);
        const malformed = await send(server.port, numbers({ body: "<Notification><OrderId>o-1" }));
        assert.equal(malformed.status, 400);
        const fine = await send(server.port, numbers({ body: ORDER }));
        assert.deepEqual([fine.status, fine.body], [200, ""]);
      } finally {
        await server.close();
      }
    });
  }
});
