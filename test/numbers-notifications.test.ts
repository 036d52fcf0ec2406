// Numbers notifications end to end: every schema example written out as XML parses back to itself and
// validates as its event (one telephone number still gives an array); x-bw.xml.arrays agrees with the
// schemas; broken XML documents are rejected at the right path; the handler runtime serves the numbers
// family over real HTTP (200 acknowledgements, the port-out validation answer as escaped XML).
import { after, before, describe, it, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { createBandwidthWebhooks } from "../generated/index.js";
import { validateNumbersXml, parseNumbersBody } from "../generated/validators/numbers.js";
import type { NumbersHandlers } from "../generated/index.js";
import { escapeXmlText } from "../templates/runtime/xml/escape.js";
import { loadCatalog, resolvePointer, resolveRef, type JsonSchema } from "../generator/catalog.js";
import { REPO_ROOT } from "./support/cli.js";
import { GOOD_AUTH, PASSWORD, USERNAME, send } from "./adapter-harness.js";

const catalog = loadCatalog(join(REPO_ROOT, "schemas"));
const events = catalog.events.filter((e) => e.family === "numbers");

/** Write a JSON-form value back as XML (the inverse of the mapping, for tests). */
function toXml(name: string, value: unknown): string {
  if (Array.isArray(value)) return value.map((item) => toXml(name, item)).join("\n");
  if (typeof value === "string") return `<${name}>${escapeXmlText(value)}</${name}>`;
  const inner = Object.entries(value as Record<string, unknown>).map(([k, v]) => toXml(k, v)).join("\n  ");
  return `<${name}>\n  ${inner}\n</${name}>`;
}
const documentOf = (root: string, value: unknown): string => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${toXml(root, value)}`;
const rootOf = (e: (typeof events)[number]): string => (e.meta.xml as { root: string }).root;

test("numbers covers 19 order types, MESSAGING_LOST and the port-out validation request", () => {
  assert.equal(events.filter((e) => (e.meta.xml as { discriminant?: string }).discriminant === "OrderType").length, 19);
  assert.ok(events.some((e) => e.event === "MESSAGING_LOST"));
  assert.ok(events.some((e) => e.event === "PortOutValidationRequest"));
});

/** Paths (relative to the root) of every array in a schema, following $refs. */
function arrayPaths(id: string, schema: JsonSchema, prefix = ""): string[] {
  let node = schema;
  let at = id;
  while (typeof node?.$ref === "string") {
    const target = resolveRef(at, node.$ref);
    at = target.id;
    node = resolvePointer(catalog.schemas.get(target.id), target.pointer) as JsonSchema;
  }
  if (node?.type === "array") return [prefix];
  return Object.entries<JsonSchema>(node?.properties ?? {}).flatMap(([k, v]) => arrayPaths(at, v, prefix ? `${prefix}/${k}` : k));
}

for (const e of events) {
  test(`numbers/${e.event}: x-bw.xml.arrays lists exactly the schema's arrays`, () => {
    assert.deepEqual([...((e.meta.xml as { arrays?: string[] }).arrays ?? [])].sort(), arrayPaths(e.id, e.schema).sort());
  });

  test(`numbers/${e.event}: every example, written as XML, parses back to itself and validates`, () => {
    for (const [i, example] of (e.schema.examples as Record<string, unknown>[]).entries()) {
      const xml = documentOf(rootOf(e), example);
      for (const strict of [false, true]) {
        const result = validateNumbersXml(xml, { strict });
        assert.equal(result.ok, true, `example ${i}: ${JSON.stringify(!result.ok && result.errors)}\n${xml}`);
        assert.equal(result.type, e.event);
        if (result.ok) assert.deepEqual(result.value, example);
      }
    }
  });

  test(`numbers/${e.event}: a missing required element is reported at its path`, () => {
    const full = (e.schema.examples as Record<string, unknown>[])[1];
    for (const field of e.schema.required as string[]) {
      const copy = { ...full };
      delete copy[field];
      const result = validateNumbersXml(documentOf(rootOf(e), copy));
      assert.equal(result.ok, false, `without <${field}>`);
      if (!result.ok && result.type === e.event) assert.ok(result.errors.some((x) => x.path === `/${field}`), JSON.stringify(result.errors));
    }
  });
}

