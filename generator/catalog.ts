// Loads every schema under schemas/, checks the conventions of CONTRIBUTING.md, and returns one
// catalog (every schema by $id, every event with its metadata) that all emitters work from.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { families } from "./model/families.js";
import { resolvePointer, resolveRef, walkRefs } from "./schema-refs.js";
import { loadRequiredExceptions, requiredFieldFindings, requiredRuleProblems } from "./required-rule.js";
import type { JsonSchema } from "./schema-refs.js";

export { resolvePointer, resolveRef, walkRefs, type JsonSchema } from "./schema-refs.js";

/** Metadata of an event schema (`x-bw`). */
export interface EventMeta {
  family: string;
  event: string;
  response?: string;
  summary?: string;
  [key: string]: unknown;
}

export interface EventEntry {
  family: string;
  /** Discriminant value, e.g. `answer`. */
  event: string;
  /** TypeScript / component name, e.g. `AnswerCallback`. */
  title: string;
  id: string;
  /** Path relative to the schemas folder, with forward slashes. */
  file: string;
  schema: JsonSchema;
  meta: EventMeta;
}

export interface Catalog {
  schemasDir: string;
  /** Every schema file by `$id`, in a stable order. */
  schemas: Map<string, JsonSchema>;
  /** Path (relative, forward slashes) of each schema by `$id`. */
  files: Map<string, string>;
  /** Every event schema (has `x-bw.event`), sorted by family then event. */
  events: EventEntry[];
  /** Schemas with `x-bw` but of another kind (e.g. BXML elements: `x-bw.element`). */
  elements: { id: string; file: string; schema: JsonSchema }[];
}

export const ID_BASE = "https://bw-codegen.dev/schemas/";

/** Required fields kept although the required rule flags them, each with its reason. */
export const REQUIRED_EXCEPTIONS: string = fileURLToPath(new URL("required-exceptions.json", import.meta.url));

function listSchemaFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listSchemaFiles(full));
    else if (name.endsWith(".schema.json")) out.push(full);
  }
  return out;
}

/** Problems found while loading; loading fails with all of them listed at once. */
export class CatalogError extends Error {
  constructor(readonly problems: string[]) {
    super(`schema catalog has ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`);
  }
}

/**
 * Load and check every `*.schema.json` below `schemasDir`.
 *
 * @example
 * const catalog = loadCatalog("schemas");
 * console.log(catalog.events.map((e) => `${e.family}.${e.event}`));
 */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: over the limit of 40 when the limit was set (issue 21); split it when it is next changed
