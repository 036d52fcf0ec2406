// The typed model between the schema catalog and everything downstream: per family, its definition
// (generator/families/*.ts) joined with its events from the catalog, and every fact an emitter or a CLI
// command needs about it (which modules exist, what they export, which events are queued). Emitters are
// functions of this model; none reads another emitter's output.
import type { Catalog, EventEntry } from "../catalog.js";
import { loadBxmlModel, type BxmlModel } from "../emit/bxml-model.js";
import { camelCase, identifier, pascalCase } from "../schema-transforms.js";
import { deprecatedHandlerNames, handlerName } from "./handler-names.js";
import { resolvePointer, resolveRef } from "../schema-refs.js";
import type { FamilyDefinition } from "./family-definition.js";
import { families as projectFamilies } from "./families.js";

/** An event's reply schema (`x-bw.http.responseSchema`): its compiled export name and its type's title. */
export interface ReplySchema {
  readonly exportName: string;
  readonly ref: string;
  readonly title: string;
  readonly kind: string;
}

/** The names `validators/<family>.ts` exports, besides the family validator itself. */
export interface ValidatorExports {
  /** `json-array` families: the validator of a whole request body. */
  readonly batch?: string;
  /** `xml` families: body text → the JSON form to validate. */
  readonly parseBody?: string;
  /** `xml` families: validate an XML document. */
  readonly validateXml?: string;
  /** Families with their own answers (XML, or JSON reply schemas): renders the handler's answer. */
  readonly renderReply?: string;
}

/** How a family's messages travel: HTTP webhooks, or JSON frames on a WebSocket Bandwidth opens. */
export type Transport = "http" | "websocket";

/** One family as every emitter and command sees it. */
export interface FamilyModel extends FamilyDefinition {
  /** `websocket` when the definition has `socket`, else `http` (also for schema-only families). */
  readonly transport: Transport;
  /** Socket families: the messages your server receives (`x-bw.direction` "receive"); every event of an HTTP family. */
  readonly received: readonly EventEntry[];
  /** Socket families: the messages your server may send (`x-bw.direction` "send"); empty for HTTP families. */
  readonly sent: readonly EventEntry[];
  /** Its events, sorted by event name. */
  readonly events: readonly EventEntry[];
  /** Events whose reply Bandwidth ignores (`response: "empty"`): what a queue worker may handle (none for socket families). */
  readonly queuedEvents: readonly EventEntry[];
  /** JSON reply schemas of its events. */
  readonly replies: readonly ReplySchema[];
  /** Whether `validators/<family>.ts` is emitted (the family has events). */
  readonly validated: boolean;
  /** Whether `createBandwidthWebhooks` serves it (validated and has HTTP settings). */
  readonly served: boolean;
  /** Exports of its validator module. */
  readonly exports: ValidatorExports;
}

export interface Model {
  readonly catalog: Catalog;
  /** Every defined family, in order (also those without events in this catalog). */
  readonly families: readonly FamilyModel[];
  /** The BXML elements (empty when the catalog has none). */
  readonly bxml: BxmlModel;
  /** True when the BXML builder and `parseBxml` are emitted. */
  readonly hasBxml: boolean;
}

/** The reply schemas of a family's events (the Emergency Calling API answers with JSON). */
export function replySchemas(catalog: Catalog, events: readonly EventEntry[]): ReplySchema[] {
  const out: ReplySchema[] = [];
  for (const e of events) {
    const ref = (e.meta.http as { responseSchema?: string } | undefined)?.responseSchema;
    if (ref === undefined) continue;
    const target = resolveRef(e.id, ref);
    const title = (resolvePointer(catalog.schemas.get(target.id), target.pointer) as { title?: unknown } | undefined)?.title;
    if (typeof title !== "string") throw new Error(`${e.file}: x-bw.http.responseSchema ${ref} must point at a schema with a title`);
    const kind = e.meta.response ?? "empty";
    const clash = out.find((r) => r.kind === kind && r.title !== title);
    if (clash) throw new Error(`${e.file}: two reply schemas (${clash.title}, ${title}) for response kind "${kind}" in one family`);
    if (!out.some((r) => r.title === title)) out.push({ exportName: `reply_${identifier(e.event)}`, ref: `${target.id}#${target.pointer}`, title, kind });
  }
  return out;
}

function familyModel(catalog: Catalog, definition: FamilyDefinition): FamilyModel {
  const events = catalog.events.filter((e) => e.family === definition.name);
  const replies = replySchemas(catalog, events);
  const validated = events.length > 0;
  const P = pascalCase(definition.name);
  const xml = definition.body === "xml";
  if (xml && replies.length > 0) throw new Error(`family ${definition.name}: an XML family renders its own answers; JSON reply schemas are not supported there`);
  const exports: ValidatorExports = {
    ...(definition.batchValidator !== undefined ? { batch: definition.batchValidator } : {}),
    ...(xml ? { parseBody: `parse${P}Body`, validateXml: `validate${P}Xml` } : {}),
    ...(xml || replies.length > 0 ? { renderReply: `render${P}Reply` } : {}),
  };
  const socket = definition.socket !== undefined;
  return {
    ...definition,
    transport: socket ? "websocket" : "http",
    events,
    received: socket ? inFlow(definition, events.filter((e) => e.meta.direction === "receive")) : events,
    sent: socket ? inFlow(definition, events.filter((e) => e.meta.direction === "send")) : [],
    queuedEvents: socket ? [] : events.filter((e) => (e.meta.response ?? "empty") === "empty"),
    replies,
    validated,
    served: validated && definition.http !== undefined,
    exports,
  };
}

