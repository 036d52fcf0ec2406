/**
 * One accepted socket, from the upgrade to its release: reads each frame (the `media` fast path first,
 * then `JSON.parse` + the generated validator), enforces the protocol's order (start, then media or
 * transcription, then stop), calls the handlers, and reports every kind of bad input to the
 * `onInvalidMessage` hook with a rate-limited log line. Messages failing their schema follow the webhooks'
 * drift-or-invalid policy (the validator's `severity`) unless `strict`: drift is dispatched (`check.valid`
 * false), an invalid `media`/`transcription` is dropped and counted, an unknown eventType ignored and counted,
 * a `start`/`stop` the runtime can still use dispatched; garbage (not JSON, binary, oversized, out of order, an
 * unusable `start`, and in strict mode all of it) closes the socket with its code (close-codes.ts). Handler throws and
 * rejections go to `onError` and (by default) close the socket with 4010; nothing reaches the adapter.
 * On `closed()` every reference the socket held is dropped and it leaves the server's open set (a transcription
 * session once its pending handlers settle, or `closeAfterStopMs` after the close at most). Edge-safe.
 */

import type { FamilyValidator } from "../dispatch.js";
import { dropProtoKeys, mayHoldProtoKey } from "../http/body-text.js";
import type { RuntimeLog } from "../http/log.js";
import type { ValidateOptions, ValidationIssue, ValidationResult } from "../validation.js";
import { SOCKET_CLOSE_CODES as CODES, type SocketCloseCode } from "./close-codes.js";
import { decodeBase64Range, readMediaFast } from "./fast-media.js";
import { streamMetadata, trackNamesOf, transcriptionMetadata } from "./metadata.js";
import { CLEAR_MESSAGE, OutboundQueue, playAudioMessage, type QueueLimits } from "./outbound.js";
import type {
  AcceptedUpgrade,
  CapturedSocketMessage,
  InvalidMessageInfo,
  MediaFrame,
  MessageCheck,
  PlayableAudio,
  PlayAudioFormat,
  SocketCaptureSink,
  SocketConnection,
  SocketKind,
  SocketLike,
  Stream,
  StreamMetadata,
  StreamServerOptions,
  StreamStartFrame,
  StreamStopFrame,
  TranscriptionFrame,
  TranscriptionMetadata,
  TranscriptionSession,
  TranscriptionStartFrame,
  TranscriptionStopFrame,
} from "./types.js";

/** What every connection of one server shares (options resolved once). */
export interface ServerContext {
  readonly options: StreamServerOptions<any, any>;
  readonly validateStream: FamilyValidator<unknown>;
  readonly validateTranscription: FamilyValidator<unknown>;
  readonly validateOptions: ValidateOptions | undefined;
  /** `strict: true`: every message failing its schema or of an unknown eventType closes the socket (4001/4002/4007). */
  readonly strict: boolean;
  readonly log: RuntimeLog;
  readonly maxMessageBytes: number;
  readonly startTimeoutMs: number;
  readonly closeAfterStopMs: number;
  readonly maxPendingMedia: number;
  readonly maxPendingTranscriptions: number;
  readonly limits: QueueLimits;
  readonly closeOnHandlerError: boolean;
  readonly open: Set<SocketConnection>;
  /** The `capture` option (records every message both ways), if set. */
  readonly capture: SocketCaptureSink | undefined;
  /** The last connection number given (capture records name their socket by it). */
  nextConnection: number;
  /** Headers kept of each accepted upgrade, for the capture's `open` record. */
  readonly upgradeHeaders: WeakMap<AcceptedUpgrade, Record<string, string>>;
}

type Phase = "open" | "started" | "stopped" | "closing" | "closed";

const STREAM_INBOUND = new Set(["start", "media", "stop"]);
const TRANSCRIPTION_INBOUND = new Set(["start", "transcription", "stop"]);
const NO_PARAMS = new URLSearchParams();
/** The handlers' third argument for a message that passed its schema (one frozen object for all). */
const VALID: MessageCheck = Object.freeze({ valid: true, issues: Object.freeze([]) as readonly ValidationIssue[] });

/**
 * Whether the runtime can open a stream from a `start` failing its schema (lenient mode): it needs the
 * `metadata` object and the call's id (the token check, every report and log line name the call); the
 * stream's id defaults to "", tracks not all named to "take every track".
 */
function usableStart(start: Record<string, any>): boolean {
  const m = start.metadata;
  return m !== null && typeof m === "object" && !Array.isArray(m) && typeof m.callId === "string" && m.callId.length > 0;
}

function issuesText(errors: readonly ValidationIssue[]): string {
  return errors.map((e) => `${e.path} ${e.message}`).join("; ");
}

