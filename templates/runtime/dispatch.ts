// Picks the precompiled validator for a payload by its discriminant (`eventType`, `type`, ...)
// instead of trying every schema in a `oneOf`: one property read and one map lookup, then a
// single compiled check. Unknown event types are a distinct, clearly worded failure so the
// handler runtime can route them to a fallback instead of rejecting them. Families without one
// discriminant (TFV, BRTC endpoint, numbers) name the event with ordered selection rules instead, and
// JSON-array bodies (messaging) are checked element by element by createBatchValidator.
import { unknownProperties, type Shape } from "./strict-shape.js";
import { errorSeverity, formatAjvErrors, describeValue, type CompiledValidator, type PatternHints, type ValidateOptions, type ValidationIssue, type ValidationResult } from "./validation.js";
import type { EventSelectRule } from "./contract.js";

export type { EventSelectRule };

/** Everything a family validator needs, emitted by the generator per family. */
export interface FamilyValidatorSpec {
  /** Family name used in messages, e.g. `voice`. */
  family: string;
  /** Property holding the event type, e.g. `eventType` (for `select` families: the property named in messages). */
  discriminant: string;
  /** Structural selection instead of one discriminant property (see {@link EventSelectRule}). */
  select?: readonly EventSelectRule[];
  /** Lenient (open) validator per discriminant value, aliases included. */
  lenient: Record<string, CompiledValidator>;
  /** Known properties per discriminant value: strict mode reports every other property. */
  shapes: Record<string, Shape>;
  /** Words for the schemas' patterns, used in error messages. */
  hints?: PatternHints;
  /**
   * Earlier names of renamed events → the current name (generator/families.ts, `renames`). An event
   * arriving under an earlier name is validated, as a copy carrying the current name, by the current
   * schema; the result names the current type and says `renamedFrom`.
   */
  renames?: Readonly<Record<string, string>>;
}

/** A validator for one family of events: `(input, options) => ValidationResult`. */
export type FamilyValidator<T> = (input: unknown, options?: ValidateOptions) => ValidationResult<T>;


/**
 * Build a validator that dispatches on the family's discriminant.
 *
 * @example
 * const validateVoiceCallback = createFamilyValidator<VoiceCallback>({ family: "voice", discriminant: "eventType", lenient, shapes });
 * const result = validateVoiceCallback(JSON.parse(body));
 * if (result.ok) console.log(result.type, result.value.callId);
 */
export function createFamilyValidator<T>(spec: FamilyValidatorSpec): FamilyValidator<T> {
  const known = Object.keys(spec.lenient).sort();
  const rules: readonly EventSelectRule[] = spec.select ?? [{ property: spec.discriminant }];
  const named = rules.filter((r) => r.property !== undefined && r.event === undefined).map((r) => `"${r.property}"`);
  // Shared by every call, so frozen.
  const fallback: ValidationResult<T> = Object.freeze({
    ok: false as const,
    errors: Object.freeze([
      Object.freeze({
        path: `/${spec.discriminant}`,
        message:
          named.length > 0
            ? `is required: every ${spec.family} callback names its event in ${named.join(" or ")}`
            : `cannot tell which ${spec.family} event this is (expected one of: ${rules.map((r) => r.property).join(", ")})`,
      }),
    ]) as ValidationIssue[],
  });
  const single = spec.select === undefined ? spec.discriminant : undefined;
  /** The event name, or the failure to report (no allocation on the common path). */
  function select(input: Record<string, unknown>): string | ValidationResult<T> {
    if (single !== undefined) {
      // One discriminant property (voice, messaging, …): one read.
      const value = input[single];
      if (typeof value === "string") return value;
      if (value === undefined) return fallback;
      return { ok: false, errors: [{ path: `/${single}`, message: `must be a string naming the ${spec.family} event; got ${describeValue(value)}` }] };
    }
    for (const rule of rules) {
      if (rule.property === undefined) return rule.event;
      const value = input[rule.property];
      if (value === undefined) continue;
      if (rule.event !== undefined) {
        if (value === null) continue; // a presence rule: an explicit null counts as absent
        return rule.event;
      }
      if (typeof value === "string") return value;
      return { ok: false, errors: [{ path: `/${rule.property}`, message: `must be a string naming the ${spec.family} event; got ${describeValue(value)}` }] };
    }
    return fallback;
  }
  /** Where the event name was read (for the unknown-type message; rare, so recomputed). */
  function selectedPath(input: Record<string, unknown>): string {
    for (const rule of rules) {
      if (rule.property === undefined) return "";
      const value = input[rule.property];
      if (value === undefined || (value === null && rule.event !== undefined)) continue;
      return rule.event === undefined ? `/${rule.property}` : "";
    }
    return "";
  }
  // A prototype-less copy: a lookup needs no hasOwnProperty call and "__proto__" or "constructor" find nothing.
  const lenient: Record<string, CompiledValidator | undefined> = Object.assign(Object.create(null) as Record<string, CompiledValidator>, spec.lenient);
  const renames: Record<string, string | undefined> = Object.assign(Object.create(null) as Record<string, string>, spec.renames);
  /** An event under an earlier name: a copy carrying the current name, validated by the current schema. */
  function validateRenamed(input: Record<string, unknown>, received: string, current: string, options?: ValidateOptions): ValidationResult<T> {
    const copy: Record<string, unknown> = { ...input };
    copy[selectedPath(input).slice(1)] = current;
    const result = validate(copy, options);
    return { ...result, renamedFrom: received };
  }
  return validate;
  function validate(input: unknown, options?: ValidateOptions): ValidationResult<T> {
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return { ok: false, errors: [{ path: "", message: `a ${spec.family} callback must be a JSON object; got ${describeValue(input)}` }] };
    }
    // The common case (one discriminant holding a string) is read inline; everything else goes through select().
    const read = single === undefined ? undefined : (input as Record<string, unknown>)[single];
    const type = typeof read === "string" ? read : select(input as Record<string, unknown>);
    if (typeof type !== "string") return type;
    const check = lenient[type];
    if (check === undefined) {
      const current = renames[type];
      // Only a name read from a property can be renamed (the copy carries the current name there).
      if (current !== undefined && lenient[current] !== undefined && selectedPath(input as Record<string, unknown>) !== "") {
        return validateRenamed(input as Record<string, unknown>, type, current, options);
      }
      return {
        ok: false,
        type,
        unknownType: true,
        errors: [{ path: selectedPath(input as Record<string, unknown>), message: `unknown ${spec.family} event type ${JSON.stringify(type)}; known types: ${known.join(", ")}` }],
      };
    }
    const valid = check(input);
    if (options?.strict === true) {
      const unknown = unknownProperties(input, spec.shapes[type]);
      if (!valid || unknown.length > 0) {
        const errors = [...(valid ? [] : formatAjvErrors(check.errors ?? [], input, spec.hints)), ...unknown];
        return { ok: false, type, errors, severity: valid ? "drift" : errorSeverity(check.errors ?? [], input, spec.shapes[type]) };
      }
    }
    if (valid) return { ok: true, type, value: input as T };
    const raw = check.errors ?? [];
    return { ok: false, type, errors: formatAjvErrors(raw, input, spec.hints), severity: errorSeverity(raw, input, spec.shapes[type]) };
  }
}

