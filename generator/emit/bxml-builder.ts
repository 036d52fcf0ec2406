// Emits the BXML outputs from schemas/bxml/*.schema.json:
// - generated/bxml/rules.ts: the compact rules table (element → attributes with types/ranges, allowed
//   children and counts, text rule, named checks) that rendering, parsing and validation all read;
// - generated/bxml/index.ts: the typed tree (one interface per element), the typed builder (one
//   function per element; nesting rules enforced by the types), the document class, and parseBxml /
//   renderBxml / validateBxml bound to the rules table.
import type { Model } from "../model/build-model.js";
import type { GeneratedFile } from "../generated-file.js";
import type { AttributeModel, BxmlAttribute, BxmlElementModel, BxmlModel } from "./bxml-model.js";

const SOURCE = "schemas/bxml/*.schema.json";

export function emitBxml(generatorModel: Model): GeneratedFile[] {
  const model = generatorModel.bxml;
  if (model.elements.length === 0) return [];
  return [
    { path: "bxml/rules.ts", contents: emitRules(model), source: SOURCE },
    { path: "bxml/index.ts", contents: emitBuilder(model), source: SOURCE },
  ];
}

const q = (s: string): string => JSON.stringify(s);
const prop = (s: string): string => (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s) ? s : q(s));
const doc = (s: string): string => s.replace(/\*\//g, "*\\/");

function ruleLiteral(rule: AttributeModel): string {
  switch (rule.type) {
    case "string": {
      const parts = [`type: "string"`];
      if (rule.maxLength !== undefined) parts.push(`maxLength: ${rule.maxLength}`);
      if (rule.pattern !== undefined) parts.push(`pattern: new RegExp(${q(rule.pattern)}, "u")`);
      if (rule.message !== undefined) parts.push(`message: ${q(rule.message)}`);
      return `{ ${parts.join(", ")} }`;
    }
    case "enum":
      return `{ type: "enum", values: [${rule.values.map(q).join(", ")}] }`;
    case "boolean":
      return `{ type: "boolean" }`;
    default: {
      const parts = [`type: ${q(rule.type)}`];
      if (rule.min !== undefined) parts.push(`min: ${rule.min}`);
      if (rule.max !== undefined) parts.push(`max: ${rule.max}`);
      return `{ ${parts.join(", ")} }`;
    }
  }
}

function emitRules(model: BxmlModel): string {
  const lines: string[] = [];
  lines.push(`// The BXML rules table: one entry per element schema in schemas/bxml/. Read by rendering,`);
  lines.push(`// parsing and validation (templates/runtime/bxml/).`);
  lines.push(`import type { BxmlRules } from "../runtime/bxml/rules.js";`);
  lines.push("");
  lines.push(`/** Every BXML element: attributes (type, enum, range, pattern), required attributes, content, allowed children and counts. */`);
  lines.push(`export const BXML_RULES: BxmlRules = {`);
  lines.push(`  roots: { ${model.roots.map((r) => `${prop(r.name)}: ${q(r.key)}`).join(", ")} },`);
  lines.push(`  elements: {`);
  for (const el of model.elements) {
    lines.push(`    ${prop(el.key)}: {`);
    lines.push(`      name: ${q(el.name)},`);
    lines.push(`      content: ${q(el.content)},`);
    lines.push(`      attributes: {${el.attributes.length ? `\n${el.attributes.map((a) => `        ${prop(a.name)}: ${ruleLiteral(a.rule)},`).join("\n")}\n      ` : ""}},`);
    lines.push(`      required: [${el.attributes.filter((a) => a.required).map((a) => q(a.name)).join(", ")}],`);
    lines.push(`      children: { ${el.children.map((k) => `${prop(model.byKey.get(k)!.name)}: ${q(k)}`).join(", ")} },`);
    lines.push(`      min: ${el.min},`);
    lines.push(`      max: ${el.max},`);
    if (el.text) {
      const parts: string[] = [];
      if (el.text.pattern !== undefined) parts.push(`pattern: new RegExp(${q(el.text.pattern)}, "u")`);
      if (el.text.maxLength !== undefined) parts.push(`maxLength: ${el.text.maxLength}`);
      if (el.text.message !== undefined) parts.push(`message: ${q(el.text.message)}`);
      lines.push(`      text: { ${parts.join(", ")} },`);
    }
    lines.push(`      checks: [${el.checks.map(q).join(", ")}],`);
    lines.push(`    },`);
  }
  lines.push(`  },`);
  const scopes = model.roots.find((r) => r.scopes)?.scopes ?? {};
  lines.push(`  scopes: {`);
  for (const [name, verbs] of Object.entries(scopes)) lines.push(`    ${prop(name)}: [${verbs.map(q).join(", ")}],`);
  lines.push(`  },`);
  lines.push(`  maxBytes: ${model.roots.find((r) => r.maxBytes)?.maxBytes ?? 65536},`);
  lines.push(`};`);
  return `${lines.join("\n")}\n`;
}

function tsType(rule: AttributeModel & { suggestions?: string[] }): string {
  switch (rule.type) {
    case "string":
      return rule.suggestions ? `${rule.suggestions.map(q).join(" | ")} | (string & {})` : "string";
    case "enum":
      return rule.values.map(q).join(" | ");
    case "boolean":
      return "boolean";
    default:
      return "number";
  }
}

function attributeDoc(a: BxmlAttribute): string {
  const facts: string[] = [];
  const r = a.rule;
  if (r.type === "integer" || r.type === "number") {
    const kind = r.type === "integer" ? "integer" : "decimal";
    facts.push(r.min !== undefined && r.max !== undefined ? `${kind}, ${r.min} to ${r.max}` : r.min !== undefined ? `${kind}, at least ${r.min}` : kind);
  }
  if (r.type === "string" && r.maxLength !== undefined) facts.push(`at most ${r.maxLength} characters`);
  if (a.default !== undefined) facts.push(`Bandwidth's default: ${JSON.stringify(a.default)}`);
  if (a.required) facts.push("required");
  return `${a.description}${facts.length ? ` (${facts.join("; ")})` : ""}`;
}

/** The name of the type alias of an element's content items. */
function childType(el: BxmlElementModel): string {
  return el.content === "mixed" ? `${el.key}Content` : `${el.key}Child`;
}

function attributesType(el: BxmlElementModel): string {
  return el.attributes.length ? `${el.key}Attributes` : "NoAttributes";
}

function childrenType(el: BxmlElementModel): string {
  switch (el.content) {
    case "empty":
      return "[]";
    case "text":
      return el.min > 0 ? "[string]" : "[] | [string]";
    default:
      return `${childType(el)}[]`;
  }
}

/** The schema's first example written as a builder call, for the JSDoc `@example`. */
function example(el: BxmlElementModel, model: BxmlModel): string {
  const call = (node: { name: string; attributes: Record<string, unknown>; children: unknown[] }, e: BxmlElementModel): string => {
    const fn = e.kind === "ssml" ? `ssml.${ssmlName(e)}` : e.key;
    const entries = Object.entries(node.attributes ?? {});
    const attrs = entries.length ? `{ ${entries.map(([k, v]) => `${prop(k)}: ${JSON.stringify(v)}`).join(", ")} }` : "";
    const kids = (node.children ?? []).map((child) => {
      if (typeof child === "string") return JSON.stringify(child);
      const c = child as { name: string; attributes: Record<string, unknown>; children: unknown[] };
      const childModel = e.children.map((k) => model.byKey.get(k)!).find((m) => m.name === c.name)!;
      return call(c, childModel);
    });
    switch (e.content) {
      case "empty":
        return `${fn}(${attrs})`;
      case "text":
        return `${fn}(${[kids[0] ?? (e.min > 0 ? '""' : ""), attrs].filter(Boolean).join(", ")})`;
      case "mixed": {
        const content = kids.length === 1 && kids[0].startsWith('"') ? kids[0] : `[${kids.join(", ")}]`;
        return `${fn}(${[content, attrs].filter(Boolean).join(", ")})`;
      }
      default:
        return `${fn}(${[attrs || (kids.length && e.attributes.length && kids.length ? "" : ""), ...kids].filter(Boolean).join(", ")})`;
    }
  };
  // roots: the last (fullest) example; others: the first (minimal) one
  const first = (el.kind === "root" ? el.examples[el.examples.length - 1] : el.examples[0]) as { name: string; attributes: Record<string, unknown>; children: unknown[] } | undefined;
  return first ? call(first, el) : `${el.key}()`;
}

function ssmlName(el: BxmlElementModel): string {
  return el.name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The voice-bot pattern, written once: a bidirectional <StartStream> and the <StopStream wait="true"/>
 * that keeps the call up while the socket is open (Bandwidth's StartStream docs, "Execution Behavior";
 * templates/runtime/bxml/stream-keep-alive.ts warns when a document lacks it). Emitted when the schemas
 * define the three elements it builds.
 */
const BIDIRECTIONAL_STREAM = `/** Basic credentials: a user name and a password, always given together. */
export interface BasicCredentialPair {
  readonly username: string;
  readonly password: string;
}

/** Options of {@link bidirectionalStream}. */
export interface BidirectionalStreamOptions {
  /** WebSocket URI (wss://…) Bandwidth connects to. */
  readonly destination: string;
  /** Stream name, unique per call; the <StopStream> that keeps the call up names it. */
  readonly name: string;
  /** Sent by Bandwidth as HTTP Basic credentials on the WebSocket handshake (destinationUsername / destinationPassword). */
  readonly credentials?: BasicCredentialPair;
  /** Up to 12 parameters (name ≤ 256, value ≤ 2048 characters), copied into the socket's \`start\` message as \`streamParams\`. */
  readonly streamParams?: Readonly<Record<string, string>>;
  /** Which audio is streamed (Bandwidth's default: inbound, the caller). */
  readonly tracks?: StartStreamAttributes["tracks"];
  /** Where Bandwidth sends mediaStreamStarted / Rejected / Stopped. */
  readonly streamEventUrl?: string;
  /** HTTP method for the stream events. */
  readonly streamEventMethod?: StartStreamAttributes["streamEventMethod"];
  /** Basic credentials Bandwidth sends with streamEventUrl (https required). */
  readonly streamEventCredentials?: BasicCredentialPair;
}

/**
 * A two-way media stream for a voice bot: \`<StartStream mode="bidirectional">\` followed by
 * \`<StopStream name wait="true"/>\`, which holds the call until the socket closes (<StartStream> alone
 * does not block: as the last verb, the call would end at once). Spread it into a document; verbs after
 * it run once the stream has ended.
 *
 * @example
 * Response(
 *   SpeakSentence("Connecting you to our assistant."),
 *   ...bidirectionalStream({ destination: "wss://bot.example.com/media", name: "bot", credentials: { username: "bw", password: secret }, streamParams: { customer: "42" } }),
 *   Hangup(),
 * ).toXml();
 */
export function bidirectionalStream(options: BidirectionalStreamOptions): [StartStreamElement, StopStreamElement] {
  const attributes: StartStreamAttributes = { destination: options.destination, name: options.name, mode: "bidirectional" };
  if (options.tracks !== undefined) attributes.tracks = options.tracks;
  if (options.credentials !== undefined) {
    attributes.destinationUsername = options.credentials.username;
    attributes.destinationPassword = options.credentials.password;
  }
  if (options.streamEventUrl !== undefined) attributes.streamEventUrl = options.streamEventUrl;
  if (options.streamEventMethod !== undefined) attributes.streamEventMethod = options.streamEventMethod;
  if (options.streamEventCredentials !== undefined) {
    attributes.username = options.streamEventCredentials.username;
    attributes.password = options.streamEventCredentials.password;
  }
  const params = Object.entries(options.streamParams ?? {}).map(([name, value]) => StreamParam({ name, value }));
  return [StartStream(attributes, ...params), StopStream({ name: options.name, wait: true })];
}
`;

/**
 * A live transcription whose socket authenticates: <StartTranscription> has no credential attribute, so
 * its destination carries a signed, expiring, per-call token (templates/runtime/sockets/transcription-token.ts,
 * checked on the upgrade by the stream server). Emitted when the schemas define the two elements it builds.
 */
const LIVE_TRANSCRIPTION = `/** Options of {@link liveTranscription}. */
export interface LiveTranscriptionOptions {
  /** The transcription socket's URL without the token, e.g. \`wss://bot.example.com/sockets/transcription\`. */
  readonly baseUrl: string;
  /** The token secret (the newest one while rotating; the stream server's verifier accepts every configured one). */
  readonly secret: TranscriptionTokenSecret;
  /** The call the BXML answers (the callback's \`callId\`): the socket's \`start\` must be for this call. */
  readonly callId: string;
  /** Seconds the token stays valid (default 300, at most 3600): Bandwidth connects when it reaches the verb. */
  readonly expiresInSeconds?: number;
  /** Transcription name, unique per call (<StopTranscription> names it). */
  readonly name?: string;
  /** Which audio is transcribed (Bandwidth's default: inbound). */
  readonly tracks?: StartTranscriptionAttributes["tracks"];
  /** Send only stable results (Bandwidth's default: true). */
  readonly stabilized?: boolean;
  /** Up to 12 parameters, copied into the socket's \`start\` message as \`customParams\`. */
  readonly customParams?: Readonly<Record<string, string>>;
  /** Where Bandwidth sends the realTimeTranscription HTTP events. */
  readonly transcriptionEventUrl?: string;
  /** HTTP method for those events. */
  readonly transcriptionEventMethod?: StartTranscriptionAttributes["transcriptionEventMethod"];
  /** Basic credentials Bandwidth sends with transcriptionEventUrl (https required). */
  readonly transcriptionEventCredentials?: BasicCredentialPair;
}

/**
 * A \`<StartTranscription>\` whose \`destination\` carries a signed, expiring token for this call
 * (\`transcriptionDestination\` of \`bw-codegen/sockets\`), so the stream server can refuse anyone
 * else's socket on the upgrade. Async: the token is signed with Web Crypto.
 *
 * @example
 * answer: async (event) => Response(
 *   await liveTranscription({ baseUrl: "wss://bot.example.com/sockets/transcription", secret, callId: event.callId, name: "live", customParams: { customer: "42" } }),
 *   ...bidirectionalStream({ destination: "wss://bot.example.com/sockets/stream", name: "bot", credentials }),
 * ),
 */
export async function liveTranscription(options: LiveTranscriptionOptions): Promise<StartTranscriptionElement> {
  const destination = await transcriptionDestination({ baseUrl: options.baseUrl, secret: options.secret, callId: options.callId, expiresInSeconds: options.expiresInSeconds });
  const attributes: StartTranscriptionAttributes = { destination };
  if (options.name !== undefined) attributes.name = options.name;
  if (options.tracks !== undefined) attributes.tracks = options.tracks;
  if (options.stabilized !== undefined) attributes.stabilized = options.stabilized;
  if (options.transcriptionEventUrl !== undefined) attributes.transcriptionEventUrl = options.transcriptionEventUrl;
  if (options.transcriptionEventMethod !== undefined) attributes.transcriptionEventMethod = options.transcriptionEventMethod;
  if (options.transcriptionEventCredentials !== undefined) {
    attributes.username = options.transcriptionEventCredentials.username;
    attributes.password = options.transcriptionEventCredentials.password;
  }
  const params = Object.entries(options.customParams ?? {}).map(([name, value]) => CustomParam({ name, value }));
  return StartTranscription(attributes, ...params);
}
`;

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: over the limit of 40 when the limit was set (issue 21); split it when it is next changed
function emitBuilder(model: BxmlModel): string {
  const out: string[] = [];
  const verbs = model.roots[0].children.map((k) => model.byKey.get(k)!);
  out.push(`// The typed BXML builder, the typed tree and the entry points for parsing, rendering and`);
  out.push(`// validating BXML, generated from the element schemas. Nesting rules live in the types: a`);
  out.push(`// <Transfer> takes only <PhoneNumber>/<SipUri>, a <Gather> only <SpeakSentence>/<PlayAudio>,`);
  out.push(`// a <Response> only verbs. Every value is escaped when rendered; SSML exists only as typed nodes.`);
  out.push(`import { BXML_RULES } from "./rules.js";`);
  out.push(`import { renderBxml as renderWithRules, BxmlRenderError, type BxmlRenderOptions } from "../runtime/bxml/render.js";`);
  out.push(`import { parseBxml as parseWithRules, parseBxmlContent, type BxmlParseOptions, type BxmlParseResult } from "../runtime/bxml/parse.js";`);
  out.push(`import type { BxmlNode, BxmlCheckOptions } from "../runtime/bxml/rules.js";`);
  out.push(`import { validateBxmlTree } from "../runtime/bxml/tree.js";`);
  const liveTranscription = ["StartTranscription", "CustomParam", "StartStream", "StopStream", "StreamParam"].every((key) => model.byKey.has(key));
  if (liveTranscription) out.push(`import { transcriptionDestination, type TranscriptionTokenSecret } from "../runtime/sockets/transcription-token.js";`);
  out.push("");
  out.push(`export { BxmlRenderError } from "../runtime/bxml/render.js";`);
  out.push(`export type { BxmlRenderOptions } from "../runtime/bxml/render.js";`);
  out.push(`export type { BxmlParseOptions, BxmlParseResult } from "../runtime/bxml/parse.js";`);
  out.push(`export type { BxmlNode, BxmlCheckOptions } from "../runtime/bxml/rules.js";`);
  out.push("");
  out.push(`/** Attributes of an element that has none. */`);
  out.push(`export type NoAttributes = Record<string, never>;`);
  out.push("");
  out.push(`/** Any verb that may appear directly in <Response> or <Bxml>. */`);
  out.push(`export type BxmlVerb = ${verbs.map((v) => v.title).join(" | ")};`);
  out.push(`/** Names of the root elements. */`);
  out.push(`export type BxmlRootName = ${model.roots.map((r) => q(r.name)).join(" | ")};`);
  out.push("");

  // ---- types
  for (const el of model.elements) {
    if (el.attributes.length) {
      out.push(`/** Attributes of <${el.name}>. */`);
      out.push(`export type ${el.key}Attributes = {`);
      for (const a of el.attributes) {
        out.push(`  /** ${doc(attributeDoc(a))} */`);
        out.push(`  ${prop(a.name)}${a.required ? "" : "?"}: ${tsType(a.rule)};`);
      }
      out.push(`};`);
    }
    if (el.content === "elements" || el.content === "mixed") {
      const kids = el.children.map((k) => model.byKey.get(k)!.title);
      out.push(`/** What <${el.name}> may contain. */`);
      out.push(`export type ${childType(el)} = ${el.content === "mixed" ? ["string", ...kids].join(" | ") : kids.join(" | ")};`);
    }
    out.push(`/** <${el.name}> in the JSON form: ${doc(el.summary)}. ${doc(el.description)} */`);
    out.push(`export interface ${el.title} {`);
    out.push(`  name: ${q(el.name)};`);
    out.push(`  attributes: ${attributesType(el)};`);
    out.push(`  children: ${childrenType(el)};`);
    out.push(`}`);
    out.push("");
  }

  // ---- document class
  out.push(`/**`);
  out.push(` * A whole BXML document (<Response> or <Bxml>): the JSON form plus rendering. \`toXml()\` checks the`);
  out.push(` * tree against the rules and writes it with everything escaped; it throws {@link BxmlRenderError}`);
  out.push(` * rather than send BXML Bandwidth would reject.`);
  out.push(` *`);
  out.push(` * @example`);
  out.push(` * Response(Gather({ gatherUrl: "/menu", maxDigits: 1 }, SpeakSentence("Press 1")), Hangup()).toXml();`);
  out.push(` */`);
  out.push(`export class BxmlDocument<Name extends BxmlRootName = BxmlRootName> {`);
  out.push(`  readonly name: Name;`);
  out.push(`  readonly attributes: NoAttributes;`);
  out.push(`  readonly children: BxmlVerb[];`);
  out.push(`  constructor(name: Name, children: BxmlVerb[]) {`);
  out.push(`    this.name = name;`);
  out.push(`    this.attributes = {};`);
  out.push(`    this.children = children;`);
  out.push(`  }`);
  out.push(`  /** Renders the document with the XML declaration (see {@link BxmlRenderOptions}). */`);
  out.push(`  toXml(options?: BxmlRenderOptions): string {`);
  out.push(`    return renderWithRules(this, BXML_RULES, options);`);
  out.push(`  }`);
  out.push(`  /** Same as \`toXml()\`. */`);
  out.push(`  toString(): string {`);
  out.push(`    return renderWithRules(this, BXML_RULES);`);
  out.push(`  }`);
  out.push(`}`);
  out.push(`/** A document whose root is <Response> (webhook replies). */`);
  out.push(`export type ResponseDocument = BxmlDocument<"Response">;`);
  out.push(`/**`);
  out.push(` * What a voice handler returns for a BXML event: a built document, or a BXML string. A string is checked`);
  out.push(` * against the BXML rules before it is sent, in production too (a document is checked in development):`);
  out.push(` * an invalid one answers 500 and is reported to \`onError\` instead of reaching Bandwidth.`);
  out.push(` */`);
  out.push(`export type VoiceBxmlReply = BxmlDocument | string;`);
  out.push("");
  out.push(`function isElement(value: unknown): value is BxmlNode {`);
  out.push(`  return typeof value === "object" && value !== null && Array.isArray((value as BxmlNode).children) && typeof (value as BxmlNode).name === "string";`);
  out.push(`}`);
  out.push("");

  // ---- builders
  for (const el of model.elements) {
    const fnName = el.key;
    const attrsT = `${el.key}Attributes`;
    const hasAttrs = el.attributes.length > 0;
    const attrsRequired = el.attributes.some((a) => a.required);
    const ret = el.title;
    const jsdoc = (extra: string[] = []) => {
      out.push(`/**`);
      out.push(` * <${el.name}>: ${doc(el.summary)}.${extra.length ? ` ${extra.join(" ")}` : ""}`);
      out.push(` *`);
      out.push(` * @example`);
      out.push(` * ${example(el, model)}`);
      out.push(` */`);
    };
    const attrParam = hasAttrs ? (attrsRequired ? `attributes: ${attrsT}` : `attributes?: ${attrsT}`) : "";
    const attrValue = hasAttrs ? (attrsRequired ? "attributes" : "attributes ?? {}") : "{}";
    if (el.kind === "root") {
      jsdoc(["Children are verbs, executed top to bottom."]);
      out.push(`export function ${fnName}(...children: ${childType(el)}[]): BxmlDocument<${q(el.name)}> {`);
      out.push(`  return new BxmlDocument(${q(el.name)}, children);`);
      out.push(`}`);
      out.push("");
      if (fnName === "Response") {
        // `Response` shadows the Fetch API's global Response in a file that imports it (Workers, Hono, Deno)
        out.push(`/**`);
        out.push(` * The same function as \`Response\`, under a name that does not shadow the Fetch API's global`);
        out.push(` * \`Response\`: use it in a file that also builds HTTP responses (Cloudflare Workers, Hono, Deno).`);
        out.push(` *`);
        out.push(` * @example`);
        out.push(` * import { BxmlResponse, SpeakSentence } from "bw-codegen/bxml";`);
        out.push(` * const bxml = BxmlResponse(SpeakSentence("Hello")).toXml();`);
        out.push(` * return new Response(bxml, { headers: { "content-type": "application/xml" } }); // the Fetch Response`);
        out.push(` */`);
        out.push(`export const BxmlResponse: typeof Response = Response;`);
        out.push("");
      }
      continue;
    }
    switch (el.content) {
      case "empty":
        jsdoc();
        out.push(`export function ${fnName}(${attrParam}): ${ret} {`);
        out.push(`  return { name: ${q(el.name)}, attributes: ${attrValue}, children: [] };`);
        out.push(`}`);
        break;
      case "text":
        if (el.min > 0) {
          jsdoc([`The text is ${el.text?.message ? doc(el.text.message.replace(/^must be /, "")) : "required"}.`]);
          out.push(`export function ${fnName}(text: string${attrParam ? `, ${attrParam}` : ""}): ${ret} {`);
          out.push(`  return { name: ${q(el.name)}, attributes: ${attrValue}, children: [text] };`);
        } else {
          jsdoc(["Omit the text (or pass \"\") for none."]);
          out.push(`export function ${fnName}(text?: string${attrParam ? `, ${attrParam}` : ""}): ${ret} {`);
          out.push(`  return { name: ${q(el.name)}, attributes: ${attrValue}, children: text === undefined || text === "" ? [] : [text] };`);
        }
        out.push(`}`);
        break;
      case "mixed":
        jsdoc(["Content is a string (always escaped, never markup) or an array of strings and typed SSML nodes."]);
        out.push(`export function ${fnName}(content: string | ${childType(el)}[]${attrParam ? `, ${attrParam}` : ""}): ${ret} {`);
        out.push(`  return { name: ${q(el.name)}, attributes: ${attrValue}, children: typeof content === "string" ? (content === "" ? [] : [content]) : content };`);
        out.push(`}`);
        break;
      case "elements": {
        const c = childType(el);
        const rest = el.min > 0 && el.max === el.min ? `[${Array(el.min).fill(c).join(", ")}]` : el.min > 0 ? `[${c}, ...${c}[]]` : `${c}[]`;
        jsdoc([`Children: ${el.children.map((k) => `<${model.byKey.get(k)!.name}>`).join(", ")}${el.min > 0 || el.max >= 0 ? ` (${el.max < 0 ? `at least ${el.min}` : el.min === el.max ? `exactly ${el.min}` : `${el.min} to ${el.max}`})` : ""}.`]);
        if (!hasAttrs) {
          out.push(`export function ${fnName}(...children: ${rest}): ${ret} {`);
          out.push(`  return { name: ${q(el.name)}, attributes: {}, children };`);
        } else if (attrsRequired) {
          out.push(`export function ${fnName}(attributes: ${attrsT}, ...children: ${rest}): ${ret} {`);
          out.push(`  return { name: ${q(el.name)}, attributes, children };`);
        } else {
          out.push(`export function ${fnName}(...children: ${rest}): ${ret};`);
          out.push(`export function ${fnName}(attributes: ${attrsT} | undefined, ...children: ${rest}): ${ret};`);
          out.push(`export function ${fnName}(...args: Array<${attrsT} | ${c} | undefined>): ${ret} {`);
          out.push(`  if (args.length > 0 && !isElement(args[0])) {`);
          out.push(`    const attributes = (args.shift() as ${attrsT} | undefined) ?? {};`);
          out.push(`    return { name: ${q(el.name)}, attributes, children: args as ${c}[] };`);
          out.push(`  }`);
          out.push(`  return { name: ${q(el.name)}, attributes: {}, children: args as ${c}[] };`);
        }
        out.push(`}`);
        break;
      }
    }
    out.push("");
  }

  // ---- SSML namespace and entry points
  const ssmlEls = model.elements.filter((e) => e.kind === "ssml");
  const speak = model.elements.find((e) => e.name === "SpeakSentence");
  if (speak) {
    out.push(`/**`);
    out.push(` * The one explicit SSML entry point: parses SSML markup (text with <break/>, <emphasis>, … elements)`);
    out.push(` * into typed <SpeakSentence> content, validated against the SSML subset Bandwidth supports.`);
    out.push(` * Never pass untrusted text here; pass it as a plain string to SpeakSentence instead.`);
    out.push(` *`);
    out.push(` * @throws {BxmlRenderError} when the markup is not well-formed or breaks a rule.`);
    out.push(` * @example`);
    out.push(` * SpeakSentence(ssmlMarkup('Hello <break time="1s"/> <emphasis level="strong">world</emphasis>'));`);
    out.push(` */`);
    out.push(`export function ssmlMarkup(markup: string): ${childType(speak)}[] {`);
    out.push(`  const result = parseBxmlContent(markup, BXML_RULES, ${q(speak.key)});`);
    out.push(`  if (!result.ok) throw new BxmlRenderError(result.errors);`);
    out.push(`  return result.value as ${childType(speak)}[];`);
    out.push(`}`);
    out.push("");
  }
  if (ssmlEls.length) {
    out.push(`/**`);
    out.push(` * SSML builders for <SpeakSentence> content (\`ssml.break({ time: "1s" })\`), plus \`ssml.markup\` = {@link ssmlMarkup}.`);
    out.push(` *`);
    out.push(` * @example`);
    out.push(` * SpeakSentence("Hello", ssml.break({ time: "1s" }), ssml.emphasis({ level: "strong" }, "world"));`);
    out.push(` */`);
    out.push(`export const ssml: {`);
    for (const e of ssmlEls) out.push(`  ${prop(ssmlName(e))}: typeof ${e.key};`);
    if (speak) out.push(`  markup: typeof ssmlMarkup;`);
    out.push(`} = {`);
    for (const e of ssmlEls) out.push(`  ${prop(ssmlName(e))}: ${e.key},`);
    if (speak) out.push(`  markup: ssmlMarkup,`);
    out.push(`};`);
    out.push("");
  }
  if (["StartStream", "StopStream", "StreamParam"].every((key) => model.byKey.has(key))) out.push(BIDIRECTIONAL_STREAM);
  if (liveTranscription) out.push(LIVE_TRANSCRIPTION); // uses BasicCredentialPair from BIDIRECTIONAL_STREAM
  out.push(`function toDocument(root: BxmlNode): BxmlDocument {`);
  out.push(`  return new BxmlDocument(root.name as BxmlRootName, root.children as BxmlVerb[]);`);
  out.push(`}`);
  out.push("");
  out.push(`/**`);
  out.push(` * Parses and validates a BXML document: the typed document (render it again with \`.toXml()\`), or`);
  out.push(` * errors with element paths such as \`/Response/Gather[1]/@maxDigits\`. Rejects XML that is not`);
  out.push(` * well-formed, DOCTYPEs and entities, unknown elements, forbidden nesting, wrong attribute types,`);
  out.push(` * enums and ranges, and documents over 64 KB. Unknown attributes are warnings (errors with \`strict\`).`);
  out.push(` *`);
  out.push(` * @example`);
  out.push(` * const result = parseBxml('<Response><Gather maxDigits="0"/></Response>');`);
  out.push(` * // { ok: false, type: "Response", errors: [{ path: "/Response/Gather[1]/@maxDigits", message: "must be an integer from 1 to 50, not 0" }], warnings: [] }`);
  out.push(` */`);
  out.push(`export function parseBxml(xml: string | Uint8Array, options?: BxmlParseOptions): BxmlParseResult<BxmlDocument> {`);
  out.push(`  return parseWithRules(xml, BXML_RULES, toDocument, options);`);
  out.push(`}`);
  out.push("");
  out.push(`/**`);
  out.push(` * Checks and renders a BXML tree in the JSON form (or a built document) to XML.`);
  out.push(` *`);
  out.push(` * @throws {BxmlRenderError} listing every problem with its element path.`);
  out.push(` * @example`);
  out.push(` * renderBxml({ name: "Response", attributes: {}, children: [{ name: "Hangup", attributes: {}, children: [] }] });`);
  out.push(` */`);
  out.push(`export function renderBxml(tree: ${model.roots.map((r) => r.title).join(" | ")} | BxmlDocument, options?: BxmlRenderOptions): string {`);
  out.push(`  return renderWithRules(tree, BXML_RULES, options);`);
  out.push(`}`);
  out.push("");
  out.push(`/**`);
  out.push(` * Validates a BXML tree in the JSON form (e.g. from JSON.parse): the typed document, or errors with`);
  out.push(` * element paths. Unknown attributes are warnings unless \`strict\`.`);
  out.push(` *`);
  out.push(` * @example`);
  out.push(` * validateBxml({ name: "Response", attributes: {}, children: [] }).ok; // true`);
  out.push(` */`);
  out.push(`export function validateBxml(tree: unknown, options?: BxmlCheckOptions): BxmlParseResult<BxmlDocument> {`);
  out.push(`  const root = tree as BxmlNode;`);
  out.push(`  const { errors, warnings } = validateBxmlTree(root, BXML_RULES, options);`);
  out.push(`  const type = typeof root === "object" && root !== null && typeof root.name === "string" && Object.prototype.hasOwnProperty.call(BXML_RULES.roots, root.name) ? root.name : undefined;`);
  out.push(`  if (errors.length > 0 || type === undefined) return { ok: false, type, errors, warnings };`);
  out.push(`  return { ok: true, type, value: toDocument(root), warnings };`);
  out.push(`}`);
  return `${out.join("\n")}\n`;
}
