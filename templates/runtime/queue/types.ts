/**
 * What the receiver hands to a queue and what a worker gets back: the job shape, the queue interface the
 * event pipeline talks to (so the core never imports BullMQ), and the handler types of a worker. Types
 * only, edge-safe: the BullMQ implementation is `bullmq-queue.ts` / `worker.ts` (`bw-codegen/queue`).
 */

import type { NoReply } from "../contract.js";
import type { WebhookLogger } from "../logger.js";

/** One validated async event, as stored in the queue (JSON-serialisable). */
export interface QueuedEvent {
  /** `voice`, `messaging`, `numbers`, … */
  readonly family: string;
  /** The event name (`message-delivered`, `disconnect`, …). */
  readonly eventType: string;
  /** The event as validated (the element of a batch, not the batch). */
  readonly event: unknown;
  /** `false` when it failed its schema and was accepted in lenient mode. */
  readonly valid: boolean;
  /** When the receiver accepted it (ms since the epoch). */
  readonly receivedAt: number;
  /** The hashed dedupe key when the event has one: the job id, so the same event is never stored twice. */
  readonly id?: string;
}

/** A durable queue as the receiver sees it. */
export interface EventQueue {
  /** Stores every event; resolves only once all are stored, rejects when the queue is unreachable. */
  enqueue(events: readonly QueuedEvent[]): Promise<void>;
  /** Closes the connection the queue opened. */
  close?(): Promise<void>;
}

/** The second argument of a worker handler. */
export interface QueueJobContext {
  readonly family: string;
  readonly eventType: string;
  /** The queue's job id. */
  readonly jobId: string;
  /** 1 on the first run, 2 on the first retry, … */
  readonly attempt: number;
  /** How many runs the job gets before it moves to the failed set. */
  readonly attempts: number;
  /** When the receiver accepted the delivery (ms since the epoch). */
  readonly receivedAt: number;
  /** `false` when the event failed its schema and was accepted in lenient mode. */
  readonly valid: boolean;
  readonly logger: WebhookLogger;
}

/** The methods of a handler interface whose reply Bandwidth ignores (they return nothing): what a queue takes. */
export type AsyncHandlerKeys<H> = {
  [K in keyof H]-?: NonNullable<H[K]> extends (event: never, context: never) => infer R ? ([NoReply] extends [R] ? K : never) : never;
}[keyof H];

/**
 * A receiver's handler interface retyped for a worker: only the methods whose reply Bandwidth ignores,
 * same event type, a {@link QueueJobContext}. A method whose event needs BXML or another reply is not a
 * key of this type, so putting `answer` in a worker's voice handlers does not compile.
 */
export type QueuedHandlers<H> = {
  [K in AsyncHandlerKeys<H>]?: (event: NonNullable<H[K]> extends (event: infer E, context: never) => unknown ? E : never, context: QueueJobContext) => NoReply;
};

/**
 * A receiver's handlers when async events go to a queue: the reply events only (BXML, port-out
 * validation, …), which stay synchronous; a handler for an enqueued event does not compile (the worker has it).
 */
export type ReceiverHandlers<H> = { [K in Exclude<keyof H, AsyncHandlerKeys<H>>]?: H[K] } & { readonly [K in AsyncHandlerKeys<H>]?: never };
