// The receiver's dedupe step through a store outage longer than a claim (the store's Redis restarting
// after the handler ran): the done-mark of a handled event is retried in the background until it lands,
// so a later redelivery of the event (Bandwidth delivers at least once) is a duplicate, not a second run.
// It used to stop retrying when the claim ran out (handler timeout + 5 s; 200 ms here), and the
// redelivery found the key free. In process: the guard on a memory store with an injected clock whose
// complete() fails while "down".
import assert from "node:assert/strict";
import { test } from "node:test";
import { createMemoryDedupeStore, type DedupeStore } from "../templates/runtime/delivery/dedupe-store.js";
import { createDeliveryGuard, type GuardedEvent } from "../templates/runtime/delivery/guard.js";
import { until } from "./support/until.js";

test("a handled event's done-mark is retried past its claim until the store is back: the redelivery is a duplicate", async () => {
  let clock = 0;
  const memory = createMemoryDedupeStore({ now: () => clock });
  let down = false;
  let failedMarks = 0;
  let marks = 0;
  const store: DedupeStore = {
    claim: (key, ttl) => memory.claim(key, ttl),
    release: (key, token) => memory.release(key, token),
    complete: (key, token, ttl) => {
      if (down) {
        failedMarks++;
        return Promise.reject(new Error("dedupe store unavailable: no answer"));
      }
      marks++;
      return memory.complete(key, token, ttl);
    },
  };
  const duplicates: string[] = [];
  const guard = createDeliveryGuard({ dedupe: { store, pendingTtlMs: 200, onDuplicate: (info) => duplicates.push(info.eventType) }, timeoutMs: 1000 })!;
  const event: GuardedEvent = {
    family: "messaging",
    eventType: "message-delivered",
    event: { type: "message-delivered", time: "2026-12-05T11:00:00.000Z", message: { id: "m-outage" } },
    valid: true,
    datedBy: ["time"],
  };

  const first = await guard.admit([event]);
  assert.deepEqual(first.admitted, [0]);
  down = true; // the handler ran; the store's Redis went away before the mark
  await guard.settle(first, true);
  await until(() => failedMarks >= 4); // past the 200 ms claim: the old code had stopped after two tries
  clock += 60_000; // in the store, the claim has long run out
  down = false; // the store is back
  await until(() => marks === 1);

  const redelivery = await guard.admit([event]);
  assert.deepEqual(redelivery.admitted, [], "not handled again");
  assert.deepEqual(duplicates, ["message-delivered"]);
});
