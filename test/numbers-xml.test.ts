// Numbers XML: the XML → JSON-form mapping (arrays always arrays, strings stay strings), hostile XML
// refused without touching the file system, and the escaped, typed port-out validation response builder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseXml } from "../templates/runtime/xml/parser.js";
import {
  xmlToJsonForm,
  parseNumbersXml,
  buildPortOutValidationResponse,
  PORT_OUT_ERROR_CODES,
  NUMBERS_XML_LIMITS,
} from "../templates/runtime/xml/numbers.js";

const ARRAYS = {
  Notification: ["CompletedTelephoneNumbers/TelephoneNumber", "ImpactedTelephoneNumbers/TelephoneNumber"],
  PortOutValidationRequest: ["TelephoneNumbers/TelephoneNumber"],
};

test("an order notification maps to the JSON form: element names kept, strings kept, one TN is still an array", () => {
  const xml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Notification>
  <Status>COMPLETE</Status>
  <SubscriptionId>b7e2c41d-6a3f-4e58-9d0c-1f2a3b4c5d6e</SubscriptionId>
  <Message>Created a new number order for 1 number</Message>
  <OrderId>4c8e2a6f-1b3d-4f5a-8c9e-0d2f4a6b8c1e</OrderId>
  <OrderType>orders</OrderType>
  <CompletedTelephoneNumbers>
    <TelephoneNumber>0195550142</TelephoneNumber>
  </CompletedTelephoneNumbers>
  <LastModifiedDate>2026-03-14T20:01:02.345Z</LastModifiedDate>
</Notification>`;
  const parsed = parseNumbersXml(xml, ARRAYS);
  assert.ok(parsed.ok);
  assert.equal(parsed.root, "Notification");
  assert.deepEqual(parsed.value, {
    Status: "COMPLETE",
    SubscriptionId: "b7e2c41d-6a3f-4e58-9d0c-1f2a3b4c5d6e",
    Message: "Created a new number order for 1 number",
    OrderId: "4c8e2a6f-1b3d-4f5a-8c9e-0d2f4a6b8c1e",
    OrderType: "orders",
    CompletedTelephoneNumbers: { TelephoneNumber: ["0195550142"] }, // leading zero kept: a string
    LastModifiedDate: "2026-03-14T20:01:02.345Z",
  });
});

test("an empty list element gives an empty array; an empty text element gives the empty string", () => {
  const root = parseXml("<Notification><Note/><CompletedTelephoneNumbers/><Message>  </Message></Notification>");
  assert.deepEqual(xmlToJsonForm(root, ARRAYS.Notification), { Note: "", CompletedTelephoneNumbers: { TelephoneNumber: [] }, Message: "" });
});

test("unlisted repeated elements become arrays; listed ones stay arrays; attributes are ignored; entities decoded", () => {
  const root = parseXml(
    `<Notification xmlns="urn:x"><Tag a="1">x &amp; y</Tag><Tag>z</Tag><Tag>w</Tag><ImpactedTelephoneNumbers><TelephoneNumber>1</TelephoneNumber><TelephoneNumber>2</TelephoneNumber></ImpactedTelephoneNumbers></Notification>`,
  );
  assert.deepEqual(xmlToJsonForm(root, ARRAYS.Notification), {
    Tag: ["x & y", "z", "w"],
    ImpactedTelephoneNumbers: { TelephoneNumber: ["1", "2"] },
  });
});

test("an element called __proto__ is dropped, at any depth, and does not touch the prototype", () => {
  const value = xmlToJsonForm(
    parseXml("<Notification><__proto__><polluted>yes</polluted></__proto__><OrderId>o</OrderId><Nested><__proto__>x</__proto__></Nested></Notification>"),
    [],
  );
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.equal(Object.hasOwn(value, "__proto__"), false);
  assert.deepEqual(value, { OrderId: "o", Nested: {} });
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test("mixed content keeps non-blank text under #text rather than dropping it", () => {
  assert.deepEqual(xmlToJsonForm(parseXml("<Notification>stray<OrderId>o</OrderId></Notification>"), []), { OrderId: "o", "#text": "stray" });
});

test("a port-out validation request maps with its TN list as an array", () => {
  const parsed = parseNumbersXml(
    "<PortOutValidationRequest><PON>PON-1</PON><Pin>0427</Pin><TelephoneNumbers><TelephoneNumber>9195550142</TelephoneNumber></TelephoneNumbers></PortOutValidationRequest>",
    ARRAYS,
  );
  assert.deepEqual(parsed, { ok: true, root: "PortOutValidationRequest", value: { PON: "PON-1", Pin: "0427", TelephoneNumbers: { TelephoneNumber: ["9195550142"] } } });
});

test("an unexpected root element is reported, naming the expected ones", () => {
  const parsed = parseNumbersXml("<Response><Hangup/></Response>", ARRAYS);
  assert.equal(parsed.ok, false);
  if (!parsed.ok) assert.match(parsed.errors[0].message, /root element <Response> is not a numbers notification; expected <Notification>, <PortOutValidationRequest>/);
});

// ---- hostile XML: refused, nothing read from disk ----
const dir = mkdtempSync(join(tmpdir(), "bw-xxe-"));
const secretFile = join(dir, "secret.txt");
const MARKER = "TOP-SECRET-MARKER-7f3a";
writeFileSync(secretFile, MARKER);

const hostile: { name: string; xml: string; says: RegExp }[] = [
  {
    name: "external entity (XXE) pointing at a local file",
    xml: `<?xml version="1.0"?><!DOCTYPE Notification [<!ENTITY xxe SYSTEM "${pathToFileURL(secretFile).href}">]><Notification><OrderId>&xxe;</OrderId></Notification>`,
    says: /DOCTYPE/i,
  },
  {
    name: "external DTD",
    xml: `<?xml version="1.0"?><!DOCTYPE Notification SYSTEM "${pathToFileURL(secretFile).href}"><Notification/>`,
    says: /DOCTYPE/i,
  },
  {
    name: "entity expansion (billion laughs)",
    xml: `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><Notification><Message>&lol2;</Message></Notification>`,
    says: /DOCTYPE/i,
  },
  {
    name: "undeclared entity reference without a DTD",
    xml: `<Notification><Message>&xxe;</Message></Notification>`,
    says: /entity/i,
  },
  {
    name: "huge document (over the size limit)",
    xml: `<Notification><Message>${"A".repeat(NUMBERS_XML_LIMITS.maxBytes)}</Message></Notification>`,
    says: /limit|too large|bytes/i,
  },
  {
    name: "deeply nested elements",
    xml: `<Notification>${"<a>".repeat(5000)}${"</a>".repeat(5000)}</Notification>`,
    says: /depth|nest/i,
  },
];

for (const h of hostile) {
  test(`hostile XML refused: ${h.name}`, () => {
    const parsed = parseNumbersXml(h.xml, ARRAYS);
    assert.equal(parsed.ok, false);
    if (parsed.ok) return;
    assert.equal(parsed.errors[0].path, "");
    assert.match(parsed.errors[0].message, /^not accepted as XML: /);
    assert.match(parsed.errors[0].message, h.says);
    assert.ok(!JSON.stringify(parsed).includes(MARKER), "the file's contents must never appear");
  });
}

// ---- port-out validation response builder ----
test("approve: minimal response", () => {
  assert.equal(
    buildPortOutValidationResponse({ portable: true }),
    '<?xml version="1.0" encoding="UTF-8"?><PortOutValidationResponse><Portable>true</Portable></PortOutValidationResponse>',
  );
});

test("dispute: every field, escaped, and it parses back into the documented JSON form", () => {
  const xml = buildPortOutValidationResponse({
    portable: false,
    pon: "PON<7781>&A",
    errors: [
      { code: PORT_OUT_ERROR_CODES.pinInvalid, description: 'PIN "0427" </Description><Portable>true</Portable>' },
      { code: "7519", description: "Name mismatch" },
    ],
    acceptableValues: { pin: "1234", accountNumber: "A&B", zipCode: "27606", subscriberName: "Oak & Pine <Dental>", telephoneNumbers: ["9195550142", "9195550143"] },
  });
  const back = xmlToJsonForm(parseXml(xml), ["Errors/Error", "AcceptableValues/TelephoneNumbers/TelephoneNumber"]);
  assert.deepEqual(back, {
    Portable: "false",
    PON: "PON<7781>&A",
    Errors: { Error: [{ Code: "7513", Description: 'PIN "0427" </Description><Portable>true</Portable>' }, { Code: "7519", Description: "Name mismatch" }] },
    AcceptableValues: { Pin: "1234", AccountNumber: "A&B", ZipCode: "27606", SubscriberName: "Oak & Pine <Dental>", TelephoneNumbers: { TelephoneNumber: ["9195550142", "9195550143"] } },
  });
  assert.equal(xml.match(/<Portable>/g)?.length, 1, "injected markup must stay text");
});

test("builder refuses what Bandwidth could not accept", () => {
  // @ts-expect-error a dispute needs errors
  assert.throws(() => buildPortOutValidationResponse({ portable: false }), /needs at least one error/);
  assert.throws(() => buildPortOutValidationResponse({ portable: false, errors: [] as never }), /needs at least one error/);
  assert.throws(() => buildPortOutValidationResponse({ portable: true, pon: "x".repeat(26) }), /at most 25/);
  assert.throws(() => buildPortOutValidationResponse({ portable: false, errors: [{ code: 75, description: "short" }] }), /four digits/);
  assert.throws(() => buildPortOutValidationResponse({ portable: false, errors: [{ code: 7513, description: "bad \u0001 char" }] }));
  // @ts-expect-error portable must be a boolean
  assert.throws(() => buildPortOutValidationResponse({ portable: "yes" }), /true or false/);
});
