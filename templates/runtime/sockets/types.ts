/**
 * The transport-agnostic contract of the socket runtime (`bw-codegen/sockets`): what an adapter (the
 * `ws` one in `adapters/node-ws.ts`, the web-standard one for Workers/Deno/Bun) and the core
 * (`createStreamServer`, `server.ts`) say to each other, and what a handler sees. Edge-safe: types only.
 *
 * An adapter's whole job, in order (names here are stable: other modules build on them):
 * 1. On an upgrade request, call `server.authorizeUpgrade({ url, headers })` BEFORE completing the
 *    upgrade. On `{ ok: false }` answer the HTTP `status` with its `headers` and `body` and open no socket.
 * 2. On `{ ok: true }`, complete the upgrade, wrap the socket in a {@link SocketLike} and call
 *    `server.accept(socket, decision)`; it returns the {@link SocketConnection} the adapter feeds.
 * 3. Feed it: `connection.message(data)` per frame (a string for a text frame, bytes for a binary one),
 *    `connection.drain()` whenever the transport's buffer went down (e.g. a send callback),
 *    `connection.deadPeer()` when the peer stopped answering pings, `connection.closed(code, reason)`
 *    once the transport is closed (by either side). The core never throws into the adapter.
 */

import type { BasicCredentials } from "../auth/basic.js";
import type { WebhookLogger } from "../logger.js";
import type { PlayAudioFormat } from "../audio/content-type.js";
import type { TelephonyRate } from "../audio/resample.js";
import type { ValidationIssue } from "../validation.js";

// ---------------------------------------------------------------- transport side

/** The few things the core needs from a server-side WebSocket (ws, a Workers/Deno/Bun socket). */
export interface SocketLike {
  /** Sends one text frame. */
  send(text: string): void;
  /** Starts the closing handshake with a code (1000, 1001, 1009 or 4000-4999) and a short reason. */
  close(code: number, reason: string): void;
  /**
   * Bytes handed to the transport and not yet written to the network. The core reads it to keep its
   * own bounded queue honest; a transport without it (undefined) is treated as always drained.
   */
  readonly bufferedAmount?: number;
  /**
   * Stops reading frames (`ws` `pause()`), and starts again. The core pauses while `maxPendingMedia` async
   * `onMedia` calls are pending; a transport without them is closed with 4014 instead.
   */
  pause?(): void;
  resume?(): void;
}

/** A header lookup: a `Headers` object, or node's `IncomingHttpHeaders` (lower-case keys). */
export type UpgradeHeaders =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | undefined>>;

/** The opening handshake as the core needs it: the request target and its headers. */
export interface UpgradeRequestLike {
  /** The request URL: absolute (`https://host/sockets/stream?x=1`) or a path with its query. */
  readonly url: string;
  readonly headers: UpgradeHeaders;
}

/** Which kind of socket a path serves. */
export type SocketKind = "stream" | "transcription";

/** An upgrade the core accepts: hand it to `accept` with the socket. */
export interface AcceptedUpgrade {
  readonly ok: true;
  readonly kind: SocketKind;
  /** The request path (no query). */
  readonly path: string;
  /** The query parameters of the request URL (e.g. your own routing hints). */
  readonly query: URLSearchParams;
  /** How the socket was authenticated (`none`: the explicit `allowUnauthenticated` opt-in). */
  readonly auth: "basic" | "token" | "none";
  /** Index of the credential pair that matched (Basic auth; useful while rotating). */
  readonly credentialIndex?: number;
  /** The call id the transcription token was signed for, when the verifier says so: `start` must match. */
  readonly callId?: string;
}

/** An upgrade the core refuses: answer this over HTTP and open no socket. */
export interface RefusedUpgrade {
  readonly ok: false;
  /** 401 (no or wrong credentials / token), 404 (no socket on this path), 503 (`maxSockets` open). */
  readonly status: 401 | 404 | 503;
  /** Headers of the answer (`WWW-Authenticate` on a Basic 401, `Retry-After` on a 503). */
  readonly headers: Readonly<Record<string, string>>;
  /** A short plain-text body (never a secret). */
  readonly body: string;
  /** Why, safe to log (`missing`, `mismatch`, `token`, `path`, …). */
  readonly reason: string;
}

/** The answer of {@link StreamServer.authorizeUpgrade}. */
export type UpgradeDecision = AcceptedUpgrade | RefusedUpgrade;

