// The receiver with dedupe and the queue (generated createBandwidthWebhooks, node adapter, real
// servers on 127.0.0.1, real redis-server): a duplicate async event is acknowledged without its handler
// and reported; a failed handler releases its claim so Bandwidth's retry runs it; an event another
// delivery still holds is answered 503; BXML events are never deduplicated; with the queue, async
// events are stored and acknowledged at once, BXML events stay synchronous, and a receiver handler for
// an enqueued event is refused; with Redis stopped the answer is 503 and nothing is acknowledged that
// was not stored.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { Response, SpeakSentence } from "../generated/bxml/index.js";
import { Redis } from "ioredis";
import { createBullMQQueue, createRedisDedupeStore, startIntakeForwarder } from "../generated/queue.js";
import type { BullMQEventQueue } from "../generated/queue.js";
import type { DedupeStore } from "../generated/runtime/queue/dedupe-store.js";
import { LOAD_AUTHORIZATION, LOAD_CREDENTIALS, messagingEvent } from "./load/deliveries.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { until } from "./support/until.js";

const quiet = { warn: () => {}, error: () => {}, debug: () => {} };
type Options = Parameters<typeof createBandwidthWebhooks>[0];

async function serve(options: Omit<Options, "credentials">): Promise<{ url: string; close: () => Promise<void> }> {
  const webhooks = createBandwidthWebhooks({ credentials: [LOAD_CREDENTIALS], logger: quiet, ...options } as Options);
  const server: Server = createServer(webhooks.node);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

async function post(url: string, path: string, body: unknown): Promise<{ status: number; body: string; retryAfter: string | null }> {
  const response = await fetch(url + path, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: LOAD_AUTHORIZATION },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.text(), retryAfter: response.headers.get("retry-after") };
}

const voiceEvent = (eventType: string, callId = "c-1") => ({
  eventType,
  eventTime: "2026-03-14T16:05:03.420Z",
  accountId: "9900000",
  applicationId: "app",
  from: "+15551230000",
  to: "+15551230001",
  direction: "inbound",
  callId,
  callUrl: "https://voice.bandwidth.com/api/v2/accounts/9900000/calls/c-1",
  startTime: "2026-03-14T16:05:03.420Z",
  answerTime: "2026-03-14T16:05:03.420Z",
  endTime: "2026-03-14T16:05:09.420Z",
  cause: "hangup",
});

