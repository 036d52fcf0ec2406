/**
 * The intake stream: the receiver's cheap, durable first step of the queue hand-off, and the forwarder
 * that turns it into BullMQ jobs. A receiver stores the validated async events of all requests of one
 * event-loop turn with ONE Redis command (`XADD` to `bw:intake:<queue>`) and only then acknowledges; BullMQ's own `add` (a Lua script over ~9 keys plus its job bookkeeping) costs a
 * receiver four times that. Each worker runs a {@link startIntakeForwarder} in one consumer group: it
 * reads entries, adds their jobs with `addBulk`, then `XACK`s and `XDEL`s them. A forwarder that dies
 * between the two steps leaves its entries pending; another (or the same, restarted) claims them after
 * `claimIdleMs` and adds them again under the same job ids (the dedupe key, or the entry id), which
 * BullMQ ignores while the job exists and the worker's run-once store covers after it is removed.
 * An entry that cannot be forwarded (not ours, options we never write, jobs BullMQ refuses) is moved to
 * `bw:intake-dead:<queue>` with its reason and reported, never retried for ever in front of the others;
 * reads and adds are bounded in bytes and jobs, and every Redis call has a deadline.
 * So nothing is acknowledged to Bandwidth before it is on disk in Redis, and nothing stored is dropped.
 */

