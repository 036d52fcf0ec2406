/**
 * The BullMQ worker that runs the slow part of async events the receiver enqueued: it dispatches each
 * job by family and event type to a handler with the receiver's typed signature (`QueuedHandlers`), and
 * lets BullMQ retry a handler that throws with the job's back-off; a job whose runs are exhausted stays
 * in the failed set (`onFailed`). The generated `createBandwidthWorker` (`bw-codegen/queue`) binds the
 * event tables; this module knows no event name. Needs the optional peers `bullmq` + `ioredis`.
 */

import { Queue, Worker } from "bullmq";
import type { Job } from "bullmq";
import { Redis } from "ioredis";
import type { RedisOptions } from "ioredis";
import type { WebhookLogger } from "../logger.js";
import { DEFAULT_QUEUE_NAME } from "./bullmq-queue.js";
import type { DedupeStore } from "../delivery/dedupe-store.js";
import { startIntakeForwarder } from "./intake.js";
import type { IntakeForwarder } from "./intake.js";
import { createRedisDedupeStore, openFailFastRedis } from "./redis-store.js";
import type { QueueJobContext, QueuedEvent } from "./types.js";
import { handlerOf, refuseDoubleNames, type HandlerNames } from "../http/handler-names.js";

/** One family as the worker sees it: its event table and the user's handlers. */
export interface WorkerFamily {
  readonly events: Readonly<Record<string, HandlerNames>>;
  readonly handlers: object | undefined;
}

/** Why a job failed: `handler` (will be retried while attempts remain) or `exhausted` (moved to the failed set). */
export interface WorkerFailureInfo {
  readonly family: string;
  readonly eventType: string;
  readonly jobId: string;
  readonly attempt: number;
  readonly final: boolean;
}

/** Options of {@link createQueueWorker} (and of the generated `createBandwidthWorker`, minus `families`). */
export interface QueueWorkerOptions {
  /** `redis://…`, ioredis options, or a client (BullMQ needs `maxRetriesPerRequest: null` on it). */
  readonly connection: string | RedisOptions | Redis;
  readonly families: Readonly<Record<string, WorkerFamily>>;
  /** Default {@link DEFAULT_QUEUE_NAME}. */
  readonly queueName?: string;
  /** Jobs run at once by this worker. Default 10. */
  readonly concurrency?: number;
  /** Called for an event no handler takes (the job completes). Default: log a warning. */
  readonly onUnhandled?: (job: QueuedEvent) => void;
  /** Called when a handler throws (after each run; `final` when no attempt remains). Default: log an error. */
  readonly onFailed?: (error: unknown, info: WorkerFailureInfo) => void;
  readonly logger?: WebhookLogger;
  /** Start consuming at once (default `true`); `false` waits for `worker.run()`. */
  readonly autorun?: boolean;
  /**
   * Runs each job's handler at most once per success even when BullMQ runs the job again (a job whose
   * completion could not be recorded, e.g. Redis restarted, is picked up again as stalled). Default: a
   * Redis dedupe store on the same Redis (prefix `bw:worked:`); `false` turns it off (plain at-least-once).
   */
  readonly dedupe?: DedupeStore | false;
  /** How long a job's claim lasts while its handler runs. Default 60 000 ms. */
  readonly claimTtlMs?: number;
  /** How long a job is remembered as handled. Default 24 h. */
  readonly doneTtlMs?: number;
  /** BullMQ's job lock: a job whose worker vanished is picked up again this long after. Default 30 000 ms. */
  readonly lockDurationMs?: number;
  /** How often BullMQ looks for such stalled jobs. Default 30 000 ms. */
  readonly stalledIntervalMs?: number;
  /**
   * Forward the receivers' intake stream to the queue (see `handOff` of `createBullMQQueue`). Default
   * `true`; every worker may forward (they share a consumer group). `false` for workers of a queue
   * whose receivers all use `handOff: "direct"`.
   */
  readonly forwardIntake?: boolean;
  /** Intake entries a forwarder that stopped left unforwarded are taken over after this long. Default 30 000 ms. */
  readonly intakeClaimIdleMs?: number;
}

