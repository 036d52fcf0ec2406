// A capture comes from anywhere, and `replay` and `drift` print what it names (the recorded path, the event,
// field names of the body, values) on the user's terminal: an escape sequence in it could clear the screen,
// retitle the window or hide lines of the report. They print control characters as `\u001b`; the report
// still names the thing. Runs the CLI binary (without colour, so any ESC in the output came from the capture).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCliAsync } from "./support/cli.js";

const root = mkdtempSync(join(tmpdir(), "bw-cli-escapes-"));
const server = createServer((request, response) => {
  request.resume();
  request.on("end", () => response.writeHead(500, { "content-type": "text/plain" }).end("\u001b]0;answer\u0007"));
});
after(() => {
  server.closeAllConnections();
  server.close();
  rmSync(root, { recursive: true, force: true });
});

const ESC = "\u001b";
const event = { eventType: "disconnect", eventTime: "2025-04-02T14:07:31.662Z", accountId: "1", applicationId: "a", from: "+19195550100", to: "+19195550101", direction: "inbound", callId: "c-1", callUrl: "https://x/c-1", startTime: "2025-04-02T14:07:12.108Z", endTime: "2025-04-02T14:07:31.662Z", cause: "hangup", [`${ESC}[2Jcleared`]: `${ESC}]0;pwned\u0007` };
const entry = { v: 1, at: "2026-12-05T08:00:00.000Z", family: "voice", event: `disconnect${ESC}[8m`, method: "POST", url: `/callbacks/voice?x=${ESC}[2J`, headers: { "content-type": "application/json" }, body: JSON.stringify(event), answer: { status: 204, body: "" }, latencyMs: 1 };

test("replay and drift print a capture's control characters escaped", async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const capture = join(root, "hostile.ndjson");
  writeFileSync(capture, `${JSON.stringify(entry)}\n`);
  const replay = await runCliAsync(["replay", capture, "--url", `http://127.0.0.1:${(server.address() as AddressInfo).port}`]);
  assert.equal(replay.status, 1, replay.stderr);
  assert.ok(!replay.stdout.includes(ESC), JSON.stringify(replay.stdout));
  assert.match(replay.stdout, /disconnect\\u001b\[8m/);
  const drift = await runCliAsync(["drift", capture]);
  assert.equal(drift.status, 1, drift.stderr);
  assert.ok(!drift.stdout.includes(ESC), JSON.stringify(drift.stdout));
  assert.match(drift.stdout, /\\u001b\[2Jcleared/);
});
