/**
 * Replays one captured socket (`replayCapture`, `bw-codegen replay`): opens a socket to the recorded path
 * on the target, as Bandwidth does (Basic credentials for a media stream; a transcription socket's URL token
 * is masked in the capture, so a fresh one is minted with the secret given, or the socket is skipped),
 * sends the recorded inbound messages in order, each once the server has sent the messages it had sent by
 * then when recorded (or `stepTimeoutMs` passed), collects what it sends, and compares (`socket-sessions.ts`).
 * When the server has not closed the socket once everything was sent and read, the replay closes it with the
 * recorded code, as the peer did; when the capture says the server closed it (`by: "receiver"`), the server
 * gets as long as it took then (plus `stepTimeoutMs`, at most 30 s more) to do so again, and a server that no
 * longer does is a `close` difference (`1000 by the receiver` / `1000 by bandwidth`). Targets: a `ws(s)://` base URL (the `ws` package, loaded lazily, as the
 * simulator does), or a `createStreamServer` in process (no network: its `authorizeUpgrade` and `accept`).
 */

import type { SocketKind, StreamServer } from "../sockets/types.js";
import { signTranscriptionToken, TRANSCRIPTION_TOKEN_PARAM } from "../sockets/transcription-token.js";
import { loadWs } from "../simulate/socket-client.js";
import { BandwidthError } from "../errors.js";
import { replayTarget } from "./replay-target.js";
import { basicAuthorization } from "../testing/index.js";
import type { AnswerDifference } from "./compare.js";
import { socketEntryOf, type SocketCaptureEntry } from "./socket-entry.js";
import { compareSockets, inboundFrame, outboundShape, recordedTranscript, type SocketSession, type SocketTranscript } from "./socket-sessions.js";

/** Where captured sockets are replayed: a `ws://` / `wss://` base URL, or a stream server in process. */
export type SocketReplayTarget = string | URL | StreamServer;

/** How captured sockets are replayed (`sockets` of `replayCapture`'s options). */
export interface SocketReplayOptions {
  /** The target; default: the deliveries' base URL with `ws(s):`; a Fetch handler target has none (sockets skipped). */
  readonly target?: SocketReplayTarget;
  /** Basic credentials of the media-stream socket (`destinationUsername` / `destinationPassword`); default: the callback ones. */
  readonly username?: string;
  readonly password?: string;
  /**
   * The secret your server verifies transcription tokens with: a fresh token is minted for the captured call
   * (the pseudonymous `callId` of its `start`). Without it, a captured transcription socket whose URL had a
   * token is skipped (the capture masks tokens).
   */
  readonly transcriptionSecret?: string | Uint8Array;
  /** The longest wait for a message the server sent when recorded, before the next one is sent (default 2000 ms). */
  readonly stepTimeoutMs?: number;
}

/** One replayed (or skipped) socket. */
export interface SocketReplayResult {
  readonly kind: SocketKind;
  /** Its connection number in the capture. */
  readonly connection: number;
  /** The recorded path (query values masked). */
  readonly url: string;
  readonly recorded: SocketTranscript;
  /** Undefined when the socket was skipped. */
  readonly actual: SocketTranscript | undefined;
  /** Empty when the server did what it did when recorded (or the socket was skipped). */
  readonly differences: readonly AnswerDifference[];
  /** Why the socket was not replayed (then it is no difference). */
  readonly skipped?: string;
  /** Why the socket did not open (a refused handshake), when it did not. */
  readonly error?: string;
  /**
   * The socket as replayed, as capture records (its `open`, the inbound records as captured, the server's
   * messages in the order they came between them, media payloads dropped, and the close): what
   * `replay --update` writes in place of the recorded ones. Undefined when skipped or not opened.
   */
  readonly replayed?: readonly SocketCaptureEntry[];
}

/** A socket being replayed, over either transport. */
interface ReplaySocket {
  send(frame: string | Uint8Array): void;
  readonly received: string[];
  /** How the socket closed (`by`: the server, or this replay). */
  readonly closed: { readonly code: number; readonly by: "server" | "replay" } | undefined;
  /** Resolves at the next message or close, or after `ms`. */
  next(ms: number): Promise<void>;
  /** Resolves once the server has handled everything sent so far (two ping round trips; in process, two turns of the event loop). */
  settle(): Promise<void>;
  /** Closes from the peer's side; resolves once closed. */
  close(code: number): Promise<void>;
}

type Wake = () => void;