/** What an adapter feeds for one accepted socket. Every method is safe to call at any time, also twice. */
export interface SocketConnection {
  /** One received frame: a string for a text frame, bytes for a binary frame (refused: 4003). */
  message(data: string | Uint8Array | ArrayBuffer): void;
  /** The transport's buffer went down: the core sends what its own queue holds, up to the high-water mark. */
  drain(): void;
  /** The peer stopped answering pings: the core closes the stream with 4011 (the adapter then terminates). */
  deadPeer(): void;
  /** The transport closed (either side): releases every piece of state the stream held. */
  closed(code?: number, reason?: string): void;
  /**
   * The transport refused a frame itself and is closing the socket with `code` (e.g. `ws` over its
   * `maxPayload`: 1009, or invalid UTF-8: 1007): reported like any bad input (onInvalidMessage, a log line).
   */
  transportRefused(code: number, reason: string): void;
  /** Closes the socket from the server's side (the transport then reports `closed`). */
  close(code: number, reason: string): void;
  /** The socket's `Stream` once `start` arrived (undefined before). */
  readonly stream: Stream<unknown> | TranscriptionSession<unknown> | undefined;
}

// ---------------------------------------------------------------- messages (as the handlers see them)

/** Account, call and stream of a media-stream socket, from its `start` message, normalised. */
export interface StreamMetadata {
  /** Always a string (Bandwidth has sent it as a JSON number too). */
  readonly accountId: string;
  readonly callId: string;
  readonly streamId: string;
  readonly streamName: string | undefined;
  /** The tracks, normalised from either wire form (objects or plain names). */
  readonly tracks: readonly StreamTrackInfo[];
  /** The `<StreamParam>` name/value pairs (empty when the verb had none). */
  readonly params: Readonly<Record<string, string>>;
}

/** One track of a stream: its name and, when Bandwidth said so, its encoding (`PCMU` / `audio/PCMU` → `PCMU`). */
export interface StreamTrackInfo {
  readonly name: string;
  /** `PCMU` for μ-law whichever spelling came; other values as sent; undefined when not sent. */
  readonly encoding: string | undefined;
  readonly sampleRate: number | undefined;
}

/** The `start` message as it arrived (validated; unknown properties kept). */
export interface StreamStartFrame {
  readonly eventType: "start";
  readonly metadata: {
    readonly accountId: string | number;
    readonly callId: string;
    readonly streamId: string;
    readonly streamName?: string;
    readonly tracks: readonly (string | { readonly name: string; readonly mediaFormat?: { readonly encoding: string; readonly sampleRate: number } })[];
  };
  readonly streamParams?: { readonly [name: string]: string | undefined };
}

/** The `stop` message as it arrived. */
export interface StreamStopFrame {
  readonly eventType: "stop";
  readonly metadata: StreamStartFrame["metadata"];
}

/** One `media` message, decoded: the audio bytes (μ-law, 8 kHz) over the decoded buffer, no copy. */
export interface MediaFrame {
  readonly track: string;
  /** The decoded payload (usually 160 bytes: 20 ms of μ-law). Yours to keep: never reused by the core. */
  readonly audio: Uint8Array;
  /** As sent (a string in Bandwidth's own tests, absent in its docs). */
  readonly sequenceNumber: string | number | undefined;
}

/** Account, call and transcription of a transcription socket, from its `start` message. */
export interface TranscriptionMetadata {
  readonly accountId: string;
  readonly callId: string;
  readonly transcriptionId: string;
  readonly transcriptionName: string | undefined;
  readonly tracks: readonly string[];
  readonly stabilized: boolean | undefined;
  /** The `<CustomParam>` name/value pairs (empty when the verb had none). */
  readonly params: Readonly<Record<string, string>>;
}

/** The transcription socket's `start` message as it arrived. */
export interface TranscriptionStartFrame {
  readonly eventType: "start";
  readonly metadata: {
    readonly accountId: string | number;
    readonly callId: string;
    readonly realTimeTranscriptionId: string;
    readonly transcriptionName?: string;
    readonly tracks: readonly (string | { readonly name: string })[];
    readonly stabilized?: boolean;
  };
  readonly customParams?: { readonly [name: string]: string | undefined };
}

