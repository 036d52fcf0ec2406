/**
 * The dedupe store interface and the default in-memory store (bounded, TTL, never evicts). A key goes through two
 * states: `pending` (claimed by a delivery being handled or enqueued, for a short time) and `done`
 * (handled or safely enqueued, kept for the dedupe window). A delivery that finds `done` is a duplicate
 * and is acknowledged without calling the handler; one that finds `pending` is answered 503 so Bandwidth
 * retries it later (the first delivery may still fail). A failed delivery releases its claim, and a
 * process that dies holding a claim loses it when the pending TTL runs out: nothing acknowledged is lost.
 *
 * Edge-safe (no Node built-ins). The Redis store (`redis-store.ts`) implements the same interface for
 * several receiver processes.
 */
import { BandwidthConfigError, BandwidthError } from "../errors.js";

/** What {@link DedupeStore.claim} found: the key is now ours, or another delivery holds or finished it. */
export type ClaimResult = { readonly state: "claimed"; readonly token: string } | { readonly state: "pending" | "done" };

/** Where dedupe keys live. Every method may reject (store unreachable, no answer within its deadline: the Redis store's `commandTimeoutMs`, or the memory store full): the receiver then answers 503. */
export interface DedupeStore {
  /** Claims `key` for `pendingTtlMs` unless it is pending or done (`SET key token NX PX pendingTtlMs`). */
  claim(key: string, pendingTtlMs: number): Promise<ClaimResult>;
  /** Marks a claimed key done for `ttlMs` (the dedupe window). */
  complete(key: string, token: string, ttlMs: number): Promise<void>;
  /** Gives up a claim (the handler failed): the next delivery of the event runs again. */
  release(key: string, token: string): Promise<void>;
  /** Closes connections the store opened (no-op for the memory store). */
  close?(): Promise<void>;
}

/** Options of {@link createMemoryDedupeStore}. */
export interface MemoryDedupeStoreOptions {
  /**
   * Most keys held at once, pending claims and done keys together (inside their windows). When full, a
   * new claim is refused (the receiver answers 503, Bandwidth retries) until keys expire: no key is ever
   * forgotten early. Default 1 000 000: with the 24 h window, a steady 11.5 keyed events a second; about
   * 94 MiB when full (~98 bytes a key, measured: bench/dedupe-store-memory.ts). Memory follows the traffic, not the bound:
   * keys whose window ended are dropped as new ones come.
   */
  readonly maxEntries?: number;
  /**
   * Told once when the store holds 80 % of `maxEntries` (after dropping expired keys), before it ever
   * refuses a claim, and once more after it fell below half and filled again. Default: none (the
   * receiver's default store warns through its logger).
   */
  readonly warn?: (message: string) => void;
  /** Clock in ms (tests). Default `Date.now`. */
  readonly now?: () => number;
}

/** Default dedupe window: 24 h (Bandwidth's retries of one callback stay well inside it). */
export const DEFAULT_DEDUPE_TTL_MS: number = 24 * 60 * 60 * 1000;
/** Default memory store bound: 1 000 000 keys (a steady 11.5 keyed events a second over the 24 h window; ~94 MiB full). */
export const DEFAULT_MEMORY_DEDUPE_ENTRIES: number = 1_000_000;

/** The `code` of the error a full memory store rejects a claim with (the receiver answers 503). */
export const DEDUPE_STORE_FULL = "BW_DEDUPE_STORE_FULL";

interface Claim {
  readonly token: string;
  readonly expires: number;
}

/** Drops every expired entry of a map. */
function dropExpired<V>(map: Map<string, V>, expiry: (value: V) => number, at: number): void {
  for (const [key, value] of map) if (expiry(value) <= at) map.delete(key);
}

const claimExpiry = (claim: Claim): number => claim.expires;

/** Value of each lower-case hex digit by char code (-1: not one). */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_VALUE["0123456789abcdef".charCodeAt(i)] = i;

/** Appended to a key that is not 64 lower-case hex digits: a char no packed key has, so the two never meet. */
const UNPACKED = "\u0100";
const b = new Array<number>(32).fill(0);

/**
 * The form a key is held in: a dedupe key (SHA-256, 64 hex digits) packed two digits a char into 32
 * one-byte chars (48 bytes on the heap instead of 80; the whole key, so two keys are equal exactly when
 * their packed forms are); any other key as is, marked. About 0.25 µs.
 */
