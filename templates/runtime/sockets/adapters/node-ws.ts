/**
 * `bw-codegen/sockets/node`: the socket runtime on `ws` (the only module of the package that imports it;
 * `ws` is an optional peer dependency). `attachStreamServer` listens to the `upgrade` event of the same
 * `http.Server` that serves the webhooks, so one port serves both: it routes by path (another path: 404,
 * or your own `onOtherUpgrade`), takes the core's upgrade decision BEFORE `handleUpgrade` (a refusal is a
 * plain HTTP answer, e.g. 401 + `WWW-Authenticate`, and no socket), caps frames at `maxPayload`, pings
 * every socket and closes one that stops answering, and reports `ws`'s own `bufferedAmount` and send
 * callbacks to the core's bounded queue.
 */

import type { IncomingMessage, Server } from "node:http";
import { createRequire } from "node:module";
import type { Duplex } from "node:stream";
import type * as WsModule from "ws";
import type { RawData, WebSocket, WebSocketServer } from "ws";
import { BandwidthConfigError, BandwidthError } from "../../errors.js";
import { SOCKET_CLOSE_CODES } from "../close-codes.js";
import type { AcceptedUpgrade, RefusedUpgrade, SocketConnection, SocketLike, StreamServer } from "../types.js";

/**
 * `ws` is an optional peer: loaded here (synchronously, so `require()` of this module still works) to
 * say what to install when it is missing rather than a bare ERR_MODULE_NOT_FOUND from inside the package.
 */
function loadWs(): typeof WsModule {
  try {
    return createRequire(import.meta.url)("ws") as typeof WsModule;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== "MODULE_NOT_FOUND" && code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new BandwidthError(
      "BW_RUNTIME_UNSUPPORTED",
      "bw-codegen/sockets/node needs the ws package (an optional peer dependency, not installed): npm install ws",
      { cause: error },
    );
  }
}

const { WebSocketServer: WebSocketServerClass } = loadWs();

/** Options of {@link attachStreamServer}. */
export interface AttachStreamServerOptions {
  /** How often every socket is pinged; one that has not answered the previous ping by the next is closed (4011). Default 20000 ms. */
  readonly pingIntervalMs?: number;
  /** Largest frame `ws` assembles, in bytes (default: the server's `maxMessageBytes`); a larger one closes the socket with 1009. */
  readonly maxPayload?: number;
  /**
   * After the server closes a socket, how long the peer has to answer the close frame before the TCP
   * connection is cut (a peer that reads nothing, e.g. closed for backpressure, would else hold it for
   * ws's 30 s). Default 5000 ms.
   */
  readonly closeTimeoutMs?: number;
  /**
   * An upgrade on a path the stream server does not serve (default: answered 404). Give your own to let
   * another WebSocket server on the same `http.Server` take it.
   */
  readonly onOtherUpgrade?: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  /**
   * How long the upgrade decision may take (a transcription token verifier that never settles would else
   * hold the connection forever); past it the upgrade is answered 503 and no socket opens. Default 10000 ms.
   */
  readonly upgradeTimeoutMs?: number;
}

/** What {@link attachStreamServer} returns. */
export interface AttachedStreamServer {
  /** The `ws` server (noServer mode), e.g. to read its clients. */
  readonly wss: WebSocketServer;
  /** Stops taking upgrades and closes every socket (1001); the http.Server itself stays up. */
  close(): Promise<void>;
}

const REASONS: Readonly<Record<number, string>> = { 401: "Unauthorized", 404: "Not Found", 503: "Service Unavailable" };
/** The answer to an upgrade whose decision was not taken in time (the adapter's, not the core's). */
const TIMED_OUT = { status: 503, body: "upgrade decision timed out\n", headers: { "content-type": "text/plain; charset=utf-8" } };

function refuse(socket: Duplex, decision: Pick<RefusedUpgrade, "body" | "headers"> & { readonly status: number }): void {
  if (socket.destroyed) return;
  const body = decision.body;
  let head = `HTTP/1.1 ${decision.status} ${REASONS[decision.status] ?? "Error"}\r\nConnection: close\r\nContent-Length: ${new TextEncoder().encode(body).length}\r\n`;
  for (const [name, value] of Object.entries(decision.headers)) head += `${name}: ${value}\r\n`;
  socket.once("finish", () => socket.destroy());
  socket.end(`${head}\r\n${body}`);
}

/**
 * A socket error during or after the handshake: destroy it. Module-level on purpose: an arrow in
 * `onUpgrade` would share its closure context with the decision callbacks, and so keep the upgrade
 * request (its headers, the `Authorization` credentials among them) alive for the socket's lifetime.
 */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString("utf8");
  return data.toString("utf8");
}

