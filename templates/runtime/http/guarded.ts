/**
 * Dedupe and the queue hand-off in the event pipeline: async events (their reply Bandwidth ignores) of
 * a request are claimed in the dedupe store, then enqueued (queue) or handled here (inline, together
 * with the request's other events), then marked done or released (`delivery/guard.ts`), each claim by
 * its own event's outcome (in a batch, a failed handler releases only its event). Duplicates are
 * acknowledged without their handler; store or queue unreachable (or the memory store full), or an event
 * another delivery still holds, is a 503 so Bandwidth retries: nothing is acknowledged that was neither
 * handled nor stored. Except where a 503 is no retry (a family with `resentAfterError: false`: voice,
 * numbers): with the store unreachable or full and no queue, their events run without dedupe; with a
 * queue they are enqueued without a claim (job ids are the dedupe keys), and a queue with a spool keeps
 * them while Redis is away (queue/spool.ts).
 */

import { BandwidthError } from "../errors.js";
import type { Admission, GuardedEvent } from "../delivery/guard.js";
import type { PreparedEvent } from "./event.js";
import { IN_PROGRESS, STORE_UNAVAILABLE } from "./responses.js";
import type { RouteState } from "./routes.js";
import type { CoreSettings } from "./settings.js";
import type { CoreResponse } from "./types.js";

/**
 * Async events (reply ignored) of a known type: the ones dedupe and the queue take. Not an invalid event
 * (lenient policy): it goes to `onInvalidEvent` here, never to a queued handler.
 */
export function isGuarded(prepared: PreparedEvent): boolean {
  return prepared.info !== undefined && prepared.info.response === "empty" && (prepared.report === undefined || prepared.report.dispatched);
}

/**
 * Runs a request's prepared events through the guard (`settings.guard` must be set); `runInline` handles
 * the events that run here (unguarded ones, and admitted ones when there is no queue) and adds the ones
 * whose handler failed to `failed` (a runner that does not, or answers ≥ 300 with `failed` empty, fails
 * them all), and those still running at the timeout to `late`, with whether they end up handled: their
 * claims are held until then (marked done or released), so Bandwidth's resend of the delivery meanwhile
 * is a 503 `in_progress`, not a second run beside the first (they used to be released at the timeout).
 */
export async function guarded(
  settings: CoreSettings,
  state: RouteState,
  prepared: readonly PreparedEvent[],
  runInline: (admitted: readonly PreparedEvent[], failed: Set<PreparedEvent>, late: Map<PreparedEvent, Promise<boolean>>) => CoreResponse | Promise<CoreResponse>,
): Promise<CoreResponse> {
  const guard = settings.guard!;
  const guardedItems = prepared.filter(isGuarded);
  const datedBy = state.family.datedBy;
  const events: GuardedEvent[] = guardedItems.map((p) => ({ family: state.family.name, eventType: p.context.eventType, event: p.event, valid: p.context.valid, datedBy }));
  let admission: Admission = await guard.admit(events);
  if (admission.unavailable && guard.queue !== undefined) {
    // The store is away or full, the queue may not be (or it spools): enqueue without claims. The job ids are
    // the dedupe keys, so the queue itself stores a redelivered event once; a queue that cannot take them rejects: 503.
    admission = { ...admission, unavailable: false, admitted: events.map((_, i) => i) };
  }
  if (admission.unavailable) {
    const reason = admission.reason ?? "the dedupe store is unreachable";
    if (guard.queue === undefined && state.family.resentAfterError === false) {
      // Bandwidth does not resend this family's events after a 5xx: a 503 would lose them, so they run without dedupe
      const error = new BandwidthError("BW_STORE_UNAVAILABLE", `${reason}; handled without dedupe (Bandwidth does not resend ${state.family.name} events answered 5xx)`);
      settings.reportError(error, { family: state.family.name, eventType: events[0]?.eventType, kind: "store" });
      return runInline(prepared, new Set<PreparedEvent>(), new Map<PreparedEvent, Promise<boolean>>());
    }
    settings.reportError(new BandwidthError("BW_STORE_UNAVAILABLE", reason), { family: state.family.name, eventType: events[0]?.eventType, kind: "store" });
    return STORE_UNAVAILABLE;
  }
  const admitted = new Set(admission.admitted.map((i) => guardedItems[i]));
  if (guard.queue !== undefined && admitted.size > 0) {
    try {
      await guard.enqueue(events, admission);
    } catch (error) {
      await guard.settle(admission, false);
      settings.reportError(error, { family: state.family.name, eventType: events[0]?.eventType, kind: "store" });
      return STORE_UNAVAILABLE;
    }
    await guard.settle(admission, true);
  }
  const inline = prepared.filter((p) => !isGuarded(p) || (guard.queue === undefined && admitted.has(p)));
  const failed = new Set<PreparedEvent>();
  const late = new Map<PreparedEvent, Promise<boolean>>();
  const response = inline.length === 0 ? state.ack : await runInline(inline, failed, late);
  if (guard.queue === undefined) {
    const allFailed = response.status >= 300 && failed.size === 0;
    const now = admission.claims.filter((claim) => !late.has(guardedItems[claim.index]));
    for (const claim of admission.claims) {
      const outcome = late.get(guardedItems[claim.index]);
      if (outcome !== undefined) void outcome.then((handled) => guard.settle({ ...admission, claims: [claim] }, handled)); // settle never rejects
    }
    await guard.settle(now.length === admission.claims.length ? admission : { ...admission, claims: now }, (i) => !allFailed && !failed.has(guardedItems[i]));
  }
  return admission.retryLater && response.status < 300 ? IN_PROGRESS : response;
}
