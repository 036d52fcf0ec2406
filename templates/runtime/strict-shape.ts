// Strict mode without a second set of compiled validators: a payload that passes the (open)
// validator is walked against a compact "shape" of the properties its schema lists, and every
// property the schema does not know is reported. Strict mode serves tests and drift detection; keeping
// it out of the compiled code halves what every import of the validators has to load.
import { pointerSegment, type ValidationIssue } from "./validation.js";

/**
 * Which properties a schema knows, generated from the schemas: `k` the known properties of an object
 * (each with the shape of its value), `open: 1` when the object takes any other property too, `i` the
 * shape of array items, `r` the properties it requires (read by the lenient policy: a null in a property
 * not listed there is drift). `0` is a value with nothing to check (a string, a number, anything).
 */
export type Shape = 0 | { readonly k?: Readonly<Record<string, Shape>>; readonly open?: 1; readonly i?: Shape; readonly r?: readonly string[] };

const own = Object.prototype.hasOwnProperty;

/**
 * Report every property of `value` that its shape does not list.
 *
 * @example
 * unknownProperties({ callId: "c-1", extra: 1 }, { k: { callId: 0 } }) // [{ path: "/extra", message: "is not a property ..." }]
 */
export function unknownProperties(value: unknown, shape: Shape, path = "", out: ValidationIssue[] = []): ValidationIssue[] {
  if (shape === 0 || value === null || typeof value !== "object") return out;
  if (Array.isArray(value)) {
    if (shape.i !== undefined) for (let i = 0; i < value.length; i++) unknownProperties(value[i], shape.i, `${path}/${i}`, out);
    return out;
  }
  const known = shape.k;
  if (known === undefined) return out;
  for (const key of Object.keys(value)) {
    if (own.call(known, key)) unknownProperties((value as Record<string, unknown>)[key], known[key], `${path}/${pointerSegment(key)}`, out);
    else if (shape.open !== 1) out.push({ path: `${path}/${pointerSegment(key)}`, message: "is not a property this schema knows (strict mode rejects unknown properties)" });
  }
  return out;
}
