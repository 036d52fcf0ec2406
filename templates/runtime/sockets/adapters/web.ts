/**
 * The web-standard socket adapter: serves the stream server's sockets from a Fetch-style handler on
 * Cloudflare Workers (`new WebSocketPair()`, `server.accept()`, a 101 Response with `webSocket`), Deno
 * (`Deno.upgradeWebSocket(request)`) and Bun (`server.upgrade(request, { data })` plus the `websocket`
 * handlers object given to `Bun.serve`). One `fetch` detects the runtime (Deno, then Workers, then Bun
 * by the server object Bun passes as the second argument). Edge-safe: Web APIs and structural types only.
 *
 * Order, for every request: not a socket path → `fallback` (e.g. `webhooks.fetch`), or 404; a socket
 * path without `Upgrade: websocket` → 426; then `server.authorizeUpgrade` decides BEFORE any upgrade
 * (401 + `WWW-Authenticate` for missing or wrong credentials, 401 for a bad transcription token: no
 * socket is ever made); only then the runtime's upgrade, and `server.accept` with the socket wrapped as
 * a `SocketLike`. Runtimes without a send-drain event (Workers, Deno) are polled for `bufferedAmount`
 * while it is above zero, so the core's bounded queue moves on.
 */

import type { AcceptedUpgrade, SocketConnection, SocketLike, StreamServer } from "../types.js";

/** A handler for requests that are not socket upgrades (e.g. `webhooks.fetch`); gets the runtime's extra arguments too. */
export type WebFallback = (request: Request, ...rest: any[]) => Response | Promise<Response>;

/** The runtimes the adapter knows how to upgrade on. */
export type WebSocketRuntime = "workers" | "deno" | "bun";

/** Options of {@link createWebSocketAdapter}. */
export interface WebSocketAdapterOptions {
  /** Where requests for other paths go (your webhooks); default: 404. */
  readonly fallback?: WebFallback;
  /** Skip detection and use this runtime's upgrade. */
  readonly runtime?: WebSocketRuntime;
  /** How often (ms) `bufferedAmount` is polled while above zero on Workers and Deno (default 20). */
  readonly drainPollMs?: number;
}

/** What Bun hands to `websocket` handlers: its server socket, with our data attached at upgrade. */
export interface BunServerWebSocket {
  send(data: string): number;
  close(code?: number, reason?: string): void;
  getBufferedAmount?(): number;
  readonly data: BunSocketData;
}

/** The data the adapter attaches to a Bun socket at upgrade. */
export interface BunSocketData {
  readonly upgrade: AcceptedUpgrade;
  connection?: SocketConnection;
}

/** The part of Bun's `Server` the adapter uses (the second argument of Bun's `fetch`). */
export interface BunServerLike {
  upgrade(request: Request, options: { data: BunSocketData }): boolean;
}

/** The `websocket` object to give `Bun.serve` next to `fetch`. */
export interface BunWebSocketHandlers {
  /** The server's `maxMessageBytes`: Bun refuses a larger frame itself (close 1009) before assembling it. */
  readonly maxPayloadLength: number | undefined;
  open(ws: BunServerWebSocket): void;
  message(ws: BunServerWebSocket, message: string | Uint8Array): void;
  drain(ws: BunServerWebSocket): void;
  close(ws: BunServerWebSocket, code: number, reason: string): void;
}

/** A web-standard socket adapter: its `fetch` for every runtime, and Bun's `websocket` handlers. */
export interface WebSocketAdapter {
  /**
   * Serves one request. Resolves to the Response to send, or `undefined` once Bun took the request over
   * (Bun's `fetch` must then return nothing).
   */
  fetch(request: Request, ...rest: any[]): Promise<Response | undefined>;
  /** Bun only: pass as `Bun.serve({ fetch: adapter.fetch, websocket: adapter.websocket })`. */
  readonly websocket: BunWebSocketHandlers;
}

/** A standard WebSocket as Workers and Deno give one to the server side. */
interface WebSocketish {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  readonly bufferedAmount?: number;
  readonly readyState: number;
  addEventListener(type: string, listener: (event: any) => void): void;
  accept?(): void;
}

const PLAIN = { "content-type": "text/plain; charset=utf-8" };

function pathOf(url: string): string {
  const start = url.indexOf("://");
  const from = start < 0 ? 0 : url.indexOf("/", start + 3);
  if (from < 0) return "/";
  let end = url.length;
  for (const c of ["?", "#"]) {
    const at = url.indexOf(c, from);
    if (at >= 0 && at < end) end = at;
  }
  return url.slice(from, end) || "/";
}

function detect(rest: readonly unknown[]): WebSocketRuntime | undefined {
  const g = globalThis as { Deno?: { upgradeWebSocket?: unknown }; WebSocketPair?: unknown };
  if (typeof g.Deno?.upgradeWebSocket === "function") return "deno";
  if (typeof g.WebSocketPair === "function") return "workers";
  const bun = rest[0] as { upgrade?: unknown } | undefined;
  if (bun !== null && typeof bun === "object" && typeof bun.upgrade === "function") return "bun";
  return undefined;
}

/**
 * Wraps a runtime's WebSocket as a SocketLike that never throws into the core (a send or close on a closing
 * socket is dropped: the close event releases the stream). `buffered` reads what the transport still holds.
 */
function guardedSocket(ws: { send(data: string): unknown; close(code?: number, reason?: string): void }, buffered: () => number | undefined): SocketLike {
  return {
    send(text: string): void {
      try {
        ws.send(text);
      } catch {
        // closing or closed
      }
    },
    close(code: number, reason: string): void {
      try {
        ws.close(code, reason);
      } catch {
        // already closed
      }
    },
    get bufferedAmount(): number | undefined {
      return buffered();
    },
  };
}

