// Pure transformations of schemas that several emitters need: stripping annotations before
// compiling validators, deriving the strict (closed) variant, and making identifiers from event names.
import { ID_BASE, type JsonSchema } from "./catalog.js";

const ANNOTATIONS = new Set(["$schema", "description", "examples", "x-bw", "$comment", "tsType", "title", "format", "default", "deprecated", "readOnly", "writeOnly"]);

/** Deep copy without annotation keywords (validators don't need them; they only bloat the code). */
export function stripAnnotations(schema: unknown, insideProperties = false): any {
  if (Array.isArray(schema)) return schema.map((s) => stripAnnotations(s));
  if (!schema || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    // Inside `properties`/`$defs` the keys are names, not keywords: keep every one.
    if (!insideProperties && ANNOTATIONS.has(key)) continue;
    if (!insideProperties && key.startsWith("x-")) continue;
    out[key] = stripAnnotations(value, !insideProperties && (key === "properties" || key === "$defs" || key === "patternProperties" || key === "dependentSchemas"));
  }
  return out;
}

/**
 * The strict variant of a schema: every object schema that lists `properties` and says nothing
 * about `additionalProperties` is closed, and the `$id` moves under `strict/` so relative refs
 * resolve to the strict copies of shared definitions.
 */
export function toStrict(schema: JsonSchema): JsonSchema {
  const copy = close(structuredClone(schema), false);
  if (typeof copy.$id === "string") copy.$id = strictId(copy.$id);
  return copy;

  function close(node: any, insideProperties: boolean): any {
    if (Array.isArray(node)) return node.map((n) => close(n, false));
    if (!node || typeof node !== "object") return node;
    for (const [key, value] of Object.entries(node)) {
      if (!insideProperties && (key === "examples" || key === "const" || key === "enum" || key === "default")) continue;
      node[key] = close(value, !insideProperties && (key === "properties" || key === "$defs" || key === "patternProperties"));
    }
    if (!insideProperties && node.properties && typeof node.properties === "object" && !("additionalProperties" in node) && !("unevaluatedProperties" in node)) {
      node.additionalProperties = false;
    }
    return node;
  }
}

/** `$id` of the strict copy of a schema. */
export function strictId(id: string): string {
  return id.startsWith(ID_BASE) ? `${ID_BASE}strict/${id.slice(ID_BASE.length)}` : id;
}

/** `message-received` → `messageReceived`; `answer` → `answer`; `MESSAGING_LOST` → `messagingLost`. */
export function camelCase(name: string): string {
  if (/^[A-Z0-9]+(?:_[A-Z0-9]+)+$/.test(name)) name = name.toLowerCase(); // SCREAMING_SNAKE_CASE event names
  return name.replace(/[-_. ]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/^[A-Z]/, (c) => c.toLowerCase());
}

/** `message-received` → `MessageReceived`. */
export function pascalCase(name: string): string {
  const camel = camelCase(name);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

/** A safe JavaScript identifier fragment for an event name. */
export function identifier(name: string): string {
  return camelCase(name).replace(/[^A-Za-z0-9_$]/g, "_");
}

const STRING_KEYWORDS = new Set(["type", "pattern", "maxLength", "minLength"]);

/**
 * Rewrite alternatives that mean a simple type test into that test, for faster compiled validators
 * (same verdicts, shorter messages): `anyOf [{enum: [strings]}, {type: string}]` (an open enumeration)
 * becomes `{type: string}`; `anyOf [<string schema>, {type: null}]` (nullable) becomes
 * `{type: [string, null], ...}` (pattern and length keywords only apply to strings); `resolve` follows
 * a `$ref` to see whether a branch is a plain string schema.
 */
export function simplifyAlternatives(node: any, resolve: (ref: string) => any, insideProperties = false): any {
  if (Array.isArray(node)) return node.map((n) => simplifyAlternatives(n, resolve));
  if (!node || typeof node !== "object") return node;
  const out: Record<string, any> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = insideProperties || key === "enum" || key === "const" ? simplifyAlternatives(value, resolve, !insideProperties) : simplifyAlternatives(value, resolve, key === "properties" || key === "$defs" || key === "patternProperties");
  }
  if (insideProperties || !Array.isArray(out.anyOf) || out.anyOf.length !== 2) return out;
  const branches = out.anyOf.map((b: any) => (typeof b?.$ref === "string" && Object.keys(b).length === 1 ? resolve(b.$ref) ?? b : b));
  const isNull = (b: any) => b && b.type === "null" && Object.keys(b).length === 1;
  const isString = (b: any) => b && b.type === "string" && Object.keys(b).every((k) => STRING_KEYWORDS.has(k));
  const isStringEnum = (b: any) => b && Array.isArray(b.enum) && b.enum.every((v: unknown) => typeof v === "string") && Object.keys(b).every((k) => k === "enum" || k === "type");
  const rest = Object.fromEntries(Object.entries(out).filter(([k]) => k !== "anyOf"));
  const [a, b] = branches;
  if ((isStringEnum(a) && isString(b) && Object.keys(b).length === 1) || (isStringEnum(b) && isString(a) && Object.keys(a).length === 1)) {
    if (rest.type === undefined || rest.type === "string") return { ...rest, type: "string" };
  }
  const str = isString(a) && isNull(b) ? a : isString(b) && isNull(a) ? b : undefined;
  if (str && rest.type === undefined && !Object.keys(rest).some((k) => STRING_KEYWORDS.has(k))) return { ...rest, ...str, type: ["string", "null"] };
  return out;
}
