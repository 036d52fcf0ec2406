// The transcription family: the JSON frames of a real-time transcription WebSocket (<StartTranscription>),
// named by `eventType`. Bandwidth sends start, transcription updates and stop; nothing goes back.
import { isObject } from "../model/detect.js";
import { defineFamily } from "../model/family-definition.js";

export default defineFamily({
  name: "transcription",
  order: 11,
  description: "Real-time transcription WebSocket messages (<StartTranscription>): transcribed speech from Bandwidth.",
  body: "json-object",
  discriminant: "eventType",
  union: "TranscriptionMessage",
  eventTypeAlias: "TranscriptionEventType",
  map: "TranscriptionMessageMap",
  handlers: "TranscriptionHandlers",
  validator: "validateTranscriptionMessage",
  socket: {
    opener: "StartTranscription",
    path: "/sockets/transcription",
    // <StartTranscription> has no credential attribute for the socket: the runtime signs an expiring token into the URL.
    auth: { kind: "url-token", query: "token" },
    flow: ["start", "transcription", "stop"],
    title: "Real-time transcription",
    doc: [
      "Bandwidth opens this socket when a call runs `<StartTranscription destination=\"wss://…\">`, and sends JSON text frames: one `start`,",
      "`transcription` updates (text, partial or final, word by word), and one `stop`. Nothing is sent back.",
      "With `stabilized=\"true\"` (the default) only stable updates arrive.",
    ].join(" "),
  },
  reference: { displayName: "Real-time transcription socket", product: "Voice" },
  // A transcription update, or start/stop with transcription metadata.
  detect: {
    priority: 41,
    matches: (_text, json) =>
      isObject(json) &&
      (json.eventType === "transcription" || ((json.eventType === "start" || json.eventType === "stop") && isObject(json.metadata) && "realTimeTranscriptionId" in json.metadata)),
  },
});
