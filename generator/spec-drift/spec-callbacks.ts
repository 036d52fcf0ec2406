// How Bandwidth's OpenAPI spec (bandwidth.yml) names the callbacks it models, mapped to our families and
// events. As of the 2026-07-22 spec:
// - voice: every `components/schemas/<event>Callback` with an `eventType` property (no enum: the event is
//   the schema's name without `Callback`, e.g. `answerCallback` → `answer`);
// - messaging: `statusCallback` and `inboundCallback`, shared by several events named by their `type` enum
//   (`statusCallbackTypeEnum`, `inboundCallbackTypeEnum`): one event per enum value;
// - tfv: the `oneOf` shapes of `requestBodies/verificationWebhookRequest` (`verificationWebhook` → status…);
// - endpoint: `endpointEvent`, its events named by its `eventType` enum (`DEVICE_CONNECTED`…).
// It does not model the media-stream / transcription events, referComplete, numbers, MFA, legacy WebRTC or
// emergency callbacks (`SPEC_BASELINE` lists which of our events it does).
import type { JsonSchema } from "../schema-refs.js";
import { resolvePointer } from "../schema-refs.js";

/** One event as Bandwidth's spec describes it. */
export interface SpecEvent {
  family: string;
  /** The event's name in the spec (an earlier name of ours when Bandwidth renamed it). */
  event: string;
  /** The spec schema describing it (`answerCallback`, `statusCallback`). */
  spec: string;
  /** The schema to compare with ours: `$ref` to the spec schema, narrowed to this event when shared. */
  schema: JsonSchema;
  /** The property naming the event when the spec schema is shared (narrowed by it). */
  discriminant?: string;
}

/** TFV webhook shapes (spec schema name → our event); a new shape is named by its schema without `Webhook`. */
export const TFV_SHAPES: Readonly<Record<string, string>> = {
  verificationWebhook: "status",
  verificationDenialWebhook: "denial",
  failureWebhook: "failure",
  blockedWebhook: "blocked",
};

/**
 * Our events that the 2026-07-22 spec models, per family (names as ours). An event here that a newer spec no
 * longer lists (under its name or a rename) is reported removed. The drift tests check that this is exactly
 * what `specEvents` finds in the vendored spec.
 */
export const SPEC_BASELINE: Readonly<Record<string, readonly string[]>> = {
  voice: [
    "answer",
    "bridgeComplete",
    "bridgeTargetComplete",
    "conferenceCompleted",
    "conferenceCreated",
    "conferenceMemberExit",
    "conferenceMemberJoin",
    "conferenceRecordingAvailable",
    "conferenceRedirect",
    "disconnect",
    "dtmf",
    "gather",
    "initiate",
    "machineDetectionComplete",
    "recordComplete",
    "recordingAvailable",
    "redirect",
    "transcriptionAvailable",
    "transferAnswer",
    "transferComplete",
    "transferDisconnect",
  ],
  messaging: [
    "message-delivered",
    "message-failed",
    "message-read",
    "message-received",
    "message-sending",
    "message-sent",
    "requested-location-response",
    "suggestion-response",
  ],
  tfv: ["blocked", "denial", "failure", "status"],
  endpoint: ["DEVICE_CONNECTED", "DEVICE_DISCONNECTED"],
};

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/** Follow local `$ref`s of the spec to the node they name. */
function deref(doc: JsonSchema, node: unknown): JsonSchema | undefined {
  let current = node as JsonSchema | undefined;
  for (let hops = 0; current && typeof current.$ref === "string" && hops < 50; hops++) {
    current = resolvePointer(doc, String(current.$ref).replace(/^#/, "")) as JsonSchema | undefined;
  }
  return current;
}

/** The property `name` of a spec schema, looked for in it and its `allOf` parts. */
function propertyOf(doc: JsonSchema, schema: JsonSchema, name: string): JsonSchema | undefined {
  const node = deref(doc, schema);
  if (!node) return undefined;
  if (node.properties?.[name] !== undefined) return node.properties[name];
  for (const part of Array.isArray(node.allOf) ? node.allOf : []) {
    const found = propertyOf(doc, part, name);
    if (found) return found;
  }
  return undefined;
}

/** The string values of an enumeration the property refers to (none when it is not one). */
function enumValues(doc: JsonSchema, property: JsonSchema | undefined): string[] {
  const node = deref(doc, property);
  return Array.isArray(node?.enum) ? (node.enum as unknown[]).filter((v): v is string => typeof v === "string") : [];
}

/**
 * A spec schema shared by several events, seen as one of them: its discriminant's enum is replaced by the
 * event's value (so each of our per-event schemas is compared with what the spec says of that event only).
 *
 * @example
 * narrowed(doc, "statusCallback", "type", "message-sent") // { allOf: [statusCallback without type, { properties: { type: { enum: ["message-sent"] } } }] }
 */
export function narrowed(doc: JsonSchema, spec: string, property: string, value: string): JsonSchema {
  const strip = (node: JsonSchema): JsonSchema => {
    const resolved = deref(doc, node) ?? {};
    const copy: JsonSchema = { ...resolved };
    if (copy.properties) {
      copy.properties = { ...copy.properties };
      delete copy.properties[property];
    }
    if (Array.isArray(copy.allOf)) copy.allOf = copy.allOf.map(strip);
    return copy;
  };
  return { allOf: [strip(ref(spec)), { properties: { [property]: { type: "string", enum: [value] } } }] };
}

/**
 * Every callback event a copy of Bandwidth's spec describes, by family, in the spec's own names.
 *
 * @example
 * specEvents(doc).filter((e) => e.family === "voice").map((e) => e.event) // ["answer", "bridgeComplete", …, "recordingComplete", …]
 */
export function specEvents(doc: JsonSchema): SpecEvent[] {
  const schemas: Record<string, JsonSchema> = doc?.components?.schemas ?? {};
  const events: SpecEvent[] = [];
  for (const name of Object.keys(schemas).sort()) {
    const eventType = propertyOf(doc, schemas[name], "eventType");
    const type = propertyOf(doc, schemas[name], "type");
    if (name.endsWith("Callback") && eventType !== undefined && enumValues(doc, eventType).length === 0) {
      events.push({ family: "voice", event: name.slice(0, -"Callback".length), spec: name, schema: ref(name) });
    } else if (name.endsWith("Callback") && type !== undefined && enumValues(doc, type).length > 0) {
      for (const value of enumValues(doc, type)) events.push({ family: "messaging", event: value, spec: name, schema: narrowed(doc, name, "type", value), discriminant: "type" });
    } else if (name.startsWith("endpoint") && eventType !== undefined && enumValues(doc, eventType).length > 0) {
      for (const value of enumValues(doc, eventType)) events.push({ family: "endpoint", event: value, spec: name, schema: narrowed(doc, name, "eventType", value), discriminant: "eventType" });
    }
  }
  const tfv = deref(doc, doc?.components?.requestBodies?.verificationWebhookRequest)?.content?.["application/json"]?.schema;
  for (const shape of Array.isArray(tfv?.oneOf) ? (tfv.oneOf as JsonSchema[]) : []) {
    const name = String(shape.$ref ?? "").split("/").pop() ?? "";
    if (name === "") continue;
    events.push({ family: "tfv", event: TFV_SHAPES[name] ?? name.replace(/Webhook$/, ""), spec: name, schema: ref(name) });
  }
  return events;
}
