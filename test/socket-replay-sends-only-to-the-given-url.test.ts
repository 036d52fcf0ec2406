// Socket replay keeps to the target it was given, as delivery replay does: a captured socket's recorded path
// that would name another server once glued to the target (`@host:port/…`) is refused, that socket reported
// as not opened, and nothing (no handshake, no stream credentials) reaches the other server; a hostile
// capture's recorded upgrade headers (host, cookie, authorization) are not sent again either, nor a subprotocol the capture masked.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { replayCapture } from "../generated/testing.js";
import type { SocketCaptureEntry } from "../generated/capture.js";

/** A server that records every upgrade it is asked for and refuses it (401: no socket opens). */
function upgrades() {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const s = createServer((_request, response) => response.writeHead(404).end());
  s.on("upgrade", (request, socket) => {
    seen.push({ url: request.url ?? "", headers: request.headers });
    socket.end("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  });
  return { s, seen };
}

const target = upgrades();
const elsewhere = upgrades();
after(() => {
  for (const { s } of [target, elsewhere]) {
    s.closeAllConnections();
    s.close();
  }
});

function session(connection: number, url: string, headers: Record<string, string> = {}): SocketCaptureEntry[] {
  const head = { v: 1 as const, socket: "stream" as const, connection, at: "2026-12-05T08:00:00.000Z" };
  return [
    { ...head, type: "open", url, headers },
    { ...head, type: "in", event: "start", message: '{"eventType":"start"}' },
    { ...head, type: "close", code: 1000 },
  ];
}

test("socket replay opens only to the given target, never to a host named by the capture, and sends none of a capture's own host or credential headers", async () => {
  await new Promise<void>((resolve) => target.s.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => elsewhere.s.listen(0, "127.0.0.1", resolve));
  const port = (elsewhere.s.address() as AddressInfo).port;
  const base = `ws://127.0.0.1:${(target.s.address() as AddressInfo).port}`;
  const entries = [
    ...session(1, `@127.0.0.1:${port}/stolen`),
    ...session(2, "/sockets/stream", { host: `127.0.0.1:${port}`, cookie: "session=stolen", authorization: "Basic c3RvbGVu", "user-agent": "BandwidthAPI/v2" }),
  ];
  const report = await replayCapture(base, entries, { username: "bw", password: "stream-s3cret", sockets: { stepTimeoutMs: 200 } });
  assert.deepEqual(elsewhere.seen, [], "a socket was opened to a host named by the capture");
  assert.match(report.sockets[0].error ?? "", /not a path/, JSON.stringify(report.sockets[0]));
  assert.deepEqual(target.seen.map((u) => u.url), ["/sockets/stream"]);
  const sent = target.seen[0].headers;
  assert.equal(sent.host, base.slice("ws://".length), "the capture's host header was sent");
  assert.equal(sent.cookie, undefined, "the capture's cookie was sent");
  assert.equal(sent.authorization, `Basic ${Buffer.from("bw:stream-s3cret").toString("base64")}`, "the capture's authorization replaced the given credentials");
  assert.equal(sent["user-agent"], "BandwidthAPI/v2");
});

test("socket replay does not send a subprotocol the capture masked (`***`), and sends a recorded plain one as it was", async () => {
  const base = `ws://127.0.0.1:${(target.s.address() as AddressInfo).port}`;
  const before = target.seen.length;
  const entries = [
    ...session(3, "/sockets/stream", { "sec-websocket-protocol": "***" }),
    ...session(4, "/sockets/stream", { "sec-websocket-protocol": "audio.v1" }),
  ];
  await replayCapture(base, entries, { username: "bw", password: "stream-s3cret", sockets: { stepTimeoutMs: 200 } });
  const sent = target.seen.slice(before).map((u) => u.headers["sec-websocket-protocol"]);
  assert.deepEqual(sent, [undefined, "audio.v1"]);
});
