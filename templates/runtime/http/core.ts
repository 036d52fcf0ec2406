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

import { checkRequest } from "./gate.js";
import { handleRequest } from "./pipeline.js";
import { NOT_FOUND, PAYLOAD_TOO_LARGE } from "./responses.js";
import { compileRoutes, matchRoute } from "./routes.js";
import type { RouteState } from "./routes.js";
import { resolveSettings } from "./settings.js";
import type { CoreResponse, CoreRoute, WebhookCore, WebhookCoreOptions } from "./types.js";

export type {
  AuthFailureInfo,
  BodyVerification,
  BxmlCheckResult,
  CoreBody,
  CoreResponse,
  CoreRoute,
  EventResponseKind,
  FamilyEventInfo,
  FamilyReply,
  FamilyValidationResult,
  InvalidEventReport,
  UnknownEventInfo,
  WebhookCore,
  WebhookCoreOptions,
  WebhookErrorInfo,
  WebhookFamily,
  WebhookIssue,
  WebhookRoute,
} from "./types.js";
export { DEFAULT_BODY_LIMIT, DEFAULT_TIMEOUT_MS } from "./settings.js";
export { mediaTypeOf } from "./gate.js";
export { WebhookTimeoutError } from "./timeouts.js";
export { BxmlValidationError } from "./reply.js";

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
  const { routes, byPath } = compileRoutes(options.routes, settings.timeoutMs);
  return {
    routes,
    bodyLimit: settings.bodyLimit,
    match: (url: string): CoreRoute | undefined => matchRoute(byPath, url),
    check: (route, method, authorization, contentType, contentLength, contentEncoding): CoreResponse | undefined =>
      checkRequest(settings, route as RouteState, method, authorization, contentType, contentLength, contentEncoding),
    handle: (route, method, url, body, raw, readHeader): CoreResponse | Promise<CoreResponse> =>
      handleRequest(settings, route as RouteState, method, url, body, raw, readHeader),
    notFound: NOT_FOUND,
    payloadTooLarge: PAYLOAD_TOO_LARGE,
  };
}
