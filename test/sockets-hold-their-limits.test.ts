// The socket runtime's limits over real sockets on 127.0.0.1 (an `http.Server` + the `ws` adapter, a real
// client). Each was left open by the security review: no cap on open sockets, a slow async `onMedia` piling
// up one pending promise per frame, `maxMessageBytes` counting UTF-16 units instead of bytes, and a socket
// that stays open after `stop` as long as the peer answers pings.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { after, describe, it } from "node:test";
import { WebSocket } from "ws";
import { createStreamServer, SOCKET_CLOSE_CODES as C, type StreamServerOptions } from "../generated/sockets.js";
import { type AttachStreamServerOptions, attachStreamServer } from "../generated/sockets-node.js";
import { settles, until } from "./support/until.js";
import { openRawUpgrade } from "./support/raw-upgrade.js";

const USER = { username: "bw-stream", password: "limits-test" };
const GOOD = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString("base64")}`;
const START = {
  eventType: "start",
  metadata: { accountId: "5551234", callId: "c-abc", streamId: "s-123", streamName: "bot", tracks: [{ name: "inbound", mediaFormat: { encoding: "audio/PCMU", sampleRate: 8000 } }] },
};
const STOP = { eventType: "stop", metadata: START.metadata };
const media = (sequenceNumber: number): string => JSON.stringify({ eventType: "media", track: "inbound", sequenceNumber, payload: Buffer.alloc(160, 0xff).toString("base64") });

const servers: Server[] = [];
const clients: WebSocket[] = [];
const rawSockets: Socket[] = [];
after(async () => {
  for (const ws of clients) ws.terminate();
  for (const socket of rawSockets) socket.destroy();
  for (const server of servers) {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function serve(options: StreamServerOptions<any, any>, attach: AttachStreamServerOptions = {}) {
  const logged: string[] = [];
  const logger = { debug() {}, info() {}, warn: (m: string) => void logged.push(m), error: (m: string) => void logged.push(m) };
  const server = createStreamServer({ logger, ...options });
  const http = createServer((_req, res) => res.end("http"));
  servers.push(http);
  const connections: Socket[] = [];
  http.on("connection", (socket) => void connections.push(socket));
  attachStreamServer(http, server, attach);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return { server, logged, connections, port: (http.address() as AddressInfo).port };
}

function client(port: number) {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/sockets/stream`, { headers: { authorization: GOOD } });
  clients.push(ws);
  ws.on("error", () => {});
  let tcp: Socket | undefined;
  ws.once("upgrade", (response) => {
    tcp = response.socket as Socket;
  });
  const opened = new Promise<void>((resolve) => ws.once("open", () => resolve()));
  const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
  return { ws, tcp: () => tcp!, opened: settles(opened, "open"), closed: settles(closed, "close") };
}

const rawUpgrade = (port: number) => openRawUpgrade(port, "/sockets/stream", GOOD, rawSockets);

const sent = (ws: WebSocket, text: string): Promise<void> => new Promise((resolve, reject) => ws.send(text, (error) => (error ? reject(error) : resolve())));

describe("maxSockets caps the sockets open at once", () => {
  it("an upgrade over maxSockets is answered 503 with Retry-After before the upgrade, opens no socket, and is logged", async () => {
    const { port, server, logged } = await serve({ stream: { credentials: [USER] }, maxSockets: 2 });
    const first = client(port);
    const second = client(port);
    await first.opened;
    await second.opened;
    assert.equal(server.openSockets, 2);
    const third = rawUpgrade(port);
    await until(() => third.ended);
    assert.match(third.answer, /^HTTP\/1\.1 503 /);
    assert.match(third.answer, /\r\nretry-after: \d+\r\n/i);
    assert.doesNotMatch(third.answer, /101 Switching Protocols/);
    assert.equal(server.openSockets, 2);
    assert.ok(logged.some((line) => line.includes("503") && line.includes("maxSockets")));
    // A slot freed is a slot taken again.
    first.ws.close();
    await first.closed;
    await until(() => server.openSockets === 1);
    const fourth = client(port);
    await fourth.opened;
  });
});

