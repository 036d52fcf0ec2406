// fast-check fuzzing of request bodies and headers through every adapter (node:http, Fetch via
// @hono/node-server, Express, Fastify), each a real server on 127.0.0.1 serving the generated families:
// random paths, methods, content types and encodings, Authorization headers (good, missing, garbage)
// and bodies (random text and bytes, JSON, mutated real events, XML-ish text, batches). Counts crashes
// (a request that got no HTTP answer), unhandled rejections / uncaught exceptions in this process and
// 5xx answers (none is allowed: every input here is either valid or bad input).
//
//   node --import tsx test/load/fuzz.ts [--runs 2000]
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import Fastify from "fastify";
import { createAdaptorServer } from "@hono/node-server";
import fc from "fast-check";
import { createBandwidthWebhooks } from "../../generated/index.js";
import { Response, SpeakSentence } from "../../generated/bxml/index.js";
import { send } from "../adapter-harness.js";
import { LOAD_AUTHORIZATION, LOAD_CREDENTIALS, messagingEvent } from "./deliveries.js";

export const FUZZ_ADAPTERS = ["node", "fetch", "express", "fastify"] as const;
export type FuzzAdapter = (typeof FUZZ_ADAPTERS)[number];

export interface FuzzReport {
  readonly adapter: FuzzAdapter;
  readonly runs: number;
  readonly crashes: number;
  readonly serverErrors: number;
  readonly statuses: Record<string, number>;
  readonly firstFailure?: string;
}

function webhooks() {
  const quiet = { warn: () => {}, error: () => {}, debug: () => {} };
  return createBandwidthWebhooks({
    credentials: [LOAD_CREDENTIALS],
    logger: quiet,
    bodyLimit: 64 * 1024,
    voice: { answer: () => Response(SpeakSentence("hello")), disconnect: () => undefined },
    messaging: { messageDelivered: () => undefined, messageReceived: async () => undefined },
    numbers: { orders: () => undefined },
  });
}

async function listen(adapter: FuzzAdapter): Promise<{ port: number; close: () => Promise<void> }> {
  const hooks = webhooks();
  if (adapter === "fastify") {
    const app = Fastify();
    await app.register(hooks.fastify);
    await app.listen({ host: "127.0.0.1", port: 0 });
    return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
  }
  let server: Server;
  if (adapter === "node") server = createServer(hooks.node);
  else if (adapter === "express") {
    const app = express();
    app.use(hooks.express);
    server = createServer(app);
  } else server = createAdaptorServer({ fetch: hooks.fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const headerText = fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, ""));
const validVoice = JSON.stringify({ eventType: "answer", eventTime: "2026-03-14T16:05:03.420Z", accountId: "9900000", applicationId: "a", from: "+15551230000", to: "+15551230001", direction: "inbound", callId: "c-1", callUrl: "https://voice.bandwidth.com/x", startTime: "2026-03-14T16:05:03.420Z", answerTime: "2026-03-14T16:05:03.420Z" });
const validMessaging = JSON.stringify([messagingEvent("fuzz-1", 1)]);
const orderXml = "<?xml version=\"1.0\"?><Notification><SubscriptionId>s</SubscriptionId><OrderType>orders</OrderType><OrderId>o</OrderId><Status>COMPLETE</Status></Notification>";

/** Mutates a valid body: truncation, a flipped character, a duplicated or deleted slice, a type change. */
const mutated = (base: string) =>
  fc.tuple(fc.nat(base.length), fc.nat(base.length), fc.constantFrom("cut", "flip", "dup", "del", "null", "deep")).map(([a, b, how]) => {
    const [i, j] = a < b ? [a, b] : [b, a];
    if (how === "cut") return base.slice(0, i);
    if (how === "flip") return base.slice(0, i) + String.fromCharCode((base.charCodeAt(i) + 1) % 128) + base.slice(i + 1);
    if (how === "dup") return base.slice(0, j) + base.slice(i, j) + base.slice(j);
    if (how === "del") return base.slice(0, i) + base.slice(j);
    if (how === "null") return base.replace(/"[^"]*"(?=[,}])/, "null");
    return "[".repeat(i % 2000) + "]".repeat(i % 2000);
  });

const request = fc.record({
  path: fc.oneof(
    { arbitrary: fc.constantFrom("/callbacks/voice", "/callbacks/messaging", "/callbacks/numbers"), weight: 8 },
    { arbitrary: fc.constantFrom("/callbacks/voice/", "/callbacks/voice?eventType=answer&callId=c&to=+15551230000", "/nope"), weight: 1 },
  ),
  method: fc.oneof({ arbitrary: fc.constant("POST"), weight: 8 }, { arbitrary: fc.constantFrom("GET", "PUT"), weight: 1 }),
  contentType: fc.oneof(
    { arbitrary: fc.constant("match"), weight: 8 }, // the family's own type
    { arbitrary: fc.constantFrom("text/xml", "application/json; charset=latin1", "text/plain", "application/vnd.x+json"), weight: 1 },
    { arbitrary: headerText, weight: 1 },
  ),
  encoding: fc.oneof({ arbitrary: fc.constant(null), weight: 9 }, { arbitrary: fc.constantFrom("gzip", "identity", "br, identity"), weight: 1 }),
  auth: fc.oneof(
    { arbitrary: fc.constant(LOAD_AUTHORIZATION), weight: 8 },
    { arbitrary: fc.oneof(fc.constant(undefined), headerText, fc.string({ maxLength: 30 }).map((s) => `Basic ${Buffer.from(s).toString("base64")}`)), weight: 2 },
  ),
  body: fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
    fc.json({ maxDepth: 4 }),
    mutated(validVoice),
    mutated(validMessaging),
    mutated(orderXml),
    fc.constantFrom(validVoice, validMessaging, orderXml),
    fc.constantFrom(validVoice, validMessaging, orderXml),
    fc.nat(200_000).map((n) => "x".repeat(n)),
  ),
});

