/**
 * Starts the generated `createBandwidthWebhooks(...)` handlers on each adapter (node:http, Fetch via
 * @hono/node-server, Express 5, Fastify 5) on 127.0.0.1 and an ephemeral port, for tests that need the
 * real generated families rather than the harness's test family.
 */

import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import Fastify from "fastify";
import type { FastifyPluginAsync } from "fastify";
import { createAdaptorServer } from "@hono/node-server";
import type { AdapterName, RunningServer } from "../adapter-harness.js";

/** The adapters of a generated webhooks object (structurally). */
export interface GeneratedWebhooks {
  readonly node: Parameters<typeof createServer>[1];
  readonly fetch: (request: Request) => Promise<Response>;
  readonly express: express.RequestHandler;
  readonly fastify: unknown;
}

export async function startGenerated(adapter: AdapterName, webhooks: GeneratedWebhooks): Promise<RunningServer> {
  if (adapter === "fastify") {
    const app = Fastify();
    await app.register(webhooks.fastify as FastifyPluginAsync);
    await app.listen({ host: "127.0.0.1", port: 0 });
    return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
  }
  let server: Server;
  if (adapter === "node") server = createServer(webhooks.node);
  else if (adapter === "express") {
    const app = express();
    app.use(webhooks.express);
    server = createServer(app);
  } else server = createAdaptorServer({ fetch: webhooks.fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