test("a single telephone number is still an array; values stay strings (leading zeros, 'true', numbers)", () => {
  const xml = `<Notification><SubscriptionId>007</SubscriptionId><OrderType>disconnects</OrderType><OrderId>12345</OrderId><Status>COMPLETE</Status><Message>true</Message>
  <CompletedTelephoneNumbers><TelephoneNumber>0195550142</TelephoneNumber></CompletedTelephoneNumbers></Notification>`;
  const result = validateNumbersXml(xml);
  assert.equal(result.ok, true);
  if (result.ok) {
    assert.deepEqual(result.value, {
      SubscriptionId: "007",
      OrderType: "disconnects",
      OrderId: "12345",
      Status: "COMPLETE",
      Message: "true",
      CompletedTelephoneNumbers: { TelephoneNumber: ["0195550142"] },
    });
  }
});

const broken: { name: string; xml: string; path: string; type?: string; says: RegExp }[] = [
  { name: "not XML at all", xml: "OrderType=orders", path: "", says: /not accepted as XML/ },
  { name: "unclosed element", xml: "<Notification><OrderId>o</Notification>", path: "", says: /not accepted as XML: \d+:\d+/ },
  { name: "an unknown root", xml: "<Subscription><OrderType>orders</OrderType></Subscription>", path: "", says: /root element <Subscription> is not a numbers notification/ },
  { name: "neither OrderType nor EventType", xml: "<Notification><SubscriptionId>s</SubscriptionId><Status>COMPLETE</Status></Notification>", path: "/OrderType", says: /OrderType.*EventType/ },
  { name: "an unknown order type", xml: "<Notification><SubscriptionId>s</SubscriptionId><OrderType>teleports</OrderType><OrderId>o</OrderId><Status>COMPLETE</Status></Notification>", path: "/OrderType", type: "teleports", says: /unknown numbers event type "teleports"/ },
  { name: "OrderType given twice", xml: "<Notification><SubscriptionId>s</SubscriptionId><OrderType>orders</OrderType><OrderType>portins</OrderType><OrderId>o</OrderId><Status>COMPLETE</Status></Notification>", path: "/OrderType", says: /must be a string/ },
  { name: "the TN list as text instead of elements", xml: "<Notification><SubscriptionId>s</SubscriptionId><OrderType>orders</OrderType><OrderId>o</OrderId><Status>COMPLETE</Status><CompletedTelephoneNumbers>9195550142</CompletedTelephoneNumbers></Notification>", path: "/CompletedTelephoneNumbers", type: "orders", says: /object/ },
  { name: "a nested element where text is expected", xml: "<Notification><SubscriptionId>s</SubscriptionId><OrderType>orders</OrderType><OrderId><Id>o</Id></OrderId><Status>COMPLETE</Status></Notification>", path: "/OrderId", type: "orders", says: /string/ },
  { name: "a port-out request without numbers", xml: "<PortOutValidationRequest><PON>1</PON><TelephoneNumbers/></PortOutValidationRequest>", path: "/TelephoneNumbers/TelephoneNumber", type: "PortOutValidationRequest", says: /at least 1|fewer than 1/ },
  { name: "a port-out PIN with a symbol (Bandwidth: alphanumeric)", xml: "<PortOutValidationRequest><Pin>12-ab</Pin><TelephoneNumbers><TelephoneNumber>9195550142</TelephoneNumber></TelephoneNumbers></PortOutValidationRequest>", path: "/Pin", type: "PortOutValidationRequest", says: /letters and digits/ },
  { name: "an order notification under the port-out root", xml: "<PortOutValidationRequest><SubscriptionId>s</SubscriptionId><OrderType>orders</OrderType><OrderId>o</OrderId><Status>COMPLETE</Status></PortOutValidationRequest>", path: "", type: "orders", says: /root element <Notification>, not <PortOutValidationRequest>/ },
];

for (const b of broken) {
  test(`numbers XML rejected: ${b.name}`, () => {
    const result = validateNumbersXml(b.xml);
    assert.equal(result.ok, false);
    if (result.ok) return;
    if (b.type !== undefined) assert.equal(result.type, b.type);
    const at = result.errors.filter((e) => e.path === b.path);
    assert.ok(at.some((e) => b.says.test(e.message)), JSON.stringify(result.errors));
  });
}

test("parseNumbersBody (the handler runtime's parser) refuses an unexpected root and a DOCTYPE", () => {
  assert.throws(() => parseNumbersBody("<Response/>"), /root element <Response>/);
  assert.throws(() => parseNumbersBody('<!DOCTYPE Notification [<!ENTITY a "b">]><Notification/>'), /DOCTYPE/);
});

