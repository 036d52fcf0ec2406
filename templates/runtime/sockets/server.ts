/**
 * `createStreamServer`: the transport-agnostic media-stream and transcription socket runtime. It holds
 * the resolved options, the upgrade decision (upgrade.ts) and the set of open sockets (connection.ts);
 * an adapter (`bw-codegen/sockets/node` for `ws`, the web-standard one) connects it to real sockets.
 * The generated validators are bound in by the `bw-codegen/sockets` entry (`bindStreamServer`), so this
 * folder imports nothing generated. Edge-safe: no `node:` module, no `ws`.
 */

import type { FamilyValidator } from "../dispatch.js";
import { BandwidthConfigError } from "../errors.js";
import { createRuntimeLog } from "../http/log.js";
import type { WebhookLogger } from "../logger.js";
import { acceptSocket, type ServerContext } from "./connection.js";
import { SOCKET_CLOSE_CODES } from "./close-codes.js";
import type { QueueLimits } from "./outbound.js";
import { createUpgradeDecision, readUpgradeHeader } from "./upgrade.js";
import type { AcceptedUpgrade, SocketConnection, SocketLike, StreamServer, StreamServerOptions, UpgradeDecision, UpgradeRequestLike } from "./types.js";

/** Default largest text frame: 256 KiB (a 20 ms media frame is about 300 bytes). */
export const DEFAULT_MAX_MESSAGE_BYTES: number = 256 * 1024;
/** Default bound of a stream's outbound queue: 1 MiB. */
export const DEFAULT_MAX_QUEUED_BYTES: number = 1024 * 1024;
/** Default time an accepted socket has to send its `start`: 10 s. */
export const DEFAULT_START_TIMEOUT_MS: number = 10_000;
/**
 * Default most sockets open at once: 10,000, ten times the 1,000 streams one core is built to carry at 50
 * frames/s each way (docs/benchmarks.md), so it never bites a healthy server, while it bounds what a flood
 * of authenticated upgrades (or a runaway caller) can take: each stream may queue up to `maxQueuedBytes`.
 */
export const DEFAULT_MAX_SOCKETS: number = 10_000;
/** Default most pending async `onMedia` calls per stream: 64 (1.28 s of 20 ms frames). */
export const DEFAULT_MAX_PENDING_MEDIA: number = 64;
/** Default most transcription handler calls waiting per socket: 64 (far more than a call's speech makes). */
export const DEFAULT_MAX_PENDING_TRANSCRIPTIONS: number = 64;
/** Default time a peer has to close its socket after `stop`: 5 s. */
export const DEFAULT_CLOSE_AFTER_STOP_MS: number = 5000;
/** Default high-water mark of the transport's buffer: 64 KiB. */
export const DEFAULT_HIGH_WATER_MARK: number = 64 * 1024;

/** The answer to an upgrade while `maxSockets` are open (checked after auth: a stranger learns nothing). */
const AT_CAPACITY: UpgradeDecision = Object.freeze({
  ok: false,
  status: 503,
  reason: "capacity",
  body: "too many sockets\n",
  headers: Object.freeze({ "content-type": "text/plain; charset=utf-8", "retry-after": "5" }),
});

/** The validators the server checks Bandwidth's messages with (the generated ones). */
export interface SocketValidators {
  readonly stream: FamilyValidator<unknown>;
  readonly transcription: FamilyValidator<unknown>;
}

/** The signature of `createStreamServer`. */
export type CreateStreamServer = <S = Record<string, unknown>, T = Record<string, unknown>>(options: StreamServerOptions<S, T>) => StreamServer;

const CONSOLE_LOGGER: WebhookLogger = {
  warn: (message, details) => (details === undefined ? console.warn(message) : console.warn(message, details)),
  error: (message, details) => (details === undefined ? console.error(message) : console.error(message, details)),
};

function sizeOption(value: number | undefined, fallback: number, name: string): number {
  const size = value ?? fallback;
  if (!Number.isSafeInteger(size) || size < 1) throw new BandwidthConfigError(`bw-codegen sockets: ${name} must be a positive integer`);
  return size;
}

function queueLimits(options: StreamServerOptions<unknown, unknown>): QueueLimits {
  const bp = options.backpressure ?? {};
  const policy = bp.policy ?? "reject";
  if (policy !== "reject" && policy !== "drop-oldest" && policy !== "close") {
    throw new BandwidthConfigError('bw-codegen sockets: backpressure.policy must be "reject", "drop-oldest" or "close"');
  }
  return Object.freeze({
    maxQueuedBytes: sizeOption(bp.maxQueuedBytes, DEFAULT_MAX_QUEUED_BYTES, "backpressure.maxQueuedBytes"),
    highWaterMark: sizeOption(bp.highWaterMark, DEFAULT_HIGH_WATER_MARK, "backpressure.highWaterMark"),
    policy,
  });
}