/** One `transcription` message as it arrived. */
export interface TranscriptionFrame {
  readonly eventType: "transcription";
  readonly track: string;
  readonly transcript: string;
  readonly isPartial: boolean;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly language?: string;
  readonly items?: readonly {
    readonly content?: string;
    readonly startTime?: string;
    readonly endTime?: string;
    readonly confidence?: number;
    readonly stable?: boolean;
    readonly type?: string;
  }[];
}

/** The transcription socket's `stop` message. */
export interface TranscriptionStopFrame {
  readonly eventType: "stop";
  readonly metadata: TranscriptionStartFrame["metadata"];
}

// ---------------------------------------------------------------- the per-socket objects

/** Audio for {@link Stream.playAudio}: μ-law bytes, or 16-bit PCM samples (an Int16Array, or their little-endian bytes). */
export type PlayableAudio = Uint8Array | Int16Array;

/** The format of {@link PlayableAudio}: `{ encoding: "mulaw" }` (default) or `{ encoding: "pcm16", sampleRate }`. */
export type { PlayAudioFormat, TelephonyRate };

/** What a bounded outbound queue does when a message would take it over `maxQueuedBytes`. */
export type BackpressurePolicy = "reject" | "drop-oldest" | "close";

/** Passed to `onBackpressure`: what happened and how full the queue is. */
export interface BackpressureInfo {
  /** `rejected` (the new message was not queued), `dropped` (older messages were dropped for it), `closed`. */
  readonly action: "rejected" | "dropped" | "closed";
  readonly policy: BackpressurePolicy;
  /** Bytes waiting in the core's queue after the action. */
  readonly queuedBytes: number;
  readonly maxQueuedBytes: number;
  /** Messages dropped by this action (drop-oldest). */
  readonly droppedMessages: number;
}

/** Fields every socket object has. `S` is your per-stream state. */
export interface SocketSession<S> {
  readonly kind: SocketKind;
  /** Your per-stream state: made by `createState(start)`, yours to change; released with the socket. */
  state: S;
  /** The request path and query of the opening handshake. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** True once the socket is closing or closed. */
  readonly closed: boolean;
  /** Closes the socket (default 1000 "normal"); state is released when the transport reports it closed. */
  close(code?: number, reason?: string): void;
}

/** One media-stream socket, from its `start` to its close. */
export interface Stream<S> extends SocketSession<S> {
  readonly kind: "stream";
  readonly metadata: StreamMetadata;
  readonly callId: string;
  readonly streamId: string;
  /**
   * Plays audio into the call (bidirectional streams): μ-law bytes by default, or 16-bit PCM at 8, 16 or
   * 24 kHz with `{ encoding: "pcm16", sampleRate }` (an Int16Array, or its little-endian bytes); writes the
   * matching `contentType`. Returns false when the message was not queued (policy `reject`, or the socket
   * is closed). An Int16Array needs its PCM format: without it, it does not compile (it would be sent as μ-law).
   */
  playAudio(audio: Uint8Array, format?: PlayAudioFormat): boolean;
  playAudio(audio: Int16Array, format: Extract<PlayAudioFormat, { readonly encoding: "pcm16" }>): boolean;
  /** Barge-in: drops the audio still in the core's queue and tells Bandwidth to drop what it queued. */
  clear(): void;
  /** Bytes waiting in the core's outbound queue. */
  readonly queuedBytes: number;
  /** Resolves once the core's outbound queue is empty (or the socket closed). */
  drained(): Promise<void>;
}

/** One transcription socket, from its `start` to its close (Bandwidth takes no messages on it). */
export interface TranscriptionSession<S> extends SocketSession<S> {
  readonly kind: "transcription";
  readonly metadata: TranscriptionMetadata;
  readonly callId: string;
}

// ---------------------------------------------------------------- options

/**
 * Every handler's third argument: whether the message passed its schema. In the default (lenient) mode a
 * message whose values drifted (a new enum value, a pattern, a range, a `null` in an optional field) is
 * dispatched with `valid: false` and its `issues`, as a webhook gets `context.valid === false`; so is a `start`
 * or `stop` failing its schema while the runtime can still use it (`severity: "invalid"`, see docs/sockets.md).
 * A message that passed shares one frozen `{ valid: true, issues: [] }`.
 */
