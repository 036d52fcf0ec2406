/**
 * The transport-neutral webhook handler core: routing, Bandwidth's auth challenge, content-type and body
 * limits, parsing, validation, dispatch by discriminant, handler timeouts and the HTTP answer Bandwidth
 * expects. Adapters (`adapter-node.ts`, `adapter-fetch.ts`, `adapter-express.ts`, `adapter-fastify.ts`)
 * only move bytes between their transport and this core.
 *
 * A request goes through three steps, so that nothing about the body is read before auth:
 * 1. `match(url)` picks the route (one per family) or `undefined` (404 / next middleware);
 * 2. `check(route, method, authorization, contentType, contentLength, contentEncoding)` answers 405 / 401 / 415 / 413 before
 *    any body byte is read, or returns `undefined` to go on;
 * 3. `handle(route, method, url, body, raw, readHeader)` parses, validates, calls the user's handler and
 *    returns `{ status, headers, body }` (synchronously when the handler is synchronous: no async hop).
 *
 * Families plug in as data ({@link WebhookFamily}): the generated glue in `generated/webhooks.js` binds
 * each family's generated validator and event table; nothing here knows a single event name.
 *
 * @public-entry (re-exported from the package entry point)
 */

import { createBasicAuth } from "./auth.js";
import type { AuthFailureReason, BasicAuthVerifier, BasicCredentials } from "./auth.js";
import { WebhookContext } from "./context.js";
import type { HandlerContext, HeaderReader, WebhookLogger } from "./context.js";
import { createDeliveryGuard } from "./queue/delivery.js";
import type { Admission, DedupeOptions, DeliveryGuard, GuardedEvent } from "./queue/delivery.js";
import type { EventQueue } from "./queue/types.js";

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
  /** `bxml`: 200 + the BXML the handler returns; `bxml-or-empty`: BXML, or 204 when it returns nothing; `empty`: ack. */
  readonly response: EventResponseKind;
  /** Where Bandwidth restricts the reply's verbs (`conference`, `transferAnswer`): development-mode checks use it. */
  readonly scope?: string;
}

/** One validation issue: where (JSON pointer) and what. Same shape as `validation.ts`'s `ValidationIssue`. */
export interface WebhookIssue {
  readonly path: string;
  readonly message: string;
}

/**
 * What a family validator returns (structurally the `ValidationResult` of `validation.ts`). The validator
 * also identifies the event: `type` is the event name (absent when it cannot be told), `unknownType`
 * marks a name the family does not know.
 */
export type FamilyValidationResult =
  | { readonly ok: true; readonly type?: string; readonly value: unknown }
  | { readonly ok: false; readonly type?: string; readonly unknownType?: boolean; readonly errors: readonly WebhookIssue[] };

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
  readonly format: "json-object" | "json-array" | "xml";
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
  readonly methods?: readonly ("POST" | "GET")[];
  /**
   * An upper bound on the handler timeout for this family, when the sender gives up sooner than the
   * configured `timeoutMs` (the Emergency Calling API waits 450 ms).
   */
  readonly maxTimeoutMs?: number;
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
  readonly errors?: readonly WebhookIssue[];
}

/** Information passed to `onUnknownEvent`. */
export interface UnknownEventInfo {
  readonly family: string;
  readonly eventType: string;
  /** `true` when the event type is known but the handler object has no method for it. */
  readonly known: boolean;
}

