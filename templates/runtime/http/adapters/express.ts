/**
 * Express adapter (written for Express 4 and 5; tested with Express 5): a middleware serving the webhook routes and calling `next()` for
 * every other path. Typed structurally (Express requests/responses are node:http ones), so the runtime does
 * not depend on the `express` package.
 *
 * Bodies: if nothing has read the request yet, the middleware reads the raw bytes itself under the limit
 * (auth is checked first, before any body byte). If a body parser ran before it, it uses what that parser
 * left: a Buffer (`express.raw`), a string (`express.text`) or an already-parsed object (`express.json`;
 * then the raw bytes are gone, and the app's own parser limit applies). `express.text` drops a leading
 * byte-order mark while decoding; when the declared `Content-Length` shows it did (three bytes more than
 * the text's UTF-8 length, no content encoding), the mark is put back, so a signature over the raw bytes
 * (TFV) verifies as on the other adapters. Mounting the middleware before any body parser is best:
 * `app.use(webhooks.express)` first.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import type { WebhookCore } from "../core.js";
import { handleNodeRequest } from "./node.js";

/** The part of an Express request the adapter uses. */
export type ExpressLikeRequest = IncomingMessage & { body?: unknown };

/** An Express middleware `(req, res, next)`. */
export type ExpressWebhookMiddleware = (req: ExpressLikeRequest, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Creates the Express middleware. Routes are matched against `req.url`, i.e. relative to where the
 * middleware is mounted (`app.use("/hooks", mw)` serves `/hooks/callbacks/voice`).
 *
 * @example
 * const app = express();
 * app.use(webhooks.express); // before express.json(), so auth runs first and raw bytes are kept
 * app.use(express.json());   // the rest of your app
 */
export function createExpressMiddleware(core: WebhookCore): ExpressWebhookMiddleware {
  return function bandwidthWebhooks(req: ExpressLikeRequest, res: ServerResponse, next: (error?: unknown) => void): void {
    const route = core.match(req.url ?? "/");
    if (route === undefined) {
      next();
      return;
    }
    let preRead: string | Uint8Array | { readonly parsed: unknown } | undefined;
    if (req.readableEnded || (req.complete && !req.readable)) {
      const body = req.body;
      if (typeof body === "string") preRead = withDroppedBom(req, body);
      else if (body instanceof Uint8Array) preRead = body;
      else if (body !== undefined && body !== null && typeof body === "object") preRead = { parsed: body };
      else preRead = "";
    }
    handleNodeRequest(core, route, req, res, preRead);
  };
}

const encoder = new TextEncoder();

/**
 * The text a body parser decoded, with the byte-order mark it dropped put back: body-parser's decoder
 * strips a leading BOM, and the raw bytes (which a TFV signature covers) had it exactly when the
 * declared length is the text's UTF-8 length plus the BOM's three bytes.
 */
function withDroppedBom(req: ExpressLikeRequest, text: string): string {
  const declared = req.headers["content-length"];
  const encoding = req.headers["content-encoding"];
  if (declared === undefined || (encoding !== undefined && encoding.toLowerCase() !== "identity")) return text;
  if (text.charCodeAt(0) === 0xfeff) return text;
  return Number(declared) === encoder.encode(text).byteLength + 3 ? `\uFEFF${text}` : text;
}