describe("a slow async onMedia cannot pile up pending promises", () => {
  it("at maxPendingMedia pending calls the node adapter pauses reading; the count stays bounded and no frame is lost", async () => {
    const MAX = 4;
    const FRAMES = 60;
    const pending: (() => void)[] = [];
    const seen: number[] = [];
    let mostPending = 0;
    let stopped = false;
    const { port, server, connections } = await serve({
      maxPendingMedia: MAX,
      closeAfterStopMs: 600_000, // this test is about reading, not the close after stop
      stream: {
        credentials: [USER],
        onMedia: (frame) =>
          new Promise<void>((resolve) => {
            seen.push(Number(frame.sequenceNumber));
            pending.push(resolve); // never settles until the test releases it
            mostPending = Math.max(mostPending, pending.length);
          }),
        onStop: () => {
          stopped = true;
        },
      },
    });
    const peer = client(port);
    await peer.opened;
    await sent(peer.ws, JSON.stringify(START));
    for (let i = 1; i <= FRAMES; i++) await sent(peer.ws, media(i));
    await sent(peer.ws, JSON.stringify(STOP));
    const written = peer.tcp().bytesWritten;
    const serverSide = connections[0];
    // Release one handler call at a time, each time only once the server has read all it would read (it
    // paused, or it read every byte the client wrote): an unbounded server would have called onMedia for
    // every frame by then.
    while (!(stopped && pending.length === 0)) {
      await until(() => serverSide.isPaused() || serverSide.bytesRead >= written);
      await new Promise((resolve) => setImmediate(resolve)); // let ws hand over what it parsed
      await until(() => pending.length > 0 || stopped);
      pending.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.ok(mostPending <= MAX, `at most ${MAX} onMedia calls pending, saw ${mostPending}`);
    assert.deepEqual(
      seen,
      Array.from({ length: FRAMES }, (_, i) => i + 1),
    );
    assert.equal(server.openSockets, 1);
  });

  it("on a transport that cannot pause, the stream is closed with 4014 at maxPendingMedia", async () => {
    const server = createStreamServer({ logger: { warn() {}, error() {} }, maxPendingMedia: 2, stream: { credentials: [USER], onMedia: () => new Promise<void>(() => {}) } });
    const decision = await server.authorizeUpgrade({ url: "/sockets/stream", headers: { authorization: GOOD } });
    assert.equal(decision.ok, true);
    const closes: number[] = [];
    const connection = server.accept({ send() {}, close: (code) => void closes.push(code) }, decision as Extract<typeof decision, { ok: true }>);
    connection.message(JSON.stringify(START));
    for (let i = 1; i <= 5; i++) connection.message(media(i));
    assert.deepEqual(closes, [C.mediaOverload.code]);
    connection.closed();
  });
});

describe("maxMessageBytes counts UTF-8 bytes", () => {
  it("a frame of fewer characters than maxMessageBytes but more bytes is refused with 1009; one within it is read", async () => {
    const invalid: number[] = [];
    // maxPayload over maxMessageBytes: the core's own check decides, as on the web adapter (no maxPayload).
    const { port } = await serve({ stream: { credentials: [USER] }, maxMessageBytes: 1000, onInvalidMessage: (info) => void invalid.push(info.code ?? -1) }, { maxPayload: 100_000 });
    const within = client(port);
    await within.opened;
    within.ws.send(JSON.stringify("€".repeat(332))); // 998 bytes: read, then refused as not an object (4001)
    assert.equal(await within.closed, C.invalidMessage.code);
    const euros = client(port);
    await euros.opened;
    euros.ws.send(JSON.stringify("€".repeat(400))); // 402 characters, 1202 bytes
    assert.equal(await euros.closed, C.tooLarge.code);
    const emoji = client(port);
    await emoji.opened;
    emoji.ws.send(JSON.stringify("😀".repeat(300))); // 602 characters, 1202 bytes
    assert.equal(await emoji.closed, C.tooLarge.code);
    assert.deepEqual(invalid, [C.invalidMessage.code, C.tooLarge.code, C.tooLarge.code]);
  });
});

describe("a socket cannot be held open after stop", () => {
  it("a peer that answers pings but never closes after stop is closed by the server (1000) after closeAfterStopMs", async () => {
    const closes: { code: number; stopped: boolean }[] = [];
    const { port, server } = await serve(
      { stream: { credentials: [USER] }, closeAfterStopMs: 50, onClose: (info) => void closes.push({ code: info.code, stopped: info.stopped }) },
      { pingIntervalMs: 20 },
    );
    const peer = client(port); // ws answers every ping by itself, and this test never closes it
    await peer.opened;
    peer.ws.send(JSON.stringify(START));
    peer.ws.send(JSON.stringify(STOP));
    assert.equal(await peer.closed, C.normal.code);
    await until(() => server.openSockets === 0);
    assert.deepEqual(closes, [{ code: C.normal.code, stopped: true }]);
  });
});
