// The socket runtime over real sockets on 127.0.0.1 (`ws` as Bandwidth's side): authentication on the
// handshake (401 + WWW-Authenticate and no socket, rotation, 404 on another path), one port serving the
// webhooks and the sockets, the media-stream flow with every shape variant Bandwidth's sources disagree
// on, playAudio/clear arriving as messages the project's own validator accepts, each kind of bad input
// closing with its documented code (and its hook, and no stream left open), the transcription socket
// with its token verifier, and a bounded outbound queue under a stalled reader.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type RequestListener } from "node:http";
import { type AddressInfo, connect as netConnect } from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { WebSocket } from "ws";
import { createBandwidthWebhooks } from "../generated/index.js";
import { type StreamServerOptions, SOCKET_CLOSE_CODES, createStreamServer } from "../generated/sockets.js";
import { attachStreamServer, type AttachStreamServerOptions } from "../generated/sockets-node.js";
import { validateStreamMessage } from "../generated/validators/stream.js";
import { REPO_ROOT } from "./support/cli.js";
import { settles, until } from "./support/until.js";
import { closedAfterTheFile } from "./support/socket-peers.js";

const USER = { username: "bw-stream", password: "p@ss:word" };
const NEXT = { username: "bw-next", password: "ünïcödé" };
const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;
const GOOD = basic(USER.username, USER.password);
const QUIET = { debug() {}, info() {}, warn() {}, error() {} };

const START = {
  eventType: "start",
  metadata: { accountId: "5551234", callId: "c-abc", streamId: "s-123", streamName: "bot", tracks: [{ name: "inbound", mediaFormat: { encoding: "audio/PCMU", sampleRate: 8000 } }] },
  streamParams: { lang: "en" },
};
/** The variants Bandwidth's own sources disagree on: accountId a number, tracks plain strings, encoding `PCMU`. */
const START_VARIANT = {
  eventType: "start",
  metadata: { accountId: 5551234, callId: "c-abc", streamId: "s-123", streamName: "bot", tracks: ["inbound", { name: "outbound", mediaFormat: { encoding: "PCMU", sampleRate: 8000 } }] },
};
const STOP = { eventType: "stop", metadata: START.metadata };
const AUDIO = Uint8Array.from({ length: 160 }, (_, i) => (i * 7) & 0xff);
const media = (extra: Record<string, unknown> = {}): string => JSON.stringify({ eventType: "media", track: "inbound", payload: Buffer.from(AUDIO).toString("base64"), ...extra });

interface Fixture {
  port: number;
  attached: ReturnType<typeof attachStreamServer>;
  server: ReturnType<typeof createStreamServer>;
  invalid: number[];
  errors: string[];
  closes: { code: number; reason: string }[];
  backpressure: string[];
}

const { servers, clients: sockets } = closedAfterTheFile();

async function fixture(options: StreamServerOptions<any, any>, attach: AttachStreamServerOptions = {}, onRequest?: RequestListener): Promise<Fixture> {
  const f: Fixture = { port: 0, attached: undefined as never, server: undefined as never, invalid: [], errors: [], closes: [], backpressure: [] };
  f.server = createStreamServer({
    logger: QUIET,
    ...options,
    onInvalidMessage: (info) => void f.invalid.push(info.code ?? -1),
    onError: (error, info) => void f.errors.push(`${info.where}: ${(error as Error).message}`),
    onClose: (info) => void f.closes.push({ code: info.code, reason: info.reason }),
    onBackpressure: (info) => void f.backpressure.push(info.action),
  });
  const http = createServer(onRequest ?? ((_req, res) => res.end("http")));
  servers.push(http);
  f.attached = attachStreamServer(http, f.server, attach);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  f.port = (http.address() as AddressInfo).port;
  return f;
}

/** A client socket with its received messages and how it closed. */
function client(port: number, path = "/sockets/stream", authorization: string | undefined = GOOD, options: { autoPong?: boolean } = {}) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: authorization === undefined ? {} : { authorization }, ...options });
  sockets.push(ws);
  const received: string[] = [];
  ws.on("message", (data) => received.push(data.toString()));
  ws.on("error", () => {});
  const opened = new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  return { ws, received, opened: settles(opened, "open"), closed: settles(closed, "close") };
}