/** A standard WebSocket (Workers, Deno) as a SocketLike. */
function standardSocket(ws: WebSocketish): SocketLike {
  return guardedSocket(ws, () => ws.bufferedAmount);
}

/** Feeds a standard WebSocket's events to the core's connection, and polls bufferedAmount for drains. */
function feed(ws: WebSocketish, connection: SocketConnection, pollMs: number): void {
  let poll: ReturnType<typeof setTimeout> | undefined;
  let done = false;
  const watch = (): void => {
    if (done || poll !== undefined || !((ws.bufferedAmount ?? 0) > 0)) return;
    poll = setTimeout(() => {
      poll = undefined;
      if (done) return;
      if ((ws.bufferedAmount ?? 0) > 0) watch();
      else connection.drain();
    }, pollMs);
  };
  ws.addEventListener("message", (event: { data: unknown }) => {
    const data = event.data;
    connection.message(typeof data === "string" || data instanceof ArrayBuffer || data instanceof Uint8Array ? data : new Uint8Array(0));
    watch();
  });
  ws.addEventListener("close", (event: { code?: number; reason?: string }) => {
    done = true;
    if (poll !== undefined) clearTimeout(poll);
    // completes the closing handshake where the runtime does not answer a peer's close itself (workerd
    // before its web_socket_auto_reply_to_close flag); a no-op on a socket already closed
    try {
      const code = event.code;
      if (code !== undefined && (code === 1000 || (code >= 1001 && code <= 1014 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999))) ws.close(code, event.reason ?? "");
      else ws.close();
    } catch {
      // already closed
    }
    connection.closed(event.code, event.reason);
  });
  ws.addEventListener("error", () => {
    // a close event follows an error on every runtime; nothing to release twice
  });
}

/**
 * Creates the web-standard adapter for a stream server: one `fetch` that routes socket paths, decides
 * authentication before upgrading, and upgrades on Workers, Deno or Bun; other paths go to `fallback`.
 *
 * @example
 * const sockets = createWebSocketAdapter(streamServer, { fallback: webhooks.fetch });
 * // Cloudflare Workers
 * export default { fetch: sockets.fetch };
 * // Deno
 * Deno.serve(sockets.fetch);
 * // Bun
 * Bun.serve({ fetch: sockets.fetch, websocket: sockets.websocket });
 */
export function createWebSocketAdapter(server: StreamServer, options: WebSocketAdapterOptions = {}): WebSocketAdapter {
  const fallback = options.fallback;
  const pollMs = options.drainPollMs ?? 20;
  const forced = options.runtime;

  const websocket: BunWebSocketHandlers = {
    maxPayloadLength: (server as { readonly maxMessageBytes?: number }).maxMessageBytes,
    open(ws: BunServerWebSocket): void {
      const socket = guardedSocket(ws, () => ws.getBufferedAmount?.());
      ws.data.connection = server.accept(socket, ws.data.upgrade);
    },
    message(ws: BunServerWebSocket, message: string | Uint8Array): void {
      ws.data.connection?.message(message);
    },
    drain(ws: BunServerWebSocket): void {
      ws.data.connection?.drain();
    },
    close(ws: BunServerWebSocket, code: number, reason: string): void {
      // Bun closes a frame over maxPayloadLength itself (1009): reported like any bad input
      if (code === 1009) ws.data.connection?.transportRefused(code, "message too large");
      ws.data.connection?.closed(code, reason);
    },
  };

  async function fetch(request: Request, ...rest: any[]): Promise<Response | undefined> {
    const path = pathOf(request.url);
    const served = Object.values(server.paths).includes(path);
    if (!served) return fallback !== undefined ? fallback(request, ...rest) : new Response("not found\n", { status: 404, headers: PLAIN });
    if ((request.headers.get("upgrade") ?? "").toLowerCase() !== "websocket") {
      return new Response("this path serves a WebSocket: send an Upgrade: websocket request\n", { status: 426, headers: { ...PLAIN, upgrade: "websocket" } });
    }
    const decision = await server.authorizeUpgrade({ url: request.url, headers: request.headers });
    if (!decision.ok) return new Response(decision.body, { status: decision.status, headers: decision.headers });
    const runtime = forced ?? detect(rest);
    if (runtime === "deno") {
      const deno = (globalThis as unknown as { Deno: { upgradeWebSocket(request: Request): { socket: WebSocketish; response: Response } } }).Deno;
      const { socket, response } = deno.upgradeWebSocket(request);
      // Deno's socket can send only once open; Bandwidth speaks first anyway
      socket.addEventListener("open", () => feed(socket, server.accept(standardSocket(socket), decision), pollMs));
      return response;
    }
    if (runtime === "workers") {
      const Pair = (globalThis as unknown as { WebSocketPair: new () => Record<0 | 1, WebSocketish> }).WebSocketPair;
      const pair = new Pair();
      const client = pair[0];
      const socket = pair[1];
      socket.accept!();
      feed(socket, server.accept(standardSocket(socket), decision), pollMs);
      return new Response(null, { status: 101, webSocket: client } as ResponseInit);
    }
    if (runtime === "bun") {
      const bun = rest[0] as BunServerLike;
      if (bun.upgrade(request, { data: { upgrade: decision } })) return undefined;
      return new Response("the WebSocket upgrade failed\n", { status: 400, headers: PLAIN });
    }
    return new Response("this runtime has no WebSocket upgrade known to bw-codegen/sockets (on Node, use bw-codegen/sockets/node)\n", { status: 501, headers: PLAIN });
  }

  return { fetch, websocket };
}
