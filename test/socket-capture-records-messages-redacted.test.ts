// Socket capture (`createStreamServer({ capture })` with `createCapture` of bw-codegen/capture) over real
// sockets on 127.0.0.1: a media stream (start, media, playAudio, clear, stop) is recorded in order, both
// ways, redacted like deliveries (no phone number, credential, URL token, original id or streamParams value
// in the file), media payloads dropped by default (length and sequenceNumber kept) and kept with
// `keepMedia`; a capture that cannot be written (or a sink that throws) never breaks the socket; `drift`
// reports an unknown field injected into a captured `start`, and `replay` replays the captured socket (here to
// a port nothing listens on: the socket that did not open is named).
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { WebSocket } from "ws";
import { parseCapture, type SocketCaptureEntry } from "../generated/capture.js";
import { type StreamServerOptions, createStreamServer } from "../generated/sockets.js";
import { attachStreamServer } from "../generated/sockets-node.js";
import { captureFolder } from "./support/capture.js";
import { runCliAsync } from "./support/cli.js";
import { settles, until } from "./support/until.js";
import { closedAfterTheFile } from "./support/socket-peers.js";

const { servers, clients } = closedAfterTheFile();
// registered after the hook above: the captures close (and the folder goes) once clients and servers have
const { root, createCapture } = captureFolder("bw-socket-capture-");

const USER = { username: "bw-stream", password: "sock-s3cret-pw" };
const AUTHORIZATION = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString("base64")}`;
const QUIET = { debug() {}, info() {}, warn() {}, error() {} };
const PHONE = "+19195550123";
const CALL_ID = "c-2f6a9d14-7c3b81e0-4e5d-49a2-b7f1-93c0de5a2b6f";
const STREAM_ID = "s-4b2e8f17-0c9a-4d3e-b6f1-7a5c2e9d8b03";
const ACCOUNT_ID = "5590123";
const PARAM_VALUE = "loyalty-gold-778";
const TOKEN = "tok-abcdef-0123456789";
const START = {
  eventType: "start",
  metadata: { accountId: ACCOUNT_ID, callId: CALL_ID, streamId: STREAM_ID, streamName: "voice-bot", tracks: [{ name: "inbound", mediaFormat: { encoding: "audio/PCMU", sampleRate: 8000 } }] },
  streamParams: { tier: PARAM_VALUE, caller: PHONE },
};
const AUDIO = Buffer.from(Uint8Array.from({ length: 160 }, (_, i) => (i * 7) & 0xff));
const PAYLOAD = AUDIO.toString("base64");
const media = (sequenceNumber: number): string => JSON.stringify({ eventType: "media", track: "inbound", sequenceNumber: String(sequenceNumber), payload: PAYLOAD });
const STOP = { eventType: "stop", metadata: START.metadata };

/** A server whose bot answers start with playAudio and the first media with clear. */
async function serve(capture: StreamServerOptions["capture"]): Promise<number> {
  const server = createStreamServer<{ frames: number }>({
    logger: QUIET,
    capture,
    stream: {
      credentials: [USER],
      createState: () => ({ frames: 0 }),
      onStart: (_start, stream) => void stream.playAudio(AUDIO),
      onMedia: (_frame, stream) => {
        if (++stream.state.frames === 1) stream.clear();
      },
      onStop: (_stop, stream) => stream.close(),
    },
  });
  const http = createServer((_req, res) => res.end("http"));
  servers.push(http);
  attachStreamServer(http, server);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return (http.address() as AddressInfo).port;
}

/** Plays one stream as Bandwidth would; resolves to what the bot sent and how the socket closed. */
async function playStream(port: number): Promise<{ received: string[]; close: { code: number; reason: string } }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/sockets/stream?token=${TOKEN}`, { headers: { authorization: AUTHORIZATION, "user-agent": "bandwidth-test" } });
  clients.push(ws);
  const received: string[] = [];
  ws.on("message", (data) => received.push(data.toString()));
  ws.on("error", () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  await settles(new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  }), "open");
  ws.send(JSON.stringify(START));
  await until(() => received.length >= 1); // playAudio: the start was handled
  ws.send(media(1));
  await until(() => received.length >= 2); // clear
  ws.send(media(2));
  ws.send(JSON.stringify(STOP));
  return { received, close: await settles(closed, "close") };
}

