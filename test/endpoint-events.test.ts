// BRTC endpoint events come in two shapes (Bandwidth's spec: `eventType` DEVICE_*; the current docs:
// `event` endpointConnected…): both validate and reach their own handler method over real HTTP; a body with
// neither name is rejected, an unknown name goes to the fallback.
import { after, before, describe, it, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createBandwidthWebhooks } from "../generated/index.js";
import { validateEndpointEvent } from "../generated/validators/endpoint.js";
import { endpointEvents } from "../generated/events.js";
import type { EndpointHandlers } from "../generated/index.js";
import { GOOD_AUTH, PASSWORD, USERNAME, send } from "./adapter-harness.js";

const spec = { eventType: "DEVICE_CONNECTED", eventTime: "2026-03-14T18:00:00Z", endpointId: "e-1", type: "WEBRTC", status: "CONNECTED", creationTimestamp: "2026-03-14T17:59:40Z", expirationTimestamp: "2026-03-15T17:59:40Z" };
const docs = { event: "endpointConnected", accountId: "9901234", endpointId: "e-1", deviceId: "d-1", timestamp: 1773511200000, tags: "{}" };

test("both shapes validate and name their event", () => {
  assert.deepEqual(validateEndpointEvent(spec), { ok: true, type: "DEVICE_CONNECTED", value: spec });
  assert.deepEqual(validateEndpointEvent(docs), { ok: true, type: "endpointConnected", value: docs });
});

test("the event table has a handler method for every event of both shapes", () => {
  assert.deepEqual(Object.values(endpointEvents).map((e) => e.method).sort(), [
    "deviceConnected",
    "deviceDisconnected",
    "endpointConnected",
    "endpointDisconnected",
    "endpointEligible",
    "endpointIneligible",
    "outboundConnectionRequest",
  ]);
});

test("each shape is checked against its own fields", () => {
  const epochAsText = validateEndpointEvent({ ...docs, timestamp: "2026-03-14T18:00:00Z" });
  assert.ok(!epochAsText.ok && epochAsText.errors.some((e) => e.path === "/timestamp" && /integer/.test(e.message)));
  const withoutExpiry: Record<string, unknown> = { ...spec };
  delete withoutExpiry.expirationTimestamp;
  const missing = validateEndpointEvent(withoutExpiry);
  assert.ok(!missing.ok && missing.errors.some((e) => e.path === "/expirationTimestamp"));
  const badStatus = validateEndpointEvent({ ...spec, status: "ONLINE" });
  assert.ok(!badStatus.ok && badStatus.errors.some((e) => e.path === "/status"));
  const outbound = validateEndpointEvent({ ...docs, event: "outboundConnectionRequest" });
  assert.ok(!outbound.ok && outbound.errors.some((e) => e.path === "/to"), "an outbound connection request names its target");
  const neither = validateEndpointEvent({ endpointId: "e-1" });
  assert.ok(!neither.ok && neither.errors[0].message.includes('"eventType" or "event"'));
});

describe("the endpoint family over HTTP", () => {
  let server: Server;
  let port = 0;
  const seen: string[] = [];
  const unknown: string[] = [];

  before(async () => {
    const handlers: EndpointHandlers = {
      deviceConnected(event) {
        seen.push(`spec:${event.endpointId}:${event.status}`);
        return undefined;
      },
      endpointConnected(event) {
        seen.push(`docs:${event.endpointId}:${event.timestamp}`);
        return undefined;
      },
    };
    const webhooks = createBandwidthWebhooks({
      credentials: [{ username: USERNAME, password: PASSWORD }],
      endpoint: handlers,
      onUnknownEvent: (_event, info) => {
        unknown.push(`${info.eventType}:${info.known}`);
      },
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    server = createServer(webhooks.node);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (body: unknown) => send(port, { path: "/callbacks/endpoint", headers: { authorization: GOOD_AUTH, "content-type": "application/json" }, body: JSON.stringify(body) });

  it("dispatches the spec shape and the docs shape to their own methods and answers 204", async () => {
    assert.equal((await post(spec)).status, 204);
    assert.equal((await post(docs)).status, 204);
    assert.deepEqual(seen, ["spec:e-1:CONNECTED", "docs:e-1:1773511200000"]);
  });

  it("sends known events without a handler and unknown event names to the fallback", async () => {
    assert.equal((await post({ ...docs, event: "endpointEligible" })).status, 204);
    assert.equal((await post({ ...docs, event: "connectStatus" })).status, 204);
    assert.deepEqual(unknown, ["endpointEligible:true", "connectStatus:false"]);
  });

  it("refuses a body that names no event with 400", async () => {
    const res = await post({ endpointId: "e-1" });
    assert.equal(res.status, 400);
    assert.match(res.body, /eventType.*event/);
  });
});
