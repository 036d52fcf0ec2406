/**
 * The transport-neutral webhook handler core: routing, Bandwidth's auth challenge, content-type and body
 * limits, parsing, validation, dispatch by discriminant, handler timeouts and the HTTP answer Bandwidth
 * expects. Adapters (`adapters/node.ts`, `adapters/fetch.ts`, `adapters/express.ts`, `adapters/fastify.ts`)
 * only move bytes between their transport and this core. This file only assembles the steps, each in
 * its own module: `settings.ts`, `routes.ts`, `gate.ts`, `pipeline.ts` (with `parse.ts`, `event.ts`,
 * `batch.ts`, `timeouts.ts`, `reply.ts`) and `responses.ts`; the public types are in `types.ts`.
 *
 * A request goes through three steps, so that nothing about the body is read before auth:
 * 1. `match(url)` picks the route (one per family) or `undefined` (404 / next middleware);
 * 2. `check(route, request)` answers 405 / 401 / 415 / 413 before any body byte is read, or returns
 *    `undefined` to go on;
 * 3. `handle(route, request)` (the adapter has set `request.body`) parses, validates, calls the user's
 *    handler and returns `{ status, headers, body }` (synchronously when the handler is synchronous: no
 *    async hop).
 * The adapter builds the {@link CoreRequest} once per request; every step below takes that one object.
 * On a family whose sender reads a refusal as consent (numbers: port-out validation), every refusal of
 * steps 2 and 3 but 401/404/405 becomes the family's 200 "no" (`fail-closed.ts`); adapters pass their
 * own refusals (a body over the limit, a failure) through `refuse(route, refusal)`.
 *
 * Families plug in as data ({@link WebhookFamily}): the generated glue in `generated/webhooks.js` binds
 * each family's generated validator and event table; nothing here knows a single event name.
 */

import { failClosed } from "./fail-closed.js";
import { checkRequest } from "./gate.js";
import { answerLine, callOnResponse, invalidSummary, newNote } from "./log.js";
import type { RequestNote } from "./log.js";
import { handleRequest } from "./pipeline.js";
import { NOT_FOUND, PAYLOAD_TOO_LARGE } from "./responses.js";
import { compileRoutes, matchRoute } from "./routes.js";
import type { RouteState } from "./routes.js";
import { resolveSettings } from "./settings.js";
import type { CoreSettings } from "./settings.js";
import type { CaptureSink, CapturedDelivery, CoreBody, CoreRequest, CoreResponse, CoreRoute, ResponseInfo, WebhookCore, WebhookCoreOptions } from "./types.js";
import type { HeaderReader } from "./context.js";

export type {
  AuthFailureInfo,
  CapturedDelivery,
  CaptureSink,
  BodyVerification,
  BxmlCheckResult,
  CoreBody,
  CoreRequest,
  CoreResponse,
  CoreRoute,
  EventResponseKind,
  FamilyEventInfo,
  FamilyReply,
  FamilyValidationResult,
  InvalidEventReport,
  ResponseInfo,
  UnknownEventInfo,
  WebhookCore,
  WebhookCoreOptions,
  WebhookErrorInfo,
  WebhookFamily,
  WebhookIssue,
  WebhookRoute,
} from "./types.js";
export { DEFAULT_BODY_LIMIT, DEFAULT_MAX_BATCH_EVENTS, DEFAULT_MAX_XML_ELEMENTS, DEFAULT_TIMEOUT_MS } from "./settings.js";
export { LOG_LINES_PER_WINDOW, LOG_WINDOW_MS } from "./log.js";
export { mediaTypeOf } from "./gate.js";
export { WebhookTimeoutError } from "./timeouts.js";
export { BxmlValidationError } from "./reply.js";

/**
 * The `performance` object, read once: in Node the global is an accessor, and reading it per call cost
 * ~27 of the ~90 ns a `performance.now()` took (Node 24; two readings per delivery when timed).
 */
const perf: typeof performance | undefined = typeof performance === "object" && performance !== null ? performance : undefined;
const clock: () => number = perf !== undefined ? () => perf.now() : Date.now;
/** The wall-clock time (ms since the epoch) of a {@link clock} reading: one clock call per delivery serves both. */
const ORIGIN: number | undefined = perf !== undefined && typeof perf.timeOrigin === "number" && perf.timeOrigin > 0 ? perf.timeOrigin : undefined;
const epochOf = (reading: number): number => (ORIGIN === undefined ? Date.now() : ORIGIN + reading);

/**
 * Once the answer is known: the request's one summary line, its log line by status, `onResponse` (with
 * `latencyMs`: the caller reads the clock once for `onResponse` and the capture sink alike).
 */
