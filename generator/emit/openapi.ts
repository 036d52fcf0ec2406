// Emits generated/openapi.json and openapi.yaml: an OpenAPI 3.1 document (built with openapi3-ts)
// with one `webhooks` entry per event, request bodies by $ref to components/schemas, our examples,
// the responses Bandwidth expects, and HTTP basic security (Bandwidth's challenge/response); tags per
// family grouped by product (x-tagGroups); the words are in openapi-text.ts.
import { OpenApiBuilder, type OpenAPIObject, type PathItemObject, type SchemaObject } from "openapi3-ts/oas31";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { resolveRef, type Catalog, type EventEntry } from "../catalog.js";
import { modelFamily, type Model } from "../model/build-model.js";
import type { GeneratedFile } from "../generated-file.js";
import { REPO_ROOT } from "../paths.js";
import { pascalCase } from "../schema-transforms.js";
import { handlerName } from "../model/handler-names.js";
import { CHALLENGE_401, INTRODUCTION, SECURITY_DESCRIPTION, bxmlReplyDescription, markdownSafe, tagsAndGroups, webhookHeader } from "./openapi-text.js";

const COMPONENT_PREFIX = "#/components/schemas/";

/** bw-codegen's own version (package.json): the document's `info.version`, the version of what it describes. */
function ownVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/** Component name for a schema (or a definition inside it). */
export function componentName(catalog: Catalog, id: string, pointer: string): string {
  const schema = catalog.schemas.get(id)!;
  if (!pointer) return schema.title;
  const name = pointer.split("/").pop()!;
  const def = schema.$defs?.[name];
  // x-bw.name: the component name of a shared definition other families use too (common/voice's timestamp is messaging's `time` as well)
  const own = (def?.["x-bw"] as { name?: unknown } | undefined)?.name;
  if (typeof own === "string") return own;
  // Untitled shared definitions are named after their file: common/voice.schema.json#/$defs/callId → VoiceCallId.
  const file = (catalog.files.get(id) ?? "").replace(/\.schema\.json$/, "").split("/").pop()!;
  return def?.title ?? pascalCase(file) + pascalCase(name);
}

/** Rewrite a schema for components/schemas: refs point at components, ids and generator metadata go. */
export function toComponent(catalog: Catalog, baseId: string, node: any, insideProperties = false): any {
  if (Array.isArray(node)) return node.map((n) => toComponent(catalog, baseId, n));
  if (!node || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (!insideProperties) {
      // $comment holds provenance and notes for contributors: not for the reader of the published page
      if (key === "$id" || key === "$schema" || key === "$defs" || key === "x-bw" || key === "$comment") continue;
      if (key === "examples") {
        out.examples = value; // examples are data: copied as they are
        continue;
      }
      if (key === "description" && typeof value === "string") {
        out.description = markdownSafe(value);
        continue;
      }
      if (key === "$ref" && typeof value === "string") {
        const target = resolveRef(baseId, value);
        out.$ref = COMPONENT_PREFIX + componentName(catalog, target.id, target.pointer);
        continue;
      }
    }
    out[key] = toComponent(catalog, baseId, value, !insideProperties && (key === "properties" || key === "patternProperties"));
  }
  // a discriminant (`eventType: { const: "answer" }`, OrderType) says it is a string: Redoc shows "any" otherwise
  if (!insideProperties && out.type === undefined && out.$ref === undefined && (typeof out.const === "string" || (Array.isArray(out.enum) && out.enum.every((v) => typeof v === "string")))) {
    out.type = "string";
  }
  return out;
}

function mediaType(model: Model, family: string): string {
  const spec = modelFamily(model, family);
  return spec.body === "xml" ? "application/xml" : "application/json";
}