/** A family's renames must name one of its events, not shadow one, and need a discriminant to carry the current name. */
function renameProblems(definition: FamilyDefinition, events: readonly EventEntry[]): string[] {
  const where = `generator/families/${definition.name}.ts`;
  const own = new Set(events.filter((e) => e.family === definition.name).map((e) => e.event));
  const renames = definition.renames ?? [];
  const problems: string[] = [];
  if (renames.length > 0 && definition.discriminant === undefined) problems.push(`${where}: ${definition.name} has renames but no discriminant property to carry the current name`);
  for (const rename of renames) {
    if (!own.has(rename.to)) problems.push(`${where}: rename ${rename.from} → ${rename.to}: no ${definition.name} event is called ${rename.to}`);
    if (own.has(rename.from)) problems.push(`${where}: rename ${rename.from} → ${rename.to}: ${rename.from} is an event of its own`);
  }
  return problems;
}

/** `handlerNames` must name events of the family, rename them (not restate camelCase), be identifiers and not clash. */
function handlerNameProblems(definition: FamilyDefinition, events: readonly EventEntry[]): string[] {
  const where = `generator/families/${definition.name}.ts`;
  const own = events.filter((e) => e.family === definition.name);
  const problems: string[] = [];
  for (const [event, name] of Object.entries(definition.handlerNames ?? {})) {
    if (!own.some((e) => e.event === event)) problems.push(`${where}: handlerNames.${event}: no ${definition.name} event is called ${event}`);
    if (!/^[a-z][A-Za-z0-9]*$/.test(name)) problems.push(`${where}: handlerNames.${event}: "${name}" is not a lowerCamelCase identifier`);
    if (name === camelCase(event)) problems.push(`${where}: handlerNames.${event}: "${name}" is already the event's handler name`);
  }
  const seen = new Map<string, string>();
  for (const e of own) {
    for (const name of [handlerName(definition, e.event), ...deprecatedHandlerNames(definition, e.event)]) {
      const other = seen.get(name);
      if (other !== undefined && other !== e.event) problems.push(`${where}: handler name ${name} is used by both ${other} and ${e.event}`);
      seen.set(name, e.event);
    }
  }
  return problems;
}

/** Socket messages in the order of the definition's `flow`. */
function inFlow(definition: FamilyDefinition, events: readonly EventEntry[]): EventEntry[] {
  const flow = definition.socket?.flow ?? [];
  return [...events].sort((a, b) => flow.indexOf(a.event) - flow.indexOf(b.event));
}

/** Socket families: no `http`, every event says its direction, `flow` lists them all; HTTP families: no direction; names that are needed. */
function transportProblems(definition: FamilyDefinition, events: readonly EventEntry[]): string[] {
  const where = `generator/families/${definition.name}.ts`;
  const own = events.filter((e) => e.family === definition.name);
  const problems: string[] = [];
  if (definition.socket === undefined) {
    for (const e of own) if (e.meta.direction !== undefined) problems.push(`${e.file}: x-bw.direction is for socket families; ${definition.name} has no \`socket\` in ${where}`);
    return problems;
  }
  if (definition.http !== undefined) problems.push(`${where}: a family is served over HTTP (\`http\`) or over a WebSocket (\`socket\`), not both`);
  if (definition.discriminant === undefined) problems.push(`${where}: a socket family needs a discriminant`);
  for (const e of own) {
    if (e.meta.direction !== "receive" && e.meta.direction !== "send") problems.push(`${e.file}: a ${definition.name} message needs x-bw.direction "receive" or "send" (as seen from your server)`);
    if (e.meta.response !== undefined) problems.push(`${e.file}: x-bw.response means nothing on a socket (no message is answered)`);
  }
  const flow = [...definition.socket.flow].sort();
  const names = own.map((e) => e.event).sort();
  if (flow.join() !== names.join()) problems.push(`${where}: socket.flow must list every ${definition.name} message once (has ${flow.join(", ") || "none"}; the schemas have ${names.join(", ")})`);
  const both = own.some((e) => e.meta.direction === "receive") && own.some((e) => e.meta.direction === "send");
  if (both && (definition.socket.receiveUnion === undefined || definition.socket.sendUnion === undefined)) problems.push(`${where}: ${definition.name} has messages both ways: name socket.receiveUnion and socket.sendUnion`);
  return problems;
}

/**
 * Joins the family definitions with the catalog.
 *
 * @example
 * const model = buildModel(loadCatalog("schemas"));
 * model.families.filter((f) => f.served).map((f) => f.http!.path); // ["/callbacks/voice", …]
 */
export function buildModel(catalog: Catalog, definitions: readonly FamilyDefinition[] = projectFamilies): Model {
  const known = new Set(definitions.map((d) => d.name));
  const orphan = catalog.events.find((e) => !known.has(e.family));
  if (orphan !== undefined) throw new Error(`${orphan.file}: family "${orphan.family}" has no definition in generator/families/`);
  const problems = definitions.flatMap((d) => [...renameProblems(d, catalog.events), ...transportProblems(d, catalog.events), ...handlerNameProblems(d, catalog.events)]);
  if (problems.length > 0) throw new Error(`family definitions have ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`);
  const bxml = loadBxmlModel(catalog);
  return {
    catalog,
    families: definitions.map((d) => familyModel(catalog, d)),
    bxml,
    hasBxml: bxml.elements.length > 0,
  };
}

/** The model's family of that name; throws for an unknown one. */
export function modelFamily(model: Model, name: string): FamilyModel {
  const found = model.families.find((f) => f.name === name);
  if (found === undefined) throw new Error(`unknown family "${name}" (known: ${model.families.map((f) => f.name).join(", ")})`);
  return found;
}
