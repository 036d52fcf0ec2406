// Emits generated/types.d.ts: one named interface per event and shared object (through
// json-schema-to-typescript), then per family the discriminated union, the event-type union and the
// event → interface map. Types are closed (no index signature) while validators stay open: unknown
// properties pass at run time but a typo in a property name is a compile error.
import { compile } from "json-schema-to-typescript";
import { Project } from "ts-morph";
import { resolvePointer, resolveRef, type Catalog, type JsonSchema } from "../catalog.js";
import type { Model } from "../model/build-model.js";
import type { GeneratedFile } from "../generated-file.js";

/** Key under the combined document's `$defs` for a schema (and optional pointer into it). */
function defKey(catalog: Catalog, id: string, pointer: string): string {
  const file = catalog.files.get(id)!;
  const base = file.replace(/\.schema\.json$/, "").split("/").map((part) => part.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? "").toUpperCase()));
  const own = catalog.schemas.get(id)!;
  if (!pointer) return typeof own.title === "string" ? own.title : base.map(cap).join("");
  const def = resolvePointer(own, pointer) as JsonSchema | undefined;
  return typeof def?.title === "string" ? def.title : cap(pointer.split("/").pop()!);
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Open enums (`anyOf: [{enum}, {type: string}]`) keep autocompletion: `"a" | "b" | (string & {})`. */
function openEnumType(node: any): string | undefined {
  if (!Array.isArray(node.anyOf) || node.anyOf.length !== 2) return undefined;
  const en = node.anyOf.find((b: any) => Array.isArray(b.enum));
  const str = node.anyOf.find((b: any) => b.type === "string" && Object.keys(b).length === 1);
  if (!en || !str || !en.enum.every((v: unknown) => typeof v === "string")) return undefined;
  return `${en.enum.map((v: string) => JSON.stringify(v)).join(" | ")} | (string & {})`;
}

/** Rewrite one schema for the combined document: refs become local, nested ids/meta go away. */
function localise(catalog: Catalog, baseId: string, node: any, insideProperties = false): any {
  if (Array.isArray(node)) return node.map((n) => localise(catalog, baseId, n));
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!insideProperties) {
      if (key === "$id" || key === "$schema" || key === "examples" || key === "$defs" || key.startsWith("x-")) continue;
      if (key === "$ref" && typeof value === "string") {
        const target = resolveRef(baseId, value);
        const def = resolvePointer(catalog.schemas.get(target.id), target.pointer) as JsonSchema;
        if (target.pointer && typeof def?.title !== "string") {
          // Untitled shared definitions are aliases of primitives: inline them (keeps their description).
          Object.assign(out, localise(catalog, target.id, def));
        } else {
          out.$ref = `#/$defs/${defKey(catalog, target.id, target.pointer)}`;
        }
        continue;
      }
    }
    out[key] = localise(catalog, baseId, value, !insideProperties && (key === "properties" || key === "patternProperties"));
  }
  if (!insideProperties) {
    if (typeof node.$ref === "string") {
      // A description written beside a $ref is about this use of the definition: it wins over the
      // definition's own for inlined aliases; beside a named type, json-schema-to-typescript would
      // rewrite the shared type's doc with it, so it is dropped here and re-attached by attachRefDocs.
      if (typeof node.description === "string" && out.$ref === undefined) out.description = node.description;
      else if (out.$ref !== undefined) delete out.description;
    }
    const open = openEnumType(node);
    if (open) out.tsType = open;
  }
  return out;
}

/** Give properties typed by a named shared type the description written beside their `$ref`. */
function attachRefDocs(catalog: Catalog, source: string): string {
  const project = new Project({ useInMemoryFileSystem: true });
  const file = project.createSourceFile("types.d.ts", source);
  for (const entry of catalog.events) {
    const iface = file.getInterface(entry.title);
    if (!iface) continue;
    for (const [name, prop] of Object.entries<any>(entry.schema.properties ?? {})) {
      if (typeof prop?.$ref !== "string" || typeof prop.description !== "string") continue;
      const target = resolveRef(entry.id, prop.$ref);
      const def = resolvePointer(catalog.schemas.get(target.id), target.pointer) as JsonSchema | undefined;
      if (typeof def?.title !== "string") continue; // inlined: json-schema-to-typescript kept it
      const member = iface.getProperty(name) ?? iface.getProperty(JSON.stringify(name));
      if (!member || member.getJsDocs().length) continue;
      member.addJsDoc({ description: prop.description });
    }
  }
  return file.getFullText();
}

