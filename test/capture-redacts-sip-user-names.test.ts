// A SIP URI's user part is a person as much as a number is: `transferTo` / `from` / `to` as
// `sip:alice.smith@pbx.example.com`, and the same URI inside free text (an errorMessage) or echoed by the BXML
// answer (`<SipUri>`). The user part is replaced (the same pseudonym everywhere; the URI keeps its `sip:` and
// host), `sip:anonymous@anonymous.invalid` identifies nobody and stays.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseCapture } from "../generated/capture.js";
import { captureFolder } from "./support/capture.js";

const { root, createCapture } = captureFolder("bw-capture-sip-users-");

test("SIP user names are replaced consistently in fields, free text and the answer", async () => {
  const capture = createCapture({ dir: root });
  try {
    const event = {
      eventType: "transferComplete",
      from: "sip:anonymous@anonymous.invalid",
      to: "+19195550142",
      transferTo: "sip:alice.smith@pbx.example.com",
      errorMessage: "INVITE to sip:alice.smith@pbx.example.com timed out; sip:bob@pbx.example.com busy",
    };
    capture.record({
      at: Date.now(),
      family: "voice",
      path: "/callbacks/voice",
      method: "POST",
      url: "/callbacks/voice",
      eventType: "transferComplete",
      contentType: "application/json",
      header: () => undefined,
      body: JSON.stringify(event),
      response: { status: 200, headers: { "content-type": "application/xml" }, body: "<Response><Transfer><SipUri>sip:alice.smith@pbx.example.com</SipUri></Transfer></Response>" },
      latencyMs: 1,
    });
    const files = await capture.flush();
    const text = readFileSync(files[0], "utf8");
    assert.ok(!text.includes("alice.smith"), text);
    assert.ok(!text.includes("sip:bob@"), text);
    const [entry] = parseCapture(text);
    const body = JSON.parse(entry.body!) as typeof event;
    assert.equal(body.from, "sip:anonymous@anonymous.invalid");
    const user = /^sip:([^@]+)@pbx\.example\.com$/.exec(body.transferTo)?.[1];
    assert.ok(user !== undefined, body.transferTo);
    assert.ok(body.errorMessage.startsWith(`INVITE to sip:${user}@pbx.example.com timed out`), body.errorMessage);
    assert.equal(entry.answer.body, `<Response><Transfer><SipUri>sip:${user}@pbx.example.com</SipUri></Transfer></Response>`);
  } finally {
    await capture.close();
  }
});