import type { JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { WebhookLogger } from "../logger.js";
import { RedisDeadlineError, storedWithin, whenRedisReady, within } from "./redis-store.js";
import type { QueuedEvent } from "./types.js";

/**
 * The consumer group every forwarder of a queue reads the intake stream in.
 *
 * @example
 * await redis.xpending(intakeKey(DEFAULT_QUEUE_NAME), INTAKE_GROUP); // entries read but not yet in BullMQ
 */
export const INTAKE_GROUP: string = "bw-forwarders";

/**
 * The intake stream's key for a queue name.
 *
 * @example
 * await redis.xlen(intakeKey(DEFAULT_QUEUE_NAME)); // events received but not yet forwarded to BullMQ
 */
export function intakeKey(queueName: string): string {
  return `bw:intake:${queueName}`;
}

/**
 * The dead-letter stream's key for a queue name: entries the forwarder could not forward, each with its reason.
 *
 * @example
 * const dead = await redis.xrange(intakeDeadKey(DEFAULT_QUEUE_NAME), "-", "+"); // [id, [..., "reason", "...", ...]]
 */
export function intakeDeadKey(queueName: string): string {
  return `bw:intake-dead:${queueName}`;
}

/** The fields of one intake entry: the format version, the jobs' options and the request's events. */
export function intakeFields(jobOptionsJson: string, events: readonly QueuedEvent[]): string[] {
  return entryFields(jobOptionsJson, JSON.stringify(events));
}

function entryFields(jobOptionsJson: string, eventsJson: string): string[] {
  return ["v", "1", "o", jobOptionsJson, "e", eventsJson];
}

/** Most events one intake entry holds; a busier turn writes several entries. */
const EVENTS_PER_ENTRY = 200;
/** About the most characters of events one entry holds (a single larger request still goes alone). */
const CHARS_PER_ENTRY = 1024 * 1024;

interface Waiting {
  /** The request's events as JSON, without the array's brackets. */
  readonly json: string;
  readonly count: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The receiver's side: `append(events)` resolves once the events are in the intake stream. The requests
 * of one event-loop turn are written as ONE entry (one `XADD`, one reply, one timer), so under load the
 * Redis round trip is shared instead of paid per request; a lone request is written on the next turn.
 * An entry holds at most 200 events and about 1 MiB (a larger request alone), so a forwarder never has
 * to take a whole busy turn at once. Rejects (the receiver answers 503) when Redis is not ready within
 * `timeoutMs` or does not confirm within it.
 */
export function createIntakeWriter(client: Redis, queueName: string, jobOptionsJson: string, timeoutMs: number): (events: readonly QueuedEvent[]) => Promise<void> {
  const key = intakeKey(queueName);
  let waiting: Waiting[] = [];

  async function write(batch: readonly Waiting[]): Promise<void> {
    const json = batch.length === 1 ? `[${batch[0].json}]` : `[${batch.map((w) => w.json).join(",")}]`;
    try {
      if (client.status !== "ready") await whenRedisReady(client, timeoutMs); // commands fail at once while not ready
      await storedWithin(client.xadd(key, "*", ...entryFields(jobOptionsJson, json)), timeoutMs);
      for (const w of batch) w.resolve();
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  function flush(): void {
    const turn = waiting;
    waiting = [];
    let start = 0;
    for (let i = 0, count = 0, chars = 0; i < turn.length; i++) {
      count += turn[i].count;
      chars += turn[i].json.length;
      const next = turn[i + 1];
      if (next === undefined || count + next.count > EVENTS_PER_ENTRY || chars + next.json.length > CHARS_PER_ENTRY) {
        void write(turn.slice(start, i + 1));
        start = i + 1;
        count = 0;
        chars = 0;
      }
    }
  }

  return (events) =>
    new Promise<void>((resolve, reject) => {
      if (events.length === 0) return resolve();
      const json = JSON.stringify(events).slice(1, -1);
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ json, count: events.length, resolve, reject });
    });
}

type StreamEntry = [id: string, fields: string[] | null];

/** One BullMQ job to add, as `Queue.addBulk` takes it. */
export interface IntakeJob {
  readonly name: string;
  readonly data: QueuedEvent;
  readonly opts: JobsOptions;
}

/**
 * The BullMQ job of one event: named `<family>:<eventType>`, its id the event's dedupe key, else
 * `fallbackId` (for an intake entry, stable across re-reads), else BullMQ's own.
 */
export function jobOfEvent(event: QueuedEvent, options: JobsOptions, fallbackId?: string): IntakeJob {
  const jobId = event.id ?? fallbackId;
  return { name: `${event.family}:${event.eventType}`, data: event, opts: jobId === undefined ? options : { ...options, jobId } };
}

/** An intake entry checked: its jobs, or why it cannot be forwarded. */
export type ParsedIntakeEntry = { readonly jobs: IntakeJob[]; readonly reason?: undefined } | { readonly jobs?: undefined; readonly reason: string };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const onlyKeys = (value: Record<string, unknown>, allowed: readonly string[]): boolean => Object.keys(value).every((k) => allowed.includes(k));
const isCount = (value: unknown, max: number): value is number => Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= max;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The job options of an entry, rebuilt from only what `createBullMQQueue` writes (attempts, backoff,
 * removeOnComplete age, removeOnFail), each checked; anything else (a delay, a priority, a job id, a
 * repeat...) makes the entry unforwardable: an entry never chooses how or when its jobs run.
 */
function entryOptions(value: unknown): JobsOptions | string {
  if (!isObject(value) || !onlyKeys(value, ["attempts", "backoff", "removeOnComplete", "removeOnFail"])) return "job options other than attempts, backoff, removeOnComplete, removeOnFail";
  const options: { -readonly [K in keyof JobsOptions]: JobsOptions[K] } = {};
  if (value.attempts !== undefined) {
    if (!isCount(value.attempts, 1000) || value.attempts < 1) return "attempts is not an integer from 1 to 1000";
    options.attempts = value.attempts;
  }
  if (value.backoff !== undefined) {
    const b = value.backoff;
    if (!isObject(b) || !onlyKeys(b, ["type", "delay"]) || (b.type !== "exponential" && b.type !== "fixed") || !isCount(b.delay, DAY_MS)) return "backoff is not { type: exponential | fixed, delay: ms }";
    options.backoff = { type: b.type, delay: b.delay };
  }
  if (value.removeOnComplete !== undefined) {
    const r = value.removeOnComplete;
    if (!isObject(r) || !onlyKeys(r, ["age"]) || !isCount(r.age, 366 * 24 * 3600)) return "removeOnComplete is not { age: seconds }";
    options.removeOnComplete = { age: r.age };
  }
  if (value.removeOnFail !== undefined) {
    if (typeof value.removeOnFail !== "boolean") return "removeOnFail is not a boolean";
    options.removeOnFail = value.removeOnFail;
  }
  return options;
}

/** A usable BullMQ job id: BullMQ refuses integers and `:`. */
const isJobId = (id: string): boolean => id.length > 0 && id.length <= 256 && !id.includes(":") && `${Number.parseInt(id, 10)}` !== id;

/** One event of an entry as `QueuedEvent` (only its fields, each typed), or why not. */
function entryEvent(value: unknown): QueuedEvent | string {
  if (!isObject(value) || !onlyKeys(value, ["family", "eventType", "event", "valid", "receivedAt", "id"])) return "not an event of ours";
  const { family, eventType, event, valid, receivedAt, id } = value;
  if (typeof family !== "string" || family.length === 0 || family.length > 64) return "family is not a name";
  if (typeof eventType !== "string" || eventType.length === 0 || eventType.length > 128) return "eventType is not a name";
  if (event === undefined || typeof valid !== "boolean" || typeof receivedAt !== "number" || !Number.isFinite(receivedAt)) return "event, valid or receivedAt missing";
  if (id !== undefined && (typeof id !== "string" || !isJobId(id))) return "id is not a job id";
  const queued = { family, eventType, event, valid, receivedAt };
  return id === undefined ? queued : { ...queued, id };
}

/**
 * Checks one intake entry before any of it is used: exactly the fields our producer writes (`v` = 1,
 * `o`, `e`), job options from the allowed set only, and each event of our shape. An event without a
 * dedupe key gets the entry id (suffixed by its index when the entry holds several): stable, so adding
 * the same entry twice adds nothing twice. Reasons never quote the entry's content.
 */
export function parseIntakeEntry(id: string, fields: readonly string[]): ParsedIntakeEntry {
  const named = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) named.set(fields[i], fields[i + 1]);
  if (fields.length !== 6 || named.size !== 3 || !named.has("o") || !named.has("e")) return { reason: "not a bw-codegen entry (fields other than v, o, e)" };
  if (named.get("v") !== "1") return { reason: "not a bw-codegen entry (format version is not 1)" };
  let options: unknown;
  let events: unknown;
  try {
    options = JSON.parse(named.get("o")!);
    events = JSON.parse(named.get("e")!);
  } catch {
    return { reason: "fields o or e are not JSON" };
  }
  const jobOptions = entryOptions(options);
  if (typeof jobOptions === "string") return { reason: jobOptions };
  if (!Array.isArray(events) || events.length === 0) return { reason: "e is not a list of events" };
  const jobs: IntakeJob[] = [];
  for (let i = 0; i < events.length; i++) {
    const event = entryEvent(events[i]);
    if (typeof event === "string") return { reason: `event ${i}: ${event}` };
    jobs.push(jobOfEvent(event, jobOptions, events.length === 1 ? id : `${id}.${i}`));
  }
  return { jobs };
}

/** The jobs of one entry, or `undefined` when it cannot be forwarded (see {@link parseIntakeEntry}). */
export function jobsOfEntry(id: string, fields: readonly string[]): IntakeJob[] | undefined {
  return parseIntakeEntry(id, fields).jobs;
}

/** Options of {@link startIntakeForwarder}. */
export interface IntakeForwarderOptions {
  /** A client of its own: it blocks in `XREADGROUP` (up to `blockMs`). Closed by the caller. */
  readonly client: Redis;
  /** The BullMQ queue the jobs go to. */
  readonly queue: Queue;
  readonly queueName: string;
  /** This forwarder's consumer name (default: random). A stable name picks up its own pending entries at once after a restart. */
  readonly consumer?: string;
  /** Most entries read at once (fewer while entries are large: see `maxBytes`). Default 100. */
  readonly batch?: number;
  /** About the most bytes of entries read and forwarded at once (an entry larger than this goes alone). Default 4 MiB. */
  readonly maxBytes?: number;
  /** Most jobs in one `addBulk`. Default 500. */
  readonly maxJobs?: number;
  /** How long a read waits for new entries. Default 1000 ms (also the longest wait of `close()`). */
  readonly blockMs?: number;
  /** Entries another forwarder read but did not forward for this long are claimed. Default 30 000 ms. */
  readonly claimIdleMs?: number;
  /** How long Redis may take to answer one call (beyond `blockMs` for a read) before it counts as stalled and is retried. Default 10 000 ms. */
  readonly commandTimeoutMs?: number;
  /** Where entries that cannot be forwarded are reported (`error`), and retries (`warn`). */
  readonly logger: WebhookLogger;
}

/** A running forwarder. */
export interface IntakeForwarder {
  /** Entries forwarded (jobs added and entries removed) so far. */
  readonly forwarded: () => number;
  /** Entries moved to the dead-letter stream (`bw:intake-dead:<queue>`) so far. */
  readonly deadLettered: () => number;
  /** Stops after the batch in hand is forwarded. */
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates the consumer group (from the start of the stream, so entries written before it are kept). */
async function ensureGroup(client: Redis, key: string, ms: number): Promise<void> {
  try {
    await within(client.xgroup("CREATE", key, INTAKE_GROUP, "0", "MKSTREAM"), ms, "intake: no answer to XGROUP");
  } catch (error) {
    if (!String((error as Error).message).includes("BUSYGROUP")) throw error;
  }
}

/** Redis answers that say "not now" rather than "not this entry": the batch is retried, never dead-lettered. */
const TRANSIENT_REPLY = /^(OOM|LOADING|BUSY|READONLY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|NOREPLICAS|MISCONF|NOSCRIPT)\b/;

/** One entry read, measured and checked. */
interface ReadEntry {
  readonly id: string;
  readonly fields: string[] | null;
  readonly bytes: number;
  parsed?: ParsedIntakeEntry;
}

function sizeOf(fields: readonly string[] | null): number {
  let bytes = 0;
  if (fields !== null) for (const f of fields) bytes += Buffer.byteLength(f);
  return bytes;
}

/**
 * Moves entries from the intake stream to BullMQ until closed. Each entry is checked first; one that
 * cannot be forwarded (not ours, job options we do not write, an event BullMQ refuses) goes to the
 * dead-letter stream with its reason and is reported, and the others go on. Reads and `addBulk`s are
 * bounded in bytes and jobs as well as entries, so a large backlog or large events never have to fit in
 * memory at once. Every Redis call has a deadline; errors (Redis away or stalled) back off and retry.
 *
 * @example
 * const queue = new Queue(DEFAULT_QUEUE_NAME, { connection });
 * const forwarder = startIntakeForwarder({ client: new Redis(url), queue, queueName: DEFAULT_QUEUE_NAME, logger: console });
 * // on shutdown: await forwarder.close();
 */
export function startIntakeForwarder(options: IntakeForwarderOptions): IntakeForwarder {
  const { client, queue, logger } = options;
  const key = intakeKey(options.queueName);
  const deadKey = intakeDeadKey(options.queueName);
  const consumer = options.consumer ?? `forwarder-${crypto.randomUUID()}`;
  const batch = Math.max(1, options.batch ?? 100);
  const maxBytes = Math.max(1, options.maxBytes ?? 4 * 1024 * 1024);
  const maxJobs = Math.max(1, options.maxJobs ?? 500);
  const blockMs = options.blockMs ?? 1000;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  const callMs = options.commandTimeoutMs ?? 10_000;
  let closing = false;
  let forwarded = 0;
  let deadLettered = 0;
  let count = Math.min(batch, 8); // entries per read: starts small, follows the size of the entries seen

  /** Entries per read so that a read of entries like the largest just seen stays within `maxBytes`. */
  function measured(entries: readonly ReadEntry[]): ReadEntry[] {
    let largest = 0;
    for (const e of entries) largest = Math.max(largest, e.bytes);
    if (entries.length > 0) count = Math.max(1, Math.min(batch, Math.floor(maxBytes / Math.max(largest, 1))));
    return entries as ReadEntry[];
  }

  const toRead = (entries: readonly StreamEntry[]): ReadEntry[] => measured(entries.map(([id, fields]) => ({ id, fields, bytes: sizeOf(fields) })));

  /** Removes `done` entries and moves `dead` ones to the dead-letter stream, in one MULTI. */
  async function settle(done: readonly ReadEntry[], dead: readonly ReadEntry[]): Promise<void> {
    const ids = [...done, ...dead].map((e) => e.id);
    if (ids.length === 0) return;
    const multi = client.multi();
    const at = String(Date.now());
    for (const e of dead) multi.xadd(deadKey, "*", "entry", e.id, "reason", e.parsed?.reason ?? "", "at", at, "fields", JSON.stringify(e.fields));
    multi.xack(key, INTAKE_GROUP, ...ids).xdel(key, ...ids);
    const replies = await within(multi.exec(), callMs, "intake: no answer to XACK");
    const failed = replies?.find(([error]) => error !== null);
    if (replies === null || failed !== undefined) throw failed?.[0] ?? new Error("intake: MULTI discarded");
    forwarded += done.filter((e) => e.fields !== null).length;
    deadLettered += dead.length;
    for (const e of dead) logger.error(`bw-codegen worker: intake entry ${e.id} of ${key} cannot be forwarded (${e.parsed?.reason}); moved to ${deadKey}`);
  }

  /** Whether a failed add was the jobs' own fault, not a deadline, a "not now" reply or a queue connection that does not answer. */
  async function jobsAtFault(error: unknown): Promise<boolean> {
    if (error instanceof RedisDeadlineError || TRANSIENT_REPLY.test(String((error as Error)?.message))) return false;
    try {
      await within(queue.count(), callMs, "intake: the queue does not answer"); // its connection works: the jobs are at fault
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Adds the jobs of `chunk` with one `addBulk` and settles it (with the `dead` entries so far). If the jobs
   * were at fault, adds entry by entry, so only an entry BullMQ refuses is dead-lettered; any other failure
   * is thrown (the loop retries; jobs already added keep their ids, so a re-add adds nothing).
   */
  async function addChunk(chunk: ReadEntry[], dead: ReadEntry[]): Promise<void> {
    if (chunk.length === 0) return;
    let failure: { error: unknown } | undefined;
    try {
      await within(queue.addBulk(chunk.flatMap((e) => e.parsed!.jobs!)), callMs, "intake: no answer to addBulk");
    } catch (error) {
      failure = { error };
    }
    if (failure === undefined) return settle(chunk, dead.splice(0));
    if (!(await jobsAtFault(failure.error))) throw failure.error;
    if (chunk.length > 1) {
      for (const entry of chunk) await addChunk([entry], dead); // one by one: only the bad one is dead-lettered
      return;
    }
    chunk[0].parsed = { reason: `not added: ${String((failure.error as Error)?.message).slice(0, 200)}` };
    await settle([], [...dead.splice(0), chunk[0]]);
  }

  async function forward(entries: readonly ReadEntry[]): Promise<void> {
    const dead: ReadEntry[] = [];
    const gone: ReadEntry[] = [];
    let chunk: ReadEntry[] = [];
    let bytes = 0;
    let jobs = 0;
    for (const entry of entries) {
      if (entry.fields === null) {
        gone.push(entry); // removed from the stream already (forwarded): only its acknowledgement was missing
        continue;
      }
      entry.parsed = parseIntakeEntry(entry.id, entry.fields);
      if (entry.parsed.jobs === undefined) {
        dead.push(entry);
        continue;
      }
      const n = entry.parsed.jobs.length;
      if (chunk.length > 0 && (bytes + entry.bytes > maxBytes || jobs + n > maxJobs)) {
        await addChunk(chunk, dead);
        chunk = [];
        bytes = 0;
        jobs = 0;
      }
      chunk.push(entry);
      bytes += entry.bytes;
      jobs += n;
    }
    await addChunk(chunk, dead);
    await settle(gone, dead);
  }

  /** Entries other forwarders left pending for `claimIdleMs` (one pass over the pending list). */
  async function claimStale(): Promise<ReadEntry[]> {
    const claimed: StreamEntry[] = [];
    let cursor = "0-0";
    do {
      const call = client.xautoclaim(key, INTAKE_GROUP, consumer, claimIdleMs, cursor, "COUNT", count);
      const [next, entries] = (await within(call, callMs, "intake: no answer to XAUTOCLAIM")) as [string, StreamEntry[]];
      claimed.push(...entries);
      cursor = next;
    } while (cursor !== "0-0" && claimed.length < count);
    return toRead(claimed);
  }

  async function read(id: ">" | "0", block: boolean): Promise<ReadEntry[]> {
    const reply = block
      ? await within(client.xreadgroup("GROUP", INTAKE_GROUP, consumer, "COUNT", count, "BLOCK", blockMs, "STREAMS", key, id), blockMs + callMs, "intake: no answer to XREADGROUP")
      : await within(client.xreadgroup("GROUP", INTAKE_GROUP, consumer, "COUNT", count, "STREAMS", key, id), callMs, "intake: no answer to XREADGROUP");
    const streams = reply as [string, StreamEntry[]][] | null;
    return toRead(streams?.[0]?.[1] ?? []);
  }

  const loop = (async (): Promise<void> => {
    let ownPending = true; // after a start or an error: first re-forward what this consumer read but did not finish
    let groupReady = false;
    let nextClaim = 0;
    let failures = 0;
    while (!closing) {
      try {
        if (!groupReady) {
          await ensureGroup(client, key, callMs);
          groupReady = true;
        }
        if (Date.now() >= nextClaim) {
          nextClaim = Date.now() + Math.max(1000, claimIdleMs / 2);
          await forward(await claimStale());
        }
        if (ownPending) {
          const pending = await read("0", false);
          if (pending.length === 0) ownPending = false;
          await forward(pending);
        } else {
          await forward(await read(">", true));
        }
        failures = 0;
      } catch (error) {
        if (closing) break;
        ownPending = true;
        groupReady = false; // a Redis that restarted empty (NOGROUP) lost the group: make it again (idempotent)
        if (failures++ === 0) logger.warn(`bw-codegen worker: forwarding the intake stream failed, retrying: ${(error as Error).message}`);
        await sleep(Math.min(50 * 2 ** Math.min(failures, 5), 1000));
      }
    }
  })();

  return {
    forwarded: () => forwarded,
    deadLettered: () => deadLettered,
    async close(): Promise<void> {
      closing = true;
      await Promise.race([loop, sleep(blockMs + 500)]); // a read blocked on a Redis that is away ends when the caller disconnects
    },
  };
}