function packed(key: string): string {
  if (key.length !== 64) return key + UNPACKED;
  for (let i = 0; i < 32; i++) {
    const high = key.charCodeAt(2 * i);
    const low = key.charCodeAt(2 * i + 1);
    const value = high < 128 && low < 128 ? HEX_VALUE[high] * 16 + HEX_VALUE[low] : -1;
    if (value < 0 || HEX_VALUE[low] < 0) return key + UNPACKED;
    b[i] = value;
  }
  // one flat string, with the bytes as arguments (a spread is 3x slower; a += loop would build a rope)
  return String.fromCharCode(b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15], b[16], b[17], b[18], b[19], b[20], b[21], b[22], b[23], b[24], b[25], b[26], b[27], b[28], b[29], b[30], b[31]);
}

/** Done keys' expiry is held in ticks of this many ms since the store began (rounded up): a small integer for a year, no boxed number per key. */
const TICK_MS = 16;

/**
 * A dedupe store in this process's memory: the default when dedupe is on and no store is given. It only
 * sees this process's deliveries, so several receivers need a shared store (Redis). Bounded without
 * forgetting: a pending claim lasts until it is completed, released or its own TTL ends, and a done key
 * until its window ends; keys whose window ended are dropped as new ones come, and when `maxEntries`
 * keys are held inside their windows the claim is refused (rejected with `code` {@link DEDUPE_STORE_FULL}:
 * the receiver answers 503) rather than letting a handled event run again or one event run twice at once.
 * `warn` is told once at 80 % of the bound, before any refusal.
 *
 * @example
 * const store = createMemoryDedupeStore({ maxEntries: 10_000 });
 */