/** The headers a capture keeps of an upgrade request: never `authorization`, cookies or forwarding chains. */
function capturedHeaders(request: UpgradeRequestLike): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (const name of ["user-agent", "sec-websocket-protocol"]) {
      const value = readUpgradeHeader(request.headers, name);
      if (value !== undefined) out[name] = value;
    }
  } catch {
    // odd headers object: none kept
  }
  return out;
}

/**
 * Binds the socket runtime to its validators; the `bw-codegen/sockets` entry calls it once with the
 * generated `validateStreamMessage` / `validateTranscriptionMessage` and exports the result as
 * `createStreamServer`. Internal: use `createStreamServer`.
 */
export function bindStreamServer(validators: SocketValidators): CreateStreamServer {
  return <S, T>(options: StreamServerOptions<S, T>): StreamServer => {
    if (options === null || typeof options !== "object") throw new BandwidthConfigError("bw-codegen sockets: options must be an object");
    if (options.stream === undefined && options.transcription === undefined) {
      throw new BandwidthConfigError("bw-codegen sockets: configure stream and/or transcription");
    }
    const anyOptions = options as StreamServerOptions<any, any>;
    const logger = options.logger ?? CONSOLE_LOGGER;
    const upgrade = createUpgradeDecision(anyOptions, logger);
    const handlerErrors = options.handlerErrors ?? "close";
    if (handlerErrors !== "close" && handlerErrors !== "continue") {
      throw new BandwidthConfigError('bw-codegen sockets: handlerErrors must be "close" or "continue"');
    }
    const capture = options.capture;
    if (capture !== undefined && (capture === null || typeof capture.recordSocket !== "function")) {
      throw new BandwidthConfigError("bw-codegen sockets: capture must have a recordSocket(message) method (createCapture of bw-codegen/capture)");
    }
    // the headers that matter of each accepted upgrade, for the capture's `open` record (never Authorization)
    const upgradeHeaders = new WeakMap<AcceptedUpgrade, Record<string, string>>();
    const open = new Set<SocketConnection>();
    const maxSockets = sizeOption(options.maxSockets, DEFAULT_MAX_SOCKETS, "maxSockets");
    const log = createRuntimeLog(logger);
    const ctx: ServerContext = {
      options: anyOptions,
      validateStream: validators.stream,
      validateTranscription: validators.transcription,
      validateOptions: options.strict === true ? { strict: true } : undefined,
      strict: options.strict === true,
      log,
      maxMessageBytes: sizeOption(options.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES, "maxMessageBytes"),
      startTimeoutMs: sizeOption(options.startTimeoutMs, DEFAULT_START_TIMEOUT_MS, "startTimeoutMs"),
      closeAfterStopMs: sizeOption(options.closeAfterStopMs, DEFAULT_CLOSE_AFTER_STOP_MS, "closeAfterStopMs"),
      maxPendingMedia: sizeOption(options.maxPendingMedia, DEFAULT_MAX_PENDING_MEDIA, "maxPendingMedia"),
      maxPendingTranscriptions: sizeOption(options.maxPendingTranscriptions, DEFAULT_MAX_PENDING_TRANSCRIPTIONS, "maxPendingTranscriptions"),
      limits: queueLimits(anyOptions),
      closeOnHandlerError: handlerErrors === "close",
      open,
      capture,
      nextConnection: 0,
      upgradeHeaders,
    };
    return {
      paths: upgrade.paths,
      maxMessageBytes: ctx.maxMessageBytes,
      authorizeUpgrade: async (request) => {
        const decision = await upgrade.decide(request).catch((): UpgradeDecision => ({ ok: false, status: 404, reason: "path", body: "no socket here\n", headers: {} }));
        // A wrong credential or token is worth a (rate-limited) line; a missing one may be a probe. Never the header.
        if (!decision.ok && decision.status === 401 && decision.reason !== "missing") {
          log.limited("warn", `socket-refused-${decision.reason}`, `bw-codegen sockets: refused an upgrade (401, ${decision.reason})`);
        }
        if (decision.ok && open.size >= maxSockets) {
          log.limited("warn", "socket-refused-capacity", `bw-codegen sockets: refused an upgrade (503, ${maxSockets} sockets open: maxSockets)`);
          return AT_CAPACITY;
        }
        if (decision.ok && capture !== undefined) upgradeHeaders.set(decision, capturedHeaders(request));
        return decision;
      },
      accept(socket: SocketLike, accepted: AcceptedUpgrade): SocketConnection {
        if (accepted?.ok !== true) throw new BandwidthConfigError("bw-codegen sockets: accept() takes an accepted upgrade decision");
        return acceptSocket(ctx, socket, accepted);
      },
      get openSockets(): number {
        return open.size;
      },
      closeAll(code: number = SOCKET_CLOSE_CODES.goingAway.code, reason: string = SOCKET_CLOSE_CODES.goingAway.reason): void {
        for (const connection of [...open]) {
          connection.close(code, reason);
        }
      },
    };
  };
}
