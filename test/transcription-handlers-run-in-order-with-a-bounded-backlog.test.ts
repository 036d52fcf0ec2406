// A slow async `onTranscription` and a fast stream of updates: the handlers run one at a time, in order
// (the next starts once the previous settled), `onStop` after the last update, and the updates waiting are
// bounded by `maxPendingTranscriptions`: over a real `ws` socket the server pauses reading (nothing lost);
// on a transport that cannot pause the new updates are dropped, counted in onClose and logged. Before, every
// update started its handler at once: one pending promise per update, without bound.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { describe, it } from "node:test";
import { WebSocket } from "ws";
import { createStreamServer, type SocketCloseInfo } from "../generated/sockets.js";
import { attachStreamServer } from "../generated/sockets-node.js";
import { settles, until } from "./support/until.js";
import { closedAfterTheFile } from "./support/socket-peers.js";

const START = {
  eventType: "start",
  metadata: { accountId: "5551234", callId: "c-live", realTimeTranscriptionId: "t-1", transcriptionName: "captions", tracks: [{ name: "inbound" }], stabilized: true },
};
const STOP = { eventType: "stop", metadata: START.metadata };
const update = (n: number): string => JSON.stringify({ eventType: "transcription", track: "inbound", transcript: `update ${n}`, isPartial: n % 2 === 1 });
const numberOf = (transcript: string): number => Number(transcript.slice("update ".length));

const { servers, clients } = closedAfterTheFile();

