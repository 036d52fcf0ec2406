// Validation results and person-readable error messages, shared by every generated validator.
// ajv reports errors in its own terms (keywords, schema paths); this turns them into
// `{ path, message }` pairs where `path` is a JSON pointer into the payload and the message
// says what was expected and what arrived.

/** One problem found in a payload: where (JSON pointer) and what is wrong. */
export interface ValidationIssue {
  /** JSON pointer to the offending value, e.g. `/machineDetectionResult/value`; `""` is the whole payload. */
  path: string;
  /** What is wrong, in words a person understands. */
  message: string;
}

/**
 * Outcome of validating a payload: the typed value, or the list of problems. `renamedFrom` is set when
 * the event arrived under an earlier name of its type (a rename in the family's table): `type` is the
 * current name, and `value` is a copy of the payload carrying it, validated by the current schema.
 */
export type ValidationResult<T> =
  | { ok: true; type: string; value: T; renamedFrom?: string }
  | { ok: false; type?: string; errors: ValidationIssue[]; unknownType?: boolean; severity?: IssueSeverity; renamedFrom?: string };

/**
 * How bad a failed validation is (see {@link errorSeverity}): `drift` when every failure is one of
 * value (a new enum value, a pattern, a length or range, an unknown property) while the types the
 * generated interfaces promise still hold; `invalid` when a field the types promise is missing or
 * has the wrong type.
 */
export type IssueSeverity = "drift" | "invalid";

/** Options accepted by every generated validator. */
export interface ValidateOptions {
  /** Reject properties that are not in the schema (drift detection, tests). Default false: Bandwidth adds fields over time. */
  strict?: boolean;
}

