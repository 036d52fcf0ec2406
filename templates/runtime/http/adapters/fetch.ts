/**
 * Fetch adapter: `(request: Request) => Promise<Response>` for every runtime built on Web
 * `Request`/`Response`: Cloudflare Workers, Deno, Bun, Hono (`c.req.raw`), Next.js route handlers,
 * `@hono/node-server`. Edge-safe: only Web APIs.
 *
 * The body is read from `request.body` chunk by chunk and the read is cancelled as soon as it passes the
 * limit (413); a `Content-Length` over the limit is refused before reading anything. A body stream that
 * errors (the client aborted mid-upload, a runtime's stream failed) is answered 400 `body_read_failed`,
 * and one that has not ended within `bodyTimeoutMs` (default 10 s) 408 `body_timeout`: the returned promise
 * never rejects. Chunks are counted in bytes whatever their type (`Uint8Array`, any `ArrayBuffer` view,
 * an `ArrayBuffer`, or a string from a hand-made stream, UTF-8 encoded).
 */

import type { CoreRequest, CoreResponse, WebhookCore } from "../core.js";
import type { HeaderReader } from "../context.js";
import { chunkBytes } from "../../chunk-bytes.js";
import { BandwidthConfigError } from "../../errors.js";
import { BODY_READ_FAILED, BODY_TIMEOUT, INTERNAL_ERROR } from "../responses.js";

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
  /**
   * How long the whole body may take to arrive, in ms (default 10 000): a body still incomplete then is
   * cancelled and answered 408 `body_timeout` (Bandwidth gives up after 15 s anyway).
   */
  readonly bodyTimeoutMs?: number;
}

/** Default deadline for reading a request body: 10 s. */
export const DEFAULT_BODY_TIMEOUT_MS: number = 10_000;

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
  const bodyTimeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  if (!(bodyTimeoutMs > 0)) throw new BandwidthConfigError("bw-codegen webhooks: bodyTimeoutMs must be a positive number");
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
      const body = await readLimited(request, core.bodyLimit, bodyTimeoutMs);
      if (body === TOO_LARGE) return toFetchResponse(core.refuse(route, core.payloadTooLarge, coreRequest));
      if (body === UNREADABLE) return toFetchResponse(core.refuse(route, BODY_READ_FAILED, coreRequest));
      if (body === TIMED_OUT) return toFetchResponse(core.refuse(route, BODY_TIMEOUT, coreRequest));
      coreRequest.body = body;
    }
    try {
      return toFetchResponse(await core.handle(route, coreRequest));
    } catch {
      return toFetchResponse(core.refuse(route, INTERNAL_ERROR, coreRequest));
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
const TIMED_OUT: Uint8Array = new Uint8Array(0);
/** What the body deadline resolves to. */
const DEADLINE: unique symbol = Symbol("body deadline");

/**
 * Reads the body up to `limit` bytes within `timeoutMs`; returns `TOO_LARGE` past the limit, `TIMED_OUT`
 * past the deadline (both cancel the stream), `UNREADABLE` when the stream errors, yields something that
 * is not bytes, or was already consumed.
 */
async function readLimited(request: Request, limit: number, timeoutMs: number): Promise<Uint8Array> {
  const stream = request.body;
  if (stream === null) return new Uint8Array(0);
  let reader: ReadableStreamDefaultReader<unknown>;
  try {
    reader = stream.getReader();
  } catch {
    return UNREADABLE; // locked: something else is reading it
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof DEADLINE>((resolve) => {
    timer = setTimeout(() => resolve(DEADLINE), timeoutMs);
  });
  try {
    return await readChunks(reader, limit, deadline);
  } finally {
    clearTimeout(timer);
  }
}

async function readChunks(reader: ReadableStreamDefaultReader<unknown>, limit: number, deadline: Promise<typeof DEADLINE>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let step: ReadableStreamReadResult<unknown> | typeof DEADLINE;
    try {
      step = await Promise.race([reader.read(), deadline]);
    } catch {
      return UNREADABLE;
    }
    if (step === DEADLINE) {
      reader.cancel().catch(() => {});
      return TIMED_OUT;
    }
    if (step.done) break;
    const value = chunkBytes(step.value);
    if (value === undefined) {
      reader.cancel().catch(() => {});
      return UNREADABLE;
    }
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
