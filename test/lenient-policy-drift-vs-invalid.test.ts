/**
 * The lenient-mode policy for events failing their schema (CONTRIBUTING.md, "Lenient mode: drift or
 * invalid"), row by row and family by family, over real HTTP (node adapter, 127.0.0.1) against the
 * generated validators: unknown properties pass; value-only failures (a new value of a closed enum, a
 * pattern, a range) are drift: dispatched with `context.valid === false` and reported to
 * `onInvalidEvent`; a missing or mistyped field is invalid: the handler is not called, `onInvalidEvent`
 * gets the event, and the request gets the event kind's empty answer (2xx, so Bandwidth does not retry
 * a payload that will never get better). Strict mode answers 400 for every row (unknown properties too).
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createBandwidthWebhooks } from "../generated/index.js";
import { emergencyEvents, endpointEvents, messagingEvents, mfaEvents, numbersEvents, tfvEvents, voiceEvents, webrtcEvents } from "../generated/events.js";
import type { InvalidEventReport } from "../generated/index.js";
import { GOOD_AUTH, PASSWORD, USERNAME, send } from "./adapter-harness.js";

const BXML = '<?xml version="1.0" encoding="UTF-8"?><Response><SpeakSentence>hi</SpeakSentence></Response>';

function example(family: string, file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(import.meta.dirname, "..", "schemas", family, file), "utf8")).examples[0];
}

type Outcome = "valid" | "drift" | "invalid";
interface Row {
  name: string;
  body: Record<string, unknown>;
  outcome: Outcome;
  /** The answer in lenient mode. */
  status: number;
  /** An issue path the report must contain (not for `valid`). */
  path?: string;
}

interface FamilyCase {
  family: string;
  path: string;
  /** Sends one event as the family's body: JSON (object or array) or XML; `query` = a GET with the fields in the query string. */
  encode(event: Record<string, unknown>): { contentType: string; body: string } | { query: string };
  rows: Row[];
}

const json = (event: Record<string, unknown>) => ({ contentType: "application/json", body: JSON.stringify(event) });
const without = (event: Record<string, unknown>, key: string): Record<string, unknown> => {
  const copy = { ...event };
  delete copy[key];
  return copy;
};
/** The numbers JSON form back to XML (flat: text elements, one nested element for a mistyped value). */
function numbersXml(event: Record<string, unknown>): { contentType: string; body: string } {
  const inner = Object.entries(event)
    .map(([k, v]) => (typeof v === "object" && v !== null ? `<${k}><Nested>1</Nested></${k}>` : `<${k}>${String(v)}</${k}>`))
    .join("");
  return { contentType: "application/xml", body: `<?xml version="1.0"?><Notification>${inner}</Notification>` };
}

const answer = example("voice", "answer.schema.json");
const disconnect = example("voice", "disconnect.schema.json");
const delivered = example("messaging", "message-delivered.schema.json");
const order = example("numbers", "orders.schema.json");
const blocked = example("tfv", "blocked.schema.json");
const device = example("endpoint", "device-connected.schema.json");
const mfa = example("mfa", "message-delivered.schema.json");
const webrtc = example("webrtc", "on-connect.schema.json");

