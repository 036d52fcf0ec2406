// A `media` frame whose track `start` did not announce (media-streams.md: `track` is "one of the names in
// start"; `tracks="inbound"` streams the caller only) never reaches `onMedia`: a bot that asked for the
// caller alone must not be fed the call's outbound audio (its own voice). It is dropped, counted
// (`droppedMedia` of onClose) and logged once per socket; the socket stays open, since the call may be valid.
// Both read paths (the fast one, and JSON.parse + validator) are checked, over a real `ws` socket. A start
// that names no track, or both, takes every frame.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { WebSocket } from "ws";
import { createStreamServer, type SocketCloseInfo } from "../generated/sockets.js";
import { attachStreamServer } from "../generated/sockets-node.js";
import { settles, until } from "./support/until.js";
import { closedAfterTheFile } from "./support/socket-peers.js";

const USER = { username: "bw-stream", password: "track-test" };
const GOOD = `Basic ${Buffer.from(`${USER.username}:${USER.password}`).toString("base64")}`;
const metadata = (tracks: unknown[]) => ({ accountId: "5551234", callId: "c-tracks", streamId: "s-1", streamName: "bot", tracks });
const PAYLOAD = Buffer.alloc(160, 0xff).toString("base64");
/** A media frame the fast path reads. */
const fast = (track: string, n: number) => JSON.stringify({ eventType: "media", track, sequenceNumber: String(n), payload: PAYLOAD });
/** One the fast path declines (a nested extra field Bandwidth might add): JSON.parse + the validator read it. */
const slow = (track: string, n: number) => JSON.stringify({ eventType: "media", track, sequenceNumber: String(n), payload: PAYLOAD, extra: { added: "later" } });

const { servers, clients } = closedAfterTheFile();

async function run(tracks: unknown[], frames: string[]) {
  const seen: string[] = [];
  const warnings: string[] = [];
  let closeInfo: SocketCloseInfo | undefined;
  let stopped = false;
  const sockets = createStreamServer({
    logger: { warn: (m: string) => void warnings.push(m), error() {} },
    onClose: (info) => {
      closeInfo = info;
    },
    stream: {
      credentials: [USER],
      onMedia: (frame) => void seen.push(`${frame.track} ${frame.sequenceNumber}`),
      onStop: () => {
        stopped = true;
      },
    },
  });
  const http = createServer((_req, res) => res.end("http"));
  servers.push(http);
  attachStreamServer(http, sockets);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const ws = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/sockets/stream`, { headers: { authorization: GOOD } });
  clients.push(ws);
  ws.on("error", () => {});
  const closed = settles(new Promise<number>((resolve) => ws.once("close", (code) => resolve(code))), "close");
  await settles(new Promise((resolve) => ws.once("open", resolve)), "open");
  ws.send(JSON.stringify({ eventType: "start", metadata: metadata(tracks) }));
  for (const frame of frames) ws.send(frame);
  ws.send(JSON.stringify({ eventType: "stop", metadata: metadata(tracks) }));
  await until(() => stopped);
  ws.close();
  await until(() => closeInfo !== undefined);
  await closed;
  return { seen, warnings, closeInfo: closeInfo! };
}

describe("media frames for a track start did not announce", () => {
  it("tracks inbound: outbound frames (fast and slow path) are dropped before onMedia, counted, logged once; the call goes on", async () => {
    const frames = [fast("inbound", 1), fast("outbound", 2), slow("outbound", 3), slow("inbound", 4), fast("mixed", 5), fast("inbound", 6)];
    const { seen, warnings, closeInfo } = await run([{ name: "inbound", mediaFormat: { encoding: "PCMU", sampleRate: 8000 } }], frames);
    assert.deepEqual(seen, ["inbound 1", "inbound 4", "inbound 6"]);
    assert.equal(closeInfo.droppedMedia, 3);
    assert.equal(closeInfo.stopped, true, "the stream ran to its stop");
    assert.equal(warnings.filter((w) => w.includes("did not announce")).length, 1);
  });

  it("tracks both (as plain names, Bandwidth's pipecat form) take both tracks; nothing is dropped", async () => {
    const { seen, closeInfo, warnings } = await run(["inbound", "outbound"], [fast("inbound", 1), fast("outbound", 2), slow("outbound", 3)]);
    assert.deepEqual(seen, ["inbound 1", "outbound 2", "outbound 3"]);
    assert.equal(closeInfo.droppedMedia, 0);
    assert.deepEqual(warnings, []);
  });

  it("a start that names no track takes every frame (nothing to check against)", async () => {
    const { seen, closeInfo } = await run([], [fast("inbound", 1), fast("outbound", 2)]);
    assert.deepEqual(seen, ["inbound 1", "outbound 2"]);
    assert.equal(closeInfo.droppedMedia, 0);
  });
});
