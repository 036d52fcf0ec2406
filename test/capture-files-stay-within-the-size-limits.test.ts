// The capture's file limits hold however the deliveries are batched (README: files rotated at
// `maxFileBytes`, at most `maxBytes` in all, the oldest deleted). The writer thread writes every delivery
// of one 20 ms drain together; a batch larger than `maxFileBytes` went whole into one file, so with
// deliveries arriving faster than the drain no file was ever rotated and `maxBytes` deleted nothing (a
// newcomer's run: 60 deliveries, maxFileBytes 4096, maxBytes 12000 → one 39 KB file). Here 60 deliveries
// are recorded in one synchronous loop (one or two drains) and every file ends up within the limits.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createCapture, parseCapture } from "../generated/capture.js";
import type { CapturedDelivery } from "../generated/capture.js";

const root = mkdtempSync(join(tmpdir(), "bw-capture-limits-"));
after(() => rmSync(root, { recursive: true, force: true }));

function delivery(i: number): CapturedDelivery {
  const body = JSON.stringify({ eventType: "disconnect", eventTime: "2026-03-01T12:00:01.000Z", accountId: "7700002", applicationId: "a3f0c2de-3333-4b2c-9d3e-4f5a6b7c8d90", from: "+19195550111", to: "+19195550122", direction: "inbound", callId: `c-limits-${i}`, callUrl: `https://voice.bandwidth.com/api/v2/accounts/7700002/calls/c-limits-${i}`, startTime: "2026-03-01T12:00:00.000Z", endTime: "2026-03-01T12:00:02.000Z", cause: "hangup" });
  return { at: Date.UTC(2026, 2, 1, 12, 0, 0, i), family: "voice", path: "/callbacks/voice", method: "POST", url: "/callbacks/voice", eventType: "disconnect", contentType: "application/json", header: () => undefined, body, response: { status: 204, headers: {}, body: "" }, latencyMs: 1 };
}

test("60 deliveries recorded at once, maxFileBytes 4096, maxBytes 12000: every file within 4096 bytes, at most 12000 in all, the newest kept whole", async () => {
  const dir = join(root, "rotated");
  const capture = createCapture({ dir, maxFileBytes: 4096, maxBytes: 12_000, logger: { info() {}, warn() {}, error() {}, debug() {} } });
  try {
    for (let i = 0; i < 60; i++) capture.record(delivery(i));
    await capture.flush();
  } finally {
    await capture.close();
  }
  const names = readdirSync(dir).sort();
  assert.ok(names.length >= 2, `rotated into several files: ${names.join(", ")}`);
  const sizes = names.map((name) => statSync(join(dir, name)).size);
  for (const [i, size] of sizes.entries()) assert.ok(size <= 4096, `${names[i]}: ${size} bytes`);
  assert.ok(sizes.reduce((a, b) => a + b, 0) <= 12_000, `${sizes.join(" + ")} bytes in all`);
  assert.doesNotMatch(names[0], /-0001\.ndjson$/, "the oldest files were deleted");
  const kept = names.flatMap((name) => parseCapture(readFileSync(join(dir, name), "utf8")));
  assert.ok(kept.length > 0);
  assert.equal(kept.at(-1)!.at, new Date(Date.UTC(2026, 2, 1, 12, 0, 0, 59)).toISOString(), "the last delivery is in the newest file");
});

test("one entry larger than maxFileBytes gets a file of its own (never cut)", async () => {
  const dir = join(root, "oversized");
  const capture = createCapture({ dir, maxFileBytes: 256, logger: { info() {}, warn() {}, error() {}, debug() {} } });
  try {
    for (let i = 0; i < 3; i++) capture.record(delivery(i));
    await capture.flush();
  } finally {
    await capture.close();
  }
  const names = readdirSync(dir).sort();
  assert.equal(names.length, 3, names.join(", "));
  for (const name of names) assert.equal(parseCapture(readFileSync(join(dir, name), "utf8")).length, 1, name);
});
