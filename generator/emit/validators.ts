// Emits precompiled validators per family: `validators/<family>.ajv.js` is ajv's standalone code
// (the open validator of every event; strict mode is a property walk, see strict-shape.ts; no ajv compile at import, no eval, plain ESM with
// ajv's runtime helpers inlined), and `validators/<family>.ts` wraps it in a validator that
// dispatches on the discriminant, plus a type guard per event.
import { Ajv } from "ajv";
import standaloneModule from "ajv/dist/standalone/index.js";
import type { Catalog, EventEntry } from "../catalog.js";
import type { FamilyModel, Model, ReplySchema } from "../model/build-model.js";
import type { GeneratedFile } from "../generated-file.js";
import { identifier, pascalCase, simplifyAlternatives, stripAnnotations } from "../schema-transforms.js";
import { resolvePointer, resolveRef } from "../schema-refs.js";
import { shapeOf } from "../strict-shapes.js";

// ajv ships CommonJS; its default export is the function itself (typed as `.default`).
const standaloneCode = standaloneModule.default ?? (standaloneModule as unknown as typeof standaloneModule.default);

/** ajv's runtime helpers, inlined so the standalone module needs no `require` (ajv issues #1976, #2209). */
const INLINE_HELPERS: Record<string, string> = {
  ucs2length: `function ucs2length(str) { let length = 0; let pos = 0; const len = str.length; while (pos < len) { length++; const value = str.charCodeAt(pos++); if (value >= 0xd800 && value <= 0xdbff && pos < len) { const next = str.charCodeAt(pos); if ((next & 0xfc00) === 0xdc00) pos++; } } return length; }`,
  equal: `function equal(a, b) { if (a === b) return true; if (a && b && typeof a === "object" && typeof b === "object") { if (a.constructor !== b.constructor) return false; if (Array.isArray(a)) { if (a.length !== b.length) return false; for (let i = a.length; i-- !== 0;) if (!equal(a[i], b[i])) return false; return true; } const keys = Object.keys(a); if (keys.length !== Object.keys(b).length) return false; for (const key of keys) if (!Object.prototype.hasOwnProperty.call(b, key) || !equal(a[key], b[key])) return false; return true; } return a !== a && b !== b; }`,
};

/**
 * One Ajv instance holding every schema (same options everywhere). The schemas are JSON Schema
 * 2020-12, but they are compiled with ajv's draft-07 engine: its 2020 engine threads dynamic-scope
 * bookkeeping ($dynamicRef, unevaluated*) through every generated function, which costs ~20% per call
 * on a typical callback. The catalog refuses the 2020-only keywords, so for our schemas the two engines
 * mean exactly the same thing.
 */
export function createAjv(catalog: Catalog): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    allowUnionTypes: true,
    validateFormats: false,
    code: { source: true, esm: true, lines: false, optimize: true },
  });
  for (const [id, schema] of catalog.schemas) {
    const resolve = (ref: string) => {
      const target = resolveRef(id, ref);
      const found = resolvePointer(catalog.schemas.get(target.id), target.pointer);
      return found === undefined ? undefined : stripAnnotations(found);
    };
    const { $schema: _draft, ...rest } = simplifyAlternatives(stripAnnotations(schema), resolve);
    ajv.addSchema(rest);
  }
  return ajv;
}

