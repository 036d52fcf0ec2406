// Reads the BXML element schemas (schemas/bxml/*.schema.json, `x-bw.element`) into one model that
// both BXML emitters use: the rules table (bxml-rules) and the typed builder (bxml-builder).
// Checks the BXML schema conventions described in CONTRIBUTING.md and fails loudly on anything else.
import { type Catalog, type JsonSchema, resolveRef } from "../catalog.js";

export type AttributeModel =
  | { type: "string"; maxLength?: number; pattern?: string; message?: string; suggestions?: string[] }
  | { type: "enum"; values: string[] }
  | { type: "boolean" }
  | { type: "integer" | "number"; min?: number; max?: number };

export interface BxmlAttribute {
  name: string;
  rule: AttributeModel;
  required: boolean;
  description: string;
  default?: unknown;
}

export interface BxmlElementModel {
  /** Rule key and builder name: the schema title without `Element` (`Gather`, `ReferSipUri`, `SsmlBreak`). */
  key: string;
  /** XML element name (`Gather`, `SipUri`, `say-as`). */
  name: string;
  /** TypeScript interface name (the schema title). */
  title: string;
  kind: "root" | "verb" | "nested" | "ssml";
  content: "empty" | "text" | "elements" | "mixed";
  summary: string;
  description: string;
  attributes: BxmlAttribute[];
  /** Keys of the allowed child elements. */
  children: string[];
  min: number;
  max: number;
  text?: { pattern?: string; maxLength?: number; message?: string };
  checks: string[];
  scopes?: Record<string, string[]>;
  maxBytes?: number;
  file: string;
  examples: unknown[];
}

export interface BxmlModel {
  elements: BxmlElementModel[];
  byKey: Map<string, BxmlElementModel>;
  roots: BxmlElementModel[];
}

function fail(file: string, message: string): never {
  throw new Error(`schemas/${file}: ${message}`);
}

function attributeModel(file: string, name: string, schema: JsonSchema): AttributeModel {
  if (Array.isArray(schema.enum)) return { type: "enum", values: schema.enum.map(String) };
  if (Array.isArray(schema.anyOf)) {
    // open enumeration: { anyOf: [{ enum }, { type: "string" }] }
    const listed = schema.anyOf.find((s: JsonSchema) => Array.isArray(s.enum));
    if (listed && schema.anyOf.some((s: JsonSchema) => s.type === "string")) return { type: "string", suggestions: listed.enum.map(String) };
    fail(file, `attribute ${name}: anyOf must be an open enumeration [{ enum }, { type: "string" }]`);
  }
  switch (schema.type) {
    case "string": {
      const rule: { type: "string"; maxLength?: number; pattern?: string; message?: string } = { type: "string" };
      if (typeof schema.maxLength === "number") rule.maxLength = schema.maxLength;
      if (typeof schema.pattern === "string") {
        rule.pattern = schema.pattern;
        rule.message = typeof schema["x-message"] === "string" ? schema["x-message"] : undefined;
      }
      return rule;
    }
    case "boolean":
      return { type: "boolean" };
    case "integer":
    case "number": {
      const rule: { type: "integer" | "number"; min?: number; max?: number } = { type: schema.type };
      if (typeof schema.minimum === "number") rule.min = schema.minimum;
      if (typeof schema.maximum === "number") rule.max = schema.maximum;
      return rule;
    }
  }
  fail(file, `attribute ${name}: unsupported schema (use string, boolean, integer, number, enum or an open enum)`);
}

/** Build the BXML model from the catalog's element schemas. */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: over the limit of 40 when the limit was set (issue 21); split it when it is next changed
export function loadBxmlModel(catalog: Catalog): BxmlModel {
  const entries = catalog.elements.filter((e) => e.schema["x-bw"]?.family === "bxml");
  const keyOf = new Map<string, string>(); // $id -> key
  for (const e of entries) {
    const title = e.schema.title;
    if (typeof title !== "string" || !/^[A-Z][A-Za-z0-9]*Element$/.test(title)) fail(e.file, "title must be <Name>Element");
    keyOf.set(e.id, title.slice(0, -"Element".length));
  }
  const elements: BxmlElementModel[] = [];
  for (const e of entries) {
    const s = e.schema;
    const meta = s["x-bw"];
    const props = s.properties ?? {};
    if (props.name?.const !== meta.element) fail(e.file, "properties.name.const must equal x-bw.element");
    const attrSchema = props.attributes ?? {};
    // unknown attributes: a lenient-mode warning and a strict-mode error on every element alike
    if (attrSchema.additionalProperties !== undefined) fail(e.file, "attributes must not set additionalProperties (unknown attributes are warnings, errors in strict mode, on every element)");
    const required: string[] = attrSchema.required ?? [];
    const attributes: BxmlAttribute[] = Object.entries<JsonSchema>(attrSchema.properties ?? {}).map(([name, schema]) => ({
      name,
      rule: attributeModel(e.file, name, schema),
      required: required.includes(name),
      description: schema.description ?? "",
      default: schema.default,
    }));
    for (const r of required) if (!attributes.some((a) => a.name === r)) fail(e.file, `required attribute ${r} is not defined`);
    const childSchema = props.children ?? {};
    const content = meta.content;
    const children: string[] = [];
    let text: BxmlElementModel["text"];
    const items = childSchema.items ?? {};
    if (content === "elements" || content === "mixed") {
      for (const alt of items.anyOf ?? []) {
        if (alt.type === "string") continue;
        if (typeof alt.$ref !== "string") fail(e.file, "children.items.anyOf entries must be $refs (or { type: string } for mixed content)");
        const target = resolveRef(e.id, alt.$ref).id;
        const key = keyOf.get(target);
        if (!key) fail(e.file, `child $ref ${alt.$ref} is not a BXML element schema`);
        children.push(key);
      }
    } else if (content === "text") {
      if (items.type !== "string") fail(e.file, "text content needs children.items { type: string }");
      text = {};
      if (typeof items.pattern === "string") text.pattern = items.pattern;
      if (typeof items.maxLength === "number") text.maxLength = items.maxLength;
      if (typeof items["x-message"] === "string") text.message = items["x-message"];
    } else if (content !== "empty") fail(e.file, `x-bw.content must be empty, text, elements or mixed`);
    elements.push({
      key: keyOf.get(e.id)!,
      name: meta.element,
      title: s.title,
      kind: meta.kind,
      content,
      summary: meta.summary ?? "",
      description: s.description ?? "",
      attributes,
      children,
      min: typeof childSchema.minItems === "number" ? childSchema.minItems : 0,
      max: typeof childSchema.maxItems === "number" ? childSchema.maxItems : -1,
      text,
      checks: meta.checks ?? [],
      scopes: meta.scopes,
      maxBytes: meta.maxBytes,
      file: e.file,
      examples: s.examples ?? [],
    });
  }
  // Roots first (<Response>, the common one, before <Bxml>), then the others by key: messages list parents in this order.
  const rank = (el: BxmlElementModel) => (el.kind === "root" ? (el.name === "Response" ? 0 : 1) : 2);
  elements.sort((a, b) => rank(a) - rank(b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const byKey = new Map(elements.map((el) => [el.key, el]));
  const roots = elements.filter((el) => el.kind === "root");
  for (const el of elements) {
    const names = el.children.map((k) => byKey.get(k)!.name);
    if (new Set(names).size !== names.length) fail(el.file, "two allowed children share an element name");
  }
  return { elements, byKey, roots };
}
