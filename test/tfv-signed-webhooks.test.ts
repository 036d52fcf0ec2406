// TFV webhooks with a shared secret, over real HTTP through every adapter: a body signed (over its raw
// bytes) with any configured secret reaches the handler; a missing, malformed or wrong signature, or a
// body altered by one byte, is refused with 403 and a reason, before any handler runs. Without secrets
// the route accepts unsigned deliveries (Bandwidth sends the header only when a secret is set).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createBandwidthWebhooks } from "../generated/index.js";
import { tfvFamily } from "../generated/webhooks.js";
import type { TfvHandlers } from "../generated/index.js";
import { createSignedBodyCheck, signBody, SIGNATURE_HEADER } from "../templates/runtime/auth/hmac.js";
import { ADAPTERS, GOOD_AUTH, PASSWORD, USERNAME, send, startServer, type RunningServer } from "./adapter-harness.js";

const NEW_SECRET = "tfv-new-secret-2026-xyz";
const OLD_SECRET = "tfv-old-secret-2025-abc";
// Pretty-printed on purpose: the signature covers these exact bytes, whitespace included.
const BODY = '{\n  "accountId": "9901234",\n  "phoneNumber": "+18445550123",\n  "status": "VERIFIED",\n  "internalTicketNumber": "3f6c1e2a-9b7d-4c58-8e1f-0a2b4c6d8e90"\n}';
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

for (const adapter of ADAPTERS) {
  describe(`signed TFV webhooks (${adapter})`, () => {
    let server: RunningServer;
    const seen: string[] = [];
    before(async () => {
      const handlers: TfvHandlers = {
        status(event) {
          seen.push(`${event.phoneNumber}:${event.status}`);
          return undefined;
        },
      };
      server = await startServer(adapter, {
        credentials: [{ username: USERNAME, password: PASSWORD }],
        logger: quiet,
        routes: [{ path: "/callbacks/tfv", family: { ...tfvFamily, verifyBody: createSignedBodyCheck([NEW_SECRET, OLD_SECRET]) }, handlers }],
      });
    });
    after(() => server.close());

    const post = (body: string, signature?: string) =>
      send(server.port, {
        path: "/callbacks/tfv",
        headers: { authorization: GOOD_AUTH, "content-type": "application/json", ...(signature === undefined ? {} : { [SIGNATURE_HEADER]: signature }) },
        body,
      });

    it("accepts a body signed with the current or the previous secret", async () => {
      assert.equal((await post(BODY, await signBody(BODY, NEW_SECRET))).status, 204);
      assert.equal((await post(BODY, await signBody(BODY, OLD_SECRET))).status, 204);
      assert.deepEqual(seen, ["+18445550123:VERIFIED", "+18445550123:VERIFIED"]);
    });

    const refusals: { name: string; body: () => string; signature: () => Promise<string | undefined>; reason: string }[] = [
      { name: "no signature header", body: () => BODY, signature: async () => undefined, reason: "missing-header" },
      { name: "a truncated signature", body: () => BODY, signature: async () => (await signBody(BODY, NEW_SECRET)).slice(0, 40), reason: "malformed-header" },
      { name: "a signature made with another secret", body: () => BODY, signature: () => signBody(BODY, "somebody-elses-secret-1"), reason: "mismatch" },
      { name: "a body changed by one byte", body: () => BODY.replace("VERIFIED", "VERIFIEE"), signature: () => signBody(BODY, NEW_SECRET), reason: "mismatch" },
      { name: "a body re-serialised (whitespace gone)", body: () => JSON.stringify(JSON.parse(BODY)), signature: () => signBody(BODY, NEW_SECRET), reason: "mismatch" },
    ];
    for (const r of refusals) {
      it(`refuses ${r.name} with 403 (${r.reason}) before the handler`, async () => {
        const before = seen.length;
        const res = await post(r.body(), await r.signature());
        assert.equal(res.status, 403);
        const answer = JSON.parse(res.body);
        assert.equal(answer.error, "invalid_signature");
        assert.equal(answer.reason, r.reason);
        assert.equal(seen.length, before);
      });
    }

    it("still challenges a request without Basic credentials first (401)", async () => {
      const res = await send(server.port, { path: "/callbacks/tfv", headers: { "content-type": "application/json", [SIGNATURE_HEADER]: await signBody(BODY, NEW_SECRET) }, body: BODY });
      assert.equal(res.status, 401);
    });
  });
}

describe("createBandwidthWebhooks: tfvSignatureSecrets", () => {
  let signed: Server;
  let unsigned: Server;
  const ports: number[] = [];
  before(async () => {
    for (const secrets of [[NEW_SECRET], undefined]) {
      const webhooks = createBandwidthWebhooks({ credentials: [{ username: USERNAME, password: PASSWORD }], logger: quiet, tfv: {}, ...(secrets ? { tfvSignatureSecrets: secrets } : {}) });
      const server = createServer(webhooks.node);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      ports.push((server.address() as AddressInfo).port);
      if (secrets) signed = server;
      else unsigned = server;
    }
  });
  after(async () => {
    await new Promise<void>((resolve) => signed.close(() => resolve()));
    await new Promise<void>((resolve) => unsigned.close(() => resolve()));
  });

  const post = (port: number, headers: Record<string, string>) =>
    send(port, { path: "/callbacks/tfv", headers: { authorization: GOOD_AUTH, "content-type": "application/json", ...headers }, body: BODY });

  it("with secrets, verifies; without, accepts unsigned deliveries", async () => {
    assert.equal((await post(ports[0], { [SIGNATURE_HEADER]: await signBody(BODY, NEW_SECRET) })).status, 204);
    assert.equal((await post(ports[0], {})).status, 403);
    assert.equal((await post(ports[1], {})).status, 204);
  });
});
