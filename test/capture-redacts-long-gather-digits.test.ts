// Keys a caller pressed at a <Gather> are often a card number, an account number or a PIN: a capture stored
// `digits` verbatim. Now an entry of 5 keys or more is replaced (digits by digits, `#`/`*` kept, the same
// pseudonym in the answer that echoes it), while a menu choice (`1`, `12#`) stays, so a replayed IVR takes
// the same branch.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createCapture, parseCapture } from "../generated/capture.js";

const root = mkdtempSync(join(tmpdir(), "bw-capture-digits-"));
after(() => rmSync(root, { recursive: true, force: true }));

function gather(digits: string) {
  return {
    at: Date.now(),
    family: "voice",
    path: "/callbacks/voice",
    method: "POST",
    url: "/callbacks/voice",
    eventType: "gather",
    contentType: "application/json",
    header: () => undefined,
    body: JSON.stringify({ eventType: "gather", callId: "c-1", digits, terminatingDigit: "#" }),
    response: { status: 200, headers: { "content-type": "application/xml" }, body: `<Response><SpeakSentence>You entered ${digits}</SpeakSentence></Response>` },
    latencyMs: 1,
  };
}

test("long gather digits are replaced everywhere, a menu choice stays", async () => {
  const capture = createCapture({ dir: root });
  try {
    capture.record(gather("4111111111111111"));
    capture.record(gather("12#"));
    const files = await capture.flush();
    const text = readFileSync(files[0], "utf8");
    assert.ok(!text.includes("4111111111111111"), text);
    const [card, menu] = parseCapture(text);
    const digits = (JSON.parse(card.body!) as { digits: string }).digits;
    assert.match(digits, /^\d{16}$/);
    assert.equal(card.answer.body, `<Response><SpeakSentence>You entered ${digits}</SpeakSentence></Response>`);
    assert.equal((JSON.parse(menu.body!) as { digits: string }).digits, "12#");
  } finally {
    await capture.close();
  }
});