/** The `stream` object handlers get: a view over its connection. */
class MediaStream implements Stream<any> {
  readonly kind = "stream" as const;
  state: any;
  readonly callId: string;
  readonly streamId: string;
  constructor(
    private readonly connection: Connection,
    readonly metadata: StreamMetadata,
    readonly path: string,
    readonly query: URLSearchParams,
  ) {
    this.callId = metadata.callId;
    this.streamId = metadata.streamId;
  }
  get closed(): boolean {
    return this.connection.isClosing();
  }
  get queuedBytes(): number {
    return this.connection.queue.bytes;
  }
  playAudio(audio: PlayableAudio, format?: PlayAudioFormat): boolean {
    const text = playAudioMessage(audio, format); // throws on a wrong format, even when closed
    return this.connection.offer(text);
  }
  clear(): void {
    this.connection.clear();
  }
  drained(): Promise<void> {
    return this.connection.queue.drained();
  }
  close(code?: number, reason?: string): void {
    this.connection.close(code ?? CODES.normal.code, reason ?? CODES.normal.reason);
  }
}

/** The `session` object transcription handlers get. */
class TranscriptionView implements TranscriptionSession<any> {
  readonly kind = "transcription" as const;
  state: any;
  readonly callId: string;
  constructor(
    private readonly connection: Connection,
    readonly metadata: TranscriptionMetadata,
    readonly path: string,
    readonly query: URLSearchParams,
  ) {
    this.callId = metadata.callId;
  }
  get closed(): boolean {
    return this.connection.isClosing();
  }
  close(code?: number, reason?: string): void {
    this.connection.close(code ?? CODES.normal.code, reason ?? CODES.normal.reason);
  }
}

class Connection implements SocketConnection {
  private phase: Phase = "open";
  stream: MediaStream | TranscriptionView | undefined;
  readonly queue: OutboundQueue;
  private closeCode: number | undefined;
  private closeReason = "";
  private readonly kind: SocketKind;
  /** The transport, or (with `capture`) a view of it that records each message sent. */
  private readonly out: SocketLike;
  private readonly number: number = 0;

  constructor(
    private readonly ctx: ServerContext,
    private readonly socket: SocketLike,
    private readonly upgrade: AcceptedUpgrade,
  ) {
    this.kind = upgrade.kind;
    this.out = socket;
    if (ctx.capture !== undefined) {
      this.number = ++ctx.nextConnection;
      this.out = capturingSocket(socket, (text) => this.record("out", text));
      const query = upgrade.query?.toString() ?? "";
      this.recordOpen(query === "" ? upgrade.path : `${upgrade.path}?${query}`, ctx.upgradeHeaders.get(upgrade) ?? {});
    }
    this.queue = new OutboundQueue(this.out, ctx.limits);
    // A peer that upgrades and never sends `start` would hold the socket (and its slot) for ever.
    this.startTimer = setTimeout(() => this.noStart(), ctx.startTimeoutMs);
    (this.startTimer as { unref?: () => void }).unref?.();
  }

  // ------------------------------------------------------------ capture

  /** Hands one record to the capture sink; nothing it does (a throw) reaches the socket. */
  private capture(message: CapturedSocketMessage): void {
    try {
      this.ctx.capture!.recordSocket(message);
    } catch {
      // a capture never affects a socket
    }
  }

  private recordOpen(url: string, headers: Record<string, string>): void {
    this.capture({ at: Date.now(), kind: this.kind, connection: this.number, type: "open", url, headers });
  }

  private record(type: "in" | "out", text: string): void {
    this.capture({ at: Date.now(), kind: this.kind, connection: this.number, type, text });
  }

  private startTimer: ReturnType<typeof setTimeout> | undefined;
  /** After `stop`: closes a socket the peer keeps open (a peer answering pings would else hold it for ever). */
  private stopTimer: ReturnType<typeof setTimeout> | undefined;
  /** `onMedia` promises not settled yet; at `maxPendingMedia` reading pauses (or, untransported, 4014). */
  private pendingMedia = 0;
  /** Frames that arrived while reading was paused (what the transport had already read), in order. */
  private held: (string | Uint8Array | ArrayBuffer)[] | undefined;
  /** The track names `start` announced (a `media` frame for another is dropped); undefined: none named, all taken. */
  private announced: readonly string[] | undefined;
  /** `media` frames dropped for a track `start` did not announce. */
  private droppedMedia = 0;
  /** Lenient mode: `media` / `transcription` messages dropped as invalid. */
  private invalidMessages = 0;
  /** Lenient mode: messages ignored for their eventType. */
  private unknownMessages = 0;
  /** The `start` message's `metadata`, for a `stop` that lost its own (lenient mode). */
  private startMetadata: unknown;
  /**
   * Transcription sockets: the handler calls waiting their turn (onStart, each onTranscription, onStop run one
   * at a time, in order: an async handler is awaited before the next starts). At `maxPendingTranscriptions`
   * waiting, reading pauses (or, on a transport that cannot pause, a new update is dropped and counted).
   */
  private readonly backlog: { readonly where: string; readonly run: () => unknown }[] = [];
  /** A transcription handler's promise is pending. */
  private busy = false;
  /** `transcription` updates dropped (backlog full on a transport that cannot pause). */
  private droppedTranscriptions = 0;
  /** Set by `closed()` while transcription handlers still run: releases the session once they are done. */
  private afterBacklog: (() => void) | undefined;
  /** Set by `closed()` with `afterBacklog`: gives up on the handlers `closeAfterStopMs` after the close. */
  private backlogTimer: ReturnType<typeof setTimeout> | undefined;

