/**
 * The public types of the webhook core: families described as data, routes, options, hooks' info and
 * the transport-neutral request/response shapes the adapters exchange with the core (`core.ts`).
 */

import type { WebhookMethod, WireFormat } from "../contract.js";
import type { AuthFailureReason, BasicCredentials } from "../auth/basic.js";
import type { DedupeOptions } from "../delivery/guard.js";
import type { EventQueue } from "../queue/types.js";
import type { ValidationIssue } from "../validation.js";
import type { HandlerContext, HeaderReader, WebhookLogger } from "./context.js";

/**
 * What Bandwidth expects back for one event type (from the schema's `x-bw.response`): `bxml` (200 + the
 * BXML the handler returns), `bxml-or-empty` (BXML, or 204 when the handler returns nothing), `empty`
 * (a plain acknowledgement). Any other value (e.g. `port-out-validation-response`) is a family-specific
 * XML answer rendered by the family's `renderReply`.
 */
export type EventResponseKind = "bxml" | "bxml-or-empty" | "empty" | (string & {});

/** One row of a family's event table (`generated/events.js`). */
export interface FamilyEventInfo {
  /** The handler method name, e.g. `answer`, `conferenceMemberJoin`, `messageReceived`. */
  readonly method: string;
  /** Earlier names of the handler method, still called (deprecated); giving one together with `method` is refused. */
  readonly deprecatedMethods?: readonly string[];
  /** `bxml`: 200 + the BXML the handler returns; `bxml-or-empty`: BXML, or 204 when it returns nothing; `empty`: ack. */
  readonly response: EventResponseKind;
  /** Where Bandwidth restricts the reply's verbs (`conference`, `transferAnswer`): development-mode checks use it. */
  readonly scope?: string;
}

/**
 * One validation issue: where (JSON pointer) and what.
 *
 * @deprecated the same type as {@link ValidationIssue} (one issue type for validators, the core and its
 * hooks); use that name. Kept as an alias so existing code compiles.
 */
export type WebhookIssue = ValidationIssue;

/**
 * What a family validator returns (structurally the `ValidationResult` of `validation.ts`). The validator
 * also identifies the event: `type` is the event name (absent when it cannot be told), `unknownType`
 * marks a name the family does not know.
 */
export type FamilyValidationResult =
  | { readonly ok: true; readonly type?: string; readonly value: unknown; readonly renamedFrom?: string }
  | {
      readonly ok: false;
      readonly type?: string;
      /** The event arrived under this earlier name of `type` (a rename in the family's table). */
      readonly renamedFrom?: string;
      readonly unknownType?: boolean;
      readonly errors: readonly ValidationIssue[];
      /** `drift`: only values failed (the types hold); `invalid` (also when absent): a promised field is missing or mistyped. */
      readonly severity?: "drift" | "invalid";
    };

/**
 * A callback family, described as data. The generated glue builds one per family from the generated
 * validator and event table; tests may build their own.
 */
