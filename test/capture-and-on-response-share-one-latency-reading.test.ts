// The core reads the clock once when an answer is ready and gives that one latency to both `onResponse` and
// the capture sink (capture's cost per request is mostly clock readings): a delivery answered over real HTTP,
// a synchronous handler and an async one, reports the same `latencyMs` to both.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import type { ResponseInfo } from "../generated/index.js";

const BODY = readFileSync(new URL("./fixtures/published-like/voice/answer-minimal.json", import.meta.url), "utf8");
const CREDENTIALS = { username: "latency-user", password: "latency-password-3c1e" };
const AUTHORIZATION = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString("base64")}`;
const REPLY = "<Response><Hangup/></Response>";

for (const kind of ["synchronous", "async"] as const) {
  test(`onResponse and capture get the same latency (${kind} handler)`, async () => {
    const answered: ResponseInfo[] = [];
    const captured: number[] = []; // latencyMs of each captured delivery
    const webhooks = createBandwidthWebhooks({
      credentials: [CREDENTIALS],
      logger: { info() {}, warn() {}, error() {}, debug() {} },
      voice: { answer: kind === "async" ? async () => REPLY : () => REPLY },
      onResponse: (info) => void answered.push(info),
      capture: { record: (delivery) => void captured.push(delivery.latencyMs) },
    });
    const server = createServer(webhooks.node);
    after(() => {
      server.closeAllConnections();
      server.close();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}/callbacks/voice`, {
      method: "POST",
      headers: { authorization: AUTHORIZATION, "content-type": "application/json" },
      body: BODY,
    });
    assert.equal(response.status, 200, await response.text());
    assert.equal(answered.length, 1);
    assert.equal(captured.length, 1);
    assert.ok(captured[0] >= 0);
    assert.equal(answered[0].latencyMs, captured[0]);
  });
}
