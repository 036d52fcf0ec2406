// A socket's close record says which side closed it (`by`): `receiver` when the bot hung up (its stream
// closed the socket), `bandwidth` when the peer did. Socket replay uses it: a bot that hung up when recorded
// but no longer does is a `close` difference ("1000 by the receiver", now "1000 by bandwidth"), over ws and
// in process, where the replay closing with the recorded code used to hide it. A capture written before
// `by` was recorded still reads and replays as before (no side compared).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, test } from "node:test";
import { parseCapture, type SocketCaptureEntry } from "../generated/capture.js";
import { createStreamServer } from "../generated/sockets.js";
import { attachStreamServer } from "../generated/sockets-node.js";
import { replayCapture } from "../generated/testing.js";
import { connectBandwidthStream } from "./support/bandwidth-stream-client.js";
import { captureFolder } from "./support/capture.js";
import { until } from "./support/until.js";

const { root, createCapture } = captureFolder("bw-socket-closed-by-");
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const credentials = { username: "bw-stream", password: "stream-s3cret-pw" };
const SILENCE = new Uint8Array(160).fill(0xff);

/** A bot that answers start with a playAudio and, while `hangsUp`, hangs up at the first media frame of every other socket (the 1st, 3rd…). */
async function bot(capture?: ReturnType<typeof createCapture>) {
  const state = { hangsUp: true, opened: 0 };
  const sockets = createStreamServer<{ odd: boolean }>({
    logger: quiet,
    ...(capture === undefined ? {} : { capture }),
    stream: {
      credentials: [credentials],
      createState: () => ({ odd: ++state.opened % 2 === 1 }),
      onStart: (_start, s) => void s.playAudio(SILENCE),
      onMedia: (_frame, s) => {
        if (state.hangsUp && s.state.odd) s.close(1000, "done");
      },
    },
  });
  const server = createServer((_req, res) => res.end());
  const attached = attachStreamServer(server, sockets);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    await attached.close();
    await new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  };
  return { sockets, url, state, close };
}

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close().catch(() => undefined);
});

test("a close record says who closed the socket, and replay names a bot that no longer hangs up", async () => {
  const capture = createCapture({ dir: join(root, "closed-by") });
  const recorded = await bot(capture);
  closers.push(recorded.close);
  // the bot hangs up on the first
  const first = await connectBandwidthStream({ url: `${recorded.url}/sockets/stream`, ...credentials });
  await first.start({ callId: "c-1" });
  await first.media(SILENCE);
  assert.equal((await first.closed).code, 1000);
  // Bandwidth hangs up on the second
  const second = await connectBandwidthStream({ url: `${recorded.url}/sockets/stream`, ...credentials });
  await second.start({ callId: "c-2" });
  await second.media(SILENCE);
  await second.stop();
  await second.close(1000);
  await until(() => recorded.sockets.openSockets === 0);
  const text = (await capture.close()).map((file) => readFileSync(file, "utf8")).join("");
  const sockets: SocketCaptureEntry[] = [];
  parseCapture(text, sockets);
  assert.deepEqual(
    sockets.filter((e) => e.type === "close").map((e) => [e.connection, e.code, e.by]),
    [
      [1, 1000, "receiver"],
      [2, 1000, "bandwidth"],
    ],
  );

  const noDeliveries = () => new Response("");
  const targets = [
    ["ws", recorded.url],
    ["in process", recorded.sockets],
  ] as const;
  for (const [how, target] of targets) {
    recorded.state.hangsUp = true;
    const same = await replayCapture(noDeliveries, text, { sockets: { ...credentials, target, stepTimeoutMs: 500 } });
    assert.deepEqual(
      same.sockets.map((s) => [s.connection, s.actual?.closedBy, s.differences]),
      [
        [1, "receiver", []],
        [2, "bandwidth", []],
      ],
      how,
    );
    recorded.state.hangsUp = false;
    const changed = await replayCapture(noDeliveries, text, { sockets: { ...credentials, target, stepTimeoutMs: 500 } });
    assert.deepEqual(
      changed.sockets.map((s) => [s.connection, s.differences]),
      [
        [1, [{ path: "close", recorded: "1000 by the receiver", actual: "1000 by bandwidth" }]],
        [2, []],
      ],
      how,
    );
    // a capture written before `by` was recorded: read as before, the side not compared
    const older = text.replace(/,"by":"(?:receiver|bandwidth)"/g, "");
    assert.ok(!older.includes('"by"'));
    const old = await replayCapture(noDeliveries, older, { sockets: { ...credentials, target, stepTimeoutMs: 500 } });
    assert.deepEqual(
      old.sockets.map((s) => [s.connection, s.recorded.closedBy, s.differences]),
      [
        [1, undefined, []],
        [2, undefined, []],
      ],
      how,
    );
  }
});
