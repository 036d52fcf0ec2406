// The legacy WebRTC family: participant events, named by `event`.
import { isObject } from "../model/detect.js";
import { defineFamily } from "../model/family-definition.js";

export default defineFamily({
  name: "webrtc",
  order: 7,
  description: "Legacy WebRTC participant events (JSON).",
  body: "json-object",
  discriminant: "event",
  union: "WebRtcParticipantEvent",
  eventTypeAlias: "WebRtcEventType",
  map: "WebRtcParticipantEventMap",
  handlers: "WebRtcHandlers",
  validator: "validateWebRtcEvent",
  dedupe: { datedBy: ["timestamp"] }, // participant events carry a timestamp
  http: {
    path: "/callbacks/webrtc",
    contentTypes: ["application/json"],
    ackStatus: 200, // no reply contract documented; any 2xx
    doc: "Legacy WebRTC participant event handlers.",
  },
  reference: { displayName: "WebRTC (legacy)", product: "Voice" },
  // `event` onConnect / onLeave / onDisconnect with a participant.
  detect: { priority: 50, matches: (_text, json) => isObject(json) && "event" in json && ("participantId" in json || /^on[A-Z]/.test(String(json.event))) },
});
