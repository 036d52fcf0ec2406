// An open media-stream socket on the `ws` adapter keeps nothing of its HTTP upgrade request: the request
// (its headers, the `Authorization` credentials among them) can be garbage-collected while the socket is
// still open. A listener that closed over the request used to keep it, and ~1.5 KB, alive per stream
// for the stream's whole life.
import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { after, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { WebSocket } from "ws";
import { createStreamServer } from "../generated/sockets.js";
import { attachStreamServer } from "../generated/sockets-node.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const QUIET = { debug() {}, info() {}, warn() {}, error() {} };
const AUTHORIZATION = `Basic ${Buffer.from("bw-stream:secret-password").toString("base64")}`;

const http = createServer((_request, response) => response.end());
let ws: WebSocket | undefined;
after(async () => {
  ws?.terminate();
  http.closeAllConnections();
  await new Promise((resolve) => http.close(resolve));
});

it("an open socket lets its upgrade request (and its Authorization header) be collected", async () => {
  let started!: () => void;
  const onStart = new Promise<void>((resolve) => {
    started = resolve;
  });
  const streams = createStreamServer({
    logger: QUIET,
    stream: { credentials: [{ username: "bw-stream", password: "secret-password" }], onStart: () => started() },
  });
  // Registered before the adapter's listener: holds the request weakly only.
  const requests: WeakRef<IncomingMessage>[] = [];
  http.on("upgrade", (request: IncomingMessage) => void requests.push(new WeakRef(request)));
  attachStreamServer(http, streams);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;

  ws = new WebSocket(`ws://127.0.0.1:${port}/sockets/stream`, { headers: { authorization: AUTHORIZATION } });
  await new Promise<void>((resolve, reject) => {
    ws!.once("open", resolve);
    ws!.once("error", reject);
  });
  const closed = new Promise<never>((_resolve, reject) => ws!.once("close", (code) => reject(new Error(`the socket closed (${code})`))));
  ws.send(JSON.stringify({ eventType: "start", metadata: { accountId: "5551234", callId: "c-abc", streamId: "s-123", streamName: "bot", tracks: [{ name: "inbound", mediaFormat: { encoding: "PCMU", sampleRate: 8000 } }] } }));
  await Promise.race([onStart, closed]);
  assert.equal(streams.openSockets, 1);
  assert.equal(requests.length, 1);

  // deref() keeps its target alive until the end of the current job: collect in a fresh job, read in the next.
  const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  let request: IncomingMessage | undefined = requests[0].deref();
  for (let round = 0; round < 5 && request !== undefined; round++) {
    request = undefined;
    await turn();
    gc();
    await turn();
    request = requests[0].deref();
  }
  assert.equal(request, undefined, "the upgrade request is still reachable from the open socket");
  assert.equal(streams.openSockets, 1, "the socket is still open");
});