/** Information passed to `onInvalid` (lenient mode: the event was dispatched anyway). */
export interface InvalidEventReport {
  readonly family: string;
  readonly eventType: string;
  readonly errors: readonly WebhookIssue[];
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
  /** Reject events with properties the schema does not list (400). Default `false`: Bandwidth adds fields. */
  readonly strict?: boolean;
  /** Largest accepted body in bytes; larger → 413 without reading the rest. Default 1 MiB. */
  readonly bodyLimit?: number;
  /** Time a handler may take before the answer becomes a 500. Default 14 000 ms (Bandwidth waits 15 s). */
  readonly timeoutMs?: number;
  /** Validate returned BXML before sending it. Default: on unless `NODE_ENV === "production"` (needs `bxmlValidator`). */
  readonly validateBxml?: boolean;
  /** The BXML validator used when `validateBxml` is on (the generated glue binds the BXML package's one). */
  readonly bxmlValidator?: (xml: string, options?: { scope?: string }) => BxmlCheckResult;
  /** Fallback for event types without a handler; may return BXML. Default: log and acknowledge. */
  readonly onUnknownEvent?: (event: unknown, info: UnknownEventInfo, context: HandlerContext) => unknown;
  /** Called for events that fail validation in lenient mode. Default: log a warning. */
  readonly onInvalid?: (report: InvalidEventReport, event: unknown) => void;
  /** Called when a handler throws, rejects, times out or returns invalid BXML. Default: log an error. */
  readonly onError?: (error: unknown, info: WebhookErrorInfo) => void;
  /** Called when a request is refused with 401. Default: debug log for `missing` (Bandwidth's normal first try), warning otherwise. */
  readonly onAuthFailure?: (info: AuthFailureInfo) => void;
  /** Where the runtime logs. Default `console`. */
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

/** The transport-neutral core the adapters drive. */
export interface WebhookCore {
  /** Every mounted route (adapters that register routes themselves, like Fastify, use this). */
  readonly routes: readonly CoreRoute[];
  /** The effective body limit in bytes. */
  readonly bodyLimit: number;
  /** Finds the route for a request target (path + optional query); `undefined` = not ours. */
  match(url: string): CoreRoute | undefined;
  /** Answers what can be answered before reading the body (405, 401, 415, 413); `undefined` = go on. */
  check(
    route: CoreRoute,
    method: string | undefined,
    authorization: string | null | undefined,
    contentType: string | null | undefined,
    contentLength: string | number | null | undefined,
    contentEncoding?: string | null,
  ): CoreResponse | undefined;
  /** Parses, validates and dispatches; returns the answer (a Promise only when a handler is async). */
  handle(
    route: CoreRoute,
    method: string,
    url: string,
    body: CoreBody,
    raw: unknown,
    readHeader: HeaderReader,
  ): CoreResponse | Promise<CoreResponse>;
  /** The answer for a path no route matches (standalone adapters). */
  readonly notFound: CoreResponse;
  /** The answer for a body over the limit (adapters that count bytes themselves). */
  readonly payloadTooLarge: CoreResponse;
}

/** Default body limit: 1 MiB. */
export const DEFAULT_BODY_LIMIT: number = 1024 * 1024;
/** Default handler timeout: 14 s, one second under Bandwidth's default 15 s callback timeout. */
export const DEFAULT_TIMEOUT_MS: number = 14_000;

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ "content-type": "application/json; charset=utf-8" });
const BXML_HEADERS: Readonly<Record<string, string>> = Object.freeze({ "content-type": "application/xml; charset=utf-8" });
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
const EMPTY_BXML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

function jsonError(status: number, error: string, message: string, extraHeaders?: Record<string, string>): CoreResponse {
  return Object.freeze({
    status,
    headers: Object.freeze({ ...JSON_HEADERS, ...extraHeaders }),
    body: JSON.stringify({ error, message }),
  });
}

const NOT_FOUND = jsonError(404, "not_found", "no webhook route at this path");
const PAYLOAD_TOO_LARGE = jsonError(413, "payload_too_large", "request body exceeds the configured limit");
const UNSUPPORTED_MEDIA = jsonError(415, "unsupported_media_type", "unsupported Content-Type for this webhook");
const UNSUPPORTED_ENCODING = jsonError(415, "unsupported_content_encoding", "send the body without a Content-Encoding", {
  "accept-encoding": "identity",
});
const MALFORMED_JSON = jsonError(400, "malformed_json", "request body is not valid JSON");
const MALFORMED_XML = jsonError(400, "malformed_xml", "request body is not well-formed XML");
const EMPTY_BODY = jsonError(400, "empty_body", "request body is empty");
const INTERNAL_ERROR = jsonError(500, "internal_error", "the webhook handler failed");
const STORE_UNAVAILABLE = jsonError(503, "store_unavailable", "the event could not be stored; retry later", { "retry-after": "1" });
const IN_PROGRESS = jsonError(503, "in_progress", "this event is being handled by another delivery; retry later", { "retry-after": "1" });

/** The 405 for a route serving `methods`: "use POST or GET", `Allow: GET, POST`. */
function methodNotAllowed(methods: readonly string[]): CoreResponse {
  return jsonError(405, "method_not_allowed", `use ${methods.join(" or ")}`, { allow: [...methods].sort().join(", ") });
}

const ackResponses = new Map<number, CoreResponse>();
function ack(status: number): CoreResponse {
  let response = ackResponses.get(status);
  if (response === undefined) {
    response = Object.freeze({ status, headers: NO_HEADERS, body: "" });
    ackResponses.set(status, response);
  }
  return response;
}

