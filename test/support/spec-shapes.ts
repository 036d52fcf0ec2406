// Builds payloads from the callback models of Bandwidth's spec (bandwidth.yml): every property the model
// declares, filled with the spec's own `example` values (or a value of the declared type where it gives
// none). This is "every shape in the spec" as a concrete payload, for strict-mode acceptance tests.
import type { JsonSchema } from "./drift.js";

/** Resolve local `#/components/...` refs until a node without `$ref` is reached. */
export function derefSpec(doc: JsonSchema, node: JsonSchema): JsonSchema {
  let current = node;
  for (let hops = 0; current && typeof current.$ref === "string"; hops++) {
    if (hops > 50) throw new Error(`spec $ref loop at ${current.$ref}`);
    current = current.$ref
      .slice(2)
      .split("/")
      .reduce((n: any, k: string) => n?.[k], doc);
  }
  return current;
}

/** All properties of a model, `allOf` branches merged (later branches win), refs resolved one level. */
export function specProperties(doc: JsonSchema, model: JsonSchema): Record<string, JsonSchema> {
  const node = derefSpec(doc, model);
  const out: Record<string, JsonSchema> = {};
  for (const branch of node.allOf ?? []) Object.assign(out, specProperties(doc, branch));
  Object.assign(out, node.properties ?? {});
  return out;
}

/** `required` of a model, `allOf` branches merged. */
export function specRequired(doc: JsonSchema, model: JsonSchema): string[] {
  const node = derefSpec(doc, model);
  return [...(node.allOf ?? []).flatMap((b: JsonSchema) => specRequired(doc, b)), ...(node.required ?? [])];
}

/**
 * A value for a spec schema node: its `example` (own, else its ref target's), else one built from its type.
 *
 * @example
 * sampleFromSpec(doc, doc.components.schemas.answerCallback); // { eventType: "bridgeComplete", ... }
 */
export function sampleFromSpec(doc: JsonSchema, node: JsonSchema, depth = 0): unknown {
  if (depth > 12) return undefined;
  if (node.example !== undefined) return node.example;
  const resolved = derefSpec(doc, node);
  if (resolved.example !== undefined) return resolved.example;
  if (Array.isArray(resolved.enum)) return resolved.enum.find((v: unknown) => v !== null);
  const branch = resolved.oneOf?.[0] ?? resolved.anyOf?.[0];
  if (branch) return sampleFromSpec(doc, branch, depth + 1);
  const props = specProperties(doc, resolved);
  if (resolved.type === "object" || Object.keys(props).length > 0 || resolved.allOf) {
    const out: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(props)) {
      const value = sampleFromSpec(doc, schema, depth + 1);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }
  if (resolved.type === "array") return [sampleFromSpec(doc, resolved.items ?? {}, depth + 1)].filter((v) => v !== undefined);
  if (resolved.type === "integer" || resolved.type === "number") return resolved.minimum ?? 1;
  if (resolved.type === "boolean") return true;
  if (resolved.type === "string") return "x";
  return undefined;
}