/** Write a JSON-form value (CONTRIBUTING.md, "XML families") as the XML document Bandwidth sends. */
function xmlDocument(root: string, value: unknown): string {
  const escapeText = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  const write = (name: string, node: unknown, indent: string): string => {
    if (Array.isArray(node)) return node.map((item) => write(name, item, indent)).join("\n");
    if (node === null || typeof node !== "object") return `${indent}<${name}>${escapeText(String(node))}</${name}>`;
    const children = Object.entries(node as Record<string, unknown>).map(([key, child]) => write(key, child, `${indent}  `));
    return `${indent}<${name}>\n${children.join("\n")}\n${indent}</${name}>`;
  };
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${write(root, value, "")}\n`;
}

/** `$ref` to the component for a schema reference written relative to a schema's `$id`. */
function componentRef(catalog: Catalog, baseId: string, ref: string): string {
  const target = resolveRef(baseId, ref);
  return COMPONENT_PREFIX + componentName(catalog, target.id, target.pointer);
}

/** The answers Bandwidth expects to this webhook, the 401 challenge and the 400 for bad bodies. */
function responsesFor(catalog: Catalog, e: EventEntry): Record<string, unknown> {
  const response = e.meta.response ?? "empty";
  const responses: Record<string, unknown> = {};
  const http = e.meta.http as { method?: string; responseSchema?: string } | undefined;
  const replySchema = http?.responseSchema ? { $ref: componentRef(catalog, e.id, http.responseSchema) } : undefined;
  if (response === "port-out-validation-response") {
    responses["200"] = {
      description: "Your `<PortOutValidationResponse>` (XML; its JSON form is the referenced schema). No answer, a late or invalid one, a 4xx or a 5xx approves the port-out.",
      content: { "application/xml": { schema: { $ref: `${COMPONENT_PREFIX}PortOutValidationResponse` } } },
    };
  } else if (response === "json" && replySchema) {
    responses["200"] = { description: "Your JSON answer.", content: { "application/json": { schema: replySchema } } };
  }
  if (response === "bxml" || response === "bxml-or-empty") {
    responses["200"] = { description: bxmlReplyDescription(catalog, e), content: { "application/xml": { schema: { $ref: COMPONENT_PREFIX + BXML_COMPONENT } } } };
  }
  const ackStatus = e.family === "numbers" ? "200" : "204"; // numbers: anything but 200 is recorded as a failure
  if (response === "bxml-or-empty") responses["204"] = { description: "Nothing to do: the conference carries on." };
  else if (response !== "bxml" && !responses[ackStatus] && response !== "json") {
    responses[ackStatus] = { description: e.family === "numbers" ? "Acknowledged. Bandwidth records any status but 200 as a failed delivery." : "Acknowledged; Bandwidth needs no body (one would be ignored)." };
  }
  responses["401"] = {
    description: CHALLENGE_401,
    headers: { "WWW-Authenticate": { description: 'Always `Basic realm="..."`: without it Bandwidth never retries.', schema: { type: "string", example: 'Basic realm="bandwidth-webhooks"' } } },
  };
  responses["400"] = { description: "The body is not valid JSON/XML or (strict mode) does not match the schema." };
  return responses;
}

/** Component describing every BXML reply (the verbs allowed depend on the webhook: see its 200 response). */
const BXML_COMPONENT = "BxmlResponse";

function bxmlComponent(): SchemaObject {
  return {
    type: "string",
    contentMediaType: "application/xml",
    description: "A BXML document: `<Response>` (or `<Bxml>`) holding verbs, UTF-8, at most 64 KB. Its elements and attributes are checked by bw-codegen's `parseBxml` and built safely by `Response(...)` from `bw-codegen/bxml`.",
    examples: [
      '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Gather gatherUrl="/callbacks/voice" maxDigits="1">\n    <SpeakSentence>Press 1 for sales.</SpeakSentence>\n  </Gather>\n</Response>\n',
    ],
  };
}

function webhookFor(model: Model, e: EventEntry): PathItemObject {
  const catalog = model.catalog;
  const spec = modelFamily(model, e.family);
  const xmlRoot = (e.meta.xml as { root?: string } | undefined)?.root;
  // JSON-array families arrive wrapped in an array; XML families' examples are shown as the XML document.
  const wrap = (value: unknown) => (spec.body === "json-array" ? [value] : spec.body === "xml" && xmlRoot ? xmlDocument(xmlRoot, value) : value);
  const examples = Object.fromEntries(
    (e.schema.examples as unknown[]).map(wrap).map((value, i) => [i === 0 ? "minimal" : i === 1 ? "complete" : `example${i + 1}`, { summary: i === 0 ? "Fields that are always sent" : i === 1 ? "Every optional field present" : `Example ${i + 1}`, value }]),
  );
  const bodySchema = spec.body === "json-array" ? { type: "array", minItems: 1, items: { $ref: COMPONENT_PREFIX + e.title } } : { $ref: COMPONENT_PREFIX + e.title };
  const responses = responsesFor(catalog, e);
  const http = e.meta.http as { method?: string } | undefined;
  const description = `${webhookHeader(model, e)}\n\n${markdownSafe(e.schema.description ?? "")}`;
  const parameters: unknown[] = [];
  if (e.family === "tfv") {
    parameters.push({
      name: "x-bandwidth-signature-hmac-sha256",
      in: "header",
      required: false,
      description: "64 lowercase hex digits: HMAC-SHA256 of the request body with the subscription's shared secret; sent only when a secret is set. Verify it over the raw bytes (runtime/auth/hmac.js).",
      schema: { type: "string", pattern: "^[0-9a-f]{64}$" },
    });
  }
  if (http?.method === "GET") {
    // Query-string requests (Emergency Calling API): the schema's properties are the query parameters.
    const required = new Set<string>(e.schema.required ?? []);
    const queryParameters = Object.entries<any>(e.schema.properties ?? {}).map(([name, prop]) => ({
      name,
      in: "query",
      required: required.has(name),
      description: prop.description,
      schema: toComponent(catalog, e.id, { ...prop, description: undefined }),
      example: (e.schema.examples as Record<string, unknown>[])[0]?.[name],
    }));
    return {
      get: {
        operationId: `${e.family}${pascalCase(handlerName(spec, e.event))}`,
        summary: e.meta.summary ?? e.title,
        description,
        tags: [e.family],
        security: [{ bandwidthBasic: [] }],
        parameters: queryParameters as any,
        responses: responses as any,
      },
    };
  }
  return {
    post: {
      operationId: `${e.family}${pascalCase(handlerName(spec, e.event))}`,
      ...(parameters.length ? { parameters: parameters as any } : {}),
      summary: e.meta.summary ?? e.title,
      description,
      tags: [e.family],
      security: [{ bandwidthBasic: [] }],
      requestBody: { required: true, content: { [mediaType(model, e.family)]: { schema: bodySchema as SchemaObject, examples } } },
      responses: responses as any,
    },
  };
}

/**
 * Schema files that belong to socket families only: their folders and their `common/<family>.schema.json`.
 * They are not OpenAPI components (the AsyncAPI document has them); a webhook schema may not refer to them.
 */
export function socketSchemaFiles(model: Model): Set<string> {
  const sockets = model.families.filter((f) => f.transport === "websocket").map((f) => f.name);
  return new Set([...model.catalog.files.values()].filter((file) => sockets.some((name) => file.startsWith(`${name}/`) || file === `common/${name}.schema.json`)));
}

export function buildOpenApi(model: Model): OpenAPIObject {
  const catalog = model.catalog;
  const builder = OpenApiBuilder.create()
    .addOpenApiVersion("3.1.0")
    .addTitle("Bandwidth webhooks (bw-codegen)")
    .addVersion(ownVersion())
    .addDescription(INTRODUCTION)
    .addLicense({ name: "MIT", identifier: "MIT" })
    .addSecurityScheme("bandwidthBasic", { type: "http", scheme: "basic", description: SECURITY_DESCRIPTION });
  builder.addServer({
    url: "https://{host}",
    description: "Your webhook receiver: Bandwidth calls the URLs you configure on applications, BXML verbs and subscriptions.",
    variables: { host: { default: "callbacks.your-company.com", description: "Host of your webhook receiver" } },
  });
  const doc = builder.getSpec();
  (doc.info as { summary?: string }).summary = "Typed Bandwidth callbacks";
  const { tags, groups } = tagsAndGroups(model);
  doc.tags = tags as OpenAPIObject["tags"];
  (doc as unknown as Record<string, unknown>)["x-tagGroups"] = groups;
  doc.webhooks = {};
  // Socket families (media streams, transcription) are no webhooks: the AsyncAPI document describes them.
  const webhookFamilies = model.families.filter((f) => f.transport === "http");
  for (const e of webhookFamilies.flatMap((f) => f.events)) doc.webhooks[`${e.family}.${handlerName(modelFamily(model, e.family), e.event)}`] = webhookFor(model, e);
  const socketOnly = socketSchemaFiles(model);
  const schemas: Record<string, SchemaObject> = { [BXML_COMPONENT]: bxmlComponent() };
  for (const [id, schema] of catalog.schemas) {
    if (schema["x-bw"]?.element) continue; // BXML element schemas describe responses, not webhooks
    if (socketOnly.has(catalog.files.get(id)!)) continue;
    // Query-string requests (GET) are documented by their parameters, not by a body schema.
    const isQuery = (schema["x-bw"]?.http as { method?: string } | undefined)?.method === "GET";
    if (typeof schema.title === "string" && schema["x-bw"]?.event && !isQuery) schemas[schema.title] = toComponent(catalog, id, schema);
    for (const [name, def] of Object.entries<any>(schema.$defs ?? {})) {
      const component = componentName(catalog, id, `/$defs/${name}`);
      if (schemas[component]) throw new Error(`two schemas would both be the OpenAPI component ${component} (${catalog.files.get(id)})`);
      schemas[component] = toComponent(catalog, id, def);
    }
  }
  doc.components = { ...doc.components, schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) };
  const dangling = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]).filter((name) => schemas[name] === undefined);
  if (dangling.length > 0) throw new Error(`OpenAPI: a webhook schema refers to socket-only definitions (${[...new Set(dangling)].join(", ")}): move them to a shared common file`);
  delete (doc as any).paths;
  return doc;
}

export function emitOpenApi(model: Model): GeneratedFile[] {
  const doc = buildOpenApi(model);
  const source = "schemas/**/*.schema.json";
  const { openapi, ...rest } = doc;
  const ordered = { openapi, "x-generated": "Generated by bw-codegen from schemas/**/*.schema.json. Do not edit.", ...rest };
  return [
    { path: "openapi.json", contents: `${JSON.stringify(ordered, null, 2)}\n`, source },
    { path: "openapi.yaml", contents: stringify(ordered, { lineWidth: 0, aliasDuplicateObjects: false }), source },
  ];
}
