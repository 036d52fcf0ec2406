// Replay puts captured sockets where they were among the deliveries, not after all of them: a stream opens
// after the answer whose <StartStream> started it, and the call's callbacks that came while it was open
// come while it is open again; sockets that were open together are open together again. The receiver here
// answers a gather with how many bot sockets are open (a webhook handler and a bot sharing state, as a
// voice-AI app does), and its bot greets with playAudio when alone and `clear` when another socket is open.
// A simulated call with a stream (the gather arrives mid-stream), and two calls whose streams overlap,
// replay clean over ws and in process; the report keeps the capture's order (deliveries by index, sockets
// in the order they opened).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { parseCapture, type SocketCaptureEntry } from "../generated/capture.js";
import { createStreamServer } from "../generated/sockets.js";
import { attachStreamServer } from "../generated/sockets-node.js";
import { deliverEvent, replayCapture, simulateCall } from "../generated/testing.js";
import { connectBandwidthStream } from "./support/bandwidth-stream-client.js";
import { captureFolder } from "./support/capture.js";
import { until } from "./support/until.js";

const { root, createCapture } = captureFolder("bw-replay-interleaved-");
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const credentials = { username: "bw-user", password: "interleave-s3cret" };
const streamCredentials = { username: "bw-stream", password: "stream-s3cret-pw" };
const SILENCE = new Uint8Array(160).fill(0xff);
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const close of closers) await close().catch(() => undefined);
});

/** The receiver and its bot on one node:http server; `capture` records both. */
async function receiver(capture: ReturnType<typeof createCapture>) {
  let streamUrl = "";
  const sockets = createStreamServer({
    logger: quiet,
    capture,
    stream: {
      credentials: [streamCredentials],
      onStart: (_start, s) => {
        if (sockets.openSockets > 1) s.clear();
        else s.playAudio(SILENCE);
      },
    },
  });
  const webhooks = createBandwidthWebhooks({
    credentials: [credentials],
    logger: quiet,
    capture,
    voice: {
      initiate: () =>
        `<Response><StartStream name="bot" mode="bidirectional" destination="${streamUrl}" destinationUsername="${streamCredentials.username}" destinationPassword="${streamCredentials.password}"/><Gather gatherUrl="/callbacks/voice" username="${credentials.username}" password="${credentials.password}" maxDigits="1"><SpeakSentence>Press 1</SpeakSentence></Gather></Response>`,
      gather: () => `<Response><SpeakSentence>${sockets.openSockets} listening</SpeakSentence><Hangup/></Response>`,
      disconnect: () => undefined,
    },
  });
  const server = createServer(webhooks.node);
  const attached = attachStreamServer(server, sockets);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  streamUrl = `${url.replace("http:", "ws:")}/sockets/stream`;
  const close = async () => {
    await attached.close();
    await new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  };
  closers.push(close);
  return { url, streamUrl, webhooks, sockets };
}

/** Replays `text` over ws and in process; the differences of both, and the order of each report. */
async function replayBoth(text: string, app: Awaited<ReturnType<typeof receiver>>) {
  const out: { how: string; differences: unknown[]; indexes: number[]; connections: number[] }[] = [];
  for (const [how, target, socketTarget] of [
    ["ws", app.url, app.url],
    ["in process", app.webhooks.fetch, app.sockets],
  ] as const) {
    const report = await replayCapture(target, text, { ...credentials, sockets: { ...streamCredentials, target: socketTarget } });
    out.push({
      how,
      differences: [...report.results.flatMap((r) => r.differences.map((d) => ({ delivery: r.index, ...d }))), ...report.sockets.flatMap((s) => s.differences.map((d) => ({ socket: s.connection, ...d })))],
      indexes: report.results.map((r) => r.index),
      connections: report.sockets.map((s) => s.connection),
    });
  }
  return out;
}

test("a simulated call's gather, recorded while its stream was open, is replayed while the stream is open", async () => {
  const capture = createCapture({ dir: join(root, "call") });
  const app = await receiver(capture);
  const trace = await simulateCall(`${app.url}/callbacks/voice`, { ...credentials, digits: ["1"], speed: "max", seed: 7 });
  assert.equal(trace.ok, true, JSON.stringify(trace.problems));
  await until(() => app.sockets.openSockets === 0);
  const text = (await capture.close()).map((file) => readFileSync(file, "utf8")).join("");
  const deliveries = parseCapture(text);
  assert.deepEqual(deliveries.map((e) => e.event), ["initiate", "gather", "disconnect"]);
  assert.match(deliveries[1].answer.body, /1 listening/, "the gather came while the stream was open");
  for (const run of await replayBoth(text, app)) {
    assert.deepEqual(run, { how: run.how, differences: [], indexes: [0, 1, 2], connections: [1] });
  }
});

