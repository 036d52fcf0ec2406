// Phone numbers and ids in every shape Bandwidth (or a receiver's own set-up) puts them, through a real
// receiver with capture on: E.164 inside SIP and tel URIs, North American numbers in national shapes
// (`9195550114`, `919-555-0112`, `(919) 555-0113`) in `tag` and in a diversion's SIP URI, a number sent as a
// JSON number, the User-To-User header (`uui`), the numbers family's `<TelephoneNumber>7205550118</…>` and
// its free-text "Telephone number 7205550119 is not portable", the request URL's path (a receiver mounted
// under `/bw/+1…/c-…`), and the national form of the caller's number echoed in the BXML answer. None of the
// originals may be in the file; shapes stay (a national number is still a national number, the same number
// gets the same pseudonym in both shapes); a hostile `__proto__` key is recorded as a key.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { parseCapture } from "../generated/capture.js";
import { captureFolder } from "./support/capture.js";

const { root, createCapture } = captureFolder("bw-capture-shapes-");
const silent = { info() {}, warn() {}, error() {}, debug() {} };
const authorization = `Basic ${Buffer.from("u:shape-pw").toString("base64")}`;

const CALL_ID = "c-2b6e0f4a-71c9d3e8-5a2b-4c61-8e0f-93d7a1b4c2e5";
const initiate = {
  eventType: "initiate",
  eventTime: "2025-04-02T14:07:12.108Z",
  accountId: "9901234",
  applicationId: "3f7c2a61-8d4e-4b0a-9c55-0e1d2b7a6f48",
  from: "+19195550121",
  to: "sip:+19195550110@trunk.example.com",
  direction: "inbound",
  callId: CALL_ID,
  callUrl: `https://voice.bandwidth.com/api/v2/accounts/9901234/calls/${CALL_ID}`,
  startTime: "2025-04-02T14:07:12.108Z",
  tag: "customer 919-555-0112, alt (919) 555-0113, home 9195550114",
  diversion: { origTo: "sip:9195550115@carrier.example.com;user=phone", reason: "unconditional" },
  uui: "eyJjYWxsZXIiOiI5MTk1NTUwMTE2In0;encoding=jwt",
  tn: 9195550117,
  __proto__hostile: "x",
};
const body = JSON.stringify(initiate).replace('"__proto__hostile":"x"', '"__proto__":{"cb":"+19195550122"}');
const orderXml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Notification>
    <Status>PARTIAL</Status>
    <OrderId>a8c3e1f0-7b2d-4c5e-9a1f-3d6b8e0c2f47</OrderId>
    <OrderType>orders</OrderType>
    <CompletedTelephoneNumbers>
        <TelephoneNumber>7205550118</TelephoneNumber>
        <TelephoneNumber>+17205550120</TelephoneNumber>
    </CompletedTelephoneNumbers>
    <ErrorList><Error><Code>5005</Code><Description>Telephone number 7205550119 is not portable</Description></Error></ErrorList>
</Notification>`;
const ORIGINALS = ["9195550121", "9195550110", "919-555-0112", "(919) 555-0113", "9195550112", "9195550113", "9195550114", "9195550115", "eyJjYWxsZXIiOiI5MTk1NTUwMTE2In0", "9195550117", "9195550122", "7205550118", "7205550119", "7205550120", "9901234", CALL_ID, "2b6e0f4a-71c9d3e8"];

test("numbers and ids in every shape are replaced, keeping their shape and lining up", async () => {
  const capture = createCapture({ dir: join(root, "shapes") });
  const webhooks = createBandwidthWebhooks({
    capture,
    credentials: [{ username: "u", password: "shape-pw" }],
    logger: silent,
    // the answer echoes the caller's number in its national form
    voice: { initiate: (event) => `<Response><Transfer><PhoneNumber>${event.from.slice(2)}</PhoneNumber></Transfer></Response>` },
    numbers: { orders: () => undefined },
  });
  const post = (body: string, type: string, family: string) =>
    webhooks.fetch(new Request(`http://127.0.0.1/callbacks/${family}`, { method: "POST", headers: { authorization, "content-type": type }, body }));
  assert.equal((await post(body, "application/json", "voice")).status, 200);
  assert.equal((await post(orderXml, "application/xml", "numbers")).status, 200);
  // a receiver mounted under a path that holds a number and a call id (express `/bw/:tn/:callId`)
  capture.record({
    at: Date.now(),
    family: "voice",
    path: "/callbacks/voice",
    method: "POST",
    url: `/bw/+19195550121/${CALL_ID}/voice?to=%2B19195550110&n=9195550114`,
    eventType: "disconnect",
    contentType: "application/json",
    header: () => undefined,
    body: "{}",
    response: { status: 204, headers: {}, body: "" },
    latencyMs: 1,
  });
  const files = await capture.close();
  const text = files.map((file) => readFileSync(file, "utf8")).join("");
  assert.deepEqual(ORIGINALS.filter((value) => text.includes(value)), [], text);

  const [voice, numbers, mounted] = files.flatMap((file) => parseCapture(readFileSync(file, "utf8")));
  const event = JSON.parse(voice.body!);
  // shapes: E.164 inside the SIP URI, national numbers in the tag keep their layout, a JSON number stays one
  assert.match(event.to, /^sip:\+1\d{10}@trunk\.example\.com$/);
  assert.match(event.tag, /^customer \d{3}-\d{3}-\d{4}, alt \(\d{3}\) \d{3}-\d{4}, home \d{10}$/);
  assert.match(event.diversion.origTo, /^sip:\d{10}@carrier\.example\.com;user=phone$/);
  assert.equal(typeof event.tn, "number");
  assert.ok(Object.hasOwn(event, "__proto__"), "the __proto__ key is recorded as a key");
  // the same number in two shapes gets the same pseudonym: the answer's national echo is the from's
  assert.match(event.from, /^\+1\d{10}$/);
  assert.equal(voice.answer.body, `<Response><Transfer><PhoneNumber>${event.from.slice(2)}</PhoneNumber></Transfer></Response>`);
  assert.ok(mounted.url.startsWith(`/bw/${event.from}/${event.callId}/voice?`), mounted.url);
  assert.match(numbers.body!, /<TelephoneNumber>\d{10}<\/TelephoneNumber>/);
  assert.match(numbers.body!, /Telephone number \d{10} is not portable/);
});