/** Build one document holding every schema and shared definition under `$defs`. */
export function combinedSchema(catalog: Catalog): JsonSchema {
  const defs: Record<string, unknown> = {};
  for (const [id, schema] of catalog.schemas) {
    if (schema["x-bw"] && typeof schema["x-bw"].event === "string") defs[defKey(catalog, id, "")] = localise(catalog, id, schema);
    for (const [name, def] of Object.entries<any>(schema.$defs ?? {})) {
      if (typeof def.title !== "string") continue; // inlined where used
      const key = defKey(catalog, id, `/$defs/${name}`);
      if (defs[key]) throw new Error(`two schemas would both be named ${key} (${catalog.files.get(id)})`);
      defs[key] = localise(catalog, id, def);
    }
  }
  return { title: "BandwidthWebhookSchemas", type: "object", additionalProperties: false, properties: {}, $defs: defs };
}

export async function emitTypes(model: Model): Promise<GeneratedFile[]> {
  const catalog = model.catalog;
  const combined = combinedSchema(catalog);
  let body = await compile(combined as any, "BandwidthWebhookSchemas", {
    bannerComment: "",
    additionalProperties: false,
    unreachableDefinitions: true,
    declareExternallyReferenced: true,
    strictIndexSignatures: true,
    unknownAny: true,
    format: true,
    cwd: catalog.schemasDir,
    $refOptions: { resolve: { external: false } } as any,
  });
  // The synthetic root is only a container; json-schema-to-typescript's "referenced by" notes name it.
  body = body
    .replace(/export interface BandwidthWebhookSchemas \{\s*\}\n?/, "")
    .replace(/\n \*\n \* This interface was referenced by `BandwidthWebhookSchemas`'s JSON-Schema\n \* via the `definition` "[^"]+"\./g, "")
    .replace(/\/\*\*\n \* This interface was referenced by `BandwidthWebhookSchemas`'s JSON-Schema\n \* via the `definition` "[^"]+"\.\n \*\/\n/g, "");
  body = attachRefDocs(catalog, body);
  const lines: string[] = [body.trimEnd(), ""];
  for (const family of model.families) {
    const events = family.events;
    if (!events.length) continue;
    const noun = family.transport === "websocket" ? "message" : "callback";
    lines.push(`/** Every ${family.name} ${noun}. ${family.description} */`);
    lines.push(`export type ${family.union} =\n${events.map((e) => `  | ${e.title}`).join("\n")};`, "");
    // Socket families with messages both ways: what your server receives, and what it may send.
    const socket = family.socket;
    if (socket?.receiveUnion !== undefined && family.received.length > 0) {
      lines.push(`/** The ${family.name} messages your server receives from Bandwidth. */`);
      lines.push(`export type ${socket.receiveUnion} =\n${family.received.map((e) => `  | ${e.title}`).join("\n")};`, "");
    }
    if (socket?.sendUnion !== undefined && family.sent.length > 0) {
      lines.push(`/** The ${family.name} messages your server may send to Bandwidth. */`);
      lines.push(`export type ${socket.sendUnion} =\n${family.sent.map((e) => `  | ${e.title}`).join("\n")};`, "");
    }
    if (family.discriminant) {
      lines.push(`/** The \`${family.discriminant}\` values of ${family.name} ${noun}s. */`);
      lines.push(`export type ${family.eventTypeAlias} = ${family.union}[${JSON.stringify(family.discriminant)}];`, "");
    } else {
      lines.push(`/** The event names of ${family.name} ${noun}s. */`);
      lines.push(`export type ${family.eventTypeAlias} = keyof ${family.map};`, "");
    }
    lines.push(`/** ${family.name} event name → payload interface. */`);
    lines.push(`export interface ${family.map} {\n${events.map((e) => `  ${JSON.stringify(e.event)}: ${e.title};`).join("\n")}\n}`, "");
  }
  return [{ path: "types.d.ts", contents: lines.join("\n"), source: "schemas/**/*.schema.json" }];
}
