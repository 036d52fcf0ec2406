// The transcription token on the upgrade, over real sockets on 127.0.0.1: createStreamServer with
// `verifyToken: tokens.verifyUpgrade` behind the node adapter. A missing, expired, tampered or retired
// token gets HTTP 401 and no socket (the raw handshake answer is read); a good one (signed with either
// rotated secret) gets a socket whose `start` must be for the token's call (another call: 4008, no
// handler ran); the refusal never carries the token.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket } from "ws";
import { createStreamServer, createTranscriptionTokenVerifier, transcriptionDestination } from "../generated/sockets.js";
import { attachStreamServer } from "../generated/sockets-node.js";
import { closedAfterTheFile } from "./support/socket-peers.js";

const SECRET = "transcription-upgrade-secret-1";
const OLD = "transcription-upgrade-secret-0";
const CALL = "c-2f6a9d14-7c3b81e0-4e5d-49a2-b7f1-93c0de5a2b6f";
const QUIET = { debug() {}, info() {}, warn() {}, error() {} };
const START = (callId: string) => ({ eventType: "start", metadata: { accountId: "5590123", callId, realTimeTranscriptionId: "t-1", transcriptionName: "live", tracks: [{ name: "inbound" }] } });
const UPDATE = { eventType: "transcription", track: "inbound", transcript: "hello there", isPartial: false };

const { servers, clients } = closedAfterTheFile();

async function serve() {
  const heard: string[] = [];
  const started: string[] = [];
  const tokens = createTranscriptionTokenVerifier({ secrets: [SECRET, OLD] });
  const sockets = createStreamServer({
    transcription: {
      verifyToken: tokens.verifyUpgrade,
      onStart: (_start, session) => void started.push(session.callId),
      onTranscription: (update, session) => void heard.push(`${session.callId}:${update.transcript}`),
    },
    logger: QUIET,
  });
  const http = createServer((_req, res) => res.writeHead(404).end());
  servers.push(http);
  attachStreamServer(http, sockets);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  return { base: `ws://127.0.0.1:${port}/sockets/transcription`, port, heard, started };
}

/** The raw answer to an opening handshake: status, headers, body, and whether it upgraded. */
function handshake(url: string): Promise<{ status: number; body: string; upgraded: boolean; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url.replace(/^ws/, "http"), { headers: { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" } });
    req.on("response", (res) => {
      let body = "";
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, body, upgraded: false, headers: res.headers }));
    });
    req.on("upgrade", (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode!, body: "", upgraded: true, headers: res.headers });
    });
    req.on("error", reject);
    req.end();
  });
}

function open(url: string): Promise<{ ws: WebSocket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    clients.push(ws);
    const closed = new Promise<number>((r) => ws.once("close", (code) => r(code)));
    ws.once("open", () => resolve({ ws, closed }));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`no socket: HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

describe("transcription token on the upgrade (node adapter, real sockets)", () => {
  it("missing, expired, tampered and retired tokens get 401 and no socket; the answer never carries the token", async () => {
    const f = await serve();
    const expired = await transcriptionDestination({ baseUrl: f.base, secret: SECRET, callId: CALL, expiresInSeconds: 60, now: () => Date.now() - 120_000 });
    const good = await transcriptionDestination({ baseUrl: f.base, secret: SECRET, callId: CALL });
    const token = new URL(good.replace(/^ws/, "http")).searchParams.get("token")!;
    const tampered = `${f.base}?token=${token.replace(/\.(\d+)\./, (_m, exp: string) => `.${Number(exp) + 600}.`)}`;
    const retired = await transcriptionDestination({ baseUrl: f.base, secret: "a-retired-secret-nobody-has", callId: CALL });
    for (const [what, url] of [["missing", f.base], ["expired", expired], ["tampered (later expiry)", tampered], ["retired secret", retired]] as const) {
      const answer = await handshake(url);
      assert.equal(answer.status, 401, what);
      assert.equal(answer.upgraded, false, what);
      assert.equal(answer.headers["www-authenticate"], undefined, `${what}: no Basic challenge on the transcription socket`);
      assert.ok(!answer.body.includes(token.slice(-20)), `${what}: the token is not echoed`);
    }
    assert.deepEqual(f.started, []);
  });

  it("a good token (either rotated secret) opens the socket; its start must name the token's call", async () => {
    const f = await serve();
    for (const secret of [SECRET, OLD]) {
      const { ws, closed } = await open(await transcriptionDestination({ baseUrl: f.base, secret, callId: CALL }));
      ws.send(JSON.stringify(START(CALL)));
      ws.send(JSON.stringify(UPDATE));
      ws.send(JSON.stringify({ eventType: "stop", metadata: START(CALL).metadata }));
      ws.close(1000, "call ended"); // Bandwidth closes after stop
      assert.equal(await closed, 1000);
    }
    assert.deepEqual(f.heard, [`${CALL}:hello there`, `${CALL}:hello there`]);
    const { ws, closed } = await open(await transcriptionDestination({ baseUrl: f.base, secret: SECRET, callId: "c-another-call" }));
    ws.send(JSON.stringify(START(CALL)));
    assert.equal(await closed, 4008);
    assert.deepEqual(f.started, [CALL, CALL], "no handler ran for the socket whose start named another call");
  });
});
