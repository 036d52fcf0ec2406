// The socket host of the runtime contract on Node: serves a stream server through the `ws` adapter
// (bw-codegen/sockets/node) on a node:http server on 127.0.0.1, and plays Bandwidth's side with the `ws`
// client (Node 20 has no global WebSocket; Node's own cannot show a refused handshake's status).
import { createServer, request } from "node:http";
import { attachStreamServer } from "bw-codegen/sockets/node";
import WebSocket from "ws";

const HANDSHAKE = { upgrade: "websocket", connection: "Upgrade", "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==", "sec-websocket-version": "13" };

function wrap(ws) {
  const queue = [];
  const waiting = [];
  let closedWith;
  let onClosed;
  const closed = new Promise((resolve) => (onClosed = resolve));
  ws.on("message", (data) => {
    const text = String(data);
    const next = waiting.shift();
    if (next) next.resolve(text);
    else queue.push(text);
  });
  ws.on("close", (code, reason) => {
    closedWith = { code, reason: String(reason) };
    onClosed(closedWith);
    for (const next of waiting.splice(0)) next.reject(new Error(`socket closed (${code})`));
  });
  return {
    send: (text) => ws.send(text),
    next: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : closedWith ? Promise.reject(new Error(`socket closed (${closedWith.code})`)) : new Promise((resolve, reject) => waiting.push({ resolve, reject }))),
    close: () => ws.close(1000, "done"),
    closed,
  };
}

export function nodeSocketHost() {
  return {
    name: "node",
    async serve(server) {
      const http = createServer((_req, res) => res.writeHead(404).end());
      const detach = attachStreamServer(http, server);
      await new Promise((resolve) => http.listen(0, "127.0.0.1", resolve));
      return {
        base: `ws://127.0.0.1:${http.address().port}`,
        close: async () => {
          detach?.close?.();
          http.closeAllConnections?.();
          await new Promise((resolve) => http.close(resolve));
        },
      };
    },
    handshake(url, headers) {
      return new Promise((resolve, reject) => {
        const req = request(url.replace(/^ws/, "http"), { headers: { ...HANDSHAKE, ...headers } });
        req.on("response", (res) => {
          res.resume();
          resolve({ status: res.statusCode, wwwAuthenticate: res.headers["www-authenticate"] ?? null, socket: false });
        });
        req.on("upgrade", (res, socket) => {
          socket.destroy();
          resolve({ status: res.statusCode, wwwAuthenticate: null, socket: true });
        });
        req.on("error", reject);
        req.end();
      });
    },
    open(url, headers) {
      return new Promise((resolve, reject) => {
        const ws = new WebSocket(url, { headers });
        ws.once("open", () => resolve(wrap(ws)));
        ws.once("unexpected-response", (_req, res) => reject(new Error(`no socket: HTTP ${res.statusCode}`)));
        ws.once("error", reject);
      });
    },
  };
}
