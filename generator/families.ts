// The callback families bw-codegen knows, and how each is shaped on the wire. Emitters read this
// table instead of hard-coding "voice", so a new family is one entry here plus its schemas.
import type { EventSelectRule } from "../templates/runtime/http/dispatch.js";

export interface FamilySpec {
  /** Folder under schemas/ and the `x-bw.family` value. */
  name: string;
  /** Property whose value names the event (`eventType`, `type`); undefined for families discriminated otherwise. */
  discriminant?: string;
  /** How the request body arrives. */
  body: "json-object" | "json-array" | "xml";
  /** Name of the union type of all events of the family. */
  union: string;
  /** Name of the event-type string union. */
  eventTypeAlias: string;
  /** Name of the event → interface map type. */
  map: string;
  /** Name of the handler interface (one optional method per event). */
  handlers: string;
  /** Name of the exported validator function (for `json-array` families: of one element). */
  validator: string;
  /**
   * Families whose event is not named by one property: ordered selection rules, the first that applies
   * names the event (TFV by structure, BRTC endpoint by `eventType` or `event`, numbers by `OrderType`
   * or `EventType`). See `EventSelectRule` in templates/runtime/http/dispatch.ts and CONTRIBUTING.md.
   */
  select?: EventSelectRule[];
  /** `json-array` families: name of the exported validator of a whole request body (the array). */
  batchValidator?: string;
  /**
   * Events Bandwidth has renamed: every earlier name it has used (in a spec, an SDK or a docs page) for
   * one of the family's events. An event arriving under an earlier name is validated by the current
   * schema, handled by the current handler (`context.receivedEventType` holds the name that arrived) and
   * reported once as drift. Payloads do not change the day a spec does, so an old name is never dropped.
   */
  renames?: EventRename[];
  /** One line for docs and the OpenAPI tag. */
  description: string;
}

/** One earlier name of an event. */
export interface EventRename {
  /** The name Bandwidth used before. */
  from: string;
  /** The current name: an event of the family (its schema's `x-bw.event`). */
  to: string;
  /** Where and when the earlier name was used, in a few words. */
  source: string;
}

