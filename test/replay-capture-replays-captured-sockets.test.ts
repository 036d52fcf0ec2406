// replayCapture (bw-codegen/testing) replays captured sockets, not only deliveries: a capture of a simulated
// call with a bidirectional media stream (receiver + attachStreamServer given the same createCapture) replays
// clean against the very receiver recorded, over ws (a URL target) and in process (webhooks.fetch + the stream
// server, no network); a deliberate bot change is named by connection and message index (`out[1]`), a handler
// change by BXML element path with the socket clean. Dropped media payloads reach the server as valid μ-law
// silence of the recorded length. The call's <StartTranscription> destination differs at every call only by
// its signed URL token, which is no BXML difference. A transcription socket's masked URL token: skipped (said why) without a
// secret, a fresh token minted with one, refused (a named `open` difference) with a wrong one.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { createCapture, parseCapture, type SocketCaptureEntry } from "../generated/capture.js";
import { createStreamServer, createTranscriptionTokenVerifier, transcriptionDestination } from "../generated/sockets.js";
import { attachStreamServer } from "../generated/sockets-node.js";
import { replayCapture, simulateCall } from "../generated/testing.js";
import { compareSockets, silencePayload, socketSessions } from "../generated/runtime/capture/socket-sessions.js";
import { compareAnswers } from "../generated/runtime/capture/compare.js";
import { PASSWORD, type Receiver, STREAM_PASSWORD, STREAM_USERNAME, USERNAME, recordCapture } from "./support/recorder.js";
import { until } from "./support/until.js";

const root = mkdtempSync(join(tmpdir(), "bw-replay-sockets-"));
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const credentials = { username: USERNAME, password: PASSWORD };
const streamCredentials = { username: STREAM_USERNAME, password: STREAM_PASSWORD };

let recorded: { text: string; receiver: Receiver } | undefined;
/** One capture of the streamed call for the tests below; its receiver stays up (closed at the end). */
async function streamedCall(): Promise<{ text: string; receiver: Receiver }> {
  if (recorded !== undefined) return recorded;
  const { files, receiver } = await recordCapture(join(root, "call"), { stream: true, keep: true });
  cleanups.push(() => receiver.close());
  recorded = { text: files.map((file) => readFileSync(file, "utf8")).join(""), receiver };
  return recorded;
}

test("a captured call with a bidirectional stream replays clean, over ws and in process; a bot change names out[1]; a handler change names the element", async () => {
  const { text, receiver } = await streamedCall();
  const sockets: SocketCaptureEntry[] = [];
  const deliveries = parseCapture(text, sockets);
  assert.deepEqual(deliveries.map((e) => `${e.family}:${e.event}`), ["voice:initiate", "voice:gather", "voice:disconnect", "messaging:message-received", "numbers:orders"]);
  const types = sockets.map((e) => `${e.type}:${e.event ?? ""}`);
  assert.deepEqual([types[0], types[1], types[2], types.at(-2), types.at(-1)], ["open:", "in:start", "out:playAudio", "in:stop", "close:"]);
  assert.ok(types.includes("out:clear"));

  const overWs = { ...credentials, sockets: streamCredentials };
  const inProcess = { ...credentials, sockets: { ...streamCredentials, target: receiver.sockets! } };
  for (const [target, options] of [[receiver.url, overWs], [receiver.webhooks.fetch, inProcess]] as const) {
    const report = await replayCapture(target, text, options);
    assert.deepEqual([...report.results.flatMap((r) => r.differences), ...report.sockets.flatMap((s) => s.differences)], []);
    assert.equal(report.sockets.length, 1);
    const [socket] = report.sockets;
    assert.equal(socket.skipped, undefined);
    assert.deepEqual([socket.kind, socket.connection, socket.url], ["stream", 1, "/sockets/stream"]);
    assert.deepEqual(socket.actual, socket.recorded);
    assert.deepEqual(socket.actual!.out, ["playAudio audio/pcmu", "clear"]);
    assert.equal(socket.actual!.close, 1000);
    assert.equal(socket.actual!.in, sockets.filter((e) => e.type === "in").length);
    assert.equal(report.ok, true);
  }

  receiver.variant = "bot-changed";
  try {
    for (const [target, options] of [[receiver.url, overWs], [receiver.webhooks.fetch, inProcess]] as const) {
      const report = await replayCapture(target, text, options);
      assert.equal(report.ok, false);
      assert.deepEqual(report.results.flatMap((r) => r.differences), []);
      assert.deepEqual(report.sockets[0].differences, [{ path: "out[1]", recorded: "clear", actual: "playAudio audio/pcmu" }]);
    }
    receiver.variant = "changed";
    const report = await replayCapture(receiver.webhooks.fetch, text, inProcess);
    assert.deepEqual(report.results.flatMap((r) => r.differences.map((d) => d.path)), ["/Response/SpeakSentence[1]/text()"]);
    assert.deepEqual(report.sockets[0].differences, []);
  } finally {
    receiver.variant = "original";
  }

  // wrong stream credentials: the refused handshake is a named difference, over either transport
  for (const target of [receiver.url, receiver.webhooks.fetch] as const) {
    const report = await replayCapture(target, text, { ...credentials, sockets: { username: STREAM_USERNAME, password: "wrong-password", ...(typeof target === "string" ? {} : { target: receiver.sockets! }) } });
    assert.equal(report.ok, false);
    assert.equal(report.sockets[0].differences[0].path, "open");
    assert.match(report.sockets[0].error!, /401/);
  }

  // a Fetch handler target and no socket target: the sockets are skipped, saying why (no difference)
  const skipped = await replayCapture(receiver.webhooks.fetch, text, credentials);
  assert.equal(skipped.ok, true);
  assert.match(skipped.sockets[0].skipped!, /sockets\.target/);
});

