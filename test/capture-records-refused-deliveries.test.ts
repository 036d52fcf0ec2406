// A flight recorder exists for incidents: a delivery the receiver refused is recorded like any other, on a
// real node:http receiver: wrong credentials (401), a method it does not take (405), a wrong content type
// (415), a body over the limit announced or streamed (413), malformed JSON (400), an unknown event type, an
// invalid event, a handler that throws (500), a dedupe store that is down (503). A refused body that was
// never read is not stored (`omitted` says why, with the size of one over the limit); one that was read is
// stored redacted. The credential-less first request of Bandwidth's 401 challenge is the handshake, not a
// delivery: not recorded. `replayCapture` replays every refused one as it came (its method, content type,
// size; wrong credentials for the 401) and compares its status: clean against the same receiver, the
// status named where the receiver now answers otherwise (a larger body limit: 413 becomes 400). Refusals
// anyone can cause (wrong credentials, a method: checked before the credentials) are recorded at most
// UNAUTHENTICATED_REFUSALS_PER_SECOND a second, so a flood cannot fill the capture; Bandwidth's are all.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { parseCapture } from "../generated/capture.js";
import { UNAUTHENTICATED_REFUSALS_PER_SECOND } from "../generated/runtime/http/core.js";
import { replayCapture } from "../generated/testing.js";
import { captureFolder } from "./support/capture.js";
import { runCliAsync } from "./support/cli.js";

const { root, createCapture } = captureFolder("bw-capture-refused-");
const USERNAME = "bw-user";
const PASSWORD = "refused-s3cret-pw";
const WRONG = "not-my-s3cret-pw";
const silent = { info() {}, warn() {}, error() {}, debug() {} };
const auth = (password: string) => `Basic ${Buffer.from(`${USERNAME}:${password}`).toString("base64")}`;
const ANSWER = JSON.parse(readFileSync(new URL("./fixtures/published-like/voice/answer.json", import.meta.url), "utf8"));
const GATHER = { ...ANSWER, eventType: "gather", digits: "1", terminatingDigit: "#" };