test("two calls whose streams overlapped replay with their streams open together again", async () => {
  const capture = createCapture({ dir: join(root, "two-calls") });
  const app = await receiver(capture);
  const event = JSON.parse(readFileSync(new URL("./fixtures/published-like/voice/answer.json", import.meta.url), "utf8"));
  const deliver = (eventType: string, callId: string, extra: Record<string, unknown> = {}) =>
    deliverEvent({ url: `${app.url}/callbacks/voice`, body: { ...event, eventType, callId, ...extra }, ...credentials });
  const stream = (callId: string) => connectBandwidthStream({ url: app.streamUrl, ...streamCredentials }).then(async (client) => (await client.start({ callId }), client));

  await deliver("initiate", "c-first");
  const first = await stream("c-first"); // alone: playAudio
  await first.waitFor((m) => m.eventType === "playAudio", "playAudio");
  await deliver("initiate", "c-second");
  const second = await stream("c-second"); // the first is open: clear
  await second.waitFor((m) => m.eventType === "clear", "clear");
  const gather = await deliver("gather", "c-first", { digits: "1" });
  assert.match(gather.body, /2 listening/);
  await first.media(SILENCE);
  await second.media(SILENCE);
  await first.stop();
  await first.close(1000);
  await second.stop();
  await second.close(1000);
  await until(() => app.sockets.openSockets === 0);
  await deliver("disconnect", "c-first", { cause: "hangup" });
  const text = (await capture.close()).map((file) => readFileSync(file, "utf8")).join("");
  const sockets: SocketCaptureEntry[] = [];
  parseCapture(text, sockets);
  assert.deepEqual(
    sockets.filter((e) => e.type === "out").map((e) => `${e.connection}:${e.event}`),
    ["1:playAudio", "2:clear"],
  );
  for (const run of await replayBoth(text, app)) {
    assert.deepEqual(run, { how: run.how, differences: [], indexes: [0, 1, 2, 3], connections: [1, 2] });
  }
});

test("a delivery that arrived while the one before it was still being answered is replayed without waiting for that answer", async () => {
  // the first call's answer is held until the second call's initiate arrives (a conference waiting for its
  // second leg), and the initiate says whether another call is being answered: the capture writes the
  // initiate first (answered first); replayed in that order, or one after the other, it would be alone.
  // Replay sends the answer, then the initiate as long after it as when recorded, without waiting for the answer
  const capture = createCapture({ dir: join(root, "overlapping") });
  const answering = new Set<string>();
  let arrived: () => void = () => undefined;
  let second = new Promise<void>((resolve) => (arrived = resolve));
  const webhooks = createBandwidthWebhooks({
    credentials: [credentials],
    logger: quiet,
    capture,
    timeoutMs: 5000,
    voice: {
      answer: async (event) => {
        answering.add(event.callId);
        await second;
        answering.delete(event.callId);
        return "<Response><SpeakSentence>Both legs are here</SpeakSentence></Response>";
      },
      initiate: () => {
        const alone = answering.size === 0;
        arrived();
        return `<Response><SpeakSentence>${alone ? "alone" : "another call is being answered"}</SpeakSentence></Response>`;
      },
    },
  });
  const event = JSON.parse(readFileSync(new URL("./fixtures/published-like/voice/answer.json", import.meta.url), "utf8"));
  const fetch = async (input: string, init: RequestInit) => webhooks.fetch(new Request(input, init));
  const deliver = (eventType: string, callId: string) => deliverEvent({ url: "http://127.0.0.1/callbacks/voice", body: { ...event, eventType, callId }, ...credentials, fetch });
  const first = deliver("answer", "c-first");
  await until(() => answering.size === 1);
  await new Promise((resolve) => setTimeout(resolve, 300)); // the second call comes 300 ms into the first one's answer
  assert.match((await deliver("initiate", "c-second")).body, /another call is being answered/);
  assert.equal((await first).status, 200);
  const text = (await capture.close()).map((file) => readFileSync(file, "utf8")).join("");
  assert.deepEqual(parseCapture(text).map((e) => [e.event, e.answer.status]), [["initiate", 200], ["answer", 200]]);

  second = new Promise<void>((resolve) => (arrived = resolve));
  const report = await replayCapture(webhooks.fetch, text, credentials);
  assert.deepEqual(report.results.map((r) => [r.index, r.event, r.actual.status, r.differences]), [[0, "initiate", 200, []], [1, "answer", 200, []]]);

  // times are recorded to the millisecond: the answer can read as given the very millisecond the initiate
  // came (what set it free); the replay still sends the initiate (after a bounded wait), not only on a timeout
  const [initiate, answer] = text.trim().split("\n").map((line) => JSON.parse(line));
  const touching = [initiate, { ...answer, latencyMs: Date.parse(initiate.at) - Date.parse(answer.at) }].map((e) => `${JSON.stringify(e)}\n`).join("");
  second = new Promise<void>((resolve) => (arrived = resolve));
  const again = await replayCapture(webhooks.fetch, touching, credentials);
  assert.deepEqual(again.results.map((r) => [r.index, r.event, r.actual.status, r.differences]), [[0, "initiate", 200, []], [1, "answer", 200, []]]);
});
