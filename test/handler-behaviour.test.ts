/**
 * Handler-core behaviour beyond the shared tables: batches (messaging-style JSON arrays), an XML family
 * with its own reply, what BXML handlers may return, timeouts aborting the context's signal, hooks that
 * throw, the synchronous fast path, large bodies at the default 1 MiB limit on every adapter, connection
 * reuse after an early 401, and the framework variants (Express with body parsers, Fastify with a prefix,
 * Hono). Real HTTP on 127.0.0.1 wherever a transport is involved.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Agent, createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import express from "express";
import Fastify from "fastify";
import { Hono } from "hono";
import { createAdaptorServer } from "@hono/node-server";
import { createWebhookCore } from "../templates/runtime/http/core.js";
import type { FamilyValidationResult, WebhookCoreOptions, WebhookFamily } from "../templates/runtime/http/core.js";
import { createWebhookHandlers } from "../templates/runtime/webhooks.js";
import { parseXml } from "../templates/runtime/xml/parser.js";
import { readNodeHeader } from "../templates/runtime/http/adapters/node.js";
import type { HandlerContext } from "../templates/runtime/http/context.js";
import {
  ADAPTERS,
  ANSWER_BXML,
  GOOD_AUTH,
  PASSWORD,
  USERNAME,
  answerEvent,
  newLog,
  send,
  startServer,
  testOptions,
} from "./adapter-harness.js";
import { coreRequest } from "./support/core-request.js";

const JSON_CT = { "content-type": "application/json" };
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const credentials = [{ username: USERNAME, password: PASSWORD }];

/** A messaging-like batch family: `type` + `id`, JSON arrays, ack 200. */
const batchFamily: WebhookFamily = {
  name: "messaging",
  discriminant: "type",
  format: "json-array",
  contentTypes: ["application/json"],
  ackStatus: 200,
  events: { "message-received": { method: "messageReceived", response: "empty" } },
  validate(input: unknown, options: { strict: boolean }): FamilyValidationResult {
    const event = input as Record<string, unknown>;
    const type = typeof event.type === "string" ? event.type : undefined;
    const errors = [];
    if (typeof event.id !== "string") errors.push({ path: "/id", message: "must be a string" });
    if (options.strict) for (const key of Object.keys(event)) if (key !== "type" && key !== "id") errors.push({ path: `/${key}`, message: "unknown" });
    return errors.length === 0 ? { ok: true, type, value: input } : { ok: false, type, errors };
  },
};

/** An XML family using the runtime's safe parser; root name = event type; one event with its own reply. */
const xmlFamily: WebhookFamily = {
  name: "numbers",
  format: "xml",
  contentTypes: ["application/xml", "text/xml"],
  ackStatus: 200,
  events: {
    Notification: { method: "notification", response: "empty" },
    PortOutValidationRequest: { method: "portOutValidation", response: "port-out-validation-response" },
  },
  parseBody(text: string): unknown {
    const root = parseXml(text);
    return { root: root.name, fields: root.children.length };
  },
  validate(input: unknown): FamilyValidationResult {
    const root = (input as { root: string }).root;
    return root === "Notification" || root === "PortOutValidationRequest"
      ? { ok: true, type: root, value: input }
      : { ok: false, type: root, unknownType: true, errors: [{ path: "", message: `unknown root ${root}` }] };
  },
  renderReply(kind: string, result: unknown): string | undefined {
    assert.equal(kind, "port-out-validation-response");
    return `<PortOutValidationResponse><Portable>${(result as { portable: boolean }).portable}</Portable></PortOutValidationResponse>`;
  },
};

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ port: number; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe("batches (JSON arrays)", () => {
  const seen: string[] = [];
  let server: { port: number; close: () => Promise<void> };
  let strictServer: { port: number; close: () => Promise<void> };
  const handlers = {
    async messageReceived(event: { id: string }) {
      await new Promise((resolve) => setImmediate(resolve));
      seen.push(event.id);
    },
  };
  before(async () => {
    const base = { credentials, logger: quiet, routes: [{ path: "/callbacks/messaging", family: batchFamily, handlers }] };
    server = await listen(createWebhookHandlers(base).node);
    strictServer = await listen(createWebhookHandlers({ ...base, strict: true }).node);
  });
  after(async () => {
    await server.close();
    await strictServer.close();
  });
  const post = (port: number, body: unknown) =>
    send(port, { path: "/callbacks/messaging", headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: JSON.stringify(body) });

  const ROWS: { name: string; body: unknown; strict?: boolean; status: number; seen: string[] }[] = [
    { name: "three events → each handled once, in order, then 200", body: [1, 2, 3].map((n) => ({ type: "message-received", id: `m${n}` })), status: 200, seen: ["m1", "m2", "m3"] },
    { name: "empty array → 200, nothing called", body: [], status: 200, seen: [] },
    { name: "a lone object (as Bandwidth's spec models it) → handled", body: { type: "message-received", id: "solo" }, status: 200, seen: ["solo"] },
    { name: "a non-object element → 400, nothing called", body: [{ type: "message-received", id: "a" }, 7], status: 400, seen: [] },
    { name: "strict: one invalid element rejects the whole batch before any handler runs", strict: true, body: [{ type: "message-received", id: "a" }, { type: "message-received", id: "b", extra: 1 }], status: 400, seen: [] },
    { name: "lenient: the same batch is handled", body: [{ type: "message-received", id: "a" }, { type: "message-received", id: "b", extra: 1 }], status: 200, seen: ["a", "b"] },
  ];
  for (const row of ROWS) {
    it(row.name, async () => {
      seen.length = 0;
      const response = await post(row.strict ? strictServer.port : server.port, row.body);
      assert.equal(response.status, row.status, response.body);
      assert.deepEqual(seen, row.seen);
    });
  }
});