function invalidBody(message: string): CoreResponse {
  return { status: 400, headers: JSON_HEADERS, body: JSON.stringify({ error: "invalid_body", message }) };
}

function bxmlResponse(xml: string): CoreResponse {
  return { status: 200, headers: BXML_HEADERS, body: xml };
}

/** Compiled per-route state. */
interface RouteState extends CoreRoute {
  readonly events: Map<string, FamilyEventInfo>;
  readonly handlers: Record<string, unknown>;
  readonly ack: CoreResponse;
  readonly accepts: (mediaType: string) => boolean;
  readonly acceptsPost: boolean;
  readonly acceptsGet: boolean;
  readonly methodNotAllowed: CoreResponse;
  /** The handler timeout: `timeoutMs`, or less when the family's sender gives up sooner. */
  readonly timeoutMs: number;
}

const utf8 = new TextDecoder();

/** Reads NODE_ENV where a `process` exists (Node, Bun, Deno with compat), without requiring it. */
function isProduction(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NODE_ENV === "production";
}

/** Makes attacker-controlled strings safe to put in a log line. */
function printable(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

/**
 * Creates the webhook handler core. Throws at construction (never per request) when the configuration is
 * unsafe: no credentials without `allowUnauthenticated: true`, or a malformed realm or credential pair
 * (messages name the entry, never its value).
 *
 * @example
 * const core = createWebhookCore({
 *   routes: [{ path: "/callbacks/voice", family: voiceFamily, handlers: { answer: () => "<Response/>" } }],
 *   credentials: [{ username: "bw", password: process.env.BW_WEBHOOK_PASSWORD! }],
 * });
 * const node = createNodeHandler(core); // or createFetchHandler(core), createExpressMiddleware(core), …
 */
export function createWebhookCore(options: WebhookCoreOptions): WebhookCore {
  const logger: WebhookLogger = options.logger ?? console;
  const strict = options.strict === true;
  const validateOptions: { strict: boolean } = Object.freeze({ strict }); // one object, not one per request
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 0) throw new TypeError("bw-codegen webhooks: bodyLimit must be a non-negative integer");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new TypeError("bw-codegen webhooks: timeoutMs must be a positive number");
  const bxmlValidator = options.bxmlValidator;
  const validateBxml = (options.validateBxml ?? !isProduction()) && bxmlValidator !== undefined;

  let auth: BasicAuthVerifier | undefined;
  if (options.credentials !== undefined && options.credentials.length > 0) {
    auth = createBasicAuth({ credentials: options.credentials, realm: options.realm });
  } else if (options.allowUnauthenticated === true) {
    logger.warn(
      "bw-codegen webhooks: running WITHOUT authentication (allowUnauthenticated: true). Anyone who can reach these URLs can send fake Bandwidth events; configure credentials before deploying.",
    );
  } else {
    throw new TypeError(
      "bw-codegen webhooks: credentials are required (the username/password configured on the Bandwidth application). To run without authentication, e.g. locally, pass allowUnauthenticated: true.",
    );
  }
  const unauthorized: CoreResponse | undefined =
    auth === undefined ? undefined : Object.freeze({ status: 401, headers: Object.freeze({ "www-authenticate": auth.challenge }), body: "" });

  const onAuthFailure =
    options.onAuthFailure ??
    ((info: AuthFailureInfo): void => {
      if (info.reason === "missing") logger.debug?.(`bw-codegen webhooks: challenged a request without credentials on ${info.path}`);
      else logger.warn(`bw-codegen webhooks: refused a request on ${info.path}: ${info.reason} credentials`);
    });
  const onInvalid =
    options.onInvalid ??
    ((report: InvalidEventReport): void => {
      logger.warn(`bw-codegen webhooks: accepted a ${report.family} ${printable(report.eventType)} event that does not match its schema`, report.errors.slice(0, 5));
    });
  const onError =
    options.onError ??
    ((error: unknown, info: WebhookErrorInfo): void => {
      logger.error(`bw-codegen webhooks: ${info.kind} error for ${info.family} ${info.eventType === undefined ? "event" : printable(info.eventType)}`, error);
    });
  const onUnknownEvent =
    options.onUnknownEvent ??
    ((_event: unknown, info: UnknownEventInfo): void => {
      const what = info.known ? "has no handler" : "is not a known event type";
      logger.warn(`bw-codegen webhooks: ${info.family} event ${printable(info.eventType)} ${what}; acknowledged`);
    });

  function reportError(error: unknown, info: WebhookErrorInfo): void {
    try {
      onError(error, info);
    } catch (hookError) {
      try {
        logger.error("bw-codegen webhooks: the onError hook threw", hookError);
      } catch {
        // nothing left to tell
      }
    }
  }

  const guard: DeliveryGuard | undefined = createDeliveryGuard({
    dedupe: options.dedupe,
    queue: options.queue,
    timeoutMs,
    debug: (message: string) => logger.debug?.(message),
  });

  const routeMap = new Map<string, RouteState>();
  const routes: RouteState[] = [];
  for (const route of options.routes) {
    const family = route.family;
    if (typeof route.path !== "string" || !route.path.startsWith("/")) {
      throw new TypeError(`bw-codegen webhooks: the ${family.name} route path must start with '/'`);
    }
    if (family.format === "xml" && typeof family.parseBody !== "function") {
      throw new TypeError(`bw-codegen webhooks: the ${family.name} family needs parseBody (XML)`);
    }
    const path = route.path.length > 1 && route.path.endsWith("/") ? route.path.slice(0, -1) : route.path;
    if (routeMap.has(path)) throw new TypeError(`bw-codegen webhooks: two families are mounted on ${path}`);
    const accepted = new Set(family.contentTypes.map((type) => type.toLowerCase()));
    const suffix = family.format === "xml" ? "+xml" : "+json";
    const methods = family.methods ?? ["POST"];
    const state: RouteState = {
      path,
      family,
      events: new Map(Object.entries(family.events)),
      handlers: (route.handlers ?? {}) as Record<string, unknown>,
      ack: ack(family.ackStatus ?? 204),
      accepts: (mediaType: string): boolean => accepted.has(mediaType) || mediaType.endsWith(suffix),
      acceptsPost: methods.includes("POST"),
      acceptsGet: methods.includes("GET"),
      methodNotAllowed: methodNotAllowed(methods),
      timeoutMs: family.maxTimeoutMs !== undefined && family.maxTimeoutMs < timeoutMs ? family.maxTimeoutMs : timeoutMs,
    };
    if (guard?.queue !== undefined) refuseQueuedHandlers(state);
    routeMap.set(path, state);
    routes.push(state);
  }

  function match(url: string): CoreRoute | undefined {
    const q = url.indexOf("?");
    let path = q < 0 ? url : url.slice(0, q);
    let route = routeMap.get(path);
    if (route === undefined && path.length > 1 && path.charCodeAt(path.length - 1) === 0x2f) {
      path = path.slice(0, -1);
      route = routeMap.get(path);
    }
    return route;
  }

  function check(
    route: CoreRoute,
    method: string | undefined,
    authorization: string | null | undefined,
    contentType: string | null | undefined,
    contentLength: string | number | null | undefined,
    contentEncoding?: string | null,
  ): CoreResponse | undefined {
    const state = route as RouteState;
    const isPost = method === "POST";
    if (!(isPost ? state.acceptsPost : method === "GET" && state.acceptsGet)) return state.methodNotAllowed;
    if (auth !== undefined) {
      const result = auth.check(authorization);
      if (!result.ok) {
        try {
          onAuthFailure({ path: state.path, reason: result.reason });
        } catch (error) {
          reportError(error, { family: state.family.name, eventType: undefined, kind: "hook" });
        }
        return unauthorized;
      }
    }
    if (isPost) {
      if (contentType === undefined || contentType === null || !state.accepts(mediaTypeOf(contentType))) return UNSUPPORTED_MEDIA;
      // a compressed body would only fail later as "malformed"; RFC 9110 §15.5.16 answers it with 415
      if (contentEncoding && !isIdentity(contentEncoding)) return UNSUPPORTED_ENCODING;
      if (contentLength !== undefined && contentLength !== null && contentLength !== "") {
        const announced = typeof contentLength === "number" ? contentLength : Number(contentLength);
        if (announced > bodyLimit) return PAYLOAD_TOO_LARGE;
      }
    }
    return undefined;
  }

  function handle(
    route: CoreRoute,
    method: string,
    url: string,
    body: CoreBody,
    raw: unknown,
    readHeader: HeaderReader,
  ): CoreResponse | Promise<CoreResponse> {
    const family = route.family;
    if (family.verifyBody === undefined || method !== "POST") return handleVerified(route, method, url, body, raw, readHeader);
    return family.verifyBody(body, raw, readHeader).then(
      (verdict) => {
        if (verdict.ok) return handleVerified(route, method, url, body, raw, readHeader);
        logger.warn(`bw-codegen webhooks: refused a ${family.name} request on ${route.path}: ${verdict.reason}`);
        return { status: 403, headers: JSON_HEADERS, body: JSON.stringify({ error: "invalid_signature", reason: verdict.reason, message: verdict.message }) };
      },
      (error: unknown) => {
        reportError(error, { family: family.name, eventType: undefined, kind: "hook" });
        return INTERNAL_ERROR;
      },
    );
  }

  function handleVerified(
    route: CoreRoute,
    method: string,
    url: string,
    body: CoreBody,
    raw: unknown,
    readHeader: HeaderReader,
  ): CoreResponse | Promise<CoreResponse> {
    const state = route as RouteState;
    const family = state.family;
    let value: unknown;
    let fromQuery = false;
    if (method === "GET") {
      value = parseQuery(url);
      fromQuery = true;
    } else if (body !== null && typeof body === "object" && !(body instanceof Uint8Array)) {
      value = body.parsed;
    } else {
      let text = body === undefined || body === null ? "" : typeof body === "string" ? body : utf8.decode(body);
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.length === 0 || isBlank(text)) return EMPTY_BODY;
      if (family.format === "xml") {
        try {
          value = family.parseBody!(text);
        } catch {
          return MALFORMED_XML;
        }
      } else {
        try {
          value = family.parseBody === undefined ? JSON.parse(text) : family.parseBody(text);
        } catch {
          return MALFORMED_JSON;
        }
      }
    }

    if (family.format === "json-array") {
      if (Array.isArray(value)) {
        if (value.length === 0) return state.ack;
        return handleBatch(state, method, value, raw, readHeader);
      }
      // Bandwidth's own spec models the body as one object; accept a lone event too.
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      return invalidBody(family.format === "xml" ? "expected an XML document" : "expected a JSON object");
    }
    const prepared = prepare(state, method, value as Record<string, unknown>, raw, readHeader, fromQuery);
    if ("status" in prepared) return prepared;
    if (guard !== undefined && isGuarded(prepared)) return guarded(state, [prepared], (admitted) => run(state, admitted[0]));
    return run(state, prepared);
  }

  interface PreparedEvent {
    readonly event: unknown;
    readonly info: FamilyEventInfo | undefined;
    readonly handler: unknown;
    readonly context: WebhookContext;
  }

  function prepare(
    state: RouteState,
    method: string,
    event: Record<string, unknown>,
    raw: unknown,
    readHeader: HeaderReader,
    fromQuery: boolean,
  ): PreparedEvent | CoreResponse {
    const family = state.family;
    let result = family.validate(event, validateOptions);
    let type = result.type;
    if (type === undefined && family.discriminant !== undefined) {
      const named = event[family.discriminant];
      if (typeof named === "string") type = named;
    }
    if (type === undefined || type.length === 0) {
      const why = result.ok ? "" : result.errors[0]?.message;
      return invalidBody(
        family.discriminant === undefined
          ? `cannot tell which ${family.name} event this is${why ? `: ${why}` : ""}`
          : `missing or non-string "${family.discriminant}"`,
      );
    }
    let info = state.events.get(type);
    if (!result.ok && result.unknownType === true) info = undefined;
    let issues: readonly WebhookIssue[] | undefined;
    let value: unknown = event;
    if (info !== undefined) {
      if (!result.ok && fromQuery) {
        const coerced = coerceQueryValues(event, result.errors);
        if (coerced !== undefined) {
          const retry = family.validate(coerced, validateOptions);
          if (retry.ok || retry.errors.length < result.errors.length) {
            value = coerced;
            result = retry;
          }
        }
      }
      if (result.ok) {
        value = result.value ?? value;
      } else if (strict) {
        return {
          status: 400,
          headers: JSON_HEADERS,
          body: JSON.stringify({ error: "invalid_event", message: `${family.name} ${type} event does not match its schema`, issues: result.errors.slice(0, 10) }),
        };
      } else {
        issues = result.errors;
        try {
          onInvalid({ family: family.name, eventType: type, errors: result.errors }, value);
        } catch (error) {
          reportError(error, { family: family.name, eventType: type, kind: "hook" });
        }
      }
    }
    const context = new WebhookContext(family.name, type, method, state.path, issues, raw, readHeader, logger);
    const handler = info === undefined ? undefined : state.handlers[info.method];
    return { event: value, info, handler, context };
  }

  /** Calls the handler (or the fallback) for one prepared event; returns its raw result. */
  function invoke(state: RouteState, prepared: PreparedEvent): unknown {
    const { event, info, handler, context } = prepared;
    if (typeof handler === "function") return (handler as (e: unknown, c: HandlerContext) => unknown).call(state.handlers, event, context);
    return onUnknownEvent(event, { family: state.family.name, eventType: context.eventType, known: info !== undefined }, context);
  }

  function run(state: RouteState, prepared: PreparedEvent): CoreResponse | Promise<CoreResponse> {
    let result: unknown;
    try {
      result = invoke(state, prepared);
    } catch (error) {
      reportError(error, { family: state.family.name, eventType: prepared.context.eventType, kind: prepared.handler === undefined ? "hook" : "handler" });
      return INTERNAL_ERROR;
    }
    if (isPromiseLike(result)) {
      return withTimeout(result, [prepared.context], state, prepared.context.eventType).then(
        (settled) => (settled === TIMED_OUT ? INTERNAL_ERROR : respond(state, prepared, settled)),
        (error: unknown) => {
          reportError(error, { family: state.family.name, eventType: prepared.context.eventType, kind: prepared.handler === undefined ? "hook" : "handler" });
          return INTERNAL_ERROR;
        },
      );
    }
    return respond(state, prepared, result);
  }

  /** Turns a handler's result into the HTTP answer its event kind calls for. */
  function respond(state: RouteState, prepared: PreparedEvent, result: unknown): CoreResponse {
    const info = prepared.info;
    // Unknown events: BXML if the fallback returned some (voice), otherwise a plain ack.
    const kind: EventResponseKind = info === undefined ? (result === undefined || result === null ? "empty" : "bxml-or-empty") : info.response;
    if (kind === "empty") return state.ack;
    const isBxml = kind === "bxml" || kind === "bxml-or-empty";
    if (!isBxml) return familyReply(state, prepared, kind, result);
    if (result === undefined || result === null) {
      return kind === "bxml-or-empty" ? ack(204) : bxmlResponse(EMPTY_BXML);
    }
    let xml: string;
    try {
      xml = toXml(result);
    } catch (error) {
      reportError(error, { family: state.family.name, eventType: prepared.context.eventType, kind: "bxml" });
      return INTERNAL_ERROR;
    }
    if (validateBxml) {
      let verdict: BxmlCheckResult;
      try {
        // Conference and transferAnswer replies may only use some verbs: a document with any other is rejected whole.
        verdict = info?.scope === undefined ? bxmlValidator!(xml) : bxmlValidator!(xml, { scope: info.scope });
      } catch (error) {
        verdict = { ok: false, errors: [{ path: "", message: error instanceof Error ? error.message : String(error) }] };
      }
      if (!verdict.ok) {
        reportError(new BxmlValidationError(prepared.context.eventType, verdict.errors ?? []), {
          family: state.family.name,
          eventType: prepared.context.eventType,
          kind: "bxml",
        });
        return INTERNAL_ERROR;
      }
    }
    return bxmlResponse(xml);
  }

  /**
   * A family-specific answer: XML (the port-out validation response) or another media type (the
   * Emergency Calling API's JSON). A renderer that throws (e.g. a reply failing its schema) is a 500.
   */
  function familyReply(state: RouteState, prepared: PreparedEvent, kind: string, result: unknown): CoreResponse {
    let reply: string | FamilyReply | undefined;
    try {
      const render = state.family.renderReply;
      reply = render !== undefined ? render.call(state.family, kind, result) : result === undefined || result === null ? undefined : toXml(result);
    } catch (error) {
      reportError(error, { family: state.family.name, eventType: prepared.context.eventType, kind: "handler" });
      return INTERNAL_ERROR;
    }
    if (reply === undefined) return state.ack;
    if (typeof reply === "string") return bxmlResponse(reply);
    return { status: 200, headers: { "content-type": reply.contentType }, body: reply.body };
  }

  /** A batch (messaging): validate all first (strict mode rejects the whole batch), then call each handler. */
  function handleBatch(
    state: RouteState,
    method: string,
    items: unknown[],
    raw: unknown,
    readHeader: HeaderReader,
  ): CoreResponse | Promise<CoreResponse> {
    const prepared: PreparedEvent[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (item === null || typeof item !== "object" || Array.isArray(item)) {
        return invalidBody(`element ${i} is not an object`);
      }
      const one = prepare(state, method, item as Record<string, unknown>, raw, readHeader, false);
      if ("status" in one) return one;
      prepared.push(one);
    }
    if (guard !== undefined && prepared.some(isGuarded)) return guarded(state, prepared, (admitted) => runBatch(state, admitted));
    return runBatch(state, prepared);
  }

  /** Calls each prepared event's handler; the family acknowledgement once all have settled. */
  function runBatch(state: RouteState, prepared: readonly PreparedEvent[]): CoreResponse | Promise<CoreResponse> {
    if (prepared.length === 0) return state.ack;
    let pending: PromiseLike<unknown>[] | undefined;
    for (const one of prepared) {
      let result: unknown;
      try {
        result = invoke(state, one);
      } catch (error) {
        reportError(error, { family: state.family.name, eventType: one.context.eventType, kind: one.handler === undefined ? "hook" : "handler" });
        return INTERNAL_ERROR;
      }
      if (isPromiseLike(result)) (pending ??= []).push(result);
    }
    if (pending === undefined) return state.ack;
    const eventType = prepared.length === 1 ? prepared[0].context.eventType : undefined;
    return withTimeout(
      Promise.all(pending),
      prepared.map((one) => one.context),
      state,
      eventType,
    ).then(
      (settled) => (settled === TIMED_OUT ? INTERNAL_ERROR : state.ack),
      (error: unknown) => {
        reportError(error, { family: state.family.name, eventType, kind: "handler" });
        return INTERNAL_ERROR;
      },
    );
  }

  /** Async events (reply ignored) of a known type: the ones dedupe and the queue take. */
  function isGuarded(prepared: PreparedEvent): boolean {
    return prepared.info !== undefined && prepared.info.response === "empty";
  }

  /** With a queue, the receiver must not also handle the events the worker handles: refused at construction. */
  function refuseQueuedHandlers(state: RouteState): void {
    for (const info of state.events.values()) {
      if (info.response === "empty" && typeof state.handlers[info.method] === "function") {
        throw new TypeError(
          `bw-codegen webhooks: ${state.family.name}.${info.method} is handled by the queue's worker when queue is set; move it to createBandwidthWorker`,
        );
      }
    }
  }

  /**
   * Dedupe and hand-off around `runInline`: claims the guarded events' keys, enqueues them (queue) or
   * runs their handlers (inline, with the unguarded events of the request), then marks them done or
   * releases them. Store or queue unreachable → 503; an event another delivery still holds → 503 too.
   */
  async function guarded(
    state: RouteState,
    prepared: readonly PreparedEvent[],
    runInline: (admitted: readonly PreparedEvent[]) => CoreResponse | Promise<CoreResponse>,
  ): Promise<CoreResponse> {
    const g = guard!;
    const guardedItems = prepared.filter(isGuarded);
    const events: GuardedEvent[] = guardedItems.map((p) => ({ family: state.family.name, eventType: p.context.eventType, event: p.event, valid: p.context.valid }));
    const admission: Admission = await g.admit(events);
    if (admission.unavailable) {
      reportError(new Error("dedupe store unreachable"), { family: state.family.name, eventType: events[0]?.eventType, kind: "store" });
      return STORE_UNAVAILABLE;
    }
    const admitted = new Set(admission.admitted.map((i) => guardedItems[i]));
    if (g.queue !== undefined && admitted.size > 0) {
      try {
        await g.enqueue(events, admission);
      } catch (error) {
        await g.settle(admission, false);
        reportError(error, { family: state.family.name, eventType: events[0]?.eventType, kind: "store" });
        return STORE_UNAVAILABLE;
      }
      await g.settle(admission, true);
    }
    const inline = prepared.filter((p) => !isGuarded(p) || (g.queue === undefined && admitted.has(p)));
    const response = inline.length === 0 ? state.ack : await runInline(inline);
    if (g.queue === undefined) await g.settle(admission, response.status < 300);
    return admission.retryLater && response.status < 300 ? IN_PROGRESS : response;
  }

  /** Races a handler's promise against `timeoutMs`; on timeout aborts the contexts and reports it. */
  function withTimeout(
    promise: PromiseLike<unknown>,
    contexts: readonly WebhookContext[],
    state: RouteState,
    eventType: string | undefined,
  ): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new WebhookTimeoutError(state.timeoutMs);
        for (const context of contexts) context.abort(error);
        reportError(error, { family: state.family.name, eventType, kind: "timeout" });
        resolve(TIMED_OUT);
      }, state.timeoutMs);
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  return { routes, bodyLimit, match, check, handle, notFound: NOT_FOUND, payloadTooLarge: PAYLOAD_TOO_LARGE };
}

