/**
 * The auth matrix and the bad-input table, run against EVERY adapter (native node:http, Fetch via
 * @hono/node-server, Express 5, Fastify 5) over real HTTP on 127.0.0.1. One row per case, each with the
 * expected status and headers.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import {
  ADAPTERS,
  ANSWER_BXML,
  CHALLENGE,
  GOOD_AUTH,
  PASSWORD,
  ROTATED,
  USERNAME,
  answerEvent,
  newLog,
  send,
  startServer,
  testOptions,
} from "./adapter-harness.js";
import type { HookLog, RawRequest, RawResponse, RunningServer } from "./adapter-harness.js";
import { readFileSync } from "node:fs";
import type { WebhookFamily } from "../templates/runtime/http/core.js";
import { INTERNAL_ERROR } from "../templates/runtime/http/responses.js";

const b64 = (value: string | Buffer): string => (Buffer.isBuffer(value) ? value : Buffer.from(value)).toString("base64");
const JSON_CT = { "content-type": "application/json" };

interface AuthRow {
  name: string;
  authorization?: string;
  expect: 200 | 401;
}

const AUTH_MATRIX: AuthRow[] = [
  { name: "no Authorization header (Bandwidth's first try)", expect: 401 },
  { name: "empty header", authorization: "", expect: 401 },
  { name: "wrong scheme (Bearer)", authorization: `Bearer ${b64(`${USERNAME}:${PASSWORD}`)}`, expect: 401 },
  { name: "scheme without token", authorization: "Basic", expect: 401 },
  { name: "bad base64", authorization: "Basic not*base64!", expect: 401 },
  { name: "base64 of the right pair, truncated by one symbol", authorization: GOOD_AUTH.slice(0, -2), expect: 401 },
  { name: "no colon", authorization: `Basic ${b64(`${USERNAME}${PASSWORD}`)}`, expect: 401 },
  { name: "empty user", authorization: `Basic ${b64(`:${PASSWORD}`)}`, expect: 401 },
  { name: "empty password", authorization: `Basic ${b64(`${USERNAME}:`)}`, expect: 401 },
  { name: "non-UTF-8 bytes", authorization: `Basic ${b64(Buffer.from([0x62, 0x77, 0xff, 0x3a, 0xfe, 0x70]))}`, expect: 401 },
  { name: "wrong user", authorization: `Basic ${b64(`bw-usr:${PASSWORD}`)}`, expect: 401 },
  { name: "wrong password", authorization: `Basic ${b64(`${USERNAME}:p@ss:word:with:colonz`)}`, expect: 401 },
  { name: "password is a prefix of the right one", authorization: `Basic ${b64(`${USERNAME}:p@ss:word`)}`, expect: 401 },
  { name: "password with an extra suffix", authorization: `Basic ${b64(`${USERNAME}:${PASSWORD}x`)}`, expect: 401 },
  { name: "user and password swapped pairs (rotation user, first password)", authorization: `Basic ${b64(`${ROTATED.username}:${PASSWORD}`)}`, expect: 401 },
  { name: "right pair; password containing colons", authorization: GOOD_AUTH, expect: 200 },
  { name: "rotation: second configured pair (UTF-8 password)", authorization: `Basic ${b64(`${ROTATED.username}:${ROTATED.password}`)}`, expect: 200 },
  { name: "lowercase `basic` scheme (valid per RFC 7235)", authorization: `basic ${b64(`${USERNAME}:${PASSWORD}`)}`, expect: 200 },
  { name: "upper-case BASIC and two spaces", authorization: `BASIC  ${b64(`${USERNAME}:${PASSWORD}`)}`, expect: 200 },
  { name: "unpadded base64 of the right pair", authorization: GOOD_AUTH.replace(/=+$/, ""), expect: 200 },
];

interface InputRow {
  name: string;
  request: RawRequest;
  /** Which server: default (lenient) or strict. */
  strict?: boolean;
  status: number;
  headers?: Record<string, string | RegExp>;
  body?: string | RegExp;
  /** Adapters where the row does not apply (the reason is in the row's comment). */
  skip?: readonly string[];
  /** Extra check on the hook log after the answer. */
  log?: (log: HookLog) => void;
}

const big = "x".repeat(4096);

