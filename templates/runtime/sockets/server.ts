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
import { createUpgradeDecision } from "./upgrade.js";
import type { AcceptedUpgrade, SocketConnection, SocketLike, StreamServer, StreamServerOptions, UpgradeDecision } from "./types.js";

/** Default largest text frame: 256 KiB (a 20 ms media frame is about 300 bytes). */
export const DEFAULT_MAX_MESSAGE_BYTES: number = 256 * 1024;
/** Default bound of a stream's outbound queue: 1 MiB. */
export const DEFAULT_MAX_QUEUED_BYTES: number = 1024 * 1024;
/** Default time an accepted socket has to send its `start`: 10 s. */
export const DEFAULT_START_TIMEOUT_MS: number = 10_000;
/** Default high-water mark of the transport's buffer: 64 KiB. */
export const DEFAULT_HIGH_WATER_MARK: number = 64 * 1024;

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
    const open = new Set<SocketConnection>();
    const log = createRuntimeLog(logger);
    const ctx: ServerContext = {
      options: anyOptions,
      validateStream: validators.stream,
      validateTranscription: validators.transcription,
      validateOptions: options.strict === true ? { strict: true } : undefined,
      log,
      maxMessageBytes: sizeOption(options.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES, "maxMessageBytes"),
      startTimeoutMs: sizeOption(options.startTimeoutMs, DEFAULT_START_TIMEOUT_MS, "startTimeoutMs"),
      limits: queueLimits(anyOptions),
      closeOnHandlerError: handlerErrors === "close",
      open,
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