describe("the numbers family over HTTP", () => {
  let server: Server;
  let port = 0;
  const seen: string[] = [];
  const orders = events.find((e) => e.event === "orders")!;
  const portOut = events.find((e) => e.event === "PortOutValidationRequest")!;

  before(async () => {
    const handlers: NumbersHandlers = {
      orders(event) {
        seen.push(`orders:${event.Status}:${event.CompletedTelephoneNumbers?.TelephoneNumber.length ?? 0}`);
        return undefined;
      },
      messagingLost(event) {
        seen.push(`lost:${event.ImpactedTelephoneNumbers.TelephoneNumber.join("|")}`);
        return undefined;
      },
      portOutValidationRequest(event) {
        if (event.Pin === "0427") return { portable: true, pon: event.PON };
        return { portable: false, pon: event.PON, errors: [{ code: 7513, description: `PIN <${event.Pin ?? ""}> & name do not match` }] };
      },
    };
    const webhooks = createBandwidthWebhooks({ credentials: [{ username: USERNAME, password: PASSWORD }], numbers: handlers, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    server = createServer(webhooks.node);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (xml: string, contentType = "application/xml; charset=utf-8") =>
    send(port, { path: "/callbacks/numbers", headers: { authorization: GOOD_AUTH, "content-type": contentType }, body: xml });

  it("acknowledges an order notification with 200 and an empty body, after calling the handler", async () => {
    const res = await post(documentOf("Notification", (orders.schema.examples as unknown[])[1]), "text/xml");
    assert.equal(res.status, 200);
    assert.equal(res.body, "");
    assert.equal(seen.at(-1), "orders:COMPLETE:2");
  });

  it("answers a port-out validation request with the handler's answer as XML", async () => {
    const ok = await post(documentOf("PortOutValidationRequest", (portOut.schema.examples as unknown[])[1]));
    assert.equal(ok.status, 200);
    assert.match(String(ok.headers["content-type"]), /application\/xml/);
    assert.equal(ok.body, '<?xml version="1.0" encoding="UTF-8"?><PortOutValidationResponse><Portable>true</Portable><PON>PON-7781-A</PON></PortOutValidationResponse>');
    const no = await post("<PortOutValidationRequest><PON>P2</PON><Pin>9999</Pin><TelephoneNumbers><TelephoneNumber>9195550142</TelephoneNumber></TelephoneNumbers></PortOutValidationRequest>");
    assert.equal(no.status, 200);
    assert.match(no.body, /<Portable>false<\/Portable><PON>P2<\/PON><Errors><Error><Code>7513<\/Code><Description>PIN &lt;9999&gt; &amp; name do not match<\/Description><\/Error><\/Errors>/);
  });

  it("refuses hostile XML with 400 before any handler runs", async () => {
    const before = seen.length;
    const res = await post('<?xml version="1.0"?><!DOCTYPE Notification [<!ENTITY x SYSTEM "file:///etc/passwd">]><Notification><SubscriptionId>&x;</SubscriptionId><EventType>MESSAGING_LOST</EventType><ImpactedTelephoneNumbers><TelephoneNumber>1</TelephoneNumber></ImpactedTelephoneNumbers></Notification>');
    assert.equal(res.status, 400);
    assert.equal(seen.length, before);
    assert.ok(!res.body.includes("root:"));
  });

  it("calls the event-notification handler with the impacted numbers as an array", async () => {
    const res = await post("<Notification><SubscriptionId>s</SubscriptionId><EventType>MESSAGING_LOST</EventType><ImpactedTelephoneNumbers><TelephoneNumber>9195550142</TelephoneNumber></ImpactedTelephoneNumbers></Notification>");
    assert.equal(res.status, 200);
    assert.equal(seen.at(-1), "lost:9195550142");
  });
});

test("the XML examples shown in the OpenAPI document validate as their event", async () => {
  const { readFileSync } = await import("node:fs");
  const spec = JSON.parse(readFileSync(join(REPO_ROOT, "generated", "openapi.json"), "utf8"));
  const { numbersEvents } = await import("../generated/events.js"); // webhooks are keyed by handler name
  for (const e of events) {
    const content = spec.webhooks[`numbers.${numbersEvents[e.event].method}`].post.requestBody.content["application/xml"];
    for (const [name, example] of Object.entries<{ value: string }>(content.examples)) {
      assert.equal(typeof example.value, "string", `${e.event} ${name} is shown as XML`);
      const result = validateNumbersXml(example.value, { strict: true });
      assert.equal(result.ok, true, `${e.event} ${name}: ${JSON.stringify(!result.ok && result.errors)}`);
      assert.equal(result.type, e.event);
    }
  }
});