/** The raw HTTP answer to an upgrade request (status line, headers, body), read off a plain TCP socket. */
async function rawUpgrade(port: number, path: string, authorization?: string): Promise<string> {
  const socket = netConnect(port, "127.0.0.1");
  let text = "";
  socket.on("data", (chunk) => {
    text += chunk.toString("latin1");
  });
  const ended = new Promise<void>((resolve) => socket.on("close", () => resolve()));
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${authorization === undefined ? "" : `Authorization: ${authorization}\r\n`}\r\n`,
  );
  await settles(ended, "upgrade answer");
  return text;
}

describe("the opening handshake", () => {
  it("missing or wrong credentials get a 401 with WWW-Authenticate and no socket; right ones (both rotated pairs) a socket", async () => {
    let started = 0;
    const f = await fixture({ stream: { credentials: [USER, NEXT], realm: "streams", onStart: () => void started++ } });
    for (const auth of [undefined, basic(USER.username, "wrong"), "Bearer x", basic("nobody", NEXT.password)]) {
      const answer = await rawUpgrade(f.port, "/sockets/stream", auth);
      assert.match(answer, /^HTTP\/1\.1 401 Unauthorized\r\n/, String(auth));
      assert.match(answer, /\r\nwww-authenticate: Basic realm="streams"\r\n/i);
      assert.doesNotMatch(answer, /101 Switching|Sec-WebSocket-Accept/i);
      assert.equal(f.server.openSockets, 0);
    }
    for (const pair of [USER, NEXT]) {
      const c = client(f.port, "/sockets/stream", basic(pair.username, pair.password));
      await c.opened;
      c.ws.send(JSON.stringify(START));
      await until(() => started === (pair === USER ? 1 : 2));
      c.ws.close(1000);
      await c.closed;
    }
    await until(() => f.server.openSockets === 0);
  });

  it("a path with no socket is a 404 on the upgrade", async () => {
    const f = await fixture({ stream: { credentials: [USER] } });
    const answer = await rawUpgrade(f.port, "/sockets/nothing", GOOD);
    assert.match(answer, /^HTTP\/1\.1 404 Not Found\r\n/);
    assert.equal(f.server.openSockets, 0);
  });

  it("one port serves the webhooks and the sockets", async () => {
    const answerEvent = JSON.parse(readFileSync(join(REPO_ROOT, "schemas/voice/answer.schema.json"), "utf8")).examples[0];
    const webhooks = createBandwidthWebhooks({
      credentials: [USER],
      voice: { answer: () => '<?xml version="1.0" encoding="UTF-8"?><Response><Pause duration="1"/></Response>' },
      logger: QUIET,
    });
    let started = 0;
    const f = await fixture({ stream: { credentials: [USER], onStart: () => void started++ } }, {}, webhooks.node as RequestListener);
    const res = await fetch(`http://127.0.0.1:${f.port}/callbacks/voice`, {
      method: "POST",
      headers: { authorization: GOOD, "content-type": "application/json" },
      body: JSON.stringify(answerEvent),
    });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<Pause duration="1"\/>/);
    const c = client(f.port);
    await c.opened;
    c.ws.send(JSON.stringify(START));
    await until(() => started === 1);
    c.ws.close();
    await c.closed;
  });
});

