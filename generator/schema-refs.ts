// JSON Schema references: walking the `$ref`s of a schema, resolving one against the `$id` of the schema
// it appears in, and following a JSON pointer. Shared by the catalog and the rules that check it.

/** A JSON Schema document (or part of one), as parsed. */
export type JsonSchema = Record<string, any>;

/** Call `visit` for every `$ref` string inside a schema. */
export function walkRefs(node: unknown, visit: (ref: string) => void): void {
  if (Array.isArray(node)) for (const n of node) walkRefs(n, visit);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (k === "$ref" && typeof v === "string") visit(v);
      else if (k !== "examples" && k !== "x-bw") walkRefs(v, visit);
    }
  }
}

/** Resolve a `$ref` against the `$id` of the schema it appears in. */
export function resolveRef(baseId: string, ref: string): { id: string; pointer: string } {
  const url = new URL(ref, baseId);
  const pointer = decodeURIComponent(url.hash.replace(/^#/, ""));
  url.hash = "";
  return { id: url.href, pointer };
}

/** Follow a JSON pointer inside a document. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  if (!pointer) return doc;
  let node: any = doc;
  for (const raw of pointer.replace(/^\//, "").split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object") return undefined;
    node = node[key];
  }
  return node;
}
