// A Bandwidth-like sender: posts each delivery to one of the receivers and, like Bandwidth, sends it
// again (to the next receiver) after any answer other than 2xx or a broken connection, until it is
// acknowledged or its retry budget runs out. Bounded: every request has a timeout, every delivery a budget.
import { LOAD_AUTHORIZATION, MESSAGING_PATH, type Delivery } from "./deliveries.js";

export interface ReplayResult {
  readonly acknowledged: number;
  readonly gaveUp: string[];
  readonly attempts: number;
  readonly answers: Record<string, number>;
  readonly ms: number;
}

export interface ReplayOptions {
  /** Receiver base URLs, e.g. `http://127.0.0.1:4321` (read at each attempt: the list may change). */
  readonly urls: () => readonly string[];
  readonly deliveries: readonly Delivery[];
  readonly concurrency?: number;
  /** How long one delivery may keep being retried. Default 60 s. */
  readonly budgetMs?: number;
  /** Called after each acknowledged delivery (fault injection hooks count on it). */
  readonly onAck?: (done: number) => void | Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const answers: Record<string, number> = {};
  const gaveUp: string[] = [];
  let attempts = 0;
  let acknowledged = 0;
  let next = 0;
  let turn = 0;
  const started = Date.now();
  const budgetMs = options.budgetMs ?? 60_000;

  async function send(delivery: Delivery): Promise<void> {
    const deadline = Date.now() + budgetMs;
    for (let wait = 50; Date.now() < deadline; wait = Math.min(wait * 2, 1000)) {
      const urls = options.urls();
      const url = urls[turn++ % urls.length];
      attempts++;
      try {
        const response = await fetch(url + MESSAGING_PATH, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: LOAD_AUTHORIZATION },
          body: delivery.body,
          signal: AbortSignal.timeout(5000),
        });
        await response.arrayBuffer();
        answers[response.status] = (answers[response.status] ?? 0) + 1;
        if (response.status >= 200 && response.status < 300) {
          acknowledged++;
          await options.onAck?.(acknowledged);
          return;
        }
      } catch (error) {
        const name = (error as Error).name === "TimeoutError" ? "timeout" : "connection";
        answers[name] = (answers[name] ?? 0) + 1;
      }
      await sleep(wait + Math.floor(Math.random() * wait));
    }
    gaveUp.push(delivery.id);
  }

  async function lane(): Promise<void> {
    while (next < options.deliveries.length) await send(options.deliveries[next++]);
  }
  await Promise.all(Array.from({ length: options.concurrency ?? 32 }, lane));
  return { acknowledged, gaveUp, attempts, answers, ms: Date.now() - started };
}
