/**
 * The server side of the socket load benchmark (bench/socket-load.ts forks it, pinned to one core): an
 * echo bot on a bidirectional media stream, every `media` frame answered at once by a `playAudio` of the
 * same μ-law bytes. Variant `runtime`: bw-codegen's socket runtime (`createStreamServer` + the `ws`
 * adapter `attachStreamServer`, Basic credentials checked on the handshake); variant `bare`: the same bot
 * written by hand on `ws` (header compare, `JSON.parse`, ajv compiled at start-up, `Buffer.from(…,
 * "base64")`, `JSON.stringify`), the baseline. Speaks to its parent over IPC: `{ port }` once listening;
 * `mem` → `{ rss, heapUsed, open }` after a full GC.
 */

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const variant = process.argv[2] ?? "runtime";
export const LOAD_USER = "bench-stream";
export const LOAD_PASSWORD = "bench-stream-password";

const server = createServer((_request, response) => {
  response.statusCode = 404;
  response.end();
});
let openSockets: () => number;

if (variant === "runtime") {
  const { createStreamServer } = await import("../generated/sockets.js");
  const { attachStreamServer } = await import("../generated/sockets-node.js");
  const streams = createStreamServer({
    stream: {
      credentials: [{ username: LOAD_USER, password: LOAD_PASSWORD }],
      onMedia(frame, stream) {
        stream.playAudio(frame.audio);
      },
    },
  });
  attachStreamServer(server, streams);
  openSockets = () => streams.openSockets;
} else {
  const { WebSocketServer } = await import("ws");
  const { runtimeAjv } = await import("./schemas.js");
  const check = runtimeAjv(["stream"]).getSchema("https://bw-codegen.dev/schemas/stream/media.schema.json")!;
  const expected = `Basic ${Buffer.from(`${LOAD_USER}:${LOAD_PASSWORD}`).toString("base64")}`;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  server.on("upgrade", (request, socket, head) => {
    if (request.headers.authorization !== expected) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="stream"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.on("message", (data, binary) => {
        if (binary) return void ws.close(1003);
        const message = JSON.parse(data.toString());
        if (message.eventType !== "media") return;
        if (!check(message)) return void ws.close(1007);
        const audio = Buffer.from(message.payload, "base64");
        ws.send(JSON.stringify({ eventType: "playAudio", media: { contentType: "audio/pcmu", payload: audio.toString("base64") } }));
      });
    });
  });
  openSockets = () => wss.clients.size;
}

server.listen(0, "127.0.0.1", () => process.send!({ port: (server.address() as AddressInfo).port }));
process.on("message", (message: { cmd: string }) => {
  if (message.cmd !== "mem") return;
  globalThis.gc?.();
  globalThis.gc?.();
  const memory = process.memoryUsage();
  process.send!({ rss: memory.rss, heapUsed: memory.heapUsed, open: openSockets() });
});
process.on("disconnect", () => process.exit(0));
