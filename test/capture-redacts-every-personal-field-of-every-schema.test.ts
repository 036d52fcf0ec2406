// The capture's redaction is a deny list (field names and free-text patterns): this test makes it hold for
// fields nobody listed. It walks every event schema in schemas/ (every family, every event, following $refs,
// anyOf branches and open maps), builds one delivery per event in which each string holds a distinctive
// personal-looking value that fits it (a phone number where a number goes, an e-mail for format email, a URL
// for uri, an id for ids, a person's name otherwise; enums, consts and date-times keep legal values), sends it
// through the redaction it gets when captured (JSON and XML bodies through the redactor, the emergency query
// through its URL redaction, socket messages through socket-entry.ts) and checks, value by value:
// - every value that is not an enum / const / date-time / duration / boolean / count is changed, and its
//   original is nowhere in the stored text;
// - enums, consts, date-times, durations, booleans and counts are unchanged (drift and replay need them);
// - the free-text fields of the allow-list below (texts Bandwidth or the application writes, kept so errors
//   stay readable and a replay takes the same branch) keep their words but lose the phone number and the
//   e-mail address written into them;
// - the generated delivery and its redacted form both pass the family's strict validator.
// A fixed key makes every run the same.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { type JsonSchema, loadCatalog, resolvePointer, resolveRef } from "../generator/catalog.js";
import { captureRedactor } from "../generated/runtime/capture/entry.js";
import { socketEntryOf } from "../generated/runtime/capture/socket-entry.js";
import { validateEmergencyRequest } from "../generated/validators/emergency.js";
import { validateEndpointEvent } from "../generated/validators/endpoint.js";
import { validateMessagingCallback } from "../generated/validators/messaging.js";
import { validateMfaCallback } from "../generated/validators/mfa.js";
import { validateNumbersXml } from "../generated/validators/numbers.js";
import { validateStreamMessage } from "../generated/validators/stream.js";
import { validateTfvCallback } from "../generated/validators/tfv.js";
import { validateTranscriptionMessage } from "../generated/validators/transcription.js";
import { validateVoiceCallback } from "../generated/validators/voice.js";
import { validateWebRtcEvent } from "../generated/validators/webrtc.js";

const catalog = loadCatalog(fileURLToPath(new URL("../schemas/", import.meta.url)));
const redactor = captureRedactor(new TextEncoder().encode("a fixed key for the schema-driven redaction test"), []);

/**
 * Free-text fields that are not personal data by themselves: texts Bandwidth writes (error messages, denial
 * reasons, status descriptions, a carrier's name, an error code), names the application chose (a stream's,
 * a transcription's, a conference's: `name`), the application's own tags and RBM postback data (it branches
 * on them: replaced, a replay would take another branch; `keep` is not needed for them), a language code and
 * a single pressed key. They may still quote a number or an address: the free-text patterns replace those
 * (checked below). A field added to a schema that is none of these must be redacted, or listed here with its
 * reason.
 */
const FREE_TEXT = new Set([
  "errorMessage", // voice, endpoint, tfv: Bandwidth's explanation of a failure
  "description", // messaging, mfa: Bandwidth's delivery status text
  "Message", // numbers: Bandwidth's text on an order's state change
  "errors", // tfv: Bandwidth's error texts
  "errorCode", // tfv: an HTTP-like status code ("400")
  "declineReasonDescription", // tfv: the reviewer's reason for denying a toll-free number's verification
  "denialReasonDescription", // tfv (2023 shape): the same
  "reason", // tfv additionalDenialReasons[].reason: the same
  "blockedReason", // tfv: why the number is blocked
  "carrierName", // messaging: the recipient's carrier ("T-Mobile")
  "tag", // voice, messaging, endpoint, webrtc: the application's own tag
  "tags", // endpoint: the application's own tags
  "postbackData", // messaging: the application's own RBM suggestion data (base64)
  "name", // voice: the application's name of a conference, a media stream, a transcription
  "streamName", // stream: the name the application gave <StartStream>
  "transcriptionName", // transcription: the name the application gave <StartTranscription>
  "language", // transcription: a language code (en-US)
  "digit", // voice dtmf: one pressed key
  "terminatingDigit", // voice gather: the key that ended it
]);
/** Members whose value is a count or a position: kept (`counter`/`limit`: diversions; `sequenceNumber`: a media frame's). */
const COUNTS = new Set(["counter", "limit", "sequenceNumber"]);
/** Enum-like fields a schema leaves open without listing values (tollfreePortingValidations' states are not documented): kept. */
const STATES = new Set(["Status"]);

