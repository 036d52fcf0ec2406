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
   * forgotten early. Default 100 000 (about 15 MB).
   */
  readonly maxEntries?: number;
  /** Clock in ms (tests). Default `Date.now`. */
  readonly now?: () => number;
}

/** Default dedupe window: 24 h (Bandwidth's retries of one callback stay well inside it). */
export const DEFAULT_DEDUPE_TTL_MS: number = 24 * 60 * 60 * 1000;
/** Default memory store bound. */
export const DEFAULT_MEMORY_DEDUPE_ENTRIES: number = 100_000;

/** The `code` of the error a full memory store rejects a claim with (the receiver answers 503). */
export const DEDUPE_STORE_FULL = "BW_DEDUPE_STORE_FULL";

interface Claim {
  readonly token: string;
  readonly expires: number;
}

/** Drops the expired entries at the front of a map (oldest first; stops at the first live one). */
function dropExpiredFront<V>(map: Map<string, V>, expiry: (value: V) => number, at: number): void {
  for (const [key, value] of map) {
    if (expiry(value) > at) return;
    map.delete(key);
  }
}

/** Drops every expired entry of a map. */
function dropExpired<V>(map: Map<string, V>, expiry: (value: V) => number, at: number): void {
  for (const [key, value] of map) if (expiry(value) <= at) map.delete(key);
}

const claimExpiry = (claim: Claim): number => claim.expires;
const doneExpiry = (expires: number): number => expires;

/**
 * A dedupe store in this process's memory: the default when dedupe is on and no store is given. It only
 * sees this process's deliveries, so several receivers need a shared store (Redis). Bounded without
 * forgetting: a pending claim lasts until it is completed, released or its own TTL ends, and a done key
 * until its window ends; when `maxEntries` keys are held, expired ones are dropped and, if none is,
 * the claim is refused (rejected with `code` {@link DEDUPE_STORE_FULL}: the receiver answers 503) rather
 * than letting a handled event run again or one event run twice at once.
 *
 * @example
 * const store = createMemoryDedupeStore({ maxEntries: 10_000 });
 */
export function createMemoryDedupeStore(options: MemoryDedupeStoreOptions = {}): DedupeStore {
  const maxEntries = options.maxEntries ?? DEFAULT_MEMORY_DEDUPE_ENTRIES;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new BandwidthConfigError("createMemoryDedupeStore: maxEntries must be a positive integer");
  const now = options.now ?? Date.now;
  // Two maps in insertion order; with one TTL each (one webhook core per store) that is expiry order.
  const pending = new Map<string, Claim>();
  const done = new Map<string, number>();
  let counter = 0;
  let lastFullSweep = Number.NEGATIVE_INFINITY;

  /** Whether a new key fits, after dropping expired keys (a full scan at most once a second: TTLs may differ). */
  function room(at: number): boolean {
    if (pending.size + done.size < maxEntries) return true;
    dropExpiredFront(done, doneExpiry, at);
    dropExpiredFront(pending, claimExpiry, at);
    if (pending.size + done.size < maxEntries || at - lastFullSweep < 1000) return pending.size + done.size < maxEntries;
    lastFullSweep = at;
    dropExpired(done, doneExpiry, at);
    dropExpired(pending, claimExpiry, at);
    return pending.size + done.size < maxEntries;
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
    const expires = done.get(key);
    if (expires !== undefined && expires <= at) done.delete(key);
    return expires !== undefined && expires > at;
  }

  return {
    claim(key: string, pendingTtlMs: number): Promise<ClaimResult> {
      const at = now();
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
    complete(key: string, token: string, ttlMs: number): Promise<void> {
      const at = now();
      const claim = claimOf(key, at);
      if (claim !== undefined && claim.token !== token) return Promise.resolve(); // another delivery's claim
      if (claim !== undefined) pending.delete(key);
      else if (isDone(key, at) || !room(at)) return Promise.resolve(); // our claim ran out: marked if there is room
      done.delete(key); // re-insert at the end: insertion order is expiry order
      done.set(key, at + ttlMs);
      return Promise.resolve();
    },
    release(key: string, token: string): Promise<void> {
      const claim = claimOf(key, now());
      if (claim !== undefined && claim.token === token) pending.delete(key);
      return Promise.resolve();
    },
  };
}
