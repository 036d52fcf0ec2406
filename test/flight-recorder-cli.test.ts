// The flight recorder's commands, run as a user would (the CLI binary, asynchronously, while the receivers run
// in this process), over issue 28's "done when": a capture of a simulated multi-step call with a bidirectional
// media stream (the receiver and attachStreamServer given the same createCapture), a messaging and a numbers
// delivery. `replay` is clean against the same receiver (deliveries and the socket), names the BXML element
// path after a deliberate handler change and the socket and message index after a deliberate bot change
// (exit 1), and `--update` accepts the new answers (the socket's too); `fixtures` writes fixtures (the socket
// among them) whose generated node:test file passes in a fresh project and fails naming the element or the
// socket message after the same changes; `drift` finds an injected unknown field and an event under its
// earlier (renamed) name (exit 1) and nothing in the clean capture (exit 0); each command has --help.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { TEST_LIMIT_MS } from "./support/children.js";
import { BIN, jsonLines, REPO_ROOT, runAsync } from "./support/cli.js";
import { PASSWORD, STREAM_PASSWORD, STREAM_USERNAME, USERNAME, recordCapture } from "./support/recorder.js";

const root = mkdtempSync(join(tmpdir(), "bw-recorder-cli-"));
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

/** Runs a command without blocking this process (the receivers answer from here); killed on every path. */
const runAsyncIn = (cwd: string, command: string, args: string[], env: Record<string, string> = {}) => runAsync(command, args, { cwd, env });
const cli = (args: string[], env: Record<string, string> = {}) => runAsync(process.execPath, [BIN, ...args], { env });
const credentials = ["--username", USERNAME, "--password", PASSWORD, "--socket-username", STREAM_USERNAME, "--socket-password", STREAM_PASSWORD];