const DATE_TIME = "2026-12-05T10:11:12.345Z";
const NAME = "Jane Q. Doe-Whitfield";
const EMAIL = "jane.doe@whitfield-family.name";
/** Written into every free-text field: must not survive. */
const QUOTED_NUMBER = "+19195550177";
const QUOTED_EMAIL = "j.whitfield@whitfield-family.name";
const PHONE_NAME = /(?:number|^from$|^to$|^owner$|^tn$|^origTo$|callerId$|^transferTo$)/i;
const ID_NAME = /(?:^id$|Id$|ID$)/;

type Expect = "changed" | "kept" | "free-text";
interface Leaf {
  readonly path: string;
  readonly value: unknown;
  readonly expect: Expect;
}

let serial = 0;
/** A distinct value per call: a number's last digits, an id's. */
const next = (): number => ++serial;

function deref(id: string, node: JsonSchema): [string, JsonSchema] {
  let at = id;
  let current = node;
  for (let i = 0; i < 20 && typeof current?.$ref === "string"; i++) {
    const target = resolveRef(at, current.$ref);
    const doc = catalog.schemas.get(target.id);
    at = target.id;
    current = (target.pointer ? resolvePointer(doc, target.pointer) : doc) as JsonSchema;
  }
  return [at, current];
}

/** The enum or const values a schema (or one of its anyOf branches) allows, if it is an enum. */
function legal(id: string, node: JsonSchema): unknown[] | undefined {
  if (node.const !== undefined) return [node.const];
  if (Array.isArray(node.enum)) return node.enum;
  for (const branch of node.anyOf ?? node.oneOf ?? []) {
    const [bid, b] = deref(id, branch);
    const values = legal(bid, b);
    if (values !== undefined) return values;
  }
  return undefined;
}

/** The branch of an anyOf/oneOf that is not null (objects first). */
function mainBranch(id: string, node: JsonSchema): [string, JsonSchema] {
  const branches = (node.anyOf ?? node.oneOf ?? []).map((b: JsonSchema) => deref(id, b)).filter(([, b]: [string, JsonSchema]) => b.type !== "null");
  return branches.find(([, b]: [string, JsonSchema]) => b.properties !== undefined || b.type === "object") ?? branches[0] ?? [id, node];
}

/** A personal-looking string fitting field `name` of `family` (the schema node gives its format and pattern). */
function personal(family: string, name: string, node: JsonSchema): string {
  const n = next();
  const four = String(1000 + n).slice(-4);
  const pattern = typeof node.pattern === "string" ? new RegExp(node.pattern) : undefined;
  if (node.format === "email" || /mail/i.test(name)) return EMAIL;
  if (node.format === "uri") return `https://media.example.com/accounts/99${four}/media/${8_800_000 + n}-jane-doe.jpg?owner=jane.doe`;
  if (node.format === "uuid") return `5c0ffee0-1ace-4b1d-9e57-0123456${String(10_000 + n).slice(-5)}`;
  if (node.format === "byte" || name === "payload") return "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQ";
  if (name === "Pin") return "0427";
  if (name === "PON") return `PON-JDOE-${four}`;
  if (name === "ZipCode" || name === "zip") return "27606";
  if (name === "AccountNumber") return `ACCT-55${four}`;
  if (name === "latitude") return "35.7796";
  if (name === "longitude") return "-78.6382";
  if (name === "digits") return "41111111";
  if (name === "referTo") return "sip:jane.doe@pbx.example.com";
  if (name === "uui") return "3030313233343536;encoding=hex";
  if (name === "sipCallId") return `a84b4c76e667${four}@pc33.atlanta.example.com`;
  if (name === "transcript" || name === "content" || name === "text") return "my card is for Jane Doe";
  if (PHONE_NAME.test(name)) {
    if (family === "numbers") return `919555${four}`;
    if (family === "tfv") return `+1844555${four}`;
    return `+1919555${four}`;
  }
  if (pattern?.test("c-x") || name === "callId" || name === "parentCallId") return `c-2f6a9d14-7c3b81e0-4e5d-49a2-b7f1-93c0de5a${four}`;
  if (pattern?.test("conf-x")) return `conf-2f6a9d14-7c3b81e0-4e5d-49a2-b7f1-93c0de5a${four}`;
  if (pattern?.test("r-x")) return `r-2f6a9d14-7c3b81e0-4e5d-49a2-b7f1-93c0de5a${four}`;
  if (pattern?.test("123")) return `99${four}`; // digits only (accountId)
  if (ID_NAME.test(name)) return `id-jane-doe-${8_800_000 + n}`;
  return `${NAME} ${n}`;
}

