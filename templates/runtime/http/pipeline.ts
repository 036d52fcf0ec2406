/**
 * The event pipeline, after the gate: verify the body (the family's `verifyBody`, e.g. the TFV
 * signature: 403), parse it, validate and dispatch it (one event, or a batch via `batch.ts`), and
 * render the handler's result. Synchronous handlers get a synchronous answer (no async hop).
 */

import { handleBatch } from "./batch.js";
import type { HeaderReader } from "./context.js";
import { failureKind, invokeHandler, prepareEvent } from "./event.js";
import type { PreparedEvent } from "./event.js";
import { parseRequest } from "./parse.js";
import { renderReply } from "./reply.js";
import { INTERNAL_ERROR, invalidBody, invalidSignature } from "./responses.js";
import type { RouteState } from "./routes.js";
import type { CoreSettings } from "./settings.js";
import { TIMED_OUT, isPromiseLike, withTimeout } from "./timeouts.js";
import type { CoreBody, CoreResponse } from "./types.js";

/** Calls the handler of one prepared event and renders its (possibly awaited, timed) result. */
function run(settings: CoreSettings, state: RouteState, prepared: PreparedEvent): CoreResponse | Promise<CoreResponse> {
  let result: unknown;
  try {
    result = invokeHandler(settings, state, prepared);
  } catch (error) {
    settings.reportError(error, { family: state.family.name, eventType: prepared.context.eventType, kind: failureKind(prepared) });
    return INTERNAL_ERROR;
  }
  if (isPromiseLike(result)) {
    return withTimeout(settings, result, [prepared.context], state, prepared.context.eventType).then(
      (settled) => (settled === TIMED_OUT ? INTERNAL_ERROR : renderReply(settings, state, prepared, settled)),
      (error: unknown) => {
        settings.reportError(error, { family: state.family.name, eventType: prepared.context.eventType, kind: failureKind(prepared) });
        return INTERNAL_ERROR;
      },
    );
  }
  return renderReply(settings, state, prepared, result);
}

/** Parses, validates and dispatches a request whose body passed the family's check. */
function handleVerified(
  settings: CoreSettings,
  state: RouteState,
  method: string,
  url: string,
  body: CoreBody,
  raw: unknown,
  readHeader: HeaderReader,
): CoreResponse | Promise<CoreResponse> {
  const family = state.family;
  const parsed = parseRequest(family, method, url, body);
  if ("status" in parsed) return parsed;
  const value = parsed.value;
  if (family.format === "json-array") {
    if (Array.isArray(value)) {
      if (value.length === 0) return state.ack;
      return handleBatch(settings, state, method, value, raw, readHeader);
    }
    // Bandwidth's own spec models the body as one object; accept a lone event too.
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return invalidBody(family.format === "xml" ? "expected an XML document" : "expected a JSON object");
  }
  const prepared = prepareEvent(settings, state, method, value as Record<string, unknown>, raw, readHeader, parsed.fromQuery);
  if ("status" in prepared) return prepared;
  return run(settings, state, prepared);
}

/** Verifies (POST bodies of families that check them), then parses, validates and dispatches. */
export function handleRequest(
  settings: CoreSettings,
  state: RouteState,
  method: string,
  url: string,
  body: CoreBody,
  raw: unknown,
  readHeader: HeaderReader,
): CoreResponse | Promise<CoreResponse> {
  const family = state.family;
  if (family.verifyBody === undefined || method !== "POST") return handleVerified(settings, state, method, url, body, raw, readHeader);
  return family.verifyBody(body, raw, readHeader).then(
    (verdict) => {
      if (verdict.ok) return handleVerified(settings, state, method, url, body, raw, readHeader);
      settings.logger.warn(`bw-codegen webhooks: refused a ${family.name} request on ${state.path}: ${verdict.reason}`);
      return invalidSignature(verdict.reason, verdict.message);
    },
    (error: unknown) => {
      settings.reportError(error, { family: family.name, eventType: undefined, kind: "hook" });
      return INTERNAL_ERROR;
    },
  );
}