function bytesOf(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/** Per-socket liveness, kept by the attached server (nothing global). */
interface Live {
  alive: boolean;
  readonly connection: SocketConnection;
}

/**
 * Serves a stream server's sockets on an existing `http.Server` (the one serving your webhooks).
 *
 * @example
 * import { createServer } from "node:http";
 * import { createStreamServer } from "bw-codegen/sockets";
 * import { attachStreamServer } from "bw-codegen/sockets/node";
 * const sockets = createStreamServer({
 *   stream: { credentials: [{ username: "bw", password: process.env.STREAM_PASSWORD! }], onMedia: (frame, stream) => stream.playAudio(frame.audio) },
 * });
 * const server = createServer(webhooks.node);
 * attachStreamServer(server, sockets);
 * server.listen(3000); // webhooks and wss://…/sockets/stream on one port
 */
export function attachStreamServer(httpServer: Server, streamServer: StreamServer, options: AttachStreamServerOptions = {}): AttachedStreamServer {
  const pingIntervalMs = options.pingIntervalMs ?? 20_000;
  if (!Number.isFinite(pingIntervalMs) || pingIntervalMs < 1) throw new BandwidthConfigError("bw-codegen sockets: pingIntervalMs must be a positive number");
  const maxPayload = options.maxPayload ?? streamServer.maxMessageBytes;
  if (!Number.isSafeInteger(maxPayload) || maxPayload < 1) throw new BandwidthConfigError("bw-codegen sockets: maxPayload must be a positive integer");
  const closeTimeoutMs = options.closeTimeoutMs ?? 5000;
  if (!Number.isFinite(closeTimeoutMs) || closeTimeoutMs < 0) throw new BandwidthConfigError("bw-codegen sockets: closeTimeoutMs must be a number ≥ 0");
  const upgradeTimeoutMs = options.upgradeTimeoutMs ?? 10_000;
  if (!Number.isFinite(upgradeTimeoutMs) || upgradeTimeoutMs < 1) throw new BandwidthConfigError("bw-codegen sockets: upgradeTimeoutMs must be a positive number");
  const wss = new WebSocketServerClass({ noServer: true, maxPayload, perMessageDeflate: false, clientTracking: false });
  const live = new Map<WebSocket, Live>();
  let closing = false;

  const connect = (ws: WebSocket, decision: AcceptedUpgrade): void => {
    let connection: SocketConnection | undefined;
    const afterSend = (error?: Error): void => {
      if (error === undefined || error === null) connection?.drain();
    };
    const socket: SocketLike = {
      send: (text) => ws.send(text, afterSend),
      close: (code, reason) => {
        try {
          ws.close(code, reason);
        } catch {
          ws.terminate(); // a code a close frame cannot carry (e.g. 1005, 999): cut the connection instead
          return;
        }
        setTimeout(() => ws.terminate(), closeTimeoutMs).unref?.(); // no-op once closed
      },
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
      pause: () => ws.pause(),
      resume: () => ws.resume(),
    };
    connection = streamServer.accept(socket, decision);
    const entry: Live = { alive: true, connection };
    live.set(ws, entry);
    ws.on("pong", () => {
      entry.alive = true;
    });
    ws.on("message", (data, isBinary) => entry.connection.message(isBinary ? bytesOf(data) : textOf(data)));
    ws.on("error", (error: Error & { code?: string }) => {
      // ws closes the socket itself (1009 over maxPayload, 1007 invalid UTF-8, 1002 protocol errors).
      const code = error.code === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH" ? SOCKET_CLOSE_CODES.tooLarge.code : error.code === "WS_ERR_INVALID_UTF8" ? 1007 : 1002;
      entry.connection.transportRefused(code, code === 1009 ? SOCKET_CLOSE_CODES.tooLarge.reason : "protocol error");
    });
    ws.on("close", (code, reason) => {
      live.delete(ws);
      entry.connection.closed(code, reason.toString("utf8"));
    });
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on("error", destroyOnError); // a reset during the handshake must not crash the process
    if (closing) {
      refuse(socket, { status: 404, body: "no socket here\n", headers: {} });
      return;
    }
    let decided = false;
    const timeout = setTimeout(() => {
      decided = true;
      refuse(socket, TIMED_OUT);
    }, upgradeTimeoutMs);
    timeout.unref?.(); // the connection itself keeps the process up while it waits
    streamServer.authorizeUpgrade({ url: request.url ?? "/", headers: request.headers }).then(
      (decision) => {
        clearTimeout(timeout);
        if (decided) return;
        decided = true;
        try {
          if (!decision.ok) {
            if (decision.status === 404 && options.onOtherUpgrade !== undefined) options.onOtherUpgrade(request, socket, head);
            else refuse(socket, decision);
            return;
          }
          if (socket.destroyed) return;
          wss.handleUpgrade(request, socket, head, (ws) => connect(ws, decision));
        } catch {
          // a throwing onOtherUpgrade (or a bug of ours) must neither crash the process nor keep the connection
          socket.destroy();
        }
      },
      () => {
        clearTimeout(timeout);
        socket.destroy();
      },
    );
  };
  httpServer.on("upgrade", onUpgrade);

  const timer = setInterval(() => {
    for (const [ws, entry] of live) {
      if (ws.isPaused) continue; // we stopped reading (pending onMedia calls): its pongs wait unread too
      if (!entry.alive) {
        live.delete(ws);
        entry.connection.deadPeer();
        ws.terminate();
        continue;
      }
      entry.alive = false;
      try {
        ws.ping();
      } catch {
        // a socket closing under us: its close event releases it
      }
    }
  }, pingIntervalMs);
  timer.unref?.();

  return {
    wss,
    close(): Promise<void> {
      closing = true;
      clearInterval(timer);
      httpServer.off("upgrade", onUpgrade);
      for (const entry of live.values()) {
        entry.connection.close(SOCKET_CLOSE_CODES.goingAway.code, SOCKET_CLOSE_CODES.goingAway.reason);
      }
      return new Promise((resolve) => wss.close(() => resolve()));
    },
  };
}
