/**
 * Reply rendering: turns a handler's result into the HTTP answer its event kind calls for (200 + BXML,
 * 204, the family's acknowledgement, or a family-specific XML/JSON reply), checking returned BXML in
 * development mode. A result that cannot be rendered is a 500 reported to `onError`.
 */

import { BandwidthError } from "../errors.js";
import type { PreparedEvent } from "./event.js";
import { EMPTY_BXML, INTERNAL_ERROR, ack, bxmlResponse } from "./responses.js";
import type { RouteState } from "./routes.js";
import type { CoreSettings } from "./settings.js";
import type { BxmlCheckResult, CoreResponse, EventResponseKind, FamilyReply } from "./types.js";
import type { ValidationIssue } from "../validation.js";

/**
 * Raised (to `onError`) when a handler's BXML fails validation in development mode.
 *
 * @example
 * onError: (error, info) => {
 *   if (error instanceof BxmlValidationError) console.error(`${info.eventType}: invalid BXML`, error.message);
 * },
 */
export class BxmlValidationError extends BandwidthError {
  readonly issues: readonly ValidationIssue[];
  constructor(eventType: string, issues: readonly ValidationIssue[]) {
    super(
      "BW_INVALID_BXML",
      `the BXML returned for ${JSON.stringify(eventType)} is invalid: ${issues
        .slice(0, 3)
        .map((issue) => `${issue.path || "/"} ${issue.message}`)
        .join("; ")}`,
    );
    this.name = "BxmlValidationError";
    this.issues = issues;
  }
}

/** Turns a handler's BXML result into text: a string, or an object with `toXml()` / its own `toString()`. */
function toXml(result: unknown): string {
  if (typeof result === "string") return result;
  if (typeof result === "object" && result !== null) {
    const candidate = result as { toXml?: unknown; toString?: unknown };
    if (typeof candidate.toXml === "function") {
      const xml: unknown = (candidate.toXml as () => unknown).call(result);
      if (typeof xml === "string") return xml;
    } else if (typeof candidate.toString === "function" && candidate.toString !== Object.prototype.toString) {
      const xml: unknown = (candidate.toString as () => unknown).call(result);
      if (typeof xml === "string") return xml;
    }
  }
  throw new BandwidthError("BW_INVALID_REPLY", "a BXML handler must return a BXML string or a BXML document (with toXml())");
}

/** Development-mode check of returned BXML; `false` (reported) when it is invalid. */
function bxmlIsValid(settings: CoreSettings, state: RouteState, prepared: PreparedEvent, xml: string): boolean {
  const scope = prepared.info?.scope;
  let verdict: BxmlCheckResult;
  try {
    // Conference and transferAnswer replies may only use some verbs: a document with any other is rejected whole.
    verdict = scope === undefined ? settings.bxmlValidator!(xml) : settings.bxmlValidator!(xml, { scope });
  } catch (error) {
    verdict = { ok: false, errors: [{ path: "", message: error instanceof Error ? error.message : String(error) }] };
  }
  if (verdict.ok) {
    if (settings.development && verdict.warnings !== undefined) warnBxml(settings, state, prepared, verdict.warnings);
    return true;
  }
  settings.reportError(new BxmlValidationError(prepared.context.eventType, verdict.errors ?? []), {
    family: state.family.name,
    eventType: prepared.context.eventType,
    kind: "bxml",
  });
  return false;
}

/**
 * Development mode: each warning about returned BXML (e.g. a bidirectional `<StartStream>` nothing keeps
 * alive), told once per event type and message.
 */
function warnBxml(settings: CoreSettings, state: RouteState, prepared: PreparedEvent, warnings: readonly ValidationIssue[]): void {
  const type = prepared.context.eventType;
  for (const warning of warnings.slice(0, 5)) {
    const text = `${warning.path || "/"}: ${warning.message}`;
    settings.log.once(
      "warn",
      `bxml-warning:${state.family.name}:${type}:${text.slice(0, 200)}`,
      `bw-codegen webhooks: the BXML returned for ${JSON.stringify(type)} (${state.family.name}) has a warning: ${text}. (Told once per event type, in development.)`,
    );
  }
}