describe("a media stream", () => {
  it("takes every shape variant, decodes the audio, and its playAudio / clear arrive as valid outbound messages", async () => {
    const seen: { track: string; bytes: number[]; seq: unknown }[] = [];
    const metas: unknown[] = [];
    let stopped = 0;
    const f = await fixture({
      stream: {
        credentials: [USER],
        createState: () => ({ frames: 0 }),
        onStart: (_start, stream) => void metas.push({ ...stream.metadata, params: { ...stream.metadata.params } }), // params has no prototype
        onMedia: (frame, stream) => {
          seen.push({ track: frame.track, bytes: [...frame.audio], seq: frame.sequenceNumber });
          (stream.state as { frames: number }).frames++;
          stream.playAudio(frame.audio);
          stream.playAudio(new Int16Array([1, -2, 3, -4]), { encoding: "pcm16", sampleRate: 16000 });
          stream.playAudio(new Uint8Array([1, 0, 2, 0]), { encoding: "pcm16", sampleRate: 24000 });
          stream.playAudio(new Int16Array([5]), { encoding: "pcm16", sampleRate: 8000 });
          stream.clear();
        },
        onStop: () => void stopped++,
      },
    });
    for (const start of [START, START_VARIANT]) {
      const c = client(f.port);
      await c.opened;
      c.ws.send(JSON.stringify(start));
      c.ws.send(media({ sequenceNumber: "1" }));
      c.ws.send(media({ sequenceNumber: 2, futureField: { nested: true } }));
      c.ws.send(` ${media()} `);
      await until(() => c.received.length === 15);
      c.ws.send(JSON.stringify(STOP));
      await until(() => stopped === (start === START ? 1 : 2));
      for (const text of c.received) {
        const result = validateStreamMessage(JSON.parse(text), { strict: true });
        assert.ok(result.ok, text);
        assert.ok(result.type === "playAudio" || result.type === "clear", text);
      }
      const types = c.received.slice(0, 5).map((t) => JSON.parse(t).media?.contentType ?? "clear");
      assert.deepEqual(types, [
        "audio/pcmu",
        "audio/pcm;rate=16000;channels=1;bit-depth=16;endian=little;encoding=signed",
        "audio/pcm;rate=24000;channels=1;bit-depth=16;endian=little;encoding=signed",
        "audio/pcm;rate=8000;channels=1;bit-depth=16;endian=little;encoding=signed",
        "clear",
      ]);
      assert.deepEqual([...Buffer.from(JSON.parse(c.received[0]).media.payload, "base64")], [...AUDIO]);
      assert.deepEqual([...Buffer.from(JSON.parse(c.received[1]).media.payload, "base64")], [1, 0, 254, 255, 3, 0, 252, 255]);
      c.ws.close(1000);
      await c.closed;
    }
    assert.equal(seen.length, 6);
    for (const frame of seen) assert.deepEqual(frame.bytes, [...AUDIO]);
    assert.deepEqual(seen.map((s) => s.seq), ["1", 2, undefined, "1", 2, undefined]);
    assert.deepEqual(metas, [
      { accountId: "5551234", callId: "c-abc", streamId: "s-123", streamName: "bot", tracks: [{ name: "inbound", encoding: "PCMU", sampleRate: 8000 }], params: { lang: "en" } },
      {
        accountId: "5551234",
        callId: "c-abc",
        streamId: "s-123",
        streamName: "bot",
        tracks: [
          { name: "inbound", encoding: undefined, sampleRate: undefined },
          { name: "outbound", encoding: "PCMU", sampleRate: 8000 },
        ],
        params: {},
      },
    ]);
    assert.deepEqual(f.invalid, []);
    await until(() => f.server.openSockets === 0);
  });
});

/** One bad-input case: what the client sends after opening, and the close code it must get. */
interface BadCase {
  name: string;
  frames: (string | Buffer)[];
  code: number;
  options?: Partial<StreamServerOptions<any, any>>;
  hook: "invalid" | "error";
}

const C = SOCKET_CLOSE_CODES;
const BAD: BadCase[] = [
  { name: "a text frame that is not JSON", frames: ["{not json"], code: C.notJson.code, hook: "invalid" },
  { name: "a binary frame", frames: [Buffer.from(JSON.stringify(START))], code: C.binaryFrame.code, hook: "invalid" },
  { name: "an unknown eventType (strict)", frames: [JSON.stringify(START), JSON.stringify({ eventType: "dtmf", digit: "1" })], code: C.unknownEventType.code, options: { strict: true }, hook: "invalid" },
  { name: "an outbound message sent inbound (strict)", frames: [JSON.stringify(START), JSON.stringify({ eventType: "clear" })], code: C.unknownEventType.code, options: { strict: true }, hook: "invalid" },
  { name: "media before start", frames: [media()], code: C.beforeStart.code, hook: "invalid" },
  { name: "a start without the call's id", frames: [JSON.stringify({ eventType: "start", metadata: { streamId: "s" } })], code: C.invalidMessage.code, hook: "invalid" },
  { name: "a start failing its schema (strict)", frames: [JSON.stringify({ eventType: "start", metadata: { callId: "c" } })], code: C.invalidMessage.code, options: { strict: true }, hook: "invalid" },
  { name: "a media frame failing its schema (strict)", frames: [JSON.stringify(START), JSON.stringify({ eventType: "media", track: "inbound" })], code: C.invalidMessage.code, options: { strict: true }, hook: "invalid" },
  { name: "invalid base64 (strict)", frames: [JSON.stringify(START), media({ payload: "not*base64!" })], code: C.invalidBase64.code, options: { strict: true }, hook: "invalid" },
  { name: "invalid base64 on the slow path (strict)", frames: [JSON.stringify(START), media({ payload: "ab\\u0063d=" })], code: C.invalidBase64.code, options: { strict: true }, hook: "invalid" },
  { name: "a second start", frames: [JSON.stringify(START), JSON.stringify(START)], code: C.secondStart.code, hook: "invalid" },
  { name: "a frame after stop", frames: [JSON.stringify(START), JSON.stringify(STOP), media()], code: C.afterStop.code, hook: "invalid" },
  { name: "an oversized frame", frames: [JSON.stringify(START), media({ pad: "x".repeat(8192) })], code: C.tooLarge.code, options: { maxMessageBytes: 4096 }, hook: "invalid" },
  {
    name: "a handler that throws",
    frames: [JSON.stringify(START), media()],
    code: C.handlerError.code,
    options: { stream: { credentials: [USER], onMedia: () => { throw new Error("boom"); } } },
    hook: "error",
  },
  {
    name: "a handler that rejects",
    frames: [JSON.stringify(START)],
    code: C.handlerError.code,
    options: { stream: { credentials: [USER], onStart: async () => { throw new Error("later boom"); } } },
    hook: "error",
  },
];

