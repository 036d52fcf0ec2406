// The socket host of the runtime contract on Deno, Bun and workerd: serves a stream server through the
// web-standard adapter (`createWebSocketAdapter` of bw-codegen/sockets) and plays Bandwidth's side with
// the runtime's own WebSocket client (Deno, Bun: `new WebSocket(url, { headers })`; workerd: `fetch` with
// `Upgrade: websocket`, then `response.webSocket`). Plain JavaScript with Web APIs only.
import { createWebSocketAdapter } from "bw-codegen/sockets";

const HANDSHAKE = { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" };

/** A client socket as the contract uses it: send, the next message, close, and how it closed. */
function wrap(ws) {
  const queue = [];
  const waiting = [];
  let closedWith;
  let onClosed;
  const closed = new Promise((resolve) => (onClosed = resolve));
  ws.addEventListener("message", (event) => {
    const data = typeof event.data === "string" ? event.data : new TextDecoder().decode(event.data);
    const next = waiting.shift();
    if (next) next.resolve(data);
    else queue.push(data);
  });
  ws.addEventListener("close", (event) => {
    closedWith = { code: event.code, reason: event.reason };
    onClosed(closedWith);
    for (const next of waiting.splice(0)) next.reject(new Error(`socket closed (${event.code} ${event.reason})`));
  });
  return {
    send: (text) => ws.send(text),
    next: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : closedWith ? Promise.reject(new Error(`socket closed (${closedWith.code})`)) : new Promise((resolve, reject) => waiting.push({ resolve, reject }))),
    close: () => ws.close(1000, "done"),
    closed,
  };
}

/** workerd: the Worker serves the adapter of the server set here (worker.mjs routes socket paths to it). */
export const workerdSockets = { adapter: undefined, port: undefined };

export function webSocketHost(kind) {
  return {
    name: kind,
    async serve(server) {
      const adapter = createWebSocketAdapter(server);
      if (kind === "workerd") {
        workerdSockets.adapter = adapter;
        return { base: `ws://127.0.0.1:${workerdSockets.port}`, close: async () => void (workerdSockets.adapter = undefined) };
      }
      if (kind === "deno") {
        const srv = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, adapter.fetch);
        return { base: `ws://127.0.0.1:${srv.addr.port}`, close: () => srv.shutdown() };
      }
      const srv = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: adapter.fetch, websocket: adapter.websocket });
      return { base: `ws://127.0.0.1:${srv.port}`, close: async () => srv.stop(true) };
    },
    /** An opening handshake as plain HTTP: the answer's status and challenge, and whether a socket came. */
    async handshake(url, headers) {
      const res = await fetch(url.replace(/^ws/, "http"), { headers: { ...HANDSHAKE, ...headers } });
      const socket = res.status === 101 || res.webSocket != null;
      if (res.webSocket != null) {
        res.webSocket.accept();
        res.webSocket.close(1000, "unexpected");
      } else await res.arrayBuffer().catch(() => undefined);
      return { status: res.status, wwwAuthenticate: res.headers.get("www-authenticate"), socket };
    },
    async open(url, headers) {
      if (kind === "workerd") {
        const res = await fetch(url.replace(/^ws/, "http"), { headers: { upgrade: "websocket", ...headers } });
        if (res.webSocket == null) throw new Error(`no socket: HTTP ${res.status}`);
        res.webSocket.accept();
        return wrap(res.webSocket);
      }
      const ws = new WebSocket(url, { headers });
      await new Promise((resolve, reject) => {
        ws.addEventListener("open", resolve, { once: true });
        ws.addEventListener("error", () => reject(new Error("the socket did not open")), { once: true });
      });
      return wrap(ws);
    },
  };
}
