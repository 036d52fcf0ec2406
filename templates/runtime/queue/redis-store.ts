/**
 * The Redis dedupe store: the same {@link DedupeStore} contract as the memory store, shared by every
 * receiver process that points at one Redis. A claim is `SET key token NX PX pendingTtl` (in a short Lua
 * script that also reads what holds the key, so claim-or-inspect is one atomic step); completing and
 * releasing check the token first, so a process can never finish or drop a claim that expired and was
 * taken by another. Commands fail fast when Redis is unreachable (no offline queue) and every command has
 * a deadline (`commandTimeoutMs`), so a Redis that is down OR stalled (accepts the connection, never
 * answers) makes the receiver answer 503 and Bandwidth retry, instead of a request waiting past
 * Bandwidth's own timeout. {@link within} is the deadline the queue and the forwarder use too.
 *
 * Not part of the core entry: imported from `bw-codegen/queue`, needs the optional peer `ioredis`.
 */

import { Redis } from "ioredis";
import type { RedisOptions } from "ioredis";
import type { ClaimResult, DedupeStore } from "../delivery/dedupe-store.js";

/** Options of {@link createRedisDedupeStore}: a connection to open, or a client you own. */
export interface RedisDedupeStoreOptions {
  /** `redis://host:port/db` or ioredis options; the store opens (and `close()` closes) its own client. */
  readonly connection?: string | RedisOptions;
  /** An ioredis client you manage (not closed by `close()`); give it `enableOfflineQueue: false` to fail fast. */
  readonly client?: Redis;
  /** Prefix of every key. Default `bw:dedupe:`. */
  readonly prefix?: string;
  /** How long a command may wait for the connection to be ready before failing. Default 1000 ms. */
  readonly readyTimeoutMs?: number;
  /** How long Redis may take to answer one command (a stalled Redis) before it fails (503). Default 1000 ms. */
  readonly commandTimeoutMs?: number;
}

const CLAIM = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'claimed' end
if redis.call('GET', KEYS[1]) == 'done' then return 'done' end
return 'pending'`;
const COMPLETE = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or not v then redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2]) end
return 1`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 1`;

interface ScriptedRedis {
  bwClaim(key: string, token: string, ttl: number): Promise<string>;
  bwComplete(key: string, token: string, ttl: number): Promise<number>;
  bwRelease(key: string, token: string): Promise<number>;
}

const readiness = new WeakMap<Redis, Promise<void>>();

/**
 * Resolves when `client` is ready, rejects after `ms` (the client keeps reconnecting in the background).
 * Callers waiting at the same time share one listener.
 */
export function whenRedisReady(client: Redis, ms: number): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  if (client.status === "end") return Promise.reject(new Error("redis connection closed"));
  let ready = readiness.get(client);
  if (ready === undefined) {
    ready = new Promise<void>((resolve) => client.once("ready", () => resolve()));
    readiness.set(client, ready);
    void ready.then(() => readiness.delete(client));
  }
  const shared = ready;
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis not reachable within ${ms} ms (status ${client.status})`)), ms);
    void shared.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The error of a Redis call that missed its deadline (Redis stalled): transient, never the call's fault. */
export class RedisDeadlineError extends Error {
  override readonly name = "RedisDeadlineError";
}

/**
 * Resolves as `call` does, or rejects with a {@link RedisDeadlineError} (`<what> within <ms> ms`) when
 * Redis has not answered within `ms` (a Redis that accepts the connection but stalls). The command itself
 * stays in the client's queue (its late reply is dropped); the caller answers 503 or retries.
 */
export async function within<T>(call: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisDeadlineError(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([call, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** {@link within} for the receiver's hand-off: rejects with "queue unavailable" (the receiver answers 503). */
export function storedWithin<T>(stored: Promise<T>, ms: number): Promise<T> {
  return within(stored, ms, "queue unavailable: not stored");
}

/** Opens an ioredis client that fails commands at once while disconnected and keeps reconnecting. */
export function openFailFastRedis(connection: string | RedisOptions): Redis {
  const base: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times: number) => Math.min(50 * times, 1000),
    // No auto-pipelining: it cost the receiver ~25-70 µs per request (bench/queue.ts) for little gain, since
    // a request issues one command per step and the intake writer coalesces a turn's requests itself.
    enableAutoPipelining: false,
  };
  const client = typeof connection === "string" ? new Redis(connection, base) : new Redis({ ...base, ...connection });
  client.on("error", () => {
    // reconnects on its own; each failed command is reported to its caller (503)
  });
  return client;
}

/**
 * Creates a dedupe store on Redis, shared by several receivers.
 *
 * @example
 * import { createRedisDedupeStore } from "bw-codegen/queue";
 * const webhooks = createBandwidthWebhooks({ credentials, messaging, dedupe: { store: createRedisDedupeStore({ connection: process.env.REDIS_URL! }) } });
 */
export function createRedisDedupeStore(options: RedisDedupeStoreOptions): DedupeStore {
  if ((options.client === undefined) === (options.connection === undefined)) {
    throw new TypeError("createRedisDedupeStore: pass exactly one of connection or client");
  }
  const owned = options.client === undefined;
  const client = options.client ?? openFailFastRedis(options.connection!);
  const prefix = options.prefix ?? "bw:dedupe:";
  const readyTimeoutMs = options.readyTimeoutMs ?? 1000;
  client.defineCommand("bwClaim", { numberOfKeys: 1, lua: CLAIM });
  client.defineCommand("bwComplete", { numberOfKeys: 1, lua: COMPLETE });
  client.defineCommand("bwRelease", { numberOfKeys: 1, lua: RELEASE });
  const scripted = client as unknown as ScriptedRedis;
  const commandTimeoutMs = options.commandTimeoutMs ?? 1000;
  const ready = (): Promise<void> => whenRedisReady(client, readyTimeoutMs);
  const answered = <T>(call: Promise<T>): Promise<T> => within(call, commandTimeoutMs, "dedupe store unavailable: no answer");

  return {
    async claim(key: string, pendingTtlMs: number): Promise<ClaimResult> {
      await ready();
      const token = crypto.randomUUID();
      const state = await answered(scripted.bwClaim(prefix + key, token, Math.max(1, Math.ceil(pendingTtlMs))));
      if (state === "claimed") return { state, token };
      return { state: state === "done" ? "done" : "pending" };
    },
    async complete(key: string, token: string, ttlMs: number): Promise<void> {
      await ready();
      await answered(scripted.bwComplete(prefix + key, token, Math.max(1, Math.ceil(ttlMs))));
    },
    async release(key: string, token: string): Promise<void> {
      await ready();
      await answered(scripted.bwRelease(prefix + key, token));
    },
    async close(): Promise<void> {
      if (owned) client.disconnect();
    },
  };
}