test("capture of a call with a stream → replay clean, named BXML and socket differences, --update; fixtures pass in a fresh project; drift", { timeout: TEST_LIMIT_MS }, async () => {
  const dir = join(root, "capture");
  // the very receiver recorded stays up for the replays: its stream destination (an absolute URL) names its port
  const { files, receiver } = await recordCapture(dir, { stream: true, keep: true });
  closers.push(() => receiver.close());
  assert.equal(files.length, 1);

  const replayed = await cli(["replay", dir, "--url", receiver.url, ...credentials]);
  assert.equal(replayed.status, 0, replayed.stdout + replayed.stderr);
  assert.match(replayed.stdout, /5 deliveries replayed, no difference\n1 socket replayed, no difference\n/);
  assert.match(replayed.stdout, /✓ .*ndjson stream#1 \/sockets\/stream \d+ in, 2 out, close 1000\n/);

  // a deliberate handler change: the BXML element path is named, the socket stays clean
  receiver.variant = "changed";
  const diff = await cli(["replay", dir, "--url", receiver.url, ...credentials]);
  assert.equal(diff.status, 1, diff.stdout + diff.stderr);
  assert.match(diff.stdout, /✗ .*voice gather \/callbacks\/voice 200\n {4}\/Response\/SpeakSentence\[1\]\/text\(\): recorded "Connecting you to sales, 1", now "Sales is closed"/);
  assert.match(diff.stdout, /1 socket replayed, no difference/);
  const env = { BW_CALLBACK_USERNAME: USERNAME, BW_CALLBACK_PASSWORD: PASSWORD, BW_STREAM_USERNAME: STREAM_USERNAME, BW_STREAM_PASSWORD: STREAM_PASSWORD };
  const json = jsonLines((await cli(["replay", dir, "--url", receiver.url, "--json"], env)).stdout);
  assert.deepEqual(json.filter((line) => line.ok === false).map((line) => line.differences[0].path), ["/Response/SpeakSentence[1]/text()"]);

  // a deliberate bot change: the socket and the message index are named
  receiver.variant = "bot-changed";
  const botDiff = await cli(["replay", dir, "--url", receiver.url, ...credentials]);
  assert.equal(botDiff.status, 1, botDiff.stdout + botDiff.stderr);
  assert.match(botDiff.stdout, /✗ .*ndjson stream#1 \/sockets\/stream \d+ in, 2 out, close 1000\n {4}stream#1 out\[1\]: recorded "clear", now "playAudio audio\/pcmu"\n/);
  assert.match(botDiff.stdout, /5 deliveries replayed, no difference\n1 socket replayed, 1 different\n/);
  const socketJson = jsonLines((await cli(["replay", dir, "--url", receiver.url, "--json"], env)).stdout);
  const socketLine = socketJson.find((line) => line.socket === "stream");
  assert.deepEqual([socketLine?.connection, socketLine?.ok, socketLine?.differences], [1, false, [{ path: "out[1]", recorded: "clear", actual: "playAudio audio/pcmu" }]]);
  assert.deepEqual(socketJson.at(-1), { summary: true, deliveries: 5, different: 0, sockets: 1, socketsDifferent: 1, socketsSkipped: 0, updated: false });

  // --update accepts the new answers (on a copy), after which the changed receiver replays clean; and the
  // socket as replayed (on another copy), after which the changed bot replays clean and the original differs
  for (const variant of ["changed", "bot-changed"] as const) {
    const copy = join(root, `updated-${variant}.ndjson`);
    writeFileSync(copy, readFileSync(files[0]));
    receiver.variant = variant;
    assert.equal((await cli(["replay", copy, "--url", receiver.url, "--update", ...credentials])).status, 0);
    const again = await cli(["replay", copy, "--url", receiver.url, ...credentials]);
    assert.equal(again.status, 0, again.stdout);
  }
  receiver.variant = "original";
  const back = await cli(["replay", join(root, "updated-bot-changed.ndjson"), "--url", receiver.url, ...credentials]);
  assert.equal(back.status, 1, back.stdout);
  assert.match(back.stdout, /stream#1 out\[1\]: recorded "playAudio audio\/pcmu", now "clear"/);
  assert.match(back.stdout, /5 deliveries replayed, no difference/);

  // fixtures in a fresh project (outside this checkout; bw-codegen linked as an install would place it), the
  // generated node:test file replaying in process through the app module's webhooks.fetch and stream server
  const project = join(root, "fresh-project");
  mkdirSync(join(project, "node_modules"), { recursive: true });
  symlinkSync(REPO_ROOT, join(project, "node_modules", "bw-codegen"));
  writeFileSync(join(project, "package.json"), `${JSON.stringify({ name: "fresh-project", private: true, type: "module" }, null, 2)}\n`);
  const out = join(project, "test", "fixtures");
  const app = join(project, "app.mjs");
  writeFileSync(
    app,
    `import { createBandwidthWebhooks } from "bw-codegen";
import { createStreamServer } from "bw-codegen/sockets";
// where Bandwidth is told to open the stream (your public wss:// URL; here the receiver the capture was made on)
const STREAM_URL = ${JSON.stringify(receiver.streamUrl)};
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
export const webhooks = createBandwidthWebhooks({
  credentials: [{ username: ${JSON.stringify(USERNAME)}, password: ${JSON.stringify(PASSWORD)} }],
  logger: quiet,
  voice: {
    initiate: () => '<Response><StartStream name="bot" mode="bidirectional" destination="' + STREAM_URL + '" destinationUsername=${JSON.stringify(STREAM_USERNAME)} destinationPassword=${JSON.stringify(STREAM_PASSWORD)}/><Gather gatherUrl="/callbacks/voice" username=${JSON.stringify(USERNAME)} password=${JSON.stringify(PASSWORD)} maxDigits="1"><SpeakSentence>Press 1 for sales</SpeakSentence></Gather></Response>',
    gather: (event) => "<Response><SpeakSentence>Connecting you to sales, " + event.digits + "</SpeakSentence><Hangup/></Response>",
    disconnect: () => undefined,
  },
  messaging: { messageReceived: () => undefined, messageDelivered: () => undefined },
  numbers: { orders: () => undefined },
});
const SILENCE = new Uint8Array(160).fill(0xff);
export const sockets = createStreamServer({
  logger: quiet,
  stream: {
    credentials: [{ username: ${JSON.stringify(STREAM_USERNAME)}, password: ${JSON.stringify(STREAM_PASSWORD)} }],
    createState: () => ({ frames: 0 }),
    onStart: (_start, stream) => void stream.playAudio(SILENCE),
    onMedia: (_frame, stream) => {
      if (++stream.state.frames === 1) stream.clear();
    },
  },
});
`,
  );
  const written = await cli(["fixtures", dir, "--out", out, "--app", app]);
  assert.equal(written.status, 0, written.stderr);
  assert.match(written.stdout, /5 fixtures and 1 socket fixture and replay\.test\.mjs written/);
  const testEnv = { ...env, NODE_OPTIONS: "" };
  const inProject = (args: string[]) => runAsyncIn(project, process.execPath, args, testEnv);
  const passing = await inProject(["--test", "--test-reporter=tap", join(out, "replay.test.mjs")]);
  assert.equal(passing.status, 0, passing.stdout + passing.stderr);
  assert.match(passing.stdout, /ok \d+ - 006-socket-stream-1\.json/);
  assert.match(passing.stdout, /# pass 7/);
  // the same fixtures fail against the changed handler naming the element, and against the changed bot naming the socket message
  const original = readFileSync(app, "utf8");
  writeFileSync(app, original.replace('"<Response><SpeakSentence>Connecting you to sales, " + event.digits + "', '"<Response><SpeakSentence>Sales is closed'));
  const failing = await inProject(["--test", "--test-reporter=tap", join(out, "replay.test.mjs")]);
  assert.equal(failing.status, 1, failing.stdout);
  assert.match(failing.stdout, /\/Response\/SpeakSentence\[1\]\/text\(\)/);
  writeFileSync(app, original.replace("stream.clear();", "stream.playAudio(SILENCE);"));
  const botFailing = await inProject(["--test", "--test-reporter=tap", join(out, "replay.test.mjs")]);
  assert.equal(botFailing.status, 1, botFailing.stdout);
  assert.match(botFailing.stdout, /not ok \d+ - 006-socket-stream-1\.json/);
  assert.match(botFailing.stdout, /stream#1 out\[1\]: recorded "clear", now "playAudio audio\/pcmu"/);

  // drift: the clean capture has none; an injected unknown field and an event under its earlier name are found
  const clean = await cli(["drift", dir]);
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /5 deliveries and \d+ socket messages checked: no drift/);
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

  // the socket options' usage errors (exit 2): half a credential pair, a transcription secret too short to be one
  const half = await cli(["replay", dir, "--url", "http://127.0.0.1:9", "--socket-username", STREAM_USERNAME]);
  assert.equal(half.status, 2);
  assert.match(half.stderr, /give both --socket-username and --socket-password, or neither/);
  const short = await cli(["replay", dir, "--url", "http://127.0.0.1:9"], { BW_TRANSCRIPTION_SECRET: "short" });
  assert.equal(short.status, 2);
  assert.match(short.stderr, /transcription secret must be at least 16 bytes/);
  assert.ok(!short.stderr.includes("short\n") && !short.stderr.includes('"short"'), "the secret is not echoed");

  for (const command of ["replay", "fixtures", "drift"]) {
    const help = await cli([command, "--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, new RegExp(`^Usage: bw-codegen ${command} `));
  }
});
