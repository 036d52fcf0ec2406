// `bw-codegen validate --json` on the non-voice families, run as a user would: --kind messaging on arrays,
// --kind numbers on XML files (including hostile ones, refused without reading any other file), and
// --kind auto recognising every family from the content. One JSON line per file; exit 0/1/2.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT, jsonLines, runCli } from "./support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "bw-cli-families-"));
const example = (file: string, i = 1): Record<string, any> => JSON.parse(readFileSync(join(REPO_ROOT, "schemas", `${file}.schema.json`), "utf8")).examples[i];
const write = (name: string, contents: string): string => {
  const path = join(dir, name);
  writeFileSync(path, contents);
  return path;
};

const SECRET_MARKER = "CLI-SECRET-9c1e";
const secretFile = write("secret.txt", SECRET_MARKER);

const files = {
  messaging: write("messaging.json", JSON.stringify([example("messaging/message-received", 0), example("messaging/message-delivered")], null, 2)),
  messagingOne: write("messaging-one.json", JSON.stringify([example("messaging/message-failed")])),
  messagingBad: write("messaging-bad.json", JSON.stringify([example("messaging/message-sent"), { ...example("messaging/message-failed"), errorCode: "4720" }])),
  messagingLone: write("messaging-lone.json", JSON.stringify(example("messaging/message-received"))),
  order: write("order.xml", `<?xml version="1.0" encoding="UTF-8"?>\n<Notification>\n  <SubscriptionId>s-1</SubscriptionId>\n  <OrderType>orders</OrderType>\n  <OrderId>o-1</OrderId>\n  <Status>COMPLETE</Status>\n  <CompletedTelephoneNumbers><TelephoneNumber>9195550142</TelephoneNumber></CompletedTelephoneNumbers>\n</Notification>\n`),
  orderBad: write("order-bad.xml", "<Notification><SubscriptionId>s-1</SubscriptionId><OrderType>orders</OrderType><Status>COMPLETE</Status></Notification>"),
  portOut: write("port-out.xml", "<PortOutValidationRequest><Pin>0427</Pin><TelephoneNumbers><TelephoneNumber>9195550142</TelephoneNumber></TelephoneNumbers></PortOutValidationRequest>"),
  xxe: write("xxe.xml", `<?xml version="1.0"?><!DOCTYPE Notification [<!ENTITY s SYSTEM "${pathToFileURL(secretFile).href}">]><Notification><SubscriptionId>&s;</SubscriptionId></Notification>`),
  laughs: write("laughs.xml", `<!DOCTYPE Notification [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Notification><Message>&b;</Message></Notification>`),
  deep: write("deep.xml", `<Notification>${"<x>".repeat(3000)}${"</x>".repeat(3000)}</Notification>`),
  huge: write("huge.xml", `<Notification><Message>${"y".repeat(2 * 1024 * 1024)}</Message></Notification>`),
  tfv: write("tfv.json", JSON.stringify(example("tfv/denial"))),
  endpointSpec: write("endpoint-spec.json", JSON.stringify(example("endpoint/device-disconnected"))),
  endpointDocs: write("endpoint-docs.json", JSON.stringify(example("endpoint/endpoint-ineligible"))),
  mfa: write("mfa.json", JSON.stringify(example("mfa/message-delivered"))),
  webrtc: write("webrtc.json", JSON.stringify(example("webrtc/on-connect"))),
  emergency: write("emergency.txt", "to=911&from=%2B19195550142"),
};

test("--kind messaging: arrays validate, errors point into the array, a lone object is accepted with a warning", () => {
  const run = runCli(["validate", "--json", "--kind", "messaging", files.messaging, files.messagingOne, files.messagingBad, files.messagingLone]);
  assert.equal(run.status, 1, run.stderr);
  const [ok, one, bad, lone] = jsonLines(run.stdout);
  assert.deepEqual(ok, { file: files.messaging, valid: true, kind: "messaging", type: "message-received,message-delivered", errors: [] });
  assert.deepEqual(one, { file: files.messagingOne, valid: true, kind: "messaging", type: "message-failed", errors: [] });
  assert.equal(bad.valid, false);
  assert.equal(bad.type, "message-sent,message-failed");
  assert.deepEqual(bad.errors.map((e: { path: string }) => e.path), ["/1/errorCode"]);
  // Bandwidth's spec and SDK examples show one event alone; real deliveries are arrays.
  assert.equal(lone.valid, true);
  assert.equal(lone.type, "message-received");
  assert.match(lone.warnings[0], /lone messaging event: Bandwidth delivers messaging callbacks as a JSON array/);
  const broken = runCli(["validate", "--json", "--kind", "messaging", write("messaging-lone-bad.json", JSON.stringify({ ...example("messaging/message-received"), message: 5 }))]);
  assert.equal(broken.status, 1);
  assert.deepEqual(jsonLines(broken.stdout)[0].errors.map((e: { path: string }) => e.path), ["/message"]);
});

