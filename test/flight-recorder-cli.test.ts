// The flight recorder's commands, run as a user would (the CLI binary, asynchronously, while the receivers run
// in this process): `replay` of a capture (a simulated multi-step call, a messaging and a numbers delivery)
// is clean against the same receiver, names the BXML element path after a deliberate handler change (exit 1),
// and `--update` accepts the new answers; `fixtures` writes fixtures whose generated node:test file passes;
// `drift` finds an injected unknown field and an event under its earlier (renamed) name (exit 1) and nothing
// in the clean capture (exit 0); each command has --help.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { adopt, limitChild, TEST_LIMIT_MS } from "./support/children.js";
import { BIN, REPO_ROOT, jsonLines } from "./support/cli.js";
import { PASSWORD, USERNAME, recordCapture, startReceiver } from "./support/recorder.js";

// under the repository (git-ignored .tmp/), so the generated test resolves `bw-codegen/testing` by the package's own name
const root = join(REPO_ROOT, ".tmp", `recorder-cli-${process.pid}`);
mkdirSync(root, { recursive: true });
after(() => rmSync(root, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking this process (the receivers answer from here); killed on every path. */
function runAsync(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const plain = { ...process.env, ...env };
    delete plain.FORCE_COLOR;
    delete plain.NO_COLOR;
    delete plain.NODE_TEST_CONTEXT; // the generated test reports as a top-level run, not to this runner
    const child = adopt(spawn(command, args, { cwd: REPO_ROOT, env: plain, stdio: ["ignore", "pipe", "pipe"] }));
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const cancel = limitChild(child, (message) => (stderr += message));
    child.on("close", (status) => {
      cancel();
      resolve({ status, stdout, stderr });
    });
  });
}

const cli = (args: string[], env: Record<string, string> = {}) => runAsync(process.execPath, [BIN, ...args], env);
const credentials = ["--username", USERNAME, "--password", PASSWORD];

