/**
 * Batch handling (messaging sends a JSON array): the length is capped first (413 before any validation
 * or handler), every element is validated (strict mode rejects the whole batch; lenient mode applies the
 * drift/invalid policy per element), then each handler is called. Every handler runs even when an
 * earlier one threw; every promise is observed; each failure goes to `onError`; the request is answered
 * once: the acknowledgement when all succeeded, 500 when any threw, rejected or timed out. With dedupe,
 * the failed events are reported to the guard, which releases only their claims.
 */

import { failureKind, invokeHandler, prepareEvent } from "./event.js";
import { guarded, isGuarded } from "./guarded.js";
import type { PreparedEvent } from "./event.js";
import type { RequestNote } from "./log.js";
import { INTERNAL_ERROR, invalidBody } from "./responses.js";
import type { RouteState } from "./routes.js";
import type { CoreSettings } from "./settings.js";
import { TIMED_OUT, isPromiseLike, withTimeout } from "./timeouts.js";
import type { CoreRequest, CoreResponse, InvalidEventReport } from "./types.js";

/** Validates every element; the prepared events, or the 400 for the first element that cannot be told. */
function prepareAll(settings: CoreSettings, state: RouteState, items: unknown[], request: CoreRequest, note: RequestNote): PreparedEvent[] | CoreResponse {
  const prepared: PreparedEvent[] = [];
  let reports: InvalidEventReport[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === null || typeof item !== "object" || Array.isArray(item)) return invalidBody(`element ${i} is not an object`);
    const one = prepareEvent(settings, state, item as Record<string, unknown>, request, false, i);
    if ("status" in one) return one;
    if (one.report !== undefined) (reports ??= []).push(one.report);
    prepared.push(one);
  }
  note.reports = reports;
  note.events = items.length;
  note.eventType = [...new Set(prepared.map((one) => one.context.eventType))].join(",");
  return prepared;
}

/** A batch: validate all first, then call each handler; answer once every (async) handler settled. */
export function handleBatch(settings: CoreSettings, state: RouteState, items: unknown[], request: CoreRequest, note: RequestNote): CoreResponse | Promise<CoreResponse> {
  const prepared = prepareAll(settings, state, items, request, note);
  if (!Array.isArray(prepared)) return prepared;
  if (settings.guard !== undefined && prepared.some(isGuarded)) return guarded(settings, state, prepared, (admitted, failed, late) => runBatch(settings, state, admitted, failed, late));
  return runBatch(settings, state, prepared);
}

/**
 * Calls each prepared event's handler (all of them, even after one threw); every promise is observed;
 * the family acknowledgement once every (async) handler settled, 500 when any failed. The events whose
 * handler threw, rejected or had not settled at the timeout go into `failedEvents` (dedupe releases them);
 * those still running at the timeout also go into `late`, with whether they end up handled (dedupe holds
 * their claims until then).
 */
function runBatch(
  settings: CoreSettings,
  state: RouteState,
  prepared: readonly PreparedEvent[],
  failedEvents?: Set<PreparedEvent>,
  late?: Map<PreparedEvent, Promise<boolean>>,
): CoreResponse | Promise<CoreResponse> {
  const family = state.family.name;
  let failed = false;
  let pending: Promise<boolean>[] | undefined;
  const unsettled = failedEvents === undefined ? undefined : new Map<PreparedEvent, Promise<boolean>>();
  for (const one of prepared) {
    const eventType = one.context.eventType;
    let result: unknown;
    try {
      result = invokeHandler(settings, state, one);
    } catch (error) {
      settings.reportError(error, { family, eventType, kind: failureKind(one) });
      failed = true;
      failedEvents?.add(one);
      continue; // the other events still get their handler; the answer is a 500 (Bandwidth retries the batch)
    }
    if (!isPromiseLike(result)) continue;
    // Observed at once, so a rejection is never unhandled, whatever happens to the other handlers.
    const settled: Promise<boolean> = Promise.resolve(result).then(
      () => {
        unsettled?.delete(one);
        return true;
      },
      (error: unknown) => {
        unsettled?.delete(one);
        failedEvents?.add(one);
        settings.reportError(error, { family, eventType, kind: failureKind(one) });
        return false;
      },
    );
    unsettled?.set(one, settled); // (its callbacks run later: never before this)
    (pending ??= []).push(settled);
  }
  if (pending === undefined) return failed ? INTERNAL_ERROR : state.ack;
  const eventType = prepared.length === 1 ? prepared[0].context.eventType : undefined;
  return withTimeout(
    settings,
    Promise.all(pending),
    prepared.map((one) => one.context),
    state,
    eventType,
  ).then((outcome) => {
    if (outcome === TIMED_OUT && unsettled !== undefined) {
      for (const [one, settled] of unsettled) {
        failedEvents?.add(one); // still running: not known to be handled (the answer is a 500)
        late?.set(one, settled);
      }
    }
    return failed || outcome === TIMED_OUT || (outcome as boolean[]).includes(false) ? INTERNAL_ERROR : state.ack;
  });
}
