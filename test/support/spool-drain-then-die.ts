// A receiver process for test/queue-spool-keeps-voice-and-numbers-through-a-redis-outage.test.ts: opens the
// queue on the spool folder a previous receiver left, and SIGKILLs itself once the first drain step
// reached Redis, before any spooled file is removed (the crash the spool must survive).
import { createBullMQQueue } from "../../generated/queue.js";

const [url, queueName, spoolDir] = process.argv.slice(2);
createBullMQQueue({
  connection: url,
  queueName,
  spoolDir,
  logger: { warn: () => {} },
  onSpoolForwarded: () => process.kill(process.pid, "SIGKILL"),
});
