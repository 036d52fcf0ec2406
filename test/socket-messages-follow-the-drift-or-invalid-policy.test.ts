// Socket messages under the webhooks' lenient drift-or-invalid policy, over real `ws` sockets on 127.0.0.1:
// a new eventType (before or after start, or a name Bandwidth receives) is ignored, counted and reported, and
// the audio that follows still reaches onMedia; a null in an optional field of start / media / transcription
// is dispatched with `check.valid === false` and reported; an invalid media or transcription message is
// dropped, counted in onClose and reported while the socket stays open; a start or stop failing its schema
// that the runtime can use is dispatched. `strict: true` closes on all of these (the close codes' table).
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { WebSocket } from "ws";
import { type InvalidMessageInfo, type MessageCheck, SOCKET_CLOSE_CODES as C, type SocketCloseInfo, type StreamServerOptions, createStreamServer } from "../generated/sockets.js";
import { attachStreamServer } from "../generated/sockets-node.js";
import { settles, until } from "./support/until.js";

const USER = { username: "bw-stream", password: "p@ss:word" };
const AUTH = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString("base64")}`;
const QUIET = { debug() {}, info() {}, warn() {}, error() {} };
const METADATA = { accountId: "5551234", callId: "c-abc", streamId: "s-123", streamName: "bot", tracks: [{ name: "inbound", mediaFormat: { encoding: "PCMU", sampleRate: 8000 } }] };
const START = { eventType: "start", metadata: METADATA };
const STOP = { eventType: "stop", metadata: METADATA };
const AUDIO = Buffer.from(Uint8Array.from({ length: 160 }, (_, i) => (i * 5) & 0xff));
const media = (extra: Record<string, unknown> = {}): string => JSON.stringify({ eventType: "media", track: "inbound", payload: AUDIO.toString("base64"), ...extra });
const T_METADATA = { accountId: "99", callId: "c-t", realTimeTranscriptionId: "t-1", transcriptionName: "live", tracks: ["inbound"] };
const UPDATE = { eventType: "transcription", track: "inbound", transcript: "hello", isPartial: false };

interface Seen {
  port: number;
  reports: { info: InvalidMessageInfo; message: unknown; session: unknown }[];
  closes: SocketCloseInfo[];
  calls: { what: string; check: MessageCheck; value?: unknown }[];
}

const servers: Server[] = [];
const sockets: WebSocket[] = [];
after(async () => {
  for (const ws of sockets) ws.terminate();
  for (const server of servers) {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(options: Partial<StreamServerOptions<any, any>> = {}): Promise<Seen> {
  const seen: Seen = { port: 0, reports: [], closes: [], calls: [] };
  const server = createStreamServer({
    logger: QUIET,
    stream: {
      credentials: [USER],
      onStart: (start, _stream, check) => void seen.calls.push({ what: "start", check, value: start }),
      onMedia: (frame, _stream, check) => void seen.calls.push({ what: "media", check, value: frame.sequenceNumber }),
      onStop: (stop, _stream, check) => void seen.calls.push({ what: "stop", check, value: stop.metadata.callId }),
    },
    transcription: {
      allowUnauthenticated: true,
      onStart: (_start, _session, check) => void seen.calls.push({ what: "start", check }),
      onTranscription: (update, _session, check) => void seen.calls.push({ what: "transcription", check, value: update.transcript }),
      onStop: (_stop, _session, check) => void seen.calls.push({ what: "stop", check }),
    },
    ...options,
    onInvalidMessage: (info, message, session) => void seen.reports.push({ info, message, session }),
    onClose: (info) => void seen.closes.push(info),
  });
  const http = createServer((_req, res) => res.end("http"));
  servers.push(http);
  attachStreamServer(http, server);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  seen.port = (http.address() as AddressInfo).port;
  return seen;
}

async function open(port: number, path = "/sockets/stream") {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: path === "/sockets/stream" ? { authorization: AUTH } : {} });
  sockets.push(ws);
  ws.on("error", () => {});
  const closed = settles(new Promise<number>((resolve) => ws.once("close", (code) => resolve(code))), "close");
  await settles(new Promise<void>((resolve) => ws.once("open", () => resolve())), "open");
  return { ws, closed };
}

/** Until `n` handler calls were made, or the server closed the socket (what the old runtime did): no hang either way. */
const handled = (seen: Seen, n: number, closed: Promise<number>) => Promise.race([until(() => seen.calls.length >= n), closed]);
const whats = (seen: Seen) => seen.calls.map((c) => `${c.what}${c.check.valid ? "" : `:${c.check.severity}`}`);
const actions = (seen: Seen) => seen.reports.map((r) => `${r.info.action} ${r.info.eventType ?? "-"}${r.info.severity === undefined ? "" : ` ${r.info.severity}`}`);

describe("lenient mode (the default): the socket stays open", () => {
  it("a new eventType mid-stream is ignored, counted and reported, and later media reach onMedia", async () => {
    const seen = await serve();
    const { ws, closed } = await open(seen.port);
    ws.send(JSON.stringify({ eventType: "connected", protocol: "v2" })); // a new message before start
    ws.send(JSON.stringify(START));
    ws.send(media({ sequenceNumber: "1" }));
    ws.send(JSON.stringify({ eventType: "mark", mark: { name: "greeting" } }));
    ws.send(JSON.stringify({ eventType: "dtmf", digit: "5" }));
    ws.send(JSON.stringify({ eventType: "clear" })); // a name Bandwidth receives, echoed back: ignored as well
    ws.send(JSON.stringify({ digit: "7" })); // no eventType at all
    ws.send(media({ sequenceNumber: "2" }));
    ws.send(JSON.stringify(STOP));
    await handled(seen, 4, closed);
    ws.close(1000);
    assert.equal(await closed, 1000);
    await until(() => seen.closes.length === 1);
    assert.deepEqual(whats(seen), ["start", "media", "media", "stop"]);
    assert.deepEqual(seen.calls.map((c) => c.value).slice(1, 3), ["1", "2"]);
    assert.deepEqual(actions(seen), ["ignored connected", "ignored mark", "ignored dtmf", "ignored clear", "ignored -"]);
    assert.ok(seen.reports.every((r) => r.info.code === undefined && r.info.reason === C.unknownEventType.reason));
    assert.deepEqual(seen.reports[1].message, { eventType: "mark", mark: { name: "greeting" } });
    assert.equal((seen.reports[1].session as { callId: string }).callId, "c-abc");
    assert.equal(seen.reports[0].session, undefined); // before start: no stream yet
    assert.equal(seen.closes[0].unknownMessages, 5);
    assert.equal(seen.closes[0].invalidMessages, 0);
    assert.equal(seen.closes[0].code, 1000);
  });

  it("a null in an optional field of start, media or stop is dispatched with check.valid false and reported", async () => {
    const seen = await serve();
    const { ws, closed } = await open(seen.port);
    ws.send(JSON.stringify({ ...START, streamParams: null }));
    ws.send(media({ sequenceNumber: null }));
    ws.send(media({ track: "inbound", sequenceNumber: "3" }));
    ws.send(JSON.stringify(STOP));
    await handled(seen, 4, closed);
    ws.close(1000);
    await closed;
    assert.deepEqual(whats(seen), ["start:drift", "media:drift", "media", "stop"]);
    assert.deepEqual(seen.calls[0].check.issues.map((i) => i.path), ["/streamParams"]);
    assert.equal(seen.calls[1].value, undefined); // the null reads as an absent sequenceNumber
    assert.deepEqual(actions(seen), ["dispatched start drift", "dispatched media drift"]);
    assert.equal(seen.reports[0].info.callId, "c-abc"); // reported once the stream exists: it names the call
  });

  it("a null in an optional field of a transcription update is dispatched; an invalid update is dropped and counted", async () => {
    const seen = await serve();
    const { ws, closed } = await open(seen.port, "/sockets/transcription");
    ws.send(JSON.stringify({ eventType: "start", metadata: T_METADATA, customParams: null }));
    ws.send(JSON.stringify({ ...UPDATE, language: null, items: null }));
    ws.send(JSON.stringify({ eventType: "transcription", track: "inbound", isPartial: true })); // no transcript: invalid
    ws.send(JSON.stringify({ ...UPDATE, transcript: "again" }));
    ws.send(JSON.stringify({ eventType: "media", track: "inbound", payload: "AA==" })); // the other socket's message
    ws.send(JSON.stringify({ eventType: "stop", metadata: T_METADATA }));
    await handled(seen, 4, closed);
    ws.close(1000);
    await closed;
    await until(() => seen.closes.length === 1);
    assert.deepEqual(whats(seen), ["start:drift", "transcription:drift", "transcription", "stop"]);
    assert.deepEqual(seen.calls.map((c) => c.value).slice(1, 3), ["hello", "again"]);
    assert.deepEqual(actions(seen), ["dispatched start drift", "dispatched transcription drift", "dropped transcription invalid", "ignored media"]);
    assert.equal(seen.closes[0].invalidMessages, 1);
    assert.equal(seen.closes[0].unknownMessages, 1);
  });

  it("an invalid media frame is dropped, counted and reported; the frames after it still arrive", async () => {
    const seen = await serve();
    const { ws, closed } = await open(seen.port);
    ws.send(JSON.stringify(START));
    ws.send(JSON.stringify({ eventType: "media", track: "inbound" })); // no payload
    ws.send(media({ payload: 42 })); // a payload of the wrong type
    ws.send(JSON.stringify({ eventType: "media", payload: AUDIO.toString("base64") })); // no track
    ws.send(media({ payload: "not*base64!" })); // not base64
    ws.send(media({ sequenceNumber: "5" }));
    await handled(seen, 2, closed);
    ws.close(1000);
    assert.equal(await closed, 1000);
    await until(() => seen.closes.length === 1);
    assert.deepEqual(whats(seen), ["start", "media"]);
    assert.equal(seen.calls[1].value, "5");
    assert.deepEqual(actions(seen), ["dropped media invalid", "dropped media invalid", "dropped media invalid", "dropped media"]);
    assert.equal(seen.reports[3].info.reason, C.invalidBase64.reason);
    assert.equal(seen.closes[0].invalidMessages, 4);
    assert.equal(seen.closes[0].droppedMedia, 0);
  });

  it("a start or stop failing its schema that the runtime can use is dispatched (severity invalid); a stop's lost metadata is the start's", async () => {
    const seen = await serve();
    const { ws, closed } = await open(seen.port);
    const { streamName: _, ...noName } = METADATA;
    ws.send(JSON.stringify({ eventType: "start", metadata: { ...noName, tracks: null } })); // name missing, tracks null
    ws.send(media({ track: "outbound" })); // no track named: every track is taken
    ws.send(JSON.stringify({ eventType: "stop" }));
    await handled(seen, 3, closed);
    ws.close(1000);
    await closed;
    assert.deepEqual(whats(seen), ["start:invalid", "media", "stop:invalid"]);
    assert.equal(seen.calls[2].value, "c-abc");
    assert.deepEqual(actions(seen), ["dispatched start invalid", "dispatched stop invalid"]);
  });
});

describe("strict mode closes with the documented codes", () => {
  const cases: { name: string; frames: string[]; code: number; path?: string }[] = [
    { name: "a new eventType", frames: [JSON.stringify(START), JSON.stringify({ eventType: "mark" })], code: C.unknownEventType.code },
    { name: "a null in an optional field", frames: [JSON.stringify(START), media({ sequenceNumber: null })], code: C.invalidMessage.code },
    { name: "a media frame without payload", frames: [JSON.stringify(START), JSON.stringify({ eventType: "media", track: "inbound" })], code: C.invalidMessage.code },
    { name: "a payload not base64", frames: [JSON.stringify(START), media({ payload: "not*base64!" })], code: C.invalidBase64.code },
    { name: "a transcription update without transcript", frames: [JSON.stringify({ eventType: "start", metadata: T_METADATA }), JSON.stringify({ eventType: "transcription", track: "inbound", isPartial: true })], code: C.invalidMessage.code, path: "/sockets/transcription" },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const seen = await serve({ strict: true });
      const { ws, closed } = await open(seen.port, c.path);
      for (const frame of c.frames) ws.send(frame);
      assert.equal(await closed, c.code);
      await until(() => seen.closes.length === 1);
      assert.deepEqual(seen.reports.map((r) => [r.info.action, r.info.code]), [["closed", c.code]]);
    });
  }
});