const INPUT_TABLE: InputRow[] = [
  {
    name: "valid answer → 200 + BXML with the exact content type",
    request: { headers: JSON_CT, body: answerEvent() },
    status: 200,
    headers: { "content-type": "application/xml; charset=utf-8" },
    body: ANSWER_BXML,
  },
  {
    name: "malformed JSON → 400 short JSON error",
    request: { headers: JSON_CT, body: '{"eventType":"answer",' },
    status: 400,
    headers: { "content-type": /^application\/json/ },
    body: /"error":"malformed_json"/,
  },
  {
    name: "trailing comma (seen in Bandwidth's own samples) is still malformed JSON → 400",
    request: { headers: JSON_CT, body: '{"eventType":"answer","callId":"c-1",}' },
    status: 400,
    body: /malformed_json/,
  },
  { name: "empty body → 400", request: { headers: JSON_CT, body: "" }, status: 400, body: /empty_body/ },
  {
    name: "JSON that is not an object → 400",
    request: { headers: JSON_CT, body: "[1,2]" },
    status: 400,
    body: /invalid_body/,
  },
  {
    name: "no discriminant → 400",
    request: { headers: JSON_CT, body: '{"callId":"c-1"}' },
    status: 400,
    body: /invalid_body/,
  },
  {
    name: "wrong content type → 415",
    request: { headers: { "content-type": "text/plain" }, body: answerEvent() },
    status: 415,
    body: /unsupported_media_type/,
  },
  {
    name: "missing content type → 415",
    request: { body: answerEvent() },
    status: 415,
  },
  {
    name: "JSON in a non-UTF-8 charset → 415",
    request: { headers: { "content-type": "application/json; charset=iso-8859-1" }, body: answerEvent() },
    status: 415,
  },
  {
    name: "gzip-encoded body → 415 unsupported_content_encoding, never parsed",
    request: { headers: { ...JSON_CT, "content-encoding": "gzip" }, body: gzipSync(answerEvent()) },
    status: 415,
    headers: { "accept-encoding": "identity" },
    body: /unsupported_content_encoding/,
    log: (log) => assert.equal(log.handled.length, 0),
  },
  {
    name: "Content-Encoding: identity is fine",
    request: { headers: { ...JSON_CT, "content-encoding": "Identity" }, body: answerEvent() },
    status: 200,
    body: ANSWER_BXML,
  },
  {
    name: "content type with parameters and odd case is fine",
    request: { headers: { "content-type": "Application/JSON ; Charset=UTF-8" }, body: answerEvent() },
    status: 200,
  },
  {
    name: "Content-Length over the limit → 413 before the body arrives",
    request: { headers: JSON_CT, body: answerEvent(), announceLength: 10 * 1024 * 1024 },
    status: 413,
    body: /payload_too_large/,
  },
  {
    name: "Content-Length over the limit, whole body sent → 413",
    request: { headers: JSON_CT, body: answerEvent({ pad: big }) },
    status: 413,
  },
  {
    name: "chunked body (no Content-Length) over the limit → 413",
    request: { headers: JSON_CT, body: answerEvent({ pad: big }), chunked: true },
    status: 413,
    body: /payload_too_large/,
  },
  {
    name: "chunked body under the limit → 200",
    request: { headers: JSON_CT, body: answerEvent({ pad: "y".repeat(600) }), chunked: true },
    status: 200,
  },
  {
    name: "wrong type, lenient (default) → invalid: not dispatched, reported to onInvalid, empty <Response>",
    request: { headers: JSON_CT, body: answerEvent({ channels: "two", newField: true }) },
    status: 200,
    body: /<Response><\/Response>/,
    log: (log) => {
      assert.deepEqual(log.invalid, [{ eventType: "answer", paths: ["/channels"] }]);
      assert.equal(log.handled.length, 0);
    },
  },
  {
    name: "unknown property, lenient → accepted silently",
    request: { headers: JSON_CT, body: answerEvent({ addedByBandwidthLater: 1 }) },
    status: 200,
    log: (log) => assert.equal(log.invalid.length, 0),
  },
  {
    name: "schema violation, strict → 400 with issues",
    strict: true,
    request: { headers: JSON_CT, body: answerEvent({ newField: true }) },
    status: 400,
    body: /"error":"invalid_event".*"issues"/,
    log: (log) => assert.equal(log.handled.length, 0),
  },
  {
    name: "valid event, strict → 200",
    strict: true,
    request: { headers: JSON_CT, body: answerEvent() },
    status: 200,
  },
  {
    name: "unknown event type → fallback hook, acknowledged 204",
    request: { headers: JSON_CT, body: JSON.stringify({ eventType: "holographicCall", callId: "c-1" }) },
    status: 204,
    body: "",
    log: (log) => assert.deepEqual(log.unknown, [{ eventType: "holographicCall", known: false }]),
  },
  {
    name: "known event without a handler → fallback hook, 204",
    request: { headers: JSON_CT, body: JSON.stringify({ eventType: "dtmf", callId: "c-1" }) },
    status: 204,
    log: (log) => assert.deepEqual(log.unknown, [{ eventType: "dtmf", known: true }]),
  },
  {
    name: "event type that names an Object.prototype member → unknown, 204",
    request: { headers: JSON_CT, body: JSON.stringify({ eventType: "constructor", callId: "c-1" }) },
    status: 204,
    log: (log) => assert.deepEqual(log.unknown, [{ eventType: "constructor", known: false }]),
  },
  {
    name: "async event → 204 empty",
    request: { headers: JSON_CT, body: JSON.stringify({ eventType: "disconnect", callId: "c-1" }) },
    status: 204,
    body: "",
    log: (log) => assert.equal(log.handled[0]?.eventType, "disconnect"),
  },
  {
    name: "conference event, handler returns nothing → 204",
    request: { headers: JSON_CT, body: JSON.stringify({ eventType: "conferenceMemberJoin", callId: "c-1" }) },
    status: 204,
  },
  {
    name: "handler throws → 500 generic body, onError(handler)",
    request: { headers: JSON_CT, body: JSON.stringify({ eventType: "gather", callId: "c-1" }) },
    status: 500,
    body: '{"error":"internal_error","message":"the webhook handler failed"}',
    log: (log) => assert.deepEqual(log.errors.map((e) => [e.kind, e.eventType]), [["handler", "gather"]]),
  },
  {
    name: "handler never settles → 500 after timeoutMs, onError(timeout)",
    request: { headers: JSON_CT, body: JSON.stringify({ eventType: "redirect", callId: "c-1" }) },
    status: 500,
    body: /internal_error/,
    log: (log) => assert.deepEqual(log.errors.map((e) => [e.kind, e.eventType]), [["timeout", "redirect"]]),
  },
  {
    name: "invalid BXML in development mode → 500, onError(bxml)",
    request: { headers: JSON_CT, body: JSON.stringify({ eventType: "transferAnswer", callId: "c-1" }) },
    status: 500,
    log: (log) => assert.deepEqual(log.errors.map((e) => [e.kind, e.eventType]), [["bxml", "transferAnswer"]]),
  },
  {
    name: "GET voice callback with query parameters → 200 BXML (numeric field coerced)",
    request: { method: "GET", path: "/callbacks/voice?eventType=answer&callId=c-9&channels=2&to=%2B15551230000" },
    status: 200,
    headers: { "content-type": "application/xml; charset=utf-8" },
    body: ANSWER_BXML,
    log: (log) => {
      assert.deepEqual(log.handled[0]?.event, { eventType: "answer", callId: "c-9", channels: 2, to: "+15551230000" });
      assert.equal(log.invalid.length, 0);
    },
  },
  {
    name: "GET without query → 400",
    request: { method: "GET", path: "/callbacks/voice" },
    status: 400,
  },
  {
    name: "trailing slash on the path is accepted",
    skip: ["fastify"], // Fastify routes by itself: trailing slashes follow the app's ignoreTrailingSlash
    request: { path: "/callbacks/voice/", headers: JSON_CT, body: answerEvent() },
    status: 200,
  },
  {
    name: "PUT → 405 with Allow",
    request: { method: "PUT", headers: JSON_CT, body: answerEvent() },
    status: 405,
    headers: { allow: "GET, POST" },
  },
];