/** A handler whose calls wait until the test releases them, one by one; it counts how many run at once. */
function slowHandler() {
  const waiting: (() => void)[] = [];
  const seen: string[] = [];
  let running = 0;
  let mostRunning = 0;
  const run = (what: string) =>
    new Promise<void>((resolve) => {
      seen.push(what);
      running++;
      mostRunning = Math.max(mostRunning, running);
      waiting.push(() => {
        running--;
        resolve();
      });
    });
  return {
    seen,
    waiting,
    run,
    get mostRunning() {
      return mostRunning;
    },
    releaseOne: () => waiting.shift()?.(),
  };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("transcription handlers run one at a time, in order, behind a bounded backlog", () => {
  it("over a real socket: one handler at a time, every update in order, onStop last; reading pauses while the backlog is full", async () => {
    const UPDATES = 300;
    const handler = slowHandler();
    let closeInfo: SocketCloseInfo | undefined;
    const sockets = createStreamServer({
      logger: { warn() {}, error() {} },
      maxPendingTranscriptions: 4,
      closeAfterStopMs: 600_000,
      onClose: (info) => {
        closeInfo = info;
      },
      transcription: {
        allowUnauthenticated: true,
        onTranscription: (u) => handler.run(u.transcript),
        onStop: () => handler.run("stop"),
      },
    });
    const http = createServer((_req, res) => res.end("http"));
    servers.push(http);
    const connections: Socket[] = [];
    http.on("connection", (socket) => void connections.push(socket));
    attachStreamServer(http, sockets);
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const ws = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/sockets/transcription`);
    clients.push(ws);
    ws.on("error", () => {});
    let tcp: Socket | undefined;
    ws.once("upgrade", (response) => {
      tcp = response.socket as Socket;
    });
    await settles(new Promise((resolve) => ws.once("open", resolve)), "open");
    const frames = [JSON.stringify(START), ...Array.from({ length: UPDATES }, (_, i) => update(i + 1)), JSON.stringify(STOP)];
    await new Promise<void>((resolve, reject) => {
      for (const [i, frame] of frames.entries()) ws.send(frame, i === frames.length - 1 ? (error) => (error ? reject(error) : resolve()) : undefined);
    });
    const written = tcp!.bytesWritten;
    const serverSide = connections[0];
    let sawPaused = false;
    while (handler.seen.at(-1) !== "stop" || handler.waiting.length > 0) {
      // Only once the server read all it would read (paused, or every byte the client wrote) is one released.
      await until(() => serverSide.isPaused() || serverSide.bytesRead >= written);
      sawPaused ||= serverSide.isPaused();
      await turn();
      await until(() => handler.waiting.length > 0);
      handler.releaseOne();
      await turn();
    }
    assert.equal(handler.mostRunning, 1, "one transcription handler call at a time");
    assert.deepEqual(handler.seen, [...Array.from({ length: UPDATES }, (_, i) => `update ${i + 1}`), "stop"]);
    assert.ok(sawPaused, "the server paused reading while the backlog was full");
    ws.close();
    await until(() => closeInfo !== undefined);
    assert.equal(closeInfo!.droppedTranscriptions, 0);
  });

  it("on a transport that cannot pause: at most maxPendingTranscriptions wait, newer updates are dropped, counted and logged; the socket stays open", async () => {
    const MAX = 8;
    const UPDATES = 500;
    const handler = slowHandler();
    const warnings: string[] = [];
    const closes: number[] = [];
    const events: string[] = [];
    let closeInfo: SocketCloseInfo | undefined;
    const sockets = createStreamServer({
      logger: { warn: (m: string) => void warnings.push(m), error() {} },
      maxPendingTranscriptions: MAX,
      onClose: (info) => {
        events.push("onClose");
        closeInfo = info;
      },
      transcription: {
        allowUnauthenticated: true,
        onTranscription: (u) => handler.run(u.transcript),
        onStop: () => {
          events.push("onStop");
        },
      },
    });
    const decision = await sockets.authorizeUpgrade({ url: "/sockets/transcription", headers: {} });
    assert.equal(decision.ok, true);
    const connection = sockets.accept({ send() {}, close: (code) => void closes.push(code) }, decision as Extract<typeof decision, { ok: true }>);
    connection.message(JSON.stringify(START));
    for (let i = 1; i <= UPDATES; i++) connection.message(update(i));
    connection.message(JSON.stringify(STOP));
    assert.equal(handler.mostRunning, 1);
    assert.deepEqual(closes, [], "the socket stays open");
    assert.equal(warnings.filter((w) => w.includes("maxPendingTranscriptions")).length, 1, "one (rate-limited) warning");
    // Bandwidth closes right after stop: what was already taken still reaches the handlers, in order.
    connection.closed(1000, "");
    assert.deepEqual(events, [], "onClose waits for the handlers still to run");
    while (handler.waiting.length > 0) {
      handler.releaseOne();
      await turn();
    }
    const kept = Array.from({ length: MAX + 1 }, (_, i) => i + 1); // the running one, then MAX waiting
    assert.deepEqual(handler.seen.map(numberOf), kept);
    assert.deepEqual(events, ["onStop", "onClose"]);
    assert.equal(closeInfo!.droppedTranscriptions, UPDATES - kept.length);
    assert.equal(sockets.openSockets, 0);
  });

  it("an async onStart is awaited before the first update; a handler failing closes the socket and drops what waits", async () => {
    const handler = slowHandler();
    const closes: number[] = [];
    const sockets = createStreamServer({
      logger: { warn() {}, error() {} },
      transcription: {
        allowUnauthenticated: true,
        onStart: () => handler.run("start"),
        onTranscription: (u) => {
          if (u.transcript === "update 2") throw new Error("handler bug");
          return handler.run(u.transcript);
        },
      },
    });
    const decision = await sockets.authorizeUpgrade({ url: "/sockets/transcription", headers: {} });
    const connection = sockets.accept({ send() {}, close: (code) => void closes.push(code) }, decision as Extract<typeof decision, { ok: true }>);
    connection.message(JSON.stringify(START));
    for (let i = 1; i <= 4; i++) connection.message(update(i));
    assert.deepEqual(handler.seen, ["start"]);
    handler.releaseOne();
    await turn();
    assert.deepEqual(handler.seen, ["start", "update 1"]);
    handler.releaseOne();
    await turn();
    assert.deepEqual(closes, [4010]);
    assert.deepEqual(handler.seen, ["start", "update 1"], "nothing runs after the failure closed the socket");
    connection.closed(4010, "handler failed");
  });
});