describe("bad input closes the socket with its code, calls its hook, and leaves no stream open", () => {
  for (const bad of BAD) {
    it(bad.name, async () => {
      const f = await fixture({ stream: { credentials: [USER] }, ...bad.options });
      const c = client(f.port);
      await c.opened;
      for (const frame of bad.frames) c.ws.send(frame);
      const closed = await c.closed;
      assert.equal(closed.code, bad.code);
      await until(() => f.server.openSockets === 0);
      assert.deepEqual(f.closes.map((x) => x.code), [bad.code]);
      if (bad.hook === "invalid") assert.deepEqual(f.invalid, [bad.code]);
      else assert.equal(f.errors.length, 1);
    });
  }

  it("a handler error with handlerErrors: continue is reported and the stream goes on", async () => {
    let calls = 0;
    const f = await fixture({ handlerErrors: "continue", stream: { credentials: [USER], onMedia: () => { calls++; throw new Error("boom"); } } });
    const c = client(f.port);
    await c.opened;
    c.ws.send(JSON.stringify(START));
    c.ws.send(media());
    c.ws.send(media());
    await until(() => calls === 2);
    assert.equal(f.errors.length, 2);
    assert.equal(f.server.openSockets, 1);
    c.ws.close(1000);
    await c.closed;
  });

  it("a peer that stops answering pings is closed (4011) and released", async () => {
    const f = await fixture({ stream: { credentials: [USER] } }, { pingIntervalMs: 30 });
    const c = client(f.port, "/sockets/stream", GOOD, { autoPong: false });
    await c.opened;
    c.ws.send(JSON.stringify(START));
    await c.closed;
    await until(() => f.server.openSockets === 0);
    assert.deepEqual(f.closes.map((x) => x.code), [C.deadPeer.code]);
  });

  it("a peer that answers pings stays open", async () => {
    const f = await fixture({ stream: { credentials: [USER] } }, { pingIntervalMs: 30 });
    const c = client(f.port);
    await c.opened;
    let pings = 0;
    c.ws.on("ping", () => pings++);
    await until(() => pings >= 3);
    assert.equal(f.server.openSockets, 1);
    c.ws.close(1000);
    await c.closed;
  });
});

describe("the transcription socket", () => {
  const T_START = { eventType: "start", metadata: { accountId: 99, callId: "c-t", realTimeTranscriptionId: "t-1", transcriptionName: "live", tracks: ["inbound"], stabilized: true } };
  const UPDATE = { eventType: "transcription", track: "inbound", transcript: "hello there", isPartial: false };

  it("the token verifier decides the upgrade (401, no socket) and a callId it returns must match start", async () => {
    const updates: string[] = [];
    const f = await fixture({
      transcription: {
        verifyToken: ({ url }) => {
          const token = url.searchParams.get("token");
          if (token === "good") return true;
          if (token === "for-c-t") return { ok: true, callId: "c-t" };
          if (token === "for-other") return { ok: true, callId: "c-other" };
          if (token === "throws") throw new Error("verifier bug");
          return false;
        },
        onTranscription: (update, session) => void updates.push(`${session.callId}:${update.transcript}`),
      },
    });
    for (const path of ["/sockets/transcription", "/sockets/transcription?token=bad", "/sockets/transcription?token=throws"]) {
      const answer = await rawUpgrade(f.port, path);
      assert.match(answer, /^HTTP\/1\.1 401 Unauthorized\r\n/, path);
      assert.doesNotMatch(answer, /www-authenticate/i);
    }
    for (const token of ["good", "for-c-t"]) {
      const c = client(f.port, `/sockets/transcription?token=${token}`, undefined);
      await c.opened;
      c.ws.send(JSON.stringify(T_START));
      c.ws.send(JSON.stringify(UPDATE));
      c.ws.send(JSON.stringify({ eventType: "stop", metadata: T_START.metadata }));
      await until(() => updates.length === (token === "good" ? 1 : 2));
      c.ws.close(1000);
      await c.closed;
    }
    assert.deepEqual(updates, ["c-t:hello there", "c-t:hello there"]);
    const c = client(f.port, "/sockets/transcription?token=for-other", undefined);
    await c.opened;
    c.ws.send(JSON.stringify(T_START));
    assert.equal((await c.closed).code, C.tokenMismatch.code);
    c.ws.terminate();
    await until(() => f.server.openSockets === 0);
  });

  it("media frames are not transcription messages (4002 in strict mode), and start comes first (4004)", async () => {
    const f = await fixture({ strict: true, transcription: { allowUnauthenticated: true } });
    const a = client(f.port, "/sockets/transcription", undefined);
    await a.opened;
    a.ws.send(JSON.stringify(T_START));
    a.ws.send(media());
    assert.equal((await a.closed).code, C.unknownEventType.code);
    const b = client(f.port, "/sockets/transcription", undefined);
    await b.opened;
    b.ws.send(JSON.stringify(UPDATE));
    assert.equal((await b.closed).code, C.beforeStart.code);
  });
});

