// Drift between a copy of Bandwidth's OpenAPI spec (bandwidth.yml) and our hand-written schemas: the
// comparison shared by `bw-codegen drift --spec` (generator/cli/drift-spec.ts) and the drift tests.
// Rule checked: everything the spec describes must be accepted by ours — every spec property exists in ours
// (or is covered by our `additionalProperties` schema) with a compatible type, null where the spec declares
// it nullable, and every spec enum value is accepted by our schema for that property. Extra fields, stricter
// `required` lists and patterns in ours are not drift (`extras: true` lists them too, as `not-in-spec` and
// `required` findings, the latter only where the spec states a `required` list: Bandwidth's voice schemas
// state none). Deliberate differences go in generator/spec-drift/allowlist.json with a reason.
// Run time: ajv (a devDependency, for "does our schema accept this enum value") is loaded with require
// behind `requireGeneratorTools`, so an installed bw-codegen without it gets one clear message.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, sep } from "node:path";
import type { Ajv2020 as Ajv2020Class } from "ajv/dist/2020.js";
import type { ValidateFunction } from "ajv";
import { REPO_ROOT } from "../paths.js";
import { resolvePointer } from "../schema-refs.js";
import { editDistance } from "../cli/suggest.js";
import { missingGeneratorTools, requireGeneratorTools } from "../cli/generator-tools.js";

export type JsonSchema = Record<string, any>;

/**
 * What kind of difference: `missing-property` (the spec has a field ours lacks), `type` (a JSON type ours
 * refuses), `nullable` (the spec allows null, ours does not), `enum` (spec enum values ours refuses); with
 * `extras`: `not-in-spec` (ours declares a field the spec does not describe) and `required` (ours requires
 * a field the spec leaves optional, so a delivery without it would be refused).
 */
export type DifferenceKind = "missing-property" | "type" | "nullable" | "enum" | "not-in-spec" | "required";

/** One way in which our schema does not accept what Bandwidth's spec describes. */
export interface DriftDifference {
  kind: DifferenceKind;
  /** `enum`: the values ours refuses; `type`: the spec's type. */
  values?: unknown[];
  /** Name of the spec schema, e.g. `answerCallback`. */
  spec: string;
  /** Dotted path of the property inside it (`[]` marks array items), e.g. `diversion.reason`. */
  property: string;
  /** Our schema file relative to `schemas/`, e.g. `voice/answer.schema.json`. */
  ours: string;
  /** Person-readable statement of the difference. */
  problem: string;
}

/** An accepted, explained difference (an entry of generator/spec-drift/allowlist.json). */
export interface AllowListEntry {
  /** Absent: a spec → ours difference (every kind the tests check); `not-in-spec` / `required`: an `extras` one. */
  kind?: "not-in-spec" | "required";
  spec: string;
  property: string;
  ours: string;
  why: string;
}

/** Where the allow-list lives. */
export const allowListPath: string = join(REPO_ROOT, "generator", "spec-drift", "allowlist.json");

const requireHere = createRequire(import.meta.url);

/** A devDependency loaded at run time, or one clear error naming the `npm install` line (generator-tools.ts). */
function requireTool<T>(name: "ajv" | "yaml", specifier: string): T {
  requireGeneratorTools(missingGeneratorTools().filter((tool) => tool === name));
  return requireHere(specifier) as T;
}

/**
 * Parse a copy of Bandwidth's OpenAPI document: JSON (`.json`, or text starting with `{`) needs nothing,
 * YAML needs the `yaml` package (a devDependency: an installed bw-codegen without it says what to install).
 *
 * @example
 * const spec = loadBandwidthSpec("bandwidth.yml");
 * Object.keys(spec.components.schemas).filter((n) => n.endsWith("Callback"));
 */