export interface WebhookFamily {
  /** `voice`, `messaging`, `numbers`, … */
  readonly name: string;
  /**
   * The property naming the event (`eventType`, `type`), when there is one. Used as a fallback when the
   * validator cannot name the type, and in error messages; families told apart by structure (TFV, numbers)
   * leave it out and rely on the validator's `type`.
   */
  readonly discriminant?: string;
  /** `json-object` (one event), `json-array` (a batch: the handler is called once per element), or `xml`. */
  readonly format: WireFormat;
  /** Accepted media types, lower case without parameters (e.g. `application/json`). `+json`/`+xml` suffixes are also accepted. */
  readonly contentTypes: readonly string[];
  /** Event table: event name (as the validator reports it in `type`) → handler method and response kind. */
  readonly events: Readonly<Record<string, FamilyEventInfo>>;
  /** Validates one parsed event and names its type; `strict` rejects properties the schema does not list. */
  validate(input: unknown, options: { strict: boolean }): FamilyValidationResult;
  /**
   * Renders a handler's result for a family-specific response kind (anything but `bxml`, `bxml-or-empty`,
   * `empty`) as the body of a 200: a string is XML, a {@link FamilyReply} names its own media type (JSON);
   * returning `undefined` sends the plain acknowledgement, throwing is a 500. Without it, a string or an
   * object with `toXml()` is sent as is.
   */
  renderReply?(kind: string, result: unknown): string | FamilyReply | undefined;
  /** Turns the body text into the value to validate; required for `xml` families (JSON families use `JSON.parse`). */
  parseBody?(text: string): unknown;
  /**
   * Checks a POST body before it is parsed (e.g. the TFV HMAC signature over the raw bytes); a failure is
   * answered 403. `readHeader(raw, name)` reads a request header.
   */
  verifyBody?(body: CoreBody, raw: unknown, readHeader: HeaderReader): Promise<BodyVerification>;
  /** Status of a plain acknowledgement (default 204; number notifications need 200). */
  readonly ackStatus?: number;
  /**
   * The methods the family arrives with, in order of preference (default `["POST"]`). A GET carries the
   * event in the query string (voice, optionally; the Emergency Calling API query, always). Any other
   * method is answered 405 with an `Allow` header.
   */
  readonly methods?: readonly WebhookMethod[];
  /**
   * An upper bound on the handler timeout for this family, when the sender gives up sooner than the
   * configured `timeoutMs` (the Emergency Calling API waits 450 ms).
   */
  readonly maxTimeoutMs?: number;
  /**
   * The fields (dotted paths) that date an event: with `dedupe` or a `queue`, an event carrying one of
   * them is keyed by its whole canonical JSON (equal events, one key); without any, or when this is
   * absent, an event is never deduplicated (generated from the family's definition, `dedupe.datedBy`).
   */
  readonly datedBy?: readonly string[];
  /**
   * `false` when Bandwidth does not resend an async event it got a 5xx for (voice, numbers): with the
   * dedupe store unreachable or full and no queue, its events are handled without dedupe instead of a 503
   * that would lose them (generated from the family's definition, `dedupe.resentAfterError`).
   */
  readonly resentAfterError?: boolean;
  /**
   * For a family whose sender reads a refusal as consent (numbers: Bandwidth approves a port-out when its
   * validation request is answered 4xx or 5xx): the 200 answer that replaces a refusal (400, 413, 415, 500,
   * 503…) which may concern such a request, or `undefined` to keep the refusal. `text` is the start of the
   * body when it was read (decoded loosely, for sniffing only), `undefined` when the refusal came before
   * the body (415, an announced 413). Never asked about 401 (the Basic-auth challenge Bandwidth answers
   * with credentials), 404 or 405 (`http/fail-closed.ts`).
   */
  failClosed?(refusal: CoreResponse, text: string | undefined): FamilyReply | undefined;
}

/** A family-specific answer that is not XML (e.g. the Emergency Calling API's JSON location reply). */
export interface FamilyReply {
  readonly contentType: string;
  readonly body: string;
}

/** Outcome of {@link WebhookFamily.verifyBody}: `message` says what was wrong (it is sent back and logged). */
export type BodyVerification = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly message: string };

/** Mounts one family on a path with the user's handler object. */
export interface WebhookRoute {
  /** Request path, e.g. `/callbacks/voice` (matched exactly, ignoring one trailing slash and the query). */
  readonly path: string;
  readonly family: WebhookFamily;
  /** The user's handler object: one optional method per event, named as in the event table. */
  readonly handlers: object | undefined;
}

/** What the BXML validator (development mode) returns. */
export interface BxmlCheckResult {
  readonly ok: boolean;
  readonly errors?: readonly ValidationIssue[];
  /** Valid BXML that is likely a mistake (an unknown attribute, a bidirectional stream the call ends under): logged once in development. */
  readonly warnings?: readonly ValidationIssue[];
}

/** Information passed to `onUnknownEvent`. */
export interface UnknownEventInfo {
  readonly family: string;
  readonly eventType: string;
  /** `true` when the event type is known but the handler object has no method for it. */
  readonly known: boolean;
}

/**
 * Information passed to `onInvalidEvent` for an event failing its schema in lenient mode (the policy table
 * is in CONTRIBUTING.md), or arriving under an earlier name of its type (`renamedFrom`, drift, in either
 * mode): `drift` events (only values failed: a new enum value, a pattern, a range, a null in an optional field) are
 * dispatched to their handler with `context.valid === false`; `invalid` ones (a field the types promise is
 * missing or has the wrong type) are not (`dispatched: false`).
 */
export interface InvalidEventReport {
  readonly family: string;
  readonly eventType: string;
  readonly errors: readonly ValidationIssue[];
  readonly severity: "drift" | "invalid";
  /** Whether the event went on to its handler. */
  readonly dispatched: boolean;
  /** Its position in a batch (messaging), when it came in one. */
  readonly index?: number;
  /** The earlier name the event arrived under, when it was renamed (`eventType` is the current name; reported as drift). */
  readonly renamedFrom?: string;
}