describe("backpressure", () => {
  for (const policy of ["reject", "drop-oldest", "close"] as const) {
    it(`a stalled reader: the queue stays within maxQueuedBytes and onBackpressure fires (${policy})`, async () => {
      const maxQueuedBytes = 64 * 1024;
      let most = 0;
      let sent = 0;
      let refused = false;
      const chunk = new Uint8Array(1600);
      const f = await fixture({
        backpressure: { maxQueuedBytes, highWaterMark: 16 * 1024, policy },
        stream: {
          credentials: [USER],
          onStart: (_start, stream) => {
            // A bot producing far faster than the socket drains (the reader below reads nothing).
            for (let i = 0; i < 50_000 && !stream.closed; i++) {
              const queued = stream.playAudio(chunk);
              most = Math.max(most, stream.queuedBytes);
              if (queued) sent++;
              else refused = true;
              if (refused && policy === "reject") break;
            }
          },
        },
      }, { closeTimeoutMs: 50 });
      const c = client(f.port);
      await c.opened;
      (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      c.ws.send(JSON.stringify(START));
      await until(() => f.backpressure.length > 0);
      assert.ok(most <= maxQueuedBytes, `queued ${most}`);
      assert.ok(sent > 0);
      assert.equal(f.backpressure[0], { reject: "rejected", "drop-oldest": "dropped", close: "closed" }[policy]);
      if (policy === "reject") assert.equal(refused, true);
      if (policy === "close") await until(() => f.closes.length === 1 && f.closes[0].code === C.backpressure.code);
      c.ws.terminate();
      await until(() => f.server.openSockets === 0);
    });
  }
});

describe("configuration and shutdown", () => {
  it("a socket kind without credentials or a token verifier is refused unless opted in, and the opt-in warns once", () => {
    assert.throws(() => createStreamServer({ stream: {} }), (e: Error & { code?: string }) => e.code === "BW_INVALID_OPTION" && /stream\.credentials/.test(e.message));
    assert.throws(() => createStreamServer({ transcription: {} }), (e: Error & { code?: string }) => e.code === "BW_INVALID_OPTION" && /verifyToken/.test(e.message));
    assert.throws(() => createStreamServer({ stream: { credentials: [USER] }, backpressure: { policy: "grow" as never } }), /policy/);
    const warnings: string[] = [];
    const logger = { warn: (m: string) => void warnings.push(m), error() {} };
    const server = createStreamServer({ stream: { allowUnauthenticated: true }, transcription: { allowUnauthenticated: true }, logger });
    assert.equal(warnings.length, 2);
    assert.match(warnings[0], /media-stream sockets accept anyone/);
    assert.match(warnings[1], /transcription sockets accept anyone/);
    assert.deepEqual(server.paths, { stream: "/sockets/stream", transcription: "/sockets/transcription" });
  });

  it("the adapter's close() closes every socket with 1001 and releases it and its state; then no more upgrades", async () => {
    let stream: { state: unknown } | undefined;
    const f = await fixture({ stream: { credentials: [USER], createState: () => ({ buffer: new Uint8Array(1024) }), onStart: (_s, s) => void (stream = s) } });
    const c = client(f.port);
    await c.opened;
    c.ws.send(JSON.stringify(START));
    await until(() => stream !== undefined);
    assert.ok(stream!.state !== undefined);
    await f.attached.close();
    assert.equal((await c.closed).code, C.goingAway.code);
    await until(() => f.server.openSockets === 0);
    assert.equal(stream!.state, undefined);
    assert.doesNotMatch(await rawUpgrade(f.port, "/sockets/stream", GOOD), /101 Switching/);
  });
});
