/**
 * Fastify adapter (written for Fastify 4 and 5; tested with Fastify 5): a plugin registering one route per webhook family. Typed
 * structurally, so the runtime does not depend on the `fastify` package.
 *
 * - Auth, method, content type and an over-limit `Content-Length` are checked in the route's `onRequest`
 *   hook, before Fastify reads any body byte. After such an early answer the body is not read to its end:
 *   as on the node adapter, a small one is discarded under a deadline, a large or unsized one gets
 *   `Connection: close` and a lingering close. Fastify's server-wide `requestTimeout` (default 0, none)
 *   is the app's: set it (e.g. `Fastify({ requestTimeout: 30_000 })`) to bound slow authenticated bodies
 *   and other routes too.
 * - Inside the plugin's (encapsulated) context every content-type parser is replaced by one that keeps
 *   the raw bytes (`parseAs: "buffer"`, with the core's body limit), so the app's own JSON parser and
 *   limits do not apply to webhook routes and the exact bytes stay available.
 * - Parser errors are mapped to the core's answers (413, 400) by a scoped error handler.
 * - Paths are matched by Fastify itself, so a trailing slash follows the app's `ignoreTrailingSlash`.
 * - The core's request object is built once, in `onRequest`, and kept on the Fastify request (a
 *   request decorator of the plugin's context) until the handler fills in the body.
 */

import type { IncomingMessage } from "node:http";
import type { CoreRequest, CoreResponse, CoreRoute, WebhookCore } from "../core.js";
import type { HeaderReader } from "../context.js";
import { BAD_REQUEST, INTERNAL_ERROR } from "../responses.js";
import { settleUnreadBody } from "./node.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- structural types that accept Fastify's overloads */

/** The part of a Fastify instance the plugin uses. */
export interface FastifyLikeInstance {
  removeAllContentTypeParsers(): unknown;
  decorateRequest(name: string, value: unknown): unknown;
  addContentTypeParser(...args: any[]): unknown;
  setErrorHandler(handler: (error: any, request: any, reply: any) => unknown): unknown;
  route(options: any): unknown;
}

/** The plugin: `app.register(webhooks.fastify)` (optionally `{ prefix: "/hooks" }`). */
export type FastifyWebhookPlugin = (instance: FastifyLikeInstance, options: unknown) => Promise<void>;

interface FastifyLikeReply {
  code(status: number): FastifyLikeReply;
  headers(values: Readonly<Record<string, string>>): FastifyLikeReply;
  send(payload?: unknown): FastifyLikeReply;
}

interface FastifyLikeRequest {
  readonly method: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body?: unknown;
  readonly raw: IncomingMessage;
  /** The core's request, built in `onRequest` (a request decorator: `null` until then). */
  bandwidthRequest: CoreRequest | null;
}

/** Reads a header from a Fastify request. */
export const readFastifyHeader: HeaderReader = (raw: unknown, name: string): string | undefined => {
  const value = (raw as FastifyLikeRequest).headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
};

const CLOSE: Readonly<Record<string, string>> = Object.freeze({ connection: "close" });

function sendReply(reply: FastifyLikeReply, response: CoreResponse): FastifyLikeReply {
  return reply.code(response.status).headers(response.headers).send(response.body);
}

/**
 * Creates the Fastify plugin serving every route of the core.
 *
 * @example
 * const app = Fastify();
 * await app.register(webhooks.fastify);                       // /callbacks/voice, …
 * await app.register(webhooks.fastify, { prefix: "/hooks" }); // /hooks/callbacks/voice, …
 */
export function createFastifyPlugin(core: WebhookCore): FastifyWebhookPlugin {
  return async function bandwidthWebhooks(fastify: FastifyLikeInstance): Promise<void> {
    fastify.decorateRequest("bandwidthRequest", null);
    fastify.removeAllContentTypeParsers();
    fastify.addContentTypeParser(
      "*",
      { parseAs: "buffer", bodyLimit: core.bodyLimit },
      (_request: unknown, body: unknown, done: (error: Error | null, body?: unknown) => void) => done(null, body),
    );
    fastify.setErrorHandler(errorHandler(core, undefined));
    for (const route of core.routes) registerRoute(fastify, core, route);
  };
}

/**
 * Maps a Fastify error (a body over the limit, an unreadable body) to the core's answer: 413, 400 or 500,
 * or on a route whose sender reads a refusal as consent (port-out validation) its 200 "no" instead.
 */
function errorHandler(core: WebhookCore, route: CoreRoute | undefined) {
  return (error: { statusCode?: number } | undefined, request: FastifyLikeRequest, reply: FastifyLikeReply): FastifyLikeReply => {
    const status = error?.statusCode;
    const refusal = status === 413 ? core.payloadTooLarge : status !== undefined && status >= 400 && status < 500 ? BAD_REQUEST : INTERNAL_ERROR;
    // a body cut off at the limit (or unreadable) has unread bytes: close as after an early answer, so
    // the 413 is delivered (lingering close) instead of lost to a reset, and the rest is never read
    if (request?.raw !== undefined && settleUnreadBody(request.raw)) reply.headers(CLOSE);
    return sendReply(reply, route === undefined ? refusal : core.refuse(route, refusal, request?.bandwidthRequest ?? undefined));
  };
}

function registerRoute(fastify: FastifyLikeInstance, core: WebhookCore, route: CoreRoute): void {
  fastify.route({
    errorHandler: errorHandler(core, route),
    // every method the core answers (non-GET/POST get its 405 with Allow, not Fastify's 404)
    method: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    url: route.path,
    onRequest(request: FastifyLikeRequest, reply: FastifyLikeReply, done: () => void): void {
      const headers = request.headers;
      const coreRequest: CoreRequest = {
        method: request.method,
        url: request.raw.url ?? route.path,
        authorization: headers.authorization as string | undefined,
        contentType: headers["content-type"] as string | undefined,
        contentLength: headers["content-length"] as string | undefined,
        contentEncoding: headers["content-encoding"] as string | undefined,
        body: undefined,
        raw: request,
        readHeader: readFastifyHeader,
      };
      const early = core.check(route, coreRequest);
      if (early !== undefined) {
        // Node would read the unread body to its end after the answer (Fastify sets no request timeout):
        // a small one is discarded under a deadline, a large or unsized one closes the connection.
        if (settleUnreadBody(request.raw)) reply.headers(CLOSE);
        sendReply(reply, early); // answering from the hook: Fastify skips parsing and the handler
        return;
      }
      request.bandwidthRequest = coreRequest;
      done();
    },
    // Returns nothing on the synchronous path: a returned Reply is a thenable, which Fastify would await
    // (an extra tick and promise per request).
    handler(request: FastifyLikeRequest, reply: FastifyLikeReply): undefined | Promise<unknown> {
      const raw = request.body;
      const coreRequest = request.bandwidthRequest!;
      coreRequest.body =
        raw === undefined || raw === null
          ? null
          : typeof raw === "string"
            ? raw
            : raw instanceof Uint8Array
              ? raw // the exact bytes: decoded strictly by the core, signed bytes kept for the TFV HMAC
              : { parsed: raw };
      let result: CoreResponse | Promise<CoreResponse>;
      try {
        result = core.handle(route, coreRequest);
      } catch {
        result = core.refuse(route, INTERNAL_ERROR, coreRequest);
      }
      if (result instanceof Promise) {
        return result.then(
          (response) => void sendReply(reply, response),
          () => void sendReply(reply, core.refuse(route, INTERNAL_ERROR, coreRequest)),
        );
      }
      sendReply(reply, result);
      return undefined;
    },
  });
}
