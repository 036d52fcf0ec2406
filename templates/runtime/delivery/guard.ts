/**
 * At-least-once delivery for async events (their reply Bandwidth ignores), between validation and the
 * handler: dedupe (claim each event's key in a {@link DedupeStore}; a key already done is a duplicate,
 * acknowledged without the handler and reported to `onDuplicate`) and the optional hand-off to a queue
 * (store the events, then acknowledge). The event pipeline calls {@link DeliveryGuard.admit} with a
 * request's async events, runs (or enqueues) the admitted ones, then {@link DeliveryGuard.settle}s.
 *
 * The answers it leads to: store or queue unreachable → 503 (`Retry-After`), so Bandwidth retries and
 * nothing is acknowledged that was not handled or stored; an event another delivery is still handling
 * (`pending`) → 503 once the others are done, for the same reason. Each claim is settled on its own
 * event's outcome: in a batch where one handler failed, the others are marked done and only the failed
 * one's claim is released, so Bandwidth's retry of the batch runs that one alone. Edge-safe: imports no
 * Node built-in, Redis or BullMQ (stores and queues are injected).
 */

import { BandwidthConfigError } from "../errors.js";
import { dedupeKey } from "./dedupe-keys.js";
import { createMemoryDedupeStore, DEDUPE_STORE_FULL, DEFAULT_DEDUPE_TTL_MS } from "./dedupe-store.js";
import type { ClaimResult, DedupeStore } from "./dedupe-store.js";
import type { EventQueue, QueuedEvent } from "../queue/types.js";

/** Information passed to `onDuplicate`. */
export interface DuplicateInfo {
  readonly family: string;
  readonly eventType: string;
  /** The hashed dedupe key (never the event's own text). */
  readonly key: string;
}

/** The `dedupe` option: `true` for the defaults (memory store, 24 h), or settings. */
export interface DedupeOptions {
  /** Where keys live. Default: a bounded memory store (one process only; use the Redis store for several). */
  readonly store?: DedupeStore;
  /** How long a handled event's key is kept. Default 24 h. */
  readonly ttlMs?: number;
  /** How long a claim lasts while its delivery is handled (or stored). Default: the handler timeout + 5 s. */
  readonly pendingTtlMs?: number;
  /** Called for each duplicate (acknowledged, not handled). Default: debug log. */
  readonly onDuplicate?: (info: DuplicateInfo, event: unknown) => void;
}

/** One async event of a request, as the guard sees it. */
export interface GuardedEvent {
  readonly family: string;
  readonly eventType: string;
  readonly event: unknown;
  readonly valid: boolean;
  /** The fields that date an event of its family (`WebhookFamily.datedBy`): none, no dedupe key. */
  readonly datedBy?: readonly string[];
}

/** A claim a request holds, and the index of its event (into the events passed to `admit`). */
export type Claim = { readonly key: string; readonly token: string; readonly index: number };

/** What {@link DeliveryGuard.admit} decided for a request. */
export interface Admission {
  /** Indexes (into the events passed) to handle or enqueue. */
  readonly admitted: readonly number[];
  /** `true` when some event is still being handled by another delivery: answer 503 after the others. */
  readonly retryLater: boolean;
  /** `true` when the store was unreachable (or full): answer 503, handle nothing. */
  readonly unavailable: boolean;
  /** Why the store refused, when it says (the memory store when full); no text of the request or the store's address. */
  readonly reason?: string;
  /** @internal claims to settle, with the index of their event */
  readonly claims: readonly Claim[];
  /** @internal when the claims were made (ms since the epoch) */
  readonly claimedAt: number;
  /** @internal dedupe keys of the events, by index (job ids); also set when `unavailable` */
  readonly keys: readonly (string | undefined)[];
}

/** Dedupe and queue hand-off for one webhook core (one per `createBandwidthWebhooks`). */
export interface DeliveryGuard {
  readonly queue: EventQueue | undefined;
  readonly dedupe: boolean;
  admit(events: readonly GuardedEvent[]): Promise<Admission>;
  /** Stores the admitted events in the queue (rejects when it is unreachable). */
  enqueue(events: readonly GuardedEvent[], admission: Admission): Promise<void>;
  /**
   * Marks claims done or gives them up: all alike (`handled` a boolean), or each by its event's outcome
   * (`handled(index)`, the index into the events passed to `admit`). Never rejects (a lost mark only
   * shortens dedupe).
   */
  settle(admission: Admission, handled: boolean | ((index: number) => boolean)): Promise<void>;
}

/** Options of {@link createDeliveryGuard}. */
export interface DeliveryGuardOptions {
  readonly dedupe?: boolean | DedupeOptions;
  readonly queue?: EventQueue;
  /** The core's handler timeout (the default pending TTL adds 5 s to it). */
  readonly timeoutMs: number;
  readonly debug?: (message: string) => void;
  /** Where the default memory store's one-time "nearly full" warning goes. */
  readonly warn?: (message: string) => void;
}

const UNAVAILABLE: Admission = Object.freeze({ admitted: [], retryLater: false, unavailable: true, claims: [], keys: [], claimedAt: 0 });

/** Claims every key (a key twice in one request: the second is a duplicate); `undefined` = no key. */
function claimAll(store: DedupeStore, keys: readonly (string | undefined)[], pendingTtlMs: number): Promise<PromiseSettledResult<ClaimResult | undefined>[]> {
  const seen = new Set<string>();
  return Promise.allSettled(
    keys.map((key): Promise<ClaimResult | undefined> => {
      if (key === undefined) return Promise.resolve(undefined); // no key: handled, never deduplicated
      if (seen.has(key)) return Promise.resolve({ state: "done" });
      seen.add(key);
      return store.claim(key, pendingTtlMs);
    }),
  );
}

