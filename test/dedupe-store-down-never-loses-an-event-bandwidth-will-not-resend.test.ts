// Bandwidth resends a messaging event answered 5xx (for 24 h) but not a voice async event (only after a
// connection error) nor a numbers notification (never). So when the dedupe store cannot be asked
// (unreachable, or the memory store full) and there is no queue, a 503 is a retry later for messaging
// but the loss of the event for voice and numbers: those run without dedupe instead (reported to onError,
// kind `store`), and messaging still gets its 503. It used to be a 503 for all: a voice `disconnect` or a
// number-order notification arriving while Redis restarted was never handled.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { createBandwidthWebhooks, createMemoryDedupeStore } from "../generated/index.js";
import type { DedupeStore } from "../generated/runtime/delivery/dedupe-store.js";
import { orderNotification, postDelivery, voiceDisconnect } from "./support/events.js";

const CREDENTIALS = { username: "store-down", password: "store-down-password" };
const AUTHORIZATION = `Basic ${Buffer.from(`${CREDENTIALS.username}:${CREDENTIALS.password}`).toString("base64")}`;

/** One message-delivered event (messaging bodies are arrays of these). */
function messagingEvent(id: string): Record<string, unknown> {
  const time = "2026-12-05T11:00:00.000Z";
  const message = { id, owner: "+19195550142", applicationId: "5b2f0c4e-8a71-4d1e-9c3b-2e6f7a90d114", time, segmentCount: 1, direction: "out", to: ["+17045550187"], from: "+19195550142", text: "" };
  return { type: "message-delivered", time, description: "ok", to: "+17045550187", message };
}

const quiet = { warn: () => {}, error: () => {}, debug: () => {} };
const broken: DedupeStore = { claim: () => Promise.reject(new Error("dedupe store unavailable: no answer")), complete: () => Promise.resolve(), release: () => Promise.resolve() };

const disconnect = voiceDisconnect("c-store-down");
const storeDownOrder = orderNotification("o-store-down");

async function withReceiver(store: DedupeStore, run: (post: (path: string, body: unknown) => Promise<number>, seen: string[], errors: string[]) => Promise<void>): Promise<void> {
  const seen: string[] = [];
  const errors: string[] = [];
  const webhooks = createBandwidthWebhooks({
    credentials: [CREDENTIALS],
    logger: quiet,
    dedupe: { store },
    voice: { disconnect: (event) => void seen.push(`voice ${event.callId}`) },
    messaging: { messageDelivered: (event) => void seen.push(`messaging ${event.message.id}`) },
    numbers: { orders: (event) => void seen.push(`numbers ${event.OrderId}`) },
    onError: (error, info) => void errors.push(`${info.kind}: ${(error as Error).message}`),
  });
  const server: Server = createServer(webhooks.node);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (path: string, body: unknown): Promise<number> => postDelivery(url + path, body, AUTHORIZATION);
  try {
    await run(post, seen, errors);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test("dedupe store unreachable: voice and numbers events are handled without dedupe, messaging still gets 503", async () => {
  await withReceiver(broken, async (post, seen, errors) => {
    assert.equal(await post("/callbacks/voice", disconnect), 204);
    assert.equal(await post("/callbacks/numbers", storeDownOrder), 200);
    assert.equal(await post("/callbacks/messaging", [messagingEvent("m-store-down")]), 503, "messaging: Bandwidth resends it");
    assert.deepEqual(seen, ["voice c-store-down", "numbers o-store-down"]);
    assert.equal(errors.length, 3);
    assert.match(errors[0], /^store: the dedupe store is unreachable; handled without dedupe \(Bandwidth does not resend voice events answered 5xx\)$/);
    assert.match(errors[1], /handled without dedupe \(Bandwidth does not resend numbers events/);
  });
});

test("memory store full: a voice event is handled without dedupe, a messaging one refused", async () => {
  const full = createMemoryDedupeStore({ maxEntries: 1 });
  await full.claim("0".repeat(64), 60_000); // the one key it holds
  await withReceiver(full, async (post, seen) => {
    assert.equal(await post("/callbacks/voice", disconnect), 204);
    assert.equal(await post("/callbacks/messaging", [messagingEvent("m-full")]), 503);
    assert.deepEqual(seen, ["voice c-store-down"]);
  });
});