/** A free-text value: words, a phone number and an e-mail address. */
const freeText = (name: string): string => (name === "errorCode" ? "400" : name === "digit" || name === "terminatingDigit" ? "5" : name === "language" ? "en-US" : `about ${QUOTED_NUMBER}, write to ${QUOTED_EMAIL}`);

/** Builds the value of schema `node` at `path` (field `name`), noting each leaf and what the redaction must do with it. */
function build(family: string, id: string, schema: JsonSchema, name: string, path: string, leaves: Leaf[], depth: number): unknown {
  const [nid, node] = deref(id, schema);
  const values = legal(nid, node);
  const leaf = (value: unknown, expect: Expect): unknown => {
    leaves.push({ path, value, expect });
    return value;
  };
  if (values !== undefined) return leaf(values[0], "kept");
  if ((node.anyOf ?? node.oneOf) !== undefined) {
    const [bid, branch] = mainBranch(nid, node);
    return build(family, bid, branch, name, path, leaves, depth);
  }
  const type = Array.isArray(node.type) ? node.type[0] : node.type;
  if (node.properties !== undefined || type === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) {
      out[key] = build(family, nid, child, key, `${path}.${key}`, leaves, depth + 1);
    }
    // an open map (sipHeaders, customParams, diversion's other parameters): one member nobody listed
    if (node.additionalProperties !== undefined && node.additionalProperties !== false && depth < 6) {
      out.xExtra = build(family, nid, node.additionalProperties === true ? { type: "string" } : node.additionalProperties, "xExtra", `${path}.xExtra`, leaves, depth + 1);
    }
    return out;
  }
  if (type === "array") return [build(family, nid, node.items ?? { type: "string" }, name, `${path}[0]`, leaves, depth + 1)];
  if (type === "boolean") return leaf(true, "kept");
  if (type === "integer" || type === "number") return leaf(name === "timestamp" ? 1_764_929_472_000 : Math.max(1, node.minimum ?? 1), "kept");
  if (node.format === "date-time" || /^(?:startTime|endTime)$/.test(name) || String(node.pattern ?? "").startsWith("^\\d{4}-")) return leaf(DATE_TIME, "kept");
  if (String(node.pattern ?? "").startsWith("^P")) return leaf("PT12.5S", "kept");
  if (COUNTS.has(name)) return leaf("2", "kept");
  if (STATES.has(name)) return leaf("COMPLETE", "kept");
  if (FREE_TEXT.has(name)) return leaf(freeText(name), "free-text");
  return leaf(personal(family, name, node), "changed");
}

/** The value at a path built by {@link build} (`.a.b[0].c`). */
function at(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.match(/\.[^.[]+|\[\d+\]/g) ?? []) {
    if (current === null || typeof current !== "object") return undefined;
    current = part.startsWith("[") ? (current as unknown[])[Number(part.slice(1, -1))] : (current as Record<string, unknown>)[part.slice(1)];
  }
  return current;
}

