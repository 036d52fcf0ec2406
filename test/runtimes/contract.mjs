// The runtime contract: one list of cases, written once against the package's public entries and the
// Fetch adapter (`webhooks.fetch`), that every runtime we say bw-codegen runs on executes for real
// (workerd, Deno, Bun, Node 20/22/24/26: test/runtimes-contract.test.ts starts each one). Plain
// JavaScript with Web APIs only (Request, Response, TextEncoder, crypto.subtle, btoa): no `node:` module,
// no `process`, no TypeScript loader, so the same file runs unchanged everywhere (esbuild bundles it for
// workerd). `runContract()` returns one `{ name, ok, error?, skipped? }` per case and never throws.
// Sockets need a server and a client, which each runtime makes its own way: the runner hands a socket
// host to `runContract(host)` (sockets-web.mjs on Deno, Bun and workerd; sockets-node.mjs on Node).

import { BxmlValidationError, createBandwidthWebhooks } from "bw-codegen";
import { Hangup, Response as Bxml, SpeakSentence, parseBxml } from "bw-codegen/bxml";
import { createFetchHandler } from "bw-codegen/fetch";
import { createStreamServer, createTranscriptionTokenVerifier, transcriptionDestination } from "bw-codegen/sockets";
import { deliverEvent, simulateCall } from "bw-codegen/testing";
import { validateMessagingEvent } from "bw-codegen/validators/messaging";
import { parseNumbersBody, validateNumbersNotification } from "bw-codegen/validators/numbers";
import { validateTfvCallback } from "bw-codegen/validators/tfv";
import { isAnswerCallback, validateVoiceCallback } from "bw-codegen/validators/voice";

const USERNAME = "bw-user";
const PASSWORD = "p@ss:word:with:colons";
const ROTATED = { username: "bw-next", password: "ünïcödé-secret" };
const REALM = "contract realm";
const TFV_SECRET = "tfv-contract-secret-2026";
const BASE = "http://receiver.test";
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** Schema examples (schemas/voice/answer, schemas/messaging/message-received), inlined: no file reads. */
const ANSWER = {
  eventType: "answer",
  eventTime: "2026-05-11T14:02:17.384Z",
  accountId: "5590123",
  applicationId: "3b1f9c2e-7d44-4a8e-9c61-0e2f5a7b8d13",
  from: "+19195550142",
  to: "+17045550178",
  direction: "outbound",
  callId: "c-2f6a9d14-7c3b81e0-4e5d-49a2-b7f1-93c0de5a2b6f",
  callUrl: "https://voice.bandwidth.com/api/v2/accounts/5590123/calls/c-2f6a9d14-7c3b81e0-4e5d-49a2-b7f1-93c0de5a2b6f",
  startTime: "2026-05-11T14:01:52.107Z",
  answerTime: "2026-05-11T14:01:58.912Z",
};
const MESSAGE = {
  type: "message-received",
  time: "2026-03-14T15:09:26.535Z",
  description: "Incoming message received",
  to: "+19195550142",
  message: {
    id: "1773500966535q7vhm2kx4bd0p9zr",
    owner: "+19195550142",
    applicationId: "5b2f0c4e-8a71-4d1e-9c3b-2e6f7a90d114",
    time: "2026-03-14T15:09:26.535Z",
    segmentCount: 1,
    direction: "in",
    to: ["+19195550142"],
    from: "+17045550187",
    text: "Is the store open on Sunday?",
  },
};
const NOTIFICATION = "<Notification><SubscriptionId>s-1</SubscriptionId><OrderType>portins</OrderType><OrderId>o-1</OrderId><Status>COMPLETE</Status></Notification>";
// Pretty-printed on purpose: the TFV signature covers these exact bytes, whitespace included.
const TFV_BODY = '{\n  "accountId": "9901234",\n  "phoneNumber": "+18445550123",\n  "status": "VERIFIED",\n  "internalTicketNumber": "3f6c1e2a-9b7d-4c58-8e1f-0a2b4c6d8e90"\n}';
const GREETING = "Hello from the contract";
const TOKEN_SECRET = "contract-transcription-token-secret";
const CALL_ID = ANSWER.callId;
/** A media stream's first message (schemas/stream/start), and one 20 ms μ-law frame. */
const STREAM_START = {
  eventType: "start",
  metadata: { accountId: "5590123", callId: CALL_ID, streamId: "s-0b4f2c1e-7a9d-4e3b-8c21-5f6a7b8c9d0e", streamName: "bot", tracks: [{ name: "inbound", mediaFormat: { encoding: "audio/PCMU", sampleRate: 8000 } }] },
  streamParams: { customer: "42" },
};
const MEDIA = { eventType: "media", track: "inbound", sequenceNumber: "1", payload: btoa(String.fromCharCode(...Array.from({ length: 160 }, (_, i) => (i * 7) & 0xff))) };
/** A transcription socket's first message and one update (schemas/transcription). */
const TRANSCRIPTION_START = {
  eventType: "start",
  metadata: { accountId: "5590123", callId: CALL_ID, realTimeTranscriptionId: "t-1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d", transcriptionName: "live", tracks: [{ name: "inbound" }], stabilized: true },
};
const TRANSCRIPTION = {
  eventType: "transcription",
  track: "inbound",
  startTime: "2026-05-11T14:02:20.100Z",
  endTime: "2026-05-11T14:02:21.400Z",
  isPartial: false,
  language: "en-US",
  transcript: "I would like to book a table",
  items: [{ content: "I", startTime: "2026-05-11T14:02:20.100Z", endTime: "2026-05-11T14:02:20.200Z", confidence: 0.98, stable: true, type: "PRONUNCIATION" }],
};

