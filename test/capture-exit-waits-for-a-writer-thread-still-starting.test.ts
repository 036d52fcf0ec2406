// The last deliveries at a process's exit (issue 28's SIGTERM path): at `exit` a capture blocks while its
// writer thread writes what was recorded. That wait was 2 s from the exit, the writer thread's start
// included: a process that exits soon after it began, on a loaded machine (or with a slow preload, as here:
// a module that keeps the writer thread from starting for 2.5 s, standing in for a loaded machine), lost every
// delivery. Now the thread's start is waited for (bounded apart), and then the capture waits as long as the
// thread makes progress. And once the writer thread has ended (it failed to start, here: a preload that
// throws in worker threads), `close()` and `flush()` resolve (they waited for an answer that never came, and
// a receiver awaiting `capture.close()` on shutdown never exited).
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, test } from "node:test";
import { parseCapture } from "../generated/capture.js";
import { runNodeToEnd } from "./support/children.js";

const root = mkdtempSync(join(tmpdir(), "bw-capture-exit-start-"));
after(() => rmSync(root, { recursive: true, force: true }));
const generated = (file: string): string => pathToFileURL(join(import.meta.dirname, "..", "generated", file)).href;

// loaded in every thread (workers inherit the process's --import): holds up or fails the writer thread only
const preload = join(root, "writer-thread.mjs");
writeFileSync(
  preload,
  `import { isMainThread } from "node:worker_threads";
  if (!isMainThread && process.env.WRITER_THREAD === "slow") { const until = Date.now() + 2500; while (Date.now() < until); }
  if (!isMainThread && process.env.WRITER_THREAD === "fails") throw new Error("the writer thread cannot start");`,
);

/** A receiver answering one voice delivery through webhooks.fetch, then `then` (its last statements). */
function script(dir: string, then: string): string {
  return `
    import { createBandwidthWebhooks } from ${JSON.stringify(generated("index.js"))};
    import { createCapture } from ${JSON.stringify(generated("capture.js"))};
    const silent = { info() {}, warn() {}, error() {}, debug() {} };
    const capture = createCapture({ dir: ${JSON.stringify(dir)}, logger: silent });
    const webhooks = createBandwidthWebhooks({ capture, logger: silent, credentials: [{ username: "u", password: "p" }], voice: { disconnect() {} } });
    const body = JSON.stringify({ eventType: "disconnect", eventTime: "2026-03-01T12:00:01.000Z", accountId: "7700002", applicationId: "a3f0c2de-3333-4b2c-9d3e-4f5a6b7c8d90", from: "+19195550111", to: "+19195550122", direction: "inbound", callId: "c-exit-start", callUrl: "https://voice.bandwidth.com/api/v2/accounts/7700002/calls/c-exit-start", startTime: "2026-03-01T12:00:00.000Z", endTime: "2026-03-01T12:00:02.000Z", cause: "hangup" });
    const answer = await webhooks.fetch(new Request("http://127.0.0.1/callbacks/voice", { method: "POST", headers: { authorization: "Basic " + btoa("u:p"), "content-type": "application/json" }, body }));
    if (answer.status !== 204) throw new Error("answer " + answer.status);
    ${then}`;
}

function runNode(file: string, writerThread: string): Promise<{ code: number | null; output: string }> {
  return runNodeToEnd(["--import", pathToFileURL(preload).href, file], { ...process.env, WRITER_THREAD: writerThread });
}

test("process.exit() while the writer thread is still starting: the delivery is in the capture all the same", async () => {
  const dir = join(root, "slow");
  const file = join(root, "slow.mjs");
  writeFileSync(file, script(dir, "process.exit(0);"));
  const { code, output } = await runNode(file, "slow");
  assert.equal(code, 0, output);
  assert.ok(existsSync(dir), `the capture folder exists (nothing was written)\n${output}`);
  const entries = readdirSync(dir).flatMap((name) => parseCapture(readFileSync(join(dir, name), "utf8")));
  assert.deepEqual(
    entries.map((entry) => [entry.event, entry.answer.status]),
    [["disconnect", 204]],
  );
});

test("close() after the writer thread failed to start resolves (the receiver's shutdown goes on)", async () => {
  const file = join(root, "fails.mjs");
  writeFileSync(
    file,
    script(
      join(root, "fails"),
      `while (capture.active) await new Promise((resolve) => setTimeout(resolve, 10)); // the failure reported
      console.log("flushed", JSON.stringify(await capture.flush()));
      console.log("closed", JSON.stringify(await capture.close()));`,
    ),
  );
  const { code, output } = await runNode(file, "fails");
  // before: close() never settled, and with nothing else to wait for the process ended with code 13 (an unsettled top-level await)
  assert.equal(code, 0, output);
  assert.match(output, /^flushed \[\]$/m);
  assert.match(output, /^closed \[\]$/m);
});
