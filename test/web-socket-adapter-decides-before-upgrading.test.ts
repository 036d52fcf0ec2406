// The web-standard socket adapter (templates/runtime/sockets/adapters/web.ts) under Node's own Fetch
// Request/Response: routing (other paths to the fallback, 404 without one), 426 without an Upgrade
// header, authentication decided BEFORE any upgrade (a refused decision is answered as is and the
// runtime's upgrade is never called), and the Deno and Bun upgrade paths against stand-ins for
// `Deno.upgradeWebSocket` and Bun's `server.upgrade` + `websocket` handlers: frames reach the core's
// connection, sends and closes reach the socket, drains and closes are reported. The Workers path needs
// a 101 Response, which only workerd can build: the runtime contract runs it for real
// (test/runtimes-contract.test.ts, like Deno and Bun over real sockets).
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createWebSocketAdapter } from "../templates/runtime/sockets/adapters/web.js";
import type { AcceptedUpgrade, SocketConnection, SocketLike, StreamServer, UpgradeRequestLike } from "../templates/runtime/sockets/types.js";

const ACCEPTED: AcceptedUpgrade = { ok: true, kind: "stream", path: "/sockets/stream", query: new URLSearchParams(), auth: "basic", credentialIndex: 0 };

/** A stream server stand-in: accepts only `Authorization: Basic good`, records what the adapter fed it. */
function fakeServer() {
  const events: string[] = [];
  const sockets: SocketLike[] = [];
  const server: StreamServer = {
    paths: { stream: "/sockets/stream", transcription: "/sockets/transcription" },
    maxMessageBytes: 1024,
    async authorizeUpgrade(request: UpgradeRequestLike) {
      const header = (request.headers as Headers).get("authorization");
      events.push(`authorize ${new URL(request.url).pathname}`);
      if (header === "Basic good") return ACCEPTED;
      return { ok: false, status: 401, headers: { "www-authenticate": 'Basic realm="streams"', "content-type": "text/plain" }, body: "unauthorized\n", reason: "missing" };
    },
    accept(socket: SocketLike, upgrade: AcceptedUpgrade): SocketConnection {
      events.push(`accept ${upgrade.kind}`);
      sockets.push(socket);
      return {
        message: (data) => void events.push(`message ${typeof data === "string" ? data : `${(data as Uint8Array).byteLength} bytes`}`),
        drain: () => void events.push("drain"),
        deadPeer: () => void events.push("deadPeer"),
        closed: (code) => void events.push(`closed ${code}`),
        transportRefused: (code: number) => void events.push(`refused ${code}`),
        close: (code: number, reason: string) => socket.close(code, reason),
        stream: undefined,
      } as SocketConnection;
    },
    openSockets: 0,
    closeAll() {},
  } as StreamServer;
  return { server, events, sockets };
}

const upgradeHeaders = (extra: Record<string, string> = {}) => ({ upgrade: "websocket", connection: "Upgrade", ...extra });

/** A standard WebSocket stand-in (Deno's server side): an EventTarget recording sends and closes. */
class FakeSocket extends EventTarget {
  sent: string[] = [];
  closedWith: [number | undefined, string | undefined] | undefined;
  bufferedAmount = 0;
  readyState = 1;
  send(text: string) {
    this.sent.push(text);
  }
  close(code?: number, reason?: string) {
    this.closedWith = [code, reason];
  }
  emit(type: string, init: Record<string, unknown> = {}) {
    this.dispatchEvent(Object.assign(new Event(type), init));
  }
}

const g = globalThis as { Deno?: unknown };
afterEach(() => {
  delete g.Deno;
});

describe("web socket adapter: decisions before any upgrade", () => {
  it("other paths go to the fallback with the runtime's extra arguments, or get 404", async () => {
    const { server, events } = fakeServer();
    const seen: unknown[] = [];
    const adapter = createWebSocketAdapter(server, { fallback: (_request, env) => (seen.push(env), new Response("webhooks", { status: 200 })) });
    const res = await adapter.fetch(new Request("http://x.test/callbacks/voice", { method: "POST", body: "{}" }), { ENV: 1 });
    assert.equal(await res!.text(), "webhooks");
    assert.deepEqual(seen, [{ ENV: 1 }]);
    assert.equal((await createWebSocketAdapter(server).fetch(new Request("http://x.test/elsewhere")))!.status, 404);
    assert.deepEqual(events, [], "no upgrade decision for other paths");
  });

  it("a socket path without Upgrade: websocket gets 426, before any decision", async () => {
    const { server, events } = fakeServer();
    const res = (await createWebSocketAdapter(server, { runtime: "deno" }).fetch(new Request("http://x.test/sockets/stream")))!;
    assert.equal(res.status, 426);
    assert.equal(res.headers.get("upgrade"), "websocket");
    assert.deepEqual(events, []);
  });

  it("missing or wrong credentials: the decision's 401 + WWW-Authenticate, and the runtime's upgrade is never called", async () => {
    const { server, events } = fakeServer();
    let upgrades = 0;
    g.Deno = { upgradeWebSocket: () => (upgrades++, { socket: new FakeSocket(), response: new Response(null) }) };
    const bun = { upgrade: () => (upgrades++, true) };
    const adapter = createWebSocketAdapter(server);
    for (const headers of [upgradeHeaders(), upgradeHeaders({ authorization: "Basic wrong" })]) {
      for (const rest of [[], [bun]]) {
        const res = (await adapter.fetch(new Request("http://x.test/sockets/stream", { headers }), ...rest))!;
        assert.equal(res.status, 401);
        assert.equal(res.headers.get("www-authenticate"), 'Basic realm="streams"');
        assert.equal(await res.text(), "unauthorized\n");
      }
    }
    assert.equal(upgrades, 0);
    assert.ok(!events.some((e) => e.startsWith("accept")));
  });

  it("a runtime with no known upgrade (plain Node) answers 501 after the decision, no socket", async () => {
    const { server, events } = fakeServer();
    const res = (await createWebSocketAdapter(server).fetch(new Request("http://x.test/sockets/stream", { headers: upgradeHeaders({ authorization: "Basic good" }) })))!;
    assert.equal(res.status, 501);
    assert.match(await res.text(), /bw-codegen\/sockets\/node/);
    assert.deepEqual(events, ["authorize /sockets/stream"]);
  });
});

