/**
 * One HTTP server for bench/http.ts, started in its own child process (`node --import tsx
 * bench/http-server.ts <variant>`), so the load generator never shares its event loop. Prints
 * `LISTENING <port>` when ready. Every variant answers `POST /callbacks/voice` with the same BXML bytes.
 *
 * Variants: a bare baseline per framework (read the body, reply with a constant), bw-codegen's adapter
 * for it (auth + JSON.parse + validate + dispatch + BXML render), and for node:http also what users write
 * today (auth check, JSON.parse, ajv compiled at start-up, bandwidth-sdk's BXML classes), a careful
 * hand-written server (ajv with fast formats + a template literal), and the server `bw-codegen scaffold`
 * writes, with its default options (`scaffold-development` runs without NODE_ENV, `scaffold-production`
 * with NODE_ENV=production; see bench/http.ts).
 */

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import Fastify from "fastify";
import { createBandwidthWebhooks } from "../generated/webhooks.js";
import type { AnswerCallback } from "../generated/types.js";
import { answerBxml, BENCH_CREDENTIALS, BENCH_PATH, createHandWrittenHandler, createTodaysHandler } from "./http-shared.js";

/** The constant the bare baselines send: byte for byte what the handler renders for the fixture. */
const CONSTANT = answerBxml({ to: "+12525550129" } as AnswerCallback).toXml();
const XML = "application/xml; charset=utf-8";

function webhooks(answer: (event: AnswerCallback) => unknown = answerBxml) {
  // production settings (the servers also run with NODE_ENV=production): no dev-mode BXML re-validation
  return createBandwidthWebhooks({ credentials: [BENCH_CREDENTIALS], voice: { answer: answer as typeof answerBxml }, validateBxml: false });
}

/** A handler that answers the constant: isolates the adapter's own work (auth, parse, validate, dispatch). */
const constantAnswer = (): string => CONSTANT;

/** node:http: read the body, reply with a constant. */
function nodeConstant(req: IncomingMessage, res: ServerResponse): void {
  req.on("data", () => {});
  req.on("end", () => {
    res.writeHead(200, { "content-type": XML });
    res.end(CONSTANT);
  });
}

/** What a user writes today with node:http, ajv and bandwidth-sdk (or `handle`, another hand-written handler). */
async function nodeToday(handle?: (authorization: string | undefined, body: string) => [number, string]): Promise<(req: IncomingMessage, res: ServerResponse) => void> {
  handle ??= await createTodaysHandler();
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const [status, xml] = handle(req.headers.authorization, Buffer.concat(chunks).toString());
      res.writeHead(status, status === 200 ? { "content-type": XML } : status === 401 ? { "www-authenticate": 'Basic realm="webhooks"' } : {});
      res.end(xml);
    });
  };
}

/** The time limits a scaffold's server sets (templates/scaffold/common/src/config.ts.tmpl). */
const SCAFFOLD_TIMEOUTS = { headersTimeout: 10_000, requestTimeout: 15_000, keepAliveTimeout: 5_000 };

/**
 * The server `bw-codegen scaffold --framework node` writes (src/webhooks.ts + src/app.ts): default options,
 * so BXML replies are checked unless NODE_ENV=production; the answer handler renders with the builder.
 */
function scaffoldServer(): Promise<number> {
  const webhooks = createBandwidthWebhooks({ credentials: [BENCH_CREDENTIALS], allowUnauthenticated: false, voice: { answer: answerBxml } });
  return listenNode(webhooks.node, SCAFFOLD_TIMEOUTS);
}

async function listenNode(listener: (req: IncomingMessage, res: ServerResponse) => void, options: Record<string, number> = {}): Promise<number> {
  const server = createServer(options, listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

const VARIANTS: Record<string, () => Promise<number>> = {
  "node-constant": () => listenNode(nodeConstant),
  "node-bw-codegen": () => listenNode(webhooks().node),
  "node-today": async () => listenNode(await nodeToday()),
  "node-hand-written": async () => listenNode(await nodeToday(createHandWrittenHandler())),
  "scaffold-development": scaffoldServer,
  "scaffold-production": scaffoldServer,
  "express-constant": () => {
    const app = express();
    app.use(express.json());
    app.post(BENCH_PATH, (_req, res) => void res.type(XML).send(CONSTANT));
    return listenNode(app);
  },
  "express-bw-codegen": () => {
    const app = express();
    app.use(webhooks().express);
    app.use(express.json()); // the rest of the app, after the webhooks, as the adapter's docs advise
    return listenNode(app);
  },
  "express-bw-codegen-adapter": () => {
    const app = express();
    app.use(webhooks(constantAnswer).express);
    app.use(express.json());
    return listenNode(app);
  },
  "fastify-bw-codegen-adapter": async () => {
    const app = Fastify();
    await app.register(webhooks(constantAnswer).fastify);
    await app.listen({ host: "127.0.0.1", port: 0 });
    return (app.server.address() as AddressInfo).port;
  },
  "fastify-constant": async () => {
    const app = Fastify();
    app.post(BENCH_PATH, (_request, reply) => reply.type(XML).send(CONSTANT));
    await app.listen({ host: "127.0.0.1", port: 0 });
    return (app.server.address() as AddressInfo).port;
  },
  "fastify-constant-plugin": async () => {
    // the same route, registered the way Fastify apps are structured (an encapsulated plugin): any
    // registered plugin, even an empty one, costs every route of a Fastify 5 app ~8% on this machine
    const app = Fastify();
    await app.register(async (scope) => {
      scope.post(BENCH_PATH, (_request, reply) => reply.type(XML).send(CONSTANT));
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    return (app.server.address() as AddressInfo).port;
  },
  "fastify-bw-codegen": async () => {
    const app = Fastify();
    await app.register(webhooks().fastify);
    await app.listen({ host: "127.0.0.1", port: 0 });
    return (app.server.address() as AddressInfo).port;
  },
};

export const SERVER_VARIANTS: string[] = Object.keys(VARIANTS);

const variant = process.argv[2];
if (variant !== undefined) {
  const start = VARIANTS[variant];
  if (start === undefined) {
    console.error(`unknown variant ${variant}; known: ${SERVER_VARIANTS.join(", ")}`);
    process.exit(2);
  }
  const port = await start();
  process.stdout.write(`LISTENING ${port}\n`);
  process.on("SIGTERM", () => process.exit(0));
  // never outlive the benchmark: exit once the parent is gone (re-parented)
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 1000).unref();
}
