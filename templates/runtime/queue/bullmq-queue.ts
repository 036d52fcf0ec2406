/**
 * The BullMQ producer behind `createBandwidthWebhooks({ queue })`: stores a request's validated async
 * events durably in Redis, then lets the receiver acknowledge; rejects quickly when Redis is unreachable
 * so the receiver answers 503 instead of acknowledging an event it did not store. Two hand-offs:
 * `intake` (default): one `XADD` per event-loop turn to the intake stream, which the workers' forwarders
 * turn into BullMQ jobs (intake.ts; about half the receiver's cost of a BullMQ add per request); `direct`: one BullMQ
 * `add` per event, for apps that consume the queue with their own BullMQ workers and no forwarder.
 * Either way a job's id is the event's dedupe key when it has one, so a retried delivery that slipped
 * past the dedupe store (receiver killed between storing and marking) adds nothing.
 * With `spoolDir` (Node only), events Redis cannot take are written to a local durable spool and
 * acknowledged, then forwarded once Redis answers again (spool.ts): voice and numbers events, which
 * Bandwidth does not resend after a 503, survive a Redis outage.
 * Not part of the core entry: `bw-codegen/queue`, optional peers `bullmq` + `ioredis`.
 */

import { Queue } from "bullmq";
import type { JobsOptions } from "bullmq";
import type { Redis, RedisOptions } from "ioredis";
import type { WebhookLogger } from "../logger.js";
import { createIntakeWriter, jobOfEvent } from "./intake.js";
import { openFailFastRedis, storedWithin } from "./redis-store.js";
import { openSpool } from "./spool.js";
import type { Spool } from "./spool.js";
import type { EventQueue, QueuedEvent } from "./types.js";

/**
 * Default BullMQ queue name shared by receivers and workers.
 *
 * @example
 * const jobs = new Queue(DEFAULT_QUEUE_NAME, { connection }); // BullMQ's own Queue, e.g. for a dashboard
 */
export const DEFAULT_QUEUE_NAME: string = "bandwidth-webhooks";

/** Options of {@link createBullMQQueue}. */
export interface BullMQQueueOptions {
  /** `redis://…` or ioredis options (the queue opens a fail-fast client), or an ioredis client you own. */
  readonly connection: string | RedisOptions | Redis;
  /** Default {@link DEFAULT_QUEUE_NAME}. */
  readonly queueName?: string;
  /** Runs per job before it moves to the failed set. Default 5. */
  readonly attempts?: number;
  /** Back-off between runs. Default exponential from 1000 ms (1 s, 2 s, 4 s, …). */
  readonly backoff?: { readonly type: "exponential" | "fixed"; readonly delay: number };
  /** Seconds a completed job is kept (its id then still blocks a re-enqueue). Default 3600. */
  readonly keepCompletedSeconds?: number;
  /** Longest wait for Redis to store a request's jobs before the receiver answers 503. Default 2000 ms. */
  readonly timeoutMs?: number;
  /**
   * `intake` (default): one `XADD` per event-loop turn to the intake stream; `createBandwidthWorker` forwards it
   * to BullMQ (run at least one, or call `startIntakeForwarder`). `direct`: a BullMQ `add` per event,
   * about twice the receiver's CPU per request, for queues consumed by BullMQ workers of your own.
   */
  readonly handOff?: "intake" | "direct";
  /** Where the one-time warning about a Redis that keeps no append-only file goes, and the spool's reports. Default `console`. */
  readonly logger?: Pick<WebhookLogger, "warn"> & Partial<Pick<WebhookLogger, "error">>;
  /**
   * A folder for the local durable spool (Node only; off by default in the library, on in a scaffolded
   * project): events Redis cannot take (down, or not confirmed within `timeoutMs`) are written there,
   * fsync'd and acknowledged, then forwarded in order once Redis answers again. Without it such events
   * are answered 503, which Bandwidth resends for messaging only (voice and numbers events are lost).
   */
  readonly spoolDir?: string;
  /** Most bytes the spool keeps; past it events are answered 503 again (warned once). Default 256 MiB. */
  readonly spoolMaxBytes?: number;
  /** @internal test hook: called after a spool step reached Redis, before its files are removed (a throw fails the step). */
  readonly onSpoolForwarded?: (events: readonly QueuedEvent[]) => void;
}

/** The producer, plus the BullMQ `Queue` for inspection (counts, failed jobs). */
export interface BullMQEventQueue extends EventQueue {
  readonly queue: Queue;
  /** Resolves once the spool (if any) is empty: every spooled event is in Redis. */
  spoolDrained(): Promise<void>;
  /** Spooled requests not yet forwarded to Redis (0 without a spool). */
  spooled(): number;
  close(): Promise<void>;
}

function isClient(connection: BullMQQueueOptions["connection"]): connection is Redis {
  return typeof connection === "object" && connection !== null && typeof (connection as Redis).defineCommand === "function";
}

/**
 * Warns once when the Redis behind the queue keeps no append-only file (`aof_enabled:0`): the receiver
 * acknowledges an event to Bandwidth once Redis has it in memory, so a Redis crash (or a kill) loses every
 * event stored since its last snapshot, and a Redis without snapshots either restarts empty. Asked once
 * the connection is ready (INFO persistence; a Redis that refuses INFO is not warned about).
 */
