// liveTranscription() in bw-codegen/bxml: a <StartTranscription> whose destination carries a signed,
// expiring token for the call (the socket has no credential attribute), with its CustomParams and event
// credentials; the document validates, the token in the rendered XML verifies for that call only.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Response, SpeakSentence, liveTranscription, parseBxml, validateBxml } from "bw-codegen/bxml";
import { createTranscriptionTokenVerifier } from "../templates/runtime/sockets/transcription-token.js";

const SECRET = "live-transcription-secret-01";
const CALL = "c-2f6a9d14-7c3b81e0-4e5d-49a2-b7f1-93c0de5a2b6f";

describe("liveTranscription()", () => {
  it("writes <StartTranscription> with a tokened destination, attributes and CustomParams; the token verifies for the call", async () => {
    const element = await liveTranscription({
      baseUrl: "wss://bot.example.com/sockets/transcription",
      secret: SECRET,
      callId: CALL,
      name: "live",
      tracks: "both",
      stabilized: false,
      customParams: { customer: "42", plan: "gold" },
      transcriptionEventUrl: "https://bot.example.com/callbacks/voice",
      transcriptionEventCredentials: { username: "bw", password: "events-secret" },
    });
    const xml = Response(element, SpeakSentence("This call is transcribed.")).toXml();
    const parsed = parseBxml(xml);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.deepEqual(parsed.warnings, []);
    assert.equal(validateBxml(parsed.value).ok, true);
    const start = parsed.value.children[0] as unknown as { name: string; attributes: Record<string, unknown>; children: Array<{ attributes: Record<string, string> }> };
    assert.equal(start.name, "StartTranscription");
    const { destination, ...rest } = start.attributes;
    assert.deepEqual(rest, { name: "live", tracks: "both", stabilized: false, transcriptionEventUrl: "https://bot.example.com/callbacks/voice", username: "bw", password: "events-secret" });
    assert.deepEqual(start.children.map((c) => c.attributes), [{ name: "customer", value: "42" }, { name: "plan", value: "gold" }]);
    const url = new URL(String(destination));
    assert.equal(`${url.protocol}//${url.host}${url.pathname}`, "wss://bot.example.com/sockets/transcription");
    const check = await createTranscriptionTokenVerifier({ secrets: [SECRET] }).verifyUrl(url);
    assert.equal(check.ok && check.callId, CALL);
    assert.deepEqual(await createTranscriptionTokenVerifier({ secrets: ["another-secret-of-16+"] }).verifyUrl(url), { ok: false, reason: "mismatch" });
  });

  it("refuses a plain ws:// destination off loopback (the token would cross the network in clear)", async () => {
    await assert.rejects(liveTranscription({ baseUrl: "ws://bot.example.com/t", secret: SECRET, callId: CALL }), /wss:\/\//);
  });
});
