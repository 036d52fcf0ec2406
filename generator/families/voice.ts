// The voice family: Programmable Voice call events, one JSON object per request, named by `eventType`.
import { isObject } from "../model/detect.js";
import { defineFamily } from "../model/family-definition.js";

export default defineFamily({
  name: "voice",
  order: 1,
  description: "Programmable Voice call events (JSON). BXML events expect a BXML document back.",
  body: "json-object",
  discriminant: "eventType",
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
  // every voice event carries eventTime; an async one answered 5xx is not resent (only after a connection error)
  dedupe: { datedBy: ["eventTime"], resentAfterError: false },
  http: {
    path: "/callbacks/voice",
    contentTypes: ["application/json"],
    ackStatus: 204, // every async voice event page shows 204
    methods: ["POST", "GET"], // a voice application may be configured to send GET with query parameters
    doc: "Voice handlers (`answer`, `gather`, …): BXML events return BXML, the others nothing.",
  },
  reference: { displayName: "Voice call events", product: "Voice" },
  scaffold: { methods: "POST, GET", what: "every voice event, dispatched by `eventType`" },
  // The catch-all of JSON objects: tried last.
  detect: { priority: 90, matches: (_text, json) => isObject(json) && "eventType" in json },
});
