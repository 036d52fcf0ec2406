// The kinds of document `bw-codegen validate` knows: how to recognise each from its content
// (`--kind auto`) and how to validate it. A family adds one entry here.
import {
  validateVoiceCallback,
  validateMessagingCallback,
  validateMessagingEvent,
  validateNumbersNotification,
  validateNumbersXml,
  validateTfvCallback,
  validateEndpointEvent,
  validateMfaCallback,
  validateWebRtcEvent,
  validateEmergencyRequest,
} from "../../generated/index.js";
import type { ValidationIssue } from "../../generated/index.js";
import { parseBxml, BXML_RULES } from "../../generated/bxml/index.js";
import { parseJsonText } from "./json-text.js";

export interface Verdict {
  valid: boolean;
  /** The event type or root element, when it could be told. */
  type: string | null;
  errors: ValidationIssue[];
  warnings?: string[];
}

export interface ValidateKindOptions {
  strict: boolean;
  strictJson: boolean;
}

/** A document kind: recognised from its text (and parsed JSON, when it is JSON). */
export interface Kind {
  name: string;
  /** True when the document looks like this kind (`--kind auto`). */
  detect(text: string, json: unknown): boolean;
  validate(text: string, options: ValidateKindOptions): Verdict;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Validate a JSON document with a family validator, turning parse failures into a verdict. */
export function jsonVerdict(text: string, options: ValidateKindOptions, validate: (value: unknown) => { ok: boolean; type?: string; errors?: ValidationIssue[]; renamedFrom?: string }): Verdict {
  const parsed = parseJsonText(text, options.strictJson);
  if (!parsed.ok) return { valid: false, type: null, errors: [{ path: "", message: parsed.message }] };
  const result = validate(parsed.value);
  const verdict: Verdict = { valid: result.ok, type: result.type ?? null, errors: result.ok ? [] : (result.errors ?? []) };
  const warnings = [...parsed.warnings];
  if (result.renamedFrom !== undefined && result.type !== undefined) warnings.push(renamedWarning("", result.renamedFrom, result.type));
  // A batch (only messaging bodies are arrays): each element that arrived under an earlier name of its type.
  if (Array.isArray(parsed.value)) {
    parsed.value.forEach((element, i) => {
      const one = isObject(element) ? validateMessagingEvent(element) : undefined;
      if (one?.renamedFrom !== undefined && one.type !== undefined) warnings.push(renamedWarning(`/${i}`, one.renamedFrom, one.type));
    });
  }
  if (warnings.length) verdict.warnings = warnings;
  return verdict;
}

/** The warning for an event that arrived under another name Bandwidth has used for its type (a rename, reported as such). */
function renamedWarning(at: string, received: string, current: string): string {
  return `${at === "" ? "" : `${at}: `}renamed event: ${JSON.stringify(received)} is another name Bandwidth has used for ${JSON.stringify(current)}; a receiver handles it as ${JSON.stringify(current)} (context.receivedEventType says ${JSON.stringify(received)}) and reports it as drift`;
}

export const voiceKind: Kind = {
  name: "voice",
  detect: (_text, json) => isObject(json) && "eventType" in json,
  validate: (text, options) => jsonVerdict(text, options, (value) => validateVoiceCallback(value, { strict: options.strict })),
};

// ---- non-voice families (messaging, numbers, tfv, endpoint, mfa, webrtc, emergency) ----

/**
 * Name of the root element of an XML document, or undefined when the text is not XML: skips the XML
 * declaration, processing instructions, comments, whitespace and a DOCTYPE (the parser refuses DOCTYPEs
 * later, with a reason, so such a file still gets its kind).
 */
export function xmlRootName(text: string): string | undefined {
  let rest = text.replace(/^\uFEFF/, "");
  // A DOCTYPE is refused by every kind, but the document's kind is that of the element after it (the
  // name it declares is whatever the sender wrote): it is skipped like the rest of the prolog, its
  // internal subset roughly, by brackets; its name stands in when no element follows.
  let declared: string | undefined;
  for (;;) {
    rest = rest.trimStart();
    const close = rest.startsWith("<?") ? "?>" : rest.startsWith("<!--") ? "-->" : undefined;
    if (close !== undefined) {
      const end = rest.indexOf(close);
      if (end < 0) return declared;
      rest = rest.slice(end + close.length);
      continue;
    }
    const doctype = /^<!DOCTYPE\s+([A-Za-z_][\w.:-]*)/.exec(rest);
    if (doctype === null) break;
    declared = doctype[1];
    const whole = /^<!DOCTYPE[^[>]*(?:\[[\s\S]*?\]\s*)?>/.exec(rest);
    if (whole === null) return declared;
    rest = rest.slice(whole[0].length);
  }
  return /^<([A-Za-z_][\w.:-]*)/.exec(rest)?.[1] ?? declared;
}

const NUMBERS_ROOTS = new Set(["Notification", "PortOutValidationRequest"]);

/** Numbers subscription notifications and port-out validation requests: XML (or their JSON form). */
export const numbersKind: Kind = {
  name: "numbers",
  detect: (text, json) => (json === undefined ? NUMBERS_ROOTS.has(xmlRootName(text) ?? "") : false),
  validate: (text, options) => {
    if (/^\uFEFF?\s*[{[]/.test(text)) return jsonVerdict(text, options, (value) => validateNumbersNotification(value, { strict: options.strict }));
    const result = validateNumbersXml(text, { strict: options.strict });
    return { valid: result.ok, type: result.type ?? null, errors: result.ok ? [] : result.errors };
  },
};

/** Messaging: the body is a JSON array of events. */
export const messagingKind: Kind = {
  name: "messaging",
  // An array, or a lone messaging event (Bandwidth's spec shows one element alone): validating it then says to wrap it.
  detect: (_text, json) => Array.isArray(json) || (isObject(json) && typeof json.type === "string" && isObject(json.message) && !("platform" in json)),
  validate: (text, options) => {
    // Real deliveries are arrays; Bandwidth's own spec and SDK examples show a lone event object. A lone
    // object is validated as that one event (paths as in the object) and flagged with a warning.
    let lone = false;
    const verdict = jsonVerdict(text, options, (value) => {
      lone = isObject(value);
      return lone ? validateMessagingEvent(value, { strict: options.strict }) : validateMessagingCallback(value, { strict: options.strict });
    });
    if (lone) verdict.warnings = [...(verdict.warnings ?? []), "a lone messaging event: Bandwidth delivers messaging callbacks as a JSON array of events, so a receiver must expect [ ... ]"];
    return verdict;
  },
};

/** BRTC endpoint events: spec shape (`eventType` DEVICE_*) or docs shape (`event` + `endpointId`). */
export const endpointKind: Kind = {
  name: "endpoint",
  detect: (_text, json) =>
    isObject(json) &&
    ((typeof json.eventType === "string" && json.eventType.startsWith("DEVICE_")) || ("event" in json && "endpointId" in json) || ("endpointId" in json && !("callId" in json))),
  validate: (text, options) => jsonVerdict(text, options, (value) => validateEndpointEvent(value, { strict: options.strict })),
};

/** Legacy WebRTC participant events: `event` onConnect / onLeave / onDisconnect with a participant. */
export const webrtcKind: Kind = {
  name: "webrtc",
  detect: (_text, json) => isObject(json) && "event" in json && ("participantId" in json || /^on[A-Z]/.test(String(json.event))),
  validate: (text, options) => jsonVerdict(text, options, (value) => validateWebRtcEvent(value, { strict: options.strict })),
};

/** MFA delivery reports: a single object with `type` and the 2FA `platform`. */
export const mfaKind: Kind = {
  name: "mfa",
  detect: (_text, json) => isObject(json) && "type" in json && "platform" in json,
  validate: (text, options) => jsonVerdict(text, options, (value) => validateMfaCallback(value, { strict: options.strict })),
};

/** Toll-free verification webhooks: no type field; an account, a toll-free number and a status, error or denial. */
export const tfvKind: Kind = {
  name: "tfv",
  detect: (_text, json) =>
    isObject(json) &&
    !("eventType" in json) &&
    !("type" in json) &&
    "phoneNumber" in json &&
    ["accountId", "internalTicketNumber", "status", "errorCode", "declineReasonDescription", "denialStatusCode", "blocked"].some((key) => key in json),
  validate: (text, options) => jsonVerdict(text, options, (value) => validateTfvCallback(value, { strict: options.strict })),
};

/** Emergency Calling API query: `to` and `from`, as a JSON object or a query string (`to=911&from=%2B1…`). */
export const emergencyKind: Kind = {
  name: "emergency",
  detect: (text, json) =>
    json === undefined ? /^\??to=[^&]*&from=|^\??from=[^&]*&to=/.test(text.trim()) : isObject(json) && "to" in json && "from" in json && Object.keys(json).length <= 4 && !("type" in json) && !("eventType" in json),
  validate: (text, options) => {
    const trimmed = text.replace(/^\uFEFF/, "").trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) return jsonVerdict(text, options, (value) => validateEmergencyRequest(value, { strict: options.strict }));
    const query = Object.fromEntries(new URLSearchParams(trimmed.replace(/^[^?]*\?/, "")));
    const result = validateEmergencyRequest(query, { strict: options.strict });
    return { valid: result.ok, type: result.type ?? null, errors: result.ok ? [] : result.errors };
  },
};

/** BXML documents: XML whose root is <Response> or <Bxml>; `type` is the root element name. */
export const bxmlKind: Kind = {
  name: "bxml",
  detect: (text, json) => json === undefined && Object.prototype.hasOwnProperty.call(BXML_RULES.roots, xmlRootName(text) ?? ""),
  validate: (text, options) => {
    const result = parseBxml(text, { strict: options.strict });
    const verdict: Verdict = { valid: result.ok, type: result.type ?? null, errors: result.ok ? [] : result.errors };
    if (result.warnings.length) verdict.warnings = result.warnings.map((w) => `${w.path}: ${w.message}`);
    return verdict;
  },
};

/** Kinds in the order `--kind auto` tries them (most specific first). */
export const kinds: Kind[] = [bxmlKind, numbersKind, messagingKind, endpointKind, webrtcKind, mfaKind, tfvKind, emergencyKind, voiceKind];