/** base64 of the UTF-8 bytes (or of the given bytes), with btoa only. */
function b64(value) {
  const bytes = typeof value === "string" ? new TextEncoder().encode(value) : value;
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}
const GOOD_AUTH = `Basic ${b64(`${USERNAME}:${PASSWORD}`)}`;

async function hmacHex(body, secret) {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)));
  return Array.from(mac, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}
function equal(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

/** A receiver for every served family, recording what its handlers and hooks saw. */
function receiver(extra = {}) {
  const log = { handled: [], invalid: [], errors: [] };
  const webhooks = createBandwidthWebhooks({
    credentials: [{ username: USERNAME, password: PASSWORD }, ROTATED],
    realm: REALM,
    logger: quiet,
    bodyLimit: 4096,
    maxBatchEvents: 3,
    tfvSignatureSecrets: [TFV_SECRET],
    onInvalidEvent: (report) => void log.invalid.push(report.eventType),
    onError: (error) => void log.errors.push(error),
    voice: {
      answer: (event) => {
        log.handled.push(`answer:${event.callId}`);
        return Bxml(SpeakSentence(GREETING));
      },
      initiate: () => Bxml(SpeakSentence(GREETING), Hangup()),
      // an invalid reply on purpose: <Hangup> has no children (BXML checked in development mode)
      redirect: () => "<Response><Hangup><SpeakSentence>x</SpeakSentence></Hangup></Response>",
      disconnect: (event) => void log.handled.push(`disconnect:${event.cause}`),
    },
    messaging: { messageReceived: (event) => void log.handled.push(`message:${event.message.text}`) },
    numbers: { portIns: (event) => void log.handled.push(`portins:${event.OrderId}`) },
    tfv: { status: (event) => void log.handled.push(`tfv:${event.status}`) },
    ...extra,
  });
  return { webhooks, log };
}

function post(path, body, headers = {}) {
  return new Request(`${BASE}${path}`, { method: "POST", headers: { authorization: GOOD_AUTH, "content-type": "application/json", ...headers }, body });
}

/** The auth matrix (test/adapter-matrix.test.ts), through the Fetch adapter. */
const AUTH_MATRIX = [
  ["no Authorization header (Bandwidth's first try)", undefined, 401],
  ["empty header", "", 401],
  ["wrong scheme (Bearer)", `Bearer ${b64(`${USERNAME}:${PASSWORD}`)}`, 401],
  ["scheme without token", "Basic", 401],
  ["bad base64", "Basic not*base64!", 401],
  ["base64 of the right pair, truncated by one symbol", GOOD_AUTH.slice(0, -2), 401],
  ["no colon", `Basic ${b64(`${USERNAME}${PASSWORD}`)}`, 401],
  ["empty user", `Basic ${b64(`:${PASSWORD}`)}`, 401],
  ["empty password", `Basic ${b64(`${USERNAME}:`)}`, 401],
  ["non-UTF-8 bytes", `Basic ${b64(new Uint8Array([0x62, 0x77, 0xff, 0x3a, 0xfe, 0x70]))}`, 401],
  ["wrong user", `Basic ${b64(`bw-usr:${PASSWORD}`)}`, 401],
  ["wrong password", `Basic ${b64(`${USERNAME}:p@ss:word:with:colonz`)}`, 401],
  ["password is a prefix of the right one", `Basic ${b64(`${USERNAME}:p@ss:word`)}`, 401],
  ["password with an extra suffix", `Basic ${b64(`${USERNAME}:${PASSWORD}x`)}`, 401],
  ["rotation user with the first password", `Basic ${b64(`${ROTATED.username}:${PASSWORD}`)}`, 401],
  ["right pair; password containing colons", GOOD_AUTH, 200],
  ["rotation: second configured pair (UTF-8 password)", `Basic ${b64(`${ROTATED.username}:${ROTATED.password}`)}`, 200],
  ["lowercase `basic` scheme", `basic ${b64(`${USERNAME}:${PASSWORD}`)}`, 200],
  ["upper-case BASIC and two spaces", `BASIC  ${b64(`${USERNAME}:${PASSWORD}`)}`, 200],
  ["unpadded base64 of the right pair", GOOD_AUTH.replace(/=+$/, ""), 200],
];

/** Every case: `[name, async () => void]` (throws on failure), or `[name, null, reason]` for a skipped row. */
export const CASES = [
  [
    "the receiver is created with no permission beyond the network (no env access needed for NODE_ENV)",
    async () => {
      const { webhooks } = receiver();
      equal(typeof webhooks.fetch, "function", "webhooks.fetch");
    },
  ],
  ...AUTH_MATRIX.map(([name, authorization, status]) => [
    `auth: ${name} → ${status}`,
    async () => {
      const { webhooks, log } = receiver();
      const headers = { "content-type": "application/json" };
      if (authorization !== undefined) headers.authorization = authorization;
      const res = await webhooks.fetch(new Request(`${BASE}/callbacks/voice`, { method: "POST", headers, body: JSON.stringify(ANSWER) }));
      equal(res.status, status, "status");
      const body = await res.text();
      if (status === 401) {
        equal(res.headers.get("www-authenticate"), `Basic realm="${REALM}"`, "WWW-Authenticate");
        equal(log.handled.length, 0, "handlers run");
      } else {
        check(body.includes(`<SpeakSentence>${GREETING}</SpeakSentence>`), `BXML answer expected, got ${body}`);
        equal(log.handled[0], `answer:${ANSWER.callId}`, "handled");
      }
    },
  ]),
  [
    "TFV: HMAC-SHA256 over the raw bytes verifies; one byte changed or a re-serialised body → 403",
    async () => {
      const { webhooks, log } = receiver();
      const signature = await hmacHex(TFV_BODY, TFV_SECRET);
      const good = await webhooks.fetch(post("/callbacks/tfv", TFV_BODY, { "x-bandwidth-signature-hmac-sha256": signature }));
      equal(good.status, 204, "signed body");
      for (const body of [TFV_BODY.replace("VERIFIED", "VERIFIEE"), JSON.stringify(JSON.parse(TFV_BODY))]) {
        const res = await webhooks.fetch(post("/callbacks/tfv", body, { "x-bandwidth-signature-hmac-sha256": signature }));
        equal(res.status, 403, "altered body");
        equal((await res.json()).reason, "mismatch", "reason");
      }
      const unsigned = await webhooks.fetch(post("/callbacks/tfv", TFV_BODY));
      equal(unsigned.status, 403, "unsigned");
      equal(log.handled.join(), "tfv:VERIFIED", "handled");
    },
  ],
  [
    "voice: an answer event is validated and answered with BXML (application/xml)",
    async () => {
      const { webhooks } = receiver();
      const res = await webhooks.fetch(post("/callbacks/voice", JSON.stringify(ANSWER)));
      equal(res.status, 200, "status");
      equal(res.headers.get("content-type"), "application/xml; charset=utf-8", "content type");
      const bxml = parseBxml(await res.text());
      check(bxml.ok, "the answer parses as valid BXML");
    },
  ],
  [
    "voice: a wrong type is not dispatched (lenient) and refused with 400 (strict)",
    async () => {
      const { webhooks, log } = receiver();
      const bad = JSON.stringify({ ...ANSWER, startTime: 42 });
      const lenient = await webhooks.fetch(post("/callbacks/voice", bad));
      equal(lenient.status, 200, "lenient status");
      equal(log.handled.length, 0, "dispatched");
      equal(log.invalid.join(), "answer", "onInvalidEvent");
      const strict = receiver({ strict: true }).webhooks;
      const res = await strict.fetch(post("/callbacks/voice", JSON.stringify({ ...ANSWER, newField: 1 })));
      equal(res.status, 400, "strict status");
      equal((await res.json()).error, "invalid_event", "strict error");
    },
  ],
  [
    "messaging: an array of events is validated, each dispatched",
    async () => {
      const { webhooks, log } = receiver();
      const second = { ...MESSAGE, message: { ...MESSAGE.message, text: "and Monday?" } };
      const res = await webhooks.fetch(post("/callbacks/messaging", JSON.stringify([MESSAGE, second])));
      equal(res.status, 200, "status");
      equal(log.handled.join("|"), "message:Is the store open on Sunday?|message:and Monday?", "handled");
    },
  ],
  [
    "numbers: an XML notification is parsed, validated, dispatched and acknowledged 200",
    async () => {
      const { webhooks, log } = receiver();
      const res = await webhooks.fetch(post("/callbacks/numbers", NOTIFICATION, { "content-type": "application/xml" }));
      equal(res.status, 200, "status");
      equal(log.handled.join(), "portins:o-1", "handled");
    },
  ],
  [
    "validators: each family's entry validates its event without a server",
    async () => {
      check(validateVoiceCallback(ANSWER, { strict: true }).ok, "voice answer valid");
      check(isAnswerCallback(ANSWER), "isAnswerCallback");
      check(!validateVoiceCallback({ ...ANSWER, callId: 7 }, { strict: false }).ok, "voice wrong type refused");
      check(validateMessagingEvent(MESSAGE, { strict: true }).ok, "messaging valid");
      check(validateNumbersNotification(parseNumbersBody(NOTIFICATION), { strict: false }).ok, "numbers valid");
      check(validateTfvCallback(JSON.parse(TFV_BODY), { strict: false }).ok, "tfv valid");
    },
  ],
  [
    "BXML: builder output is served as is; invalid BXML in development mode → 500 reported to onError",
    async () => {
      const { webhooks, log } = receiver();
      const res = await webhooks.fetch(post("/callbacks/voice", JSON.stringify({ ...ANSWER, eventType: "redirect", redirectReason: "redirect" })));
      equal(res.status, 500, "invalid BXML status");
      check(log.errors.some((e) => e instanceof BxmlValidationError), "onError got a BxmlValidationError");
      const xml = String(Bxml(SpeakSentence("a < b & c"), Hangup()));
      check(xml.includes("a &lt; b &amp; c"), `escaped text expected: ${xml}`);
    },
  ],
  [
    "caps: more events than maxBatchEvents → 413, no handler runs",
    async () => {
      const { webhooks, log } = receiver();
      const res = await webhooks.fetch(post("/callbacks/messaging", JSON.stringify([MESSAGE, MESSAGE, MESSAGE, MESSAGE])));
      equal(res.status, 413, "status");
      equal(log.handled.length, 0, "handled");
    },
  ],
  [
    "caps: a body over bodyLimit → 413, announced or streamed without a length",
    async () => {
      const { webhooks } = receiver();
      const big = JSON.stringify({ ...ANSWER, pad: "x".repeat(5000) });
      const announced = await webhooks.fetch(post("/callbacks/voice", big));
      equal(announced.status, 413, "announced");
      const bytes = new TextEncoder().encode(big);
      const stream = new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 1000) controller.enqueue(bytes.subarray(i, i + 1000));
          controller.close();
        },
      });
      const streamed = await webhooks.fetch(new Request(`${BASE}/callbacks/voice`, { method: "POST", headers: { authorization: GOOD_AUTH, "content-type": "application/json" }, body: stream, duplex: "half" }));
      equal(streamed.status, 413, "streamed");
    },
  ],
  [
    "malformed input: bad JSON 400, empty 400, wrong type 415, gzip 415, wrong method 405, unknown path 404",
    async () => {
      const { webhooks } = receiver();
      const answers = [
        [await webhooks.fetch(post("/callbacks/voice", '{"eventType":"answer",')), 400, "malformed_json"],
        [await webhooks.fetch(post("/callbacks/voice", "")), 400, "empty_body"],
        [await webhooks.fetch(post("/callbacks/voice", JSON.stringify(ANSWER), { "content-type": "text/plain" })), 415, "unsupported_media_type"],
        [await webhooks.fetch(post("/callbacks/voice", JSON.stringify(ANSWER), { "content-encoding": "gzip" })), 415, "unsupported_content_encoding"],
        [await webhooks.fetch(new Request(`${BASE}/callbacks/voice`, { method: "PUT", headers: { authorization: GOOD_AUTH }, body: "{}" })), 405, undefined],
        [await webhooks.fetch(post("/nowhere", "{}")), 404, undefined],
      ];
      for (const [res, status, error] of answers) {
        equal(res.status, status, `status (${error ?? status})`);
        const text = await res.text();
        if (error !== undefined) check(text.includes(error), `${error} expected in ${text}`);
      }
    },
  ],
  [
    "Fetch adapter: createFetchHandler(webhooks.core, { onNotFound }) hands unknown paths on",
    async () => {
      const { webhooks } = receiver();
      const handler = createFetchHandler(webhooks.core, { onNotFound: () => new Response("mine", { status: 299 }) });
      const res = await handler(new Request(`${BASE}/elsewhere`));
      equal(res.status, 299, "onNotFound");
      equal((await handler(post("/callbacks/voice", JSON.stringify(ANSWER)))).status, 200, "route");
    },
  ],
  [
    "testing: deliverEvent performs the 401 challenge then delivers, against webhooks.fetch",
    async () => {
      const { webhooks } = receiver();
      const fetch = (url, init) => webhooks.fetch(new Request(url, init));
      const result = await deliverEvent({ url: `${BASE}/callbacks/voice`, body: ANSWER, username: USERNAME, password: PASSWORD, fetch });
      equal(result.challenge?.status, 401, "challenge");
      equal(result.status, 200, "status");
      equal(result.delivered, true, "delivered");
      const xml = await deliverEvent({ url: `${BASE}/callbacks/numbers`, body: NOTIFICATION, username: USERNAME, password: PASSWORD, fetch });
      equal(xml.status, 200, "numbers status");
    },
  ],
  [
    "testing: simulateCall plays an inbound call against webhooks.fetch",
    async () => {
      const { webhooks } = receiver();
      const trace = await simulateCall(webhooks.fetch, { username: USERNAME, password: PASSWORD });
      check(trace.ok, `trace ok: ${JSON.stringify(trace.problems)}`);
      equal(trace.said.join(), GREETING, "said");
      check(
        trace.requests.every((r) => r.auth === "challenged"),
        "every callback went through the challenge",
      );
    },
  ],
  [
    "media-stream sockets: Basic credentials on the handshake get a socket, start + media → playAudio; none or wrong → 401, no socket",
    async (host) => {
      check(host !== undefined, "no socket host given to runContract");
      const played = [];
      const server = createStreamServer({
        stream: {
          credentials: [{ username: USERNAME, password: PASSWORD }, ROTATED],
          realm: REALM,
          onStart: (_start, stream) => void played.push(`start:${stream.callId}:${stream.metadata.params.customer}`),
          onMedia: (frame, stream) => void stream.playAudio(frame.audio),
        },
        logger: quiet,
      });
      const { base, close } = await host.serve(server);
      try {
        const url = `${base}/sockets/stream`;
        for (const [what, headers] of [["no credentials", {}], ["wrong password", { authorization: `Basic ${b64(`${USERNAME}:nope`)}` }]]) {
          const refused = await host.handshake(url, headers);
          equal(refused.status, 401, `${what}: status`);
          equal(refused.wwwAuthenticate, `Basic realm="${REALM}"`, `${what}: WWW-Authenticate`);
          equal(refused.socket, false, `${what}: a socket was made`);
        }
        const ws = await host.open(url, { authorization: GOOD_AUTH });
        ws.send(JSON.stringify(STREAM_START));
        ws.send(JSON.stringify(MEDIA));
        const answer = JSON.parse(await ws.next());
        equal(answer.eventType, "playAudio", "answer");
        equal(answer.media.contentType, "audio/pcmu", "contentType");
        equal(answer.media.payload, MEDIA.payload, "payload");
        equal(played.join(), `start:${CALL_ID}:42`, "onStart");
        ws.close();
        await ws.closed;
      } finally {
        await close();
      }
    },
  ],
  [
    "transcription sockets: the signed URL token is checked on the handshake (missing, expired, tampered → 401), and start must be for its call",
    async (host) => {
      check(host !== undefined, "no socket host given to runContract");
      const transcripts = [];
      let heard;
      const transcribed = new Promise((resolve) => (heard = resolve));
      const tokens = createTranscriptionTokenVerifier({ secrets: [TOKEN_SECRET, "contract-old-token-secret"] });
      const server = createStreamServer({
        transcription: {
          verifyToken: tokens.verifyUpgrade,
          onTranscription: (update, session) => {
            transcripts.push(`${session.callId}:${update.transcript}`);
            heard();
          },
        },
        logger: quiet,
      });
      const { base, close } = await host.serve(server);
      try {
        const baseUrl = `${base}/sockets/transcription`;
        const good = await transcriptionDestination({ baseUrl, secret: TOKEN_SECRET, callId: CALL_ID });
        const expired = await transcriptionDestination({ baseUrl, secret: TOKEN_SECRET, callId: CALL_ID, expiresInSeconds: 1, now: () => Date.now() - 3_600_000 });
        const token = new URL(good.replace(/^ws/, "http")).searchParams.get("token");
        const tampered = `${baseUrl}?token=${token.slice(0, -2)}${token.endsWith("AA") ? "BA" : "AA"}`;
        for (const [what, url] of [["no token", baseUrl], ["expired token", expired], ["tampered token", tampered]]) {
          const refused = await host.handshake(url, {});
          equal(refused.status, 401, `${what}: status`);
          equal(refused.socket, false, `${what}: a socket was made`);
        }
        const ws = await host.open(good, {});
        ws.send(JSON.stringify(TRANSCRIPTION_START));
        ws.send(JSON.stringify(TRANSCRIPTION));
        await transcribed;
        equal(transcripts.join(), `${CALL_ID}:${TRANSCRIPTION.transcript}`, "onTranscription");
        ws.close();
        await ws.closed;
        const other = await host.open(await transcriptionDestination({ baseUrl, secret: TOKEN_SECRET, callId: "c-another-call" }), {});
        other.send(JSON.stringify(TRANSCRIPTION_START));
        equal((await other.closed).code, 4008, "a start for another call closes the socket");
        equal(transcripts.length, 1, "no transcript from the other socket");
      } finally {
        await close();
      }
    },
  ],
];

/** Runs every case in order (`socketHost`: this runtime's socket server and client); never throws. */
export async function runContract(socketHost) {
  const results = [];
  for (const [name, run, reason] of CASES) {
    if (run === null) {
      results.push({ name, ok: true, skipped: reason });
      continue;
    }
    try {
      await run(socketHost);
      results.push({ name, ok: true });
    } catch (error) {
      results.push({ name, ok: false, error: error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error) });
    }
  }
  return results;
}
