// The dedupe stores keep one contract (claim → pending, complete → done, release → free; a foreign token
// changes nothing; keys expire), the memory store stays within its bound by refusing new claims, never by
// forgetting a pending claim or a done key, and the Redis store (real redis-server) is shared by two store
// instances, as two receiver processes share it, and fails fast while Redis is down, then works again
// once it is back.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createMemoryDedupeStore, DEDUPE_STORE_FULL, type DedupeStore } from "../templates/runtime/delivery/dedupe-store.js";
import { createRedisDedupeStore } from "../templates/runtime/queue/redis-store.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { settles, until } from "./support/until.js";

async function contract(store: DedupeStore, wait: (ms: number) => Promise<void>): Promise<void> {
  const first = await store.claim("k1", 10_000);
  assert.equal(first.state, "claimed");
  assert.deepEqual(await store.claim("k1", 10_000), { state: "pending" });
  await store.complete("k1", "someone-else", 60_000); // a foreign token does not finish our claim
  assert.deepEqual(await store.claim("k1", 10_000), { state: "pending" });
  await store.release("k1", "someone-else");
  assert.deepEqual(await store.claim("k1", 10_000), { state: "pending" });
  if (first.state !== "claimed") return;
  await store.complete("k1", first.token, 60_000);
  assert.deepEqual(await store.claim("k1", 10_000), { state: "done" });
  await store.release("k1", first.token); // a done key is not released by its old token
  assert.deepEqual(await store.claim("k1", 10_000), { state: "done" });

  const second = await store.claim("k2", 10_000);
  assert.equal(second.state, "claimed");
  if (second.state === "claimed") await store.release("k2", second.token);
  assert.equal((await store.claim("k2", 10_000)).state, "claimed", "a released key can be claimed again");

  assert.equal((await store.claim("k3", 30)).state, "claimed");
  await wait(80);
  assert.equal((await store.claim("k3", 10_000)).state, "claimed", "a pending claim expires (its holder died)");
  const done = await store.claim("k4", 10_000);
  if (done.state === "claimed") await store.complete("k4", done.token, 30);
  await wait(80);
  assert.equal((await store.claim("k4", 10_000)).state, "claimed", "a done key expires after the dedupe window");
}

test("memory store: claim / complete / release / expiry", async () => {
  let clock = 1_000;
  const store = createMemoryDedupeStore({ now: () => clock });
  await contract(store, async (ms) => void (clock += ms));
});

test("memory store: full, it refuses new claims (code DEDUPE_STORE_FULL) and never forgets a pending claim or a done key", async () => {
  const store = createMemoryDedupeStore({ maxEntries: 100 });
  const held = await store.claim("in-flight", 60_000); // a delivery still being handled
  assert.equal(held.state, "claimed");
  const handled = await store.claim("handled", 60_000);
  if (handled.state === "claimed") await store.complete("handled", handled.token, 60_000);
  let refused = 0;
  for (let i = 0; i < 1000; i++) {
    try {
      const claim = await store.claim(`flood-${i}`, 60_000);
      if (claim.state === "claimed") await store.complete(`flood-${i}`, claim.token, 60_000);
    } catch (error) {
      assert.equal((error as { code?: string }).code, DEDUPE_STORE_FULL);
      assert.match((error as Error).message, /full: 100 keys .*maxEntries/);
      refused++;
    }
  }
  assert.equal(refused, 902, "98 fit beside the two keys held");
  assert.deepEqual(await store.claim("in-flight", 60_000), { state: "pending" }, "the pending claim is kept: no second run at the same time");
  assert.deepEqual(await store.claim("handled", 60_000), { state: "done" }, "the handled key is kept: no second run later");
  assert.deepEqual(await store.claim("flood-0", 60_000), { state: "done" });
  await assert.rejects(store.claim("new", 60_000), { code: DEDUPE_STORE_FULL });
  if (held.state === "claimed") await store.complete("in-flight", held.token, 60_000);
  assert.deepEqual(await store.claim("in-flight", 60_000), { state: "done" }, "completing a claim of a full store marks it done");
  assert.throws(() => createMemoryDedupeStore({ maxEntries: 0 }), /maxEntries/);
});

