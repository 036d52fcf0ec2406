// The writer thread redacts a media / playAudio message with its payload and sequenceNumber set aside once
// per distinct remainder (templates/runtime/capture/socket-entry.ts: that remainder repeats frame after
// frame) instead of once per frame: the entries must be exactly what redacting every frame gave, for
// Bandwidth's frames and for frames whose remainder the redactor does change (a phone number as the track,
// ids in extra fields), repeated (redacted once, then reused) and in every key order, payload kept or dropped.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { test } from "node:test";
import { createRedactor } from "../generated/runtime/capture/redact.js";
import type { Redactor } from "../generated/runtime/capture/redact.js";
import { socketEntryOf } from "../generated/runtime/capture/socket-entry.js";
import type { CapturedSocketMessage } from "../generated/sockets.js";

const PAYLOAD = Buffer.from(Uint8Array.from({ length: 160 }, (_, i) => (i * 29) & 0xff)).toString("base64");

/** What socket-entry.ts wrote before: every frame's remainder redacted on its own. */
function reference(text: string, redactor: Redactor, keepMedia: boolean): string {
  const message = JSON.parse(text);
  const holder = message.eventType === "playAudio" ? message.media : message;
  if (!keepMedia) holder.payload = "";
  const payload = holder.payload === "" ? undefined : holder.payload;
  if (payload !== undefined) holder.payload = "";
  const sequenceNumber = message.sequenceNumber;
  if (sequenceNumber !== undefined) message.sequenceNumber = 0;
  const back = JSON.parse(redactor.body(JSON.stringify(message), "application/json").text);
  if (payload !== undefined) (back.eventType === "playAudio" ? back.media : back).payload = payload;
  if (sequenceNumber !== undefined) back.sequenceNumber = sequenceNumber;
  return JSON.stringify(back);
}

function frames(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 300; i++) {
    const track = ["inbound", "outbound", "+19195550123", "c-2f6a9d14-7c3b81e0-4e5d-49a2-b7f1-93c0de5a2b6f"][i % 4];
    const sequenceNumber = i % 3 === 0 ? i : String(i);
    const shapes = [
      { eventType: "media", track, sequenceNumber, payload: PAYLOAD },
      { payload: PAYLOAD, sequenceNumber, track, eventType: "media" },
      { eventType: "media", track, payload: PAYLOAD, callId: "c-8d1f0a2b-61f0-4c1e-9a7d-2b3c4d5e6f70", from: "+19195550188" },
      { eventType: "playAudio", media: { contentType: "audio/pcmu", payload: PAYLOAD } },
    ];
    out.push(JSON.stringify(shapes[i % shapes.length]));
  }
  return out;
}

for (const keepMedia of [false, true]) {
  test(`media and playAudio entries are what redacting every frame gave (keepMedia ${keepMedia})`, () => {
    const redactor = createRedactor({ hmac: (text) => createHmac("sha256", "a fixed test key").update(text).digest() });
    const second = createRedactor({ hmac: (text) => createHmac("sha256", "another key").update(text).digest() });
    for (const [n, text] of [...frames(), ...frames()].entries()) {
      for (const r of [redactor, second]) {
        const record: CapturedSocketMessage = { at: 1_750_000_000_000 + n, kind: "stream", connection: 1, type: n % 2 === 0 ? "in" : "out", text };
        const entry = socketEntryOf(record, { redactor: r, keepMedia });
        assert.equal(entry.message, reference(text, r, keepMedia), `frame ${n}: ${text.slice(0, 80)}`);
        assert.equal(entry.at, new Date(record.at).toISOString());
      }
    }
  });
}