function socketEntries(files: string[]): SocketCaptureEntry[] {
  const sockets: SocketCaptureEntry[] = [];
  for (const file of files) parseCapture(readFileSync(file, "utf8"), sockets);
  return sockets;
}

test("a stream is captured in order both ways, redacted, media payloads dropped (length and sequenceNumber kept)", async () => {
  const capture = createCapture({ dir: join(root, "default") });
  const port = await serve(capture);
  const { received, close } = await playStream(port);
  assert.equal(close.code, 1000);
  assert.equal(received.length, 2);
  await until(() => capture.socketStats.recorded === 8); // the server's side of the close is recorded too
  const files = await capture.close();
  const text = files.map((file) => readFileSync(file, "utf8")).join("");
  const entries = socketEntries(files);
  assert.deepEqual(
    entries.map((e) => `${e.type}:${e.event ?? ""}`),
    ["open:", "in:start", "out:playAudio", "in:media", "out:clear", "in:media", "in:stop", "close:"],
  );
  assert.ok(entries.every((e) => e.socket === "stream" && e.connection === 1));
  const [open, start, play, media1, , media2, , closeEntry] = entries;
  assert.equal(open.url, "/sockets/stream?token=***");
  assert.deepEqual(open.headers, { "user-agent": "bandwidth-test" });
  assert.equal(closeEntry.code, 1000);
  // ids keep their shape under pseudonyms; streamParams values are replaced
  const startMessage = JSON.parse(start.message!);
  assert.match(startMessage.metadata.callId, /^c-/);
  assert.notEqual(startMessage.metadata.callId, CALL_ID);
  assert.notEqual(startMessage.streamParams.tier, PARAM_VALUE);
  assert.deepEqual(Object.keys(startMessage.streamParams), ["tier", "caller"]);
  // media: payload dropped, its length and the sequence number kept
  for (const [entry, n] of [[media1, "1"], [media2, "2"]] as const) {
    const message = JSON.parse(entry.message!);
    assert.equal(message.payload, "");
    assert.equal(message.sequenceNumber, n);
    assert.equal(entry.payloadLength, PAYLOAD.length);
  }
  assert.equal(JSON.parse(play.message!).media.payload, "");
  assert.equal(play.payloadLength, PAYLOAD.length);
  // the leak check: nothing personal, no credential, no token, no original id or param value, no audio
  for (const secret of [PHONE, PHONE.slice(1), CALL_ID, STREAM_ID, ACCOUNT_ID, PARAM_VALUE, TOKEN, USER.password, AUTHORIZATION, AUTHORIZATION.slice(6), PAYLOAD]) {
    assert.ok(!text.includes(secret), `${secret} is in the capture`);
  }
  assert.ok(!/authorization/i.test(text));
  assert.equal(capture.socketStats.recorded, 8);
});

test("keepMedia keeps the media and playAudio payloads as they were", async () => {
  const capture = createCapture({ dir: join(root, "keep"), keepMedia: true });
  const port = await serve(capture);
  await playStream(port);
  await until(() => capture.socketStats.recorded === 8);
  const entries = socketEntries(await capture.close());
  const payloads = entries.filter((e) => e.event === "media").map((e) => JSON.parse(e.message!).payload);
  assert.deepEqual(payloads, [PAYLOAD, PAYLOAD]);
  assert.equal(JSON.parse(entries.find((e) => e.event === "playAudio")!.message!).media.payload, PAYLOAD);
  assert.ok(entries.every((e) => e.payloadLength === undefined));
});

test("a capture that cannot be written, or a sink that throws, never breaks the socket", async () => {
  const blocker = join(root, "a-file");
  writeFileSync(blocker, "not a folder");
  const errors: string[] = [];
  const unwritable = createCapture({ dir: join(blocker, "captures"), logger: { warn: () => undefined, error: (m: string) => void errors.push(m) } });
  const throwing = {
    recordSocket(): void {
      throw new Error("sink down");
    },
  };
  for (const capture of [unwritable, throwing]) {
    const port = await serve(capture);
    const first = await playStream(port);
    assert.equal(first.close.code, 1000);
    assert.deepEqual(first.received.map((m) => JSON.parse(m).eventType), ["playAudio", "clear"]);
    await unwritable.flush();
    const second = await playStream(port); // and again, once capture turned itself off
    assert.equal(second.close.code, 1000);
    assert.equal(second.received.length, 2);
  }
  assert.equal(unwritable.active, false);
  assert.equal(errors.length, 1);
  assert.match(errors[0], /capture is off/);
});