/**
 * A family-specific answer: XML (the port-out validation response) or another media type (the
 * Emergency Calling API's JSON). A renderer that throws (e.g. a reply failing its schema) is a 500.
 */
function familyReply(settings: CoreSettings, state: RouteState, prepared: PreparedEvent, kind: string, result: unknown): CoreResponse {
  let reply: string | FamilyReply | undefined;
  try {
    const render = state.family.renderReply;
    reply = render !== undefined ? render.call(state.family, kind, result) : result === undefined || result === null ? undefined : toXml(result);
  } catch (error) {
    settings.reportError(error, { family: state.family.name, eventType: prepared.context.eventType, kind: "handler" });
    return INTERNAL_ERROR;
  }
  if (reply === undefined) return state.ack;
  if (typeof reply === "string") return bxmlResponse(reply);
  return { status: 200, headers: { "content-type": reply.contentType }, body: reply.body };
}

/** Whether a result looks like BXML (a string or a document with `toXml()`). */
function looksLikeBxml(result: unknown): boolean {
  return typeof result === "string" || (typeof result === "object" && result !== null && typeof (result as { toXml?: unknown }).toXml === "function");
}

/**
 * Development mode, once per event type: a user handler of a BXML event that returned nothing (the call
 * gets an empty `<Response>`: it ends), or of an event whose reply Bandwidth ignores that returned BXML.
 */
function warnSilentResult(settings: CoreSettings, state: RouteState, prepared: PreparedEvent, kind: EventResponseKind, result: unknown): void {
  if (!settings.development || typeof prepared.handler !== "function" || (prepared.report !== undefined && !prepared.report.dispatched)) return;
  const type = prepared.context.eventType;
  const where = `${state.family.name} ${JSON.stringify(type)} handler (${prepared.info?.method ?? type})`;
  if (kind === "bxml" && (result === undefined || result === null)) {
    settings.log.once(
      "warn",
      `no-bxml:${state.family.name}:${type}`,
      `bw-codegen webhooks: the ${where} returned nothing: Bandwidth gets an empty <Response> and ends the call. Return BXML (e.g. Response(...)). (Told once per event type, in development.)`,
    );
  } else if (kind === "empty" && looksLikeBxml(result)) {
    settings.log.once(
      "warn",
      `dropped-bxml:${state.family.name}:${type}`,
      `bw-codegen webhooks: the ${where} returned BXML, but Bandwidth ignores the reply to this event: it was dropped (answered ${state.ack.status}). Change the call from a BXML event or the REST API instead. (Told once per event type, in development.)`,
    );
  }
}

/** Turns a handler's result into the HTTP answer its event kind calls for. */
export function renderReply(settings: CoreSettings, state: RouteState, prepared: PreparedEvent, result: unknown): CoreResponse {
  const info = prepared.info;
  // Unknown events: BXML if the fallback returned some (voice), otherwise a plain ack.
  const kind: EventResponseKind = info === undefined ? (result === undefined || result === null ? "empty" : "bxml-or-empty") : info.response;
  if (settings.development) warnSilentResult(settings, state, prepared, kind, result);
  if (kind === "empty") return state.ack;
  const isBxml = kind === "bxml" || kind === "bxml-or-empty";
  if (!isBxml) return familyReply(settings, state, prepared, kind, result);
  if (result === undefined || result === null) {
    return kind === "bxml-or-empty" ? ack(204) : bxmlResponse(EMPTY_BXML);
  }
  let xml: string;
  try {
    xml = toXml(result);
  } catch (error) {
    settings.reportError(error, { family: state.family.name, eventType: prepared.context.eventType, kind: "bxml" });
    return INTERNAL_ERROR;
  }
  // a string reply never went through the builder: checked in production too
  const check = settings.validateBxml || (settings.validateBxmlStrings && typeof result === "string");
  if (check && !bxmlIsValid(settings, state, prepared, xml)) return INTERNAL_ERROR;
  return bxmlResponse(xml);
}
