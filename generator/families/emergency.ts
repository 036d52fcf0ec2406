// The Emergency Calling API family: a GET with `to` and `from` in the query string, answered with JSON.
import { isObject } from "../model/detect.js";
import { defineFamily } from "../model/family-definition.js";

export default defineFamily({
  name: "emergency",
  order: 8,
  description: "Emergency Calling API location queries (GET with query parameters; JSON reply).",
  body: "json-object",
  // One request kind so far (the Emergency Calling API query); its query parameters carry no event name.
  select: [{ event: "calling-query" }],
  union: "EmergencyRequest",
  eventTypeAlias: "EmergencyEventType",
  map: "EmergencyRequestMap",
  handlers: "EmergencyHandlers",
  validator: "validateEmergencyRequest",
  http: {
    path: "/callbacks/emergency",
    contentTypes: [], // GET only: no body
    ackStatus: 204, // the handler returned nothing: no location, Bandwidth routes the call to its emergency call centre
    methods: ["GET"],
    maxTimeoutMs: 450, // Bandwidth's documented wait for the location reply
    doc: "Emergency Calling API handler (`callingQuery`: GET `?to=…&from=…`, answered with the caller's location as JSON within 450 ms).",
  },
  reference: { displayName: "Emergency Calling API", product: "Voice" },
  // `to` and `from`, as a JSON object or a query string (`to=911&from=%2B1…`).
  detect: {
    priority: 80,
    matches: (text, json) =>
      json === undefined
        ? /^\??to=[^&]*&from=|^\??from=[^&]*&to=/.test(text.trim())
        : isObject(json) && "to" in json && "from" in json && Object.keys(json).length <= 4 && !("type" in json) && !("eventType" in json),
  },
});