/** Passed to `onResponse` once per answer the core gives (metrics). */
export interface ResponseInfo {
  /** The family of the route (every answer the core gives belongs to a mounted route). */
  readonly family: string;
  readonly path: string;
  readonly method: string;
  /** The event type, when the request got that far (a batch: its distinct types, comma-joined). */
  readonly eventType: string | undefined;
  readonly status: number;
  /** From the body being read (`handle`) to the answer being ready, handlers awaited; ~0 for answers given before the body (401, 405, 413, 415). */
  readonly latencyMs: number;
}

/**
 * One delivery as the core saw it, handed to a {@link CaptureSink}: the request as it arrived (the body as
 * the adapter read it, before parsing) and the answer given. Only references: a sink that keeps it past
 * the call must not expect `raw` to stay usable (read headers with `header` during the call).
 */
export interface CapturedDelivery {
  /** Arrival time, ms since the epoch (when the body was handed to the core). */
  readonly at: number;
  readonly family: string;
  /** The route's path (`/callbacks/voice`). */
  readonly path: string;
  readonly method: string;
  /** The request target as received: path and query. */
  readonly url: string;
  /** The event type, when the request got that far (a batch: its distinct types, comma-joined). */
  readonly eventType: string | undefined;
  /** The `Content-Type` header. */
  readonly contentType: string | undefined;
  /** Reads another request header (lower-case name) while the sink's `record` runs; never `authorization`. */
  readonly header: (name: string) => string | undefined;
  /** The body as read (text, bytes, or a value a framework already parsed). */
  readonly body: CoreBody;
  /**
   * Why `body` is not the body, when it is not: the delivery was refused before its body was read
   * (`not read: answered 415 before the body`; 401 with wrong credentials, 405, 415), or the body was over
   * the limit (`over the body limit (2000000 bytes announced)`, `over the body limit (more than 1048576
   * bytes)`), or could not be read to its end. Undefined for every delivery whose body was read.
   */
  readonly omitted?: string;
  readonly response: CoreResponse;
  /** From the body being handed to the core to the answer being ready, handlers awaited (0: refused before the body). */
  readonly latencyMs: number;
}

/**
 * Where the core hands each delivery when `capture` is set. Edge-safe: the core only calls `record`;
 * the writer behind it (files, a queue, memory) is the sink's business. `record` must return at once.
 *
 * @example
 * const seen: CapturedDelivery[] = [];
 * const webhooks = createBandwidthWebhooks({ capture: { record: (d) => void seen.push(d) }, voice, credentials });
 */
export interface CaptureSink {
  record(delivery: CapturedDelivery): void;
  /**
   * Optional: a refusal anyone can cause (401 wrong credentials, 405) that was NOT recorded, being over
   * `UNAUTHENTICATED_REFUSALS_PER_SECOND` on its receiver; `at` is its arrival time (epoch ms). The sink
   * counts it so a capture can say what it left out (`createCapture()`: `refusalsNotRecorded` and one
   * logged line per episode). Sinks without it are unchanged.
   */
  refusalNotRecorded?(at: number): void;
}

/** Why `onError` was called. */
export interface WebhookErrorInfo {
  readonly family: string;
  readonly eventType: string | undefined;
  /**
   * `handler`: threw or rejected; `timeout`: exceeded `timeoutMs`; `bxml`: returned invalid BXML or no BXML;
   * `hook`: a hook threw; `store`: the dedupe store or the queue was unreachable (answered 503).
   */
  readonly kind: "handler" | "timeout" | "bxml" | "hook" | "store";
}

/** Information passed to `onAuthFailure` (never the header or a secret). */
export interface AuthFailureInfo {
  readonly path: string;
  readonly reason: AuthFailureReason;
}

