// The memory dedupe store's expiry list stays bounded when its oldest entry expires far ahead (a clock that
// jumped forward and was corrected, or cores with different TTLs sharing one store): cleanup used to look only
// at the list's front, so every later mark stayed in it forever (+69 MB for 1M marks with maxEntries 1000).
// Marks come 2 ms apart (a 500 ms window: about 250 keys live), so the once-a-second full sweep keeps room.
// Bounding it keeps the guarantees: a handled key stays done for its whole window, and a clock going
// backwards drops nothing early. Injected clock, no timing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createMemoryDedupeStore, type DedupeStore, memoryDedupeExpiryListLength } from "../templates/runtime/delivery/dedupe-store.js";

const MAX_ENTRIES = 1000;
const TTL_MS = 500;
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

async function mark(store: DedupeStore, key: string, ttlMs: number): Promise<void> {
  const claim = await store.claim(key, 10_000);
  assert.equal(claim.state, "claimed", `${key} is new`);
  if (claim.state === "claimed") await store.complete(key, claim.token, ttlMs);
}

function listLength(store: DedupeStore): number {
  const length = memoryDedupeExpiryListLength(store);
  assert.notEqual(length, undefined, "a memory store reports its expiry list");
  return length ?? 0;
}

test("a far-future mark does not let the expiry list grow past twice maxEntries, and no key is dropped early", async () => {
  let clock = 1_000_000;
  const store = createMemoryDedupeStore({ maxEntries: MAX_ENTRIES, now: () => clock });

  clock += YEAR_MS; // the clock jumps a year ahead...
  await mark(store, "far", TTL_MS);
  clock -= YEAR_MS; // ...and is corrected

  let longest = 0;
  for (let i = 0; i < 20_000; i++) {
    clock += 2;
    await mark(store, `k${i}`, TTL_MS);
    longest = Math.max(longest, listLength(store));
    if (i >= 200) assert.deepEqual(await store.claim(`k${i - 200}`, 10_000), { state: "done" }, `k${i - 200} is still inside its window`);
    if (i % 1000 === 0) assert.deepEqual(await store.claim("far", 10_000), { state: "done" }, "the far-future key is kept");
  }
  assert.ok(longest <= 2 * MAX_ENTRIES, `the expiry list held ${longest} entries (bound ${2 * MAX_ENTRIES})`);

  // the clock goes back 300 ms (an NTP correction): the keys marked last stay done; then more marks (list
  // rebuilds, full sweeps) keep the list bounded and the newest keys done
  const last = 19_999;
  clock -= 300;
  for (let i = 0; i < 2550; i++) {
    clock += 4;
    await mark(store, `back${i}`, TTL_MS);
    longest = Math.max(longest, listLength(store));
    if (i === 50) for (let k = last - 100; k <= last; k++) assert.deepEqual(await store.claim(`k${k}`, 10_000), { state: "done" }, `k${k} is not dropped early by a clock going back`);
  }
  for (let i = 2550 - 100; i < 2550; i++) assert.deepEqual(await store.claim(`back${i}`, 10_000), { state: "done" });
  assert.deepEqual(await store.claim("far", 10_000), { state: "done" });
  assert.ok(longest <= 2 * MAX_ENTRIES, `the expiry list held ${longest} entries (bound ${2 * MAX_ENTRIES})`);

  // once windows end, the keys can be claimed again (the store is not full of stale keys)
  clock += 40_000;
  assert.equal((await store.claim("k19999", 10_000)).state, "claimed");
});

test("a store whose front never expires (two TTLs) keeps its list bounded too", async () => {
  let clock = 0;
  const store = createMemoryDedupeStore({ maxEntries: MAX_ENTRIES, now: () => clock });
  await mark(store, "long", 10 * YEAR_MS); // another core's long window first
  let longest = 0;
  for (let i = 0; i < 10_000; i++) {
    clock += 2;
    await mark(store, `s${i}`, TTL_MS);
    longest = Math.max(longest, listLength(store));
  }
  assert.ok(longest <= 2 * MAX_ENTRIES, `the expiry list held ${longest} entries (bound ${2 * MAX_ENTRIES})`);
  assert.deepEqual(await store.claim("long", 10_000), { state: "done" });
  assert.deepEqual(await store.claim("s9999", 10_000), { state: "done" });
});

test("a clock set back does not hold off the full sweep until it catches up (the store would refuse meanwhile)", async () => {
  let clock = 0;
  const store = createMemoryDedupeStore({ maxEntries: 10, now: () => clock });
  await mark(store, "far", YEAR_MS); // the front of the list never expires: only the full sweep frees room
  for (let i = 0; i < 9; i++) await mark(store, `a${i}`, 100);
  clock = 10_000; // the a keys expired: the next claim finds the store full and sweeps
  await mark(store, "late", 100);
  clock = 1_000; // set back 9 s
  for (let i = 0; i < 8; i++) await mark(store, `b${i}`, 100);
  clock = 1_200; // the b keys expired (by this clock); the store is full of them
  await mark(store, "next", 100); // refused before: no sweep until the clock passed 11 000
  assert.deepEqual(await store.claim("late", 10_000), { state: "done" }, "a key inside its window (by the clock it was marked with) is kept");
  assert.deepEqual(await store.claim("far", 10_000), { state: "done" });
});
