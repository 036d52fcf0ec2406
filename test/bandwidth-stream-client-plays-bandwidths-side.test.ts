// The test client that plays Bandwidth's side of a media stream (test/support/bandwidth-stream-client.ts),
// against a bare `ws` server on 127.0.0.1: what it sends is what media-streams.md describes (Basic
// credentials on the handshake; start in both tracks shapes and both encodings, with stream params; 20 ms
// μ-law media frames; stop), each message valid in strict mode; what the server sends back is sorted into
// valid playAudio/clear and invalid frames; a refused handshake gives the status and no socket.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { WebSocketServer, type WebSocket } from "ws";
import { base64ToBytes, mulawToPcm16 } from "../generated/audio.js";
import { validateStreamMessage } from "../generated/validators/stream.js";
import { FRAME_BYTES, HandshakeRefused, connectBandwidthStream, mulawFrames, playAudioRms, silence, tone } from "./support/bandwidth-stream-client.js";
import { until } from "./support/until.js";

const GOOD = `Basic ${Buffer.from("bw-stream:s3cret").toString("base64")}`;
const server = createServer();
const wss = new WebSocketServer({ noServer: true });
/** Per connection: the handshake's Authorization and every text frame. */
const connections: { authorization: string | undefined; frames: string[]; socket: WebSocket }[] = [];
let url = "";

server.on("upgrade", (request: IncomingMessage, socket, head) => {
  if (request.headers.authorization !== GOOD) {
    socket.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="stream"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(request, socket, head, (ws) => {
    const entry = { authorization: request.headers.authorization, frames: [] as string[], socket: ws };
    connections.push(entry);
    ws.on("message", (data) => entry.frames.push(data.toString()));
  });
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/sockets/stream`;
});
after(async () => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  await new Promise((resolve) => server.close(resolve));
});

test("wrong or missing credentials: the handshake is refused with its status and no socket opens", async () => {
  const before = connections.length;
  for (const credentials of [{ username: "bw-stream", password: "wrong" }, {}]) {
    const error = await connectBandwidthStream({ url, ...credentials }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof HandshakeRefused, String(error));
    assert.equal(error.status, 401);
    assert.equal(error.wwwAuthenticate, 'Basic realm="stream"');
  }
  assert.equal(connections.length, before);
});

for (const [trackShape, encoding] of [
  ["objects", "audio/PCMU"],
  ["strings", "PCMU"],
] as const) {
  test(`start (${trackShape} tracks, ${encoding}), 20 ms μ-law frames and stop are each valid in strict mode`, async () => {
    const client = await connectBandwidthStream({ url, username: "bw-stream", password: "s3cret" });
    const entry = connections.at(-1)!;
    assert.equal(entry.authorization, GOOD);
    await client.start({ trackShape, encoding, tracks: ["inbound", "outbound"], streamParams: { customerId: "48213" }, accountId: 5590123 });
    await client.play(tone(440, 100), { realtime: false });
    await client.play(silence(40), { realtime: false, track: "outbound" });
    await client.stop();
    await until(() => entry.frames.length === 1 + 5 + 2 + 1);
    const messages = entry.frames.map((frame) => JSON.parse(frame));
    for (const message of messages) assert.deepEqual(validateStreamMessage(message, { strict: true }), { ok: true, type: message.eventType, value: message });
    assert.deepEqual(
      messages.map((m) => m.eventType),
      ["start", "media", "media", "media", "media", "media", "media", "media", "stop"],
    );
    const start = messages[0];
    assert.deepEqual(start.streamParams, { customerId: "48213" });
    assert.equal(start.metadata.accountId, 5590123);
    assert.deepEqual(start.metadata.tracks[0], trackShape === "strings" ? "inbound" : { name: "inbound", mediaFormat: { encoding, sampleRate: 8000 } });
    assert.deepEqual(messages.at(-1).metadata, start.metadata);
    const media = messages.slice(1, -1);
    assert.deepEqual(
      media.map((m) => m.sequenceNumber),
      ["1", "2", "3", "4", "5", "6", "7"],
    );
    assert.deepEqual(
      media.map((m) => m.track),
      ["inbound", "inbound", "inbound", "inbound", "inbound", "outbound", "outbound"],
    );
    for (const m of media) assert.equal(base64ToBytes(m.payload).length, FRAME_BYTES);
    // The tone is audible after μ-law; the silence decodes to (near) zero.
    const rms = (payload: string): number => Math.sqrt(mulawToPcm16(base64ToBytes(payload)).reduce((sum, s) => sum + s * s, 0) / FRAME_BYTES);
    assert.ok(rms(media[0].payload) > 4000, `tone RMS ${rms(media[0].payload)}`);
    assert.ok(rms(media[6].payload) < 10, `silence RMS ${rms(media[6].payload)}`);
    await client.close();
  });
}

test("what the server sends back: valid playAudio and clear are received, anything else is reported invalid", async () => {
  const client = await connectBandwidthStream({ url, username: "bw-stream", password: "s3cret" });
  const server = connections.at(-1)!.socket;
  const payload = Buffer.from(mulawFrames(tone(440, 20))[0]).toString("base64");
  server.send(JSON.stringify({ eventType: "playAudio", media: { contentType: "audio/pcmu", payload } }));
  server.send(JSON.stringify({ eventType: "clear" }));
  server.send("not json");
  server.send(Buffer.from([1, 2, 3]), { binary: true });
  server.send(JSON.stringify({ eventType: "playAudio", media: { payload } }));
  server.send(JSON.stringify({ eventType: "clear", extra: 1 }));
  server.send(JSON.stringify({ eventType: "media", track: "inbound", payload }));
  await until(() => client.received.length + client.invalid.length === 7);
  assert.deepEqual(
    client.received.map((r) => r.message.eventType),
    ["playAudio", "clear"],
  );
  const played = client.received[0].message;
  assert.ok(played.eventType === "playAudio" && playAudioRms(played) > 4000);
  assert.deepEqual(
    client.invalid.map((frame) => [frame.binary, frame.errors[0].path]),
    [
      [false, ""],
      [true, ""],
      [false, "/media/contentType"],
      [false, "/extra"],
      [false, "/eventType"],
    ],
  );
  await client.close();
});
