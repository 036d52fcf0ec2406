// Redacted events must still be the events Bandwidth sends, or `drift` reports the redaction as drift and a
// replay is answered differently: a toll-free number's pseudonym was any +1 number (TFV's phoneNumber must be
// toll-free: drift flagged every TFV capture), and a port-out `<Pin>` masked as `***` broke its letters-and-
// digits rule. Now a toll-free number keeps its toll-free area code (the rest is replaced), and a PIN of
// digits is stored as as many zeros. Both events pass the strict validators after capture. A fixed key makes
// the pseudonyms the same on every run.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createCapture, parseCapture } from "../generated/capture.js";
import * as numbers from "../generated/validators/numbers.js";
import * as tfv from "../generated/validators/tfv.js";

const root = mkdtempSync(join(tmpdir(), "bw-capture-valid-"));
after(() => rmSync(root, { recursive: true, force: true }));
const fixture = (path: string) => readFileSync(new URL(`./fixtures/published-like/${path}`, import.meta.url), "utf8");

function delivery(family: string, body: string, contentType: string) {
  return { at: Date.now(), family, path: `/callbacks/${family}`, method: "POST", url: `/callbacks/${family}`, eventType: undefined, contentType, header: () => undefined, body, response: { status: 200, headers: {}, body: "" }, latencyMs: 1 };
}

test("a toll-free number stays toll-free and a PIN stays digits: the redacted events validate strictly", async () => {
  const capture = createCapture({ dir: root, key: "a fixed key for this test" });
  try {
    const verified = fixture("tfv/verified.json");
    const portOut = fixture("numbers/port-out-validation.xml");
    capture.record(delivery("tfv", verified, "application/json"));
    capture.record(delivery("numbers", portOut, "application/xml"));
    const files = await capture.flush();
    const [tfvEntry, numbersEntry] = parseCapture(readFileSync(files[0], "utf8"));
    const event = JSON.parse(tfvEntry.body!) as { phoneNumber: string };
    assert.notEqual(event.phoneNumber, JSON.parse(verified).phoneNumber);
    assert.match(event.phoneNumber, /^\+1844\d{7}$/);
    const tfvResult = tfv.validateTfvCallback(event, { strict: true });
    assert.equal(tfvResult.ok, true, JSON.stringify(tfvResult));
    assert.match(numbersEntry.body!, /<Pin>0000<\/Pin>/);
    assert.ok(!numbersEntry.body!.includes("0427"));
    const xml = numbers.validateNumbersXml(numbersEntry.body!, { strict: true });
    assert.equal(xml.ok, true, JSON.stringify(xml));
  } finally {
    await capture.close();
  }
});