export interface MessageCheck {
  readonly valid: boolean;
  /** `drift` (only values differ) or `invalid` (a promised field missing or mistyped); undefined when valid. */
  readonly severity?: "drift" | "invalid";
  /** The schema errors (`{ path, message }`); empty when valid. */
  readonly issues: readonly ValidationIssue[];
}

/** A value or its promise (handlers may be async; a rejection counts as a throw). */
export type MaybePromise<T> = T | Promise<T>;

/** The media-stream socket: its path, its credentials and its handlers. */
export interface StreamSocketOptions<S> {
  /** Default `/sockets/stream`. */
  readonly path?: string;
  /** The `destinationUsername`/`destinationPassword` pairs of `<StartStream>` (several: rotation). */
  readonly credentials?: readonly BasicCredentials[];
  /** The realm of the `WWW-Authenticate` challenge. */
  readonly realm?: string;
  /** Serve this socket with no credentials at all (explicit opt-in; warns once). */
  readonly allowUnauthenticated?: boolean;
  /** Makes the per-stream state from `start` (default: an empty object). */
  readonly createState?: (start: StreamStartFrame, metadata: StreamMetadata) => S;
  /** `check.valid === false`: the start failed its schema and was dispatched anyway (lenient mode, see {@link MessageCheck}). */
  readonly onStart?: (start: StreamStartFrame, stream: Stream<S>, check: MessageCheck) => MaybePromise<void>;
  /**
   * The hot path: called for every `media` frame, in order, without awaiting an async one (see
   * `maxPendingMedia`). A frame whose `track` is not one `start` announced is dropped (`droppedMedia` of onClose).
   */
  readonly onMedia?: (frame: MediaFrame, stream: Stream<S>, check: MessageCheck) => MaybePromise<void>;
  readonly onStop?: (stop: StreamStopFrame, stream: Stream<S>, check: MessageCheck) => MaybePromise<void>;
}

/** Checks a transcription socket's URL token on the upgrade (sock-web's `transcription-token.ts` makes one). */
export type TranscriptionTokenVerifier = (request: {
  readonly url: URL;
  readonly headers: UpgradeHeaders;
}) => MaybePromise<boolean | { readonly ok: boolean; readonly callId?: string }>;

/** The transcription socket: its path, its token check and its handlers. */
export interface TranscriptionSocketOptions<S> {
  /** Default `/sockets/transcription`. */
  readonly path?: string;
  /** The URL-token check (required unless `allowUnauthenticated`). A `callId` it returns must match `start`. */
  readonly verifyToken?: TranscriptionTokenVerifier;
  readonly allowUnauthenticated?: boolean;
  readonly createState?: (start: TranscriptionStartFrame, metadata: TranscriptionMetadata) => S;
  readonly onStart?: (start: TranscriptionStartFrame, session: TranscriptionSession<S>, check: MessageCheck) => MaybePromise<void>;
  /** Called for each update, one at a time and in order: the next waits until an async one settles (see `maxPendingTranscriptions`). */
  readonly onTranscription?: (update: TranscriptionFrame, session: TranscriptionSession<S>, check: MessageCheck) => MaybePromise<void>;
  readonly onStop?: (stop: TranscriptionStopFrame, session: TranscriptionSession<S>, check: MessageCheck) => MaybePromise<void>;
}

/** Bounds of each stream's outbound queue. */
export interface BackpressureOptions {
  /** Most bytes the core queues per stream beyond the transport's buffer. Default 1 MiB (~12 s of 24 kHz PCM). */
  readonly maxQueuedBytes?: number;
  /** The core stops handing messages to the transport while its `bufferedAmount` is above this. Default 64 KiB. */
  readonly highWaterMark?: number;
  /** Default `reject`: `playAudio` returns false and the message is not queued. */
  readonly policy?: BackpressurePolicy;
}

/**
 * A message that failed the server's checks, and what the server did with it (`action`). Never contains
 * the payload (the hook's second argument is the message itself). In the default (lenient) mode, the
 * drift-or-invalid policy of the webhooks: `dispatched` (value drift, or a `start`/`stop` the runtime can
 * still use: the handler gets it with `check.valid === false`), `dropped` (an invalid `media` or
 * `transcription` message: counted in onClose's `invalidMessages`), `ignored` (an eventType Bandwidth does
 * not send on this socket: counted in `unknownMessages`); the socket stays open. `closed`: input no peer of
 * Bandwidth's sends (not JSON, binary, oversized, out of order, an unusable `start`), and with `strict: true`
 * every message failing its schema or of an unknown eventType.
 */