  private clearStartTimer(): void {
    if (this.startTimer === undefined) return;
    clearTimeout(this.startTimer);
    this.startTimer = undefined;
  }

  private noStart(): void {
    this.startTimer = undefined;
    if (this.phase !== "open") return;
    try {
      this.invalid(CODES.noStart, `no start within ${this.ctx.startTimeoutMs} ms`);
    } catch (error) {
      this.report(error, "runtime");
    }
  }

  isClosing(): boolean {
    return this.phase === "closing" || this.phase === "closed";
  }

  // ------------------------------------------------------------ adapter side

  message(data: string | Uint8Array | ArrayBuffer): void {
    if (this.phase === "closing" || this.phase === "closed") return;
    if (this.ctx.capture !== undefined) {
      if (typeof data === "string") this.record("in", data);
      else this.capture({ at: Date.now(), kind: this.kind, connection: this.number, type: "in", binaryBytes: data.byteLength });
    }
    if (this.held !== undefined) {
      this.held.push(data); // behind the frames already held: the order is kept
      return;
    }
    this.handle(data);
  }

  /** One frame, read now or replayed from `held` (recorded once, when it arrived). */
  private handle(data: string | Uint8Array | ArrayBuffer): void {
    try {
      if (typeof data !== "string") {
        this.invalid(CODES.binaryFrame, "Bandwidth sends JSON text frames only");
        return;
      }
      if (data.length * 3 > this.ctx.maxMessageBytes && utf8Length(data, this.ctx.maxMessageBytes) > this.ctx.maxMessageBytes) {
        this.invalid(CODES.tooLarge, `over ${this.ctx.maxMessageBytes} bytes`);
        return;
      }
      if (this.kind === "stream") this.streamText(data);
      else this.transcriptionText(data);
    } catch (error) {
      // Only a bug of ours can land here (handlers are guarded): never into the adapter.
      this.report(error, "runtime");
      this.close(CODES.handlerError.code, CODES.handlerError.reason);
    }
  }

  drain(): void {
    if (this.phase === "closed") return;
    try {
      this.queue.flush();
    } catch (error) {
      this.report(error, "send");
    }
  }

  transportRefused(code: number, reason: string): void {
    if (this.phase === "closing" || this.phase === "closed") return;
    this.invalid({ code, reason } as SocketCloseCode, reason);
  }

  deadPeer(): void {
    this.close(CODES.deadPeer.code, CODES.deadPeer.reason);
  }

  closed(code?: number, reason?: string): void {
    if (this.phase === "closed") return;
    this.phase = "closed";
    this.clearStartTimer();
    this.clearStopTimer();
    this.held = undefined;
    this.ctx.open.delete(this);
    this.queue.reset();
    const stream = this.stream;
    const info = {
      kind: this.kind,
      code: this.closeCode ?? code ?? 1005,
      reason: this.closeCode !== undefined ? this.closeReason : (reason ?? ""),
      callId: stream?.callId,
      streamId: stream instanceof MediaStream ? stream.streamId : undefined,
      stopped: this.stopped,
      droppedMedia: this.droppedMedia,
      droppedTranscriptions: this.droppedTranscriptions,
      invalidMessages: this.invalidMessages,
      unknownMessages: this.unknownMessages,
    };
    if (this.ctx.capture !== undefined) {
      // a close code of our own means this server closed it (its close() ran first); otherwise the peer did
      const by = this.closeCode !== undefined ? "receiver" : "bandwidth";
      this.capture({ at: Date.now(), kind: this.kind, connection: this.number, type: "close", code: info.code, reason: info.reason, by });
    }
    const release = (): void => {
      if (stream !== undefined) stream.state = undefined; // release the user's state with the socket
      const hook = this.ctx.options.onClose;
      // the count as it is now: updates the backlog's time limit dropped are in it
      if (hook !== undefined) this.guard("onClose", () => hook({ ...info, droppedTranscriptions: this.droppedTranscriptions }));
    };
    // Bandwidth closes right after `stop`: the updates (and `stop`) already read still reach their handlers,
    // in order, before the state goes and onClose runs (the backlog is bounded: maxPendingTranscriptions).
    // Not for ever: a handler that never settles would hold the state and lose onClose, so at most
    // `closeAfterStopMs` after the close what still waits is dropped and onClose runs (abandonBacklog).
    if (this.busy || this.backlog.length > 0) {
      this.afterBacklog = release;
      this.backlogTimer = setTimeout(() => this.abandonBacklog(), this.ctx.closeAfterStopMs);
      (this.backlogTimer as { unref?: () => void }).unref?.();
    } else release();
  }

