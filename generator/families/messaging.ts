// The messaging family: SMS, MMS and multi-channel message events, delivered as a JSON array per request.
import { isObject } from "../model/detect.js";
import { defineFamily } from "../model/family-definition.js";

export default defineFamily({
  name: "messaging",
  order: 2,
  description: "Messaging (SMS, MMS, multi-channel) events; each request body is a JSON array of them.",
  body: "json-array",
  discriminant: "type",
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
      // found by issue 24's audit of the 2025-2026 specs; `source` is published (the OpenAPI document)
      source: "Bandwidth's OpenAPI specs from 2025-08 to 2026-06 and the SDKs built from them",
    },
  ],
  dedupe: { datedBy: ["time"] }, // each event of a batch carries its own time
  http: {
    path: "/callbacks/messaging",
    contentTypes: ["application/json"],
    ackStatus: 200, // any 2xx; Bandwidth's spec lists 200
    doc: "Messaging handlers (`messageReceived`, `messageDelivered`, …), called once per event of the batch.",
  },
  reference: { displayName: "Message events", product: "Messaging" },
  scaffold: { methods: "POST", what: "message events (a JSON array per delivery), one handler call per event" },
  // An array, or a lone messaging event (Bandwidth's spec shows one element alone): validating it then says to wrap it.
  detect: {
    priority: 30,
    matches: (_text, json) => Array.isArray(json) || (isObject(json) && typeof json.type === "string" && isObject(json.message) && !("platform" in json)),
  },
});
