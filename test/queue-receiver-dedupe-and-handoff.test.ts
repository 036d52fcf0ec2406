// The receiver with dedupe and the queue (generated createBandwidthWebhooks, node adapter, real
// servers on 127.0.0.1, real redis-server): a duplicate async event is acknowledged without its handler
// and reported; a failed handler releases its claim so Bandwidth's retry runs it (in a batch, only its
// own: the others are done); an event another delivery still holds is answered 503; a full memory store
// answers 503 and forgets nothing; distinct events that share a message id, an order or a TFV status
// are each handled, and each get a job with or without dedupe; BXML events are never deduplicated; with
// the queue, async events are stored and acknowledged at once, BXML events stay synchronous, and a
// receiver handler for an enqueued event is refused; with Redis stopped the answer is 503 and nothing
// is acknowledged that was not stored.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { Response, SpeakSentence } from "../generated/bxml/index.js";
import { Redis } from "ioredis";
import { createBullMQQueue, createRedisDedupeStore, startIntakeForwarder } from "../generated/queue.js";
import type { BullMQEventQueue } from "../generated/queue.js";
import type { DedupeStore } from "../generated/runtime/delivery/dedupe-store.js";
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
  const xml = typeof body === "string";
  const response = await fetch(url + path, {
    method: "POST",
    headers: { "content-type": xml ? "application/xml" : "application/json", authorization: LOAD_AUTHORIZATION },
    body: xml ? body : JSON.stringify(body),
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

/** A group MMS from +19195550142 to two recipients: the status event of one recipient (same message id and time). */
const groupStatus = (type: "message-delivered" | "message-failed", to: string) => {
  const event = messagingEvent("group-1", 7);
  const message = { ...(event.message as object), to: ["+17045550187", "+17045550188"] };
  return type === "message-failed" ? { ...event, type, to, errorCode: 4720, description: "carrier rejected", message } : { ...event, to, message };
};

/** An inbound group message to two of your numbers: one copy per number you own (`to` and `message.owner` differ). */
const groupCopy = (owner: string) => {
  const event = messagingEvent("inbound-group", 9);
  return { ...event, type: "message-received", to: owner, message: { ...(event.message as object), owner, direction: "in", from: "+17045550199", to: ["+19195550142", "+19195550143"] } };
};

/** A numbers notification of one port-in in one state, with a note and no LastModifiedDate. */
const portInNote = (note: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Notification><SubscriptionId>s-1</SubscriptionId><OrderType>portins</OrderType><OrderId>o-1</OrderId><Status>REQUESTED_SUPP</Status><Note>${note}</Note></Notification>`;

const tfvStatus = (status: "VERIFIED" | "UNVERIFIED") => ({ accountId: "9900000", phoneNumber: "+18445550123", status, internalTicketNumber: "3f6c1e2a-9b7d-4c58-8e1f-0a2b4c6d8e90" });

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

  test("distinct events that share a message id, an order or a TFV status are each handled once; redeliveries are not", async () => {
    const handled: string[] = [];
    const server = await serve({
      messaging: {
        messageReceived: (event) => void handled.push(`received for ${event.message.owner}`),
        messageDelivered: (event) => void handled.push(`delivered to ${event.to}`),
        messageFailed: (event) => void handled.push(`failed to ${event.to}`),
      },
      numbers: { portIns: (event: { Note?: string }) => void handled.push(`note ${event.Note}`) } as never,
      tfv: { status: (event) => void handled.push(`tfv ${event.status}`) },
      dedupe: true,
    });
    try {
      const requests: [string, unknown][] = [
        ["/callbacks/messaging", [groupCopy("+19195550142"), groupCopy("+19195550143")]],
        ["/callbacks/messaging", [groupStatus("message-delivered", "+17045550187")]],
        ["/callbacks/messaging", [groupStatus("message-failed", "+17045550188")]],
        ["/callbacks/numbers", portInNote("LOA received")],
        ["/callbacks/numbers", portInNote("Corrected LOA received")],
        ["/callbacks/tfv", tfvStatus("VERIFIED")],
        ["/callbacks/tfv", tfvStatus("UNVERIFIED")],
        ["/callbacks/tfv", tfvStatus("VERIFIED")],
      ];
      for (const [path, body] of requests) assert.ok((await post(server.url, path, body)).status < 300, path);
      for (const [path, body] of requests.slice(0, 3)) assert.equal((await post(server.url, path, body)).status, 200, `redelivery to ${path}`);
      assert.deepEqual(handled, [
        "received for +19195550142",
        "received for +19195550143",
        "delivered to +17045550187",
        "failed to +17045550188",
        "note LOA received",
        "note Corrected LOA received",
        "tfv VERIFIED",
        "tfv UNVERIFIED",
        "tfv VERIFIED",
      ]);
    } finally {
      await server.close();
    }
  });

  test("in a batch, a failed handler releases only its own event: Bandwidth's retry of the batch runs that one alone", async () => {
    const runs: string[] = [];
    const server = await serve({
      messaging: {
        messageDelivered: async (event) => {
          runs.push(event.message.id);
          if (event.message.id === "b-2" && runs.filter((id) => id === "b-2").length === 1) throw new Error("CRM down");
        },
        messageFailed: (event) => {
          runs.push(event.message.id);
          if (runs.filter((id) => id === event.message.id).length === 1) throw new Error("sync failure");
        },
      },
      dedupe: true,
      onError: () => {},
    });
    try {
      const failed = { ...messagingEvent("b-3", 3), type: "message-failed", errorCode: 4720 };
      const batch = [messagingEvent("b-1", 1), messagingEvent("b-2", 2), failed, messagingEvent("b-4", 4)];
      assert.equal((await post(server.url, "/callbacks/messaging", batch)).status, 500);
      assert.equal((await post(server.url, "/callbacks/messaging", batch)).status, 200);
      assert.equal((await post(server.url, "/callbacks/messaging", batch)).status, 200);
      assert.deepEqual(runs, ["b-1", "b-2", "b-3", "b-4", "b-2", "b-3"]);
    } finally {
      await server.close();
    }
  });

  for (const ending of ["succeeds", "fails"] as const)
    test(`in a batch, a handler still running at the timeout keeps its claim until it ends (it ${ending}): a resend meanwhile is 503, not a second run`, async () => {
      const runs: string[] = [];
      let finish!: () => void;
      const stuck = new Promise<void>((resolve) => (finish = resolve));
      const server = await serve({
        messaging: {
          messageDelivered: async (event) => {
            runs.push(event.message.id);
            if (event.message.id !== "t-2" || runs.length > 3) return;
            await stuck; // the first run outlives the handler timeout
            if (ending === "fails") throw new Error("failed late");
          },
        },
        dedupe: true,
        timeoutMs: 300,
        onError: () => {},
      });
      try {
        const batch = [messagingEvent("t-1", 1), messagingEvent("t-2", 2), messagingEvent("t-3", 3)];
        assert.equal((await post(server.url, "/callbacks/messaging", batch)).status, 500);
        const meanwhile = await post(server.url, "/callbacks/messaging", batch);
        assert.deepEqual([meanwhile.status, JSON.parse(meanwhile.body).error], [503, "in_progress"], "t-2 still runs: Bandwidth is told to come back");
        assert.deepEqual(runs, ["t-1", "t-2", "t-3"], "no second run of t-2 beside the first");
        finish();
        await until(async () => (await post(server.url, "/callbacks/messaging", batch)).status === 200);
        assert.deepEqual(runs, ending === "succeeds" ? ["t-1", "t-2", "t-3"] : ["t-1", "t-2", "t-3", "t-2"], ending === "succeeds" ? "handled late: a duplicate" : "failed late: released, run again");
      } finally {
        finish();
        await server.close();
      }
    });

  test("a single event whose handler is still running at the timeout keeps its claim: a resend meanwhile is 503 in_progress; once it succeeded, a duplicate", async () => {
    let runs = 0;
    let finish!: () => void;
    const stuck = new Promise<void>((resolve) => (finish = resolve));
    const server = await serve({
      voice: {
        disconnect: async () => {
          if (++runs === 1) await stuck;
        },
      },
      dedupe: true,
      timeoutMs: 300,
      onError: () => {},
    });
    try {
      const event = voiceEvent("disconnect", "c-late");
      assert.equal((await post(server.url, "/callbacks/voice", event)).status, 500);
      const meanwhile = await post(server.url, "/callbacks/voice", event);
      assert.deepEqual([meanwhile.status, JSON.parse(meanwhile.body).error], [503, "in_progress"]);
      finish();
      await until(async () => (await post(server.url, "/callbacks/voice", event)).status === 204);
      assert.equal(runs, 1, "handled once, late");
    } finally {
      finish();
      await server.close();
    }
  });

  test("a full memory store answers 503 (Bandwidth retries) and forgets nothing it handled or holds", async () => {
    let runs = 0;
    const errors: string[] = [];
    const { createMemoryDedupeStore } = await import("../generated/index.js");
    const server = await serve({
      messaging: { messageDelivered: () => void runs++ },
      dedupe: { store: createMemoryDedupeStore({ maxEntries: 3 }) },
      onError: (error, info) => void errors.push(`${info.kind}: ${(error as Error).message}`),
    });
    try {
      for (let i = 0; i < 3; i++) assert.equal((await post(server.url, "/callbacks/messaging", [messagingEvent(`f-${i}`, i)])).status, 200);
      for (let i = 3; i < 10; i++) {
        const answer = await post(server.url, "/callbacks/messaging", [messagingEvent(`f-${i}`, i)]);
        assert.deepEqual([answer.status, answer.retryAfter, JSON.parse(answer.body).error], [503, "1", "store_unavailable"]);
      }
      for (let i = 0; i < 3; i++) assert.equal((await post(server.url, "/callbacks/messaging", [messagingEvent(`f-${i}`, i)])).status, 200, "still a duplicate");
      assert.equal(runs, 3);
      assert.equal(errors.length, 7);
      assert.match(errors[0], /^store: the memory dedupe store is full: 3 keys .*maxEntries/);
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

  for (const dedupe of [true, false])
  test(`distinct events sharing a message id or a TFV status get a job each, dedupe ${dedupe ? "on" : "off"}; a redelivery none`, async () => {
    const name = `r4-${handOff}-${dedupe}`;
    const queue = createBullMQQueue({ connection: redis.url, queueName: name, handOff });
    const forwarder = forwardIntake(handOff, redis.url, queue, name);
    const server = await serve({ messaging: {}, tfv: {}, queue, dedupe });
    try {
      const bodies: [string, unknown][] = [
        ["/callbacks/messaging", [groupStatus("message-delivered", "+17045550187")]],
        ["/callbacks/messaging", [groupStatus("message-delivered", "+17045550188")]],
        ["/callbacks/messaging", [groupCopy("+19195550142")]],
        ["/callbacks/messaging", [groupCopy("+19195550143")]],
        ["/callbacks/tfv", tfvStatus("VERIFIED")],
        ["/callbacks/tfv", tfvStatus("UNVERIFIED")],
        ["/callbacks/tfv", tfvStatus("VERIFIED")],
        ["/callbacks/messaging", [groupStatus("message-delivered", "+17045550187")]], // a redelivery
      ];
      for (const [path, body] of bodies) assert.ok((await post(server.url, path, body)).status < 300, path);
      const jobs = await waitingJobs(queue, 7);
      const seen = jobs.map((job) => {
        const event = job.event as { to?: string; status?: string; message?: { owner: string } };
        return `${job.eventType} ${event.status ?? (job.eventType === "message-received" ? event.message?.owner : event.to)}`;
      });
      assert.deepEqual(seen.sort(), [
        "message-delivered +17045550187",
        "message-delivered +17045550188",
        "message-received +19195550142",
        "message-received +19195550143",
        "status UNVERIFIED",
        "status VERIFIED",
        "status VERIFIED",
      ]);
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
