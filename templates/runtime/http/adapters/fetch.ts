/**
 * Fetch adapter: `(request: Request) => Promise<Response>` for every runtime built on Web
 * `Request`/`Response`: Cloudflare Workers, Deno, Bun, Hono (`c.req.raw`), Next.js route handlers,
 * `@hono/node-server`. Edge-safe: only Web APIs.
 *
 * The body is read from `request.body` chunk by chunk and the read is cancelled as soon as it passes the
 * limit (413); a `Content-Length` over the limit is refused before reading anything. A body stream that
 * errors (the client aborted mid-upload, a runtime's stream failed) is answered 400 `body_read_failed`:
 * the returned promise never rejects.
 *
 * @public-entry (re-exported from the package entry point)
 */

import type { CoreRequest, CoreResponse, WebhookCore } from "../core.js";
import type { HeaderReader } from "../context.js";
import { BODY_READ_FAILED, INTERNAL_ERROR } from "../responses.js";

/** A Fetch-style webhook handler. */
export type FetchWebhookHandler = (request: Request) => Promise<Response>;

/** Options of {@link createFetchHandler}. */
export interface FetchHandlerOptions {
  /**
   * A path prefix to strip before matching routes (e.g. `/api` when the app is mounted there and sees
   * `/api/callbacks/voice`). Default: none.
   */
  readonly basePath?: string;
  /** Called for paths that match no route; default: 404 with a short JSON error. */
  readonly onNotFound?: (request: Request) => Response | Promise<Response>;
}

/** Reads a header from a Fetch `Request`. */
export const readFetchHeader: HeaderReader = (raw: unknown, name: string): string | undefined =>
  (raw as Request).headers.get(name) ?? undefined;

/**
 * Creates a Fetch handler serving every route of the core.
 *
 * @example
 * // Cloudflare Worker / Bun / Deno
 * const webhooks = createBandwidthWebhooks({ voice: { answer: () => "<Response/>" }, credentials });
 * export default { fetch: webhooks.fetch };
 * // Hono
 * app.all("/callbacks/*", (c) => webhooks.fetch(c.req.raw));
 */
export function createFetchHandler(core: WebhookCore, options: FetchHandlerOptions = {}): FetchWebhookHandler {
  const basePath = options.basePath ?? "";
  const onNotFound = options.onNotFound;
  return async function bandwidthWebhooks(request: Request): Promise<Response> {
    const target = requestTarget(request.url);
    const route = target.startsWith(basePath) ? core.match(target.slice(basePath.length) || "/") : undefined;
    if (route === undefined) return onNotFound !== undefined ? onNotFound(request) : toFetchResponse(core.notFound);
    const headers = request.headers;
    const method = request.method;
    const coreRequest: CoreRequest = {
      method,
      url: target,
      authorization: headers.get("authorization"),
      contentType: headers.get("content-type"),
      contentLength: headers.get("content-length"),
      contentEncoding: headers.get("content-encoding"),
      body: null,
      raw: request,
      readHeader: readFetchHeader,
    };
    const early = core.check(route, coreRequest);
    if (early !== undefined) {
      cancelBody(request);
      return toFetchResponse(early);
    }
    if (method === "POST") {
      const body = await readLimited(request, core.bodyLimit);
      if (body === TOO_LARGE) return toFetchResponse(core.payloadTooLarge);
      if (body === UNREADABLE) return toFetchResponse(BODY_READ_FAILED);
      coreRequest.body = body;
    }
    try {
      return toFetchResponse(await core.handle(route, coreRequest));
    } catch {
      return toFetchResponse(INTERNAL_ERROR);
    }
  };
}

/**
 * Converts a core answer into a Fetch `Response` (no body for 204 or an empty body).
 *
 * @example
 * return toFetchResponse(core.notFound); // 404 + short JSON error
 */
export function toFetchResponse(response: CoreResponse): Response {
  if (response.status === 204) return new Response(null, { status: 204, headers: response.headers });
  // an empty answer (the 401 challenge) says so: some servers would otherwise frame it as chunked
  if (response.body === "") return new Response(null, { status: response.status, headers: { ...response.headers, "content-length": "0" } });
  return new Response(response.body, { status: response.status, headers: response.headers });
}

/** The path + query of an absolute or origin-form URL, without allocating a `URL`. */
function requestTarget(url: string): string {
  if (url.charCodeAt(0) === 0x2f) return url;
  const scheme = url.indexOf("://");
  if (scheme < 0) return url;
  const slash = url.indexOf("/", scheme + 3);
  const query = url.indexOf("?", scheme + 3);
  if (slash < 0 || (query >= 0 && query < slash)) return query < 0 ? "/" : `/${url.slice(query)}`;
  return url.slice(slash);
}

const TOO_LARGE: Uint8Array = new Uint8Array(0);
const UNREADABLE: Uint8Array = new Uint8Array(0);

/**
 * Reads the body up to `limit` bytes; returns `TOO_LARGE` (and cancels the stream) past it, `UNREADABLE`
 * when the stream errors or was already consumed.
 */
async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const stream = request.body;
  if (stream === null) return new Uint8Array(0);
  let reader: ReadableStreamDefaultReader<Uint8Array>;
  try {
    reader = stream.getReader();
  } catch {
    return UNREADABLE; // locked: something else is reading it
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let step: ReadableStreamReadResult<Uint8Array>;
    try {
      step = await reader.read();
    } catch {
      return UNREADABLE;
    }
    const { done, value } = step;
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      return TOO_LARGE;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}

function cancelBody(request: Request): void {
  if (request.body !== null && !request.bodyUsed) request.body.cancel().catch(() => {});
}