export function loadBandwidthSpec(file: string): JsonSchema {
  const text = readFileSync(file, "utf8");
  if (file.endsWith(".json") || /^\uFEFF?\s*\{/.test(text)) return JSON.parse(text.replace(/^\uFEFF/, "")) as JsonSchema;
  const yaml = requireTool<{ parse: (text: string, options: object) => unknown }>("yaml", "yaml");
  return yaml.parse(text, { maxAliasCount: -1 }) as JsonSchema;
}

/**
 * Read generator/spec-drift/allowlist.json and check the shape of every entry.
 *
 * @example
 * const entries = loadAllowList(); // [{ spec, property, ours, why }, ...]
 */
export function loadAllowList(file: string = allowListPath): AllowListEntry[] {
  const data = JSON.parse(readFileSync(file, "utf8"));
  if (!Array.isArray(data)) throw new Error(`${file}: must be a JSON array`);
  data.forEach((entry, i) => {
    for (const key of ["spec", "property", "ours", "why"] as const) {
      if (typeof entry?.[key] !== "string" || entry[key].trim() === "") throw new Error(`${file}[${i}]: "${key}" must be a non-empty string`);
    }
    if (entry.kind !== undefined && entry.kind !== "not-in-spec" && entry.kind !== "required") throw new Error(`${file}[${i}]: "kind" is "not-in-spec", "required" or absent`);
  });
  return data as AllowListEntry[];
}

// ---------------------------------------------------------------------------------------------------------
// Our schemas: loaded by $id, $refs resolved relative to the $id of the schema they appear in.

/** A position inside one of our schemas: the schema node and where it lives (`$id` + JSON pointer). */
interface OurLocation {
  node: JsonSchema | boolean;
  id: string;
  pointer: string;
}

/** Our schemas by `$id`, plus an ajv instance that knows all of them (for enum-value acceptance). */
export class SchemaStore {
  readonly byId = new Map<string, JsonSchema>();
  readonly fileById = new Map<string, string>();
  private readonly ajv: InstanceType<typeof Ajv2020Class>;
  private readonly validators = new Map<string, ValidateFunction>();

  /**
   * @param schemas schemas with an absolute `$id`
   * @param files optional display name per `$id` (defaults to the `$id`)
   */
  constructor(schemas: JsonSchema[], files: Map<string, string> = new Map()) {
    const { Ajv2020 } = requireTool<{ Ajv2020: typeof Ajv2020Class }>("ajv", "ajv/dist/2020.js");
    this.ajv = new Ajv2020({ strict: false, allErrors: false, logger: false, validateFormats: false });
    for (const schema of schemas) {
      if (typeof schema.$id !== "string") throw new Error(`schema without $id: ${JSON.stringify(schema).slice(0, 80)}`);
      this.byId.set(schema.$id, schema);
      this.fileById.set(schema.$id, files.get(schema.$id) ?? schema.$id);
      this.ajv.addSchema(schema);
    }
  }

  /**
   * Load every `*.schema.json` below a folder (files that are not valid JSON are skipped: they belong to
   * someone else's work in progress; a $ref into one of them fails with a clear message).
   *
   * @example
   * const store = SchemaStore.fromDirectory(join(REPO_ROOT, "schemas"));
   * store.locate("voice/answer.schema.json");
   */
  static fromDirectory(dir: string): SchemaStore {
    const schemas: JsonSchema[] = [];
    const files = new Map<string, string>();
    const walk = (folder: string): void => {
      for (const name of readdirSync(folder).sort()) {
        const full = join(folder, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (name.endsWith(".schema.json")) {
          let schema: JsonSchema;
          try {
            schema = JSON.parse(readFileSync(full, "utf8"));
          } catch {
            continue;
          }
          if (typeof schema.$id !== "string") continue;
          schemas.push(schema);
          files.set(schema.$id, relative(dir, full).split(sep).join("/"));
        }
      }
    };
    walk(dir);
    return new SchemaStore(schemas, files);
  }

  /** Find a loaded schema by its file name relative to the schemas folder (or by `$id`). */
  locate(fileOrId: string): { id: string; schema: JsonSchema; file: string } {
    for (const [id, file] of this.fileById) {
      if (file === fileOrId || id === fileOrId) return { id, schema: this.byId.get(id)!, file };
    }
    throw new Error(`no schema ${fileOrId} is loaded`);
  }

  /** Follow one `$ref` hop from a location whose node has a `$ref`. */
  refTarget(location: OurLocation): OurLocation {
    const node = location.node as JsonSchema;
    const url = new URL(node.$ref, location.id);
    const pointer = decodeURIComponent(url.hash.replace(/^#/, ""));
    url.hash = "";
    const doc = this.byId.get(url.href);
    if (!doc) throw new Error(`$ref ${node.$ref} in ${location.id} points to no loaded schema (${url.href})`);
    const target = resolvePointer(doc, pointer);
    if (target === undefined) throw new Error(`$ref ${node.$ref} in ${location.id} points to nothing`);
    return { node: target as JsonSchema, id: url.href, pointer };
  }

  /** Does our schema at this location accept the value? (full validation, including refs and patterns) */
  accepts(location: OurLocation, value: unknown): boolean {
    const key = `${location.id}#${location.pointer}`;
    const validate = this.validators.get(key) ?? this.ajv.compile({ $ref: `${location.id}#${encodePointer(location.pointer)}` });
    this.validators.set(key, validate);
    return validate(value) as boolean;
  }
}

function encodePointer(pointer: string): string {
  return pointer
    .split("/")
    .map((part) => encodeURIComponent(part).replace(/%7E/gi, "~"))
    .join("/");
}

const child = (loc: OurLocation, ...keys: (string | number)[]): OurLocation => ({
  node: keys.reduce<any>((n, k) => n?.[k], loc.node),
  id: loc.id,
  pointer: `${loc.pointer}/${keys.map((k) => String(k).replace(/~/g, "~0").replace(/\//g, "~1")).join("/")}`,
});

/** What one of our schema nodes accepts, flattened over $ref / anyOf / oneOf / allOf. */
interface OurView {
  /** JSON types accepted; `null` = any type. */
  types: Set<string> | null;
  /** Property schemas by name (several when branches each declare it). */
  properties: Map<string, OurLocation[]>;
  /** Schemas that extra properties must match (`additionalProperties` objects); `open` if unconstrained. */
  additional: OurLocation[] | "open";
  /** Schemas of array items. */
  items: OurLocation[];
  /** Properties some branch requires. */
  required: Set<string>;
}

const JSON_TYPES = ["string", "number", "integer", "boolean", "object", "array", "null"];

function typeOfValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function viewOurs(store: SchemaStore, start: OurLocation): OurView {
  const view: OurView = { types: new Set(), properties: new Map(), additional: [], items: [], required: new Set() };
  let anyType = false;
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: over the limit of 40 when the limit was set (issue 21); split it when it is next changed
  const visit = (loc: OurLocation, depth: number): void => {
    if (depth > 40) throw new Error(`schema nesting (or $ref loop) too deep at ${loc.id}#${loc.pointer}`);
    const node = loc.node;
    if (node === true || (typeof node === "object" && Object.keys(node).length === 0)) {
      anyType = true;
      return;
    }
    if (node === false || typeof node !== "object") return;
    // A $ref applies together with its sibling keywords (2020-12): look at the target and at the siblings.
    const hasRef = typeof node.$ref === "string";
    if (hasRef) visit(store.refTarget(loc), depth + 1);
    const branches = (["anyOf", "oneOf", "allOf"] as const).filter((k) => Array.isArray(node[k]));
    for (const k of branches) (node[k] as unknown[]).forEach((_, i) => {
      visit(child(loc, k, i), depth + 1);
    });
    // Types this node itself states.
    let ownTypes: string[] | null = null;
    if (typeof node.type === "string") ownTypes = [node.type];
    else if (Array.isArray(node.type)) ownTypes = node.type;
    else if ("const" in node) ownTypes = [typeOfValue(node.const)];
    else if (Array.isArray(node.enum)) ownTypes = [...new Set(node.enum.map(typeOfValue))] as string[];
    else if (node.properties || node.additionalProperties !== undefined) ownTypes = ["object"];
    else if (node.items) ownTypes = ["array"];
    if (ownTypes) for (const t of ownTypes) view.types!.add(t);
    else if (branches.length === 0 && !hasRef) anyType = true;
    if (node.properties) {
      for (const name of Object.keys(node.properties)) {
        const list = view.properties.get(name) ?? [];
        list.push(child(loc, "properties", name));
        view.properties.set(name, list);
      }
    }
    if (node.additionalProperties && typeof node.additionalProperties === "object") {
      if (view.additional !== "open") view.additional.push(child(loc, "additionalProperties"));
    } else if (node.additionalProperties === undefined && (ownTypes?.includes("object") || node.properties)) {
      view.additional = "open";
    }
    if (node.items && typeof node.items === "object") view.items.push(child(loc, "items"));
    if (Array.isArray(node.required)) for (const name of node.required as string[]) view.required.add(name);
  };
  visit(start, 0);
  if (anyType) view.types = null;
  return view;
}

function acceptsType(ours: Set<string> | null, specType: string): boolean {
  if (ours === null) return true;
  if (ours.has(specType)) return true;
  return specType === "integer" && ours.has("number");
}

// ---------------------------------------------------------------------------------------------------------
// Bandwidth's spec: OpenAPI 3.0 schemas, local $refs, allOf merged, oneOf/anyOf treated as alternatives.

/** What a spec schema node describes, flattened. */
interface SpecView {
  /** Declared JSON types (without `null`); `null` = unconstrained. */
  types: Set<string> | null;
  /** Enum values (without `null`); `null` = no enumeration. */
  enumValues: unknown[] | null;
  properties: Map<string, JsonSchema[]>;
  items: JsonSchema[];
  /** The spec declares the value nullable (`nullable: true`, or `null` among its types). */
  nullable: boolean;
  /** Properties the spec requires; `declaresRequired` is false when it states no `required` list at all. */
  required: Set<string>;
  declaresRequired: boolean;
}

function derefSpec(doc: JsonSchema, node: JsonSchema): JsonSchema {
  let current = node;
  for (let hops = 0; current && typeof current.$ref === "string"; hops++) {
    if (hops > 50) throw new Error(`spec $ref loop at ${current.$ref}`);
    if (!current.$ref.startsWith("#/")) throw new Error(`spec $ref ${current.$ref} is not local`);
    const target = resolvePointer(doc, current.$ref.slice(1));
    if (target === undefined) throw new Error(`spec $ref ${current.$ref} points to nothing`);
    current = target as JsonSchema;
  }
  return current;
}

function viewSpec(doc: JsonSchema, start: JsonSchema): SpecView {
  const view: SpecView = { types: new Set(), enumValues: null, properties: new Map(), items: [], nullable: false, required: new Set(), declaresRequired: false };
  let anyType = false;
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: over the limit of 40 when the limit was set (issue 21); split it when it is next changed
  const visit = (raw: JsonSchema, depth: number): void => {
    if (depth > 30) throw new Error("spec schema nesting too deep");
    // OpenAPI 3.0 writes `nullable: true` beside a $ref's siblings or on the target itself.
    if (raw && typeof raw === "object" && raw.nullable === true) view.nullable = true;
    const node = derefSpec(doc, raw);
    if (!node || typeof node !== "object") return;
    if (node.nullable === true || (Array.isArray(node.type) && node.type.includes("null"))) view.nullable = true;
    for (const k of ["allOf", "oneOf", "anyOf"]) if (Array.isArray(node[k])) for (const b of node[k] as JsonSchema[]) visit(b, depth + 1);
    const composed = ["allOf", "oneOf", "anyOf"].some((k) => Array.isArray(node[k]));
    if (typeof node.type === "string") view.types!.add(node.type);
    else if (Array.isArray(node.type)) for (const t of node.type as string[]) view.types!.add(t);
    else if (node.properties) view.types!.add("object");
    else if (node.items) view.types!.add("array");
    else if (Array.isArray(node.enum)) for (const v of node.enum as unknown[]) view.types!.add(typeOfValue(v));
    else if (!composed) anyType = true;
    if (Array.isArray(node.enum)) view.enumValues = [...(view.enumValues ?? []), ...node.enum];
    if (node.properties) {
      for (const [name, schema] of Object.entries(node.properties)) {
        const list = view.properties.get(name) ?? [];
        list.push(schema as JsonSchema);
        view.properties.set(name, list);
      }
    }
    if (node.items) view.items.push(node.items);
    if (Array.isArray(node.required)) {
      view.declaresRequired = true;
      for (const name of node.required as string[]) view.required.add(name);
    }
  };
  visit(start, 0);
  if (anyType) view.types = null;
  view.types?.delete("null");
  if (view.enumValues) view.enumValues = view.enumValues.filter((v) => v !== null);
  return view;
}

// ---------------------------------------------------------------------------------------------------------
// Comparison.

export interface CompareTarget {
  /** Spec schema name, for messages (`answerCallback`). */
  spec: string;
  /** The parsed bandwidth.yml (for $ref resolution). */
  doc: JsonSchema;
  /** Our schema file relative to schemas/ or its `$id`. */
  ours: string;
  store: SchemaStore;
  /** Also list `not-in-spec` and `required` differences (bw-codegen drift --spec); the tests leave them out. */
  extras?: boolean;
}

/**
 * Compare `components/schemas/<spec>` of Bandwidth's spec with one of our schemas and list every place where
 * ours would not accept what the spec describes.
 *
 * @example
 * const diffs = compareWithSpec({ spec: "answerCallback", doc: loadBandwidthSpec(), ours: "voice/answer.schema.json", store });
 * // [] when in sync, else [{ spec, property: "machineDetectionResult.value", ours, problem: "..." }]
 */
export function compareWithSpec(target: CompareTarget): DriftDifference[] {
  const specSchema = target.doc?.components?.schemas?.[target.spec];
  if (!specSchema) throw new Error(`bandwidth.yml has no components/schemas/${target.spec}`);
  return compareSchemas(specSchema, target);
}

/**
 * Compare an arbitrary spec schema node (may contain `$ref`s into `target.doc`) with one of our schemas.
 *
 * @example
 * compareSchemas({ type: "object", properties: { cause: { type: "string", enum: ["busy"] } } }, target);
 */
export function compareSchemas(specSchema: JsonSchema, target: CompareTarget): DriftDifference[] {
  const located = target.store.locate(target.ours);
  const diffs: DriftDifference[] = [];
  const report: Report = (kind, property, problem, values) => {
    if ((kind === "not-in-spec" || kind === "required") && target.extras !== true) return;
    diffs.push({ kind, ...(values === undefined ? {} : { values }), spec: target.spec, property, ours: located.file, problem });
  };
  compareNode(target.doc, specSchema, target.store, [{ node: located.schema, id: located.id, pointer: "" }], "", report, 0);
  return diffs;
}

function describeTypes(types: Set<string> | null): string {
  return types === null ? "any type" : [...types].sort().join("|") || "nothing";
}

/** Ours against the spec (reported only with `extras`): fields the spec does not describe, fields only ours requires. */
function compareExtras(spec: SpecView, views: OurView[], path: string, report: Report): void {
  if (spec.properties.size === 0) return;
  const at = (name: string): string => (path ? `${path}.${name}` : name);
  for (const name of [...new Set(views.flatMap((v) => [...v.properties.keys()]))].sort()) {
    if (!spec.properties.has(name)) report("not-in-spec", at(name), "ours declares it, the spec does not describe it");
  }
  if (!spec.declaresRequired) return;
  for (const name of [...new Set(views.flatMap((v) => [...v.required]))].sort()) {
    if (spec.properties.has(name) && !spec.required.has(name)) report("required", at(name), "ours requires it, the spec does not (a delivery without it would be refused)");
  }
}

type Report = (kind: DifferenceKind, property: string, problem: string, values?: unknown[]) => void;

function compareNode(
  doc: JsonSchema,
  specNode: JsonSchema,
  store: SchemaStore,
  oursList: OurLocation[],
  path: string,
  report: Report,
  depth: number,
): void {
  if (depth > 20) return;
  const spec = viewSpec(doc, specNode);
  const views = oursList.map((loc) => viewOurs(store, loc));
  const ourTypes = views.some((v) => v.types === null) ? null : new Set(views.flatMap((v) => [...v.types!]));
  const label = path || "(root)";

  if (spec.types) {
    for (const t of spec.types) {
      if (!JSON_TYPES.includes(t)) continue;
      if (!acceptsType(ourTypes, t)) report("type", label, `spec type ${t}, ours accepts ${describeTypes(ourTypes)}`, [t]);
    }
  }
  if (spec.nullable && ourTypes !== null && !ourTypes.has("null")) report("nullable", label, "spec declares it nullable, ours does not accept null", [null]);
  if (spec.enumValues) {
    const rejected = spec.enumValues.filter((value) => !oursList.some((loc) => store.accepts(loc, value)));
    if (rejected.length) report("enum", label, `spec enum value(s) ${rejected.map((v) => JSON.stringify(v)).join(", ")} not accepted by ours`, rejected);
  }
  for (const [name, specProps] of spec.properties) {
    const childPath = path ? `${path}.${name}` : name;
    const declared = views.flatMap((v) => v.properties.get(name) ?? []);
    let oursChild = declared;
    if (oursChild.length === 0) {
      const additional = views.flatMap((v) => (v.additional === "open" ? [] : v.additional));
      if (additional.length === 0) {
        report("missing-property", childPath, "property missing from ours");
        continue;
      }
      oursChild = additional;
    }
    for (const specProp of specProps) compareNode(doc, specProp, store, oursChild, childPath, report, depth + 1);
  }
  compareExtras(spec, views, path, report);
  if (spec.items.length) {
    // When ours has no items schema it accepts any items (a missing array type is reported above).
    const ourItems = views.flatMap((v) => v.items);
    const itemsPath = `${label}[]`;
    for (const specItems of spec.items) compareNode(doc, specItems, store, ourItems, itemsPath, report, depth + 1);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Allow-list.

/** Does an allow-list entry excuse this difference? (same spec schema, property, our file and direction) */
export function allowListMatches(e: AllowListEntry, d: DriftDifference): boolean {
  const extra = d.kind === "not-in-spec" || d.kind === "required" ? d.kind : undefined;
  return e.spec === d.spec && e.property === d.property && e.ours === d.ours && e.kind === extra;
}

/**
 * Split differences into the unexplained ones and report allow-list entries that suppress nothing.
 * Only entries whose `spec` is in `specNames` are considered (so each family's test checks its own entries).
 *
 * @example
 * const { unexplained, stale } = applyAllowList(diffs, loadAllowList(), new Set(["answerCallback"]));
 */
export function applyAllowList(
  diffs: DriftDifference[],
  allowList: AllowListEntry[],
  specNames: Set<string>,
): { unexplained: DriftDifference[]; stale: AllowListEntry[] } {
  const relevant = allowList.filter((e) => specNames.has(e.spec));
  const matches = (e: AllowListEntry, d: DriftDifference): boolean => allowListMatches(e, d);
  const unexplained = diffs.filter((d) => !relevant.some((e) => matches(e, d)));
  const stale = relevant.filter((e) => !diffs.some((d) => matches(e, d)));
  return { unexplained, stale };
}

/**
 * Format differences one per line for an assertion message.
 *
 * @example
 * assert.deepEqual(unexplained, [], formatDifferences(unexplained));
 */
export function formatDifferences(diffs: DriftDifference[]): string {
  if (diffs.length === 0) return "no differences";
  return [
    `${diffs.length} difference(s) between bandwidth.yml and our schemas (fix the schema, or add an entry with a reason to generator/spec-drift/allowlist.json):`,
    ...diffs.map((d) => `  - ${d.spec} › ${d.property}  [ours: ${d.ours}]: ${d.problem}`),
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------------------
// Event types: the names a spec enumerates against our events and the family's renames (generator/families/<family>.ts).

/** How the event types a spec enumerates compare with ours. */
export interface EventTypeCoverage {
  /** Spec names that are our events. */
  known: string[];
  /** Spec names that are another name Bandwidth has used for one of our events (a rename in the family table): accepted. */
  renamed: { spec: string; ours: string }[];
  /** Spec names we neither model nor list as a rename; `likelyRenameOf` names one of our events the spec no longer lists, when the two are close. */
  missing: { spec: string; likelyRenameOf?: string }[];
}

/**
 * Compare a spec's event names with our events of a family and its renames: a name Bandwidth renamed is
 * reported as a rename (accepted), not as a missing event; a new spec name close to one of ours that the
 * spec no longer lists is reported as a likely rename.
 *
 * @example
 * eventTypeCoverage(["request-location-response"], ["requested-location-response"], [{ from: "request-location-response", to: "requested-location-response" }])
 * // { known: [], renamed: [{ spec: "request-location-response", ours: "requested-location-response" }], missing: [] }
 */
export function eventTypeCoverage(specTypes: readonly string[], ourEvents: readonly string[], renames: readonly { from: string; to: string }[]): EventTypeCoverage {
  const coverage: EventTypeCoverage = { known: [], renamed: [], missing: [] };
  const unlisted = ourEvents.filter((event) => !specTypes.includes(event) && !renames.some((r) => r.to === event && specTypes.includes(r.from)));
  for (const type of specTypes) {
    const rename = renames.find((r) => r.from === type);
    if (ourEvents.includes(type)) coverage.known.push(type);
    else if (rename !== undefined) coverage.renamed.push({ spec: type, ours: rename.to });
    else {
      const close = likelyRenameOf(type, unlisted);
      coverage.missing.push(close === undefined ? { spec: type } : { spec: type, likelyRenameOf: close });
    }
  }
  return coverage;
}

/** The one of `candidates` closest to `name` when within half the longer name's length in edits (a rename keeps most of a name). */
function likelyRenameOf(name: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (distance <= Math.floor(Math.max(name.length, candidate.length) / 2) && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/**
 * One line per rename and per missing event type, for test output and assertion messages.
 *
 * @example
 * formatEventTypeCoverage("messaging", coverage) // ['renamed: spec event type "request-location-response" is another name for our "requested-location-response" (…)']
 */
export function formatEventTypeCoverage(family: string, coverage: EventTypeCoverage): string[] {
  return [
    ...coverage.renamed.map(
      (r) => `renamed: spec ${family} event type ${JSON.stringify(r.spec)} is another name Bandwidth has used for our ${JSON.stringify(r.ours)} (a rename in generator/families/<family>.ts: accepted, handled as ${JSON.stringify(r.ours)})`,
    ),
    ...coverage.missing.map((m) =>
      m.likelyRenameOf === undefined
        ? `missing: spec ${family} event type ${JSON.stringify(m.spec)} has no schema of ours`
        : `likely renamed: spec ${family} event type ${JSON.stringify(m.spec)} has no schema of ours, and our ${JSON.stringify(m.likelyRenameOf)} is not in the spec: if Bandwidth renamed it, add { from: ${JSON.stringify(m.likelyRenameOf)}, to: ${JSON.stringify(m.spec)} } (the current name) to the family's renames in generator/families/<family>.ts and rename the schema`,
    ),
  ];
}
