// The README's TypeScript examples, compiled by `npm test` (tsc) and run by test/readme-examples.test.ts
// (BXML checked with parseBxml). Every line of every ```ts block of README.md appears here, in order
// (the test checks it), so the documentation cannot drift from the API. Lines only this file has wrap
// the examples into functions the test can call.
import http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { createBandwidthWebhooks } from "bw-codegen";
import { Response, Gather, SpeakSentence, Transfer, PhoneNumber } from "bw-codegen/bxml";
import type { VoiceCallback } from "bw-codegen";
import { validateVoiceCallback } from "bw-codegen/validators/voice"; // one family's validators, without the runtime
import assert from "node:assert/strict";
import { deliverEvent } from "bw-codegen/testing";
import { simulateCall } from "bw-codegen/testing";
import { startVoiceApi } from "bw-codegen/testing";
import type { EmergencyCallingReply, MessagingCallback } from "bw-codegen";
import { createBandwidthWorker, createBullMQQueue, createRedisDedupeStore } from "bw-codegen/queue";
import { createCapture } from "bw-codegen/capture"; // Node only; the core sees an edge-safe CaptureSink

export const saved: MessagingCallback["message"][] = [];
export const logged: unknown[][] = [];
async function saveInbound(message: MessagingCallback["message"]): Promise<void> {
  saved.push(message);
}
function lookUpLocation(from: string): EmergencyCallingReply {
  return { aeui: from, location_id: "hq" };
}
const console = { log: (...args: unknown[]) => void logged.push(args), error: (...args: unknown[]) => void logged.push(args) };

/** The "Handle webhooks" example. */
export function readmeWebhooks(): ReturnType<typeof createBandwidthWebhooks> {
  const auth = { username: "bw", password: process.env.BW_CALLBACK_PASSWORD! };

  const webhooks = createBandwidthWebhooks({
    credentials: [auth], // several pairs = rotation
    voice: {
      // A Gather with a gatherUrl hands the call over: verbs after it never run, the gather webhook's reply runs next.
      // Bandwidth sends a verb's own webhooks with the credentials written on the verb.
      answer: (event) =>
        Response(Gather({ gatherUrl: "/callbacks/voice", ...auth, maxDigits: 1 }, SpeakSentence(`Hello ${event.to}, press 1 for sales`))),
      gather: (event) =>
        event.digits === "1"
          ? Response(Transfer({}, PhoneNumber("+19195550101"))) // sales
          : Response(Transfer({}, PhoneNumber("+19195550100"))), // no digit or another one: the operator
      disconnect: (event) => void console.log(event.callId, event.cause), // async events return nothing: 204
    },
    messaging: { messageReceived: async (event) => void (await saveInbound(event.message)) }, // once per event in the array
    // numbers, tfv (+ tfvSignatureSecrets), endpoint, mfa, webrtc, and the Emergency Calling API:
    emergency: { callingQuery: (query) => lookUpLocation(query.from) }, // GET; JSON reply checked, capped at 450 ms
  });
  return webhooks;
}

/** The transports listed under the example (never called: they would bind port 3000). */
export function readmeTransports(webhooks: ReturnType<typeof createBandwidthWebhooks>): void {
  http.createServer(webhooks.node).listen(3000); // native node:http: no Request/Response objects
  // export default { fetch: webhooks.fetch }       // Cloudflare Workers, Deno, Bun; Hono: webhooks.fetch(c.req.raw)
  // app.use(webhooks.express)                      // Express, before any body parser
  // await fastify.register(webhooks.fastify)        // Fastify
}

/** The "Hooks" example: every hook is optional and has a logging default. */
export function readmeHooks(events: string[]): ReturnType<typeof createBandwidthWebhooks> {
  const record = (line: string) => void events.push(line);
  const webhooks = createBandwidthWebhooks({
    credentials: [{ username: "bw", password: process.env.BW_CALLBACK_PASSWORD! }],
    voice: { answer: () => Response(SpeakSentence("Hello")) },
    onAuthFailure: ({ path, reason }) => record(`401 on ${path}: ${reason}`), // "missing" is Bandwidth's normal first try
    onInvalidEvent: (report) => record(`${report.eventType} ${report.severity}: ${report.errors[0]?.path}`), // drift dispatched, invalid not
    onResponse: ({ family, eventType, status, latencyMs }) => record(`${family} ${eventType} ${status} ${latencyMs} ms`), // metrics
    onUnknownEvent: (_event, info) => record(`no handler for ${info.family} ${info.eventType}`), // may return BXML
    onError: (error, { kind, eventType }) => record(`${kind} error on ${eventType}: ${(error as Error).message}`), // the answer is a 500
  });
  return webhooks;
}

/** The "Validate payloads yourself" example. */
export function readmeValidation(body: string): VoiceCallback | undefined {
  const result = validateVoiceCallback(JSON.parse(body)); // { strict: true } rejects unknown properties
  if (result.ok) {
    const event: VoiceCallback = result.value;           // narrowed by event.eventType
    return event;
  } else {
    console.error(result.errors); // [{ path: "/eventTime", message: "must be an ISO 8601 date and time such as …; got …" }]
    return undefined;
  }
}

