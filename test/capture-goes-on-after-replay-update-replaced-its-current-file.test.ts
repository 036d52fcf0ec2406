// `replay --update` replaces a capture file atomically (a temporary file renamed over it). Run on the file a
// live capture was still appending to (the receiver idle, so the file had not grown), the writer's next
// delivery found its open file unlinked (the rename took its name), took it for a deleted capture and
// turned the capture off: every later delivery was lost. Likewise when the current file alone was deleted
// by hand. The writer now goes on in a new file while its folder is there (a deleted folder still turns
// the capture off, capture-whose-folder-is-deleted-says-so).
import assert from "node:assert/strict";
import { readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseCapture } from "../generated/capture.js";
import type { CapturedDelivery } from "../generated/capture.js";
import { captureFolder } from "./support/capture.js";

const { root, createCapture } = captureFolder("bw-capture-replaced-");
const quiet = { info() {}, warn() {}, error() {}, debug() {} };

function delivery(i: number): CapturedDelivery {
  const body = JSON.stringify({ eventType: "disconnect", eventTime: "2026-03-01T12:00:01.000Z", accountId: "7700002", applicationId: "a3f0c2de-3333-4b2c-9d3e-4f5a6b7c8d90", from: "+19195550111", to: "+19195550122", direction: "inbound", callId: `c-replaced-${i}`, callUrl: `https://voice.bandwidth.com/api/v2/accounts/7700002/calls/c-replaced-${i}`, startTime: "2026-03-01T12:00:00.000Z", endTime: "2026-03-01T12:00:02.000Z", cause: "hangup" });
  return { at: Date.UTC(2026, 2, 1, 12, 0, 0, i), family: "voice", path: "/callbacks/voice", method: "POST", url: "/callbacks/voice", eventType: "disconnect", contentType: "application/json", header: () => undefined, body, response: { status: 204, headers: {}, body: "" }, latencyMs: 1 };
}

test("the current capture file replaced by a rename (replay --update): later deliveries go to a new file, capture stays on", async () => {
  const dir = join(root, "live");
  const capture = createCapture({ dir, logger: quiet });
  for (let i = 0; i < 3; i++) capture.record(delivery(i));
  const [current] = await capture.flush();
  const updated = readFileSync(current, "utf8");
  writeFileSync(join(dir, ".update.tmp"), updated);
  renameSync(join(dir, ".update.tmp"), current); // what replaceCaptureFile does
  for (let i = 3; i < 6; i++) capture.record(delivery(i));
  const files = await capture.flush();
  assert.equal(capture.active, true, "the capture is still on");
  assert.deepEqual(capture.stats, { recorded: 6, written: 6, dropped: 0 });
  const entries = readdirSync(dir)
    .filter((name) => name.endsWith(".ndjson"))
    .sort()
    .flatMap((name) => parseCapture(readFileSync(join(dir, name), "utf8")));
  assert.deepEqual(
    entries.map((entry) => entry.at),
    [0, 1, 2, 3, 4, 5].map((i) => new Date(Date.UTC(2026, 2, 1, 12, 0, 0, i)).toISOString()),
  );
  assert.ok(files.includes(current) && files.length === 2, files.join(", "));
});