/** Options of {@link createWebhookCore}. Every option has a safe default except the credentials. */
export interface WebhookCoreOptions {
  /** The families to serve and where. */
  readonly routes: readonly WebhookRoute[];
  /** Accepted Basic-auth pairs; more than one while rotating. Required unless `allowUnauthenticated`. */
  readonly credentials?: readonly BasicCredentials[];
  /** Explicit opt-out of authentication (local development only); logs a warning at start-up. */
  readonly allowUnauthenticated?: boolean;
  /** Realm of the `WWW-Authenticate: Basic realm="…"` challenge. Default `bandwidth-webhooks`. */
  readonly realm?: string;
  /**
   * Refuse (400) every event not exactly as its schema describes, unknown properties included (tests, drift
   * detection). Default `false`: unknown properties and value drift are accepted, an event missing a field
   * or carrying a wrong type goes to `onInvalidEvent` instead of its handler (CONTRIBUTING.md's policy table).
   */
  readonly strict?: boolean;
  /** Largest accepted body in bytes; larger → 413 without reading the rest. Default 1 MiB. */
  readonly bodyLimit?: number;
  /** Time a handler may take before the answer becomes a 500. Default 14 000 ms (Bandwidth waits 15 s). */
  readonly timeoutMs?: number;
  /**
   * Validate returned BXML before sending it. Default: on unless `NODE_ENV === "production"` (needs
   * `bxmlValidator`); a reply returned as a string is checked in production too (the builder did not
   * check it), unless this is `false`.
   */
  readonly validateBxml?: boolean;
  /** The BXML validator used when `validateBxml` is on (the generated glue binds the BXML package's one). */
  readonly bxmlValidator?: (xml: string, options?: { scope?: string }) => BxmlCheckResult;
  /** Fallback for event types without a handler; may return BXML. Default: log and acknowledge. */
  readonly onUnknownEvent?: (event: unknown, info: UnknownEventInfo, context: HandlerContext) => unknown;
  /**
   * Called for every event failing its schema in lenient mode, with the full issue list (the log gets one
   * summary line per request, rate-limited). For an `invalid` event (not dispatched) its return value is
   * the answer, as a handler's would be (BXML for a BXML event; nothing = the event kind's empty answer).
   */
  readonly onInvalidEvent?: (report: InvalidEventReport, event: unknown, context: HandlerContext) => unknown;
  /** @deprecated use `onInvalidEvent`; still called (after it) with the same report. */
  readonly onInvalid?: (report: InvalidEventReport, event: unknown) => void;
  /** Called once per answer the core gives (status, latency, event type): for metrics. Must not throw (a throw is logged). */
  readonly onResponse?: (info: ResponseInfo) => void;
  /**
   * Records every delivery with the answer given, refused ones too (401 with wrong credentials, 405, 415,
   * 413, malformed, invalid, a failed handler, 503), but not the credential-less first request of
   * Bandwidth's 401 challenge (the handshake, not a delivery):
   * `createCapture({ dir })` of `bw-codegen/capture` (Node: redacted NDJSON files), or any {@link CaptureSink}.
   * The sink is called synchronously once per answer and must only queue the delivery; a throw is
   * swallowed (capture never changes or fails an answer). Default off.
   */
  readonly capture?: CaptureSink;
  /** Most events one batch request (messaging) may hold; more → 413 `too_many_events`, no handler called. Default 100. */
  readonly maxBatchEvents?: number;
  /** Most XML elements one request (numbers) may hold; more → 413 `too_many_elements`, no handler called. Default 10 000. */
  readonly maxXmlElements?: number;
  /** Called when a handler throws, rejects, times out or returns invalid BXML. Default: log an error (rate-limited). */
  readonly onError?: (error: unknown, info: WebhookErrorInfo) => void;
  /** Called when a request is refused with 401. Default: debug log for `missing` (Bandwidth's normal first try), warning otherwise. */
  readonly onAuthFailure?: (info: AuthFailureInfo) => void;
  /** Where the runtime logs. Default `console` without `debug` (pass `console` itself to see debug lines). */
  readonly logger?: WebhookLogger;
  /**
   * Deduplicate async events (their reply Bandwidth ignores): `true` (memory store, 24 h) or settings
   * (`store`: e.g. the Redis store of `bw-codegen/queue` for several receivers). A duplicate is
   * acknowledged without calling the handler and reported to `onDuplicate`. Default off.
   */
  readonly dedupe?: boolean | DedupeOptions;
  /**
   * Hand async events to a queue (`createBullMQQueue` of `bw-codegen/queue`) and acknowledge once they are
   * stored; a worker handles them. Unreachable → 503. BXML and other reply events stay synchronous.
   */
  readonly queue?: EventQueue;
}

/** A plain HTTP answer; adapters copy it onto their transport. Treat as read-only (often shared). */
export interface CoreResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A compiled route, as returned by `match`. */
export interface CoreRoute {
  readonly path: string;
  readonly family: WebhookFamily;
}