test("dropped media payloads reach the server as μ-law silence of the recorded length", async () => {
  const { text } = await streamedCall();
  const sockets: SocketCaptureEntry[] = [];
  parseCapture(text, sockets);
  const media = sockets.filter((e) => e.event === "media");
  assert.ok(media.length > 0 && media.every((e) => JSON.parse(e.message!).payload === "" && e.payloadLength === 216));
  const frames: Uint8Array[] = [];
  const invalid: unknown[] = [];
  const inspector = createStreamServer({ logger: quiet, onInvalidMessage: (info) => void invalid.push(info), stream: { credentials: [streamCredentials], onMedia: (frame) => void frames.push(frame.audio) } });
  const report = await replayCapture(() => new Response(null, { status: 204 }), sockets, { sockets: { ...streamCredentials, target: inspector, stepTimeoutMs: 50 } });
  assert.deepEqual(invalid, []);
  assert.equal(frames.length, media.length);
  assert.ok(frames.every((frame) => frame.length === 160 && frame.every((byte) => byte === 0xff)));
  assert.equal(report.sockets[0].actual!.in, sockets.filter((e) => e.type === "in").length);
  assert.equal(silencePayload(216).length, 216);
  assert.equal(Buffer.from(silencePayload(216), "base64").length, 160);
});