describe("an XML family", () => {
  let server: { port: number; close: () => Promise<void> };
  const seen: string[] = [];
  before(async () => {
    const handlers = {
      notification: (event: { root: string }) => void seen.push(event.root),
      portOutValidation: () => ({ portable: true }),
    };
    server = await listen(createWebhookHandlers({ credentials, logger: quiet, routes: [{ path: "/callbacks/numbers", family: xmlFamily, handlers }] }).node);
  });
  after(() => server.close());
  const post = (contentType: string, body: string) =>
    send(server.port, { path: "/callbacks/numbers", headers: { authorization: GOOD_AUTH, "content-type": contentType }, body });

  const ROWS: { name: string; contentType: string; body: string; status: number; responseBody?: string | RegExp; headers?: Record<string, string> }[] = [
    { name: "notification → 200 empty (numbers need 200)", contentType: "application/xml; charset=utf-8", body: "<Notification><OrderId>o-1</OrderId></Notification>", status: 200, responseBody: "" },
    { name: "text/xml is accepted", contentType: "text/xml", body: "<Notification/>", status: 200 },
    { name: "malformed XML → 400 malformed_xml", contentType: "application/xml", body: "<Notification><OrderId>", status: 400, responseBody: /malformed_xml/ },
    { name: "a DOCTYPE (XXE attempt) → 400", contentType: "application/xml", body: '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Notification>&e;</Notification>', status: 400 },
    { name: "JSON content type → 415", contentType: "application/json", body: "{}", status: 415 },
    { name: "unknown root → fallback, 200", contentType: "application/xml", body: "<Surprise/>", status: 200 },
    {
      name: "family-specific reply rendered by the family → 200 application/xml",
      contentType: "application/xml",
      body: "<PortOutValidationRequest><PON>p</PON></PortOutValidationRequest>",
      status: 200,
      responseBody: "<PortOutValidationResponse><Portable>true</Portable></PortOutValidationResponse>",
      headers: { "content-type": "application/xml; charset=utf-8" },
    },
  ];
  for (const row of ROWS) {
    it(row.name, async () => {
      const response = await post(row.contentType, row.body);
      assert.equal(response.status, row.status, response.body);
      if (row.responseBody instanceof RegExp) assert.match(response.body, row.responseBody);
      else if (row.responseBody !== undefined) assert.equal(response.body, row.responseBody);
      for (const [name, value] of Object.entries(row.headers ?? {})) assert.equal(response.headers[name], value);
    });
  }
});