function warnWithoutAppendOnlyFile(client: Redis, logger: Pick<WebhookLogger, "warn">): void {
  const check = (): void => {
    client.info("persistence").then(
      (info) => {
        if (!/^aof_enabled:0\r?$/m.test(info)) return;
        const where = client.options.path ?? `${client.options.host ?? "?"}:${client.options.port ?? "?"}`;
        logger.warn(
          `bw-codegen queue: the Redis at ${where} keeps no append-only file (appendonly no): a crash of it loses the events stored since its last snapshot, already acknowledged to Bandwidth. ` +
            "Set appendonly yes (the docker-compose.yml of a scaffolded project does).",
        );
      },
      () => undefined, // INFO refused or the connection dropped: no warning
    );
  };
  if (client.status === "ready") check();
  else client.once("ready", check);
}

/**
 * Creates the BullMQ producer for `createBandwidthWebhooks({ queue })`.
 *
 * @example
 * import { createBullMQQueue } from "bw-codegen/queue";
 * const queue = createBullMQQueue({ connection: process.env.REDIS_URL! });
 * const webhooks = createBandwidthWebhooks({ credentials, messaging: {}, queue });
 */
export function createBullMQQueue(options: BullMQQueueOptions): BullMQEventQueue {
  const owned = !isClient(options.connection);
  const client = isClient(options.connection) ? options.connection : openFailFastRedis(options.connection);
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const queue = new Queue(queueName, { connection: client });
  queue.on("error", () => {
    // connection errors surface as rejected enqueues (503); BullMQ reconnects on its own
  });
  const timeoutMs = options.timeoutMs ?? 2000;
  warnWithoutAppendOnlyFile(client, options.logger ?? console);
  const jobOptions: JobsOptions = Object.freeze({
    attempts: options.attempts ?? 5,
    backoff: options.backoff ?? { type: "exponential", delay: 1000 },
    removeOnComplete: { age: options.keepCompletedSeconds ?? 3600 },
    removeOnFail: false,
  });

  const appendToIntake = (options.handOff ?? "intake") === "intake" ? createIntakeWriter(client, queueName, JSON.stringify(jobOptions), timeoutMs) : undefined;

  /** `direct`: one `add` per event rather than `addBulk`: a MULTI costs BullMQ about 2.5× the CPU of a plain add,
   * and atomicity is not needed: a job id is the event's dedupe key, so a retried request adds only what a failed one missed. */
  function addEach(events: readonly QueuedEvent[]): Promise<unknown> {
    return Promise.all(
      events.map((event) => {
        const job = jobOfEvent(event, jobOptions);
        return queue.add(job.name, job.data, job.opts);
      }),
    );
  }

  /** Stores events in Redis: the intake stream, or a BullMQ add per event (`direct`). */
  async function store(events: readonly QueuedEvent[]): Promise<void> {
    if (client.status !== "ready" && client.status !== "connecting" && client.status !== "connect") {
      throw new Error(`queue unavailable: redis ${client.status}`);
    }
    if (appendToIntake !== undefined) return appendToIntake(events); // one timeout per turn, in the writer
    await storedWithin(addEach(events), timeoutMs);
  }

  const logger = options.logger ?? console;
  let spool: Spool | undefined;
  const spoolOpened: Promise<Spool> | undefined =
    options.spoolDir === undefined
      ? undefined
      : openSpool({ dir: options.spoolDir, maxBytes: options.spoolMaxBytes, logger: { warn: (m) => logger.warn(m), error: (m) => (logger.error ?? logger.warn)(m) } }).then((opened) => {
          spool = opened;
          const hook = options.onSpoolForwarded;
          opened.startDrain(async (events) => {
            await store(events);
            hook?.(events);
          }, () => client.status === "ready");
          client.on("ready", () => opened.kick());
          return opened;
        });
  spoolOpened?.catch((error: unknown) => (logger.error ?? logger.warn)(`bw-codegen queue: cannot open the spool: ${(error as Error).message}`));

  /** With a spool, every event gets its job id before the first try, so a store that landed after its deadline and its spooled copy are one job. */
  const withIds = (events: readonly QueuedEvent[]): readonly QueuedEvent[] => events.map((e) => (e.id === undefined ? { ...e, id: `s-${crypto.randomUUID()}` } : e));

  async function enqueue(events: readonly QueuedEvent[]): Promise<void> {
    if (events.length === 0) return;
    if (spoolOpened === undefined) return store(events);
    const identified = withIds(events);
    const opened = spool ?? (await spoolOpened.catch(() => undefined));
    if (opened === undefined) return store(events); // the spool could not be opened (reported): as without one
    if (opened.pending() > 0) return opened.append(identified); // behind the spooled ones: kept in order
    try {
      await store(identified);
    } catch {
      await opened.append(identified); // rejects when full: the receiver answers 503
    }
  }

  return {
    queue,
    enqueue,
    spoolDrained: async () => (spoolOpened === undefined ? undefined : (await spoolOpened).drained()),
    spooled: () => spool?.pending() ?? 0,
    async close(): Promise<void> {
      await spool?.close();
      await queue.close();
      if (owned) client.disconnect();
    },
  };
}
