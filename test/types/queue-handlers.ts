// Type-level tests of the queue: this file must compile, and every line marked @ts-expect-error must be
// a compile error. A worker takes only events whose reply Bandwidth ignores (an enqueued family cannot
// return BXML); a receiver with a queue keeps only the reply (BXML) handlers.
import { createBandwidthWebhooks } from "../../generated/index.js";
import { Response, SpeakSentence } from "../../generated/bxml/index.js";
import { createBandwidthWorker, createBullMQQueue } from "../../generated/queue.js";

export function examples(): void {
  const queue = createBullMQQueue({ connection: "redis://127.0.0.1:6379" });
  createBandwidthWorker({
    connection: "redis://127.0.0.1:6379",
    messaging: {
      async messageReceived(event, context) {
        const id: string = event.message.id;
        const attempt: number = context.attempt;
        await Promise.resolve([id, attempt]);
      },
    },
    voice: { disconnect: (event) => void event.cause },
  });
  createBandwidthWorker({
    connection: "redis://127.0.0.1:6379",
    voice: {
      // @ts-expect-error a BXML event cannot be enqueued: Bandwidth waits for its reply
      answer: () => Response(SpeakSentence("hi")),
    },
  });
  createBandwidthWorker({
    connection: "redis://127.0.0.1:6379",
    // @ts-expect-error a worker handler returns nothing (its result would go nowhere)
    messaging: { messageReceived: () => "<Response/>" },
  });
  createBandwidthWebhooks({
    allowUnauthenticated: true,
    queue,
    voice: { answer: () => Response(SpeakSentence("still synchronous")) },
    messaging: {},
  });
  // @ts-expect-error with a queue, async events are the worker's: no receiver handler for them
  createBandwidthWebhooks({
    allowUnauthenticated: true,
    queue,
    messaging: { messageReceived: () => undefined },
  });
}