test("a transcription socket: its masked URL token is skipped without a secret, minted fresh with one, refused with a wrong one", async () => {
  const SECRET = "transcription-secret-0123456789";
  const dir = join(root, "transcription");
  const capture = createCapture({ dir });
  cleanups.push(async () => void (await capture.close().catch(() => undefined)));
  const seen: string[] = [];
  const sockets = createStreamServer({
    logger: quiet,
    capture,
    transcription: {
      verifyToken: createTranscriptionTokenVerifier({ secrets: [SECRET] }).verifyUpgrade,
      onTranscription: (update) => void (update.isPartial ? undefined : seen.push(update.transcript)),
    },
  });
  let base = "";
  const webhooks = createBandwidthWebhooks({
    credentials: [credentials],
    logger: quiet,
    voice: {
      initiate: async (event) =>
        `<Response><StartTranscription name="live" destination="${await transcriptionDestination({ baseUrl: `${base}/sockets/transcription`, secret: SECRET, callId: event.callId })}"/><Pause duration="3"/></Response>`,
      disconnect: () => undefined,
    },
  });
  const server = createServer(webhooks.node);
  const attached = attachStreamServer(server, sockets);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    await attached.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const port = (server.address() as AddressInfo).port;
  base = `ws://127.0.0.1:${port}`;
  const caller = { segments: [{ silence: 0.5 }, { tone: 440, seconds: 1, text: "Hello there" }, { silence: 1 }] };
  const trace = await simulateCall(`http://127.0.0.1:${port}/callbacks/voice`, { ...credentials, speed: "max", seed: 3, caller });
  assert.equal(trace.ok, true, JSON.stringify(trace.problems));
  await until(() => sockets.openSockets === 0);
  const entries: SocketCaptureEntry[] = [];
  for (const file of await capture.close()) parseCapture(readFileSync(file, "utf8"), entries);
  assert.equal(entries[0].url, "/sockets/transcription?token=***");
  assert.deepEqual(seen, ["Hello there"]);

  const without = await replayCapture(`http://127.0.0.1:${port}`, entries);
  assert.equal(without.ok, true);
  assert.match(without.sockets[0].skipped!, /URL token is masked/);
  assert.equal(seen.length, 1, "a skipped socket is not opened");

  for (const target of [`http://127.0.0.1:${port}`, webhooks.fetch] as const) {
    const minted = await replayCapture(target, entries, { sockets: { transcriptionSecret: SECRET, ...(typeof target === "string" ? {} : { target: sockets }) } });
    assert.deepEqual(minted.sockets[0].differences, []);
    assert.equal(minted.sockets[0].actual!.close, entries.at(-1)!.code);
    assert.equal(minted.ok, true);
  }
  assert.equal(seen.length, 3, "both replays reached the handler");
  assert.match(seen[1], /^\[redacted 11 characters\]$/);

  // a fresh token is a credential: never minted for ws:// to a host that is not loopback
  const clear = await replayCapture(`http://127.0.0.1:${port}`, entries, { sockets: { transcriptionSecret: SECRET, target: "ws://bot.example.com" } });
  assert.match(clear.sockets[0].skipped!, /not sent over ws:\/\/ to a host that is not loopback/);

  const wrong = await replayCapture(`http://127.0.0.1:${port}`, entries, { sockets: { transcriptionSecret: "another-secret-0123456789" } });
  assert.equal(wrong.ok, false);
  assert.equal(wrong.sockets[0].differences[0].path, "open");
});

test("socketSessions: a new open starts a new session, so captures read together never merge; compareSockets names each difference", () => {
  const head = { v: 1 as const, socket: "stream" as const, connection: 1, at: "2026-12-05T00:00:00.000Z" };
  const one = [
    { ...head, type: "open" as const, url: "/sockets/stream" },
    { ...head, type: "in" as const, event: "start", message: "{}" },
    { ...head, type: "close" as const, code: 1000 },
  ];
  const sessions = socketSessions([...one, ...one]);
  assert.equal(sessions.length, 2);
  assert.deepEqual(sessions.map((s) => s.messages.length), [1, 1]);
  assert.deepEqual(
    compareSockets({ out: ["playAudio audio/PCMU", "clear"], in: 5, close: 1000 }, { out: ["playAudio audio/wav"], in: 3, close: 4010 }),
    [
      { path: "out[0]", recorded: "playAudio audio/PCMU", actual: "playAudio audio/wav" },
      { path: "out[1]", recorded: "clear", actual: undefined },
      { path: "in", recorded: "5 messages read", actual: "3 sent before the socket closed" },
      { path: "close", recorded: "1000", actual: "4010" },
    ],
  );
});

test("a <StartTranscription> destination's URL token (signed afresh at every call) is no BXML difference; the rest of the URL is", () => {
  const answer = (destination: string) => ({ status: 200, contentType: "application/xml", body: `<Response><StartTranscription name="live" destination="${destination}"/></Response>` });
  const base = "wss://bot.example.com/sockets/transcription";
  assert.deepEqual(compareAnswers(answer(`${base}?token=v1.Yy0x.1796460886.PlRF`), answer(`${base}?token=v1.Yy0y.1796461000.QmTx`)), []);
  assert.deepEqual(compareAnswers(answer(`${base}?a=1&amp;token=v1.x`), answer(`${base}?a=1&amp;token=v1.y`)), []);
  assert.deepEqual(
    compareAnswers(answer(`${base}?token=v1.x`), answer(`wss://other.example.com/sockets/transcription?token=v1.y`)).map((d) => d.path),
    ["/Response/StartTranscription[1]/@destination"],
  );
  assert.deepEqual(compareAnswers(answer(`${base}?a=1&amp;token=v1.x`), answer(`${base}?a=2&amp;token=v1.x`)).map((d) => d.path), ["/Response/StartTranscription[1]/@destination"]);
});