/** A request body as an adapter has it: text, bytes, a value some framework already parsed, or nothing. */
export type CoreBody = string | Uint8Array | { readonly parsed: unknown } | null | undefined;

/**
 * One request as it crosses the seam between an adapter and the core: the adapter builds it once, from
 * its transport's request, before {@link WebhookCore.check}, fills in `body` once it has read it, and
 * passes the same object to {@link WebhookCore.handle}. Everything the core needs from the transport is
 * here; the four headers the gate reads are read once, up front.
 *
 * @example
 * const request: CoreRequest = {
 *   method: req.method ?? "GET", url: req.url ?? "/", authorization: req.headers.authorization,
 *   contentType: req.headers["content-type"], contentLength: req.headers["content-length"],
 *   contentEncoding: req.headers["content-encoding"], body: undefined, raw: req, readHeader: readNodeHeader,
 * };
 * const early = core.check(route, request); // 405 / 401 / 415 / 413, or undefined
 * request.body = await readBody(req);
 * const answer = await core.handle(route, request);
 */
export interface CoreRequest {
  /** `POST`, `GET`, … as the transport gives it (anything but the route's methods is a 405). */
  readonly method: string;
  /** The request target: path and query (`/callbacks/voice?eventType=answer`); GET events are read from its query. */
  readonly url: string;
  /** The `Authorization` header, if any (checked in constant time, never logged). */
  readonly authorization: string | null | undefined;
  /** The `Content-Type` header (415 when the route does not take it). */
  readonly contentType: string | null | undefined;
  /** The announced `Content-Length` (413 before any body byte when it is over the limit). */
  readonly contentLength: string | number | null | undefined;
  /** The `Content-Encoding` header; leave it out when a framework already inflated the body. */
  readonly contentEncoding: string | null | undefined;
  /** The body as read: `undefined` until the adapter has read it (before `handle`). */
  body: CoreBody;
  /** The transport's own request object (`context.raw`): `IncomingMessage`, a Fetch `Request`, … */
  readonly raw: unknown;
  /** Reads any other header from `raw` (lower-case name): `context.header()`, the TFV signature check. */
  readonly readHeader: HeaderReader;
}

/** The transport-neutral core the adapters drive. */
export interface WebhookCore {
  /** Every mounted route (adapters that register routes themselves, like Fastify, use this). */
  readonly routes: readonly CoreRoute[];
  /** The effective body limit in bytes. */
  readonly bodyLimit: number;
  /** Finds the route for a request target (path + optional query); `undefined` = not ours. */
  match(url: string): CoreRoute | undefined;
  /** Answers what can be answered before reading the body (405, 401, 415, 413); `undefined` = go on. */
  check(route: CoreRoute, request: CoreRequest): CoreResponse | undefined;
  /** @deprecated pass a {@link CoreRequest}: `check(route, request)`. The positional form will be removed in the next major version. */
  check(
    route: CoreRoute,
    method: string | undefined,
    authorization: string | null | undefined,
    contentType: string | null | undefined,
    contentLength: string | number | null | undefined,
    contentEncoding?: string | null,
  ): CoreResponse | undefined;
  /** Parses, validates and dispatches `request` (its `body` read); returns the answer (a Promise only when a handler is async). */
  handle(route: CoreRoute, request: CoreRequest): CoreResponse | Promise<CoreResponse>;
  /** @deprecated pass a {@link CoreRequest}: `handle(route, request)`. The positional form will be removed in the next major version. */
  handle(route: CoreRoute, method: string, url: string, body: CoreBody, raw: unknown, readHeader: HeaderReader): CoreResponse | Promise<CoreResponse>;
  /** The answer for a path no route matches (standalone adapters). */
  readonly notFound: CoreResponse;
  /** The answer for a body over the limit (adapters that count bytes themselves: send `refuse(route, payloadTooLarge)`). */
  readonly payloadTooLarge: CoreResponse;
  /**
   * What to send instead of a refusal the adapter makes itself on a route (a body over the limit, a body
   * that could not be read, a failure of the core): the refusal, or the family's fail-closed 200 answer
   * (the port-out validation dispute on the numbers route; see {@link WebhookFamily.failClosed}). Given the
   * request, the refused delivery is recorded by the `capture` sink (its body, when the adapter read it).
   */
  refuse(route: CoreRoute, refusal: CoreResponse, request?: CoreRequest): CoreResponse;
}