for (const adapter of ADAPTERS) {
  describe(`${adapter} adapter over real HTTP`, () => {
    let lenient: RunningServer;
    let strict: RunningServer;
    let lenientLog = newLog();
    let strictLog = newLog();
    before(async () => {
      lenient = await startServer(adapter, testOptions(lenientLog));
      strict = await startServer(adapter, testOptions(strictLog, { strict: true }));
    });
    after(async () => {
      await lenient.close();
      await strict.close();
    });

    describe("auth matrix", () => {
      for (const row of AUTH_MATRIX) {
        it(`${row.name} → ${row.expect}`, async () => {
          lenientLog = resetLog(lenientLog);
          const headers: Record<string, string> = { ...JSON_CT };
          if (row.authorization !== undefined) headers.authorization = row.authorization;
          const response = await send(lenient.port, { headers, body: answerEvent() });
          assert.equal(response.status, row.expect);
          if (row.expect === 401) {
            assert.equal(response.headers["www-authenticate"], CHALLENGE);
            assert.equal(response.body, "");
            assert.equal(lenientLog.handled.length, 0, "the handler must not run");
          } else {
            assert.equal(response.headers["www-authenticate"], undefined);
            assert.equal(response.body, ANSWER_BXML);
          }
          assertNoSecrets(response, lenientLog);
        });
      }

      it("401 does not depend on the body: a credential-less request with garbage and a huge announced length is challenged", async () => {
        const response = await send(lenient.port, {
          headers: { "content-type": "text/plain" },
          body: "garbage",
          announceLength: 50 * 1024 * 1024,
        });
        assert.equal(response.status, 401);
        assert.equal(response.headers["www-authenticate"], CHALLENGE);
      });

      it("GET with query still needs credentials", async () => {
        const response = await send(lenient.port, { method: "GET", path: "/callbacks/voice?eventType=answer&callId=c-1" });
        assert.equal(response.status, 401);
        assert.equal(response.headers["www-authenticate"], CHALLENGE);
      });
    });

    describe("bad-input table", () => {
      for (const row of INPUT_TABLE) {
        it(row.name, { skip: row.skip?.includes(adapter) }, async () => {
          const server = row.strict ? strict : lenient;
          if (row.strict) strictLog = resetLog(strictLog);
          else lenientLog = resetLog(lenientLog);
          const request: RawRequest = { ...row.request, headers: { authorization: GOOD_AUTH, ...row.request.headers } };
          const response = await send(server.port, request);
          assert.equal(response.status, row.status, `body: ${response.body}`);
          for (const [name, expected] of Object.entries(row.headers ?? {})) {
            const actual = String(response.headers[name]);
            if (expected instanceof RegExp) assert.match(actual, expected, name);
            else assert.equal(actual, expected, name);
          }
          if (row.body instanceof RegExp) assert.match(response.body, row.body);
          else if (row.body !== undefined) assert.equal(response.body, row.body);
          row.log?.(row.strict ? strictLog : lenientLog);
        });
      }

      it("a path that is not a webhook route → 404", async () => {
        const response = await send(lenient.port, { path: "/elsewhere", headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: answerEvent() });
        assert.equal(response.status, 404);
      });

      it("the server is still healthy after every bad input", async () => {
        const response = await send(lenient.port, { headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: answerEvent() });
        assert.equal(response.status, 200);
      });
    });
  });
}

