// Personal data the capture's redaction let through into the file, found in the review of the day's
// changes: an internationalised e-mail address (`jürgen@müller.de`, `иван@пример.рф`: the address pattern
// took ASCII letters only, so it matched nothing and the text was stored as it came), and an E.164 number
// written in groups as people write numbers outside North America (`+44 20 7946 0958`, `+33 1 23 45 67 89`:
// only the unbroken form and North American shapes were numbers). Both now get their pseudonyms: the same
// e-mail pseudonym in any case, and a grouped number the digits its unbroken form gets, in its own layout.
// Through createCapture, and the capture file searched for every original.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { captureRedactor } from "../generated/runtime/capture/entry.js";
import type { CapturedDelivery } from "../generated/capture.js";
import { captureFolder } from "./support/capture.js";

const { root, createCapture } = captureFolder("bw-capture-international-");
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const TAG = "Jürgen Groß, jürgen.groß@müller-bäckerei.de / ИВАН@пример.рф, Tel. +44 20 7946 0958 or +33 1 23 45 67 89";
const ORIGINALS = ["jürgen.groß", "müller-bäckerei", "ИВАН", "пример", "+44 20 7946 0958", "20 7946 0958", "7946 0958", "+33 1 23 45 67 89", "23 45 67 89"];

function delivery(body: string): CapturedDelivery {
  return { at: Date.UTC(2026, 11, 5, 12, 0, 0), family: "voice", path: "/callbacks/voice", method: "POST", url: "/callbacks/voice", eventType: "disconnect", contentType: "application/json", header: () => undefined, body, response: { status: 204, headers: {}, body: "" }, latencyMs: 1 };
}

test("an internationalised e-mail address and a grouped international number never reach the capture file", async () => {
  const event = { eventType: "disconnect", eventTime: "2026-12-05T12:00:00.000Z", accountId: "9900000", applicationId: "0e5c5a1e-0000-4000-8000-000000000001", from: "+442079460958", to: "+19195550199", direction: "inbound", callId: "c-intl-1", callUrl: "https://voice.bandwidth.com/api/v2/accounts/9900000/calls/c-intl-1", startTime: "2026-12-05T11:59:00.000Z", endTime: "2026-12-05T12:00:00.000Z", cause: "hangup", tag: TAG };
  const dir = join(root, "intl");
  const capture = createCapture({ dir, logger: quiet });
  capture.record(delivery(JSON.stringify(event))); // compact: the one-pass redaction
  capture.record(delivery(JSON.stringify(event, null, 2))); // spaced: the parse and walk
  const files = await capture.close();
  const text = files.map((file) => readFileSync(file, "utf8")).join("");
  assert.equal(text.split("\n").filter(Boolean).length, 2);
  for (const original of ORIGINALS) assert.ok(!text.includes(original), `${original} is in the capture file`);
  assert.match(text, /u-[0-9a-f]+@example\.invalid/);
});

test("a grouped number gets the digits its unbroken form gets; an address the same pseudonym in any case", () => {
  const r = captureRedactor(new TextEncoder().encode("a fixed key"), []);
  const stored = (tag: string, from = "+442079460958") => JSON.parse(r.body(JSON.stringify({ eventType: "disconnect", from, tag }), "application/json").text) as { from: string; tag: string };
  const { from, tag } = stored("call +44 20 7946 0958");
  assert.equal(tag.replace(/\D/g, ""), from.replace(/\D/g, ""), "the same digits as from's pseudonym");
  assert.match(tag, /^call \+\d{2} \d{2} \d{4} \d{4}$/, "its layout kept");
  assert.equal(stored("jürgen@müller.de").tag, stored("JÜRGEN@MÜLLER.DE").tag);
  assert.equal(stored("sip:jürgen@pbx.example.com").tag.startsWith("sip:"), true, "a SIP URI stays one");
  assert.equal(stored("version 1.2.3 build 45 67 89").tag, "version 1.2.3 build 45 67 89", "digits in groups without a + are no number");
});
