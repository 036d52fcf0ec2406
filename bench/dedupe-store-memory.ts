/**
 * What the memory dedupe store (`createMemoryDedupeStore`) holds per key, measured on the V8 heap: N
 * distinct dedupe keys (SHA-256 hex, as the receiver makes them) claimed and marked done with the default
 * 24 h window, then heap used after a full GC minus before, divided by N; plus the time per claim +
 * complete. The default bound (`DEFAULT_MEMORY_DEDUPE_ENTRIES`) is sized from this. Run by hand:
 *
 *   node --expose-gc --import tsx bench/dedupe-store-memory.ts [--keys 1000000]
 */

import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { createMemoryDedupeStore, DEFAULT_DEDUPE_TTL_MS, DEFAULT_MEMORY_DEDUPE_ENTRIES } from "../templates/runtime/delivery/dedupe-store.js";

const { values } = parseArgs({ options: { keys: { type: "string", default: String(DEFAULT_MEMORY_DEDUPE_ENTRIES) } } });
const keys = Number(values.keys);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with node --expose-gc");

let clock = Date.now();
const store = createMemoryDedupeStore({ maxEntries: keys, now: () => clock });
gc();
const before = process.memoryUsage().heapUsed;
let spent = 0n;
for (let i = 0; i < keys; i++) {
  const key = createHash("sha256").update(`event-${i}`).digest("hex");
  const start = process.hrtime.bigint();
  const claim = await store.claim(key, 35_000);
  if (claim.state !== "claimed") throw new Error(`key ${i} not claimed: ${claim.state}`);
  await store.complete(key, claim.token, DEFAULT_DEDUPE_TTL_MS);
  spent += process.hrtime.bigint() - start;
  clock += 1;
}
gc();
const used = process.memoryUsage().heapUsed - before;
const probe = await store.claim(createHash("sha256").update("event-0").digest("hex"), 35_000); // keeps the store alive up to here
console.log(`${keys} keys held (first one ${probe.state}): ${(used / 2 ** 20).toFixed(1)} MiB, ${(used / keys).toFixed(1)} bytes a key; claim + complete ${(Number(spent) / keys / 1000).toFixed(2)} µs`);