describe("dedupe in the receiver (memory store)", () => {
  test("a duplicate is acknowledged without the handler and reported; other events still run", async () => {
    const handled: string[] = [];
    const duplicates: string[] = [];
    const server = await serve({
      messaging: { messageDelivered: (event) => void handled.push(event.message.id) },
      dedupe: { onDuplicate: (info) => void duplicates.push(`${info.family} ${info.eventType} ${info.key.length}`) },
    });
    try {
      assert.equal((await post(server.url, "/callbacks/messaging", [messagingEvent("m-1", 1)])).status, 200);
      assert.equal((await post(server.url, "/callbacks/messaging", [messagingEvent("m-1", 1)])).status, 200);
      assert.equal((await post(server.url, "/callbacks/messaging", [messagingEvent("m-1", 1), messagingEvent("m-2", 2), messagingEvent("m-2", 2)])).status, 200);
      assert.deepEqual(handled, ["m-1", "m-2"]);
      assert.deepEqual(duplicates, ["messaging message-delivered 64", "messaging message-delivered 64", "messaging message-delivered 64"]);
    } finally {
      await server.close();
    }
  });

  test("a handler that fails releases the event: Bandwidth's retry runs it again", async () => {
    let runs = 0;
    const server = await serve({
      voice: {
        disconnect: () => {
          if (++runs === 1) throw new Error("CRM down");
          return undefined;
        },
      },
      dedupe: true,
      onError: () => {},
    });
    try {
      assert.equal((await post(server.url, "/callbacks/voice", voiceEvent("disconnect"))).status, 500);
      assert.equal((await post(server.url, "/callbacks/voice", voiceEvent("disconnect"))).status, 204);
      assert.equal((await post(server.url, "/callbacks/voice", voiceEvent("disconnect"))).status, 204);
      assert.equal(runs, 2);
    } finally {
      await server.close();
    }
  });

  test("a delivery of an event still being handled is answered 503 with Retry-After; the handler runs once", async () => {
    let runs = 0;
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const server = await serve({ messaging: { messageDelivered: async () => void (runs++, await gate) }, dedupe: true });
    try {
      const first = post(server.url, "/callbacks/messaging", [messagingEvent("slow", 1)]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second = await post(server.url, "/callbacks/messaging", [messagingEvent("slow", 1)]);
      assert.equal(second.status, 503);
      assert.equal(second.retryAfter, "1");
      assert.equal(JSON.parse(second.body).error, "in_progress");
      finish();
      assert.equal((await first).status, 200);
      assert.equal((await post(server.url, "/callbacks/messaging", [messagingEvent("slow", 1)])).status, 200);
      assert.equal(runs, 1);
    } finally {
      await server.close();
    }
  });

  test("BXML events are never deduplicated (Bandwidth waits for their reply)", async () => {
    let answers = 0;
    const server = await serve({ voice: { answer: () => (answers++, Response(SpeakSentence("hi"))) }, dedupe: true });
    try {
      for (let i = 0; i < 2; i++) assert.match((await post(server.url, "/callbacks/voice", voiceEvent("answer"))).body, /<SpeakSentence>hi/);
      assert.equal(answers, 2);
    } finally {
      await server.close();
    }
  });

  test("a store that cannot be reached is a 503, and the handler does not run", async () => {
    const broken: DedupeStore = {
      claim: () => Promise.reject(new Error("down")),
      complete: () => Promise.resolve(),
      release: () => Promise.resolve(),
    };
    let runs = 0;
    const errors: string[] = [];
    const server = await serve({ messaging: { messageDelivered: () => void runs++ }, dedupe: { store: broken }, onError: (_e, info) => void errors.push(info.kind) });
    try {
      const answer = await post(server.url, "/callbacks/messaging", [messagingEvent("x", 1)]);
      assert.equal(answer.status, 503);
      assert.equal(JSON.parse(answer.body).error, "store_unavailable");
      assert.equal(runs, 0);
      assert.deepEqual(errors, ["store"]);
    } finally {
      await server.close();
    }
  });
});

/** For the intake hand-off, a forwarder (no worker) so stored events show as waiting BullMQ jobs. */
function forwardIntake(handOff: "intake" | "direct", url: string, queue: BullMQEventQueue, queueName: string): { close(): Promise<void> } {
  if (handOff === "direct") return { close: async () => undefined };
  const client = new Redis(url, { maxRetriesPerRequest: null });
  client.on("error", () => undefined);
  const forwarder = startIntakeForwarder({ client, queue: queue.queue, queueName, logger: quiet, blockMs: 200 });
  return {
    async close() {
      await forwarder.close();
      client.disconnect();
    },
  };
}

/** The ids of the queue's waiting jobs once `count` are there (forwarding is asynchronous). */
async function waitingJobs(queue: BullMQEventQueue, count: number): Promise<{ family: string; eventType: string; event: unknown }[]> {
  await until(async () => (await queue.queue.getWaitingCount()) >= count);
  await new Promise((resolve) => setTimeout(resolve, 100)); // one that should not be there would show up now
  return (await queue.queue.getJobs(["waiting"])).map((job) => job.data);
}

for (const handOff of ["intake", "direct"] as const)
describe(`queue hand-off in the receiver, ${handOff} (real redis-server)`, () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedisServer({ persist: true }); // a restart keeps what was stored, as in production
  });
  after(async () => {
    await redis.dispose();
  });

  test("async events are stored and acknowledged at once; BXML events stay synchronous", async () => {
    const queue = createBullMQQueue({ connection: redis.url, queueName: `r1-${handOff}`, handOff });
    const forwarder = forwardIntake(handOff, redis.url, queue, `r1-${handOff}`);
    const server = await serve({ voice: { answer: () => Response(SpeakSentence("sync")) }, messaging: {}, queue, dedupe: true });
    try {
      assert.equal((await post(server.url, "/callbacks/messaging", [messagingEvent("q-1", 1), messagingEvent("q-2", 2)])).status, 200);
      assert.equal((await post(server.url, "/callbacks/voice", voiceEvent("disconnect"))).status, 204);
      assert.match((await post(server.url, "/callbacks/voice", voiceEvent("answer"))).body, /<SpeakSentence>sync/);
      assert.equal((await post(server.url, "/callbacks/messaging", [messagingEvent("q-1", 1)])).status, 200, "a duplicate is acknowledged, not stored");
      const jobs = await waitingJobs(queue, 3);
      assert.deepEqual(jobs.map((job) => `${job.family} ${job.eventType}`).sort(), ["messaging message-delivered", "messaging message-delivered", "voice disconnect"]);
      assert.deepEqual(jobs.map((job) => (job.event as { message?: { id: string } }).message?.id ?? "-").sort(), ["-", "q-1", "q-2"]);
    } finally {
      await server.close();
      await forwarder.close();
      await queue.close();
    }
  });

  test("a receiver handler for an event the worker handles is refused at construction", async () => {
    const queue = createBullMQQueue({ connection: redis.url, queueName: `r2-${handOff}`, handOff });
    try {
      assert.throws(
        () => createBandwidthWebhooks({ credentials: [LOAD_CREDENTIALS], logger: quiet, queue, messaging: { messageDelivered: () => undefined } } as unknown as Options),
        /messaging\.messageDelivered is handled by the queue's worker/,
      );
    } finally {
      await queue.close();
    }
  });

  test("Redis stopped: 503 and nothing stored or marked; after the restart the retry is stored once", async () => {
    const queue = createBullMQQueue({ connection: redis.url, queueName: `r3-${handOff}`, timeoutMs: 500, handOff });
    const forwarder = forwardIntake(handOff, redis.url, queue, `r3-${handOff}`);
    const store = createRedisDedupeStore({ connection: redis.url, prefix: `r3-${handOff}:`, readyTimeoutMs: 300 });
    const server = await serve({ messaging: {}, queue, dedupe: { store, pendingTtlMs: 300 }, onError: () => {} });
    try {
      assert.equal((await post(server.url, "/callbacks/messaging", [messagingEvent("before", 1)])).status, 200);
      await redis.stop();
      const during = await post(server.url, "/callbacks/messaging", [messagingEvent("during", 2)]);
      assert.equal(during.status, 503);
      assert.equal(JSON.parse(during.body).error, "store_unavailable");
      await redis.start();
      let status = 0;
      await until(async () => {
        status = (await post(server.url, "/callbacks/messaging", [messagingEvent("during", 2)])).status;
        return status === 200;
      });
      assert.equal(status, 200);
      assert.equal((await post(server.url, "/callbacks/messaging", [messagingEvent("during", 2)])).status, 200);
      const ids = (await waitingJobs(queue, 2)).map((job) => (job.event as { message: { id: string } }).message.id).sort();
      assert.deepEqual(ids, ["before", "during"]);
    } finally {
      await server.close();
      await forwarder.close();
      await queue.close();
      await store.close?.();
    }
  });
});
