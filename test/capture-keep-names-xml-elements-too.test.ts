// `keep` names fields to store as they arrived: JSON keys, query parameters and XML element names alike. An
// XML element it names (`keep: ["TelephoneNumber"]` for a team that may store its own numbers) was still
// pseudonymised by the free-text pass that follows the elements'; now it is kept, while the same numbers
// elsewhere in other elements and in free text are still replaced.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createCapture, parseCapture } from "../generated/capture.js";

const root = mkdtempSync(join(tmpdir(), "bw-capture-keep-xml-"));
after(() => rmSync(root, { recursive: true, force: true }));

const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Notification>
    <Status>COMPLETE</Status>
    <OrderId>a8c3e1f0-7b2d-4c5e-9a1f-3d6b8e0c2f47</OrderId>
    <OrderType>orders</OrderType>
    <CompletedTelephoneNumbers>
        <TelephoneNumber>7205550131</TelephoneNumber>
        <TelephoneNumber>+17205550132</TelephoneNumber>
    </CompletedTelephoneNumbers>
    <BillingTelephoneNumber>7205550133</BillingTelephoneNumber>
    <Message>Telephone number 7205550134 is on hold</Message>
</Notification>`;

test("keep naming an XML element keeps its value; other numbers are still replaced", async () => {
  const capture = createCapture({ dir: root, keep: ["TelephoneNumber"] });
  try {
    capture.record({
      at: Date.now(),
      family: "numbers",
      path: "/callbacks/numbers",
      method: "POST",
      url: "/callbacks/numbers",
      eventType: "orders",
      contentType: "application/xml",
      header: () => undefined,
      body: xml,
      response: { status: 200, headers: {}, body: "" },
      latencyMs: 1,
    });
    const files = await capture.flush();
    const [entry] = parseCapture(readFileSync(files[0], "utf8"));
    assert.match(entry.body!, /<TelephoneNumber>7205550131<\/TelephoneNumber>/);
    assert.match(entry.body!, /<TelephoneNumber>\+17205550132<\/TelephoneNumber>/);
    assert.ok(!entry.body!.includes("7205550133"), entry.body!);
    assert.ok(!entry.body!.includes("7205550134"), entry.body!);
    assert.ok(!entry.body!.includes("a8c3e1f0-7b2d"), entry.body!);
  } finally {
    await capture.close();
  }
});