function finish(settings: CoreSettings, state: RouteState, method: string, note: RequestNote | undefined, response: CoreResponse, latencyMs: number): CoreResponse {
  const family = state.family.name;
  if (note?.reports !== undefined) settings.log.limited("warn", `invalid:${family}`, invalidSummary(family, state.path, note.events, note.reports));
  if (response.status >= 400) {
    const line = answerLine(family, state.path, response);
    if (line !== undefined) settings.log.limited(line[0], `answer:${family}:${response.status}`, line[1]);
  }
  if (settings.onResponse !== undefined) {
    const info: ResponseInfo = {
      family,
      path: state.path,
      method,
      eventType: note?.eventType,
      status: response.status,
      latencyMs,
    };
    callOnResponse(settings.onResponse, settings.log, info);
  }
  return response;
}

/** The development-mode notice, once per core, on its first request. */
function developmentNotice(settings: CoreSettings): void {
  if (!settings.validateBxml || !settings.development) return;
  settings.log.once(
    "info",
    "validate-bxml",
    "bw-codegen webhooks: development mode: BXML replies are validated before they are sent (invalid BXML becomes a 500 with the reason), which costs throughput. Set NODE_ENV=production or validateBxml: false to turn it off.",
  );
}

/**
 * What the capture sink gets: one object per delivery, its header reader a method (no closure per request:
 * capture's whole cost is on the request's path).
 */
class Delivery implements CapturedDelivery {
  readonly at: number;
  readonly family: string;
  readonly path: string;
  readonly method: string;
  readonly url: string;
  readonly eventType: string | undefined;
  readonly contentType: string | undefined;
  readonly body: CoreBody;
  readonly omitted: string | undefined;
  readonly response: CoreResponse;
  readonly latencyMs: number;
  readonly #request: CoreRequest;

  constructor(state: RouteState, request: CoreRequest, eventType: string | undefined, omitted: string | undefined, at: number, response: CoreResponse, latencyMs: number) {
    this.at = at;
    this.family = state.family.name;
    this.path = state.path;
    this.method = request.method;
    this.url = request.url;
    this.eventType = eventType;
    this.contentType = request.contentType ?? undefined;
    this.body = omitted === undefined ? request.body : undefined;
    this.omitted = omitted;
    this.response = response;
    this.latencyMs = latencyMs;
    this.#request = request;
  }

  /** Another request header (lower-case name), while `record` runs; never `authorization`. */
  header(name: string): string | undefined {
    return name === "authorization" ? undefined : this.#request.readHeader(this.#request.raw, name);
  }
}

/** Hands one answered delivery to the capture sink; a throwing sink is ignored (capture never fails an answer). */
function capture(sink: CaptureSink, state: RouteState, request: CoreRequest, note: RequestNote, at: number, response: CoreResponse, latencyMs: number): CoreResponse {
  try {
    sink.record(new Delivery(state, request, note.eventType, undefined, at, response, latencyMs));
  } catch {
    // the sink's own problem: the answer goes out as it is
  }
  return response;
}

/** Whether a body was handed over: adapters leave `undefined` (Fetch: `null`) until they read one. */
const bodyUnread = (request: CoreRequest): boolean => request.body === undefined || request.body === null;

/**
 * Why a refused delivery's body is not recorded (undefined: it was read, or it is a GET's, whose event is
 * the query): over the limit (with the size: replay sends as many bytes), or not read at all.
 */
function omittedBody(request: CoreRequest, status: number, bodyLimit: number): string | undefined {
  if (request.method === "GET") return undefined;
  if (status === 413) {
    const announced = typeof request.contentLength === "number" ? request.contentLength : Number(request.contentLength ?? Number.NaN);
    return Number.isSafeInteger(announced) && announced > bodyLimit ? `over the body limit (${announced} bytes announced)` : `over the body limit (more than ${bodyLimit} bytes)`;
  }
  if (!bodyUnread(request)) return undefined;
  return status === 400 || status === 408 ? `not read to its end: answered ${status}` : `not read: answered ${status} before the body`;
}

/**
 * Refusals recorded per second per receiver before the sender proved who it is (a 401 with wrong
 * credentials, a 405: the method is checked first): anyone can send those, so they may not fill the
 * capture or keep its writer busy; past it they are left out until the next second, and handed to the
 * sink's optional `refusalNotRecorded` (counted: the capture says how many it left out).
 */
export const UNAUTHENTICATED_REFUSALS_PER_SECOND = 10;

/** The budget of unauthenticated refusals recorded in the current second. */
interface RefusalBudget {
  second: number;
  left: number;
}

/**
 * Records a delivery refused outside the pipeline (the gate's 405 / 401 / 415 / 413, an adapter's own
 * refusal): never the credential-less first request of Bandwidth's challenge (the handshake, not a
 * delivery), and those anyone could send (401, 405) within {@link UNAUTHENTICATED_REFUSALS_PER_SECOND}.
 */