describe("what BXML handlers may return", () => {
  class Doc {
    toString(): string {
      return "<Response><Pause duration=\"1\"/></Response>";
    }
  }
  const ROWS: { name: string; result: unknown; validate?: boolean; status: number; body?: string; errorKind?: string }[] = [
    { name: "a string", result: ANSWER_BXML, status: 200, body: ANSWER_BXML },
    { name: "a builder document (toXml)", result: { toXml: () => "<Response><Hangup/></Response>" }, status: 200, body: "<Response><Hangup/></Response>" },
    { name: "an object with its own toString", result: new Doc(), status: 200, body: new Doc().toString() },
    { name: "a promise of a string", result: Promise.resolve("<Response/>"), status: 200, body: "<Response/>" },
    { name: "nothing → an empty <Response> (Bandwidth needs BXML for this event)", result: undefined, status: 200, body: '<?xml version="1.0" encoding="UTF-8"?><Response></Response>' },
    { name: "a number → 500, onError(bxml)", result: 42, status: 500, errorKind: "bxml" },
    { name: "a plain object → 500, onError(bxml)", result: { verbs: [] }, status: 500, errorKind: "bxml" },
    { name: "invalid BXML, validation on → 500, onError(bxml)", result: "<Response><Bogus/></Response>", status: 500, errorKind: "bxml" },
    { name: "invalid BXML, validation off (production) → sent as is", result: "<Response><Bogus/></Response>", validate: false, status: 200 },
  ];
  for (const row of ROWS) {
    it(row.name, async () => {
      const log = newLog();
      const options = testOptions(log, { validateBxml: row.validate ?? true });
      const route = options.routes[0];
      const core = createWebhookCore({ ...options, routes: [{ ...route, handlers: { answer: () => row.result } }] });
      const matched = core.match("/callbacks/voice")!;
      const response = await core.handle(matched, coreRequest(answerEvent()));
      assert.equal(response.status, row.status);
      if (row.body !== undefined) assert.equal(response.body, row.body);
      assert.deepEqual(log.errors.map((e) => e.kind), row.errorKind ? [row.errorKind] : []);
    });
  }
});

describe("core fast path and hooks", () => {
  it("a synchronous handler is answered synchronously (no Promise, no async hop)", () => {
    const log = newLog();
    const core = createWebhookCore(testOptions(log));
    const route = core.match("/callbacks/voice")!;
    const sync = core.handle(route, coreRequest(answerEvent()));
    assert.ok(!(sync instanceof Promise));
    const async = core.handle(route, coreRequest(JSON.stringify({ eventType: "disconnect", callId: "c" })));
    assert.ok(async instanceof Promise);
  });

  it("a timeout aborts the handler's context.signal and answers 500", async () => {
    let signal: AbortSignal | undefined;
    const log = newLog();
    const options = testOptions(log, { timeoutMs: 20 });
    const core = createWebhookCore({
      ...options,
      routes: [{ ...options.routes[0], handlers: { answer: (_e: unknown, context: HandlerContext) => ((signal = context.signal), new Promise(() => {})) } }],
    });
    const response = await core.handle(core.match("/callbacks/voice")!, coreRequest(answerEvent(), { url: "/" }));
    assert.equal(response.status, 500);
    assert.equal(signal?.aborted, true);
    assert.match(String((signal?.reason as Error).message), /did not finish within 20 ms/);
    assert.deepEqual(log.errors.map((e) => e.kind), ["timeout"]);
  });

  it("hooks that throw do not escape: onError throwing still gives a 500 and a log line", async () => {
    const errors: string[] = [];
    const log = newLog();
    const options = testOptions(log, {
      onError: () => {
        throw new Error("hook bug");
      },
      logger: { warn: () => {}, error: (m: string) => void errors.push(m) },
    });
    const core = createWebhookCore(options);
    const response = await core.handle(core.match("/callbacks/voice")!, coreRequest(JSON.stringify({ eventType: "gather", callId: "c" }), { url: "/" }));
    assert.equal(response.status, 500);
    assert.match(errors.join("\n"), /onError hook threw/);
  });

  it("context.header reads request headers but never Authorization; context.raw is the transport's request", async () => {
    let seen: { ua?: string; auth?: string; raw?: unknown; valid?: boolean } = {};
    const log = newLog();
    const options = testOptions(log);
    const webhooks = createWebhookHandlers({
      ...options,
      routes: [
        {
          ...options.routes[0],
          handlers: {
            answer: (_e: unknown, context: HandlerContext) => {
              seen = { ua: context.header("User-Agent"), auth: context.header("authorization"), raw: context.raw, valid: context.valid };
              return ANSWER_BXML;
            },
          },
        },
      ],
    });
    const server = await listen(webhooks.node);
    try {
      const response = await send(server.port, { headers: { authorization: GOOD_AUTH, "user-agent": "BandwidthAPI/v2", ...JSON_CT }, body: answerEvent() });
      assert.equal(response.status, 200);
      assert.equal(seen.ua, "BandwidthAPI/v2");
      assert.equal(seen.auth, undefined);
      assert.equal(readNodeHeader(seen.raw, "user-agent"), "BandwidthAPI/v2");
      assert.equal(seen.valid, true);
    } finally {
      await server.close();
    }
  });

  it("refuses unsafe configuration at construction", () => {
    const options = testOptions(newLog());
    assert.throws(() => createWebhookCore({ ...options, bodyLimit: -1 }), /bodyLimit/);
    assert.throws(() => createWebhookCore({ ...options, timeoutMs: 0 }), /timeoutMs/);
    assert.throws(() => createWebhookCore({ ...options, realm: "a\nb" }), /control characters/);
    assert.throws(() => createWebhookCore({ ...options, routes: [options.routes[0], options.routes[0]] }), /two families are mounted/);
  });
});