test("capture → replay clean, a named BXML difference, --update; fixtures pass; drift", { timeout: TEST_LIMIT_MS }, async () => {
  const dir = join(root, "capture");
  const files = await recordCapture(dir);
  assert.equal(files.length, 1);

  const same = await startReceiver();
  try {
    const clean = await cli(["replay", dir, "--url", same.url, ...credentials]);
    assert.equal(clean.status, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /5 deliveries replayed, no difference/);
  } finally {
    await same.close();
  }

  const changed = await startReceiver({ variant: "changed" });
  try {
    const diff = await cli(["replay", dir, "--url", changed.url, ...credentials]);
    assert.equal(diff.status, 1, diff.stdout + diff.stderr);
    assert.match(diff.stdout, /✗ .*voice gather \/callbacks\/voice 200\n {4}\/Response\/SpeakSentence\[1\]\/text\(\): recorded "Connecting you to sales, 1", now "Sales is closed"/);
    const json = jsonLines((await cli(["replay", dir, "--url", changed.url, "--json"], { BW_CALLBACK_USERNAME: USERNAME, BW_CALLBACK_PASSWORD: PASSWORD })).stdout);
    assert.deepEqual(json.filter((line) => line.ok === false).map((line) => line.differences[0].path), ["/Response/SpeakSentence[1]/text()"]);
    // --update accepts the new answers (on a copy), after which the changed receiver replays clean
    const copy = join(root, "updated.ndjson");
    writeFileSync(copy, readFileSync(files[0]));
    assert.equal((await cli(["replay", copy, "--url", changed.url, "--update", ...credentials])).status, 0);
    const again = await cli(["replay", copy, "--url", changed.url, ...credentials]);
    assert.equal(again.status, 0, again.stdout);
  } finally {
    await changed.close();
  }

  // fixtures + the generated node:test file, replaying in process through the app module's webhooks.fetch
  const out = join(root, "fixtures");
  const app = join(root, "app.mjs");
  writeFileSync(
    app,
    `import { createBandwidthWebhooks } from "bw-codegen";
export const webhooks = createBandwidthWebhooks({
  credentials: [{ username: ${JSON.stringify(USERNAME)}, password: ${JSON.stringify(PASSWORD)} }],
  logger: { info() {}, warn() {}, error() {}, debug() {} },
  voice: {
    initiate: () => '<Response><Gather gatherUrl="/callbacks/voice" username=${JSON.stringify(USERNAME)} password=${JSON.stringify(PASSWORD)} maxDigits="1"><SpeakSentence>Press 1 for sales</SpeakSentence></Gather></Response>',
    gather: (event) => "<Response><SpeakSentence>Connecting you to sales, " + event.digits + "</SpeakSentence><Hangup/></Response>",
    disconnect: () => undefined,
  },
  messaging: { messageReceived: () => undefined, messageDelivered: () => undefined },
  numbers: { orders: () => undefined },
});
`,
  );
  const written = await cli(["fixtures", dir, "--out", out, "--app", app]);
  assert.equal(written.status, 0, written.stderr);
  assert.match(written.stdout, /5 fixtures and replay\.test\.mjs written/);
  const env = { BW_CALLBACK_USERNAME: USERNAME, BW_CALLBACK_PASSWORD: PASSWORD, NODE_OPTIONS: "" };
  const passing = await runAsync(process.execPath, ["--test", "--test-reporter=tap", join(out, "replay.test.mjs")], env);
  assert.equal(passing.status, 0, passing.stdout + passing.stderr);
  assert.match(passing.stdout, /# pass 6/);
  // the same fixtures fail against the changed handler, naming the element
  writeFileSync(app, readFileSync(app, "utf8").replace('"<Response><SpeakSentence>Connecting you to sales, " + event.digits + "', '"<Response><SpeakSentence>Sales is closed'));
  const failing = await runAsync(process.execPath, ["--test", "--test-reporter=tap", join(out, "replay.test.mjs")], env);
  assert.equal(failing.status, 1, failing.stdout);
  assert.match(failing.stdout, /\/Response\/SpeakSentence\[1\]\/text\(\)/);

  // drift: the clean capture has none; an injected unknown field and an event under its earlier name are found
  const clean = await cli(["drift", dir]);
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /5 deliveries checked: no drift/);
  const drifted = join(root, "drifted.ndjson");
  const lines = readFileSync(files[0], "utf8").trim().split("\n").map((line) => JSON.parse(line));
  const disconnect = lines.find((e) => e.event === "disconnect");
  const body = JSON.parse(disconnect.body);
  const injected = [
    { ...disconnect, body: JSON.stringify({ ...body, sipDiagnostics: { code: 17 } }) },
    { ...disconnect, body: JSON.stringify({ ...body, sipDiagnostics: { code: 18 } }) },
    { ...disconnect, event: "recordComplete", body: JSON.stringify({ ...body, eventType: "recordingComplete", recordingId: "r-1", duration: "PT1S", channels: 1, fileFormat: "wav", mediaUrl: "https://voice.bandwidth.com/m" }) },
  ];
  writeFileSync(drifted, [...lines, ...injected].map((e) => `${JSON.stringify(e)}\n`).join(""));
  const found = await cli(["drift", drifted, "--json"]);
  assert.equal(found.status, 1, found.stdout + found.stderr);
  const findings = jsonLines(found.stdout);
  const unknown = findings.find((f) => f.kind === "unknown-field");
  assert.deepEqual([unknown?.family, unknown?.event, unknown?.path, unknown?.count], ["voice", "disconnect", "/sipDiagnostics", 2]);
  const renamed = findings.find((f) => f.kind === "renamed-event");
  assert.deepEqual([renamed?.event, renamed?.values], ["recordComplete", ["recordingComplete"]]);
  const table = await cli(["drift", drifted]);
  assert.match(table.stdout, /voice\s+disconnect\s+unknown-field\s+\/sipDiagnostics\s+2/);

  for (const command of ["replay", "fixtures", "drift"]) {
    const help = await cli([command, "--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, new RegExp(`^Usage: bw-codegen ${command} `));
  }
});
