/**
 * Family answers that are JSON rather than BXML or XML: today the Emergency Calling API's location reply.
 * A reply is checked against its schema (a precompiled validator) before it is sent: Bandwidth treats a
 * malformed answer like no answer (the call goes to its emergency call centre), so an invalid reply is
 * better reported to `onError` (as a 500, which Bandwidth handles the same way) than sent silently.
 */

import { BandwidthError } from "../errors.js";
import type { FamilyReply } from "./core.js";
import { formatAjvErrors } from "../validation.js";
import type { CompiledValidator, PatternHints, ValidationIssue, ValidationResult } from "../validation.js";

/** A validator of one reply shape: the typed value, or `{ path, message }` errors. */
export type ReplyValidator<T> = (value: unknown) => ValidationResult<T>;

/**
 * Wraps a compiled reply schema as a validator.
 *
 * @example
 * const validateEmergencyCallingReply = createReplyValidator<EmergencyCallingReply>("EmergencyCallingReply", compiled.reply_calling_query);
 * validateEmergencyCallingReply({ aeui: "u-1", lat: 35.8 }); // { ok: false, errors: [{ path: "", message: "… lon …" }] }
 */
export function createReplyValidator<T>(type: string, compiled: CompiledValidator, hints?: PatternHints): ReplyValidator<T> {
  return (value: unknown): ValidationResult<T> => {
    if (compiled(value)) return { ok: true, type, value: value as T };
    return { ok: false, type, errors: formatAjvErrors(compiled.errors ?? [], value, hints) };
  };
}

/**
 * Raised (to `onError`) when a handler's reply does not match the reply schema; carries the issues.
 *
 * @example
 * onError: (error) => {
 *   if (error instanceof InvalidReplyError) console.error(error.issues); // [{ path: "/lat", message: "…" }]
 * },
 */
export class InvalidReplyError extends BandwidthError {
  readonly issues: readonly ValidationIssue[];
  constructor(kind: string, issues: readonly ValidationIssue[]) {
    super("BW_INVALID_REPLY", `the handler's ${kind} reply is invalid: ${issues.map((issue) => `${issue.path || "/"} ${issue.message}`).join("; ")}`);
    this.name = "InvalidReplyError";
    this.issues = issues;
  }
}

const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

/**
 * The `renderReply` of a family whose answers are JSON: `kind` (the event's response kind) picks the
 * validator; nothing returned means the plain acknowledgement.
 *
 * @example
 * const renderEmergencyReply = createJsonReplyRenderer({ json: validateEmergencyCallingReply });
 * renderEmergencyReply("json", { aeui: "u-1", location_id: "loc-9" }); // { contentType: "application/json; …", body: "{…}" }
 */
export function createJsonReplyRenderer(
  validators: Readonly<Record<string, ReplyValidator<unknown>>>,
): (kind: string, result: unknown) => FamilyReply | undefined {
  const table: Record<string, ReplyValidator<unknown> | undefined> = Object.assign(Object.create(null) as object, validators);
  return (kind: string, result: unknown): FamilyReply | undefined => {
    if (result === undefined || result === null) return undefined;
    const validate = table[kind];
    if (validate === undefined) throw new BandwidthError("BW_INVALID_REPLY", `no JSON reply is defined for response kind "${kind}"`);
    const verdict = validate(result);
    if (!verdict.ok) throw new InvalidReplyError(kind, verdict.errors);
    return { contentType: JSON_CONTENT_TYPE, body: JSON.stringify(result) };
  };
}
