// The BRTC endpoint family: two payload shapes in Bandwidth's sources (spec `eventType`, docs `event`).
import { isObject } from "../model/detect.js";
import { defineFamily } from "../model/family-definition.js";

export default defineFamily({
  name: "endpoint",
  order: 5,
  description: "BRTC endpoint events (JSON, two shapes in Bandwidth's sources).",
  body: "json-object",
  // Spec shape names the event in eventType (DEVICE_*), the docs shape in event (endpointConnected, …).
  select: [{ property: "eventType" }, { property: "event" }],
  union: "EndpointEvent",
  eventTypeAlias: "EndpointEventType",
  map: "EndpointEventMap",
  handlers: "EndpointHandlers",
  validator: "validateEndpointEvent",
  dedupe: { datedBy: ["eventTime", "timestamp"] }, // spec shape: eventTime; docs shape: timestamp
  http: {
    path: "/callbacks/endpoint",
    contentTypes: ["application/json"],
    ackStatus: 204, // the spec's expected reply
    doc: "BRTC endpoint event handlers (both payload shapes: `deviceConnected`, … and `endpointConnected`, …).",
  },
  reference: { displayName: "BRTC endpoints", product: "Voice" },
  detect: {
    priority: 40,
    matches: (_text, json) =>
      isObject(json) &&
      ((typeof json.eventType === "string" && json.eventType.startsWith("DEVICE_")) || ("event" in json && "endpointId" in json) || ("endpointId" in json && !("callId" in json))),
  },
});