describe("large bodies at the default 1 MiB limit, every adapter", () => {
  for (const adapter of ADAPTERS) {
    it(`${adapter}: 5 MiB with Content-Length, 3 MiB chunked → 413; 900 KiB → 200; the server stays healthy`, async () => {
      const log = newLog();
      const options: WebhookCoreOptions = { ...testOptions(log), bodyLimit: undefined };
      const server = await startServer(adapter, options);
      try {
        const headers = { authorization: GOOD_AUTH, ...JSON_CT };
        const huge = await send(server.port, { headers, body: answerEvent({ pad: "z".repeat(5 * 1024 * 1024) }) });
        assert.equal(huge.status, 413);
        const chunked = await send(server.port, { headers, body: answerEvent({ pad: "z".repeat(3 * 1024 * 1024) }), chunked: true });
        assert.equal(chunked.status, 413);
        const fits = await send(server.port, { headers, body: answerEvent({ pad: "z".repeat(900 * 1024) }) });
        assert.equal(fits.status, 200);
        assert.equal(fits.body, ANSWER_BXML);
      } finally {
        await server.close();
      }
    });
  }
});

describe("connection reuse after Bandwidth's first, credential-less request", () => {
  for (const adapter of ADAPTERS) {
    it(`${adapter}: 401 (body discarded) then 200 on the same keep-alive socket`, async () => {
      const server = await startServer(adapter, testOptions(newLog()));
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const post = (authorization?: string) =>
        new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
          const body = answerEvent();
          const headers: Record<string, string> = { ...JSON_CT, "content-length": String(Buffer.byteLength(body)) };
          if (authorization) headers.authorization = authorization;
          const req = httpRequest({ host: "127.0.0.1", port: server.port, method: "POST", path: "/callbacks/voice", headers, agent }, (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
          });
          req.on("error", reject);
          req.end(body);
        });
      try {
        const first = await post();
        assert.equal(first.status, 401);
        const second = await post(GOOD_AUTH);
        assert.equal(second.status, 200);
        assert.equal(second.reused, true, "the challenge must not cost the connection");
      } finally {
        agent.destroy();
        await server.close();
      }
    });
  }
});

describe("answers are framed with Content-Length", () => {
  for (const adapter of ADAPTERS) {
    it(`${adapter}: 401, 200 BXML and 400 carry Content-Length (not chunked); 204 carries neither`, async () => {
      const server = await startServer(adapter, testOptions(newLog()));
      try {
        const answers = [
          await send(server.port, { headers: JSON_CT, body: answerEvent() }),
          await send(server.port, { headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: answerEvent() }),
          await send(server.port, { headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: "{" }),
        ];
        assert.deepEqual(answers.map((a) => a.status), [401, 200, 400]);
        for (const answer of answers) {
          assert.equal(answer.headers["transfer-encoding"], undefined, `${answer.status} is not chunked`);
          assert.equal(answer.headers["content-length"], String(Buffer.byteLength(answer.body)), `${answer.status} has its length`);
        }
        const noContent = await send(server.port, { headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: JSON.stringify({ eventType: "disconnect", callId: "c-1" }) });
        assert.equal(noContent.status, 204);
        assert.equal(noContent.headers["transfer-encoding"], undefined);
        if (adapter !== "fastify") assert.equal(noContent.headers["content-length"], undefined);
      } finally {
        await server.close();
      }
    });
  }
});

describe("connection handling after a rejected large body", () => {
  for (const adapter of ADAPTERS) {
    it(`${adapter}: the next delivery on a pooled keep-alive client succeeds (no reuse of a closing socket)`, async () => {
      const server = await startServer(adapter, testOptions(newLog()));
      const base = `http://127.0.0.1:${server.port}/callbacks/voice`;
      const big = answerEvent({ pad: "x".repeat(2 * 1024 * 1024) });
      try {
        for (let round = 0; round < 8; round++) {
          const rejected = await fetch(base, { method: "POST", headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: big });
          assert.equal(rejected.status, 413);
          await rejected.arrayBuffer();
          if (adapter === "node" || adapter === "express") assert.equal(rejected.headers.get("connection"), "close");
          const challenged = await fetch(base, { method: "POST", headers: JSON_CT, body: big });
          assert.equal(challenged.status, 401);
          assert.match(challenged.headers.get("www-authenticate") ?? "", /^Basic realm=/);
          await challenged.arrayBuffer();
          const next = await fetch(base, { method: "POST", headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: answerEvent() });
          assert.equal(next.status, 200);
          assert.equal(await next.text(), ANSWER_BXML);
        }
      } finally {
        await server.close();
      }
    });
  }
});

