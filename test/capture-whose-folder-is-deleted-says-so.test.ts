// A capture whose folder is deleted while the receiver runs (a clean-up job, an operator's `rm -rf`): the
// writer kept writing into the deleted file, counted every delivery as written, kept saying it was active
// and handed back a file that no longer exists. Now the loss is reported once, capture turns itself off,
// the counters are true (written: what reached a file; dropped: the rest) and deliveries are answered as
// before; capture does not recreate the folder.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { createCapture } from "../generated/capture.js";

const root = mkdtempSync(join(tmpdir(), "bw-capture-deleted-"));
after(() => rmSync(root, { recursive: true, force: true }));
const silent = { info() {}, warn() {}, error() {}, debug() {} };
const authorization = `Basic ${Buffer.from("u:deleted-pw").toString("base64")}`;
const event = readFileSync(new URL("./fixtures/published-like/voice/disconnect.json", import.meta.url), "utf8");

test("a capture whose folder is deleted reports it once, turns off, and its counters stay true", async () => {
  const dir = join(root, "captures");
  const errors: string[] = [];
  const capture = createCapture({ dir, logger: { ...silent, error: (message: string) => void errors.push(message) } });
  try {
    const webhooks = createBandwidthWebhooks({ capture, credentials: [{ username: "u", password: "deleted-pw" }], logger: silent, voice: {} });
    const deliver = async (): Promise<void> => {
      const answer = await webhooks.fetch(new Request("http://127.0.0.1/callbacks/voice", { method: "POST", headers: { authorization, "content-type": "application/json" }, body: event }));
      assert.equal(answer.status, 204);
    };
    for (let i = 0; i < 3; i++) await deliver();
    const before = await capture.flush();
    assert.equal(before.length, 1);
    assert.deepEqual(capture.stats, { recorded: 3, written: 3, dropped: 0 });

    rmSync(dir, { recursive: true });
    for (let i = 0; i < 3; i++) {
      await deliver();
      await capture.flush();
    }
    assert.equal(capture.active, false, "capture still says it is active");
    // the first delivery after the deletion is the one lost; the later ones find capture off (not recorded)
    assert.deepEqual(capture.stats, { recorded: 4, written: 3, dropped: 1 });
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.match(errors[0], /was deleted\); capture is off/);
    await deliver(); // answered as before, not recorded
    assert.equal(capture.stats.recorded, 4);
    assert.ok(!existsSync(dir), "capture does not recreate a folder the user deleted");
  } finally {
    await capture.close();
  }
});
