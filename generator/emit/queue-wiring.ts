// Emits generated/queue.ts, the `bw-codegen/queue` entry: `createBandwidthWorker({ connection, voice,
// messaging, … })` bound to the generated event tables, with each family's handlers typed by
// `QueuedHandlers<…Handlers>` (only events whose reply Bandwidth ignores: a BXML event does not compile
// there), plus the BullMQ producer and the Redis dedupe store. Kept out of the package entry so a
// receiver that does not use the queue never loads BullMQ or ioredis (optional peers).
import type { GeneratedFile } from "../generated-file.js";
import { families } from "../families.js";

const RUNTIME_QUEUE = "runtime/queue";

/** Builds generated/queue.ts when the queue runtime and the event tables were emitted. */
export function emitQueueWiring(files: readonly GeneratedFile[]): GeneratedFile[] {
  const byPath = new Map(files.map((f) => [f.path, f.contents]));
  if (!byPath.has(`${RUNTIME_QUEUE}/worker.ts`)) return [];
  const events = byPath.get("events.ts") ?? "";
  const handlers = byPath.get("handlers.d.ts") ?? "";
  // Families with at least one event whose reply is ignored, and a handler interface to type it by.
  const queued = families.filter(
    (family) =>
      events.includes(`export const ${family.name}Events`) &&
      handlers.includes(`interface ${family.handlers}`) &&
      new RegExp(`export const ${family.name}Events\\b[^;]*response: "empty"`).test(events),
  );
  const lines: string[] = [
    `import { BandwidthConfigError } from "./runtime/errors.js";`,
    `import { createQueueWorker } from "./${RUNTIME_QUEUE}/worker.js";`,
    `import type { BandwidthWorker, QueueWorkerOptions, WorkerFamily } from "./${RUNTIME_QUEUE}/worker.js";`,
    `import type { QueuedHandlers } from "./${RUNTIME_QUEUE}/types.js";`,
    `import { ${queued.map((f) => `${f.name}Events`).join(", ")} } from "./events.js";`,
    `import type { ${queued.map((f) => f.handlers).join(", ")} } from "./handlers.js";`,
    `export { createBullMQQueue, DEFAULT_QUEUE_NAME } from "./${RUNTIME_QUEUE}/bullmq-queue.js";`,
    `export type { BullMQEventQueue, BullMQQueueOptions } from "./${RUNTIME_QUEUE}/bullmq-queue.js";`,
    `export { INTAKE_GROUP, intakeKey, startIntakeForwarder } from "./${RUNTIME_QUEUE}/intake.js";`,
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