test("drift reports an unknown field injected into a captured start; replay names a captured socket it could not open", async () => {
  const dir = join(root, "drift");
  const capture = createCapture({ dir });
  const port = await serve(capture);
  await playStream(port);
  await until(() => capture.socketStats.recorded === 8);
  const files = await capture.close();
  const clean = await runCliAsync(["drift", dir]);
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /0 deliveries and 6 socket messages checked: no drift/);
  const lines = readFileSync(files[0], "utf8").trim().split("\n").map((line) => JSON.parse(line));
  const start = lines.find((e) => e.event === "start");
  start.message = JSON.stringify({ ...JSON.parse(start.message), sipDiagnostics: { code: 17 } });
  const drifted = join(root, "drifted.ndjson");
  writeFileSync(drifted, lines.map((e) => `${JSON.stringify(e)}\n`).join(""));
  const found = await runCliAsync(["drift", drifted, "--json"]);
  assert.equal(found.status, 1, found.stdout + found.stderr);
  const findings = found.stdout.trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(
    findings.filter((f) => f.summary !== true).map((f) => [f.family, f.event, f.kind, f.path, f.count]),
    [["stream", "start", "unknown-field", "/sipDiagnostics", 1]],
  );
  const replay = await runCliAsync(["replay", drifted, "--url", "http://127.0.0.1:9"]);
  assert.equal(replay.status, 1, replay.stdout + replay.stderr);
  assert.match(replay.stdout, /✗ \S+ stream#1 \/sockets\/stream\?token=\*\*\*\n {4}.*ECONNREFUSED/);
  assert.match(replay.stdout, /0 deliveries replayed, no difference\n1 socket replayed, 1 different\n/);
});

test("a transcription socket is captured with its URL token masked, customParams values and transcript text redacted", async () => {
  const capture = createCapture({ dir: join(root, "transcription") });
  const server = createStreamServer({
    logger: QUIET,
    capture,
    transcription: { verifyToken: ({ url }) => url.searchParams.get("token") === TOKEN, onStop: (_stop, session) => session.close() },
  });
  const http = createServer((_req, res) => res.end("http"));
  servers.push(http);
  attachStreamServer(http, server);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const ws = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/sockets/transcription?token=${TOKEN}`);
  clients.push(ws);
  ws.on("error", () => {});
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  await settles(new Promise<void>((resolve) => ws.once("open", () => resolve())), "open");
  const SPOKEN = "my card number is 4111 1111 1111 1111";
  const metadata = { accountId: ACCOUNT_ID, callId: CALL_ID, realTimeTranscriptionId: "t-8a1c2e3f-5b6d-4e7f-9a0b-1c2d3e4f5a6b", transcriptionName: "live", tracks: [{ name: "inbound" }] };
  ws.send(JSON.stringify({ eventType: "start", metadata, customParams: { member: PARAM_VALUE } }));
  ws.send(JSON.stringify({ eventType: "transcription", track: "inbound", isPartial: false, transcript: SPOKEN, items: [{ content: "4111", confidence: 0.9 }] }));
  ws.send(JSON.stringify({ eventType: "stop", metadata }));
  assert.equal(await settles(closed, "close"), 1000);
  await until(() => capture.socketStats.recorded === 5);
  const files = await capture.close();
  const text = files.map((file) => readFileSync(file, "utf8")).join("");
  const entries = socketEntries(files);
  assert.deepEqual(
    entries.map((e) => `${e.socket}:${e.type}:${e.event ?? ""}`),
    ["transcription:open:", "transcription:in:start", "transcription:in:transcription", "transcription:in:stop", "transcription:close:"],
  );
  assert.equal(entries[0].url, "/sockets/transcription?token=***");
  const update = JSON.parse(entries[2].message!);
  assert.equal(update.transcript, `[redacted ${SPOKEN.length} characters]`);
  assert.equal(update.isPartial, false);
  for (const secret of [TOKEN, SPOKEN, "4111", CALL_ID, ACCOUNT_ID, PARAM_VALUE, "t-8a1c2e3f-5b6d-4e7f-9a0b-1c2d3e4f5a6b"]) assert.ok(!text.includes(secret), `${secret} is in the capture`);
});
