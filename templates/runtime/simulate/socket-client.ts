// The simulator's WebSocket client: opens the socket Bandwidth opens for <StartStream> /
// <StartTranscription>, with the verb's `destinationUsername`/`destinationPassword` as Basic credentials
// in the opening handshake's Authorization header, and reports every failure as data (refused handshake
// with its HTTP status, unreachable host, timeout). Built on the `ws` package (an optional peer),
// imported lazily: Node's global WebSocket cannot set request headers, cannot report the status of a
// refused handshake, and has no ping, which the simulated clock uses as its barrier (`settle`); it is
// also absent from Node 20 without a flag. Nothing here is imported unless a call streams.
import { BandwidthError } from "../errors.js";
import { basicAuthorization } from "./client.js";

/** An open socket, as the simulator uses it. */
export interface SimSocket {
  /** Sends one JSON text frame (dropped once closed). */
  send(message: unknown): void;
  /** Resolves once the peer has answered two pings in a row: everything it sent before, and whatever it sent at once in reply, has arrived. */
  settle(): Promise<void>;
  /** Closes with a code (1000 by default). */
  close(code?: number, reason?: string): void;
  /** True once either side closed. */
  readonly closed: boolean;
  /** How the peer closed, when it did (code, reason); `undefined` while open or when we closed it. */
  readonly peerClose: { readonly code: number; readonly reason: string } | undefined;
}

/** Why a socket did not open. */
export interface OpenFailure {
  readonly ok: false;
  /** `refused` (the handshake was answered with an HTTP status), `unreachable`, `timeout`, `error`. */
  readonly reason: "refused" | "unreachable" | "timeout" | "error";
  readonly status?: number;
  readonly message: string;
}

export interface OpenOptions {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  readonly timeoutMs: number;
  /** Each text frame received, parsed (or the raw text when it is not JSON). */
  readonly onMessage: (message: unknown, raw: string) => void;
  readonly onClose: (code: number, reason: string) => void;
}

type WsModule = { default?: unknown; WebSocket?: unknown };
interface WsLike {
  on(event: string, listener: (...args: any[]) => void): void;
  once(event: string, listener: (...args: any[]) => void): void;
  send(data: string): void;
  ping(): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  readyState: number;
}
type WsConstructor = new (url: string, options: Record<string, unknown>) => WsLike;

let loaded: Promise<WsConstructor> | undefined;

/** The largest message the simulator reads from a bot (1 MiB: about 30 s of 16 kHz PCM in base64); a larger one closes the socket (1009). */
export const MAX_MESSAGE_BYTES = 1_048_576;

/**
 * The `ws` package's WebSocket class, imported once.
 *
 * @throws {BandwidthError} `BW_RUNTIME_UNSUPPORTED` when `ws` is not installed, saying how to install it.
 */
export function loadWs(): Promise<WsConstructor> {
  loaded ??= (async () => {
    const name = "ws";
    try {
      const mod = (await import(name)) as WsModule;
      return ((mod as { WebSocket?: unknown }).WebSocket ?? (mod.default as { WebSocket?: unknown })?.WebSocket ?? mod.default) as WsConstructor;
    } catch {
      loaded = undefined;
      throw new BandwidthError("BW_RUNTIME_UNSUPPORTED", "simulating <StartStream>/<StartTranscription> needs the ws package (an optional peer dependency): npm install --save-dev ws");
    }
  })();
  return loaded;
}

/** Opens a socket; never throws for network reasons (a failure comes back as data). */
export async function openSocket(options: OpenOptions): Promise<{ readonly ok: true; readonly socket: SimSocket } | OpenFailure> {
  const WebSocket = await loadWs();
  const headers: Record<string, string> = { "user-agent": "BandwidthAPI/v2 (bw-codegen simulate)" };
  if (options.username !== undefined && options.password !== undefined) headers.authorization = basicAuthorization(options.username, options.password);
  let ws: WsLike;
  try {
    ws = new WebSocket(options.url, { headers, handshakeTimeout: options.timeoutMs, perMessageDeflate: false, followRedirects: false, maxPayload: MAX_MESSAGE_BYTES });
  } catch (error) {
    return { ok: false, reason: "error", message: (error as Error).message };
  }
  return new Promise((resolve) => {
    let settled = false;
    const fail = (failure: OpenFailure) => {
      if (settled) return;
      settled = true;
      try {
        ws.terminate();
      } catch {
        // already gone
      }
      resolve(failure);
    };
    ws.once("unexpected-response", (_request: unknown, response: { statusCode?: number; statusMessage?: string; resume?: () => void }) => {
      response.resume?.();
      fail({ ok: false, reason: "refused", status: response.statusCode, message: `the WebSocket handshake was answered ${response.statusCode ?? "?"} ${response.statusMessage ?? ""}`.trim() });
    });
    ws.once("error", (error: Error & { code?: string }) => {
      const timeout = /timed out|timeout/i.test(error.message);
      fail({
        ok: false,
        reason: timeout ? "timeout" : error.code === "ECONNREFUSED" || error.code === "ENOTFOUND" || error.code === "EHOSTUNREACH" ? "unreachable" : "error",
        message: timeout ? `no WebSocket handshake within ${options.timeoutMs / 1000} s` : error.code !== undefined ? `${error.code}: ${error.message}` : error.message,
      });
    });
    ws.once("open", () => {
      if (settled) return;
      settled = true;
      resolve({ ok: true, socket: wrap(ws, options) });
    });
  });
}

function wrap(ws: WsLike, options: OpenOptions): SimSocket {
  let closed = false;
  let peerClose: { code: number; reason: string } | undefined;
  let waiting: Array<() => void> = [];
  const release = () => {
    const all = waiting;
    waiting = [];
    for (const done of all) done();
  };
  ws.on("error", () => undefined); // errors after open end in a close event
  ws.on("message", (data: unknown, isBinary: boolean) => {
    if (isBinary) return;
    const raw = String(data);
    let parsed: unknown = raw;
    try {
      parsed = JSON.parse(raw);
    } catch {
      // handed on as text
    }
    options.onMessage(parsed, raw);
  });
  ws.on("pong", () => {
    const first = waiting.shift();
    first?.();
  });
  ws.on("close", (code: number, reason: unknown) => {
    if (!closed) peerClose = { code, reason: String(reason ?? "") };
    closed = true;
    release();
    options.onClose(code, String(reason ?? ""));
  });
  const ping = () =>
    new Promise<void>((done) => {
      if (closed) return done();
      waiting.push(done);
      try {
        ws.ping();
      } catch {
        release();
      }
    });
  return {
    send(message) {
      if (!closed && ws.readyState === 1) ws.send(JSON.stringify(message));
    },
    async settle() {
      await ping();
      await ping();
    },
    close(code = 1000, reason = "") {
      if (closed) return;
      closed = true;
      release();
      try {
        ws.close(code, reason);
      } catch {
        ws.terminate();
      }
    },
    get closed() {
      return closed;
    },
    get peerClose() {
      return peerClose;
    },
  };
}
