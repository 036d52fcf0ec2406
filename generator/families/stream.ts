// The stream family: the JSON frames of a media-stream WebSocket (<StartStream>), named by `eventType`.
// Bandwidth sends start, media and stop; on a bidirectional stream your server may send playAudio and clear.
import { isObject } from "../model/detect.js";
import { defineFamily } from "../model/family-definition.js";

const MESSAGES = new Set(["start", "media", "stop", "playAudio", "clear"]);

export default defineFamily({
  name: "stream",
  order: 10,
  description: "Media-stream WebSocket messages (<StartStream>): call audio from Bandwidth, and audio your bot plays back on bidirectional streams.",
  body: "json-object",
  discriminant: "eventType",
  union: "StreamMessage",
  eventTypeAlias: "StreamEventType",
  map: "StreamMessageMap",
  handlers: "StreamHandlers",
  validator: "validateStreamMessage",
  socket: {
    opener: "StartStream",
    path: "/sockets/stream",
    auth: { kind: "basic" },
    flow: ["start", "media", "stop", "playAudio", "clear"],
    receiveUnion: "StreamInboundMessage",
    sendUnion: "StreamOutboundMessage",
    title: "Media stream",
    doc: [
      "Bandwidth opens this socket when a call runs `<StartStream destination=\"wss://…\">`, and sends JSON text frames: one `start`,",
      "`media` frames (base64 G.711 μ-law, 8000 Hz, mono) for each track, and one `stop`. On a bidirectional stream",
      "(`mode=\"bidirectional\"`) your server may send `playAudio` (queued and played into the call) and `clear` (drops the queue: barge-in).",
      "`<StartStream>` does not block: keep the call alive behind it (`<StopStream name=\"…\" wait=\"true\"/>` or a long `<Pause>`).",
      "DTMF never comes over the socket: use `<Gather>`/`<StartGather>` webhooks.",
    ].join(" "),
  },
  reference: { displayName: "Media stream socket", product: "Voice" },
  // A JSON object whose eventType is one of the stream's, with stream metadata, audio, or playAudio media.
  detect: {
    priority: 40,
    matches: (_text, json) =>
      isObject(json) &&
      typeof json.eventType === "string" &&
      MESSAGES.has(json.eventType) &&
      (json.eventType === "clear" || "payload" in json || "media" in json || (isObject(json.metadata) && "streamId" in json.metadata)),
  },
});
