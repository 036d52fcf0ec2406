// A capture made with `redact: false` stores messages as they were, "credentials are still never stored":
// a socket's `start` carries the `streamParams` / `customParams` the BXML gave (a team may pass its own
// bot's token there), and those reached the file verbatim. Now credential-named values (and user info in
// URLs) are masked in unredacted socket records too, the rest stays as it was.
import assert from "node:assert/strict";
import { test } from "node:test";
import { socketEntryOf } from "../generated/runtime/capture/socket-entry.js";

const start = {
  eventType: "start",
  metadata: { accountId: "9901234", callId: "c-2b6e0f4a-71c9d3e8-5a2b-4c61-8e0f-93d7a1b4c2e5", streamId: "s-1", streamName: "bot", tracks: [{ name: "inbound", mediaFormat: { encoding: "audio/PCMU", sampleRate: 8000 } }] },
  streamParams: { botToken: "stream-param-token-1", apiKey: "stream-api-key-2", callback: "https://bot:stream-url-pass-3@bot.example.com/hook", customer: "acme" },
};

test("unredacted socket records mask credential values and keep the rest", () => {
  for (const text of [JSON.stringify(start), `not json, fetch https://bot:stream-url-pass-3@bot.example.com`]) {
    const entry = socketEntryOf({ kind: "stream", connection: 1, at: Date.now(), type: "in", text } as never, { redactor: undefined, keepMedia: false });
    const stored = entry.message ?? "";
    for (const secret of ["stream-param-token-1", "stream-api-key-2", "stream-url-pass-3"]) assert.ok(!stored.includes(secret), stored);
    if (text.startsWith("{")) {
      assert.match(stored, /"customer":"acme"/);
      assert.match(stored, /"callId":"c-2b6e0f4a-71c9d3e8-5a2b-4c61-8e0f-93d7a1b4c2e5"/, "unredacted: ids as they were");
    }
  }
});
