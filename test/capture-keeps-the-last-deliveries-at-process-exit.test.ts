// A receiver that exits with process.exit() right after answering (the scaffolded server's SIGTERM and
// Ctrl-C path, or a script that never calls capture.close()) still has every delivery it answered in the
// capture: the writer thread redacts and writes every 20 ms, and at the process's exit the capture waits for
// it (bounded) instead of losing the last deliveries with the thread. A process started with
// `node --input-type=module -e …` captures too (its writer thread does not inherit --input-type).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { parseCapture } from "../generated/capture.js";
import { runNodeToEnd } from "./support/children.js";

const root = mkdtempSync(join(tmpdir(), "bw-capture-exit-"));
after(() => rmSync(root, { recursive: true, force: true }));

const generated = (file: string): string => pathToFileURL(join(import.meta.dirname, "..", "generated", file)).href;

/** The receiver's process: answers `count` voice deliveries through webhooks.fetch, then process.exit(0) at once. */
function script(dir: string, count: number): string {
  return `
    import { createBandwidthWebhooks } from ${JSON.stringify(generated("index.js"))};
    import { createCapture } from ${JSON.stringify(generated("capture.js"))};
    const capture = createCapture({ dir: ${JSON.stringify(dir)} });
    const silent = { info() {}, warn() {}, error() {}, debug() {} };
    const webhooks = createBandwidthWebhooks({ capture, logger: silent, credentials: [{ username: "u", password: "p" }], voice: { disconnect() {} } });
    const authorization = "Basic " + Buffer.from("u:p").toString("base64");
    for (let i = 1; i <= ${count}; i++) {
      const body = JSON.stringify({ eventType: "disconnect", eventTime: "2026-03-01T12:00:01.000Z", accountId: "7700002", applicationId: "a3f0c2de-3333-4b2c-9d3e-4f5a6b7c8d90", from: "+19195550111", to: "+19195550122", direction: "inbound", callId: "c-exit-" + i, callUrl: "https://voice.bandwidth.com/api/v2/accounts/7700002/calls/c-exit-" + i, startTime: "2026-03-01T12:00:00.000Z", endTime: "2026-03-01T12:00:02.000Z", cause: "hangup" });
      const answer = await webhooks.fetch(new Request("http://127.0.0.1/callbacks/voice", { method: "POST", headers: { authorization, "content-type": "application/json" }, body }));
      if (answer.status !== 204) throw new Error("answer " + answer.status);
    }
    console.log(JSON.stringify(capture.stats));
    process.exit(0);`;
}

/** The deliveries (event, answer status) of every capture file in `dir`. */
function captured(dir: string): [string | undefined, number][] {
  assert.ok(existsSync(dir), "the capture folder exists");
  return readdirSync(dir)
    .flatMap((name) => parseCapture(readFileSync(join(dir, name), "utf8")))
    .map((entry) => [entry.event, entry.answer.status]);
}

test("process.exit() right after the last answer: every answered delivery is in the capture file", async () => {
  const dir = join(root, "exit");
  const file = join(root, "receiver.mjs");
  writeFileSync(file, script(dir, 3));
  const { code, output } = await runNodeToEnd([file]);
  assert.equal(code, 0, output);
  assert.equal(JSON.parse(output.trim().split("\n").at(-1)!).recorded, 3, output);
  assert.deepEqual(captured(dir), [
    ["disconnect", 204],
    ["disconnect", 204],
    ["disconnect", 204],
  ]);
});

test("a receiver run as node --input-type=module -e …: the writer thread starts and the delivery is captured", async () => {
  const dir = join(root, "eval");
  const { code, output } = await runNodeToEnd(["--input-type=module", "-e", script(dir, 1)]);
  assert.equal(code, 0, output);
  assert.doesNotMatch(output, /writer thread failed/);
  assert.deepEqual(captured(dir), [["disconnect", 204]]);
});