function waiters(): { list: Wake[]; wake(): void; next(ms: number): Promise<void> } {
  const list: Wake[] = [];
  return {
    list,
    wake() {
      for (const done of list.splice(0)) done();
    },
    next(ms) {
      return new Promise((resolve) => {
        const timer = setTimeout(done, ms);
        function done(): void {
          clearTimeout(timer);
          const i = list.indexOf(done);
          if (i !== -1) list.splice(i, 1);
          resolve();
        }
        list.push(done);
      });
    },
  };
}

const turn = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** In process: the server's `authorizeUpgrade` and `accept`, with a socket that records what it is sent. */
async function openInProcess(server: StreamServer, url: string, headers: Record<string, string>): Promise<ReplaySocket | string> {
  const decision = await server.authorizeUpgrade({ url, headers });
  if (!decision.ok) return `the upgrade was refused: ${decision.status} (${decision.reason})`;
  const received: string[] = [];
  const wait = waiters();
  let closed: ReplaySocket["closed"];
  let connection: ReturnType<StreamServer["accept"]> | undefined;
  const finish = (code: number, by: "server" | "replay"): void => {
    if (closed !== undefined) return;
    closed = { code, by };
    connection?.closed(code, "");
    wait.wake();
  };
  connection = server.accept(
    {
      send(text) {
        if (closed !== undefined) return;
        received.push(text);
        wait.wake();
      },
      close(code) {
        queueMicrotask(() => finish(code, "server"));
      },
      bufferedAmount: 0,
    },
    decision,
  );
  return {
    received,
    get closed() {
      return closed;
    },
    send(frame) {
      if (closed === undefined) connection!.message(frame);
    },
    next: wait.next,
    async settle() {
      await turn();
      await turn();
    },
    async close(code) {
      finish(code, "replay");
    },
  };
}

interface WsLike {
  on(event: string, listener: (...args: any[]) => void): void;
  once(event: string, listener: (...args: any[]) => void): void;
  send(data: string | Uint8Array, options?: { binary: boolean }): void;
  ping(): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  readyState: number;
}

/** Over the network, with the `ws` package. */
async function openWs(url: string, headers: Record<string, string>, timeoutMs: number): Promise<ReplaySocket | string> {
  let WebSocket: new (url: string, options: Record<string, unknown>) => WsLike;
  try {
    WebSocket = (await loadWs()) as unknown as typeof WebSocket;
  } catch {
    throw new BandwidthError("BW_RUNTIME_UNSUPPORTED", "replaying captured sockets over the network needs the ws package (an optional peer dependency): npm install --save-dev ws");
  }
  const ws = new WebSocket(url, { headers, handshakeTimeout: timeoutMs, perMessageDeflate: false, followRedirects: false, maxPayload: 1 << 22 });
  const received: string[] = [];
  const wait = waiters();
  let closed: ReplaySocket["closed"];
  let closing = false;
  let pongs: Wake[] = [];
  const opened = await new Promise<string | undefined>((resolve) => {
    ws.once("unexpected-response", (_request: unknown, response: { statusCode?: number; resume?: () => void }) => {
      response.resume?.();
      ws.terminate();
      resolve(`the WebSocket handshake was answered ${response.statusCode ?? "?"}`);
    });
    ws.once("error", (error: Error) => resolve(error.message));
    ws.once("open", () => resolve(undefined));
  });
  if (opened !== undefined) return opened;
  ws.on("error", () => undefined); // after open, an error ends in a close event
  ws.on("message", (data: unknown, binary: boolean) => {
    received.push(binary ? "(binary frame)" : String(data));
    wait.wake();
  });
  ws.on("pong", () => pongs.shift()?.());
  ws.on("close", (code: number) => {
    closed ??= { code, by: closing ? "replay" : "server" };
    for (const done of pongs.splice(0)) done();
    pongs = [];
    wait.wake();
  });
  const ping = (): Promise<void> =>
    new Promise((done) => {
      if (closed !== undefined) return done();
      pongs.push(done);
      try {
        ws.ping();
      } catch {
        done();
      }
    });
  return {
    received,
    get closed() {
      return closed;
    },
    send(frame) {
      if (closed === undefined && !closing && ws.readyState === 1) ws.send(frame, { binary: typeof frame !== "string" });
    },
    next: wait.next,
    async settle() {
      await ping();
      await ping();
    },
    async close(code) {
      closing = true;
      ws.close(code, "");
      if (closed === undefined) await wait.next(timeoutMs);
      if (closed === undefined) {
        ws.terminate();
        closed = { code: 1006, by: "replay" };
      }
    },
  };
}