describe("web socket adapter: Deno", () => {
  it("upgrades with Deno.upgradeWebSocket, accepts once open, feeds frames, sends, polls bufferedAmount for drains, reports the close", async () => {
    const { server, events, sockets } = fakeServer();
    const socket = new FakeSocket();
    const response = new Response(null, { status: 200, headers: { "x-deno": "upgrade" } });
    const requests: Request[] = [];
    g.Deno = { upgradeWebSocket: (request: Request) => (requests.push(request), { socket, response }) };
    const adapter = createWebSocketAdapter(server, { drainPollMs: 1 });
    const request = new Request("http://x.test/sockets/stream?x=1", { headers: upgradeHeaders({ authorization: "Basic good" }) });
    assert.equal(await adapter.fetch(request, { remoteAddr: {} }), response);
    assert.deepEqual(requests, [request]);
    assert.deepEqual(events, ["authorize /sockets/stream"], "not accepted before open");
    socket.emit("open");
    socket.emit("message", { data: '{"eventType":"start"}' });
    socket.emit("message", { data: new Uint8Array(3).buffer });
    sockets[0].send("answer");
    assert.deepEqual(socket.sent, ["answer"]);
    socket.bufferedAmount = 10;
    socket.emit("message", { data: "x" });
    assert.equal(sockets[0].bufferedAmount, 10);
    socket.bufferedAmount = 0;
    await new Promise((resolve) => setTimeout(resolve, 20)); // lets the poll see the buffer empty (a lower bound only)
    sockets[0].close(4001, "invalid message");
    assert.deepEqual(socket.closedWith, [4001, "invalid message"]);
    socket.emit("close", { code: 4001, reason: "invalid message" });
    assert.deepEqual(events, ["authorize /sockets/stream", "accept stream", 'message {"eventType":"start"}', "message 3 bytes", "message x", "drain", "closed 4001"]);
  });
});

describe("web socket adapter: Bun", () => {
  it("upgrades with server.upgrade (data carries the decision), returns undefined, and the websocket handlers feed the connection", async () => {
    const { server, events, sockets } = fakeServer();
    const upgrades: Array<{ data: { upgrade: AcceptedUpgrade; connection?: SocketConnection } }> = [];
    const bun = { upgrade: (_request: Request, options: { data: { upgrade: AcceptedUpgrade } }) => (upgrades.push(options), true) };
    const adapter = createWebSocketAdapter(server);
    assert.equal(await adapter.fetch(new Request("http://x.test/sockets/stream", { headers: upgradeHeaders({ authorization: "Basic good" }) }), bun), undefined);
    assert.equal(upgrades.length, 1);
    assert.equal(upgrades[0].data.upgrade, ACCEPTED);
    const sent: string[] = [];
    let closed: unknown[] = [];
    const ws = {
      data: upgrades[0].data,
      send: (text: string) => (sent.push(text), text.length),
      close: (...args: unknown[]) => void (closed = args),
      getBufferedAmount: () => 7,
    };
    adapter.websocket.open(ws);
    adapter.websocket.message(ws, '{"eventType":"media"}');
    adapter.websocket.message(ws, new Uint8Array(2));
    adapter.websocket.drain(ws);
    sockets[0].send("answer");
    assert.equal(sockets[0].bufferedAmount, 7);
    sockets[0].close(1000, "normal");
    assert.deepEqual(sent, ["answer"]);
    assert.deepEqual(closed, [1000, "normal"]);
    adapter.websocket.close(ws, 1000, "bye");
    assert.deepEqual(events, ["authorize /sockets/stream", "accept stream", 'message {"eventType":"media"}', "message 2 bytes", "drain", "closed 1000"]);
    assert.equal(adapter.websocket.maxPayloadLength, 1024, "Bun refuses frames over the server's maxMessageBytes itself");
  });

  it("a frame over maxPayloadLength, closed by Bun itself with 1009, is reported as refused by the transport", async () => {
    const { server, events } = fakeServer();
    const adapter = createWebSocketAdapter(server);
    const ws = { data: { upgrade: ACCEPTED }, send: () => 0, close: () => {} };
    adapter.websocket.open(ws);
    adapter.websocket.close(ws, 1009, "");
    assert.deepEqual(events, ["accept stream", "refused 1009", "closed 1009"]);
  });

  it("a failed server.upgrade is answered 400", async () => {
    const { server } = fakeServer();
    const res = await createWebSocketAdapter(server).fetch(new Request("http://x.test/sockets/stream", { headers: upgradeHeaders({ authorization: "Basic good" }) }), { upgrade: () => false });
    assert.equal(res!.status, 400);
  });
});
