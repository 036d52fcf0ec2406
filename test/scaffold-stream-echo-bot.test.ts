// `bw-codegen scaffold --stream` (issue 22, item 9): the receiver gets an echo bot on a two-way media
// stream, attached to the same server and port, started by the initiate/answer handlers through
// `bidirectionalStream`. The scaffolded project type-checks against this checkout (every framework), its
// own `npm test` passes (a real WebSocket client), and the running server, driven by the test client that
// plays Bandwidth's side: wrong or missing credentials get a 401 and no socket; with the right ones,
// `playAudio` echoes of what was said arrive and a barge-in yields `clear`, every message valid (strict).
// Without --stream nothing of it is written; --stream without initiate/answer in --events is refused.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { buildScaffold, writeScaffold } from "../generator/cli/scaffold.js";
import { HandshakeRefused, connectBandwidthStream, mulawFrames, silence, tone } from "./support/bandwidth-stream-client.js";
import { TEST_LIMIT_MS } from "./support/children.js";
import { REPO_ROOT, runCli } from "./support/cli.js";
import { killAll, run, startServer } from "./support/processes.js";
import { linkScaffoldModules, scaffoldEchoBot } from "./support/scaffolded-echo-bot.js";

const work = mkdtempSync(join(tmpdir(), "bw-scaffold-stream-"));
after(() => {
  killAll();
  rmSync(work, { recursive: true, force: true });
});

