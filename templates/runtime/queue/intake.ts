/**
 * The intake stream: the receiver's cheap, durable first step of the queue hand-off, and the forwarder
 * that turns it into BullMQ jobs. A receiver stores the validated async events of all requests of one
 * event-loop turn with ONE Redis command (`XADD` to `bw:intake:<queue>`) and only then acknowledges; BullMQ's own `add` (a Lua script over ~9 keys plus its job bookkeeping) costs a
 * receiver four times that. Each worker runs a {@link startIntakeForwarder} in one consumer group: it
 * reads entries, adds their jobs with `addBulk`, then `XACK`s and `XDEL`s them. A forwarder that dies
 * between the two steps leaves its entries pending; another (or the same, restarted) claims them after
 * `claimIdleMs` and adds them again under the same job ids (the dedupe key, or the entry id), which
 * BullMQ ignores while the job exists and the worker's run-once store covers after it is removed.
 * So nothing is acknowledged to Bandwidth before it is on disk in Redis, and nothing stored is dropped.
 */

import type { JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { WebhookLogger } from "../http/context.js";
import { storedWithin, whenRedisReady } from "./redis-store.js";
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

/** The fields of one intake entry: the format version, the jobs' options and the request's events. */
export function intakeFields(jobOptionsJson: string, events: readonly QueuedEvent[]): string[] {
  return ["v", "1", "o", jobOptionsJson, "e", JSON.stringify(events)];
}

/** Most events one intake entry holds; a busier turn writes several entries. */
const EVENTS_PER_ENTRY = 200;

interface Waiting {
  readonly events: readonly QueuedEvent[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The receiver's side: `append(events)` resolves once the events are in the intake stream. The requests
 * of one event-loop turn are written as ONE entry (one `XADD`, one reply, one timer), so under load the
 * Redis round trip is shared instead of paid per request; a lone request is written on the next turn.
 * Rejects (the receiver answers 503) when Redis is not ready within `timeoutMs` or does not confirm.
 */
export function createIntakeWriter(client: Redis, queueName: string, jobOptionsJson: string, timeoutMs: number): (events: readonly QueuedEvent[]) => Promise<void> {
  const key = intakeKey(queueName);
  let waiting: Waiting[] = [];

  async function write(batch: readonly Waiting[]): Promise<void> {
    const events = batch.length === 1 ? batch[0].events : batch.flatMap((w) => w.events);
    try {
      if (client.status !== "ready") await whenRedisReady(client, timeoutMs); // commands fail at once while not ready
      await storedWithin(client.xadd(key, "*", ...intakeFields(jobOptionsJson, events)), timeoutMs);
      for (const w of batch) w.resolve();
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }

  function flush(): void {
    const turn = waiting;
    waiting = [];
    let start = 0;
    for (let i = 0, count = 0; i < turn.length; i++) {
      count += turn[i].events.length;
      if (count >= EVENTS_PER_ENTRY || i === turn.length - 1) {
        void write(turn.slice(start, i + 1));
        start = i + 1;
        count = 0;
      }
    }
  }

  return (events) =>
    new Promise<void>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ events, resolve, reject });
    });
}

type StreamEntry = [id: string, fields: string[] | null];

/** One BullMQ job to add, as `Queue.addBulk` takes it. */
export interface IntakeJob {
  readonly name: string;
  readonly data: QueuedEvent;
  readonly opts: JobsOptions;
}