/** The longest a replay waits for a server to close a socket it closed when recorded, past the step timeout (ms). */
const MOST_CLOSE_DELAY_MS = 30_000;

/** How long after the last message before it the recorded close came (ms, bounded; 0 when the times are not known). */
function closeDelay(session: SocketSession): number {
  const last = session.messages.at(-1) ?? session.open;
  const delay = Date.parse(session.close?.at ?? "") - Date.parse(last?.at ?? "");
  return Number.isFinite(delay) ? Math.min(Math.max(delay, 0), MOST_CLOSE_DELAY_MS) : 0;
}

/** A code a peer may send in a close frame (1005 / 1006 only describe a close). */
const sendable = (code: number | undefined): number => (code !== undefined && (code === 1000 || (code >= 3000 && code < 5000)) ? code : 1000);

/** The recorded upgrade headers sent again (what a capture keeps of an upgrade, never a credential). */
const REPLAYED_HEADERS = new Set(["user-agent", "sec-websocket-protocol"]);

/** Where to open, with which headers; or why the socket is skipped. */
async function handshake(session: SocketSession, options: SocketReplayOptions, remote: string | undefined): Promise<{ url: string; headers: Record<string, string> } | { skipped: string }> {
  const recordedUrl = session.open?.url;
  if (recordedUrl === undefined) return { skipped: "its open record is not in the capture" };
  // of the recorded headers only those a capture keeps: a hostile capture's host, cookie or authorization never go
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(session.open?.headers ?? {})) {
    // a subprotocol the capture masked (`***`: it held something like a credential) is not sent as `***`
    if (REPLAYED_HEADERS.has(name.toLowerCase()) && typeof value === "string" && value !== "***") headers[name.toLowerCase()] = value;
  }
  let url = recordedUrl;
  if (session.kind === "stream" && options.username !== undefined && options.password !== undefined) {
    headers.authorization = basicAuthorization(options.username, options.password);
  }
  const q = recordedUrl.indexOf("?");
  const query = new URLSearchParams(q === -1 ? "" : recordedUrl.slice(q + 1));
  if (session.kind === "transcription" && query.has(TRANSCRIPTION_TOKEN_PARAM)) {
    if (options.transcriptionSecret === undefined) return { skipped: "its URL token is masked in the capture (give a transcription secret to mint a fresh one)" };
    // a minted token is a credential: as transcriptionDestination, never in clear over the network
    if (remote !== undefined && !secureOrLoopback(remote)) return { skipped: "a transcription token is not sent over ws:// to a host that is not loopback (use wss://)" };
    const start = session.messages.find((m) => m.type === "in" && m.event === "start");
    let callId: unknown;
    try {
      callId = (JSON.parse(start?.message ?? "null") as { metadata?: { callId?: unknown } } | null)?.metadata?.callId;
    } catch {
      callId = undefined;
    }
    if (typeof callId !== "string" || callId === "") return { skipped: "no start message with a callId to mint its URL token for" };
    query.set(TRANSCRIPTION_TOKEN_PARAM, await signTranscriptionToken({ secret: options.transcriptionSecret, callId }));
    url = `${recordedUrl.slice(0, q)}?${query.toString()}`;
  }
  return { url, headers };
}

function secureOrLoopback(base: string): boolean {
  try {
    const url = new URL(base);
    return url.protocol === "wss:" || ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
  } catch {
    return false;
  }
}

function wsBase(target: string | URL): string {
  return String(target)
    .replace(/^http(s?):/i, "ws$1:")
    .replace(/\/+$/, "");
}

/**
 * One captured socket being replayed, step by step, so that a replay can interleave its records with the
 * deliveries and other sockets in the order they were recorded (`replay.ts`): `step` plays the session's
 * next `in` or `out` record, `finish` closes the socket as recorded and compares.
 */
export interface SocketReplayRun {
  /** An `out` record: the server is expected to have sent one more message by the next `in`; an `in` record: sent once the server caught up (or `stepTimeoutMs` passed). */
  step(entry: SocketCaptureEntry): Promise<void>;
  /** Sends nothing more: waits for the server to settle (and to close, when it closed when recorded), closes it from the peer's side if it has not, compares. */
  finish(): Promise<SocketReplayResult>;
}

/** A run that was skipped or did not open: its result is known already. */
const settled = (result: SocketReplayResult): SocketReplayRun => ({ step: async () => undefined, finish: async () => result });