export function createMemoryDedupeStore(options: MemoryDedupeStoreOptions = {}): DedupeStore {
  const maxEntries = options.maxEntries ?? DEFAULT_MEMORY_DEDUPE_ENTRIES;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new BandwidthConfigError("createMemoryDedupeStore: maxEntries must be a positive integer");
  const now = options.now ?? Date.now;
  const warn = options.warn;
  const origin = now();
  const warnAt = Math.max(1, Math.floor(maxEntries * 0.8));
  let warned = false;
  const pending = new Map<string, Claim>();
  const done = new Map<string, number>(); // packed key -> expiry in ticks since `origin`
  const doneExpiry = (ticks: number): number => origin + ticks * TICK_MS;
  // The done keys in the order they were marked, with their expiry: with one TTL (one webhook core per
  // store) that is expiry order, so expired keys are dropped from its front. Not by iterating `done`: a
  // Map's iterator walks the holes deleted entries leave until the table is rebuilt, which made a sweep
  // of a store in steady traffic cost ~0.3 ms a claim (every front entry deleted, the next one found
  // behind hundreds of thousands of holes).
  let order: string[] = [];
  let orderTicks: number[] = [];
  let head = 0;
  let counter = 0;
  let lastFullSweep = Number.NEGATIVE_INFINITY;

  /** Tells `warn` once when the store reaches 80 % of its bound (again after it fell below half). */
  function watch(size: number): void {
    if (warn === undefined) return;
    if (size < maxEntries / 2) warned = false;
    else if (!warned && size >= warnAt) {
      warned = true;
      try {
        warn(
          `bw-codegen webhooks: the memory dedupe store holds ${size} keys inside their windows, ${Math.round((100 * size) / maxEntries)} % of its bound (maxEntries ${maxEntries}); ` +
            "when full it refuses new events (503 store_unavailable, Bandwidth retries) until keys expire. Raise maxEntries (createMemoryDedupeStore, about 100 bytes a key), shorten dedupe.ttlMs or use createRedisDedupeStore",
        );
      } catch {
        // a throwing logger changes nothing
      }
    }
  }

  /** Marks a key done until `ticks`; the list is rebuilt when it passes twice the bound (its front may be stuck behind a far expiry). */
  function markDone(key: string, ticks: number, at: number): void {
    done.set(key, ticks);
    order.push(key);
    orderTicks.push(ticks);
    if (order.length - head > 2 * maxEntries) rebuildOrder(at);
  }

  /**
   * Drops every expired done key and rebuilds `order` from the keys left, in the order they were marked
   * (a Map keeps insertion order, and a key is only set when absent). Without it a front entry expiring far
   * ahead (a clock corrected backwards, another TTL) kept every entry behind it, and the list grew forever.
   * At most `maxEntries` entries remain, so it runs at most once per `maxEntries` marks.
   */
  function rebuildOrder(at: number): void {
    const keys: string[] = [];
    const ticks: number[] = [];
    for (const [key, expiry] of done) {
      if (doneExpiry(expiry) <= at) done.delete(key);
      else {
        keys.push(key);
        ticks.push(expiry);
      }
    }
    order = keys;
    orderTicks = ticks;
    head = 0;
  }

  /** Drops the done keys at the front of `order` whose window ended (an entry for a key since dropped or marked again is skipped). */
  function dropExpiredFront(at: number): void {
    for (; head < order.length && doneExpiry(orderTicks[head]) <= at; head++) {
      const key = order[head];
      if (done.get(key) === orderTicks[head]) done.delete(key);
    }
    if (head >= 1024 && head * 2 >= order.length) {
      order = order.slice(head);
      orderTicks = orderTicks.slice(head);
      head = 0;
    }
  }

  /** Whether a new key fits: expired keys at the front are dropped on every call; a full scan, at most once a second, only when full (TTLs may differ). */
  function room(at: number): boolean {
    dropExpiredFront(at);
    // `at < lastFullSweep`: a clock set back must not hold the sweep off until it catches up (the store would refuse till then)
    if (pending.size + done.size >= maxEntries && (at - lastFullSweep >= 1000 || at < lastFullSweep)) {
      lastFullSweep = at;
      rebuildOrder(at);
      dropExpired(pending, claimExpiry, at);
    }
    const size = pending.size + done.size;
    watch(size + 1);
    return size < maxEntries;
  }

  /** The live claim of a key (an expired one is dropped). */
  function claimOf(key: string, at: number): Claim | undefined {
    const claim = pending.get(key);
    if (claim !== undefined && claim.expires <= at) {
      pending.delete(key);
      return undefined;
    }
    return claim;
  }

  /** Whether the key is done (an expired mark is dropped). */
  function isDone(key: string, at: number): boolean {
    const ticks = done.get(key);
    if (ticks === undefined) return false;
    if (doneExpiry(ticks) > at) return true;
    done.delete(key);
    return false;
  }

  const store: DedupeStore = {
    claim(rawKey: string, pendingTtlMs: number): Promise<ClaimResult> {
      const at = now();
      const key = packed(rawKey);
      if (isDone(key, at)) return Promise.resolve({ state: "done" });
      if (claimOf(key, at) !== undefined) return Promise.resolve({ state: "pending" });
      if (!room(at)) {
        return Promise.reject(
          new BandwidthError(DEDUPE_STORE_FULL, `the memory dedupe store is full: ${maxEntries} keys inside their windows (option maxEntries); new events are refused (503) until keys expire`),
        );
      }
      const token = `p${++counter}`;
      pending.set(key, { token, expires: at + pendingTtlMs });
      return Promise.resolve({ state: "claimed", token });
    },
    complete(rawKey: string, token: string, ttlMs: number): Promise<void> {
      const at = now();
      const key = packed(rawKey);
      const claim = claimOf(key, at);
      if (claim !== undefined && claim.token !== token) return Promise.resolve(); // another delivery's claim
      if (claim !== undefined) pending.delete(key);
      else if (isDone(key, at) || !room(at)) return Promise.resolve(); // our claim ran out: marked if there is room
      markDone(key, Math.ceil((at + ttlMs - origin) / TICK_MS), at);
      return Promise.resolve();
    },
    release(rawKey: string, token: string): Promise<void> {
      const key = packed(rawKey);
      const claim = claimOf(key, now());
      if (claim !== undefined && claim.token === token) pending.delete(key);
      return Promise.resolve();
    },
  };
  expiryListLengths.set(store, () => order.length - head);
  return store;
}

/** Each memory store's count of entries in its expiry list (tests). */
const expiryListLengths = new WeakMap<DedupeStore, () => number>();

/** @internal test hook: how many entries a memory store's expiry list holds (undefined for another store). */
export function memoryDedupeExpiryListLength(store: DedupeStore): number | undefined {
  return expiryListLengths.get(store)?.();
}