/**
 * A core that fails itself (not a handler: the family's validator throws), so the request ends in the
 * adapter's own catch: synchronously (`handle` throws) or asynchronously (`handle`'s promise rejects,
 * after the body check). Every adapter answers the one 500 of responses.ts, byte for byte.
 */
function failingFamily(log: HookLog, async: boolean): WebhookFamily {
  const base = testOptions(log).routes[0].family;
  return {
    ...base,
    validate: () => {
      throw new Error("validator bug");
    },
    ...(async ? { verifyBody: () => Promise.resolve({ ok: true as const }) } : {}),
  };
}

for (const adapter of ADAPTERS) {
  describe(`${adapter} adapter: the 500 when the core itself fails comes from responses.ts`, () => {
    for (const async of [false, true]) {
      it(`${async ? "a rejected" : "a thrown"} core.handle → INTERNAL_ERROR's status, headers and body`, async () => {
        const log = newLog();
        const options = testOptions(log);
        const server = await startServer(adapter, { ...options, routes: [{ ...options.routes[0], family: failingFamily(log, async) }] });
        try {
          const response = await send(server.port, { headers: { authorization: GOOD_AUTH, ...JSON_CT }, body: answerEvent() });
          assert.equal(response.status, INTERNAL_ERROR.status);
          assert.equal(response.body, INTERNAL_ERROR.body);
          assert.equal(response.headers["content-type"], INTERNAL_ERROR.headers["content-type"]);
        } finally {
          await server.close();
        }
      });
    }
  });
}

describe("adapters write no answer of their own", () => {
  for (const adapter of ADAPTERS) {
    it(`${adapter}.ts holds no status code or JSON error body: its answers are imported from responses.ts`, () => {
      const source = readFileSync(new URL(`../templates/runtime/http/adapters/${adapter}.ts`, import.meta.url), "utf8");
      assert.doesNotMatch(source, /status:\s*[45]\d\d/, "a hand-written error answer (status: 4xx/5xx) in the adapter");
      assert.doesNotMatch(source, /"error"\s*:/, "a hand-written JSON error body in the adapter");
    });
  }
});

/** Empties a hook log in place (the servers hold a reference to it). */
function resetLog(log: HookLog): HookLog {
  for (const list of Object.values(log)) (list as unknown[]).length = 0;
  return log;
}

function assertNoSecrets(response: RawResponse, log: HookLog): void {
  const everything = JSON.stringify([response, log]);
  for (const secret of [PASSWORD, ROTATED.password, b64(`${USERNAME}:${PASSWORD}`)]) {
    assert.ok(!everything.includes(secret), "a secret leaked into a response or a log");
  }
}