const TIMED_OUT: unique symbol = Symbol("timed out");

/** Raised (to `onError`) when a handler runs past `timeoutMs`. */
export class WebhookTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`webhook handler did not finish within ${timeoutMs} ms`);
    this.name = "WebhookTimeoutError";
  }
}

/** Raised (to `onError`) when a handler's BXML fails validation in development mode. */
export class BxmlValidationError extends Error {
  readonly issues: readonly WebhookIssue[];
  constructor(eventType: string, issues: readonly WebhookIssue[]) {
    super(
      `the BXML returned for ${JSON.stringify(eventType)} is invalid: ${issues
        .slice(0, 3)
        .map((issue) => `${issue.path || "/"} ${issue.message}`)
        .join("; ")}`,
    );
    this.name = "BxmlValidationError";
    this.issues = issues;
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}

function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

/** Whether a Content-Encoding header means "not encoded" (`identity`, any case, possibly listed). */
function isIdentity(contentEncoding: string): boolean {
  for (const coding of contentEncoding.split(",")) {
    const name = coding.trim().toLowerCase();
    if (name !== "" && name !== "identity") return false;
  }
  return true;
}

/**
 * The media type of a Content-Type value, lower case, without parameters. A charset other than UTF-8
 * (or US-ASCII, a subset) makes the type unacceptable (returned as `""`).
 *
 * @example
 * mediaTypeOf("Application/JSON; charset=UTF-8"); // "application/json"
 * mediaTypeOf("application/json; charset=latin1"); // "" (refused: 415)
 */
export function mediaTypeOf(contentType: string): string {
  if (contentType === "application/json") return contentType; // Bandwidth's usual header: fast path
  const semicolon = contentType.indexOf(";");
  const type = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (semicolon >= 0) {
    const charset = /(?:^|;)\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType.slice(semicolon));
    if (charset !== null) {
      const name = charset[1].toLowerCase();
      if (name !== "utf-8" && name !== "utf8" && name !== "us-ascii") return "";
    }
  }
  return type;
}