export interface InvalidMessageInfo {
  readonly kind: SocketKind;
  readonly action: "closed" | "dispatched" | "dropped" | "ignored";
  /** The close code (`action: "closed"`); undefined when the socket stayed open. */
  readonly code: number | undefined;
  /** The close reason, or what was wrong in the same words (`invalid message`, `unknown eventType`, `invalid base64`). */
  readonly reason: string;
  /** What was wrong, in words (schema errors as `path message`; never payload bytes). */
  readonly detail?: string;
  /** The message's eventType when it had one (cut to 64 characters). */
  readonly eventType?: string;
  /** A message failing its schema: `drift` (only values) or `invalid` (a promised field missing or mistyped). */
  readonly severity?: "drift" | "invalid";
  /** The schema errors, for a message failing its schema. */
  readonly errors?: readonly ValidationIssue[];
  readonly callId: string | undefined;
  readonly streamId: string | undefined;
}

/** Where an error happened, for `onError`. */
export interface SocketErrorInfo {
  readonly kind: SocketKind;
  /** The handler (`onStart`, `onMedia`, …) or hook that threw or rejected. */
  readonly where: string;
  readonly callId: string | undefined;
  readonly streamId: string | undefined;
}

/** Passed to `onClose` once a socket's state is released. */
export interface SocketCloseInfo {
  readonly kind: SocketKind;
  readonly code: number;
  readonly reason: string;
  readonly callId: string | undefined;
  readonly streamId: string | undefined;
  /** True when `stop` arrived before the close. */
  readonly stopped: boolean;
  /** Media streams: `media` frames dropped because their track was not one `start` announced (never given to `onMedia`). */
  readonly droppedMedia: number;
  /** Transcription sockets: updates dropped because `maxPendingTranscriptions` were waiting on a transport that cannot pause. */
  readonly droppedTranscriptions: number;
  /** Lenient mode: `media` / `transcription` messages dropped as invalid (a promised field missing or mistyped, a payload not base64). */
  readonly invalidMessages: number;
  /** Lenient mode: messages ignored for their eventType (one Bandwidth does not send on this socket, or none). */
  readonly unknownMessages: number;
}

/**
 * One socket event handed to a {@link SocketCaptureSink}: the opening (path, query and the headers that
 * matter; never `Authorization`), each text message in (`in`, as it arrived, before parsing) or out (`out`,
 * as sent: `playAudio`, `clear`), and the close. `connection` numbers the sockets of one server, so the
 * records of one socket can be told apart when several interleave.
 */
export interface CapturedSocketMessage {
  /** ms since the epoch. */
  readonly at: number;
  readonly kind: SocketKind;
  /** 1, 2, 3… per server: the socket this record belongs to. */
  readonly connection: number;
  readonly type: "open" | "in" | "out" | "close";
  /** `open`: the request target (path and query) as received. */
  readonly url?: string;
  /** `open`: `user-agent` and `sec-websocket-protocol` when present (never `authorization`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** `in` / `out`: the text message. */
  readonly text?: string;
  /** `in`: the length of a binary frame (its bytes are not kept). */
  readonly binaryBytes?: number;
  /** `close`: the close code and reason. */
  readonly code?: number;
  readonly reason?: string;
  /** `close`: which side closed the socket: `bandwidth` (the peer; also a connection that died) or `receiver` (this server). */
  readonly by?: "bandwidth" | "receiver";
}

/**
 * Where the socket server hands each socket event when `capture` is set: `createCapture({ dir })` of
 * `bw-codegen/capture` is one (the same object as the webhooks' `capture`). Edge-safe: the server only calls
 * `recordSocket`, synchronously; it must return at once. A sink that throws is ignored (the socket is never
 * affected).
 *
 * @example
 * const seen: CapturedSocketMessage[] = [];
 * const server = createStreamServer({ capture: { recordSocket: (m) => void seen.push(m) }, stream });
 */
export interface SocketCaptureSink {
  recordSocket(message: CapturedSocketMessage): void;
}

