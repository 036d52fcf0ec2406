// Refusals anyone can cause (wrong credentials: 401) are recorded at most UNAUTHENTICATED_REFUSALS_PER_SECOND
// a second per receiver; the rest were once dropped silently, so a capture could not tell it had left out,
// say, Bandwidth's own deliveries after a credential change. Now each left out is counted in the capture's
// `refusalsNotRecorded`, and the episode is logged once (count and span) at `flush()` / `close()`.
// The burst's arrival clock is pinned to one millisecond so its 50 requests fall in one second.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { parseCapture } from "../generated/capture.js";
import { UNAUTHENTICATED_REFUSALS_PER_SECOND } from "../generated/runtime/http/core.js";
import { captureFolder } from "./support/capture.js";

const { root, createCapture } = captureFolder("bw-capture-left-out-");
const USERNAME = "bw-user";
const silent = { info() {}, warn() {}, error() {}, debug() {} };
const wrong = `Basic ${Buffer.from(`${USERNAME}:not-my-s3cret-pw`).toString("base64")}`;
const BURST = 50;
const AT = Date.UTC(2026, 11, 5, 12, 0, 0, 250);

/** One POST with wrong credentials; resolves to its status. */
function refused(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/callbacks/voice`, { method: "POST", headers: { authorization: wrong, "content-type": "application/json" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end("{}");
  });
}

test("wrong-credential refusals over the limit a second are counted in the capture's stats and logged once, not dropped silently", async () => {
  const warnings: string[] = [];
  const capture = createCapture({ dir: join(root, "burst"), logger: { ...silent, warn: (message: string) => void warnings.push(message) } });
  const webhooks = createBandwidthWebhooks({
    credentials: [{ username: USERNAME, password: "refused-s3cret-pw" }],
    logger: silent,
    capture,
    voice: { answer: () => "<Response></Response>" },
  });
  const server = createServer(webhooks.node);
  const realNow = Date.now;
  try {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    Date.now = () => AT;
    const statuses = await Promise.all(Array.from({ length: BURST }, () => refused(url)));
    Date.now = realNow;
    assert.deepEqual(new Set(statuses), new Set([401]));

    const files = await capture.close();
    const entries = parseCapture(files.map((file) => readFileSync(file, "utf8")).join(""));
    assert.equal(entries.length, UNAUTHENTICATED_REFUSALS_PER_SECOND);
    assert.ok(entries.every((e) => e.answer.status === 401));
    assert.equal(capture.refusalsNotRecorded, BURST - UNAUTHENTICATED_REFUSALS_PER_SECOND);
    const told = warnings.filter((w) => w.includes("not recorded"));
    assert.equal(told.length, 1, warnings.join("\n"));
    const iso = new Date(AT).toISOString();
    assert.ok(told[0].includes(`${BURST - UNAUTHENTICATED_REFUSALS_PER_SECOND} refused deliveries`), told[0]);
    assert.ok(told[0].includes(`between ${iso} and ${iso}`), told[0]);
    assert.ok(!told[0].includes("not-my-s3cret-pw"));
  } finally {
    Date.now = realNow;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