const CASES: FamilyCase[] = [
  {
    family: "voice",
    path: "/callbacks/voice",
    encode: json,
    rows: [
      { name: "unknown property", body: { ...answer, addedLater: 1 }, outcome: "valid", status: 200 },
      { name: "new value of a closed enum (direction)", body: { ...answer, direction: "sideways" }, outcome: "drift", status: 200, path: "/direction" },
      { name: "timestamp not in the expected format", body: { ...answer, eventTime: "soon" }, outcome: "drift", status: 200, path: "/eventTime" },
      { name: "required field missing (BXML event: empty <Response>)", body: without(answer, "callId"), outcome: "invalid", status: 200, path: "/callId" },
      { name: "wrong type", body: { ...disconnect, callId: 42 }, outcome: "invalid", status: 204, path: "/callId" },
      { name: "null where the type has none", body: { ...disconnect, from: null }, outcome: "invalid", status: 204, path: "/from" },
    ],
  },
  {
    family: "messaging",
    path: "/callbacks/messaging",
    encode: (event) => json([event] as unknown as Record<string, unknown>),
    rows: [
      { name: "unknown property", body: { ...delivered, addedLater: 1 }, outcome: "valid", status: 200 },
      { name: "new value of a closed enum (message.direction)", body: { ...delivered, message: { ...(delivered.message as object), direction: "both" } }, outcome: "drift", status: 200, path: "/0/message/direction" },
      { name: "timestamp not in the expected format", body: { ...delivered, time: "soon" }, outcome: "drift", status: 200, path: "/0/time" },
      { name: "required field missing", body: without(delivered, "message"), outcome: "invalid", status: 200, path: "/0/message" },
      { name: "wrong type", body: { ...delivered, to: ["+15551230000"] }, outcome: "invalid", status: 200, path: "/0/to" },
    ],
  },
  {
    family: "numbers",
    path: "/callbacks/numbers",
    encode: numbersXml,
    rows: [
      { name: "unknown element", body: { ...order, AddedLater: "1" }, outcome: "valid", status: 200 },
      { name: "date not in the expected format", body: { ...order, LastModifiedDate: "soon" }, outcome: "drift", status: 200, path: "/LastModifiedDate" },
      { name: "required element missing", body: without(order, "OrderId"), outcome: "invalid", status: 200, path: "/OrderId" },
      { name: "element with children where text is promised", body: { ...order, OrderId: {} }, outcome: "invalid", status: 200, path: "/OrderId" },
    ],
  },
  {
    family: "tfv",
    path: "/callbacks/tfv",
    encode: json,
    rows: [
      { name: "unknown property", body: { ...blocked, addedLater: 1 }, outcome: "valid", status: 204 },
      { name: "number not toll-free (pattern)", body: { ...blocked, phoneNumber: "+19195550142" }, outcome: "drift", status: 204, path: "/phoneNumber" },
      { name: "required field missing", body: without(blocked, "accountId"), outcome: "invalid", status: 204, path: "/accountId" },
      { name: "wrong type", body: { ...blocked, blocked: "yes" }, outcome: "invalid", status: 204, path: "/blocked" },
    ],
  },
  {
    family: "endpoint",
    path: "/callbacks/endpoint",
    encode: json,
    rows: [
      { name: "unknown property", body: { ...device, addedLater: 1 }, outcome: "valid", status: 204 },
      { name: "timestamp not in the expected format", body: { ...device, eventTime: "soon" }, outcome: "drift", status: 204, path: "/eventTime" },
      { name: "required field missing", body: without(device, "endpointId"), outcome: "invalid", status: 204, path: "/endpointId" },
      { name: "wrong type", body: { ...device, endpointId: 7 }, outcome: "invalid", status: 204, path: "/endpointId" },
    ],
  },
  {
    family: "mfa",
    path: "/callbacks/mfa",
    encode: json,
    rows: [
      { name: "unknown property", body: { ...mfa, addedLater: 1 }, outcome: "valid", status: 200 },
      { name: "timestamp not in the expected format", body: { ...mfa, time: "soon" }, outcome: "drift", status: 200, path: "/time" },
      { name: "required field missing", body: without(mfa, "message"), outcome: "invalid", status: 200, path: "/message" },
      { name: "wrong type", body: { ...mfa, description: 5 }, outcome: "invalid", status: 200, path: "/description" },
    ],
  },
  {
    family: "emergency", // GET only, every field a string: there is no value rule to drift from
    path: "/callbacks/emergency",
    encode: (event) => ({ query: new URLSearchParams(event as Record<string, string>).toString() }),
    rows: [
      { name: "unknown parameter", body: { to: "911", from: "+19195550142", addedLater: "1" }, outcome: "valid", status: 204 },
      { name: "required parameter missing (no location: 204)", body: { to: "911" }, outcome: "invalid", status: 204, path: "/from" },
    ],
  },
  {
    family: "webrtc",
    path: "/callbacks/webrtc",
    encode: json,
    rows: [
      { name: "unknown property", body: { ...webrtc, addedLater: 1 }, outcome: "valid", status: 200 },
      { name: "a value the pattern refuses (one branch of an alternative accepts the type)", body: { ...webrtc, timestamp: "soon" }, outcome: "drift", status: 200, path: "/timestamp" },
      { name: "a type no branch of the alternative accepts", body: { ...webrtc, timestamp: { ms: 1 } }, outcome: "invalid", status: 200, path: "/timestamp" },
      { name: "required field missing", body: without(webrtc, "participantId"), outcome: "invalid", status: 200, path: "/participantId" },
    ],
  },
];