async function releaseAll(store: DedupeStore, claims: readonly Claim[]): Promise<void> {
  await Promise.allSettled(claims.map((c) => store.release(c.key, c.token)));
}

/** Longest pause between two tries of a failed done-mark. */
const MARK_RETRY_MAX_MS = 2000;

/**
 * Marks one claim done. A mark that fails (store briefly away) is retried in the background, backing off
 * to every 2 s, until it lands or the dedupe window (`until`) ends: a lost mark would let a redelivery
 * of the event (Bandwidth delivers at least once) run its handler again. It used to stop when the claim
 * ran out (the handler timeout + 5 s), so a Redis restart longer than that lost the mark; while Redis is
 * away nobody can claim the key, so the mark that lands once it is back still comes first. The timer does
 * not keep a process alive.
 */
async function completeClaim(store: DedupeStore, claim: Claim, ttlMs: number, until: number, wait = 100): Promise<void> {
  try {
    await store.complete(claim.key, claim.token, ttlMs);
  } catch {
    if (Date.now() + wait >= until) return;
    const timer: unknown = setTimeout(() => void completeClaim(store, claim, ttlMs, until, Math.min(wait * 2, MARK_RETRY_MAX_MS)), wait);
    (timer as { unref?: () => void }).unref?.();
  }
}

/** The jobs for the admitted events (job id = the hashed dedupe key, when the event has one). */
function jobsOf(events: readonly GuardedEvent[], admission: Admission): QueuedEvent[] {
  const receivedAt = Date.now();
  return admission.admitted.map((i) => {
    const e = events[i];
    const id = admission.keys[i];
    const job = { family: e.family, eventType: e.eventType, event: e.event, valid: e.valid, receivedAt };
    return id === undefined ? job : { ...job, id };
  });
}

/** Builds the guard, or `undefined` when neither dedupe nor a queue is configured (the fast path stays untouched). */
export function createDeliveryGuard(options: DeliveryGuardOptions): DeliveryGuard | undefined {
  const settings: DedupeOptions | undefined = options.dedupe === true ? {} : options.dedupe === false || options.dedupe === undefined ? undefined : options.dedupe;
  const queue = options.queue;
  if (settings === undefined && queue === undefined) return undefined;
  if (queue !== undefined && typeof queue.enqueue !== "function") throw new BandwidthConfigError("bw-codegen webhooks: queue must have an enqueue(events) method");
  const store = settings === undefined ? undefined : (settings.store ?? createMemoryDedupeStore({ warn: options.warn }));
  const ttlMs = settings?.ttlMs ?? DEFAULT_DEDUPE_TTL_MS;
  const pendingTtlMs = settings?.pendingTtlMs ?? options.timeoutMs + 5000;
  const onDuplicate =
    settings?.onDuplicate ?? ((info: DuplicateInfo): void => options.debug?.(`bw-codegen webhooks: duplicate ${info.family} ${JSON.stringify(info.eventType)} delivery acknowledged`));

  function reportDuplicate(event: GuardedEvent, key: string): void {
    try {
      onDuplicate({ family: event.family, eventType: event.eventType, key }, event.event);
    } catch {
      // a throwing hook does not turn a duplicate into a failure
    }
  }

  async function admit(events: readonly GuardedEvent[]): Promise<Admission> {
    const keys = events.map((e) => dedupeKey(e.family, e.eventType, e.event, e.datedBy));
    const claimedAt = Date.now();
    if (store === undefined) return { admitted: events.map((_, i) => i), retryLater: false, unavailable: false, claims: [], keys, claimedAt };
    const outcomes = await claimAll(store, keys, pendingTtlMs);
    if (outcomes.some((outcome) => outcome.status === "rejected")) {
      const held = outcomes.flatMap((o, i) => (o.status === "fulfilled" && o.value?.state === "claimed" ? [{ key: keys[i]!, token: o.value.token, index: i }] : []));
      await releaseAll(store, held);
      const full = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected" && (o.reason as { code?: unknown } | null)?.code === DEDUPE_STORE_FULL);
      return full === undefined ? { ...UNAVAILABLE, keys } : { ...UNAVAILABLE, keys, reason: (full.reason as Error).message };
    }
    const claims: Claim[] = [];
    const admitted: number[] = [];
    let retryLater = false;
    for (let i = 0; i < outcomes.length; i++) {
      const claim = (outcomes[i] as PromiseFulfilledResult<ClaimResult | undefined>).value;
      if (claim === undefined) admitted.push(i);
      else if (claim.state === "claimed") {
        claims.push({ key: keys[i]!, token: claim.token, index: i });
        admitted.push(i);
      } else if (claim.state === "pending") retryLater = true;
      else reportDuplicate(events[i], keys[i]!);
    }
    return { admitted, retryLater, unavailable: false, claims, keys, claimedAt };
  }

  async function settle(admission: Admission, handled: boolean | ((index: number) => boolean)): Promise<void> {
    if (store === undefined || admission.claims.length === 0) return;
    const done: Claim[] = [];
    const failed: Claim[] = [];
    for (const claim of admission.claims) {
      if (typeof handled === "boolean" ? handled : handled(claim.index)) done.push(claim);
      else failed.push(claim);
    }
    const until = admission.claimedAt + ttlMs;
    await Promise.all([releaseAll(store, failed), ...done.map((claim) => completeClaim(store, claim, ttlMs, until))]);
  }

  return { queue, dedupe: store !== undefined, admit, enqueue: (events, admission) => queue!.enqueue(jobsOf(events, admission)), settle };
}