/** Options of {@link createBatchValidator}. */
export interface BatchValidatorSpec<T> {
  /** Family name used in messages, e.g. `messaging`. */
  family: string;
  /** Validator of one element of the batch. */
  element: FamilyValidator<T>;
}

/**
 * Build the validator of a request body that is a JSON array of events (messaging): checks the array,
 * validates every element with the element validator, and reports element errors under `/<index>`.
 * `type` is the element types, in order of first appearance, joined with `,`.
 *
 * @example
 * const validateMessagingCallback = createBatchValidator({ family: "messaging", element: validateMessagingEvent });
 * const result = validateMessagingCallback(JSON.parse(body)); // result.value: MessagingCallback[]
 */
export function createBatchValidator<T>(spec: BatchValidatorSpec<T>): FamilyValidator<T[]> {
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: over the limit of 40 when the limit was set (issue 21); split it when it is next changed
  return function validateBatch(input: unknown, options?: ValidateOptions): ValidationResult<T[]> {
    if (!Array.isArray(input)) {
      const lone = input !== null && typeof input === "object";
      return {
        ok: false,
        errors: [
          {
            path: "",
            message: lone
              ? `a ${spec.family} callback body is a JSON array of events; got a single object (Bandwidth's OpenAPI spec shows one element on its own: wrap it in [ ])`
              : `a ${spec.family} callback body must be a JSON array of events; got ${describeValue(input)}`,
          },
        ],
      };
    }
    if (input.length === 0) return { ok: false, errors: [{ path: "", message: `an empty array: Bandwidth sends at least one ${spec.family} event per request` }] };
    // Distinct element types in order, comma-joined; built by concatenation (cheap) because this runs per request.
    let first: string | undefined;
    let others: string[] | undefined;
    let type: string | undefined;
    let errors: ValidationIssue[] | undefined;
    let unknownType = false;
    let severity: "drift" | "invalid" = "drift";
    let values: unknown[] | undefined;
    for (let i = 0; i < input.length; i++) {
      const result = spec.element(input[i], options);
      const t = result.type;
      if (t !== undefined && t !== first) {
        if (first === undefined) type = first = t;
        else if (others === undefined) {
          others = [t];
          type = `${type},${t}`;
        } else if (!others.includes(t)) {
          others.push(t);
          type = `${type},${t}`;
        }
      }
      if (result.ok) {
        // A renamed event's value is a copy carrying the current name: the batch's value holds the copies.
        if (result.value !== input[i]) (values ??= input.slice())[i] = result.value;
        continue;
      }
      if (result.unknownType === true) unknownType = true;
      if (result.severity !== "drift") severity = "invalid";
      errors ??= [];
      for (const issue of result.errors) errors.push({ path: `/${i}${issue.path}`, message: issue.message });
    }
    if (errors === undefined) return { ok: true, type: type!, value: (values ?? input) as T[] };
    return unknownType ? { ok: false, type, errors, unknownType, severity } : { ok: false, type, errors, severity };
  };
}