/** The shape of an ajv error object, as much of it as the formatter reads. */
export interface AjvErrorLike {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

/** A precompiled (standalone) ajv validation function. */
export interface CompiledValidator {
  (data: unknown): boolean;
  errors?: AjvErrorLike[] | null;
}

/** Escape one JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, "~0").replace(/\//g, "~1");
}

function lookup(root: unknown, pointer: string): unknown {
  if (pointer === "") return root;
  let node: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Describe a received value briefly (type and a truncated rendering), for error messages. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    const shown = value.length > 40 ? `${value.slice(0, 37)}...` : value;
    return `the string ${JSON.stringify(shown)}`;
  }
  return `${typeof value} ${String(value)}`;
}

const typeNames: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "a boolean (true or false)",
  object: "an object",
  array: "an array",
  null: "null",
};

/** Pattern → what it means in words (from the schemas' `x-bw-hint`), for friendlier messages. */
export type PatternHints = Readonly<Record<string, string>>;

function messageFor(error: AjvErrorLike, data: unknown, hints?: PatternHints): string {
  const got = describeValue(lookup(data, error.instancePath));
  const p = error.params;
  switch (error.keyword) {
    case "required":
      return `is required but missing`;
    case "type": {
      const types = String(p.type).split(",").map((t) => typeNames[t] ?? t);
      return `must be ${types.join(" or ")}, got ${got}`;
    }
    case "const":
      return `must be ${JSON.stringify(p.allowedValue)}, got ${got}`;
    case "enum":
      return `must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}; got ${got}`;
    case "pattern": {
      const hint = hints?.[String(p.pattern)];
      return hint ? `must be ${hint}; got ${got}` : `is not in the expected format (pattern ${String(p.pattern)}); got ${got}`;
    }
    case "additionalProperties":
      return `is not a property this schema knows (strict mode rejects unknown properties)`;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
    case "minLength":
    case "maxLength":
    case "minItems":
    case "maxItems":
      return `${error.message ?? "is out of range"}; got ${got}`;
    default:
      return `${error.message ?? `fails the ${error.keyword} rule`}; got ${got}`;
  }
}

/** Keywords that constrain a value without changing its type: failing one is drift. */
const VALUE_KEYWORDS = new Set([
  "enum",
  "const",
  "pattern",
  "format",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "additionalProperties",
]);

function jsonType(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

/** Whether one ajv error leaves the value's type intact (an enum/const miss only with a value of an allowed type). */
function isValueError(error: AjvErrorLike, data: unknown): boolean {
  if (!VALUE_KEYWORDS.has(error.keyword)) return false;
  if (error.keyword !== "enum" && error.keyword !== "const") return true;
  const allowed = error.keyword === "enum" ? (error.params.allowedValues as unknown[]) : [error.params.allowedValue];
  const type = jsonType(lookup(data, error.instancePath));
  return Array.isArray(allowed) && allowed.some((value) => jsonType(value) === type);
}

function within(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * Which properties each object of an event requires, as the generated strict-mode shapes carry it (`k`
 * the known properties, `i` array items, `r` the required ones); structurally the `Shape` of strict-shape.ts.
 */
export type RequiredShape = 0 | { readonly k?: Readonly<Record<string, RequiredShape>>; readonly i?: RequiredShape; readonly r?: readonly string[] };

/**
 * Whether the value at `pointer` is `null` in a property its object does not require (an optional field
 * sent as null: Bandwidth's specs have declared many fields nullable over the years, and a null there
 * never stops an event). Array items and required properties are not optional fields.
 */
export function isNullInOptionalField(data: unknown, pointer: string, shape: RequiredShape): boolean {
  if (pointer === "" || lookup(data, pointer) !== null) return false;
  const segments = pointer.slice(1).split("/").map((raw) => raw.replace(/~1/g, "/").replace(/~0/g, "~"));
  let node: unknown = data;
  let at: RequiredShape = shape;
  for (let i = 0; i < segments.length - 1; i++) {
    if (node === null || typeof node !== "object") return false;
    if (at !== 0) at = Array.isArray(node) ? (at.i ?? 0) : Object.hasOwn(at.k ?? {}, segments[i]) ? at.k![segments[i]] : 0;
    node = (node as Record<string, unknown>)[segments[i]];
  }
  if (node === null || typeof node !== "object" || Array.isArray(node)) return false;
  return at === 0 || at.r === undefined || !at.r.includes(segments[segments.length - 1]);
}

/**
 * Classifies a failed validation: `drift` (tolerated: the types still hold) or `invalid`. `required`,
 * `type` and every structural keyword are invalid; value keywords ({@link VALUE_KEYWORDS}) are drift.
 * An alternative (`anyOf`/`oneOf`) is drift when one of its branches failed only on a value, i.e. the
 * value had a type some branch accepts; its branch errors are the run just before it, at or under its
 * path (ajv reports them first). `if` errors are decided by their `then` errors. With the event's
 * `shape`, every error about a `null` in an optional property is drift ({@link isNullInOptionalField}):
 * the handler gets the event and reads the field as it would read an absent one.
 */
export function errorSeverity(errors: readonly AjvErrorLike[], data: unknown, shape?: RequiredShape): IssueSeverity {
  const decided = new Array<boolean>(errors.length).fill(false);
  // Errors about a null in an optional property: drift, also as a branch error of an alternative.
  const nulls = shape === undefined ? undefined : errors.map((e) => isNullInOptionalField(data, e.instancePath, shape));
  if (nulls !== undefined) for (let i = 0; i < errors.length; i++) decided[i] = nulls[i];
  for (let i = 0; i < errors.length; i++) {
    if (decided[i]) continue;
    const alternative = errors[i];
    if (alternative.keyword !== "anyOf" && alternative.keyword !== "oneOf") continue;
    decided[i] = true;
    let drift = false;
    for (let j = i - 1; j >= 0 && within(errors[j].instancePath, alternative.instancePath); j--) {
      if (nulls?.[j] === true) drift = true;
      if (decided[j]) continue;
      decided[j] = true;
      if (isValueError(errors[j], data)) drift = true;
    }
    if (!drift) return "invalid";
  }
  for (let i = 0; i < errors.length; i++) {
    if (decided[i] || errors[i].keyword === "if") continue;
    if (!isValueError(errors[i], data)) return "invalid";
  }
  return "drift";
}

/**
 * Turn ajv errors into person-readable issues with JSON pointers.
 * Alternatives (`anyOf`/`oneOf`) are folded into one issue per location.
 *
 * @example
 * if (!compiled(payload)) return formatAjvErrors(compiled.errors ?? [], payload);
 */
export function formatAjvErrors(errors: readonly AjvErrorLike[], data: unknown, hints?: PatternHints): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  // Locations where an anyOf/oneOf failed: the branch errors under them are folded into one message.
  const alternatives = new Map<string, string[]>();
  for (const e of errors) {
    if (e.keyword === "anyOf" || e.keyword === "oneOf") alternatives.set(e.schemaPath.replace(/\/(anyOf|oneOf)$/, ""), []);
  }
  for (const e of errors) {
    if (e.keyword === "anyOf" || e.keyword === "oneOf") continue;
    const parent = [...alternatives.keys()].find((prefix) => e.schemaPath.startsWith(`${prefix}/anyOf/`) || e.schemaPath.startsWith(`${prefix}/oneOf/`));
    if (parent !== undefined) {
      alternatives.get(parent)!.push(messageFor(e, data, hints).replace(/[;,] got .*$/, ""));
      continue;
    }
    push(e.keyword === "required" ? `${e.instancePath}/${pointerSegment(String(e.params.missingProperty))}` : e.keyword === "additionalProperties" ? `${e.instancePath}/${pointerSegment(String(e.params.additionalProperty))}` : e.instancePath, messageFor(e, data, hints));
  }
  for (const e of errors) {
    if (e.keyword !== "anyOf" && e.keyword !== "oneOf") continue;
    const branches = [...new Set(alternatives.get(e.schemaPath.replace(/\/(anyOf|oneOf)$/, "")) ?? [])];
    push(e.instancePath, `${branches.length ? branches.join(", or ") : "matches none of the accepted forms"}; got ${describeValue(lookup(data, e.instancePath))}`);
  }
  return issues;

  function push(path: string, message: string): void {
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push({ path, message });
  }
}
