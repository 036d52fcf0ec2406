// Picks the precompiled validator for a payload by its discriminant (`eventType`, `type`, ...)
// instead of trying every schema in a `oneOf`: one property read and one map lookup, then a
// single compiled check. Unknown event types are a distinct, clearly worded failure so the
// handler runtime can route them to a fallback instead of rejecting them.
import { formatAjvErrors, describeValue, type CompiledValidator, type PatternHints, type ValidateOptions, type ValidationResult } from "./validation.js";

/** Everything a family validator needs, emitted by the generator per family. */
export interface FamilyValidatorSpec {
  /** Family name used in messages, e.g. `voice`. */
  family: string;
  /** Property holding the event type, e.g. `eventType`. */
  discriminant: string;
  /** Lenient (open) validator per discriminant value, aliases included. */
  lenient: Record<string, CompiledValidator>;
  /** Strict validator per discriminant value (unknown properties rejected). */
  strict: Record<string, CompiledValidator>;
  /** Words for the schemas' patterns, used in error messages. */
  hints?: PatternHints;
}

/** A validator for one family of events: `(input, options) => ValidationResult`. */
export type FamilyValidator<T> = (input: unknown, options?: ValidateOptions) => ValidationResult<T>;

const own = Object.prototype.hasOwnProperty;

/**
 * Build a validator that dispatches on the family's discriminant.
 *
 * @example
 * const validateVoiceCallback = createFamilyValidator<VoiceCallback>({ family: "voice", discriminant: "eventType", lenient, strict });
 * const result = validateVoiceCallback(JSON.parse(body));
 * if (result.ok) console.log(result.type, result.value.callId);
 */
export function createFamilyValidator<T>(spec: FamilyValidatorSpec): FamilyValidator<T> {
  const known = Object.keys(spec.lenient).sort();
  const discriminantPath = `/${spec.discriminant}`;
  return function validate(input: unknown, options?: ValidateOptions): ValidationResult<T> {
    if (input === null || typeof input !== "object" || Array.isArray(input)) {
      return { ok: false, errors: [{ path: "", message: `a ${spec.family} callback must be a JSON object; got ${describeValue(input)}` }] };
    }
    const type = (input as Record<string, unknown>)[spec.discriminant];
    if (type === undefined) {
      return { ok: false, errors: [{ path: discriminantPath, message: `is required: every ${spec.family} callback names its event in "${spec.discriminant}"` }] };
    }
    if (typeof type !== "string") {
      return { ok: false, errors: [{ path: discriminantPath, message: `must be a string naming the ${spec.family} event; got ${describeValue(type)}` }] };
    }
    const table = options?.strict ? spec.strict : spec.lenient;
    const check = own.call(table, type) ? table[type] : undefined;
    if (check === undefined) {
      return {
        ok: false,
        type,
        unknownType: true,
        errors: [{ path: discriminantPath, message: `unknown ${spec.family} event type ${JSON.stringify(type)}; known types: ${known.join(", ")}` }],
      };
    }
    if (check(input)) return { ok: true, type, value: input as T };
    return { ok: false, type, errors: formatAjvErrors(check.errors ?? [], input, spec.hints) };
  };
}