export const families: FamilySpec[] = [
  {
    name: "voice",
    discriminant: "eventType",
    body: "json-object",
    union: "VoiceCallback",
    eventTypeAlias: "VoiceEventType",
    map: "VoiceCallbackMap",
    handlers: "VoiceHandlers",
    validator: "validateVoiceCallback",
    renames: [
      {
        from: "recordingComplete",
        to: "recordComplete",
        source: "Bandwidth's 2026 OpenAPI spec (recordingCompleteCallback: 'recordingComplete'); its docs pages, 2023 and current, say recordComplete, believed to be what is sent (reference callbacks.md §10 #1)",
      },
    ],
    description: "Programmable Voice call events (JSON). BXML events expect a BXML document back.",
  },
  {
    name: "messaging",
    discriminant: "type",
    body: "json-array",
    union: "MessagingCallback",
    eventTypeAlias: "MessagingEventType",
    map: "MessagingCallbackMap",
    handlers: "MessagingHandlers",
    validator: "validateMessagingEvent",
    batchValidator: "validateMessagingCallback",
    renames: [
      {
        from: "request-location-response",
        to: "requested-location-response",
        source: "Bandwidth's OpenAPI specs from 2025-08 to 2026-06 and the SDKs built from them (issue 24's audit of the 2025-2026 specs)",
      },
    ],
    description: "Messaging (SMS, MMS, multi-channel) events; each request body is a JSON array of them.",
  },
  {
    name: "numbers",
    body: "xml",
    union: "NumbersNotification",
    eventTypeAlias: "NumbersEventType",
    map: "NumbersNotificationMap",
    handlers: "NumbersHandlers",
    validator: "validateNumbersNotification",
    // The JSON form of the XML has no root name: order notifications carry OrderType, event notifications
    // EventType, and only the port-out validation request has TelephoneNumbers (the root is checked when
    // parsing XML, against each schema's x-bw.xml.root).
    select: [{ property: "OrderType" }, { property: "EventType" }, { property: "TelephoneNumbers", event: "PortOutValidationRequest" }],
    description:
      "Number-subscription notifications (one event per OrderType, and the MESSAGING_LOST event notification) and the port-out validation request (XML bodies). MESSAGING_PORTOUT_APPROVAL_STATUS, a webhook subscription type in Bandwidth's spec, is not modelled: no payload for it is published anywhere. A <Notification> naming it takes the unknown-event path (onUnknownEvent, then the family's 200 acknowledgement, in strict mode too).",
  },
  {
    name: "tfv",
    body: "json-object",
    union: "TfvCallback",
    eventTypeAlias: "TfvEventType",
    map: "TfvCallbackMap",
    handlers: "TfvHandlers",
    validator: "validateTfvCallback",
    // No type field: told apart by structure, in this order (CONTRIBUTING.md, "Families without a const discriminant").
    select: [
      { property: "errorCode", event: "failure" },
      { property: "errorMessage", event: "failure" },
      { property: "errors", event: "failure" },
      { property: "isBadRequest", event: "failure" }, // 2023 failure form
      { property: "declineReasonDescription", event: "denial" },
      { property: "denialReasonDescription", event: "denial" }, // 2023 spelling
      { property: "denialStatusCode", event: "denial" },
      { property: "additionalDenialReasons", event: "denial" },
      { property: "resubmitAllowed", event: "denial" },
      { property: "blocked", event: "blocked" },
      { property: "blockedReason", event: "blocked" },
      { event: "status" },
    ],
    description: "Toll-free verification status webhooks (JSON, signed with an HMAC header when a secret is set).",
  },
  {
    name: "endpoint",
    body: "json-object",
    union: "EndpointEvent",
    eventTypeAlias: "EndpointEventType",
    map: "EndpointEventMap",
    handlers: "EndpointHandlers",
    validator: "validateEndpointEvent",
    // Spec shape names the event in eventType (DEVICE_*), the docs shape in event (endpointConnected, …).
    select: [{ property: "eventType" }, { property: "event" }],
    description: "BRTC endpoint events (JSON, two shapes in Bandwidth's sources).",
  },
  {
    name: "mfa",
    discriminant: "type",
    body: "json-object",
    union: "MfaCallback",
    eventTypeAlias: "MfaEventType",
    map: "MfaCallbackMap",
    handlers: "MfaHandlers",
    validator: "validateMfaCallback",
    description: "Multi-factor authentication (2FA) message delivery reports (JSON object).",
  },
  {
    name: "webrtc",
    discriminant: "event",
    body: "json-object",
    union: "WebRtcParticipantEvent",
    eventTypeAlias: "WebRtcEventType",
    map: "WebRtcParticipantEventMap",
    handlers: "WebRtcHandlers",
    validator: "validateWebRtcEvent",
    description: "Legacy WebRTC participant events (JSON).",
  },
  {
    name: "emergency",
    body: "json-object",
    union: "EmergencyRequest",
    eventTypeAlias: "EmergencyEventType",
    map: "EmergencyRequestMap",
    handlers: "EmergencyHandlers",
    validator: "validateEmergencyRequest",
    // One request kind so far (the Emergency Calling API query); its query parameters carry no event name.
    select: [{ event: "calling-query" }],
    description: "Emergency Calling API location queries (GET with query parameters; JSON reply).",
  },
];

/** Look a family up by name; throws for an unknown one. */
export function familyByName(name: string): FamilySpec {
  const found = families.find((f) => f.name === name);
  if (!found) throw new Error(`unknown family "${name}" (known: ${families.map((f) => f.name).join(", ")})`);
  return found;
}

/** The earlier names of one event (empty when it was never renamed). */
export function earlierNames(family: string, event: string): string[] {
  return (familyByName(family).renames ?? []).filter((r) => r.to === event).map((r) => r.from);
}
