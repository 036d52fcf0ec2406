/**
 * The dedupe store interface and the default in-memory store (bounded, TTL). A key goes through two
 * states: `pending` (claimed by a delivery being handled or enqueued, for a short time) and `done`
 * (handled or safely enqueued, kept for the dedupe window). A delivery that finds `done` is a duplicate
 * and is acknowledged without calling the handler; one that finds `pending` is answered 503 so Bandwidth
 * retries it later (the first delivery may still fail). A failed delivery releases its claim, and a
 * process that dies holding a claim loses it when the pending TTL runs out: nothing acknowledged is lost.
 *
 * Edge-safe (no Node built-ins). The Redis store (`redis-store.ts`) implements the same interface for
 * several receiver processes.
 *
 * @public-entry (re-exported from the package entry point)
 */

/** What {@link DedupeStore.claim} found: the key is now ours, or another delivery holds or finished it. */
export type ClaimResult = { readonly state: "claimed"; readonly token: string } | { readonly state: "pending" | "done" };

/** Where dedupe keys live. Every method may reject (store unreachable, or no answer within its deadline: the Redis store's `commandTimeoutMs`): the receiver then answers 503. */
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
  /** Most keys kept; the oldest are forgotten first. Default 100 000 (about 20 MB). */
  readonly maxEntries?: number;
  /** Clock in ms (tests). Default `Date.now`. */
  readonly now?: () => number;
}

/** Default dedupe window: 24 h (Bandwidth's retries of one callback stay well inside it). */
export const DEFAULT_DEDUPE_TTL_MS: number = 24 * 60 * 60 * 1000;
/** Default memory store bound. */
export const DEFAULT_MEMORY_DEDUPE_ENTRIES: number = 100_000;

interface Entry {
  value: string;
  expires: number;
}

/**
 * A dedupe store in this process's memory: the default when dedupe is on and no store is given. Bounded
 * (oldest keys evicted first, insertion order of a Map) and expiring; it only sees this process's
 * deliveries, so several receivers need a shared store (Redis).
 *
 * @example
 * const store = createMemoryDedupeStore({ maxEntries: 10_000 });
 */
export function createMemoryDedupeStore(options: MemoryDedupeStoreOptions = {}): DedupeStore {
  const maxEntries = options.maxEntries ?? DEFAULT_MEMORY_DEDUPE_ENTRIES;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) throw new TypeError("createMemoryDedupeStore: maxEntries must be a positive integer");
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let counter = 0;

  function live(key: string, at: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry !== undefined && entry.expires <= at) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function set(key: string, value: string, expires: number): void {
    entries.delete(key); // re-insert at the end: Map order is age order
    entries.set(key, { value, expires });
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
  }

  return {
    claim(key: string, pendingTtlMs: number): Promise<ClaimResult> {
      const at = now();
      const entry = live(key, at);
      if (entry !== undefined) return Promise.resolve({ state: entry.value === "done" ? "done" : "pending" });
      const token = `p${++counter}`;
      set(key, token, at + pendingTtlMs);
      return Promise.resolve({ state: "claimed", token });
    },
    complete(key: string, token: string, ttlMs: number): Promise<void> {
      const at = now();
      const entry = live(key, at);
      if (entry === undefined || entry.value === token) set(key, "done", at + ttlMs);
      return Promise.resolve();
    },
    release(key: string, token: string): Promise<void> {
      const entry = live(key, now());
      if (entry !== undefined && entry.value === token) entries.delete(key);
      return Promise.resolve();
    },
  };
}
