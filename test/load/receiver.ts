// A receiver process for the load and fault suite: bw-codegen's node adapter on 127.0.0.1 (port 0), with
// dedupe (memory or Redis) and optionally the BullMQ hand-off, configured by one JSON argument. It prints
// `listening <port>` once, and `handled <message.id>><to>` for each messaging event its own handler runs
// (inline mode), so the parent can count. Started and stopped (by PID) by test/load/cluster.ts.
import http from "node:http";
import { createBandwidthWebhooks } from "../../generated/index.js";
import { createBullMQQueue, createRedisDedupeStore } from "../../generated/queue.js";
import { handledId, LOAD_CREDENTIALS } from "./deliveries.js";

export interface ReceiverConfig {
  readonly redisUrl?: string;
  readonly queueName?: string;
  /** `queue`: enqueue async events (BullMQ) and answer at once; `inline`: run the handler here. */
  readonly mode: "queue" | "inline";
  readonly dedupe: "redis" | "memory" | "off";
  readonly pendingTtlMs?: number;
  /** Inline handler faults: the first run of the handler for each id in `faultIds` throws or hangs. */
  readonly faultIds?: readonly string[];
  readonly fault?: "throw" | "hang";
  readonly timeoutMs?: number;
  readonly bodyLimit?: number;
  /** Queue mode: `intake` (default, one XADD per turn) or `direct` (a BullMQ add per event). */
  readonly handOff?: "intake" | "direct";
  /** Print nothing per event (benchmarks: the cheapest inline handler). */
  readonly silent?: boolean;
}

const config = JSON.parse(process.argv[2] ?? "{}") as ReceiverConfig;
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const faults = new Set(config.faultIds ?? []);
const faulted = new Set<string>();
const quiet = { warn: () => {}, error: () => {}, debug: () => {} };
const onError = (): void => {};

function handle(event: { to?: string; message?: { id?: string } }): undefined | Promise<undefined> {
  const id = handledId(event);
  if (faults.has(id) && !faulted.has(id)) {
    faulted.add(id);
    if (config.fault === "throw") throw new Error("handler failed");
    if (config.fault === "hang") return new Promise<undefined>(() => {});
  }
  if (config.silent !== true) out(`handled ${id}`);
  return undefined;
}

const queue = config.mode === "queue" ? createBullMQQueue({ connection: config.redisUrl!, queueName: config.queueName, timeoutMs: 1000, handOff: config.handOff }) : undefined;
const store = config.dedupe === "redis" ? createRedisDedupeStore({ connection: config.redisUrl!, prefix: `${config.queueName ?? "load"}:dedupe:` }) : undefined;
type Options = Parameters<typeof createBandwidthWebhooks>[0];
const webhooks = createBandwidthWebhooks({
  credentials: [LOAD_CREDENTIALS],
  logger: quiet,
  onError,
  timeoutMs: config.timeoutMs ?? 2000,
  bodyLimit: config.bodyLimit,
  numbers: {},
  messaging:
    config.mode === "queue"
      ? {}
      : { messageDelivered: handle, messageFailed: handle, messageSent: handle, messageReceived: handle, messageSending: handle, messageRead: handle },
  queue,
  dedupe: config.dedupe === "off" ? false : { store, pendingTtlMs: config.pendingTtlMs ?? 2000 },
} as Options); // queue or inline handlers, chosen at run time

const server = http.createServer(webhooks.node);
server.keepAliveTimeout = 30_000;
server.requestTimeout = 10_000; // a slow body is cut after 10 s (408), as a production server should
server.listen(0, "127.0.0.1", () => out(`listening ${(server.address() as { port: number }).port}`));
process.on("SIGTERM", () => {
  server.close();
  void Promise.allSettled([queue?.close(), store?.close?.()]).then(() => process.exit(0));
});