/**
 * Opens a captured socket on the target (or says why not, in the result `finish` gives), ready to be
 * replayed step by step: `step` each of `session.messages` in order, then `finish`.
 *
 * @example
 * const run = await startSocketReplay(session, { target: streamServer });
 * for (const message of session.messages) await run.step(message);
 * const result = await run.finish();
 */
export async function startSocketReplay(session: SocketSession, options: SocketReplayOptions & { readonly target: SocketReplayTarget }): Promise<SocketReplayRun> {
  const recorded = recordedTranscript(session);
  const common = { kind: session.kind, connection: session.connection, url: session.open?.url ?? "?", recorded };
  const target = options.target;
  const remote = typeof target === "string" || target instanceof URL ? `${wsBase(target)}` : undefined;
  const how = await handshake(session, options, remote);
  if ("skipped" in how) return settled({ ...common, actual: undefined, differences: [], skipped: how.skipped });
  const stepMs = options.stepTimeoutMs ?? 2000;
  let opened: ReplaySocket | string;
  try {
    // only ever to the target: a recorded path that names another host is refused (replay-target.ts)
    opened = remote !== undefined ? await openWs(replayTarget(remote, how.url), how.headers, Math.max(stepMs, 5000)) : await openInProcess(target as StreamServer, how.url, how.headers);
  } catch (error) {
    opened = (error as Error).message; // no ws package, a URL ws refuses: this socket's failure, not the replay's
  }
  if (typeof opened === "string") {
    return settled({ ...common, actual: { out: [], in: 0, close: undefined }, differences: [{ path: "open", recorded: "accepted", actual: opened }], error: opened });
  }
  const socket = opened;
  let expected = 0;
  let sent = 0;
  // once a wait ran out, the server is behind the recording: the next wait is for a message recorded later
  // (not again for the same one), so a server that no longer sends something costs one wait, not one per frame
  let gaveUpAt = -1;
  const caughtUp = async (): Promise<void> => {
    if (expected <= gaveUpAt) return;
    const deadline = Date.now() + stepMs;
    while (socket.received.length < expected && socket.closed === undefined && Date.now() < deadline) await socket.next(deadline - Date.now());
    if (socket.received.length < expected) gaveUpAt = expected;
  };
  const replayed: SocketCaptureEntry[] = session.open === undefined ? [] : [session.open];
  const head = { kind: session.kind, connection: session.connection };
  const asRecord = (record: Parameters<typeof socketEntryOf>[0]): SocketCaptureEntry => socketEntryOf(record, { redactor: undefined, keepMedia: false });
  let logged = 0;
  const log = (): void => {
    while (logged < socket.received.length) replayed.push(asRecord({ ...head, at: Date.now(), type: "out", text: socket.received[logged++] }));
  };
  return {
    async step(message) {
      if (message.type === "out") {
        expected++;
        return;
      }
      if (message.type !== "in" || socket.closed !== undefined) return;
      await caughtUp();
      if (socket.closed !== undefined) return;
      log();
      socket.send(inboundFrame(message));
      replayed.push(message);
      sent++;
    },
    async finish() {
      await caughtUp();
      await socket.settle();
      if (socket.closed === undefined && session.close?.by === "receiver") {
        // the server closed it when recorded: it gets as long as it took then (bounded), before the peer's side closes it
        const deadline = Date.now() + stepMs + closeDelay(session);
        while (socket.closed === undefined && Date.now() < deadline) await socket.next(deadline - Date.now());
      }
      if (socket.closed === undefined) await socket.close(sendable(recorded.close));
      log();
      const code = socket.closed?.code;
      const closedBy = socket.closed?.by === "server" ? "receiver" : "bandwidth";
      replayed.push(asRecord({ ...head, at: Date.now(), type: "close", code, reason: session.close?.reason ?? "", by: closedBy }));
      const actual: SocketTranscript = { out: socket.received.map(outboundShape), in: sent, close: code, closedBy };
      return { ...common, actual, differences: compareSockets(recorded, actual), replayed };
    },
  };
}

/**
 * Replays one captured socket against a target and compares what the server sent with the recording.
 *
 * @example
 * const result = await replaySocketSession(session, { target: streamServer, username: "bw-stream", password: "s3cret" });
 * result.differences; // [{ path: "out[1]", recorded: "clear", actual: "playAudio audio/PCMU" }]
 */
export async function replaySocketSession(session: SocketSession, options: SocketReplayOptions & { readonly target: SocketReplayTarget }): Promise<SocketReplayResult> {
  const run = await startSocketReplay(session, options);
  for (const message of session.messages) await run.step(message);
  return run.finish();
}