test("--kind numbers: XML notifications and port-out requests validate; missing elements are named", () => {
  const run = runCli(["validate", "--json", "--kind", "numbers", files.order, files.portOut, files.orderBad]);
  assert.equal(run.status, 1, run.stderr);
  const [order, portOut, bad] = jsonLines(run.stdout);
  assert.deepEqual(order, { file: files.order, valid: true, kind: "numbers", type: "orders", errors: [] });
  assert.deepEqual(portOut, { file: files.portOut, valid: true, kind: "numbers", type: "PortOutValidationRequest", errors: [] });
  assert.deepEqual(bad.errors, [{ path: "/OrderId", message: "is required but missing" }]);
});

test("--kind numbers: hostile XML is refused with a reason and never reads another file", () => {
  const run = runCli(["validate", "--json", "--kind", "numbers", files.xxe, files.laughs, files.deep, files.huge]);
  assert.equal(run.status, 1, run.stderr);
  const lines = jsonLines(run.stdout);
  assert.equal(lines.length, 4);
  for (const line of lines) {
    assert.equal(line.valid, false);
    assert.equal(line.kind, "numbers");
    assert.equal(line.errors[0].path, "");
    assert.match(line.errors[0].message, /^not accepted as XML: /);
  }
  assert.match(lines[0].errors[0].message, /DOCTYPE/);
  assert.match(lines[1].errors[0].message, /DOCTYPE/);
  assert.match(lines[2].errors[0].message, /depth|nest/i);
  assert.match(lines[3].errors[0].message, /larger than/);
  assert.ok(!run.stdout.includes(SECRET_MARKER));
});

test("--kind auto recognises every family from the content", () => {
  const expected: [string, string, string][] = [
    [files.messaging, "messaging", "message-received,message-delivered"],
    [files.order, "numbers", "orders"],
    [files.portOut, "numbers", "PortOutValidationRequest"],
    [files.tfv, "tfv", "denial"],
    [files.endpointSpec, "endpoint", "DEVICE_DISCONNECTED"],
    [files.endpointDocs, "endpoint", "endpointIneligible"],
    [files.mfa, "mfa", "message-delivered"],
    [files.webrtc, "webrtc", "onConnect"],
    [files.emergency, "emergency", "calling-query"],
  ];
  const run = runCli(["validate", "--json", ...expected.map(([file]) => file)]);
  assert.equal(run.status, 0, run.stdout + run.stderr);
  const lines = jsonLines(run.stdout);
  assert.deepEqual(
    lines.map((l) => [l.file, l.kind, l.type]),
    expected,
  );
  assert.ok(lines.every((l) => l.valid === true && l.errors.length === 0));
});

test("--kind auto on hostile and broken copies: kind still told, invalid, exit 1", () => {
  const run = runCli(["validate", "--json", files.xxe, files.messagingBad, files.orderBad, files.messagingLone]);
  assert.equal(run.status, 1);
  assert.deepEqual(jsonLines(run.stdout).map((l) => [l.kind, l.valid]), [
    ["numbers", false],
    ["messaging", false],
    ["numbers", false],
    ["messaging", true], // a lone event: valid, with a warning
  ]);
});

test("an unreadable file is exit 2 with a JSON line", () => {
  const run = runCli(["validate", "--json", "--kind", "numbers", join(dir, "missing.xml"), files.order]);
  assert.equal(run.status, 2);
  const [missing, order] = jsonLines(run.stdout);
  assert.equal(missing.valid, false);
  assert.match(missing.errors[0].message, /cannot read file/);
  assert.equal(order.valid, true);
});

test("--kind auto finds the root element past the XML declaration, comments and a DOCTYPE", () => {
  const commented = write("commented.xml", `<?xml version="1.0"?>\n<!-- not a <Response> -->\n<Notification><SubscriptionId>s</SubscriptionId><EventType>MESSAGING_LOST</EventType><ImpactedTelephoneNumbers><TelephoneNumber>9195550142</TelephoneNumber></ImpactedTelephoneNumbers></Notification>`);
  const run = runCli(["validate", "--json", commented, files.laughs]);
  const [ok, laughs] = jsonLines(run.stdout);
  assert.deepEqual([ok.kind, ok.type, ok.valid], ["numbers", "MESSAGING_LOST", true]);
  assert.deepEqual([laughs.kind, laughs.valid], ["numbers", false]);
});

test("--kind auto takes the kind from the element after a DOCTYPE, not from the name the DOCTYPE declares", () => {
  const renamed = write(
    "renamed-doctype.xml",
    `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;]">]>\n<!-- c --><Notification><Status>&lol2;</Status></Notification>`,
  );
  const bxml = write("xxe-bxml.xml", `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Response><SpeakSentence>&x;</SpeakSentence></Response>`);
  const external = write("external-doctype.xml", `<!DOCTYPE Response SYSTEM "http://127.0.0.1:9/x.dtd"><Notification/>`);
  const run = runCli(["validate", "--json", renamed, bxml, external]);
  const results = jsonLines(run.stdout);
  assert.deepEqual(
    results.map((r) => [r.kind, r.valid]),
    [["numbers", false], ["bxml", false], ["numbers", false]],
  );
  for (const result of results) assert.match(result.errors[0].message, /DOCTYPE declarations are not allowed/);
  assert.equal(run.status, 1);
});
