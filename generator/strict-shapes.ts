// Derives, from a schema, the compact "shape" strict mode checks payloads against: which properties
// each object lists (following $refs and merging anyOf/oneOf/allOf/then/else branches), whether it takes
// others too (an explicit additionalProperties), the shape of array items, and which properties are
// required (the lenient policy: a null in an optional property is drift, in a required one invalid).
import { resolvePointer, resolveRef, type Catalog, type JsonSchema } from "./catalog.js";

export type Shape = 0 | { k?: Record<string, Shape>; open?: 1; i?: Shape; r?: string[] };

function merge(a: Shape, b: Shape): Shape {
  if (a === 0) return b;
  if (b === 0) return a;
  const out: { k?: Record<string, Shape>; open?: 1; i?: Shape; r?: string[] } = {};
  if (a.k || b.k) {
    out.k = { ...(a.k ?? {}) };
    for (const [key, shape] of Object.entries(b.k ?? {})) out.k[key] = key in out.k ? merge(out.k[key], shape) : shape;
  }
  if (a.open || b.open) out.open = 1;
  if (a.i !== undefined || b.i !== undefined) out.i = merge(a.i ?? 0, b.i ?? 0);
  // Required anywhere (a branch, a `then`) counts as required: a null there stays invalid (conservative).
  if (a.r || b.r) out.r = [...new Set([...(a.r ?? []), ...(b.r ?? [])])].sort();
  return out;
}

/**
 * The shape of the schema at `node` (inside the schema whose `$id` is `baseId`).
 *
 * @example
 * shapeOf(catalog, entry.id, entry.schema) // { k: { eventType: 0, diversion: { k: { origTo: 0 }, open: 1 }, ... } }
 */
export function shapeOf(catalog: Catalog, baseId: string, node: JsonSchema | boolean | undefined, seen: Set<JsonSchema> = new Set()): Shape {
  if (!node || typeof node !== "object" || seen.has(node)) return 0;
  seen.add(node);
  let shape: Shape = 0;
  if (typeof node.$ref === "string") {
    const target = resolveRef(baseId, node.$ref);
    shape = merge(shape, shapeOf(catalog, target.id, resolvePointer(catalog.schemas.get(target.id), target.pointer) as JsonSchema, seen));
  }
  if (node.properties && typeof node.properties === "object") {
    const k: Record<string, Shape> = {};
    for (const [key, value] of Object.entries<JsonSchema>(node.properties)) k[key] = shapeOf(catalog, baseId, value, seen);
    const own: { k: Record<string, Shape>; open?: 1 } = { k };
    // Strict mode closes objects that list properties and say nothing else (CONTRIBUTING, rule 1).
    if (("additionalProperties" in node && node.additionalProperties !== false) || "patternProperties" in node || "unevaluatedProperties" in node) own.open = 1;
    shape = merge(shape, own);
  } else if (node.type === "object" || node.additionalProperties !== undefined) {
    if (node.additionalProperties !== false) shape = merge(shape, { k: {}, open: 1 });
  }
  if (node.items && typeof node.items === "object") shape = merge(shape, { i: shapeOf(catalog, baseId, node.items, seen) });
  if (Array.isArray(node.required) && node.required.length > 0) shape = merge(shape, { r: [...node.required].sort() });
  for (const keyword of ["anyOf", "oneOf", "allOf"]) {
    for (const branch of (node[keyword] as JsonSchema[] | undefined) ?? []) shape = merge(shape, shapeOf(catalog, baseId, branch, seen));
  }
  for (const keyword of ["then", "else"]) shape = merge(shape, shapeOf(catalog, baseId, node[keyword], seen));
  seen.delete(node);
  return shape;
}