function captureRefusal(settings: CoreSettings, budget: RefusalBudget, state: RouteState, request: CoreRequest, refusal: CoreResponse, response: CoreResponse): CoreResponse {
  const sink = settings.capture;
  if (sink === undefined) return response;
  const status = refusal.status;
  if (status === 401 && (request.authorization === undefined || request.authorization === null || request.authorization === "")) return response;
  const at = Date.now();
  if (status === 401 || status === 405) {
    const second = Math.floor(at / 1000);
    if (second !== budget.second) {
      budget.second = second;
      budget.left = UNAUTHENTICATED_REFUSALS_PER_SECOND;
    }
    if (budget.left <= 0) {
      try {
        sink.refusalNotRecorded?.(at); // counted by the sink: a capture says what it left out
      } catch {
        // the sink's own problem
      }
      return response;
    }
    budget.left--;
  }
  try {
    sink.record(new Delivery(state, request, undefined, omittedBody(request, status, settings.bodyLimit), at, response, 0));
  } catch {
    // the sink's own problem: the answer goes out as it is
  }
  return response;
}

/**
 * `handle`: the pipeline, then {@link finish} (after the handlers when they are async), then the capture sink.
 * The clock is read twice per delivery at most (start, end), and only when `onResponse` or `capture` is set:
 * the start gives the capture's arrival time too, the end serves both `onResponse` and the capture.
 */
function handleAndFinish(settings: CoreSettings, state: RouteState, request: CoreRequest): CoreResponse | Promise<CoreResponse> {
  developmentNotice(settings);
  const sink = settings.capture;
  const timed = settings.onResponse !== undefined || sink !== undefined;
  const note = newNote(timed ? clock() : 0);
  const at = sink === undefined ? 0 : epochOf(note.started);
  const result = handleRequest(settings, state, request, note);
  if ("status" in result) {
    const answer = failClosed(state.family, settings.log, state.path, result, request.body);
    const latencyMs = timed ? clock() - note.started : 0;
    const response = finish(settings, state, request.method, note, answer, latencyMs);
    return sink === undefined ? response : capture(sink, state, request, note, at, response, latencyMs);
  }
  return result.then((settled) => {
    const answer = failClosed(state.family, settings.log, state.path, settled, request.body);
    const latencyMs = timed ? clock() - note.started : 0;
    const response = finish(settings, state, request.method, note, answer, latencyMs);
    return sink === undefined ? response : capture(sink, state, request, note, at, response, latencyMs);
  });
}

const noHeader: HeaderReader = () => undefined;

/** The request of the deprecated positional `check(route, method, authorization, …)`. */
function positionalCheck(
  method: string | undefined,
  authorization: string | null | undefined,
  contentType: string | null | undefined,
  contentLength: string | number | null | undefined,
  contentEncoding: string | null | undefined,
): CoreRequest {
  return { method: method ?? "", url: "", authorization, contentType, contentLength, contentEncoding, body: undefined, raw: undefined, readHeader: noHeader };
}

/** The request of the deprecated positional `handle(route, method, url, body, raw, readHeader)`. */
function positionalHandle(method: string, url: string, body: CoreBody, raw: unknown, readHeader: HeaderReader): CoreRequest {
  return { method, url, authorization: undefined, contentType: undefined, contentLength: undefined, contentEncoding: undefined, body, raw, readHeader };
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
  const settings = resolveSettings(options);
  const { routes, byPath } = compileRoutes(options.routes, settings.timeoutMs, settings.guard?.queue !== undefined);
  const budget: RefusalBudget = { second: 0, left: 0 };
  return {
    routes,
    bodyLimit: settings.bodyLimit,
    match: (url: string): CoreRoute | undefined => matchRoute(byPath, url),
    // the deprecated positional forms are named parameters, not a rest array: no allocation per request
    check: (
      route: CoreRoute,
      request: CoreRequest | string | undefined,
      authorization?: string | null,
      contentType?: string | null,
      contentLength?: string | number | null,
      contentEncoding?: string | null,
    ): CoreResponse | undefined => {
      const one = typeof request === "object" ? request : positionalCheck(request, authorization, contentType, contentLength, contentEncoding);
      const state = route as RouteState;
      const early = checkRequest(settings, state, one);
      if (early === undefined) return undefined;
      const response = finish(settings, state, one.method, undefined, failClosed(state.family, settings.log, state.path, early, undefined), 0);
      // a refused delivery is recorded too (the positional form has no request to record)
      return typeof request === "object" ? captureRefusal(settings, budget, state, one, early, response) : response;
    },
    handle: (route: CoreRoute, request: CoreRequest | string, url?: string, body?: CoreBody, raw?: unknown, readHeader?: HeaderReader): CoreResponse | Promise<CoreResponse> =>
      handleAndFinish(settings, route as RouteState, typeof request === "object" ? request : positionalHandle(request, url!, body, raw, readHeader!)),
    notFound: NOT_FOUND,
    payloadTooLarge: PAYLOAD_TOO_LARGE,
    refuse: (route, refusal, request): CoreResponse => {
      const response = failClosed(route.family, settings.log, route.path, refusal, undefined);
      return request === undefined ? response : captureRefusal(settings, budget, route as RouteState, request, refusal, response);
    },
  };
}