export function loadCatalog(schemasDir: string, familyNames: readonly string[] = families.map((f) => f.name)): Catalog {
  const problems: string[] = [];
  const schemas = new Map<string, JsonSchema>();
  const files = new Map<string, string>();
  const events: EventEntry[] = [];
  const elements: Catalog["elements"] = [];
  const titles = new Map<string, string>();

  for (const full of listSchemaFiles(schemasDir)) {
    const file = relative(schemasDir, full).split(sep).join("/");
    let schema: JsonSchema;
    try {
      schema = JSON.parse(readFileSync(full, "utf8"));
    } catch (err) {
      problems.push(`${file}: not valid JSON (${(err as Error).message})`);
      continue;
    }
    const expectedId = ID_BASE + file;
    if (schema.$schema !== "https://json-schema.org/draft/2020-12/schema") problems.push(`${file}: $schema must be the 2020-12 meta-schema`);
    if (schema.$id !== expectedId) problems.push(`${file}: $id must be ${expectedId}`);
    schemas.set(expectedId, schema);
    files.set(expectedId, file);
    if (typeof schema.title === "string") {
      const other = titles.get(schema.title);
      if (other) problems.push(`${file}: title ${schema.title} is already used by ${other}`);
      titles.set(schema.title, file);
    }
    const meta = schema["x-bw"] as EventMeta | undefined;
    if (!meta) continue;
    if (typeof meta.event !== "string") {
      elements.push({ id: expectedId, file, schema });
      continue;
    }
    const folder = file.split("/")[0];
    if (meta.family !== folder) problems.push(`${file}: x-bw.family must be "${folder}" (its folder)`);
    if (!familyNames.includes(meta.family)) problems.push(`${file}: family "${meta.family}" has no definition in generator/families/`);
    if (typeof schema.title !== "string" || !/^[A-Z][A-Za-z0-9]*$/.test(schema.title)) problems.push(`${file}: title must be a PascalCase type name`);
    if (typeof schema.description !== "string" || schema.description.length < 20) problems.push(`${file}: needs a description in our own words`);
    if (!Array.isArray(schema.examples) || schema.examples.length < 2) problems.push(`${file}: needs at least two examples (minimal and full)`);
    if (!Array.isArray(schema.required)) problems.push(`${file}: needs a required list`);
    if (JSON.stringify(schema).includes('"additionalProperties":false')) problems.push(`${file}: must not close objects with additionalProperties:false (strict mode is derived)`);
    events.push({ family: meta.family, event: meta.event, title: schema.title, id: expectedId, file, schema, meta });
  }

  // Validators are compiled with ajv's draft-07 engine (see emit/validators.ts): keywords whose meaning
  // exists only in 2019-09/2020-12 are refused, so the compiled code means what the schema says.
  for (const [id, schema] of schemas) {
    const found = new Set<string>();
    walkKeywords(schema, (key) => {
      if (DRAFT_2020_ONLY.has(key)) found.add(key);
    });
    for (const key of found) problems.push(`${files.get(id)}: keyword "${key}" is not supported by the compiled validators (use if/then, items, or explicit properties)`);
  }

  // Every relative $ref must resolve to a loaded schema (and, with a fragment, to a definition in it).
  for (const [id, schema] of schemas) {
    walkRefs(schema, (ref) => {
      const target = resolveRef(id, ref);
      const doc = schemas.get(target.id);
      if (!doc) problems.push(`${files.get(id)}: $ref ${ref} points to no loaded schema`);
      else if (target.pointer && resolvePointer(doc, target.pointer) === undefined) problems.push(`${files.get(id)}: $ref ${ref} points to nothing inside ${files.get(target.id)}`);
    });
  }
  // CONTRIBUTING.md rule 3: nothing required that Bandwidth may leave out (nullable, or described as conditional).
  problems.push(...requiredRuleProblems(requiredFieldFindings(schemas, files), loadRequiredExceptions(REQUIRED_EXCEPTIONS)));
  const seenEvents = new Map<string, string>();
  for (const e of events) {
    if ("aliases" in e.meta) problems.push(`${e.file}: x-bw.aliases is gone: other names of an event go in the family's \`renames\` (generator/families/<family>.ts)`);
    const key = `${e.family}/${e.event}`;
    if (seenEvents.has(key)) problems.push(`${e.file}: event ${key} is also declared by ${seenEvents.get(key)}`);
    seenEvents.set(key, e.file);
  }
  if (problems.length) throw new CatalogError(problems);
  const familyOrder = familyNames;
  events.sort((a, b) => familyOrder.indexOf(a.family) - familyOrder.indexOf(b.family) || (a.event < b.event ? -1 : a.event > b.event ? 1 : 0));
  return { schemasDir, schemas, files, events, elements };
}

const DRAFT_2020_ONLY = new Set(["prefixItems", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$recursiveAnchor", "unevaluatedProperties", "unevaluatedItems", "dependentRequired", "dependentSchemas", "minContains", "maxContains", "$anchor", "$vocabulary"]);

/** Call `visit` for every keyword (not property name) used inside a schema. */
function walkKeywords(node: unknown, visit: (key: string) => void, insideProperties = false): void {
  if (Array.isArray(node)) for (const n of node) walkKeywords(n, visit);
  else if (node && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) {
      if (!insideProperties) visit(k);
      if (insideProperties || (k !== "examples" && k !== "x-bw" && k !== "const" && k !== "enum" && k !== "default")) {
        walkKeywords(v, visit, !insideProperties && (k === "properties" || k === "$defs" || k === "patternProperties"));
      }
    }
  }
}
