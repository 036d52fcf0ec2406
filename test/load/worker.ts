// A worker process for the load and fault suite: the generated createBandwidthWorker on one Redis,
// printing `handled <message.id>><to>` for every messaging event its handler runs, so the parent can count
// each unique event's handler calls. Configured by one JSON argument; stopped by PID.
import { createBandwidthWorker } from "../../generated/queue.js";
import { handledId } from "./deliveries.js";

const config = JSON.parse(process.argv[2] ?? "{}") as { redisUrl: string; queueName?: string; concurrency?: number; silent?: boolean };
const out = (line: string): void => void process.stdout.write(`${line}\n`);
const handle = (event: { to?: string; message: { id: string } }): undefined => (config.silent === true ? undefined : void out(`handled ${handledId(event)}`));

const worker = createBandwidthWorker({
  connection: config.redisUrl,
  queueName: config.queueName,
  concurrency: config.concurrency ?? 20,
  lockDurationMs: 5000,
  stalledIntervalMs: 2000,
  logger: { warn: () => {}, error: () => {} },
  messaging: { messageDelivered: handle, messageFailed: handle, messageSent: handle, messageReceived: handle, messageSending: handle, messageRead: handle },
});
void worker.worker.waitUntilReady().then(() => out("ready"));
process.on("SIGTERM", () => void worker.close().then(() => process.exit(0)));