  /**
   * The socket closed `closeAfterStopMs` ago and a transcription handler still has not settled: the calls
   * still waiting are dropped (the updates counted in `droppedTranscriptions`), the session's state released
   * and onClose run, once (a handler settling later finds nothing to run and no `afterBacklog`).
   */
  private abandonBacklog(): void {
    this.backlogTimer = undefined;
    const release = this.afterBacklog;
    if (release === undefined) return;
    this.afterBacklog = undefined;
    const waiting = this.backlog.length;
    this.droppedTranscriptions += this.backlog.filter((call) => call.where === "onTranscription").length;
    this.backlog.length = 0;
    this.ctx.log.limited("warn", "socket-transcription-unsettled", `bw-codegen sockets: a transcription handler did not settle within closeAfterStopMs (${this.ctx.closeAfterStopMs} ms) of the close; ${waiting} handler calls waiting dropped, onClose runs now`, {
      callId: this.stream?.callId,
    });
    release();
  }

  // ------------------------------------------------------------ stream side

  offer(text: string): boolean {
    if (this.phase === "closing" || this.phase === "closed") return false;
    const outcome = this.queue.offer(text);
    if (outcome === undefined) return true;
    const hook = this.ctx.options.onBackpressure;
    if (hook !== undefined && this.stream instanceof MediaStream) {
      const stream = this.stream;
      this.guard("onBackpressure", () => hook(outcome, stream));
    }
    this.ctx.log.limited("warn", "socket-backpressure", `bw-codegen sockets: outbound queue full (${outcome.action})`, {
      callId: this.stream?.callId,
      queuedBytes: outcome.queuedBytes,
    });
    if (outcome.action === "closed") {
      this.close(CODES.backpressure.code, CODES.backpressure.reason);
      return false;
    }
    return outcome.action === "dropped";
  }

  clear(): void {
    if (this.phase === "closing" || this.phase === "closed") return;
    this.queue.reset();
    // Through the queue: straight out while the transport drains; behind a stalled reader it waits there,
    // and the next clear() replaces it (clears in a row are one), so a bot clearing on every frame of a peer
    // that reads nothing cannot grow the transport's buffer without bound.
    if (this.queue.offer(CLEAR_MESSAGE) !== undefined) this.out.send(CLEAR_MESSAGE); // a queue bound under 21 bytes
  }

  close(code: number, reason: string): void {
    if (this.phase === "closing" || this.phase === "closed") return;
    this.phase = "closing";
    this.clearStartTimer();
    this.clearStopTimer();
    this.held = undefined;
    reason = closeReasonOf(reason);
    this.closeCode = code;
    this.closeReason = reason;
    this.queue.reset();
    this.backlog.length = 0; // closed from this side (close(), a failed handler, bad input): no more handler calls
    try {
      this.socket.close(code, reason);
    } catch (error) {
      this.report(error, "close");
      this.closed(code, reason);
    }
  }

  private get stopped(): boolean {
    return this.sawStop;
  }
  private sawStop = false;

  // ------------------------------------------------------------ reading frames

  private streamText(text: string): void {
    if (this.phase === "started") {
      const fast = readMediaFast(text);
      if (fast !== undefined) {
        this.media(fast, VALID);
        return;
      }
    }
    const parsed = this.parse(text);
    if (parsed === undefined) return;
    const eventType = this.eventTypeOf(parsed, STREAM_INBOUND);
    if (eventType === undefined || !this.inOrder(eventType)) return;
    const result = this.ctx.validateStream(parsed, this.ctx.validateOptions);
    const check = result.ok ? VALID : this.failed(eventType, result, parsed);
    if (check === undefined) return;
    if (eventType === "media") {
      const frame = parsed as { track: string; payload: string; sequenceNumber?: string | number | null };
      const audio = decodeBase64Range(frame.payload, 0, frame.payload.length);
      if (audio === undefined) {
        if (this.ctx.strict) this.invalid(CODES.invalidBase64, "the media payload is not base64");
        else this.dropped(CODES.invalidBase64, "the media payload is not base64", eventType, undefined, parsed);
        return;
      }
      this.media({ track: frame.track, audio, sequenceNumber: frame.sequenceNumber ?? undefined }, check);
      return;
    }
    if (eventType === "start") {
      this.startStream(parsed as StreamStartFrame, check);
      return;
    }
    this.stop(parsed as StreamStopFrame, check);
  }

  /**
   * A message of a known type failing its schema: in strict mode the socket closes (4001); else the
   * drift-or-invalid policy: drift is dispatched (the check to hand the handler), an invalid `media` or
   * `transcription` is dropped and counted, a `start` is dispatched when the runtime can use it (else 4001),
   * a `stop` always is (its metadata, when lost, is the start's). Reported before the handler runs (a `start`
   * once its stream exists: the report names the call).
   */
  private failed(eventType: string, result: Extract<ValidationResult<unknown>, { ok: false }>, parsed: Record<string, any>): MessageCheck | undefined {
    const severity = result.severity ?? "invalid";
    if (this.ctx.strict || (eventType === "start" && severity === "invalid" && !usableStart(parsed))) {
      this.invalid(CODES.invalidMessage, issuesText(result.errors), { eventType, severity, errors: result.errors }, parsed);
      return undefined;
    }
    if (severity === "invalid" && eventType !== "start" && eventType !== "stop") {
      this.dropped(CODES.invalidMessage, issuesText(result.errors), eventType, result.errors, parsed);
      return undefined;
    }
    const check: MessageCheck = Object.freeze({ valid: false, severity, issues: result.errors });
    if (eventType !== "start") this.dispatchedAnyway(eventType, check, parsed);
    return check;
  }

