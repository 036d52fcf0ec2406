/**
 * Shared by the adapter tests: a small voice-like test family (real ajv-compiled schemas), servers for
 * each adapter on 127.0.0.1 (port 0), and a raw node:http client that can send any header bytes,
 * chunked bodies and oversized bodies and still read the answer.
 */

import { createServer, request as httpRequest } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Ajv2020 } from "ajv/dist/2020.js";
import express from "express";
import Fastify from "fastify";
import { createAdaptorServer } from "@hono/node-server";
import type { FamilyValidationResult, WebhookCoreOptions, WebhookFamily } from "../templates/runtime/http/core.js";
import { createWebhookHandlers } from "../templates/runtime/webhooks.js";

export const USERNAME = "bw-user";
export const PASSWORD = "p@ss:word:with:colons";
export const ROTATED = { username: "bw-next", password: "ünïcödé-secret" };
export const REALM = "test realm";
export const CHALLENGE = 'Basic realm="test realm"';
export const GOOD_AUTH = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString("base64")}`;

/** A tiny voice-like family; validators compiled with ajv from real schemas, lenient and strict. */
function voiceLikeFamily(): WebhookFamily {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const base = {
    type: "object",
    properties: {
      eventType: { type: "string" },
      callId: { type: "string", minLength: 1 },
      channels: { type: "integer" },
      to: { type: "string" },
    },
    required: ["eventType", "callId"],
  };
  const lenient = ajv.compile(base);
  const strictCheck = ajv.compile({ ...base, additionalProperties: false });
  return {
    name: "voice",
    discriminant: "eventType",
    format: "json-object",
    contentTypes: ["application/json"],
    methods: ["POST", "GET"],
    events: {
      answer: { method: "answer", response: "bxml" },
      gather: { method: "gather", response: "bxml" },
      redirect: { method: "redirect", response: "bxml" },
      transferAnswer: { method: "transferAnswer", response: "bxml" },
      conferenceMemberJoin: { method: "conferenceMemberJoin", response: "bxml-or-empty" },
      disconnect: { method: "disconnect", response: "empty" },
      dtmf: { method: "dtmf", response: "empty" },
    },
    validate(input: unknown, options: { strict: boolean }): FamilyValidationResult {
      const check = options.strict ? strictCheck : lenient;
      const type = (input as { eventType?: unknown }).eventType;
      if (check(input)) return { ok: true, type: type as string, value: input };
      return {
        ok: false,
        type: typeof type === "string" ? type : undefined,
        errors: (check.errors ?? []).map((e: { instancePath: string; message?: string }) => ({ path: e.instancePath, message: e.message ?? "invalid" })),
      };
    },
  };
}

export const ANSWER_BXML = '<?xml version="1.0" encoding="UTF-8"?><Response><SpeakSentence>hi</SpeakSentence></Response>';

/** What the hooks saw, for assertions. */
export interface HookLog {
  invalid: { eventType: string; paths: string[] }[];
  unknown: { eventType: string; known: boolean }[];
  errors: { kind: string; eventType: string | undefined; message: string }[];
  authFailures: string[];
  handled: { eventType: string; event: Record<string, unknown> }[];
  logs: string[];
}

/** Builds core options wired to a fresh hook log; `overrides` win. */
export function testOptions(log: HookLog, overrides: Partial<WebhookCoreOptions> = {}): WebhookCoreOptions {
  const voice = {
    answer(event: Record<string, unknown>) {
      log.handled.push({ eventType: "answer", event });
      return ANSWER_BXML;
    },
    gather() {
      throw new Error("handler exploded (secret-free)");
    },
    redirect() {
      return new Promise(() => {}); // never settles: hits timeoutMs
    },
    async transferAnswer(event: Record<string, unknown>) {
      log.handled.push({ eventType: "transferAnswer", event });
      return { toXml: () => "<Response><Bogus/></Response>" }; // fails the test BXML validator
    },
    conferenceMemberJoin() {
      return undefined;
    },
    async disconnect(event: Record<string, unknown>) {
      log.handled.push({ eventType: "disconnect", event });
    },
  };
  const quiet = (message: string): void => {
    log.logs.push(message);
  };
  return {
    routes: [{ path: "/callbacks/voice", family: voiceLikeFamily(), handlers: voice }],
    credentials: [{ username: USERNAME, password: PASSWORD }, ROTATED],
    realm: REALM,
    bodyLimit: 1024,
    timeoutMs: 200,
    validateBxml: true,
    bxmlValidator: (xml: string) =>
      xml.includes("<Bogus") ? { ok: false, errors: [{ path: "/Response/Bogus", message: "unknown verb" }] } : { ok: true },
    onInvalid: (report) => log.invalid.push({ eventType: report.eventType, paths: report.errors.map((e) => e.path) }),
    onUnknownEvent: (_event, info) => void log.unknown.push({ eventType: info.eventType, known: info.known }),
    onError: (error, info) =>
      log.errors.push({ kind: info.kind, eventType: info.eventType, message: error instanceof Error ? error.message : String(error) }),
    onAuthFailure: (info) => log.authFailures.push(info.reason),
    logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
    ...overrides,
  };
}

export function newLog(): HookLog {
  return { invalid: [], unknown: [], errors: [], authFailures: [], handled: [], logs: [] };
}

export type AdapterName = "node" | "fetch" | "express" | "fastify";
export const ADAPTERS: readonly AdapterName[] = ["node", "fetch", "express", "fastify"];

export interface RunningServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Starts a real server for one adapter on 127.0.0.1 and an ephemeral port. */
export async function startServer(adapter: AdapterName, options: WebhookCoreOptions): Promise<RunningServer> {
  const webhooks = createWebhookHandlers(options);
  if (adapter === "fastify") {
    const app = Fastify();
    await app.register(webhooks.fastify);
    await app.listen({ host: "127.0.0.1", port: 0 });
    return { port: (app.server.address() as AddressInfo).port, close: () => app.close() };
  }
  let server: Server;
  if (adapter === "node") server = createServer(webhooks.node);
  else if (adapter === "express") {
    const app = express();
    app.use(webhooks.express);
    app.use((_req, res) => void res.status(404).send("express 404"));
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

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RawRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  /** The body; sent with Content-Length unless `chunked`. */
  body?: string | Buffer;
  /** Send the body as several chunks without Content-Length. */
  chunked?: boolean;
  /** Announce this Content-Length but send only `body`. */
  announceLength?: number;
}

/** Sends one request over a fresh connection; resolves with the first response even if the upload is cut. */
export function send(port: number, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers };
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
    if (body !== undefined && !req.chunked) headers["content-length"] = String(req.announceLength ?? body.length);
    if (req.chunked) headers["transfer-encoding"] = "chunked";
    let settled = false;
    const client = httpRequest(
      { host: "127.0.0.1", port, method: req.method ?? "POST", path: req.path ?? "/callbacks/voice", headers, agent: false },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        const finish = (): void => {
          if (settled) return;
          settled = true;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts).toString() });
          client.destroy();
        };
        res.on("end", finish);
        res.on("error", finish);
        res.on("aborted", finish);
      },
    );
    client.on("error", (error) => {
      if (!settled) {
        settled = true;
        reject(error);
      }
    });
    if (body === undefined) client.end();
    else if (req.chunked) {
      // several chunks, so the server sees a stream without a length
      const step = 512;
      let offset = 0;
      const pump = (): void => {
        while (offset < body.length) {
          const ok = client.write(body.subarray(offset, offset + step));
          offset += step;
          if (!ok) {
            client.once("drain", pump);
            return;
          }
        }
        client.end();
      };
      pump();
    } else if (req.announceLength !== undefined && req.announceLength > body.length) {
      client.write(body); // the rest never comes: the server must answer from the header alone
    } else client.end(body);
  });
}

/** A valid JSON answer event. */
export function answerEvent(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ eventType: "answer", callId: "c-86d0b1c2", to: "+15551230000", ...extra });
}
