/**
 * The event pipeline, after the gate: verify the body (the family's `verifyBody`, e.g. the TFV
 * signature: 403), parse it, cap its size in events (batches) or XML elements (413), validate and
 * dispatch it (one event, or a batch via `batch.ts`), and render the handler's result. Synchronous
 * handlers get a synchronous answer (no async hop). What it learns goes into the request's note.
 */

import { handleBatch } from "./batch.js";
import { failureKind, invokeHandler, prepareEvent } from "./event.js";
import { guarded, isGuarded } from "./guarded.js";
import type { PreparedEvent } from "./event.js";
import type { RequestNote } from "./log.js";
import { parseRequest } from "./parse.js";
import { renderReply } from "./reply.js";
import { INTERNAL_ERROR, invalidBody, invalidSignature, tooMany } from "./responses.js";
import type { RouteState } from "./routes.js";
import type { CoreSettings } from "./settings.js";
import { TIMED_OUT, isPromiseLike, withTimeout } from "./timeouts.js";
import type { CoreRequest, CoreResponse } from "./types.js";

/**
 * What a failed handler (throw, rejection, timeout) answers: a 500, so Bandwidth retries. The one
 * exception is a reply Bandwidth reads as approval whenever it is not a clear "no" (the port-out
 * validation response: any non-200 approves the port-out), which fails closed instead: the family's
 * answer for "not answered" (a 7598 dispute), as when no handler is mounted.
 */
function failed(settings: CoreSettings, state: RouteState, prepared: PreparedEvent): CoreResponse {
  return prepared.info?.response === "port-out-validation-response" ? renderReply(settings, state, prepared, undefined) : INTERNAL_ERROR;
}

/**
 * Calls the handler of one prepared event and renders its (possibly awaited, timed) result. A handler
 * still running at the timeout goes into `late` (when given) with whether it ends up handled.
 */
function run(settings: CoreSettings, state: RouteState, prepared: PreparedEvent, late?: Map<PreparedEvent, Promise<boolean>>): CoreResponse | Promise<CoreResponse> {
  let result: unknown;
  try {
    result = invokeHandler(settings, state, prepared);
  } catch (error) {
    settings.reportError(error, { family: state.family.name, eventType: prepared.context.eventType, kind: failureKind(prepared) });
    return failed(settings, state, prepared);
  }
  if (isPromiseLike(result)) {
    const promise = result;
    return withTimeout(settings, promise, [prepared.context], state, prepared.context.eventType).then(
      (settled) => {
        if (settled !== TIMED_OUT) return renderReply(settings, state, prepared, settled);
        late?.set(
          prepared,
          Promise.resolve(promise).then(
            () => true,
            () => false, // a late rejection: not handled (its claim is released)
          ),
        );
        return failed(settings, state, prepared);
      },
      (error: unknown) => {
        settings.reportError(error, { family: state.family.name, eventType: prepared.context.eventType, kind: failureKind(prepared) });
        return failed(settings, state, prepared);
      },
    );
  }
  return renderReply(settings, state, prepared, result);
}

/**
 * Whether the JSON form of an XML document holds more than `limit` elements (each element is one
 * property value or array item below the root); stops counting once past the limit.
 */
export function exceedsElements(root: unknown, limit: number): boolean {
  const stack: unknown[] = [root];
  let count = 0;
  while (stack.length > 0) {
    const node = stack.pop();
    if (node === null || typeof node !== "object") continue;
    const children = Array.isArray(node) ? node : Object.values(node as Record<string, unknown>);
    for (const child of children) {
      // an array is the repeated element itself: its items are counted, not the array
      if (!Array.isArray(child) && ++count > limit) return true;
      if (child !== null && typeof child === "object") stack.push(child);
    }
  }
  return false;
}

/** Parses, validates and dispatches a request whose body passed the family's check. */
function handleVerified(settings: CoreSettings, state: RouteState, request: CoreRequest, note: RequestNote): CoreResponse | Promise<CoreResponse> {
  const family = state.family;
  const parsed = parseRequest(family, request);
  if ("status" in parsed) return parsed;
  const value = parsed.value;
  if (family.format === "json-array") {
    if (Array.isArray(value)) {
      if (value.length === 0) return state.ack;
      if (value.length > settings.maxBatchEvents) return tooMany("events", family.name, settings.maxBatchEvents, "maxBatchEvents");
      return handleBatch(settings, state, value, request, note);
    }
    // Bandwidth's own spec models the body as one object; accept a lone event too.
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return invalidBody(family.format === "xml" ? "expected an XML document" : "expected a JSON object");
  }
  if (family.format === "xml" && exceedsElements(value, settings.maxXmlElements)) {
    return tooMany("elements", family.name, settings.maxXmlElements, "maxXmlElements");
  }
  const prepared = prepareEvent(settings, state, value as Record<string, unknown>, request, parsed.fromQuery);
  if ("status" in prepared) return prepared;
  note.eventType = prepared.context.eventType;
  if (prepared.report !== undefined) note.reports = [prepared.report];
  if (settings.guard !== undefined && isGuarded(prepared)) return guarded(settings, state, [prepared], (admitted, _failed, late) => run(settings, state, admitted[0], late));
  return run(settings, state, prepared);
}

/** Verifies (POST bodies of families that check them), then parses, validates and dispatches. */
export function handleRequest(settings: CoreSettings, state: RouteState, request: CoreRequest, note: RequestNote): CoreResponse | Promise<CoreResponse> {
  const family = state.family;
  if (family.verifyBody === undefined || request.method !== "POST") return handleVerified(settings, state, request, note);
  return family.verifyBody(request.body, request.raw, request.readHeader).then(
    (verdict) => {
      if (verdict.ok) return handleVerified(settings, state, request, note);
      settings.log.limited("warn", "signature", `bw-codegen webhooks: refused a ${family.name} request on ${state.path}: ${verdict.reason}`);
      return invalidSignature(verdict.reason, verdict.message);
    },
    (error: unknown) => {
      settings.reportError(error, { family: family.name, eventType: undefined, kind: "hook" });
      return INTERNAL_ERROR;
    },
  );
}