/** The "Test your receiver" example, against the handler example. */
export async function readmeTesting(webhooks: ReturnType<typeof createBandwidthWebhooks>) {
  const server = http.createServer(webhooks.node).listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  const result = await deliverEvent({
    url: `http://127.0.0.1:${port}/callbacks/voice`,
    body: { eventType: "answer", eventTime: "2026-05-11T14:02:17.384Z", accountId: "5590123", applicationId: "3b1f9c2e-7d44-4a8e-9c61-0e2f5a7b8d13",
      from: "+19195550142", to: "+17045550178", direction: "outbound", callId: "c-2f6a9d14", callUrl: "https://voice.bandwidth.com/api/v2/accounts/5590123/calls/c-2f6a9d14",
      startTime: "2026-05-11T14:01:52.107Z", answerTime: "2026-05-11T14:01:58.912Z" },
    username: "bw",
    password: process.env.BW_CALLBACK_PASSWORD!,
  });
  result.challenge?.status; // 401: Bandwidth's first try carries no credentials
  result.status;            // 200
  result.verbs;             // ["Gather"]
  server.close();
  return result;
}

/** The "Simulate a call" example, against the handler example, in process. */
export async function readmeSimulate(webhooks: ReturnType<typeof createBandwidthWebhooks>) {
  const trace = await simulateCall(webhooks.fetch, { username: "bw", password: process.env.BW_CALLBACK_PASSWORD!, direction: "outbound", digits: ["1"] });
  assert.ok(trace.said.includes("Hello +19195550142, press 1 for sales"));
  assert.equal(trace.ok, true); // every callback answered the way Bandwidth needs
  return trace;
}

/** The Voice API stand-in example of "Simulate a call", against the handler example (which never calls the API). */
export async function readmeVoiceApi(webhooks: ReturnType<typeof createBandwidthWebhooks>) {
  const voiceApi = await startVoiceApi({ clientId: "bot", clientSecret: process.env.BW_CLIENT_SECRET! }); // give your bot voiceApi.url and voiceApi.tokenUrl
  const withApi = await simulateCall(webhooks.fetch, { username: "bw", password: process.env.BW_CALLBACK_PASSWORD!, voiceApi, digits: ["0"] });
  withApi.api; // each request your bot made: "token", "redirect", "hangup", "bxml", or "refused" (with its error)
  await voiceApi.close();
  return { withApi, voiceApi };
}

/** The voice-bot example of "Simulate a call" (run by test/simulate-streams-and-transcription.test.ts against a test bot). */
export async function readmeVoiceBot(bot: { url: string }) {
  const trace = await simulateCall(bot.url, { // your webhooks, and your bot's socket on the same server
    username: "bw", password: process.env.BW_CALLBACK_PASSWORD!,
    speed: "max", // the simulated clock runs as fast as the bot answers: a 60 s call in about a second
    seed: 1,      // the same seed gives the same trace
    caller: { segments: [{ silence: 0.5 }, { tone: 440, seconds: 1, text: "I need to change my booking" }, { silence: 0.6 }, { tone: 330, seconds: 1, text: "Wait, stop." }, { silence: 3 }] },
  });
  const [first] = trace.measures!.responses; // { utteranceEnd, text, botAudio, latencyMs }: end of speech → the bot's first audio
  const [bargeIn] = trace.measures!.bargeIns; // { at, clear, clearMs, doubleTalkMs }: the caller talked over the bot → its clear
  const wav = trace.audio!.mix; // a stereo WAV file: the caller left, the bot right
  return { trace, first, bargeIn, wav };
}

/** The "Hand async events to a queue" example (type-checked only: it needs a Redis; test/queue-*.test.ts run the queue). */
export function readmeQueue() {
  // the receiver: BXML events stay synchronous; every other event is stored in Redis and acknowledged at once
  const receiver = createBandwidthWebhooks({
    credentials: [{ username: "bw", password: process.env.BW_CALLBACK_PASSWORD! }],
    voice: { answer: () => Response(SpeakSentence("Hello")) },
    // Redis down: events kept in a local spool (fsync'd) and acknowledged, forwarded once Redis is back
    queue: createBullMQQueue({ connection: process.env.REDIS_URL!, spoolDir: ".bw-spool" }),
    dedupe: { store: createRedisDedupeStore({ connection: process.env.REDIS_URL! }) }, // a redelivery is queued once
  });

  // the worker, in another process (as many as you like): the async events, typed like the receiver's handlers
  const worker = createBandwidthWorker({
    connection: process.env.REDIS_URL!,
    voice: { disconnect: (event) => void console.log(event.callId, event.cause) },
    messaging: { messageReceived: async (event) => void (await saveInbound(event.message)) }, // a throw: retried with back-off
  });
  return { receiver, worker };
}

/** The "Record, replay and drift" example (type-checked only: calling it starts a capture writer thread). */
export async function readmeCapture(): Promise<ReturnType<typeof createBandwidthWebhooks>> {
  const auth = { username: "bw", password: process.env.BW_CALLBACK_PASSWORD! };
  const capture = createCapture({ dir: "captures", keep: ["tag"] });
  const webhooks = createBandwidthWebhooks({ capture, credentials: [auth], voice: { answer: () => Response(SpeakSentence("Hello")) } });
  // on shutdown, after the server closed: the deliveries recorded last are written, then the writer stops
  await capture.close();
  return webhooks;
}
