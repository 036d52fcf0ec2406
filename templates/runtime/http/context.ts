/**
 * The second argument every webhook handler receives: which event this is, where it came from, the
 * original transport request, a logger and an AbortSignal that fires when the handler's time is up.
 *
 * Built once per event by the handler core (`core.ts`); the AbortController behind `signal` is only
 * created if a handler actually reads `signal`, so handlers that don't use it cost nothing extra.
 */

import type { ValidationIssue } from "../validation.js";
import type { WebhookLogger } from "../logger.js";

export type { WebhookLogger };

/** Reads one request header (lower-case name) from a transport's own request object. */
export type HeaderReader = (raw: unknown, name: string) => string | undefined;

/** What a context reads of the core's request (`CoreRequest` in types.ts has these and more; named here so the two modules do not import each other). */
export interface ContextRequest {
  readonly method: string;
  readonly raw: unknown;
  readonly readHeader: HeaderReader;
}

/** What a handler knows about the delivery, besides the validated event itself. */
export interface HandlerContext {
  /** The family the event belongs to: `voice`, `messaging`, `numbers`, … */
  readonly family: string;
  /** The discriminant value (`eventType` for voice, `type` for messaging); the current name of a renamed event. */
  readonly eventType: string;
  /**
   * The event name as it arrived: equal to `eventType`, except for an event Bandwidth sent under an
   * earlier name (e.g. `request-location-response`, handled as `requested-location-response`).
   */
  readonly receivedEventType: string;
  /** `POST`, or `GET` for voice callbacks configured with the GET method (fields in the query). */
  readonly method: string;
  /** The request path without the query string, e.g. `/callbacks/voice`. */
  readonly path: string;
  /** `false` when the event failed its schema and was dispatched anyway (lenient mode: value drift), or in `onInvalidEvent`. */
  readonly valid: boolean;
  /** The validation issues when `valid` is false (JSON pointers + messages); empty otherwise. */
  readonly issues: readonly ValidationIssue[];
  /** The transport's request object: `IncomingMessage`, a Fetch `Request`, an Express or Fastify request. */
  readonly raw: unknown;
  /** The logger configured on the webhook handler. */
  readonly logger: WebhookLogger;
  /** Aborted when the handler exceeds `timeoutMs` (its answer will be a 500 by then). */
  readonly signal: AbortSignal;
  /** Reads a request header by (case-insensitive) name; `Authorization` is never returned. */
  header(name: string): string | undefined;
}

const NO_ISSUES: readonly ValidationIssue[] = Object.freeze([]);
const NOT_ABORTED: unique symbol = Symbol("not aborted");

/** The runtime's implementation of {@link HandlerContext}; created by the core, not by users. */
export class WebhookContext implements HandlerContext {
  readonly family: string;
  readonly eventType: string;
  readonly receivedEventType: string;
  readonly method: string;
  readonly path: string;
  readonly valid: boolean;
  readonly issues: readonly ValidationIssue[];
  readonly raw: unknown;
  readonly logger: WebhookLogger;
  #readHeader: HeaderReader;
  #controller: AbortController | undefined = undefined;
  /** The abort reason once the handler's time is up (the WebhookTimeoutError), {@link NOT_ABORTED} before. */
  #abortReason: unknown = NOT_ABORTED;

  constructor(
    family: string,
    eventType: string,
    path: string,
    issues: readonly ValidationIssue[] | undefined,
    request: ContextRequest,
    logger: WebhookLogger,
    receivedEventType: string = eventType,
  ) {
    this.family = family;
    this.eventType = eventType;
    this.receivedEventType = receivedEventType;
    this.method = request.method;
    this.path = path;
    this.valid = issues === undefined;
    this.issues = issues ?? NO_ISSUES;
    this.raw = request.raw;
    this.#readHeader = request.readHeader;
    this.logger = logger;
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#abortReason !== NOT_ABORTED) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  header(name: string): string | undefined {
    const lower = name.toLowerCase();
    if (lower === "authorization") return undefined;
    return this.#readHeader(this.raw, lower);
  }

  /** Called by the core when the handler's time is up. */
  abort(reason: unknown): void {
    this.#abortReason = reason; // the WebhookTimeoutError (code BW_HANDLER_TIMEOUT), also for a signal read later
    this.#controller?.abort(reason);
  }
}
