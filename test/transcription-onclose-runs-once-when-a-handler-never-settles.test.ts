// A transcription handler that never settles, and the peer closes the socket: onClose still runs, exactly
// once, `closeAfterStopMs` after the close, with the calls still waiting dropped and counted
// (`droppedTranscriptions`), and the session's state released; the handler settling later runs nothing more.
// Before, `closed()` waited for the backlog without a limit: onClose never ran and `session.state` was
// held for ever, for every such call. A handler that settles in time still runs everything, then onClose.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { WebSocket } from "ws";
import { createStreamServer, type SocketCloseInfo, type StreamServerOptions } from "../generated/sockets.js";
import { attachStreamServer } from "../generated/sockets-node.js";
import { closedAfterTheFile } from "./support/socket-peers.js";
import { settles, until } from "./support/until.js";

const START = {
  eventType: "start",
  metadata: { accountId: "5551234", callId: "c-stuck", realTimeTranscriptionId: "t-1", transcriptionName: "captions", tracks: [{ name: "inbound" }], stabilized: true },
};
const STOP = { eventType: "stop", metadata: START.metadata };
const update = (n: number): string => JSON.stringify({ eventType: "transcription", track: "inbound", transcript: `update ${n}`, isPartial: false });
/** A limit that only stops a hang (the old code never ran onClose): far past the 50 ms bound, not a timing. */
const HUNG_MS = 30_000;
const turn = () => new Promise((resolve) => setImmediate(resolve));

const { servers, clients } = closedAfterTheFile();

/** A transcription server over a real `ws` socket; the client sends `frames`, then closes. */
async function peerSendsThenCloses(options: StreamServerOptions<any, any>, frames: string[]) {
  const sockets = createStreamServer(options);
  const http = createServer((_req, res) => res.end("http"));
  servers.push(http);
  attachStreamServer(http, sockets);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const ws = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/sockets/transcription`);
  clients.push(ws);
  ws.on("error", () => {});
  await settles(new Promise((resolve) => ws.once("open", resolve)), "open");
  await new Promise<void>((resolve, reject) => {
    for (const [i, frame] of frames.entries()) ws.send(frame, i === frames.length - 1 ? (error) => (error ? reject(error) : resolve()) : undefined);
  });
  ws.close(1000);
  return sockets;
}

describe("a transcription handler that never settles does not hold onClose and the session's state", () => {
  it("the peer closes while a handler hangs: onClose runs once after closeAfterStopMs, the waiting updates dropped and counted, the state released", async () => {
    const seen: string[] = [];
    const closes: SocketCloseInfo[] = [];
    const warnings: string[] = [];
    let settleStuck: (() => void) | undefined;
    let session: { state: unknown } | undefined;
    const sockets = await peerSendsThenCloses(
      {
        logger: { warn: (m: string) => void warnings.push(m), error() {} },
        closeAfterStopMs: 50,
        onClose: (info) => void closes.push(info),
        transcription: {
          allowUnauthenticated: true,
          onStart: (_start, s) => {
            s.state = { big: "per-call state" };
            session = s;
          },
          onTranscription: (u) => {
            seen.push(u.transcript);
            // the first update's handler hangs (a stuck request to a speech service, a lost promise)
            if (u.transcript === "update 1") return new Promise<void>((resolve) => (settleStuck = resolve));
          },
        },
      },
      [JSON.stringify(START), update(1), update(2), update(3)],
    );
    await until(() => closes.length > 0, HUNG_MS);
    assert.equal(closes.length, 1);
    assert.equal(closes[0].droppedTranscriptions, 2, "updates 2 and 3 waited behind the hung handler");
    assert.equal(closes[0].callId, "c-stuck");
    assert.deepEqual(seen, ["update 1"]);
    assert.equal(session?.state, undefined, "the session's state is released");
    assert.equal(sockets.openSockets, 0);
    assert.equal(warnings.filter((w) => w.includes("did not settle")).length, 1);
    // The hung handler settles at last: nothing more runs, onClose is not run again.
    settleStuck!();
    for (let i = 0; i < 5; i++) await turn();
    assert.deepEqual(seen, ["update 1"]);
    assert.equal(closes.length, 1, "onClose runs once");
  });

  it("a handler that settles in time: every update and onStop run, then onClose, nothing dropped", async () => {
    const events: string[] = [];
    const closes: SocketCloseInfo[] = [];
    let settleSlow: (() => void) | undefined;
    let session: { state: unknown } | undefined;
    const sockets = await peerSendsThenCloses(
      {
        logger: { warn() {}, error() {} },
        closeAfterStopMs: 600_000,
        onClose: (info) => {
          events.push("onClose");
          closes.push(info);
        },
        transcription: {
          allowUnauthenticated: true,
          onStart: (_start, s) => {
            s.state = { big: "per-call state" };
            session = s;
          },
          onTranscription: (u) => {
            events.push(u.transcript);
            if (u.transcript === "update 1") return new Promise<void>((resolve) => (settleSlow = resolve));
          },
          onStop: () => void events.push("onStop"),
        },
      },
      [JSON.stringify(START), update(1), update(2), JSON.stringify(STOP)],
    );
    await until(() => sockets.openSockets === 0, HUNG_MS); // the server saw the close
    assert.deepEqual(events, ["update 1"], "onClose waits for the handlers still to run");
    assert.notEqual(session?.state, undefined);
    settleSlow!();
    await until(() => closes.length > 0, HUNG_MS);
    assert.deepEqual(events, ["update 1", "update 2", "onStop", "onClose"]);
    assert.equal(closes[0].droppedTranscriptions, 0);
    assert.equal(session?.state, undefined);
  });
});
