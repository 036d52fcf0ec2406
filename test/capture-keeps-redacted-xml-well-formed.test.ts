// A numbers-family XML body with an entity reference in a personal element (`<SubscriberName>Smith &amp;
// Sons</SubscriberName>`, a common company name in a port-out validation request) or a CDATA section: the
// pseudonym replaced the entity's letters too (`&dej;`), so the recorded body was no longer XML and replaying
// it got a dispute (`<Portable>false</Portable>`) where the delivery got `true`; a CDATA section's text was
// not replaced at all. Now
// entity references stay, CDATA text is replaced inside its markers, and the capture replays clean.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { createCapture, parseCapture } from "../generated/capture.js";
import { replayCapture } from "../generated/testing.js";

const root = mkdtempSync(join(tmpdir(), "bw-capture-xml-entities-"));
after(() => rmSync(root, { recursive: true, force: true }));
const silent = { info() {}, warn() {}, error() {}, debug() {} };
const authorization = `Basic ${Buffer.from("u:xml-pw").toString("base64")}`;

const request = `<?xml version="1.0" encoding="UTF-8"?>
<PortOutValidationRequest>
    <PON>PO-2026-1205</PON>
    <Pin>4821</Pin>
    <AccountNumber>ACCT-553201</AccountNumber>
    <ZipCode>27601</ZipCode>
    <SubscriberName>Smith &amp; Sons Plumbing</SubscriberName>
    <ContactName><![CDATA[John Q. Smith]]></ContactName>
    <TelephoneNumbers><TelephoneNumber>9195550190</TelephoneNumber></TelephoneNumbers>
</PortOutValidationRequest>`;

test("a personal XML element with an entity or CDATA is replaced and stays well-formed: the capture replays clean", async () => {
  const capture = createCapture({ dir: root });
  try {
    const webhooks = createBandwidthWebhooks({
      capture,
      credentials: [{ username: "u", password: "xml-pw" }],
      logger: silent,
      numbers: { portOutValidationRequest: () => ({ portable: true }) } as never,
    });
    const answer = await webhooks.fetch(new Request("http://127.0.0.1/callbacks/numbers", { method: "POST", headers: { authorization, "content-type": "application/xml" }, body: request }));
    assert.equal(answer.status, 200);
    const files = await capture.flush();
    const text = readFileSync(files[0], "utf8");
    const [entry] = parseCapture(text);
    assert.ok(!/Smith|Sons|Plumbing|John/.test(entry.body!), entry.body!);
    assert.match(entry.body!, /<SubscriberName>\w+ &amp; \w+ \w+<\/SubscriberName>/);
    assert.match(entry.body!, /<ContactName><!\[CDATA\[\w+ \w\. \w+\]\]><\/ContactName>/);
    const report = await replayCapture(webhooks.fetch, text, { username: "u", password: "xml-pw" });
    assert.deepEqual(report.results.flatMap((r) => r.differences), []);
  } finally {
    await capture.close();
  }
});