function field(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/**
 * The BullMQ job of one event: named `<family>:<eventType>`, its id the event's dedupe key, else
 * `fallbackId` (for an intake entry, stable across re-reads), else BullMQ's own.
 */
export function jobOfEvent(event: QueuedEvent, options: JobsOptions, fallbackId?: string): IntakeJob {
  const jobId = event.id ?? fallbackId;
  return { name: `${event.family}:${event.eventType}`, data: event, opts: jobId === undefined ? options : { ...options, jobId } };
}

/**
 * The jobs of one entry, or `undefined` when the entry is not one of ours (a foreign writer, a newer
 * format). An event without a dedupe key gets the entry id (suffixed by its index when the entry holds
 * several): stable, so adding the same entry twice adds nothing twice.
 */
export function jobsOfEntry(id: string, fields: readonly string[]): IntakeJob[] | undefined {
  if (field(fields, "v") !== "1") return undefined;
  try {
    const events = JSON.parse(field(fields, "e") ?? "null") as QueuedEvent[];
    const options = JSON.parse(field(fields, "o") ?? "{}") as JobsOptions;
    if (!Array.isArray(events)) return undefined;
    return events.map((event, i) => jobOfEvent(event, options, events.length === 1 ? id : `${id}.${i}`));
  } catch {
    return undefined;
  }
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
  /** Entries read and forwarded at once. Default 500. */
  readonly batch?: number;
  /** How long a read waits for new entries. Default 1000 ms (also the longest wait of `close()`). */
  readonly blockMs?: number;
  /** Entries another forwarder read but did not forward for this long are claimed. Default 30 000 ms. */
  readonly claimIdleMs?: number;
  readonly logger: WebhookLogger;
}

/** A running forwarder. */
export interface IntakeForwarder {
  /** Entries forwarded (jobs added and entries removed) so far. */
  readonly forwarded: () => number;
  /** Stops after the batch in hand is forwarded. */
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Creates the consumer group (from the start of the stream, so entries written before it are kept). */
async function ensureGroup(client: Redis, key: string): Promise<void> {
  try {
    await client.xgroup("CREATE", key, INTAKE_GROUP, "0", "MKSTREAM");
  } catch (error) {
    if (!String((error as Error).message).includes("BUSYGROUP")) throw error;
  }
}

/**
 * Moves entries from the intake stream to BullMQ until closed; errors (Redis away) back off and retry.
 * `createBandwidthWorker` runs one; start it yourself only for a queue consumed by BullMQ workers of your own.
 *
 * @example
 * const queue = new Queue(DEFAULT_QUEUE_NAME, { connection });
 * const forwarder = startIntakeForwarder({ client: new Redis(url), queue, queueName: DEFAULT_QUEUE_NAME, logger: console });
 * // on shutdown: await forwarder.close();
 */
export function startIntakeForwarder(options: IntakeForwarderOptions): IntakeForwarder {
  const { client, queue, logger } = options;
  const key = intakeKey(options.queueName);
  const consumer = options.consumer ?? `forwarder-${crypto.randomUUID()}`;
  const batch = options.batch ?? 500;
  const blockMs = options.blockMs ?? 1000;
  const claimIdleMs = options.claimIdleMs ?? 30_000;
  let closing = false;
  let forwarded = 0;

  async function forward(entries: readonly StreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const jobs: IntakeJob[] = [];
    for (const [id, fields] of entries) {
      if (fields === null) continue; // removed from the stream already (forwarded): only its acknowledgement was missing
      const entryJobs = jobsOfEntry(id, fields);
      if (entryJobs === undefined) logger.error(`bw-codegen worker: intake entry ${id} of ${key} is not a bw-codegen entry; removed without a job`);
      else jobs.push(...entryJobs);
    }
    if (jobs.length > 0) await queue.addBulk(jobs);
    const ids = entries.map(([id]) => id);
    await client.multi().xack(key, INTAKE_GROUP, ...ids).xdel(key, ...ids).exec();
    forwarded += entries.length;
  }

  /** Entries other forwarders left pending for `claimIdleMs` (one pass over the pending list). */
  async function claimStale(): Promise<StreamEntry[]> {
    const claimed: StreamEntry[] = [];
    let cursor = "0-0";
    do {
      const [next, entries] = (await client.xautoclaim(key, INTAKE_GROUP, consumer, claimIdleMs, cursor, "COUNT", batch)) as [string, StreamEntry[]];
      claimed.push(...entries);
      cursor = next;
    } while (cursor !== "0-0" && claimed.length < batch);
    return claimed;
  }

  async function read(id: ">" | "0", block: boolean): Promise<StreamEntry[]> {
    const reply = block
      ? await client.xreadgroup("GROUP", INTAKE_GROUP, consumer, "COUNT", batch, "BLOCK", blockMs, "STREAMS", key, id)
      : await client.xreadgroup("GROUP", INTAKE_GROUP, consumer, "COUNT", batch, "STREAMS", key, id);
    const streams = reply as [string, StreamEntry[]][] | null;
    return streams?.[0]?.[1] ?? [];
  }

  const loop = (async (): Promise<void> => {
    let ownPending = true; // after a start or an error: first re-forward what this consumer read but did not finish
    let groupReady = false;
    let nextClaim = 0;
    let failures = 0;
    while (!closing) {
      try {
        if (!groupReady) {
          await ensureGroup(client, key);
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
    async close(): Promise<void> {
      closing = true;
      await Promise.race([loop, sleep(blockMs + 500)]); // a read blocked on a Redis that is away ends when the caller disconnects
    },
  };
}