test("memory store: keys whose window ended make room again (front first, or a full scan when TTLs differ)", async () => {
  let clock = 0;
  const store = createMemoryDedupeStore({ maxEntries: 3, now: () => clock });
  const long = await store.claim("long", 60_000);
  if (long.state === "claimed") await store.complete("long", long.token, 10_000);
  for (const key of ["a", "b"]) {
    const claim = await store.claim(key, 60_000);
    if (claim.state === "claimed") await store.complete(key, claim.token, 1_000);
  }
  await assert.rejects(store.claim("c", 60_000), { code: DEDUPE_STORE_FULL });
  clock = 2_000; // "a" and "b" expired behind "long", which still holds
  assert.equal((await store.claim("c", 60_000)).state, "claimed");
  assert.equal((await store.claim("d", 60_000)).state, "claimed");
  assert.deepEqual(await store.claim("long", 60_000), { state: "done" });
  await assert.rejects(store.claim("e", 60_000), { code: DEDUPE_STORE_FULL });
  clock = 70_000; // every claim and mark has run out
  assert.equal((await store.claim("e", 60_000)).state, "claimed");
});

describe("redis store (real redis-server)", () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedisServer();
  });
  after(async () => {
    await redis.dispose();
  });

  test("claim / complete / release / expiry", async () => {
    const store = createRedisDedupeStore({ connection: redis.url, prefix: "t1:" });
    try {
      await contract(store, (ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    } finally {
      await store.close?.();
    }
  });

  test("two stores (two receivers) share the keys; concurrent claims: exactly one wins", async () => {
    const a = createRedisDedupeStore({ connection: redis.url, prefix: "t2:" });
    const b = createRedisDedupeStore({ connection: redis.url, prefix: "t2:" });
    try {
      for (let i = 0; i < 50; i++) {
        const results = await Promise.all([a.claim(`e${i}`, 10_000), b.claim(`e${i}`, 10_000), a.claim(`e${i}`, 10_000), b.claim(`e${i}`, 10_000)]);
        assert.equal(results.filter((r) => r.state === "claimed").length, 1, `event ${i}`);
      }
    } finally {
      await a.close?.();
      await b.close?.();
    }
  });

  test("fails fast while redis is down and works again once it is back", async () => {
    const store = createRedisDedupeStore({ connection: redis.url, prefix: "t3:", readyTimeoutMs: 300 });
    try {
      assert.equal((await store.claim("before", 10_000)).state, "claimed");
      await redis.stop();
      // Rejected while Redis is still down (it is restarted only below), so not after a reconnect; a
      // wait for one would hang here until WAIT_LIMIT_MS.
      await assert.rejects(settles(store.claim("during", 10_000), "a claim with Redis down"), /redis not reachable|redis connection closed|writeable|Connection/i);
      await redis.start();
      let state: string | undefined;
      await until(async () => {
        try {
          state = (await store.claim("after", 10_000)).state;
          return true;
        } catch {
          return false;
        }
      });
      assert.equal(state, "claimed");
    } finally {
      await store.close?.();
    }
  });

  test("keys are the prefix plus the hashed key only", async () => {
    const store = createRedisDedupeStore({ connection: redis.url, prefix: "t4:" });
    try {
      await store.claim("0123abcd", 10_000);
      const { Redis } = await import("ioredis");
      const probe = new Redis(redis.url);
      assert.deepEqual(await probe.keys("t4:*"), ["t4:0123abcd"]);
      assert.ok((await probe.pttl("t4:0123abcd")) <= 10_000);
      probe.disconnect();
    } finally {
      await store.close?.();
    }
  });
});
