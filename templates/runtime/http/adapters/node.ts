/**
 * Native node:http adapter: `(req, res) => void` for `http.createServer`, with no Fetch
 * `Request`/`Response` objects on the path (on Node 20 they alone cost ~40 µs a request).
 *
 * It reads the `IncomingMessage` itself under a byte limit (413 as soon as `Content-Length` announces too
 * much or the streamed bytes pass the limit), writes the `ServerResponse` directly, and never lets an
 * error escape to the process. The Express adapter reuses `handleNodeRequest`.
 *
 * Node-only by design: it uses `Buffer` (a global) but imports nothing from `node:*` at run time, so
 * merely importing it on an edge runtime is harmless.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import type { CoreRequest, CoreResponse, CoreRoute, WebhookCore } from "../core.js";
import type { HeaderReader } from "../context.js";
import { INTERNAL_ERROR } from "../responses.js";

/** A node:http request listener. */
export type NodeWebhookHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Options of {@link createNodeHandler}. */
export interface NodeHandlerOptions {
  /** Called for paths that match no webhook route; default: answer 404 with a short JSON error. */
  readonly onNotFound?: (req: IncomingMessage, res: ServerResponse) => void;
}

/**
 * After an early answer (401, 413, …) a body that announces at most this many bytes is read and discarded
 * so the connection can be reused; a larger or unsized one is answered with `Connection: close` and the
 * socket is closed gracefully ("lingering close", RFC 9112 §9.6) instead of reading an unbounded body.
 */
const DISCARD_LIMIT = 256 * 1024;
/** How long a lingering close keeps reading before the socket is destroyed. */
const LINGER_MS = 2000;
/**
 * How long a small body being discarded after an early answer may take to arrive before the socket is
 * destroyed: Bandwidth sends its body at once, a client dripping it a byte at a time must not hold the
 * socket (node's own `requestTimeout` is 300 s; Fastify turns it off).
 */
const DISCARD_MS = 5000;

/** Reads a header from an `IncomingMessage` (lower-case name). */
export const readNodeHeader: HeaderReader = (raw: unknown, name: string): string | undefined => {
  const value = (raw as IncomingMessage).headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
};

/**
 * Creates a node:http request listener serving every route of the core.
 *
 * @example
 * import { createServer } from "node:http";
 * const webhooks = createBandwidthWebhooks({ voice: { answer: () => "<Response/>" }, credentials });
 * createServer(webhooks.node).listen(3000);
 * // or, with a core built by hand: createServer(createNodeHandler(core))
 */
export function createNodeHandler(core: WebhookCore, options: NodeHandlerOptions = {}): NodeWebhookHandler {
  const onNotFound = options.onNotFound;
  return function bandwidthWebhooks(req: IncomingMessage, res: ServerResponse): void {
    const route = core.match(req.url ?? "/");
    if (route === undefined) {
      if (onNotFound !== undefined) onNotFound(req, res);
      else sendEarly(req, res, core.notFound);
      return;
    }
    handleNodeRequest(core, route, req, res, undefined);
  };
}

/**
 * Runs one request on a matched route: the pre-body checks, then the body (read from the stream, or the
 * `preRead` body a framework already consumed), then the core, then the answer.
 *
 * @example
 * const route = core.match(req.url!);
 * if (route) handleNodeRequest(core, route, req, res, undefined);
 */
export function handleNodeRequest(
  core: WebhookCore,
  route: CoreRoute,
  req: IncomingMessage,
  res: ServerResponse,
  preRead: string | Uint8Array | { readonly parsed: unknown } | undefined,
): void {
  const headers = req.headers;
  const method = req.method ?? "GET";
  const request: CoreRequest = {
    method,
    url: req.url ?? "/",
    authorization: headers.authorization,
    contentType: headers["content-type"],
    contentLength: headers["content-length"],
    // a body a framework already read (Express's body-parser) has been inflated by it
    contentEncoding: preRead === undefined ? headers["content-encoding"] : undefined,
    body: preRead,
    raw: req,
    readHeader: readNodeHeader,
  };
  const early = core.check(route, request);
  if (early !== undefined) {
    sendEarly(req, res, early);
    return;
  }
  if (method !== "POST" || preRead !== undefined) {
    dispatch(core, route, request, res);
    return;
  }
  const limit = core.bodyLimit;
  let first: Buffer | undefined;
  let chunks: Buffer[] | undefined;
  let size = 0;
  let overflowed = false;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (overflowed) return;
    if (size > limit) {
      // the body's real size is unknown (chunked, or a short Content-Length): never reuse this connection
      overflowed = true;
      first = chunks = undefined;
      sendAndClose(req, res, core.refuse(route, core.payloadTooLarge, request));
      return;
    }
    if (first === undefined) first = chunk;
    else (chunks ??= [first]).push(chunk);
  });
  req.on("end", () => {
    if (overflowed) return;
    // the bytes as received: the core decodes them strictly (invalid UTF-8 is a 400) and a signature covers them
    request.body = first === undefined ? "" : chunks === undefined ? first : Buffer.concat(chunks, size);
    dispatch(core, route, request, res);
  });
  req.on("error", () => {
    // client went away mid-body: nothing to answer
    if (!res.headersSent) res.destroy();
  });
}

