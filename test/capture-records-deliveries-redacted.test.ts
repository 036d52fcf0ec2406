// The flight recorder's capture (`createCapture` of bw-codegen/capture, passed as `capture`): every delivery
// the receiver answers is written as one NDJSON entry (body as it arrived, the answer given), redacted with
// pseudonyms consistent within the capture (a call's callbacks line up; an echoed number in the BXML answer is
// the same pseudonym), without credentials; files rotate under a size cap; an unwritable folder is reported
// once and capture turns itself off while deliveries are answered as before.
import assert from "node:assert/strict";
import { writeFileSync, readFileSync, existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { parseCapture } from "../generated/capture.js";
import type { CaptureEntry } from "../generated/capture.js";
import { simulateCall } from "../generated/testing.js";
import { captureFolder } from "./support/capture.js";

const { root, createCapture } = captureFolder("bw-capture-");
const credentials = [{ username: "bw-user", password: "capture-s3cret-pw" }];
const silent = { info() {}, warn() {}, error() {}, debug() {} };

function receiver(capture: ReturnType<typeof createCapture>) {
  return createBandwidthWebhooks({
    capture,
    credentials,
    logger: silent,
    voice: {
      initiate: (event) => `<Response><Gather gatherUrl="/callbacks/voice" username="bw-user" password="capture-s3cret-pw" maxDigits="1"><SpeakSentence>Calling from ${event.from}</SpeakSentence></Gather></Response>`,
      gather: (event) => `<Response><SpeakSentence>You pressed ${event.digits}</SpeakSentence><Hangup/></Response>`,
    },
    messaging: { messageReceived: () => undefined },
  });
}

function post(webhooks: { fetch: (request: Request) => Promise<Response> | Response }, path: string, body: string, contentType = "application/json") {
  const authorization = `Basic ${Buffer.from("bw-user:capture-s3cret-pw").toString("base64")}`;
  return webhooks.fetch(new Request(`http://127.0.0.1${path}`, { method: "POST", headers: { authorization, "content-type": contentType }, body }));
}

function entries(files: string[]): CaptureEntry[] {
  return files.flatMap((file) => parseCapture(readFileSync(file, "utf8")));
}

test("a simulated call is captured in order, redacted with consistent pseudonyms, and without credentials", async () => {
  const capture = createCapture({ dir: join(root, "call") });
  const webhooks = receiver(capture);
  const sent: string[] = [];
  const spy = async (request: Request): Promise<Response> => {
    sent.push(await request.clone().text());
    return webhooks.fetch(request);
  };
  const trace = await simulateCall({ fetch: spy, path: "/callbacks/voice" }, { username: "bw-user", password: "capture-s3cret-pw", digits: ["1"], from: "+19195550100" });
  assert.equal(trace.ok, true);
  const files = await capture.close();
  const text = files.map((file) => readFileSync(file, "utf8")).join("");
  const list = entries(files);
  assert.deepEqual(list.map((e) => e.event), ["initiate", "gather", "disconnect"]);
  const bodies = list.map((e) => JSON.parse(e.body!));
  // shapes kept: E.164 still E.164, the call id still a call id
  assert.match(bodies[0].from, /^\+1\d{10}$/);
  assert.notEqual(bodies[0].from, "+19195550100");
  assert.match(bodies[0].callId, /^c-/);
  // consistent across the call's callbacks
  assert.equal(new Set(bodies.map((b) => b.from)).size, 1);
  assert.equal(new Set(bodies.map((b) => b.callId)).size, 1);
  // the answer echoed the caller's number: it carries the same pseudonym
  assert.equal(list[0].answer.status, 200);
  assert.ok(list[0].answer.body.includes(`Calling from ${bodies[0].from}`), list[0].answer.body);
  // originals and credentials nowhere
  assert.ok(!text.includes("+19195550100"));
  assert.ok(!text.includes("5550100"));
  const original = JSON.parse(sent.find((body) => body !== "")!);
  for (const id of [original.callId, original.accountId, original.applicationId]) assert.ok(!text.includes(id), `the original id ${id} is in the capture`);
  assert.ok(!text.includes("capture-s3cret-pw"));
  assert.ok(!text.includes(Buffer.from("bw-user:capture-s3cret-pw").toString("base64")));
  assert.ok(!/authorization/i.test(text));
  assert.equal(list[0].headers["content-type"], "application/json");
  assert.equal(list[2].answer.status, 204);
});

test("messaging text, media URLs and ids are replaced; fields named in keep stay as they arrived", async () => {
  const capture = createCapture({ dir: join(root, "keep"), keep: ["tag"] });
  const webhooks = receiver(capture);
  const event = [
    {
      type: "message-received",
      time: "2026-03-14T15:09:26.535Z",
      description: "Incoming message received",
      to: "+19195550142",
      message: {
        id: "1589228074636lm4k2je7j7jklbn2",
        owner: "+19195550142",
        applicationId: "93de2206-9669-4e07-948d-329f4b722ee2",
        time: "2026-03-14T15:09:26.535Z",
        segmentCount: 1,
        direction: "in",
        to: ["+19195550142"],
        from: "+19195550100",
        text: "my secret is 4242",
        media: ["https://messaging.bandwidth.com/api/v2/users/5550001/media/14762070468292kw2fuqty55yp2b2/0/bw.png"],
        tag: "campaign-7",
      },
    },
  ];
  const answer = await post(webhooks, "/callbacks/messaging", JSON.stringify(event));
  assert.equal(answer.status, 200);
  const files = await capture.close();
  const text = files.map((file) => readFileSync(file, "utf8")).join("");
  const [entry] = entries(files);
  const body = JSON.parse(entry.body!)[0];
  assert.equal(body.message.tag, "campaign-7");
  assert.match(body.message.text, /^\[redacted [0-9a-f]+\]$/);
  assert.match(body.message.media[0], /^https:\/\/messaging\.bandwidth\.com\/api\/v2\/users\/\d{7}\/media\//);
  assert.equal(body.message.to[0], body.message.owner);
  for (const original of ["my secret", "5550001", "14762070468292kw2fuqty55yp2b2", "1589228074636lm4k2je7j7jklbn2", "93de2206-9669-4e07-948d-329f4b722ee2", "+19195550142", "+19195550100"]) {
    assert.ok(!text.includes(original), `${original} is in the capture`);
  }
});

test("numbers XML notifications are redacted by element", async () => {
  const capture = createCapture({ dir: join(root, "xml") });
  const webhooks = createBandwidthWebhooks({ capture, credentials, logger: silent, numbers: {} });
  const xml = readFileSync(new URL("./fixtures/published-like/numbers/disconnect.xml", import.meta.url), "utf8");
  await post(webhooks, "/callbacks/numbers", xml, "application/xml");
  const files = await capture.close();
  const [entry] = entries(files);
  assert.ok(!entry.body!.includes("3035550160"));
  assert.ok(!entry.body!.includes("7d6c5b4a-3928-4716-a5b4-c3d2e1f0a9b8"));
  assert.match(entry.body!, /<TelephoneNumber>\d{10}<\/TelephoneNumber>/);
  assert.match(entry.body!, /<Status>COMPLETE<\/Status>/);
});

test("files rotate past maxFileBytes and the oldest are deleted past maxBytes", async () => {
  const dir = join(root, "rotate");
  const capture = createCapture({ dir, maxFileBytes: 1500, maxBytes: 4000 });
  const webhooks = receiver(capture);
  const seen: string[] = [];
  for (let i = 0; i < 30; i++) {
    await post(webhooks, "/callbacks/voice", JSON.stringify({ eventType: "disconnect", callId: `c-${i}`, from: "+19195550100", to: "+19195550142", cause: "hangup" }));
    seen.push(...(await capture.flush()));
  }
  const files = await capture.close();
  assert.ok(files.length >= 2, "rotated");
  const total = files.reduce((sum, file) => sum + statSync(file).size, 0);
  assert.ok(total <= 4000, `kept ${total} bytes`);
  const first = [...new Set(seen)][0];
  assert.ok(!files.includes(first) && !existsSync(first), "the oldest file was deleted");
  for (const file of files) assert.equal(statSync(file).mode & 0o777, 0o600);
});

test("an unwritable folder is reported once, capture turns off, and deliveries are answered as before", async () => {
  const blocker = join(root, "not-a-folder");
  writeFileSync(blocker, "");
  const errors: string[] = [];
  const capture = createCapture({ dir: join(blocker, "sub"), logger: { ...silent, error: (message: string) => void errors.push(message) } });
  const webhooks = receiver(capture);
  for (let i = 0; i < 5; i++) {
    const answer = await post(webhooks, "/callbacks/voice", JSON.stringify({ eventType: "disconnect", callId: `c-${i}`, from: "+19195550100", to: "+19195550142", cause: "hangup" }));
    assert.equal(answer.status, 204);
    await capture.flush();
  }
  await capture.close();
  assert.equal(errors.length, 1, errors.join("\n"));
  assert.match(errors[0], /capture is off/);
  assert.equal(capture.active, false);
});

test("a sink that throws never changes the answer", async () => {
  const webhooks = createBandwidthWebhooks({
    capture: {
      record() {
        throw new Error("sink broke");
      },
    },
    credentials,
    logger: silent,
    voice: { initiate: () => "<Response><Hangup/></Response>" },
  });
  const answer = await post(webhooks, "/callbacks/voice", JSON.stringify({ eventType: "initiate", callId: "c-1", from: "+19195550100", to: "+19195550142", direction: "inbound", accountId: "1", applicationId: "a", startTime: "2026-03-14T15:09:26.535Z", eventTime: "2026-03-14T15:09:26.535Z", callUrl: "https://x/y" }));
  assert.equal(answer.status, 200);
  assert.match(await answer.text(), /<Hangup\/>/);
});