describe("framework variants", () => {
  const bodyParsers = [
    ["express.json()", () => express.json()],
    ["express.raw()", () => express.raw({ type: "*/*" })],
    ["express.text()", () => express.text({ type: "*/*" })],
  ] as const;
  for (const [name, parser] of bodyParsers) {
    it(`Express with ${name} mounted before the middleware still works`, async () => {
      const log = newLog();
      const webhooks = createWebhookHandlers(testOptions(log));
      const app = express();
      app.use(parser());
      app.use(webhooks.express);
      const server = await listen(app);
      try {
        const ok = await send(server.port, { headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: answerEvent() });
        assert.equal(ok.status, 200);
        assert.equal(ok.body, ANSWER_BXML);
        assert.equal(log.handled[0].event.callId, "c-86d0b1c2");
        const denied = await send(server.port, { headers: JSON_CT, body: answerEvent() });
        assert.equal(denied.status, 401);
        // body-parser inflates a gzip body itself, so the Content-Encoding no longer applies to what we get
        const gzipped = await send(server.port, {
          headers: { authorization: GOOD_AUTH, ...JSON_CT, "content-encoding": "gzip" },
          body: gzipSync(answerEvent()),
        });
        assert.equal(gzipped.status, 200);
        assert.equal(gzipped.body, ANSWER_BXML);
      } finally {
        await server.close();
      }
    });
  }

  it("Express: mounted under a path, other routes fall through to next()", async () => {
    const webhooks = createWebhookHandlers(testOptions(newLog()));
    const app = express();
    app.use("/hooks", webhooks.express);
    app.get("/health", (_req, res) => void res.send("ok"));
    const server = await listen(app);
    try {
      assert.equal((await send(server.port, { path: "/hooks/callbacks/voice", headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: answerEvent() })).status, 200);
      const health = await send(server.port, { method: "GET", path: "/health" });
      assert.deepEqual([health.status, health.body], [200, "ok"]);
    } finally {
      await server.close();
    }
  });

  it("Fastify: registered with a prefix, next to the app's own JSON routes", async () => {
    const webhooks = createWebhookHandlers(testOptions(newLog()));
    const app = Fastify();
    app.post("/api/echo", async (request) => request.body);
    await app.register(webhooks.fastify, { prefix: "/hooks" });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    try {
      const ok = await send(port, { path: "/hooks/callbacks/voice", headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: answerEvent() });
      assert.deepEqual([ok.status, ok.body], [200, ANSWER_BXML]);
      const echo = await send(port, { path: "/api/echo", headers: JSON_CT, body: '{"a":1}' });
      assert.deepEqual([echo.status, echo.body], [200, '{"a":1}'], "the app's JSON parser is untouched outside the plugin");
    } finally {
      await app.close();
    }
  });

  it("Hono: app.all('/callbacks/*', (c) => webhooks.fetch(c.req.raw))", async () => {
    const webhooks = createWebhookHandlers(testOptions(newLog()));
    const app = new Hono();
    app.all("/callbacks/*", (c) => webhooks.fetch(c.req.raw));
    const server = createAdaptorServer({ fetch: app.fetch });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const ok = await send(port, { headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: answerEvent() });
      assert.deepEqual([ok.status, ok.body], [200, ANSWER_BXML]);
      const challenged = await send(port, { headers: JSON_CT, body: answerEvent() });
      assert.equal(challenged.status, 401);
      assert.equal(challenged.headers["www-authenticate"], 'Basic realm="test realm"');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("Fetch handler called directly with a Request (as on Workers/Deno/Bun)", async () => {
    const webhooks = createWebhookHandlers(testOptions(newLog()));
    const response = await webhooks.fetch(
      new Request("https://example.test/callbacks/voice", { method: "POST", headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: answerEvent() }),
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/xml; charset=utf-8");
    assert.equal(await response.text(), ANSWER_BXML);
    const none = await webhooks.fetch(new Request("https://example.test/callbacks/voice", { method: "POST", headers: JSON_CT, body: answerEvent() }));
    assert.equal(none.status, 401);
    assert.equal(none.headers.get("www-authenticate"), 'Basic realm="test realm"');
  });
});