function dispatch(core: WebhookCore, route: CoreRoute, request: CoreRequest, res: ServerResponse): void {
  let result: CoreResponse | Promise<CoreResponse>;
  try {
    result = core.handle(route, request);
  } catch {
    result = core.refuse(route, INTERNAL_ERROR, request);
  }
  if (result instanceof Promise) {
    result.then(
      (response) => sendNodeResponse(res, response),
      () => sendNodeResponse(res, core.refuse(route, INTERNAL_ERROR, request)),
    );
  } else {
    sendNodeResponse(res, result);
  }
}

/**
 * Writes a core answer onto a `ServerResponse` (no-op if the client is gone or headers went out).
 *
 * @example
 * sendNodeResponse(res, core.notFound); // 404 + short JSON error
 */
export function sendNodeResponse(res: ServerResponse, response: CoreResponse): void {
  if (res.headersSent || res.destroyed) return;
  // an explicit length: without it node frames every answer (even an empty 401) as chunked
  if (response.status !== 204) res.setHeader("content-length", Buffer.byteLength(response.body));
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}

/**
 * Sends an answer given before the body was read. A body small enough to discard is read and dropped,
 * keeping the connection alive (Bandwidth's credential-less first request then costs no new connection);
 * a larger or unsized one gets `Connection: close`, so no client reuses a socket we are about to close.
 */
function sendEarly(req: IncomingMessage, res: ServerResponse, response: CoreResponse): void {
  if (settleUnreadBody(req)) res.setHeader("connection", "close");
  sendNodeResponse(res, response);
  if (req.complete) return;
  // node's parser frames the body by Content-Length, so at most DISCARD_LIMIT bytes are read here
  req.on("error", () => {});
  req.resume();
}

/**
 * Readies a request whose body will not be read for an early answer (401, 413, …), for adapters that
 * answer on a node `IncomingMessage` (node, Express, Fastify). Returns `true` when the answer must carry
 * `Connection: close`: the body is unsized or over DISCARD_LIMIT, and the socket will be closed with a
 * lingering close once the answer is flushed. Otherwise the (small) body may be discarded, but only for
 * DISCARD_MS: a body still incomplete by then gets its socket destroyed.
 *
 * @example
 * if (settleUnreadBody(req)) res.setHeader("connection", "close");
 * sendNodeResponse(res, core.payloadTooLarge);
 */
export function settleUnreadBody(req: IncomingMessage): boolean {
  if (req.complete) return false;
  if (!discardable(req)) {
    armLingeringClose(req);
    return true;
  }
  const socket = req.socket;
  const timer = setTimeout(() => {
    if (!req.complete) socket.destroy();
  }, DISCARD_MS);
  timer.unref?.();
  // both listeners go once either fires: a kept-alive socket sees one early answer per delivery, and a
  // listener left on it per request would pile up for the life of the connection
  const clear = (): void => {
    clearTimeout(timer);
    req.off("end", clear);
    socket.off("close", clear);
  };
  req.once("end", clear);
  socket.once("close", clear);
  return false;
}

/** Whether the unread body announces a size we are willing to read and drop. */
function discardable(req: IncomingMessage): boolean {
  const declared = req.headers["content-length"];
  if (declared === undefined) return req.headers["transfer-encoding"] === undefined; // no body at all
  const length = Number(declared);
  return Number.isFinite(length) && length <= DISCARD_LIMIT;
}

/**
 * Answers with `Connection: close` and then closes gracefully. Node destroys such a socket as soon as the
 * answer is flushed; with request bytes still unread, that becomes a TCP reset which can make the client
 * lose the answer, so this connection's `destroySoon` lingers instead (half-close, keep discarding input
 * for up to LINGER_MS, then destroy).
 */
function sendAndClose(req: IncomingMessage, res: ServerResponse, response: CoreResponse): void {
  if (res.headersSent || res.destroyed) return;
  armLingeringClose(req);
  res.setHeader("connection", "close");
  sendNodeResponse(res, response);
  req.on("data", () => {});
  req.on("error", () => {});
}

/** Makes node's close of this socket (after an answer with `Connection: close`) a lingering close. */
function armLingeringClose(req: IncomingMessage): void {
  const socket = req.socket as IncomingMessage["socket"] & { destroySoon?: () => void };
  socket.destroySoon = () => lingeringClose(req);
}

const lingering = new WeakSet<object>();

/** Half-closes the socket once the answer is flushed, keeps discarding input briefly, then destroys it. */
function lingeringClose(req: IncomingMessage): void {
  const socket = req.socket;
  if (lingering.has(socket)) return;
  lingering.add(socket);
  socket.end();
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref?.();
  socket.once("close", () => clearTimeout(timer));
}