  /** A message dispatched although it failed its schema: reported (hook, log line), then handed on. */
  private dispatchedAnyway(eventType: string, check: MessageCheck, parsed: unknown): void {
    this.tell("dispatched", undefined, check.severity === "drift" ? "drift" : CODES.invalidMessage.reason, issuesText(check.issues), { eventType, severity: check.severity, errors: check.issues }, parsed);
  }

  /** Lenient mode: a `media` / `transcription` message that cannot be handed on: dropped, counted, reported. */
  private dropped(code: SocketCloseCode, detail: string, eventType: string, errors: readonly ValidationIssue[] | undefined, parsed: unknown): void {
    this.invalidMessages++;
    this.tell("dropped", undefined, code.reason, detail, { eventType, ...(errors === undefined ? {} : { severity: "invalid" as const, errors }) }, parsed);
  }

  private transcriptionText(text: string): void {
    const parsed = this.parse(text);
    if (parsed === undefined) return;
    const eventType = this.eventTypeOf(parsed, TRANSCRIPTION_INBOUND);
    if (eventType === undefined || !this.inOrder(eventType)) return;
    const result = this.ctx.validateTranscription(parsed, this.ctx.validateOptions);
    const check = result.ok ? VALID : this.failed(eventType, result, parsed);
    if (check === undefined) return;
    if (eventType === "start") {
      this.startTranscription(parsed as TranscriptionStartFrame, check);
      return;
    }
    const session = this.stream as TranscriptionView;
    const options = this.ctx.options.transcription;
    if (eventType === "transcription") {
      const handler = options?.onTranscription;
      if (handler !== undefined) this.enqueue("onTranscription", () => handler(parsed as TranscriptionFrame, session, check), true);
      return;
    }
    this.stop(parsed as TranscriptionStopFrame, check);
  }