test("without --stream: no bot, no socket, no ws; with it: the bot, its socket, its settings and its README section", () => {
  const plain = buildScaffold({ dir: "plain", framework: "node" });
  for (const path of plain.keys()) assert.doesNotMatch(path, /bot\/|streams|echo/, path);
  assert.doesNotMatch(plain.get("src/app.ts")!, /stream/i);
  assert.doesNotMatch(plain.get(".env.example")!, /BW_STREAM/);
  assert.equal(JSON.parse(plain.get("package.json")!).dependencies.ws, undefined);
  assert.match(plain.get("src/handlers/voice.ts")!, /export const voiceHandlers/);

  const files = buildScaffold({ dir: "streamed", framework: "node", stream: true });
  for (const path of ["src/bot/echo.ts", "src/streams.ts", "test/echo-bot.test.ts"]) assert.ok(files.has(path), path);
  const manifest = JSON.parse(files.get("package.json")!);
  assert.ok(manifest.dependencies.ws && manifest.devDependencies["@types/ws"]);
  assert.match(files.get(".env.example")!, /^BW_STREAM_USERNAME=$/m);
  assert.match(files.get("src/app.ts")!, /attachStreams\(server, config\)/);
  const voice = files.get("src/handlers/voice.ts")!;
  assert.match(voice, /export function createVoiceHandlers\(config: ServerConfig\): VoiceHandlers/);
  assert.equal(voice.match(/\.\.\.bidirectionalStream\(echoBotStream\(config, context\)\)/g)?.length, 2, "initiate and answer start the stream");
  assert.match(files.get("src/webhooks.ts")!, /voice: createVoiceHandlers\(config\),/);
  const readme = files.get("README.md")!;
  assert.match(readme, /^## The echo bot \(--stream\)$/m);
  assert.match(readme, /\| WebSocket \| `\/sockets\/stream` \|/);
  assert.match(readme, /BW_STREAM_URL/);
});

test("--stream with --events that leave out initiate and answer is refused (nothing would start the stream)", () => {
  assert.throws(() => buildScaffold({ dir: "x", framework: "node", stream: true, events: ["disconnect"] }), /--stream needs initiate or answer in --events/);
  assert.ok(buildScaffold({ dir: "x", framework: "node", stream: true, events: ["answer", "disconnect"] }).has("src/bot/echo.ts"));
});

test("scaffold --stream: --help names it, Next: says what to set and how to simulate a call with the caller.json it writes", () => {
  const help = runCli(["scaffold", "--help"]);
  assert.match(help.stdout, /^ {2}--stream {10}adds a voice bot/m);
  const out = runCli(["scaffold", join(work, "cli"), "--stream"], { cwd: work });
  assert.equal(out.status, 0, out.stderr);
  const next = out.stdout.slice(out.stdout.indexOf("Next:"));
  assert.match(next, /BW_STREAM_URL/);
  assert.match(out.stdout, /created {6}src\/bot\/echo\.ts/);
  // the caller the README's simulate call plays: written into the project, the same as examples/echo-bot/caller.json
  assert.match(out.stdout, /created {6}caller\.json/);
  assert.equal(readFileSync(join(work, "cli", "caller.json"), "utf8"), readFileSync(join(REPO_ROOT, "examples", "echo-bot", "caller.json"), "utf8"));
  assert.match(next, /npx bw-codegen simulate call --url http:\/\/127\.0\.0\.1:3000\/callbacks\/voice .*--script caller\.json/);
  const plain = runCli(["scaffold", join(work, "cli-plain")], { cwd: work });
  assert.doesNotMatch(plain.stdout, /BW_STREAM|echo/);
});

test("every framework's --stream project type-checks against this checkout", { timeout: TEST_LIMIT_MS }, () => {
  const extra: Record<string, string[]> = { node: [], express: ["express"], fastify: ["fastify"], hono: ["hono", "@hono"] };
  for (const framework of ["node", "express", "fastify", "hono"] as const) {
    const dir = join(work, `tsc-${framework}`);
    writeScaffold(dir, buildScaffold({ dir, framework, stream: true }), false);
    linkScaffoldModules(dir, extra[framework]);
    const tsc = run(process.execPath, [join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", join(dir, "tsconfig.json")], dir);
    assert.equal(tsc.status, 0, `${framework}: ${tsc.output}`);
  }
});

describe("the scaffolded echo bot, running", { timeout: TEST_LIMIT_MS }, () => {
  const dir = join(work, "bot");
  const USER = "callback-user";
  const PASS = "callback-pass";
  const STREAM_USER = "bw-stream";
  const STREAM_PASS = "stream:secret";
  let base = "";

  before(async () => {
    scaffoldEchoBot(dir);
    const server = startServer(process.execPath, ["--import", "tsx", "src/server.ts"], dir, {
      PORT: "0",
      BW_CALLBACK_USERNAME: USER,
      BW_CALLBACK_PASSWORD: PASS,
      BW_STREAM_USERNAME: STREAM_USER,
      BW_STREAM_PASSWORD: STREAM_PASS,
    });
    base = await server.url;
  });

  test("its own npm test (a real WebSocket client against the bot; a simulated call with the caller of caller.json) passes", () => {
    // every test file `npm test` runs: the simulated call's once expected no stream events, and failed
    const result = run(process.execPath, ["--import", "tsx", "--test", ...readdirSync(join(dir, "test")).filter((f) => f.endsWith(".test.ts")).map((f) => `test/${f}`)], dir);
    assert.equal(result.status, 0, result.output);
  });

  test("wrong, missing or the callback credentials on the handshake: 401 with a challenge, no socket", async () => {
    const url = `${base.replace(/^http/, "ws")}/sockets/stream`;
    for (const credentials of [{ username: STREAM_USER, password: "guess" }, {}, { username: USER, password: PASS }]) {
      const refused = await connectBandwidthStream({ url, ...credentials }).then(
        (client) => {
          client.socket.terminate();
          return undefined;
        },
        (error: unknown) => error,
      );
      assert.ok(refused instanceof HandshakeRefused, `a socket opened with ${JSON.stringify(Object.keys(credentials))}: ${String(refused)}`);
      assert.equal(refused.status, 401);
      assert.match(refused.wwwAuthenticate ?? "", /^Basic realm=/);
    }
  });

  for (const trackShape of ["objects", "strings"] as const) {
    test(`right credentials (${trackShape} tracks): the echo of what was said arrives as playAudio, a barge-in yields clear`, async () => {
      const client = await connectBandwidthStream({ url: `${base.replace(/^http/, "ws")}/sockets/stream`, username: STREAM_USER, password: STREAM_PASS });
      try {
        await client.start({ trackShape, encoding: trackShape === "strings" ? "PCMU" : "audio/PCMU", streamParams: { customer: "42" } });
        const said = tone(440, 600);
        await client.play(said, { realtime: false }); // the caller speaks (0.6 s)
        await client.play(silence(500), { realtime: false }); // and pauses: the bot answers
        await client.waitFor((m) => m.eventType === "playAudio", "the echo");
        await client.play(tone(300, 100), { realtime: false }); // the caller talks over it
        await client.waitFor((m) => m.eventType === "clear", "clear after the barge-in");
        assert.deepEqual(client.invalid, []);
        assert.deepEqual(
          client.received.map((r) => r.message.eventType),
          ["playAudio", "clear"],
        );
        const echo = client.received[0].message;
        assert.ok(echo.eventType === "playAudio");
        assert.equal(echo.media.contentType, "audio/pcmu");
        assert.deepEqual(Buffer.from(echo.media.payload, "base64"), Buffer.concat(mulawFrames(said)), "the echo is what the caller said, byte for byte");
        await client.stop();
      } finally {
        await client.close();
      }
    });
  }
});