/** Turns a handler's BXML result into text: a string, or an object with `toXml()` / its own `toString()`. */
function toXml(result: unknown): string {
  if (typeof result === "string") return result;
  if (typeof result === "object" && result !== null) {
    const candidate = result as { toXml?: unknown; toString?: unknown };
    if (typeof candidate.toXml === "function") {
      const xml: unknown = (candidate.toXml as () => unknown).call(result);
      if (typeof xml === "string") return xml;
    } else if (typeof candidate.toString === "function" && candidate.toString !== Object.prototype.toString) {
      const xml: unknown = (candidate.toString as () => unknown).call(result);
      if (typeof xml === "string") return xml;
    }
  }
  throw new TypeError("a BXML handler must return a BXML string or a BXML document (with toXml())");
}

/** Parses a query string into a plain object of strings (the first value wins for repeated names). */
function parseQuery(url: string): Record<string, unknown> {
  const q = url.indexOf("?");
  const out: Record<string, unknown> = {};
  if (q < 0) return out;
  // Form decoding turns "+" into a space, so an E.164 number sent without percent-encoding
  // (`from=+15551234567`) would read " 15551234567": a value that is "+" and digits keeps its "+".
  const query = url.slice(q + 1).replace(/(^|&)([^=&]*)=\+([0-9]+)(?=&|$)/g, "$1$2=%2B$3");
  for (const [name, value] of new URLSearchParams(query)) {
    if (!Object.prototype.hasOwnProperty.call(out, name) && name !== "__proto__") out[name] = value;
  }
  return out;
}

/**
 * Voice GET callbacks carry every field as a string. For top-level fields the validator wanted as a number
 * or boolean, converts the string when it is exactly one; returns `undefined` when nothing changed.
 */
function coerceQueryValues(event: Record<string, unknown>, errors: readonly WebhookIssue[]): Record<string, unknown> | undefined {
  let copy: Record<string, unknown> | undefined;
  for (const issue of errors) {
    const match = /^\/([^/]+)$/.exec(issue.path);
    if (match === null) continue;
    const name = match[1].replace(/~1/g, "/").replace(/~0/g, "~");
    const value = event[name];
    if (typeof value !== "string") continue;
    let converted: unknown = value;
    if (/\b(number|integer)\b/.test(issue.message) && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(value)) converted = Number(value);
    else if (/\bboolean\b/.test(issue.message) && (value === "true" || value === "false")) converted = value === "true";
    if (converted !== value) (copy ??= { ...event })[name] = converted;
  }
  return copy;
}