  private parse(text: string): Record<string, any> | undefined {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.invalid(CODES.notJson, "the text frame is not JSON");
      return undefined;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      this.invalid(CODES.invalidMessage, "a message is a JSON object");
      return undefined;
    }
    // As for webhook bodies: JSON.parse keeps "__proto__" as an own key, which a handler's Object.assign or
    // merge of the message (or its streamParams) would turn into a prototype. Dropped at any depth.
    if (mayHoldProtoKey(text)) dropProtoKeys(value);
    return value as Record<string, any>;
  }

  /**
   * The message's eventType when it is one Bandwidth sends on this socket. Otherwise (none, a new one, or
   * one Bandwidth receives: `playAudio`/`clear`, or the other socket's) strict mode closes the socket (4001,
   * 4002); lenient mode ignores the message in any phase, counts it and reports it: Bandwidth adds message
   * types, and the server never answers an inbound message, so ignoring one costs nothing.
   */
  private eventTypeOf(parsed: Record<string, unknown>, inbound: ReadonlySet<string>): string | undefined {
    const eventType = parsed.eventType;
    if (typeof eventType !== "string") {
      if (this.ctx.strict) this.invalid(CODES.invalidMessage, "/eventType is required: a string");
      else this.ignored(undefined, "/eventType is required: a string", parsed);
      return undefined;
    }
    if (!inbound.has(eventType)) {
      const detail = `eventType ${JSON.stringify(eventType.slice(0, 40))} is not one Bandwidth sends on a ${this.kind} socket`;
      if (this.ctx.strict) this.invalid(CODES.unknownEventType, detail);
      else this.ignored(eventType.slice(0, 64), detail, parsed);
      return undefined;
    }
    return eventType;
  }

  private ignored(eventType: string | undefined, detail: string, parsed: unknown): void {
    this.unknownMessages++;
    this.tell("ignored", undefined, CODES.unknownEventType.reason, detail, eventType === undefined ? {} : { eventType }, parsed);
  }

  /** The protocol's order: start first and once; nothing after stop. */
  private inOrder(eventType: string): boolean {
    if (this.phase === "stopped") {
      this.invalid(CODES.afterStop, `${eventType} after stop`);
      return false;
    }
    if (this.phase === "open" && eventType !== "start") {
      this.invalid(CODES.beforeStart, `${eventType} before start`);
      return false;
    }
    if (this.phase === "started" && eventType === "start") {
      this.invalid(CODES.secondStart, "a second start");
      return false;
    }
    return true;
  }

  private startStream(start: StreamStartFrame, check: MessageCheck): void {
    const options = this.ctx.options.stream;
    const metadata = streamMetadata(start);
    const stream = new MediaStream(this, metadata, this.upgrade.path, this.upgrade.query ?? NO_PARAMS);
    this.stream = stream;
    this.phase = "started";
    this.startMetadata = start.metadata;
    // Only a start naming every track restricts them (one failing its schema may not): else all are taken.
    this.announced = trackNamesOf(start.metadata.tracks);
    this.clearStartTimer();
    if (check !== VALID) this.dispatchedAnyway("start", check, start);
    stream.state = this.makeState(options?.createState, start, metadata);
    if (this.isClosing()) return;
    const handler = options?.onStart;
    if (handler !== undefined) this.call("onStart", () => handler(start, stream, check));
  }

  private startTranscription(start: TranscriptionStartFrame, check: MessageCheck): void {
    const options = this.ctx.options.transcription;
    const metadata = transcriptionMetadata(start);
    const session = new TranscriptionView(this, metadata, this.upgrade.path, this.upgrade.query ?? NO_PARAMS);
    this.stream = session;
    this.phase = "started";
    this.startMetadata = start.metadata;
    this.clearStartTimer();
    if (check !== VALID) this.dispatchedAnyway("start", check, start);
    const expected = this.upgrade.callId;
    if (expected !== undefined && expected !== metadata.callId) {
      this.invalid(CODES.tokenMismatch, "the URL token was signed for another call");
      return;
    }
    session.state = this.makeState(options?.createState, start, metadata);
    if (this.isClosing()) return;
    const handler = options?.onStart;
    if (handler !== undefined) this.enqueue("onStart", () => handler(start, session, check), false);
  }

  private makeState<F, M>(create: ((start: F, metadata: M) => unknown) | undefined, start: F, metadata: M): unknown {
    if (create === undefined) return {};
    try {
      const state = create(start, metadata);
      // An async createState (a lookup by the start's ids, which a peer chooses) that rejects is a failure
      // like a throw, not an unhandled rejection; the promise stays the state for a handler to await.
      if (state !== undefined && state !== null && typeof (state as Promise<unknown>).then === "function") {
        (state as Promise<unknown>).then(undefined, (error: unknown) => this.handlerFailed("createState", error));
      }
      return state;
    } catch (error) {
      this.handlerFailed("createState", error);
      return undefined;
    }
  }

  private media(frame: MediaFrame, check: MessageCheck): void {
    const announced = this.announced;
    if (announced !== undefined && frame.track !== announced[0] && !announced.includes(frame.track)) {
      this.unannouncedTrack();
      return;
    }
    const handler = this.ctx.options.stream?.onMedia;
    if (handler === undefined) return;
    const stream = this.stream as MediaStream;
    try {
      const result = handler(frame, stream, check);
      if (result !== undefined && result !== null && typeof (result as Promise<void>).then === "function") {
        this.pendingMedia++;
        (result as Promise<void>).then(
          () => this.mediaSettled(),
          (error: unknown) => {
            this.mediaSettled();
            this.handlerFailed("onMedia", error);
          },
        );
        if (this.pendingMedia >= this.ctx.maxPendingMedia) this.overloaded();
      }
    } catch (error) {
      this.handlerFailed("onMedia", error);
    }
  }

  /**
   * A `media` frame for a track `start` did not name (`tracks="inbound"`, then an `outbound` frame): dropped
   * before `onMedia`, counted (`droppedMedia` of onClose) and logged once per socket. Not a close: the socket
   * may carry a valid call, and a bot that trusts `start`'s tracks (inbound only) must not get audio it did
   * not ask for (its own voice, fed back to its speech recogniser).
   */
  private unannouncedTrack(): void {
    if (this.droppedMedia++ > 0) return;
    this.ctx.log.limited("warn", "socket-unannounced-track", "bw-codegen sockets: dropping media frames for a track the start message did not announce", {
      callId: this.stream?.callId,
    });
  }

  /**
   * `maxPendingMedia` handler promises are in flight: stop reading. A transport that can pause (`ws`) does,
   * and what it had already read waits in `held`, in order (nothing is lost); one that cannot is closed
   * with 4014, since dropping audio in the middle of a call would be silent.
   */
  private overloaded(): void {
    if (this.held !== undefined || this.isClosing()) return;
    if (!this.pauseReading()) {
      this.ctx.log.limited("warn", "socket-media-overload", `bw-codegen sockets: closing a stream socket with ${CODES.mediaOverload.code} (${this.pendingMedia} onMedia calls pending)`, {
        callId: this.stream?.callId,
      });
      this.close(CODES.mediaOverload.code, CODES.mediaOverload.reason);
    }
  }

  /** Pauses the transport (frames it already read wait in `held`); false when it cannot pause. */
  private pauseReading(): boolean {
    if (this.held !== undefined) return true;
    if (typeof this.socket.pause !== "function" || typeof this.socket.resume !== "function") return false;
    this.held = [];
    try {
      this.socket.pause();
    } catch (error) {
      this.report(error, "pause");
    }
    return true;
  }

  /** True while reading must stay paused: too many `onMedia` promises, or a full transcription backlog. */
  private saturated(): boolean {
    return this.kind === "stream" ? this.pendingMedia >= this.ctx.maxPendingMedia : this.backlog.length >= this.ctx.maxPendingTranscriptions;
  }

  private mediaSettled(): void {
    this.pendingMedia--;
    this.resumeReading();
  }

  /** Room again: replays the held frames in order, then resumes the transport (unless it paused again). */
  private resumeReading(): void {
    const held = this.held;
    if (held === undefined || this.saturated() || this.isClosing()) return;
    this.held = undefined;
    let next = 0;
    while (next < held.length && this.held === undefined && !this.isClosing()) this.handle(held[next++]);
    if (this.held !== undefined) {
      (this.held as (string | Uint8Array | ArrayBuffer)[]).unshift(...held.slice(next)); // paused again: still first
      return;
    }
    if (this.isClosing()) return;
    try {
      this.socket.resume?.();
    } catch (error) {
      this.report(error, "resume");
    }
  }

  // ------------------------------------------------------------ transcription handlers, one at a time

  /**
   * Queues a transcription handler call behind the ones still running (order kept; an async handler is
   * awaited before the next starts). A full backlog pauses reading, or, when the transport cannot pause,
   * drops the new update (`droppable`: only `transcription` updates, never `start`/`stop`) with a count
   * (`droppedTranscriptions` of onClose) and a warning (once per socket, rate-limited).
   */
  private enqueue(where: string, run: () => unknown, droppable: boolean): void {
    if (!this.busy && this.backlog.length === 0) {
      this.runHandler(where, run);
      return;
    }
    if (droppable && this.backlog.length >= this.ctx.maxPendingTranscriptions) {
      if (this.droppedTranscriptions++ > 0) return; // once per socket (rate-limited across sockets); onClose has the count
      this.ctx.log.limited("warn", "socket-transcription-overload", `bw-codegen sockets: dropping transcription updates (${this.backlog.length} onTranscription calls waiting: maxPendingTranscriptions)`, {
        callId: this.stream?.callId,
      });
      return;
    }
    this.backlog.push({ where, run });
    if (this.saturated()) this.pauseReading();
  }

  private runHandler(where: string, run: () => unknown): void {
    let result: unknown;
    try {
      result = run();
    } catch (error) {
      this.handlerFailed(where, error);
      return;
    }
    if (result === undefined || result === null || typeof (result as Promise<void>).then !== "function") return;
    this.busy = true;
    (result as Promise<void>).then(
      () => this.handlerSettled(),
      (error: unknown) => {
        this.handlerFailed(where, error);
        this.handlerSettled();
      },
    );
  }

  /** The running transcription handler is done: run the next ones (until one is async), then read again. */
  private handlerSettled(): void {
    this.busy = false;
    while (!this.busy && this.backlog.length > 0) {
      const next = this.backlog.shift()!;
      this.runHandler(next.where, next.run);
    }
    if (!this.busy && this.afterBacklog !== undefined) {
      const release = this.afterBacklog;
      this.afterBacklog = undefined;
      if (this.backlogTimer !== undefined) clearTimeout(this.backlogTimer);
      this.backlogTimer = undefined;
      release();
      return;
    }
    this.resumeReading();
  }

  private clearStopTimer(): void {
    if (this.stopTimer === undefined) return;
    clearTimeout(this.stopTimer);
    this.stopTimer = undefined;
  }

  private stop(stop: StreamStopFrame | TranscriptionStopFrame, check: MessageCheck): void {
    this.phase = "stopped";
    // Lenient mode: a stop that lost its metadata still ends the stream; its handler reads the start's.
    const metadata: unknown = stop.metadata;
    if (check !== VALID && (metadata === null || typeof metadata !== "object" || Array.isArray(metadata))) stop = { ...stop, metadata: this.startMetadata } as typeof stop;
    this.sawStop = true;
    // Bandwidth closes the socket itself after `stop`; a peer that does not would hold it (and its slot) for ever.
    this.stopTimer = setTimeout(() => {
      this.stopTimer = undefined;
      this.close(CODES.normal.code, CODES.normal.reason);
    }, this.ctx.closeAfterStopMs);
    (this.stopTimer as { unref?: () => void }).unref?.();
    if (this.kind === "stream") {
      const handler = this.ctx.options.stream?.onStop;
      const stream = this.stream as MediaStream;
      if (handler !== undefined) this.call("onStop", () => handler(stop as StreamStopFrame, stream, check));
    } else {
      const handler = this.ctx.options.transcription?.onStop;
      const session = this.stream as TranscriptionView;
      if (handler !== undefined) this.enqueue("onStop", () => handler(stop as TranscriptionStopFrame, session, check), false);
    }
  }

  // ------------------------------------------------------------ failures

  /** Calls a handler; a throw or a rejection is a handler failure. */
  private call(where: string, run: () => unknown): void {
    try {
      const result = run();
      if (result !== undefined && result !== null && typeof (result as Promise<void>).then === "function") {
        (result as Promise<void>).then(undefined, (error: unknown) => this.handlerFailed(where, error));
      }
    } catch (error) {
      this.handlerFailed(where, error);
    }
  }

  private handlerFailed(where: string, error: unknown): void {
    this.report(error, where);
    if (this.ctx.closeOnHandlerError) this.close(CODES.handlerError.code, CODES.handlerError.reason);
  }

  private report(error: unknown, where: string): void {
    const name = error instanceof Error ? error.name : typeof error;
    this.ctx.log.limited("error", `socket-error-${where}`, `bw-codegen sockets: ${where} failed on a ${this.kind} socket (${name})`, {
      callId: this.stream?.callId,
      error,
    });
    const hook = this.ctx.options.onError;
    if (hook === undefined) return;
    const info = { kind: this.kind, where, callId: this.stream?.callId, streamId: this.stream instanceof MediaStream ? this.stream.streamId : undefined };
    this.guard("onError", () => hook(error, info));
  }

  /** Runs a hook of ours; a hook that throws or rejects (an async hook) is logged, never propagated. */
  private guard(where: string, run: () => unknown): void {
    const failed = (error: unknown): void => {
      this.ctx.log.limited("error", `socket-hook-${where}`, `bw-codegen sockets: the ${where} hook threw`, error);
    };
    try {
      const result = run();
      if (result !== undefined && result !== null && typeof (result as Promise<unknown>).then === "function") {
        (result as Promise<unknown>).then(undefined, failed);
      }
    } catch (error) {
      failed(error);
    }
  }

  /** Bad input that closes the socket: reported with its code, then closed. */
  private invalid(code: SocketCloseCode, detail: string, about: Pick<InvalidMessageInfo, "eventType" | "severity" | "errors"> = {}, parsed?: unknown): void {
    this.tell("closed", code.code, code.reason, detail, about, parsed);
    this.close(code.code, code.reason);
  }

  /** Calls `onInvalidMessage(info, message, session)` and writes a rate-limited log line (never the detail or a payload). */
  private tell(action: InvalidMessageInfo["action"], code: number | undefined, reason: string, detail: string, about: Pick<InvalidMessageInfo, "eventType" | "severity" | "errors">, parsed: unknown): void {
    const stream = this.stream;
    const info: InvalidMessageInfo = {
      kind: this.kind,
      action,
      code,
      reason,
      detail,
      ...about,
      callId: stream?.callId,
      streamId: stream instanceof MediaStream ? stream.streamId : undefined,
    };
    const hook = this.ctx.options.onInvalidMessage;
    if (hook !== undefined) this.guard("onInvalidMessage", () => hook(info, parsed, stream));
    // The detail goes to the hook only: a schema message may quote a value, and logs carry no payload (nor a
    // peer-chosen eventType: only the known ones are named).
    const what = about.eventType !== undefined && action !== "ignored" ? `a ${about.eventType} message` : "a message";
    const line =
      action === "closed"
        ? `bw-codegen sockets: closing a ${this.kind} socket with ${code} (${reason})`
        : `bw-codegen sockets: ${action} ${what} on a ${this.kind} socket (${reason}${about.severity === undefined ? "" : `, ${about.severity}`}); the socket stays open`;
    this.ctx.log.limited("warn", action === "closed" ? `socket-invalid-${code}` : `socket-${action}-${reason}-${about.severity ?? ""}`, line, { callId: info.callId });
  }
}

