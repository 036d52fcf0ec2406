// The memory dedupe store under a real receiver's traffic, with real numbers of keys and an injected clock
// (no timing): with its defaults it takes a steady 9 keyed events a second over days (keys whose 24 h
// window ended are dropped as new ones come, so it never fills), still knows every key inside its window,
// and tells its `warn` once at 80 % of its bound, before it would refuse a claim. (The old default, 100 000
// keys, refused every new event after 3 h 5 min of such traffic, and nothing warned before.)
import assert from "node:assert/strict";
import { test } from "node:test";
import { createMemoryDedupeStore, DEDUPE_STORE_FULL, DEFAULT_DEDUPE_TTL_MS, type DedupeStore } from "../templates/runtime/delivery/dedupe-store.js";

const HOUR = 60 * 60 * 1000;
/** A distinct dedupe key per event number (64 lower-case hex digits, as the receiver's SHA-256 keys). */
const keyOf = (n: number): string => n.toString(16).padStart(64, "0");

/** Claims and marks done one event's key; the claim's state. */
async function deliver(store: DedupeStore, key: string): Promise<string> {
  const claim = await store.claim(key, 35_000);
  if (claim.state === "claimed") await store.complete(key, claim.token, DEFAULT_DEDUPE_TTL_MS);
  return claim.state;
}

test("the default memory store takes 9 keyed events a second for 25 hours: no refusal, no warning, every key of the last 24 h still known", async () => {
  let clock = Date.UTC(2026, 11, 5);
  const warnings: string[] = [];
  const store = createMemoryDedupeStore({ now: () => clock, warn: (message) => warnings.push(message) });
  const perSecond = 9;
  const events = 25 * 3600 * perSecond; // 810 000 distinct events
  let refused = 0;
  for (let n = 0; n < events; n++) {
    if (n % perSecond === 0 && n > 0) clock += 1000;
    try {
      assert.equal(await deliver(store, keyOf(n)), "claimed");
    } catch (error) {
      if ((error as { code?: string }).code !== DEDUPE_STORE_FULL) throw error;
      refused++;
    }
  }
  assert.equal(refused, 0, "no new event refused (503)");
  assert.deepEqual(warnings, [], "never near its bound: 24 h × 9/s = 777 600 keys");
  const last = events - 1;
  assert.equal(await deliver(store, keyOf(last)), "done", "the newest event is a duplicate when redelivered");
  assert.equal(await deliver(store, keyOf(last - 23 * 3600 * perSecond)), "done", "one 23 h old too");
  assert.equal(await deliver(store, keyOf(last - 24.5 * 3600 * perSecond)), "claimed", "one 24.5 h old is past its window: handled again");
  assert.equal(await deliver(store, keyOf(last).toUpperCase()), "claimed", "a key differing in case is another key");
});

test("the memory store warns once at 80 % of its bound, before its first refusal, and again only after it fell below half", async () => {
  let clock = 0;
  const warnings: string[] = [];
  const store = createMemoryDedupeStore({ maxEntries: 1000, now: () => clock, warn: (message) => warnings.push(message) });
  for (let n = 0; n < 799; n++) await deliver(store, keyOf(n));
  assert.equal(warnings.length, 0, "799 keys: below 80 %");
  await deliver(store, keyOf(799));
  assert.equal(warnings.length, 1, "the 800th key: 80 %");
  assert.match(warnings[0], /holds 800 keys .*80 % of its bound \(maxEntries 1000\).*refuses new events \(503 store_unavailable.*maxEntries.*createRedisDedupeStore/);
  for (let n = 800; n < 1000; n++) assert.equal(await deliver(store, keyOf(n)), "claimed");
  await assert.rejects(deliver(store, keyOf(1000)), { code: DEDUPE_STORE_FULL }, "full: refused, never forgotten");
  assert.equal(await deliver(store, keyOf(0)), "done");
  assert.equal(warnings.length, 1, "told once");

  clock += DEFAULT_DEDUPE_TTL_MS + HOUR; // every window ended
  for (let n = 2000; n < 2300; n++) assert.equal(await deliver(store, keyOf(n)), "claimed");
  assert.equal(warnings.length, 1, "300 keys: below half, the warning is re-armed");
  for (let n = 2300; n < 2800; n++) await deliver(store, keyOf(n));
  assert.equal(warnings.length, 2, "80 % again: told again");
});
