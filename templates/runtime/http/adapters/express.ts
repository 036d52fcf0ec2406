/**
 * Express adapter (written for Express 4 and 5; tested with Express 5): a middleware serving the webhook routes and calling `next()` for
 * every other path. Typed structurally (Express requests/responses are node:http ones), so the runtime does
 * not depend on the `express` package.
 *
 * Bodies: if nothing has read the request yet, the middleware reads the raw bytes itself under the limit
 * (auth is checked first, before any body byte). If a body parser ran before it, it uses what that parser
 * left: a Buffer (`express.raw`), a string (`express.text`) or an already-parsed object (`express.json`;
 * then the raw bytes are gone, and the app's own parser limit applies). Mounting the middleware before
 * any body parser is best: `app.use(webhooks.express)` first.
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
      if (typeof body === "string" || body instanceof Uint8Array) preRead = body;
      else if (body !== undefined && body !== null && typeof body === "object") preRead = { parsed: body };
      else preRead = "";
    }
    handleNodeRequest(core, route, req, res, preRead);
  };
}