/** A view of a socket whose `send` tells `onSend` first (the capture's outbound records); the rest passes through. */
function capturingSocket(socket: SocketLike, onSend: (text: string) => void): SocketLike {
  return {
    send(text: string): void {
      onSend(text);
      socket.send(text);
    },
    close(code: number, reason: string): void {
      socket.close(code, reason);
    },
    get bufferedAmount(): number | undefined {
      return socket.bufferedAmount;
    },
  };
}

/**
 * A close reason a close frame can carry: at most 123 UTF-8 bytes (RFC 6455 §5.5: a control frame's payload
 * is 125 bytes, two of them the code), cut on a character boundary. A longer one (a handler's, maybe quoting
 * what the peer sent) would else make the transport refuse to close.
 */
function closeReasonOf(reason: unknown): string {
  const text = typeof reason === "string" ? reason : "";
  if (text.length <= 41) return text; // 41 characters are at most 123 bytes
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= 123) return text;
  let end = 123;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--; // back to the start of a character
  return new TextDecoder().decode(bytes.subarray(0, end));
}

/**
 * The UTF-8 length of a string, counted only as far as `limit` (past it, some number over `limit`): a
 * string's `length` counts UTF-16 units, and one unit may take 3 bytes, so a web adapter comparing
 * `length` would let 3 times the limit through. Lone surrogates count 3 (TextEncoder's U+FFFD).
 */
function utf8Length(text: string, limit: number): number {
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= limit; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Wraps an upgraded socket: the connection its adapter feeds. */
export function acceptSocket(ctx: ServerContext, socket: SocketLike, upgrade: AcceptedUpgrade): SocketConnection {
  const connection = new Connection(ctx, socket, upgrade);
  ctx.open.add(connection);
  return connection;
}
