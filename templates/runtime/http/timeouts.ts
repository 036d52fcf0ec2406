/**
 * Handler timeouts: races a handler's promise against the route's timeout and, when it runs out,
 * aborts the handlers' contexts (their `signal`) and reports a {@link WebhookTimeoutError}.
 */

import { BandwidthError } from "../errors.js";
import type { WebhookContext } from "./context.js";
import type { RouteState } from "./routes.js";
import type { CoreSettings } from "./settings.js";

/** What {@link withTimeout} resolves to when the time ran out (the answer is then a 500). */
export const TIMED_OUT: unique symbol = Symbol("timed out");

/**
 * Raised (to `onError`) when a handler runs past `timeoutMs`.
 *
 * @example
 * onError: (error, { eventType }) => {
 *   if (error instanceof WebhookTimeoutError) metrics.increment("handler_timeout", { eventType });
 * },
 */
export class WebhookTimeoutError extends BandwidthError {
  constructor(timeoutMs: number) {
    super("BW_HANDLER_TIMEOUT", `webhook handler did not finish within ${timeoutMs} ms`);
    this.name = "WebhookTimeoutError";
  }
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}

/** Races a handler's promise against the route's timeout; on timeout aborts the contexts and reports it. */
export function withTimeout(
  settings: CoreSettings,
  promise: PromiseLike<unknown>,
  contexts: readonly WebhookContext[],
  state: RouteState,
  eventType: string | undefined,
): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = new WebhookTimeoutError(state.timeoutMs);
      for (const context of contexts) context.abort(error);
      settings.reportError(error, { family: state.family.name, eventType, kind: "timeout" });
      resolve(TIMED_OUT);
    }, state.timeoutMs);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