/** Replace ajv's `require("ajv/dist/runtime/x").default` with inlined helpers; fail on anything else. */
export function inlineRuntimeHelpers(code: string): string {
  const used = new Set<string>();
  const out = code.replace(/require\("ajv\/dist\/runtime\/(\w+)"\)\.default/g, (_, name: string) => {
    if (!INLINE_HELPERS[name]) throw new Error(`standalone code needs ajv runtime helper "${name}", which is not inlined`);
    used.add(name);
    return `__${name}`;
  });
  if (/\brequire\(/.test(out)) throw new Error("standalone validator code still contains require(): it would not load as ESM");
  const helpers = [...used].sort().map((name) => `const __${name} = ${INLINE_HELPERS[name].replace(/^function \w+/, "function")};`);
  return out.replace(/^"use strict";/, `"use strict";\n${helpers.join("\n")}\n`);
}

/** Every `pattern` that carries an `x-bw-hint`, across all schemas: pattern → words. */
export function patternHints(catalog: Catalog): Record<string, string> {
  const hints: Record<string, string> = {};
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === "object") {
      const n = node as Record<string, unknown>;
      if (typeof n.pattern === "string" && typeof n["x-bw-hint"] === "string") hints[n.pattern] = n["x-bw-hint"];
      for (const [key, value] of Object.entries(n)) if (key !== "examples") visit(value);
    }
  };
  for (const schema of catalog.schemas.values()) visit(schema);
  return Object.fromEntries(Object.entries(hints).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `json-array` families: the validator of a whole request body (the array), element by element. */
function batchWrapper(family: FamilyModel): string {
  if (!family.batchValidator) return "";
  return `
/**
 * Validate a whole ${family.name} request body: a JSON array of events, each checked by \`${family.validator}\`;
 * errors point into the array (\`/0/message/id\`). \`type\` lists the event types, comma-separated.
 *
 * @example
 * const result = ${family.batchValidator}(JSON.parse(body));
 * if (result.ok) for (const event of result.value) console.log(event.type);
 */
export const ${family.batchValidator}: FamilyValidator<${family.union}[]> = createBatchValidator<${family.union}>({
  family: ${JSON.stringify(family.name)},
  element: ${family.validator},
});
`;
}

/**
 * XML families: the roots and always-array element paths from each schema's \`x-bw.xml\`, bound into
 * \`parse<Family>Body\` (handler runtime), \`validate<Family>Xml\` (CLI, users) and \`render<Family>Reply\`.
 */
function xmlWrapper(family: FamilyModel, events: readonly EventEntry[]): string {
  if (family.body !== "xml") return "";
  const roots: Record<string, string[]> = {};
  const rootOf: Record<string, string> = {};
  for (const e of events) {
    const xml = e.meta.xml as { root?: string; arrays?: string[] } | undefined;
    if (typeof xml?.root !== "string") throw new Error(`${e.file}: an XML family's event needs x-bw.xml.root`);
    rootOf[e.event] = xml.root;
    const list = (roots[xml.root] ??= []);
    for (const path of xml.arrays ?? []) if (!list.includes(path)) list.push(path);
  }
  for (const list of Object.values(roots)) list.sort();
  // An event that alone has its root and is selected by the presence of one element (the port-out
  // validation request by TelephoneNumbers): a document with that root but without the element is
  // reported as missing it, not as missing the family's discriminant.
  const identifiedBy: Record<string, string> = {};
  for (const rule of family.select ?? []) {
    if (rule.property === undefined || rule.event === undefined || !(rule.event in rootOf)) continue;
    if (Object.values(rootOf).filter((root) => root === rootOf[rule.event as string]).length === 1) identifiedBy[rule.event] = rule.property;
  }
  const sorted = <V>(o: Record<string, V>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const P = pascalCase(family.name);
  return `
const ${family.name}Xml = createXmlFamily<${family.union}>({
  family: ${JSON.stringify(family.name)},
  roots: ${JSON.stringify(sorted(roots))},
  rootOf: ${JSON.stringify(sorted(rootOf))},${Object.keys(identifiedBy).length > 0 ? `\n  identifiedBy: ${JSON.stringify(sorted(identifiedBy))},` : ""}
  validate: ${family.validator},
});

/**
 * Turn a ${family.name} XML body into its JSON form (safe parser; repeated elements listed in the schemas are arrays). Throws on refused XML.
 *
 * @example
 * const notification = parse${P}Body(body); // { OrderType: "portins", Status: "COMPLETE", … }: not validated
 */
export const parse${P}Body: (text: string) => Record<string, unknown> = ${family.name}Xml.parseBody;

/**
 * Validate a ${family.name} XML document: parse it safely, map it to its JSON form, check it against its schema.
 *
 * @example
 * const result = validate${P}Xml(body);
 * if (result.ok) console.log(result.type, result.value); else console.error(result.errors);
 */
export const validate${P}Xml: (text: string | Uint8Array, options?: ValidateOptions) => XmlValidationResult<${family.union}> = ${family.name}Xml.validateXml;

/**
 * Render the ${family.name} handler's answer as the runtime sends it (family-specific XML replies): to check one in a test.
 *
 * @example
 * render${P}Reply("port-out-validation-response", { portable: true }); // '<?xml …><PortOutValidationResponse>…'
 */
export const render${P}Reply: (kind: string, result: unknown) => string | undefined = renderXmlReply;
`;
}

/** JSON reply validators and the family's reply renderer (only for families whose events declare a reply schema). */
function replyWrapper(family: FamilyModel, replies: readonly ReplySchema[]): string {
  if (replies.length === 0) return "";
  const P = pascalCase(family.name);
  const validators = replies
    .map(
      (r) => `
/**
 * Validate your ${r.title} (the answer Bandwidth receives) before it is sent: the typed value, or \`{ path, message }\` errors.
 *
 * @example
 * const result = validate${r.title}(reply);
 * if (!result.ok) console.error(result.errors);
 */
export const validate${r.title}: ReplyValidator<${r.title}> = createReplyValidator<${r.title}>(${JSON.stringify(r.title)}, compiled.${r.exportName});`,
    )
    .join("\n");
  const table = replies.map((r) => `${JSON.stringify(r.kind)}: validate${r.title} as ReplyValidator<unknown>`).join(", ");
  return `${validators}

/**
 * Render the ${family.name} handler's JSON answer as the runtime sends it (checked against its schema; throws \`InvalidReplyError\` when it does not match): to check one in a test.
 *
 * @example
 * render${P}Reply(${JSON.stringify(replies[0]?.kind ?? "json")}, reply); // { contentType: "application/json; charset=utf-8", body: "{…}" }
 */
export const render${P}Reply: (kind: string, result: unknown) => FamilyReply | undefined = createJsonReplyRenderer({ ${table} });
`;
}

/** The family's renames as the validator spec's `renames` entry (earlier name → current name), or nothing. */
function renamesOf(family: FamilyModel): string {
  const renames = family.renames ?? [];
  if (renames.length === 0) return "";
  return `\n  renames: { ${renames.map((r) => `${JSON.stringify(r.from)}: ${JSON.stringify(r.to)}`).join(", ")} },`;
}

function familyFiles(catalog: Catalog, ajv: Ajv, family: FamilyModel): GeneratedFile[] {
  const events = family.events;
  const exportsMap: Record<string, string> = {};
  for (const e of events) {
    exportsMap[`lenient_${identifier(e.event)}`] = e.id;
  }
  const replies = family.replies;
  for (const r of replies) exportsMap[r.exportName] = r.ref;
  const code = inlineRuntimeHelpers(standaloneCode(ajv, exportsMap));
  const source = `schemas/${family.name}/*.schema.json`;
  const ajvDts = [
    `import type { CompiledValidator } from "../runtime/validation.js";`,
    ...Object.keys(exportsMap).map((name) => `export declare const ${name}: CompiledValidator;`),
    "",
  ].join("\n");

  const table = (prefix: string) =>
    `{\n${events
      .map((e) => `  ${JSON.stringify(e.event)}: compiled.${prefix}_${identifier(e.event)},`)
      .join("\n")}\n}`;
  // Strict mode: the properties each event's schema knows (walked after the open validator passes).
  const shapes = () =>
    `{\n${events
      .map((e) => `  ${JSON.stringify(e.event)}: ${JSON.stringify(shapeOf(catalog, e.id, e.schema))},`)
      .join("\n")}\n}`;
  const guards = events
    .map(
      (e) => `/**
 * True when \`value\` is a valid ${e.title} (\`${family.discriminant ?? "event"}\` ${JSON.stringify(e.event)}).
 *
 * @example
 * if (is${pascalCase(e.title)}(value)) handle(value); // value: ${e.title}
 */
export function is${pascalCase(e.title)}(value: unknown): value is ${e.title} {
  return compiled.lenient_${identifier(e.event)}(value);
}`,
    )
    .join("\n\n");
  const label = family.discriminant ?? family.select?.find((r) => r.property !== undefined && r.event === undefined)?.property ?? "type";
  const how = family.select ? `its structure (${family.select.map((r) => r.property ?? "otherwise").join(", ")})` : `\`${family.discriminant}\``;
  const wrapper = `import * as compiled from "./${family.name}.ajv.js";
import { createFamilyValidator, ${family.batchValidator ? "createBatchValidator, " : ""}type FamilyValidator } from "../runtime/dispatch.js";
import type { ${[family.union, ...events.map((e) => e.title), ...replies.map((r) => r.title)].join(", ")} } from "../types.js";${
    replies.length > 0
      ? `\nimport { createJsonReplyRenderer, createReplyValidator, type ReplyValidator } from "../runtime/http/json-reply.js";\nimport type { FamilyReply } from "../runtime/http/core.js";`
      : ""
  }${
    family.body === "xml"
      ? `\nimport { createXmlFamily, renderNumbersReply as renderXmlReply, type XmlValidationResult } from "../runtime/xml/numbers.js";\nimport type { ValidateOptions } from "../runtime/validation.js";`
      : ""
  }

/**
 * Validate one ${family.name} ${family.body === "json-array" ? "event (one element of a request body)" : "callback"}: picks the schema by ${how} and returns the typed
 * value or a list of \`{ path, message }\` errors. Unknown properties are accepted unless \`strict\`.
 *
 * @example
 * const result = ${family.validator}(JSON.parse(body));
 * if (result.ok) handle(result.value); else console.error(result.errors);
 */
export const ${family.validator}: FamilyValidator<${family.union}> = createFamilyValidator<${family.union}>({
  family: ${JSON.stringify(family.name)},
  discriminant: ${JSON.stringify(label)},${family.select ? `\n  select: ${JSON.stringify(family.select)},` : ""}
  lenient: ${table("lenient")},${renamesOf(family)}
  shapes: ${shapes()},
  hints: ${JSON.stringify(patternHints(catalog), null, 2).replace(/\n/g, "\n  ")},
});

${guards}
${batchWrapper(family)}${xmlWrapper(family, events)}${replyWrapper(family, replies)}`;
  return [
    { path: `validators/${family.name}.ajv.js`, contents: code, source },
    { path: `validators/${family.name}.ajv.d.ts`, contents: ajvDts, source },
    { path: `validators/${family.name}.ts`, contents: wrapper, source },
  ];
}

export function emitValidators(model: Model): GeneratedFile[] {
  const ajv = createAjv(model.catalog);
  return model.families.filter((family) => family.validated).flatMap((family) => familyFiles(model.catalog, ajv, family));
}