/** Options of `createStreamServer`. `S`: your media-stream state; `T`: your transcription state. */
export interface StreamServerOptions<S = Record<string, unknown>, T = Record<string, unknown>> {
  readonly stream?: StreamSocketOptions<S>;
  readonly transcription?: TranscriptionSocketOptions<T>;
  /** Largest text frame taken (bytes; default 256 KiB): a larger one closes the socket with 1009. */
  readonly maxMessageBytes?: number;
  /**
   * How long an accepted socket may go without its `start` message (Bandwidth sends it first, at once); past
   * it the socket is closed with 4013, so a peer that upgrades and stays silent holds nothing. Default 10000 ms.
   */
  readonly startTimeoutMs?: number;
  /**
   * Most sockets open at once on this server (default 10000); an upgrade over it is refused before the
   * upgrade with HTTP 503 + `Retry-After` and opens no socket.
   */
  readonly maxSockets?: number;
  /**
   * Most `onMedia` promises pending per stream (default 64, 1.3 s of 20 ms frames); at it the stream stops
   * reading until one settles (node adapter: `ws` `pause()`, no frame lost), or, on a transport that cannot
   * pause, is closed with 4014.
   */
  readonly maxPendingMedia?: number;
  /**
   * Transcription sockets run `onStart`, each `onTranscription` and `onStop` one at a time, in order (an async
   * handler is awaited before the next starts). This bounds the updates waiting behind a slow handler (default
   * 64): at it the socket stops reading until one is done (node adapter: `ws` `pause()`, nothing lost); on a
   * transport that cannot pause, a new update is dropped instead, counted in `onClose`'s
   * `droppedTranscriptions` and logged (rate-limited). The socket stays open either way.
   */
  readonly maxPendingTranscriptions?: number;
  /**
   * After `stop`, how long the peer has to close the socket before the server does (1000). Default 5000 ms.
   * Also how long, once a transcription socket has closed, its handlers still queued may take: then what still
   * waits is dropped (counted in `droppedTranscriptions`), the state released and `onClose` run once.
   */
  readonly closeAfterStopMs?: number;
  readonly backpressure?: BackpressureOptions;
  /** A handler that throws or rejects: `close` (default, 4010) or `continue` (reported to onError only). */
  readonly handlerErrors?: "close" | "continue";
  /**
   * Close the socket on every message failing its schema (4001, unknown properties too), of an eventType
   * Bandwidth does not send (4002), or with a payload that is not base64 (4007): tests, drift detection.
   * Default false: the drift-or-invalid policy (see {@link InvalidMessageInfo}), so that one new value, a null
   * or a new message type never ends a call's audio or captions.
   */
  readonly strict?: boolean;
  /** Where warnings go (default: the console). Rate-limited per reason (10 a minute); never a payload or secret. */
  readonly logger?: WebhookLogger;
  /** A message failed a check (see {@link InvalidMessageInfo}); `message`: the parsed message (undefined when not JSON); `session`: the socket's once `start` arrived. */
  readonly onInvalidMessage?: (info: InvalidMessageInfo, message: unknown, session: Stream<S> | TranscriptionSession<T> | undefined) => void;
  readonly onError?: (error: unknown, info: SocketErrorInfo) => void;
  readonly onBackpressure?: (info: BackpressureInfo, stream: Stream<S>) => void;
  readonly onClose?: (info: SocketCloseInfo) => void;
  /**
   * Records every socket's messages both ways (see {@link SocketCaptureSink}): pass the `createCapture()`
   * of `bw-codegen/capture` you give the webhooks. Never slows or fails a socket: a throwing sink is ignored.
   */
  readonly capture?: SocketCaptureSink;
}

/** A configured socket server: transport-agnostic; an adapter connects it to real sockets. */
export interface StreamServer {
  /** The paths served, by kind (only the kinds configured). */
  readonly paths: Readonly<Partial<Record<SocketKind, string>>>;
  /** The largest text frame taken, in bytes: adapters pass it to their transport (`ws` `maxPayload`). */
  readonly maxMessageBytes: number;
  /** The upgrade decision: route by path, then check credentials or token. Never throws. */
  authorizeUpgrade(request: UpgradeRequestLike): Promise<UpgradeDecision>;
  /** Takes an upgraded socket; the adapter feeds the returned connection. */
  accept(socket: SocketLike, upgrade: AcceptedUpgrade): SocketConnection;
  /** Sockets open right now. */
  readonly openSockets: number;
  /** Closes every open socket (1001 "going away"), e.g. on shutdown. */
  closeAll(code?: number, reason?: string): void;
}
