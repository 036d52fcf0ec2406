// Emits generated/queue.ts, the `bw-codegen/queue` entry: `createBandwidthWorker({ connection, voice,
// messaging, … })` bound to the generated event tables, with each family's handlers typed by
// `QueuedHandlers<…Handlers>` (only events whose reply Bandwidth ignores: a BXML event does not compile
// there), plus the BullMQ producer and the Redis dedupe store. Kept out of the package entry so a
// receiver that does not use the queue never loads BullMQ or ioredis (optional peers).
import type { GeneratedFile } from "../generated-file.js";
import type { Model } from "../model/build-model.js";

const RUNTIME_QUEUE = "runtime/queue";

/** Builds generated/queue.ts: a worker option per family with at least one event whose reply Bandwidth ignores. */
export function emitQueueWiring(model: Model): GeneratedFile[] {
  const queued = model.families.filter((family) => family.queuedEvents.length > 0);
  if (queued.length === 0) return [];
  const lines: string[] = [
    `import { BandwidthConfigError } from "./runtime/errors.js";`,
    `import { createQueueWorker } from "./${RUNTIME_QUEUE}/worker.js";`,
    `import type { BandwidthWorker, QueueWorkerOptions, WorkerFamily } from "./${RUNTIME_QUEUE}/worker.js";`,
    `import type { QueuedHandlers } from "./${RUNTIME_QUEUE}/types.js";`,
    `import { ${queued.map((f) => `${f.name}Events`).join(", ")} } from "./events.js";`,
    `import type { ${queued.map((f) => f.handlers).join(", ")} } from "./handlers.js";`,
    `export { createBullMQQueue, DEFAULT_QUEUE_NAME } from "./${RUNTIME_QUEUE}/bullmq-queue.js";`,
    `export type { BullMQEventQueue, BullMQQueueOptions } from "./${RUNTIME_QUEUE}/bullmq-queue.js";`,
    `export { INTAKE_GROUP, intakeDeadKey, intakeKey, startIntakeForwarder } from "./${RUNTIME_QUEUE}/intake.js";`,
    `export type { IntakeForwarder, IntakeForwarderOptions } from "./${RUNTIME_QUEUE}/intake.js";`,
    `export { createRedisDedupeStore } from "./${RUNTIME_QUEUE}/redis-store.js";`,
    `export type { RedisDedupeStoreOptions } from "./${RUNTIME_QUEUE}/redis-store.js";`,
    `export type { BandwidthWorker, WorkerFailureInfo } from "./${RUNTIME_QUEUE}/worker.js";`,
    `export type { AsyncHandlerKeys, EventQueue, QueueJobContext, QueuedEvent, QueuedHandlers, ReceiverHandlers } from "./${RUNTIME_QUEUE}/types.js";`,
    "",
    `/** Options of {@link createBandwidthWorker}: the connection and worker settings, and handlers per family. */`,
    `export interface BandwidthWorkerOptions extends Omit<QueueWorkerOptions, "families"> {`,
  ];
  for (const family of queued) {
    lines.push(`  /** ${family.name} events the receivers enqueued (only events whose reply Bandwidth ignores). */`);
    lines.push(`  readonly ${family.name}?: QueuedHandlers<${family.handlers}>;`);
  }
  lines.push(
    `}`,
    "",
    `/**`,
    ` * Consumes the events \`createBandwidthWebhooks({ queue })\` enqueued, with the receiver's typed handler`,
    ` * signatures; a handler that throws is retried with the job's back-off, then left in the failed set.`,
    ` *`,
    ` * @example`,
    ` * const worker = createBandwidthWorker({`,
    ` *   connection: process.env.REDIS_URL!,`,
    ` *   messaging: { messageReceived: async (event) => void (await saveInbound(event.message)) },`,
    ` * });`,
    ` */`,
    `export function createBandwidthWorker(options: BandwidthWorkerOptions): BandwidthWorker {`,
    `  const families: Record<string, WorkerFamily> = {};`,
  );
  for (const family of queued) {
    lines.push(`  if (options.${family.name} !== undefined) families.${family.name} = { events: ${family.name}Events, handlers: options.${family.name} };`);
  }
  lines.push(
    `  if (Object.keys(families).length === 0) {`,
    `    throw new BandwidthConfigError(${JSON.stringify(`createBandwidthWorker: pass handlers for at least one family (${queued.map((f) => f.name).join(", ")})`)});`,
    `  }`,
    `  return createQueueWorker({ ...options, families });`,
    `}`,
    "",
  );
  return [{ path: "queue.ts", contents: lines.join("\n"), source: "generator/emit/queue-wiring.ts" }];
}
