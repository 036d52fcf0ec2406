/**
 * One call that builds the handler core and all four adapters from it. The generated glue
 * (`generated/webhooks.js`, `createBandwidthWebhooks`) binds the generated families and calls this.
 */

import { createWebhookCore } from "./http/core.js";
import type { WebhookCore, WebhookCoreOptions } from "./http/core.js";
import { createNodeHandler } from "./http/adapters/node.js";
import type { NodeWebhookHandler } from "./http/adapters/node.js";
import { createFetchHandler } from "./http/adapters/fetch.js";
import type { FetchWebhookHandler } from "./http/adapters/fetch.js";
import { createExpressMiddleware } from "./http/adapters/express.js";
import type { ExpressWebhookMiddleware } from "./http/adapters/express.js";
import { createFastifyPlugin } from "./http/adapters/fastify.js";
import type { FastifyWebhookPlugin } from "./http/adapters/fastify.js";

/** The same webhook handling, shaped for each transport. */
export interface WebhookHandlers {
  /** The transport-neutral core (for custom adapters). */
  readonly core: WebhookCore;
  /** node:http listener: `http.createServer(webhooks.node)`. */
  readonly node: NodeWebhookHandler;
  /** Fetch handler: Workers, Deno, Bun, Hono (`webhooks.fetch(c.req.raw)`). */
  readonly fetch: FetchWebhookHandler;
  /** Express middleware: `app.use(webhooks.express)` (before body parsers). */
  readonly express: ExpressWebhookMiddleware;
  /** Fastify plugin: `app.register(webhooks.fastify)`. */
  readonly fastify: FastifyWebhookPlugin;
}

/**
 * Builds the core once and every adapter over it (adapters are small closures; unused ones cost nothing).
 *
 * @example
 * const webhooks = createWebhookHandlers({ routes: [{ path: "/callbacks/voice", family, handlers }], credentials });
 * http.createServer(webhooks.node).listen(3000);
 */
export function createWebhookHandlers(options: WebhookCoreOptions): WebhookHandlers {
  const core = createWebhookCore(options);
  return {
    core,
    node: createNodeHandler(core),
    fetch: createFetchHandler(core),
    express: createExpressMiddleware(core),
    fastify: createFastifyPlugin(core),
  };
}