/** A receiver on 127.0.0.1 whose gather handler throws and whose dedupe store is down (messaging: 503). */
async function receiver(options: { capture?: ReturnType<typeof createCapture>; bodyLimit?: number }) {
  const webhooks = createBandwidthWebhooks({
    credentials: [{ username: USERNAME, password: PASSWORD }],
    logger: silent,
    ...(options.capture === undefined ? {} : { capture: options.capture }),
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    dedupe: { store: { claim: () => Promise.reject(new Error("down")), complete: () => Promise.resolve(), release: () => Promise.resolve() } },
    onError: () => undefined,
    voice: {
      answer: () => "<Response><SpeakSentence>Hello</SpeakSentence></Response>",
      gather: () => {
        throw new Error("the handler failed");
      },
    },
    messaging: { messageDelivered: () => undefined },
  });
  const server = createServer(webhooks.node);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A POST whose body streams in chunks without a Content-Length (its size known only once over the limit). */
function chunked(url: string, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}/callbacks/voice`, { method: "POST", headers: { authorization: auth(PASSWORD), "content-type": "application/json" } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    for (let sent = 0; sent < bytes; sent += 1000) req.write(" ".repeat(1000));
    req.end();
  });
}

test("refused deliveries are recorded (all but the challenge's credential-less first request) and replay compares their status", async () => {
  let text = "";
  const capture = createCapture({ dir: join(root, "refused") });
  const server = await receiver({ capture, bodyLimit: 4096 });
  try {
    const send = async (init: { method?: string; password?: string | null; contentType?: string | null; body?: string }) => {
      const headers: Record<string, string> = {};
      if (init.password !== null) headers.authorization = auth(init.password ?? PASSWORD);
      if (init.contentType !== null) headers["content-type"] = init.contentType ?? "application/json";
      const response = await fetch(`${server.url}${init.method === "GET" ? "/callbacks/messaging" : "/callbacks/voice"}`, { method: init.method ?? "POST", headers, body: init.body });
      await response.arrayBuffer();
      return response.status;
    };
    const body = JSON.stringify(ANSWER);
    const statuses = [
      await send({ password: null, body }), // the challenge's first request: the handshake
      await send({ body }), // delivered
      await send({ password: WRONG, body }),
      await send({ method: "PUT", body }),
      await send({ contentType: "text/plain", body }),
      await send({ body: `${body}${" ".repeat(6000)}` }), // Content-Length over the limit
      await chunked(server.url, 6000),
      await send({ body: '{"eventType":"answer","from":"+19195550100",' }),
      await send({ body: JSON.stringify({ ...ANSWER, eventType: "spaceship" }) }),
      await send({ body: JSON.stringify({ ...ANSWER, callId: 42 }) }),
      await send({ body: JSON.stringify(GATHER) }),
    ];
    const messaging = await fetch(`${server.url}/callbacks/messaging`, {
      method: "POST",
      headers: { authorization: auth(PASSWORD), "content-type": "application/json" },
      body: readFileSync(new URL("./fixtures/published-like/messaging/message-delivered-sms.json", import.meta.url), "utf8"),
    });
    await messaging.arrayBuffer();
    statuses.push(messaging.status);
    assert.deepEqual(statuses, [401, 200, 401, 405, 415, 413, 413, 400, 204, 200, 500, 503]);

    const files = await capture.close();
    text = files.map((file) => readFileSync(file, "utf8")).join("");
    const entries = parseCapture(text);
    assert.deepEqual(
      entries.map((e) => [e.method, e.answer.status, e.omitted]),
      [
        ["POST", 200, undefined],
        ["POST", 401, "not read: answered 401 before the body"],
        ["PUT", 405, "not read: answered 405 before the body"],
        ["POST", 415, "not read: answered 415 before the body"],
        ["POST", 413, `over the body limit (${Buffer.byteLength(body) + 6000} bytes announced)`],
        ["POST", 413, "over the body limit (more than 4096 bytes)"],
        ["POST", 400, undefined],
        ["POST", 204, undefined],
        ["POST", 200, undefined],
        ["POST", 500, undefined],
        ["POST", 503, undefined],
      ],
    );
    assert.deepEqual(
      entries.map((e) => e.body === null),
      [false, true, true, true, true, true, false, false, false, false, false],
    );
    assert.equal(entries[3].headers["content-type"], "text/plain");
    // refused bodies that were read are redacted like any other; no credential in any form
    assert.ok(!text.includes("+19195550100") && !text.includes(ANSWER.callId), "redacted");
    assert.match(entries[6].body ?? "", /^\[redacted 44 characters/, "a malformed body is redacted whole (redact.ts)");
    for (const secret of [PASSWORD, WRONG, auth(PASSWORD), auth(WRONG), Buffer.from(`${USERNAME}:${WRONG}`).toString("base64")]) assert.ok(!text.includes(secret));

    const same = await replayCapture(server.url, text, { username: USERNAME, password: PASSWORD });
    assert.deepEqual(
      same.results.filter((r) => r.differences.length > 0).map((r) => [r.index, r.differences, r.error]),
      [],
    );
    assert.deepEqual(
      same.results.map((r) => r.actual.status),
      entries.map((e) => e.answer.status),
    );
  } finally {
    await server.close();
  }

  // the same receiver with the default body limit: the recorded bodies over the limit are read now (and refused as malformed)
  const larger = await receiver({});
  try {
    const report = await replayCapture(larger.url, text, { username: USERNAME, password: PASSWORD });
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.results.filter((r) => r.differences.length > 0).map((r) => [r.index, r.differences]),
      [
        [4, [{ path: "status", recorded: "413", actual: "400" }, { path: "$.error", recorded: '"payload_too_large"', actual: '"empty_body"' }, { path: "$.message", recorded: '"request body exceeds the configured limit"', actual: '"request body is empty"' }]],
        [5, [{ path: "status", recorded: "413", actual: "400" }, { path: "$.error", recorded: '"payload_too_large"', actual: '"empty_body"' }, { path: "$.message", recorded: '"request body exceeds the configured limit"', actual: '"request body is empty"' }]],
      ],
    );
  } finally {
    await larger.close();
  }
});

test("the Fetch adapter records the deliveries it refuses itself too (a streamed body over the limit), and replay in process compares them", async () => {
  const capture = createCapture({ dir: join(root, "fetch") });
  const webhooks = createBandwidthWebhooks({ credentials: [{ username: USERNAME, password: PASSWORD }], logger: silent, capture, bodyLimit: 4096, voice: { answer: () => "<Response/>" } });
  const post = (headers: Record<string, string>, body: BodyInit) =>
    webhooks.fetch(new Request("http://127.0.0.1/callbacks/voice", { method: "POST", headers, body, duplex: "half" } as RequestInit));
  const json = { authorization: auth(PASSWORD), "content-type": "application/json" };
  const streamed = new ReadableStream({
    start(controller) {
      for (let i = 0; i < 6; i++) controller.enqueue(new TextEncoder().encode(" ".repeat(1000)));
      controller.close();
    },
  });
  const statuses = [
    (await post({ "content-type": "application/json" }, JSON.stringify(ANSWER))).status,
    (await post({ ...json, authorization: auth(WRONG) }, JSON.stringify(ANSWER))).status,
    (await post({ ...json, "content-type": "application/x-www-form-urlencoded" }, "a=1")).status,
    (await post(json, streamed)).status,
  ];
  assert.deepEqual(statuses, [401, 401, 415, 413]);
  const text = (await capture.close()).map((file) => readFileSync(file, "utf8")).join("");
  const entries = parseCapture(text);
  assert.deepEqual(
    entries.map((e) => [e.answer.status, e.omitted]),
    [
      [401, "not read: answered 401 before the body"],
      [415, "not read: answered 415 before the body"],
      [413, "over the body limit (more than 4096 bytes)"],
    ],
  );
  const report = await replayCapture(webhooks.fetch, text, { username: USERNAME, password: PASSWORD });
  assert.deepEqual(
    report.results.map((r) => [r.actual.status, r.differences]),
    [
      [401, []],
      [415, []],
      [413, []],
    ],
  );
});

test("refusals anyone can cause (wrong credentials, a method) are recorded at most UNAUTHENTICATED_REFUSALS_PER_SECOND a second; Bandwidth's own are all recorded", async () => {
  const capture = createCapture({ dir: join(root, "flood") });
  const webhooks = createBandwidthWebhooks({ credentials: [{ username: USERNAME, password: PASSWORD }], logger: silent, capture, voice: { answer: () => "<Response/>" } });
  const send = (method: string, authorization: string, contentType = "application/json") =>
    webhooks.fetch(new Request("http://127.0.0.1/callbacks/voice", { method, headers: { authorization, "content-type": contentType }, body: JSON.stringify(ANSWER) }));
  const started = Date.now();
  for (let i = 0; i < 300; i++) {
    assert.equal((await send("POST", auth(WRONG))).status, 401);
    assert.equal((await send("PUT", auth(WRONG))).status, 405);
  }
  const seconds = Math.floor(Date.now() / 1000) - Math.floor(started / 1000) + 1; // the seconds the flood touched
  // authenticated refusals are Bandwidth's: every one is recorded
  for (let i = 0; i < 30; i++) assert.equal((await send("POST", auth(PASSWORD), "text/plain")).status, 415);
  const entries = parseCapture((await capture.close()).map((file) => readFileSync(file, "utf8")).join(""));
  const unauthenticated = entries.filter((e) => e.answer.status === 401 || e.answer.status === 405).length;
  assert.ok(unauthenticated >= UNAUTHENTICATED_REFUSALS_PER_SECOND, `${unauthenticated} recorded`);
  assert.ok(unauthenticated <= UNAUTHENTICATED_REFUSALS_PER_SECOND * seconds, `${unauthenticated} recorded in ${seconds} second(s) of 600 refusals`);
  assert.equal(entries.filter((e) => e.answer.status === 415).length, 30);
});

test("bw-codegen replay of a capture of refused credentials alone is clean, with no hint that the credentials given were refused", async () => {
  const server = await receiver({});
  try {
    const file = join(root, "only-401.ndjson");
    const entry = { v: 1, at: "2026-12-05T08:00:00.000Z", family: "voice", method: "POST", url: "/callbacks/voice", headers: { "content-type": "application/json" }, body: null, omitted: "not read: answered 401 before the body", answer: { status: 401, body: "" }, latencyMs: 0 };
    writeFileSync(file, `${JSON.stringify(entry)}\n${JSON.stringify({ ...entry, at: "2026-12-05T08:00:01.000Z" })}\n`);
    const run = await runCliAsync(["replay", file, "--url", server.url, "--username", USERNAME, "--password", PASSWORD]);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /2 deliveries replayed, no difference/);
    assert.match(run.stdout, /✓ .*only-401\.ndjson#1 voice \(refused\) \/callbacks\/voice 401\n/, "named as refused, not as an unknown event");
    assert.doesNotMatch(run.stderr, /answered 401/);
  } finally {
    await server.close();
  }
});
