/**
 * What the runtime logs and at which level, over real HTTP (node adapter, 127.0.0.1) with the generated
 * voice family: Bandwidth's normal auth challenge is debug (and the default logger drops debug);
 * wrong credentials, 400, 413 and 415 answers are one warn line, 405 one info line; repeated lines are
 * rate-limited (10 a minute per kind, then a count); development mode says once that BXML replies are
 * validated, once per event type that a BXML handler returned nothing or an async one returned BXML;
 * `onResponse` gets family, event type, status and latency for every answer.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createBandwidthWebhooks } from "../generated/index.js";
import type { ResponseInfo } from "../generated/index.js";
import { createRuntimeLog, LOG_LINES_PER_WINDOW, LOG_WINDOW_MS } from "../templates/runtime/http/log.js";
import { GOOD_AUTH, PASSWORD, USERNAME, send } from "./adapter-harness.js";
import { coreRequest } from "./support/core-request.js";

const BXML = '<?xml version="1.0" encoding="UTF-8"?><Response><SpeakSentence>hi</SpeakSentence></Response>';
const base = { accountId: "5590123", applicationId: "3b1f9c2e", from: "+19195550142", to: "+17045550178", direction: "inbound" };
const call = { ...base, callId: "c-1", callUrl: "https://voice.bandwidth.com/c-1", startTime: "2026-05-11T14:02:17.384Z", eventTime: "2026-05-11T14:02:17.384Z" };
const answer = { ...call, eventType: "answer", answerTime: "2026-05-11T14:02:17.384Z" };
const disconnect = { ...call, eventType: "disconnect", endTime: "2026-05-11T14:03:17.384Z", cause: "hangup" };

interface Line {
  level: string;
  message: string;
}

async function startVoice(env: string | undefined, extra: Record<string, unknown>, lines: Line[]): Promise<{ port: number; close: () => Promise<void> }> {
  const saved = process.env.NODE_ENV;
  if (env === undefined) delete process.env.NODE_ENV;
  else process.env.NODE_ENV = env;
  const record = (level: string) => (message: string) => void lines.push({ level, message });
  try {
    const webhooks = createBandwidthWebhooks({
      credentials: [{ username: USERNAME, password: PASSWORD }],
      voice: {
        answer: () => undefined, // forgot to return BXML
        disconnect: () => BXML, // BXML Bandwidth ignores
        gather: async () => {
          await new Promise((resolve) => setTimeout(resolve, 30));
          return BXML;
        },
      },
      logger: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") },
      ...extra,
    } as unknown as Parameters<typeof createBandwidthWebhooks>[0]);
    const server: Server = createServer(webhooks.node);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  } finally {
    if (saved === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = saved;
  }
}

const post = (port: number, body: string, headers: Record<string, string> = {}) =>
  send(port, { path: "/callbacks/voice", headers: { authorization: GOOD_AUTH, "content-type": "application/json", ...headers }, body });

describe("log levels and rate limits (development mode)", () => {
  const lines: Line[] = [];
  const responses: ResponseInfo[] = [];
  let server: { port: number; close: () => Promise<void> };
  before(async () => {
    server = await startVoice(undefined, { onResponse: (info: ResponseInfo) => void responses.push(info) }, lines);
  });
  after(() => server.close());
  const reset = (): void => {
    lines.length = 0;
    responses.length = 0;
  };

  it("the first request says once that BXML replies are validated, and how to turn it off", async () => {
    reset();
    for (let i = 0; i < 3; i++) await post(server.port, JSON.stringify({ ...answer, eventType: "gather" }));
    const notices = lines.filter((l) => l.message.includes("development mode"));
    assert.equal(notices.length, 1);
    assert.equal(notices[0].level, "info");
    assert.match(notices[0].message, /NODE_ENV=production or validateBxml: false/);
  });

  it("a BXML handler returning nothing: empty <Response> as before, one warning per event type", async () => {
    reset();
    for (let i = 0; i < 3; i++) {
      const response = await post(server.port, JSON.stringify(answer));
      assert.equal(response.status, 200);
      assert.match(response.body, /<Response><\/Response>/);
    }
    const warned = lines.filter((l) => l.message.includes("returned nothing"));
    assert.equal(warned.length, 1);
    assert.equal(warned[0].level, "warn");
  });

  it("an async event's handler returning BXML: dropped (204), one warning per event type", async () => {
    reset();
    for (let i = 0; i < 3; i++) assert.equal((await post(server.port, JSON.stringify(disconnect))).status, 204);
    assert.deepEqual(lines.filter((l) => l.message.includes("returned BXML")).map((l) => l.level), ["warn"]);
  });

  it("Bandwidth's challenge (no credentials) is debug; wrong credentials warn", async () => {
    reset();
    assert.equal((await send(server.port, { path: "/callbacks/voice", headers: { "content-type": "application/json" }, body: "{}" })).status, 401);
    assert.deepEqual(lines.map((l) => l.level), ["debug"]);
    reset();
    const wrong = `Basic ${Buffer.from(`${USERNAME}:nope`).toString("base64")}`;
    assert.equal((await post(server.port, "{}", { authorization: wrong })).status, 401);
    assert.deepEqual(lines.map((l) => l.level), ["warn"]);
    assert.ok(!lines[0].message.includes("nope"));
  });

  for (const row of [
    { name: "malformed JSON → 400", body: "{", headers: {}, status: 400, level: "warn", reason: "malformed_json" },
    { name: "wrong content type → 415", body: "{}", headers: { "content-type": "text/plain" }, status: 415, level: "warn", reason: "unsupported_media_type" },
    { name: "announced length over the limit → 413", body: "{}", headers: {}, announce: 10 * 1024 * 1024, status: 413, level: "warn", reason: "payload_too_large" },
  ]) {
    it(`${row.name}: one ${row.level} line naming status and reason`, async () => {
      reset();
      const headers = { authorization: GOOD_AUTH, "content-type": "application/json", ...row.headers };
      const response = await send(server.port, { path: "/callbacks/voice", headers, body: row.body, announceLength: row.announce });
      assert.equal(response.status, row.status);
      assert.deepEqual(lines.map((l) => l.level), [row.level]);
      assert.match(lines[0].message, new RegExp(`answered ${row.status} ${row.reason} on /callbacks/voice`));
    });
  }

  it("a method not allowed → 405: one info line", async () => {
    reset();
    assert.equal((await send(server.port, { method: "PUT", path: "/callbacks/voice", headers: { authorization: GOOD_AUTH } })).status, 405);
    assert.deepEqual(lines.map((l) => l.level), ["info"]);
  });

  it("30 malformed requests in a row: at most 10 lines (a flood cannot amplify the log)", async () => {
    reset();
    for (let i = 0; i < 30; i++) await post(server.port, "not json");
    assert.ok(lines.length <= LOG_LINES_PER_WINDOW, `${lines.length} lines`);
    assert.match(lines.at(-1)!.message, /further lines like this are suppressed/);
  });

  it("onResponse: family, event type, status and latency for every answer", async () => {
    reset();
    await post(server.port, JSON.stringify({ ...answer, eventType: "gather" }));
    await send(server.port, { path: "/callbacks/voice", headers: { "content-type": "application/json" }, body: "{}" });
    assert.equal(responses.length, 2);
    const [gather, challenge] = responses;
    assert.deepEqual([gather.family, gather.path, gather.method, gather.eventType, gather.status], ["voice", "/callbacks/voice", "POST", "gather", 200]);
    assert.ok(gather.latencyMs >= 25, `latency ${gather.latencyMs}`);
    assert.deepEqual([challenge.eventType, challenge.status], [undefined, 401]);
  });
});

describe("production mode", () => {
  it("no development notices: no validation notice, no handler-result warnings", async () => {
    const lines: Line[] = [];
    const server = await startVoice("production", {}, lines);
    try {
      assert.equal((await post(server.port, JSON.stringify(answer))).status, 200);
      assert.equal((await post(server.port, JSON.stringify(disconnect))).status, 204);
      assert.deepEqual(lines, []);
    } finally {
      await server.close();
    }
  });

  it("validateBxml: false in development: no validation notice", async () => {
    const lines: Line[] = [];
    const server = await startVoice(undefined, { validateBxml: false }, lines);
    try {
      await post(server.port, JSON.stringify({ ...answer, eventType: "gather" }));
      assert.deepEqual(lines.filter((l) => l.message.includes("development mode")), []);
    } finally {
      await server.close();
    }
  });
});

describe("the default logger", () => {
  it("drops debug: Bandwidth's normal challenge prints nothing", async () => {
    const calls: string[] = [];
    const saved = { debug: console.debug, info: console.info, warn: console.warn };
    console.debug = (...args: unknown[]) => void calls.push(`debug ${String(args[0])}`);
    console.info = (...args: unknown[]) => void calls.push(`info ${String(args[0])}`);
    console.warn = (...args: unknown[]) => void calls.push(`warn ${String(args[0])}`);
    try {
      const webhooks = createBandwidthWebhooks({ credentials: [{ username: USERNAME, password: PASSWORD }], voice: {} });
      const route = webhooks.core.match("/callbacks/voice")!;
      assert.equal(webhooks.core.check(route, coreRequest(undefined, { authorization: undefined, contentLength: "2" }))?.status, 401);
      assert.deepEqual(calls, []);
      webhooks.core.check(route, coreRequest(undefined, { authorization: "Basic bm9wZTpub3Bl", contentLength: "2" }));
      assert.equal(calls.length, 1);
      assert.match(calls[0], /^warn .*refused a request on \/callbacks\/voice: mismatch credentials/);
    } finally {
      Object.assign(console, saved);
    }
  });
});

describe("the rate limit", () => {
  it("10 lines per kind per minute, then the count of suppressed lines with the next line", () => {
    let now = 0;
    const out: string[] = [];
    const log = createRuntimeLog({ warn: (m) => void out.push(m), error: () => {} }, () => now);
    for (let i = 0; i < 25; i++) log.limited("warn", "a", `a${i}`);
    log.limited("warn", "b", "b0"); // another kind has its own budget
    assert.equal(out.length, LOG_LINES_PER_WINDOW + 1);
    now += LOG_WINDOW_MS;
    log.limited("warn", "a", "a-next");
    assert.equal(out.at(-1), "a-next (15 similar lines suppressed in the previous minute)");
    log.once("warn", "k", "once");
    log.once("warn", "k", "once");
    assert.equal(out.filter((m) => m === "once").length, 1);
  });
});
