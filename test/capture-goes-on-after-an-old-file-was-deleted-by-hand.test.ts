// A capture rotates its files and deletes its oldest past `maxBytes`. Someone clearing old capture files
// by hand (or a cleanup job) deleted one the writer still counted: when `maxBytes` came to delete it, the
// unlink failed (ENOENT), the writer thread reported a failure and the capture turned itself off: every
// later delivery was lost from the capture. A file already gone is now simply forgotten.
import assert from "node:assert/strict";
import { readFileSync, readdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseCapture } from "../generated/capture.js";
import type { CapturedDelivery } from "../generated/capture.js";
import { captureFolder } from "./support/capture.js";

const { root, createCapture } = captureFolder("bw-capture-deleted-by-hand-");
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

function delivery(i: number): CapturedDelivery {
  const body = JSON.stringify({ eventType: "disconnect", eventTime: "2026-03-01T12:00:01.000Z", accountId: "7700002", applicationId: "a3f0c2de-3333-4b2c-9d3e-4f5a6b7c8d90", from: "+19195550111", to: "+19195550122", direction: "inbound", callId: `c-hand-${i}`, callUrl: `https://voice.bandwidth.com/api/v2/accounts/7700002/calls/c-hand-${i}`, startTime: "2026-03-01T12:00:00.000Z", endTime: "2026-03-01T12:00:02.000Z", cause: "hangup" });
  return { at: Date.UTC(2026, 2, 1, 12, 0, 0, i), family: "voice", path: "/callbacks/voice", method: "POST", url: "/callbacks/voice", eventType: "disconnect", contentType: "application/json", header: () => undefined, body, response: { status: 204, headers: {}, body: "" }, latencyMs: 1 };
}

test("an old capture file deleted by hand: the capture deletes past maxBytes on and records every later delivery", async () => {
  const dir = join(root, "cleared");
  const capture = createCapture({ dir, maxFileBytes: 4096, maxBytes: 40_000, logger: quiet });
  for (let i = 0; i < 20; i++) capture.record(delivery(i));
  await capture.flush();
  const first = readdirSync(dir).sort();
  assert.ok(first.length >= 2, `rotated: ${first.join(", ")}`);
  unlinkSync(join(dir, first[0])); // the oldest, cleared by hand
  for (let i = 20; i < 120; i++) capture.record(delivery(i)); // past maxBytes: the writer deletes its oldest files
  await capture.flush();
  assert.equal(capture.active, true, "the capture is still on");
  assert.deepEqual(capture.stats, { recorded: 120, written: 120, dropped: 0 });
  const names = readdirSync(dir).sort();
  const kept = names.flatMap((name) => parseCapture(readFileSync(join(dir, name), "utf8")));
  assert.equal(kept.at(-1)?.at, new Date(Date.UTC(2026, 2, 1, 12, 0, 0, 119)).toISOString(), "the last delivery is in the newest file");
});