const escapeXml = (text: string): string => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A numbers-family event in its XML form (the JSON form's inverse: properties as elements, arrays repeated). */
function toXml(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => toXml(name, item)).join("");
  if (value !== null && typeof value === "object") return `<${name}>${Object.entries(value).map(([k, v]) => toXml(k, v)).join("")}</${name}>`;
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

type Check = (value: unknown) => { ok: boolean };
const VALIDATORS: Record<string, Check> = {
  voice: (v) => validateVoiceCallback(v, { strict: true }),
  messaging: (v) => validateMessagingCallback(v, { strict: true }),
  endpoint: (v) => validateEndpointEvent(v, { strict: true }),
  mfa: (v) => validateMfaCallback(v, { strict: true }),
  tfv: (v) => validateTfvCallback(v, { strict: true }),
  webrtc: (v) => validateWebRtcEvent(v, { strict: true }),
  emergency: (v) => validateEmergencyRequest(v, { strict: true }),
  stream: (v) => validateStreamMessage(v, { strict: true }),
  transcription: (v) => validateTranscriptionMessage(v, { strict: true }),
};

/** The event as captured: what is stored (text) and the stored event parsed back (in the JSON form). */
function capture(family: string, root: string | undefined, event: Record<string, unknown>): { stored: string; value: unknown } {
  if (family === "numbers") {
    const stored = redactor.body(`<?xml version="1.0" encoding="UTF-8"?>${toXml(root!, event)}`, "application/xml; charset=utf-8").text;
    const parsed = validateNumbersXml(stored, { strict: true }) as { ok: boolean; value?: unknown };
    assert.ok(parsed.ok, `the stored numbers XML is invalid: ${JSON.stringify(parsed)}\n${stored}`);
    return { stored, value: parsed.value };
  }
  if (family === "emergency") {
    const stored = redactor.url(`/callbacks/emergency?${new URLSearchParams(event as Record<string, string>)}`, new Map());
    return { stored, value: Object.fromEntries(new URLSearchParams(stored.slice(stored.indexOf("?") + 1))) };
  }
  if (family === "stream" || family === "transcription") {
    const entry = socketEntryOf({ at: Date.UTC(2026, 11, 5), kind: family, connection: 1, type: "in", text: JSON.stringify(event) }, { redactor, keepMedia: false });
    return { stored: entry.message ?? "", value: JSON.parse(entry.message ?? "null") };
  }
  const body = family === "messaging" ? [event] : event;
  const stored = redactor.body(JSON.stringify(body), "application/json").text;
  const value = JSON.parse(stored) as unknown;
  return { stored, value: family === "messaging" ? (value as unknown[])[0] : value };
}

/** What is wrong with one stored value (`now`), if anything. */
function checkLeaf({ value: original, expect }: Leaf, now: unknown, stored: string): string | undefined {
  if (expect === "kept") return now === original ? undefined : `${JSON.stringify(original)} became ${JSON.stringify(now)} (an enum, date-time or count must stay)`;
  if (expect === "changed") {
    if (now === original) return `${JSON.stringify(original)} is stored as it arrived`;
    return typeof original === "string" && stored.includes(original) ? `${JSON.stringify(original)} is still in the stored text` : undefined;
  }
  if (typeof original !== "string" || !original.includes(QUOTED_NUMBER)) return undefined;
  if (typeof now !== "string" || !now.startsWith("about ")) return `the free text ${JSON.stringify(original)} became ${JSON.stringify(now)}`;
  return now.includes(QUOTED_NUMBER.slice(2)) || now.includes(QUOTED_EMAIL) ? `the number or e-mail quoted in ${JSON.stringify(now)} is kept` : undefined;
}

test("every field of every event schema is redacted, or kept for a stated reason", () => {
  const problems: string[] = [];
  let changed = 0;
  for (const entry of catalog.events) {
    const leaves: Leaf[] = [];
    const event = build(entry.family, entry.id, entry.schema, "", "", leaves, 0) as Record<string, unknown>;
    const where = `${entry.family}/${entry.event}`;
    const validate = VALIDATORS[entry.family];
    if (validate !== undefined) {
      const before = validate(entry.family === "messaging" ? [event] : event);
      assert.ok(before.ok, `${where}: the generated event is invalid (the generator is broken): ${JSON.stringify(before)}`);
    }
    const root = (entry.meta.xml as { root?: string } | undefined)?.root;
    const { stored, value } = capture(entry.family, root, event);
    if (validate !== undefined) {
      const after = validate(entry.family === "messaging" ? [value] : value);
      if (!after.ok) problems.push(`${where}: the redacted event is invalid: ${JSON.stringify(after)}`);
    }
    for (const leaf of leaves) {
      if (leaf.expect === "changed") changed++;
      const problem = checkLeaf(leaf, at(value, leaf.path), stored);
      if (problem !== undefined) problems.push(`${where}${leaf.path}: ${problem}`);
    }
  }
  assert.ok(catalog.events.length >= 80 && changed > 300, `only ${catalog.events.length} events and ${changed} personal values: the schema walk is broken`);
  assert.deepEqual(problems, []);
});