/** Fuzzes one adapter with `runs` requests. */
export async function fuzzAdapter(adapter: FuzzAdapter, runs: number, seed = 7): Promise<FuzzReport> {
  const server = await listen(adapter);
  const statuses: Record<string, number> = {};
  let crashes = 0;
  let serverErrors = 0;
  let firstFailure: string | undefined;
  try {
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const own = req.path.startsWith("/callbacks/numbers") ? "application/xml" : "application/json";
        const headers: Record<string, string> = { "content-type": req.contentType === "match" ? own : req.contentType };
        if (req.auth !== undefined) headers.authorization = req.auth;
        if (req.encoding !== null) headers["content-encoding"] = req.encoding;
        try {
          const answer = await send(server.port, { method: req.method, path: req.path, headers, body: req.method === "GET" ? undefined : req.body });
          statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
          if (answer.status >= 500) {
            serverErrors++;
            firstFailure ??= `${req.method} ${req.path} ${req.contentType} → ${answer.status} ${answer.body.slice(0, 120)}`;
          }
        } catch (error) {
          crashes++;
          firstFailure ??= `${req.method} ${req.path}: no answer (${(error as Error).message})`;
        }
      }),
      { numRuns: runs, seed },
    );
  } finally {
    await server.close();
  }
  return { adapter, runs, crashes, serverErrors, statuses, firstFailure };
}

/** Every adapter in turn; also counts unhandled rejections and uncaught exceptions meanwhile. */
export async function runFuzz(runs: number): Promise<{ reports: FuzzReport[]; unhandled: number }> {
  let unhandled = 0;
  const count = (): void => void unhandled++;
  process.on("unhandledRejection", count);
  process.on("uncaughtException", count);
  try {
    const reports: FuzzReport[] = [];
    for (const adapter of FUZZ_ADAPTERS) reports.push(await fuzzAdapter(adapter, runs));
    return { reports, unhandled };
  } finally {
    process.off("unhandledRejection", count);
    process.off("uncaughtException", count);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const i = process.argv.indexOf("--runs");
  const result = await runFuzz(i < 0 ? 2000 : Number(process.argv[i + 1]));
  console.log(JSON.stringify(result, null, 2));
  const bad = result.unhandled + result.reports.reduce((n, r) => n + r.crashes + r.serverErrors, 0);
  process.exit(bad === 0 ? 0 : 1);
}