/** A handler object for an event table: every method records the event; BXML events answer BXML. */
function recorder(events: Record<string, { method: string; response: string }>, handled: string[]): Record<string, () => unknown> {
  const handlers: Record<string, () => unknown> = {};
  for (const info of Object.values(events)) {
    handlers[info.method] = () => {
      handled.push(info.method);
      return info.response === "bxml" || info.response === "bxml-or-empty" ? BXML : undefined; // emergency: no location → 204
    };
  }
  return handlers;
}

for (const strict of [false, true]) {
  describe(`lenient-mode policy, per family (${strict ? "strict: every row is a 400" : "lenient, the default"})`, () => {
    let server: Server;
    let port: number;
    const handled: string[] = [];
    const reports: { report: InvalidEventReport; valid: boolean }[] = [];
    const logs: string[] = [];
    before(async () => {
      const webhooks = createBandwidthWebhooks({
        credentials: [{ username: USERNAME, password: PASSWORD }],
        strict,
        voice: recorder(voiceEvents, handled),
        messaging: recorder(messagingEvents, handled),
        numbers: recorder(numbersEvents, handled),
        tfv: recorder(tfvEvents, handled),
        endpoint: recorder(endpointEvents, handled),
        mfa: recorder(mfaEvents, handled),
        webrtc: recorder(webrtcEvents, handled),
        emergency: recorder(emergencyEvents, handled),
        validateBxml: false,
        onInvalidEvent: (report, _event, context) => void reports.push({ report, valid: context.valid }),
        logger: { info: (m) => void logs.push(m), warn: (m) => void logs.push(m), error: (m) => void logs.push(m) },
      } as Parameters<typeof createBandwidthWebhooks>[0]);
      server = createServer(webhooks.node);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    for (const c of CASES) {
      for (const row of c.rows) {
        it(`${c.family}: ${row.name} → ${strict ? "400" : row.outcome}`, async () => {
          handled.length = 0;
          reports.length = 0;
          logs.length = 0;
          const encoded = c.encode(row.body);
          const response =
            "query" in encoded
              ? await send(port, { method: "GET", path: `${c.path}?${encoded.query}`, headers: { authorization: GOOD_AUTH } })
              : await send(port, { path: c.path, headers: { authorization: GOOD_AUTH, "content-type": encoded.contentType }, body: encoded.body });
          if (strict) {
            assert.equal(response.status, 400, response.body);
            assert.match(response.body, /"error":"invalid_event"/);
            assert.equal(handled.length, 0);
            return;
          }
          assert.equal(response.status, row.status, response.body);
          if (row.outcome === "valid") {
            assert.equal(handled.length, 1);
            assert.equal(reports.length, 0, JSON.stringify(reports));
            return;
          }
          assert.equal(reports.length, 1);
          const { report, valid } = reports[0];
          assert.equal(report.severity, row.outcome, JSON.stringify(report.errors));
          assert.equal(valid, false);
          assert.ok(
            report.errors.some((e) => (report.index === undefined ? e.path : `/${report.index}${e.path}`) === row.path),
            JSON.stringify(report.errors),
          );
          assert.equal(report.dispatched, row.outcome === "drift");
          assert.equal(handled.length, row.outcome === "drift" ? 1 : 0);
          assert.equal(logs.filter((line) => line.includes("first issues at")).length, 1, logs.join("\n"));
        });
      }
    }
  });
}
