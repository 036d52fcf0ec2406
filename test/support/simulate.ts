// Receivers for the simulator tests, on 127.0.0.1 and a free port: the generated webhooks served by
// the node:http adapter or by Express, and a raw node:http server whose answers a test scripts (to
// misbehave: no challenge header, invalid BXML, no answer at all). Plus the check every simulator
// test makes: each payload sent validates (strict mode) with the project's validators.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach } from "node:test";
import express from "express";
import { createBandwidthWebhooks } from "../../generated/index.js";
import { validateVoiceCallback } from "../../generated/validators/voice.js";
import type { CallTrace } from "../../generated/testing.js";

export const USER = "bw-user";
export const PASS = "s3cret:pass";
export const quiet = { debug() {}, info() {}, warn() {}, error() {} };

export interface Running {
  readonly url: string;
  readonly origin: string;
  close(): Promise<void>;
}

async function listen(server: Server, path: string): Promise<Running> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin + path,
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

type VoiceHandlers = Parameters<typeof createBandwidthWebhooks>[0]["voice"];

/** The generated webhooks (credentials USER/PASS) on the node adapter or Express. */
export function startWebhooks(adapter: "node" | "express", voice: VoiceHandlers): Promise<Running> {
  const webhooks = createBandwidthWebhooks({ credentials: [{ username: USER, password: PASS }], logger: quiet, voice } as Parameters<typeof createBandwidthWebhooks>[0]);
  if (adapter === "node") return listen(createServer(webhooks.node), "/callbacks/voice");
  const app = express();
  app.use(webhooks.express);
  return listen(createServer(app), "/callbacks/voice");
}

export interface RawExchange {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
  readonly body: string;
}

/** What a raw receiver answers: status, headers, body; `undefined` = never answer. */
export type RawAnswer = { status: number; headers?: Record<string, string>; body?: string } | undefined;

/** A raw receiver: challenges a request without credentials (unless `challenge` is false), then calls `answer`. */
export function startRaw(answer: (exchange: RawExchange, event: Record<string, unknown> | undefined) => RawAnswer, challenge = true): Promise<Running & { seen: RawExchange[] }> {
  const seen: RawExchange[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const exchange = { method: req.method ?? "", path: req.url ?? "", authorization: req.headers.authorization, body: Buffer.concat(chunks).toString() };
      seen.push(exchange);
      if (challenge && exchange.authorization === undefined) {
        res.writeHead(401, { "www-authenticate": 'Basic realm="test"', "content-length": "0" }).end();
        return;
      }
      let event: Record<string, unknown> | undefined;
      try {
        event = JSON.parse(exchange.body);
      } catch {
        event = undefined;
      }
      const a = answer(exchange, event);
      if (a === undefined) return; // hang: the simulator's timeout must fire
      const body = a.body ?? "";
      res.writeHead(a.status, { "content-length": String(Buffer.byteLength(body)), ...(body.startsWith("<") ? { "content-type": "application/xml; charset=utf-8" } : {}), ...a.headers }).end(body);
    });
  });
  return listen(server, "/callbacks/voice").then((r) => Object.assign(r, { seen }));
}

/** Every payload the simulator sent validates with the project's voice validator, strict mode included. */
export function assertPayloadsValid(trace: CallTrace): void {
  assert.ok(trace.requests.length > 0, "the simulator sent nothing");
  for (const request of trace.requests) {
    const lenient = validateVoiceCallback(request.payload);
    assert.ok(lenient.ok, `${request.event} payload invalid: ${JSON.stringify(!lenient.ok && lenient.errors)}`);
    const strict = validateVoiceCallback(request.payload, { strict: true });
    assert.ok(strict.ok, `${request.event} payload has unknown properties: ${JSON.stringify(!strict.ok && strict.errors)}`);
  }
}

/** Event types of the requests, in order (a retried or fallback request counts once per attempt). */
export const events = (trace: CallTrace): string[] => trace.requests.map((r) => r.event);

/** A 200 answer carrying a BXML document: `body` inside `<Response>`. */
export const bxmlAnswer = (body: string): RawAnswer => ({ status: 200, body: `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>` });

/** A 204 acknowledgement. */
export const ACK: RawAnswer = { status: 204 };

/** A list whose servers are closed after each test of the file that calls this (at its top level). */
export function closedAfterEach(): { close(): Promise<void> }[] {
  const running: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((r) => r.close()));
  });
  return running;
}
