// `bw-codegen scaffold --capture` (issue 28, found using the flight recorder as a newcomer): enabling capture
// in a scaffolded project needed code no doc showed (one capture shared by the webhooks and the stream
// server, built in two modules, and closed on shutdown). With --capture the project turns it on with
// BW_CAPTURE_DIR (off without it), says which on start, records deliveries and stream messages, and on
// SIGTERM writes what it recorded last before it exits; it type-checks in every framework; without
// --capture nothing of it is written.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { buildScaffold, writeScaffold } from "../generator/cli/scaffold.js";
import { deliverEvent } from "../generated/testing.js";
import { parseCapture } from "../generated/capture.js";
import type { SocketCaptureEntry } from "../generated/capture.js";
import { connectBandwidthStream, silence } from "./support/bandwidth-stream-client.js";
import { TEST_LIMIT_MS } from "./support/children.js";
import { REPO_ROOT, runCli } from "./support/cli.js";
import { killAll, run, startServer } from "./support/processes.js";
import { linkScaffoldModules } from "./support/scaffolded-echo-bot.js";
import { settles, until } from "./support/until.js";

const work = mkdtempSync(join(tmpdir(), "bw-scaffold-capture-"));
after(() => {
  killAll();
  rmSync(work, { recursive: true, force: true });
});

test("without --capture no capture code; with it: BW_CAPTURE_DIR in .env.example, captures/ ignored, a README section, --help and Next: name it", () => {
  const plain = buildScaffold({ dir: "plain", framework: "node", stream: true });
  for (const [path, text] of plain) assert.doesNotMatch(text, /createCapture|BW_CAPTURE_DIR|bw-codegen\/capture/, path);

  const files = buildScaffold({ dir: "captured", framework: "node", stream: true, capture: true });
  assert.match(files.get(".env.example")!, /^# BW_CAPTURE_DIR=captures$/m);
  assert.match(files.get(".gitignore")!, /^captures\/$/m);
  assert.match(files.get("README.md")!, /^## The flight recorder \(--capture\)$/m);
  assert.match(files.get("src/app.ts")!, /createWebhooks\(config, capture\)/);
  assert.match(files.get("src/app.ts")!, /attachStreams\(server, config, capture\)/);
  assert.match(files.get("src/app.ts")!, /await closeGracefully\(server\);\n {6}await capture\?\.close\(\);/);

  const help = runCli(["scaffold", "--help"]);
  assert.match(help.stdout, /^ {2}--capture {9}the flight recorder: with BW_CAPTURE_DIR set/m);
  const out = runCli(["scaffold", join(work, "cli"), "--capture"], { cwd: work });
  assert.equal(out.status, 0, out.stderr);
  assert.match(out.stdout.slice(out.stdout.indexOf("Next:")), /BW_CAPTURE_DIR=captures npm run dev/);
});

test("every framework's --capture project (with and without --stream) type-checks against this checkout", { timeout: TEST_LIMIT_MS }, () => {
  const extra: Record<string, string[]> = { node: [], express: ["express"], fastify: ["fastify"], hono: ["hono", "@hono"] };
  for (const [framework, stream] of [["node", true], ["express", false], ["fastify", true], ["hono", false]] as const) {
    const dir = join(work, `tsc-${framework}`);
    writeScaffold(dir, buildScaffold({ dir, framework, stream, capture: true }), false);
    linkScaffoldModules(dir, extra[framework]);
    const tsc = run(process.execPath, [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", join(dir, "tsconfig.json")], dir);
    assert.equal(tsc.status, 0, `${framework}: ${tsc.output}`);
  }
});

const callFields = {
  eventTime: "2026-03-01T12:00:01.000Z",
  accountId: "7700002",
  applicationId: "a3f0c2de-3333-4b2c-9d3e-4f5a6b7c8d90",
  from: "+19195550111",
  to: "+19195550122",
  direction: "inbound",
  callId: "c-scaffold-capture-1",
  callUrl: "https://voice.bandwidth.com/api/v2/accounts/7700002/calls/c-scaffold-capture-1",
  startTime: "2026-03-01T12:00:00.000Z",
  endTime: "2026-03-01T12:00:02.000Z",
  cause: "hangup",
};

test("the running --stream --capture server with BW_CAPTURE_DIR: deliveries and stream messages recorded, the last ones written on SIGTERM", { timeout: TEST_LIMIT_MS }, async () => {
  const dir = join(work, "running");
  writeScaffold(dir, buildScaffold({ dir, framework: "node", stream: true, capture: true }), false);
  linkScaffoldModules(dir, []);
  const env = { PORT: "0", BW_CALLBACK_USERNAME: "cb-user", BW_CALLBACK_PASSWORD: "cb-pass" };

  const off = startServer(process.execPath, ["--import", "tsx", "src/server.ts"], dir, env);
  await off.url;
  await until(() => /Capture: /.test(off.output())).catch(() => undefined); // the assertion below says what is missing
  assert.match(off.output(), /Capture: off \(set BW_CAPTURE_DIR to record deliveries\)/);
  process.kill(off.child.pid!, "SIGTERM");
  assert.equal(await settles(off.exit, "exit after SIGTERM"), 0, off.output());
  assert.equal(existsSync(join(dir, "captures")), false, "no capture without BW_CAPTURE_DIR");

  const on = startServer(process.execPath, ["--import", "tsx", "src/server.ts"], dir, { ...env, BW_CAPTURE_DIR: "captures" });
  const base = await on.url;
  await until(() => /Capture: /.test(on.output())).catch(() => undefined);
  assert.match(on.output(), /Capture: on, redacted NDJSON files in captures/);
  const stream = await connectBandwidthStream({ url: `${base.replace(/^http/, "ws")}/sockets/stream`, username: "cb-user", password: "cb-pass" });
  try {
    await stream.start({ trackShape: "objects", encoding: "audio/PCMU" });
    await stream.play(silence(100), { realtime: false });
  } finally {
    await stream.stop().catch(() => undefined);
  }
  const answer = await deliverEvent({ url: `${base}/callbacks/voice`, body: { eventType: "disconnect", ...callFields }, username: "cb-user", password: "cb-pass" });
  assert.equal(answer.status, 204, answer.body);
  process.kill(on.child.pid!, "SIGTERM"); // at once: the delivery was answered a moment ago
  assert.equal(await settles(on.exit, "exit after SIGTERM"), 0, on.output());

  const folder = join(dir, "captures");
  const sockets: SocketCaptureEntry[] = [];
  const entries = readdirSync(folder).flatMap((name) => parseCapture(readFileSync(join(folder, name), "utf8"), sockets));
  assert.deepEqual(
    entries.map((entry) => [entry.family, entry.event, entry.answer.status]),
    [["voice", "disconnect", 204]],
  );
  assert.doesNotMatch(JSON.stringify(entries), /c-scaffold-capture-1|\+19195550111|cb-pass/, "redacted");
  assert.ok(sockets.some((record) => record.type === "open"), "the stream's socket is recorded");
});