/** A running worker: the BullMQ `Worker`, its intake forwarder, and `close()` that waits for running jobs. */
export interface BandwidthWorker {
  readonly worker: Worker;
  /** The intake forwarder (`undefined` with `forwardIntake: false`). */
  readonly forwarder: IntakeForwarder | undefined;
  close(): Promise<void>;
}

function connectionOf(connection: QueueWorkerOptions["connection"]): Redis {
  if (typeof connection === "object" && connection !== null && typeof (connection as Redis).defineCommand === "function") return connection as Redis;
  const blocking: RedisOptions = { maxRetriesPerRequest: null };
  const client = typeof connection === "string" ? new Redis(connection, blocking) : new Redis({ ...(connection as RedisOptions), ...blocking });
  client.on("error", () => {
    // BullMQ reconnects; errors are reported by the Worker's own "error" event
  });
  return client;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How the worker's run-once step reports and stops: `closing` ends the wait for a done-mark. */
interface RunOnceHooks {
  readonly closing: () => boolean;
  readonly warn: (message: string) => void;
}

/**
 * Runs `run` unless the job was already handled: claims the job id, waits while another run holds it,
 * marks it done after success and releases it after a failure. A done-mark that fails (the store's Redis
 * away) is retried until it lands, however long that takes (up to the dedupe window, or until the worker
 * closes), and the job is held meanwhile: giving up when the claim ran out, as it did, let the job's
 * stalled re-run after a Redis restart longer than the claim find no mark and handle the event again.
 * While Redis is away nobody can claim the job, so the mark that lands when it is back still comes first.
 */
async function runOnce(store: DedupeStore, key: string, claimTtlMs: number, doneTtlMs: number, run: () => Promise<void>, hooks: RunOnceHooks): Promise<void> {
  let claim = await store.claim(key, claimTtlMs);
  for (const deadline = Date.now() + claimTtlMs; claim.state === "pending" && Date.now() < deadline; ) {
    await sleep(200);
    claim = await store.claim(key, claimTtlMs);
  }
  if (claim.state === "done") return;
  if (claim.state !== "claimed") throw new Error(`job ${key} is still being handled elsewhere`);
  const token = claim.token;
  try {
    await run();
  } catch (error) {
    await store.release(key, token).catch(() => undefined); // the claim expires anyway
    throw error;
  }
  const deadline = Date.now() + doneTtlMs; // past the window the mark no longer matters
  for (let wait = 100, failures = 0; ; wait = Math.min(wait * 2, 2000)) {
    try {
      return await store.complete(key, token, doneTtlMs);
    } catch (error) {
      if (failures++ === 0) hooks.warn(`bw-codegen worker: job ${key} was handled but cannot be marked so (${(error as Error).message}); retrying until it is, so a re-run does not handle it again`);
      if (Date.now() > deadline || hooks.closing()) return; // handled; only a later re-run could repeat it
      await sleep(wait);
    }
  }
}

/**
 * Creates a BullMQ worker over the given families (use the generated `createBandwidthWorker`, which binds
 * the event tables and types the handlers).
 */
export function createQueueWorker(options: QueueWorkerOptions): BandwidthWorker {
  for (const [name, family] of Object.entries(options.families)) refuseDoubleNames("createBandwidthWorker", name, Object.values(family.events), family.handlers ?? {});
  const logger: WebhookLogger = options.logger ?? console;
  const owned = !(typeof options.connection === "object" && typeof (options.connection as Redis).defineCommand === "function");
  const connection = connectionOf(options.connection);
  const guardClient =
    options.dedupe === undefined ? (owned ? openFailFastRedis(options.connection as string | RedisOptions) : connection.duplicate()) : undefined;
  const store: DedupeStore | undefined =
    options.dedupe === false ? undefined : (options.dedupe ?? createRedisDedupeStore({ client: guardClient!, prefix: "bw:worked:", readyTimeoutMs: 5000, commandTimeoutMs: 5000 }));
  const claimTtlMs = options.claimTtlMs ?? 60_000;
  const doneTtlMs = options.doneTtlMs ?? 24 * 60 * 60 * 1000;
  const onUnhandled =
    options.onUnhandled ?? ((job: QueuedEvent): void => logger.warn(`bw-codegen worker: no handler for ${job.family} ${JSON.stringify(job.eventType)}; completed`));
  const onFailed =
    options.onFailed ??
    ((error: unknown, info: WorkerFailureInfo): void =>
      logger.error(`bw-codegen worker: ${info.family} ${JSON.stringify(info.eventType)} job ${info.jobId} failed (run ${info.attempt}${info.final ? ", moved to failed" : ", will retry"})`, error));

  let closing = false;
  const hooks: RunOnceHooks = { closing: () => closing, warn: (message) => logger.warn(message) };

  async function invoke(job: Job<QueuedEvent>, handler: (event: unknown, context: QueueJobContext) => unknown, handlers: object): Promise<void> {
    const data = job.data;
    const attempts = job.opts.attempts ?? 1;
    const context: QueueJobContext = {
      family: data.family,
      eventType: data.eventType,
      jobId: job.id ?? "",
      attempt: job.attemptsMade + 1,
      attempts,
      receivedAt: data.receivedAt,
      valid: data.valid,
      logger,
    };
    try {
      await handler.call(handlers, data.event, context);
    } catch (error) {
      try {
        onFailed(error, { family: data.family, eventType: data.eventType, jobId: context.jobId, attempt: context.attempt, final: context.attempt >= attempts });
      } catch {
        // a throwing hook must not change the job's outcome
      }
      throw error;
    }
  }

  async function process(job: Job<QueuedEvent>): Promise<void> {
    const data = job.data;
    const family = Object.hasOwn(options.families, data.family) ? options.families[data.family] : undefined;
    const info = family !== undefined && Object.hasOwn(family.events, data.eventType) ? family.events[data.eventType] : undefined;
    const handlers = (family?.handlers ?? {}) as Record<string, unknown>;
    const handler = info === undefined ? undefined : handlerOf(handlers, info);
    if (typeof handler !== "function") return void onUnhandled(data);
    const run = (): Promise<void> => invoke(job, handler as (event: unknown, context: QueueJobContext) => unknown, handlers);
    if (store === undefined || job.id === undefined) return run();
    await runOnce(store, job.id, claimTtlMs, doneTtlMs, run, hooks);
  }

  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  const worker = new Worker<QueuedEvent>(queueName, process, {
    connection,
    concurrency: options.concurrency ?? 10,
    autorun: options.autorun ?? true,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: 5, // a Redis restart can stall a job more than once: retried, not failed
  });
  worker.on("error", (error: Error) => logger.warn(`bw-codegen worker: ${error.message}`));
  const forwarding = options.forwardIntake === false ? undefined : startForwarding(connection, queueName, options.intakeClaimIdleMs, logger);
  return {
    worker,
    forwarder: forwarding?.forwarder,
    async close(): Promise<void> {
      closing = true; // a job waiting to mark itself done stops waiting: close() waits for running jobs
      await forwarding?.close();
      await worker.close();
      guardClient?.disconnect();
      if (owned) connection.disconnect();
    },
  };
}

/** The worker's intake forwarder, on clients of its own (one blocks in reads, one adds the jobs). */
function startForwarding(connection: Redis, queueName: string, claimIdleMs: number | undefined, logger: WebhookLogger): { forwarder: IntakeForwarder; close(): Promise<void> } {
  const reader = connection.duplicate();
  const writer = connection.duplicate();
  for (const client of [reader, writer]) client.on("error", () => undefined); // reconnects; the forwarder logs and retries
  const queue = new Queue(queueName, { connection: writer });
  queue.on("error", () => undefined);
  const forwarder = startIntakeForwarder({ client: reader, queue, queueName, claimIdleMs, logger });
  return {
    forwarder,
    async close(): Promise<void> {
      await forwarder.close();
      reader.disconnect();
      await queue.close().catch(() => undefined);
      writer.disconnect();
    },
  };
}
