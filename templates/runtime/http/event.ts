/**
 * One event through validation to its handler: names the event type, validates it (coercing GET query
 * strings; strict mode answers 400; lenient mode applies the drift/invalid policy: drift is reported to
 * `onInvalidEvent` and dispatched, an invalid event goes to `onInvalidEvent` instead of its handler),
 * builds the handler's context and calls the user's handler or the `onUnknownEvent` fallback.
 */

import { WebhookContext } from "./context.js";
import type { HandlerContext } from "./context.js";
import { handlerOf } from "./handler-names.js";
import { coerceQueryValues } from "./parse.js";
import { invalidBody, invalidEvent } from "./responses.js";
import type { RouteState } from "./routes.js";
import type { CoreSettings } from "./settings.js";
import type { CoreRequest, CoreResponse, FamilyEventInfo, FamilyValidationResult, InvalidEventReport, WebhookFamily } from "./types.js";
import type { ValidationIssue } from "../validation.js";

/** A validated event, ready for its handler. */
export interface PreparedEvent {
  readonly event: unknown;
  readonly info: FamilyEventInfo | undefined;
  readonly handler: unknown;
  readonly context: WebhookContext;
  /** Set when the event failed its schema (lenient mode); `report.dispatched === false`: `onInvalidEvent` answers instead of the handler. */
  readonly report: InvalidEventReport | undefined;
}

/** The event type the validator named, or the discriminant property's value. */
function eventTypeOf(family: WebhookFamily, result: FamilyValidationResult, event: Record<string, unknown>): string | undefined {
  let type = result.type;
  if (type === undefined && family.discriminant !== undefined) {
    const named = event[family.discriminant];
    if (typeof named === "string") type = named;
  }
  return type;
}

/** The one issue reporting an event that arrived under another name Bandwidth has used for its type. */
function renameIssue(family: WebhookFamily, received: string, current: string, method: string): ValidationIssue {
  return {
    path: family.discriminant === undefined ? "" : `/${family.discriminant}`,
    message: `arrived as ${JSON.stringify(received)}, another name Bandwidth has used for ${JSON.stringify(current)} (a renamed event); handled as ${JSON.stringify(current)} by ${method}`,
  };
}

/** The 400 for an event whose type cannot be told. */
function unnamedEvent(family: WebhookFamily, result: FamilyValidationResult): CoreResponse {
  const why = result.ok ? "" : result.errors[0]?.message;
  return invalidBody(
    family.discriminant === undefined
      ? `cannot tell which ${family.name} event this is${why ? `: ${why}` : ""}`
      : `missing or non-string "${family.discriminant}"`,
  );
}

/** Validates and names one event and builds its context; a response when it is refused (400). */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: over the limit of 40 when the limit was set (issue 21); split it when it is next changed
export function prepareEvent(
  settings: CoreSettings,
  state: RouteState,
  event: Record<string, unknown>,
  request: CoreRequest,
  fromQuery: boolean,
  index?: number,
): PreparedEvent | CoreResponse {
  const family = state.family;
  let result = family.validate(event, settings.validateOptions);
  const type = eventTypeOf(family, result, event);
  if (type === undefined || type.length === 0) return unnamedEvent(family, result);
  let info = state.events.get(type);
  if (!result.ok && result.unknownType === true) info = undefined;
  let issues: readonly ValidationIssue[] | undefined;
  let report: InvalidEventReport | undefined;
  let value: unknown = event;
  const renamedFrom = result.renamedFrom;
  if (info !== undefined) {
    if (!result.ok && fromQuery) {
      const coerced = coerceQueryValues(event, result.errors);
      if (coerced !== undefined) {
        const retry = family.validate(coerced, settings.validateOptions);
        if (retry.ok || retry.errors.length < result.errors.length) {
          value = coerced;
          result = retry;
        }
      }
    }
    if (result.ok) {
      value = result.value ?? value;
      // A renamed event is valid under its current name, and reported once as drift: the old name still arrives.
      if (renamedFrom !== undefined) issues = [renameIssue(family, renamedFrom, type, info.method)];
    } else if (settings.strict) {
      return invalidEvent(family.name, type, result.errors);
    } else {
      issues = renamedFrom === undefined ? result.errors : [renameIssue(family, renamedFrom, type, info.method), ...result.errors];
    }
    // A renamed event that also failed its schema: the hook and (drift) the handler still get the current name.
    if (!result.ok && renamedFrom !== undefined && family.discriminant !== undefined) value = { ...(value as Record<string, unknown>), [family.discriminant]: type };
    if (issues !== undefined) {
      const severity = result.ok || result.severity === "drift" ? "drift" : "invalid";
      report = { family: family.name, eventType: type, errors: issues, severity, dispatched: severity === "drift", ...(index === undefined ? {} : { index }), ...(renamedFrom === undefined ? {} : { renamedFrom }) };
    }
  }
  const context = new WebhookContext(family.name, type, state.path, issues, request, settings.logger, renamedFrom ?? type);
  const handler = info === undefined ? undefined : handlerOf(state.handlers, info);
  if (report?.dispatched) {
    try {
      settings.onInvalidEvent(report, value, context); // drift: told, then dispatched
    } catch (error) {
      settings.reportError(error, { family: family.name, eventType: type, kind: "hook" });
    }
  }
  return { event: value, info, handler, context, report };
}

/** Calls the handler (or the fallback; `onInvalidEvent` for an invalid event) for one prepared event; returns its raw result. */
export function invokeHandler(settings: CoreSettings, state: RouteState, prepared: PreparedEvent): unknown {
  const { event, info, handler, context, report } = prepared;
  if (report !== undefined && !report.dispatched) return settings.onInvalidEvent(report, event, context);
  if (typeof handler === "function") return (handler as (e: unknown, c: HandlerContext) => unknown).call(state.handlers, event, context);
  return settings.onUnknownEvent(event, { family: state.family.name, eventType: context.eventType, known: info !== undefined }, context);
}

/** The `onError` kind of a handler failure: `hook` when the fallback (no handler, or an invalid event's hook) failed. */
export function failureKind(prepared: PreparedEvent): "handler" | "hook" {
  return prepared.handler === undefined || (prepared.report !== undefined && !prepared.report.dispatched) ? "hook" : "handler";
}
