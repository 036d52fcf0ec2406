/**
 * Batch handling (messaging sends a JSON array): every element is validated first (strict mode
 * rejects the whole batch), then each handler is called; the batch is acknowledged once all settled.
 */

import type { HeaderReader } from "./context.js";
import { failureKind, invokeHandler, prepareEvent } from "./event.js";
import type { PreparedEvent } from "./event.js";
import { INTERNAL_ERROR, invalidBody } from "./responses.js";
import type { RouteState } from "./routes.js";
import type { CoreSettings } from "./settings.js";
import { TIMED_OUT, isPromiseLike, withTimeout } from "./timeouts.js";
import type { CoreResponse } from "./types.js";

/** A batch: validate all first, then call each handler; ack once every (async) handler settled. */
export function handleBatch(
  settings: CoreSettings,
  state: RouteState,
  method: string,
  items: unknown[],
  raw: unknown,
  readHeader: HeaderReader,
): CoreResponse | Promise<CoreResponse> {
  const prepared: PreparedEvent[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      return invalidBody(`element ${i} is not an object`);
    }
    const one = prepareEvent(settings, state, method, item as Record<string, unknown>, raw, readHeader, false);
    if ("status" in one) return one;
    prepared.push(one);
  }
  let pending: PromiseLike<unknown>[] | undefined;
  for (const one of prepared) {
    let result: unknown;
    try {
      result = invokeHandler(settings, state, one);
    } catch (error) {
      settings.reportError(error, { family: state.family.name, eventType: one.context.eventType, kind: failureKind(one) });
      return INTERNAL_ERROR;
    }
    if (isPromiseLike(result)) (pending ??= []).push(result);
  }
  if (pending === undefined) return state.ack;
  const eventType = prepared.length === 1 ? prepared[0].context.eventType : undefined;
  return withTimeout(
    settings,
    Promise.all(pending),
    prepared.map((one) => one.context),
    state,
    eventType,
  ).then(
    (settled) => (settled === TIMED_OUT ? INTERNAL_ERROR : state.ack),
    (error: unknown) => {
      settings.reportError(error, { family: state.family.name, eventType, kind: "handler" });
      return INTERNAL_ERROR;
    },
  );
}
