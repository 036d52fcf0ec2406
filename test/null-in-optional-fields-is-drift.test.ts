/**
 * A null is never a reason to drop an event (CONTRIBUTING.md, "Lenient mode: drift or invalid"): for every
 * family and every event schema, each field of its fullest example is set to null in turn. A field the
 * event may leave out (its absence is dispatched) must be dispatched when null too: accepted where a
 * Bandwidth spec or page declared it nullable, drift otherwise. A required field that is null stays
 * invalid, unless a source declared it nullable. Checked on the validators (every family, XML-derived
 * numbers and the query-built emergency request included), through the receiver for the JSON families
 * (handler called, `onInvalidEvent` told of drift), with empty XML elements (the XML spelling of null)
 * for numbers notifications, and over a real HTTP server for the delivery that started it all: a
 * messaging status with `carrierName: null`.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { loadCatalog, type EventEntry } from "../generator/catalog.js";
import { familyByName } from "../generator/model/families.js";
import { createBandwidthWebhooks } from "../generated/index.js";
import { emergencyEvents, endpointEvents, messagingEvents, mfaEvents, numbersEvents, tfvEvents, voiceEvents, webrtcEvents } from "../generated/events.js";
import { validateEmergencyRequest } from "../generated/validators/emergency.js";
import { validateEndpointEvent } from "../generated/validators/endpoint.js";
import { validateMessagingEvent } from "../generated/validators/messaging.js";
import { validateMfaCallback } from "../generated/validators/mfa.js";
import { validateNumbersNotification } from "../generated/validators/numbers.js";
import { validateStreamMessage } from "../generated/validators/stream.js";
import { validateTfvCallback } from "../generated/validators/tfv.js";
import { validateTranscriptionMessage } from "../generated/validators/transcription.js";
import { validateVoiceCallback } from "../generated/validators/voice.js";
import { validateWebRtcEvent } from "../generated/validators/webrtc.js";
import type { InvalidEventReport, ValidationResult } from "../generated/index.js";
import { GOOD_AUTH, PASSWORD, USERNAME, send } from "./adapter-harness.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Outcome = "ok" | "drift" | "invalid";

const catalog = loadCatalog(join(import.meta.dirname, "..", "schemas"));
const VALIDATORS: Record<string, (value: unknown) => ValidationResult<unknown>> = {
  voice: validateVoiceCallback,
  messaging: validateMessagingEvent,
  numbers: validateNumbersNotification,
  tfv: validateTfvCallback,
  endpoint: validateEndpointEvent,
  mfa: validateMfaCallback,
  webrtc: validateWebRtcEvent,
  emergency: validateEmergencyRequest,
  // Socket families: validated like the others (the lenient policy is the same), never delivered over HTTP.
  stream: validateStreamMessage,
  transcription: validateTranscriptionMessage,
};
const EVENTS: Record<string, Record<string, { method: string; response: string }>> = {
  voice: voiceEvents,
  messaging: messagingEvents,
  numbers: numbersEvents,
  tfv: tfvEvents,
  endpoint: endpointEvents,
  mfa: mfaEvents,
  webrtc: webrtcEvents,
  emergency: emergencyEvents,
};

function outcome(result: ValidationResult<unknown>): Outcome {
  return result.ok ? "ok" : result.severity === "drift" ? "drift" : "invalid";
}

/** The example with the most fields (the convention: one example uses every optional field). */
function fullest(entry: EventEntry): Record<string, Json> {
  const size = (value: Json): number => (value !== null && typeof value === "object" ? Object.values(value).reduce<number>((n, v) => n + 1 + size(v), 0) : 0);
  const examples = entry.schema.examples as Record<string, Json>[];
  return examples.reduce((best, example) => (size(example) > size(best) ? example : best));
}

/** Every property path (JSON pointer) of a value, objects inside arrays included. */
function propertyPaths(value: Json, at = ""): string[] {
  if (value === null || typeof value !== "object") return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => propertyPaths(item, `${at}/${i}`));
  return Object.entries(value).flatMap(([key, child]) => [`${at}/${key}`, ...propertyPaths(child, `${at}/${key}`)]);
}

/** A copy of `root` with the property at `pointer` set to `replacement`, or deleted (`undefined`). */
function edit(root: Json, pointer: string, replacement: Json | undefined): Json {
  const copy = structuredClone(root);
  const parts = pointer.split("/").slice(1);
  const last = parts.pop()!;
  const parent = parts.reduce<any>((node, part) => node[part], copy);
  if (replacement === undefined) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

interface Mutation {
  family: string;
  event: string;
  file: string;
  path: string;
  body: Json;
  /** What the validator says about the event without that field. */
  absent: Outcome;
}

/** For each family and event schema: the fullest example with each field set to null, in turn. */
function nullMutations(): Mutation[] {
  const out: Mutation[] = [];
  for (const entry of catalog.events) {
    const validate = VALIDATORS[entry.family];
    assert.ok(validate, `no validator for family ${entry.family}: add it to this test`);
    const example = fullest(entry);
    assert.equal(outcome(validate(example)), "ok", `${entry.file}: its fullest example must be valid`);
    for (const path of propertyPaths(example)) {
      out.push({ family: entry.family, event: entry.event, file: entry.file, path, body: edit(example, path, null), absent: outcome(validate(edit(example, path, undefined))) });
    }
    // Declared top-level properties no example uses: absent is fine (the example is valid), so null must be too.
    for (const key of Object.keys(entry.schema.properties ?? {})) {
      if (key in example) continue;
      out.push({ family: entry.family, event: entry.event, file: entry.file, path: `/${key}`, body: { ...example, [key]: null }, absent: "ok" });
    }
  }
  return out;
}

const mutations = nullMutations();

describe("a null in an optional field is dispatched, in every family and event schema (validators)", () => {
  it("covers every family and every event schema", (t) => {
    assert.deepEqual([...new Set(mutations.map((m) => m.family))].sort(), [...new Set(catalog.events.map((e) => e.family))].sort());
    assert.deepEqual(new Set(mutations.map((m) => m.file)).size, catalog.events.length);
    // Both sides of the rule are exercised: optional fields (null dispatched) and required ones (null stays invalid).
    assert.ok(mutations.some((m) => m.absent !== "invalid") && mutations.some((m) => m.absent === "invalid"));
    t.diagnostic(`${mutations.length} nulls in ${catalog.events.length} event schemas`);
  });

  for (const family of [...new Set(mutations.map((m) => m.family))]) {
    it(`${family}: a null where the field may be absent is accepted (declared nullable) or drift; a null in a required field is invalid unless declared nullable`, () => {
      const validate = VALIDATORS[family];
      const wrong: string[] = [];
      for (const m of mutations.filter((x) => x.family === family)) {
        const got = outcome(validate(m.body));
        if (m.absent !== "invalid" && got === "invalid") wrong.push(`${m.file} ${m.path}: null is invalid, though the event without the field is ${m.absent}`);
        if (m.absent === "invalid" && got === "drift") wrong.push(`${m.file} ${m.path}: null in a required field is drift (must stay invalid, or be accepted where a source declares it nullable)`);
      }
      assert.deepEqual(wrong, []);
    });
  }

  it("the fields Bandwidth's specs have declared nullable accept null (not merely drift), types `T | null`", () => {
    const delivered = mutations.filter((m) => m.family === "messaging");
    // The 2025 messaging specs (seven months): errorCode, carrierName, message.media (issue 24's audit).
    const declared = ["/errorCode", "/carrierName", "/message/media"];
    for (const path of declared) {
      const hits = delivered.filter((m) => m.path === path);
      assert.ok(hits.length > 0, `no messaging example has ${path}`);
      for (const m of hits) assert.equal(outcome(validateMessagingEvent(m.body)), "ok", `${m.file} ${path}`);
    }
    // Bandwidth's 2026 spec: machineDetectionResult is nullable, also on the event that exists to carry it.
    const amd = mutations.find((m) => m.event === "machineDetectionComplete" && m.path === "/machineDetectionResult");
    assert.equal(amd?.absent, "invalid");
    assert.equal(outcome(validateVoiceCallback(amd!.body)), "ok");
  });
});

/** A handler object for an event table: every method records what it got. */
function recorder(events: Record<string, { method: string; response: string }>, handled: string[]): Record<string, (event: unknown) => unknown> {
  const handlers: Record<string, (event: unknown) => unknown> = {};
  for (const info of Object.values(events)) {
    handlers[info.method] = () => {
      handled.push(info.method);
      return info.response === "bxml" || info.response === "bxml-or-empty" ? '<?xml version="1.0" encoding="UTF-8"?><Response/>' : undefined;
    };
  }
  return handlers;
}

function receiver(handled: string[], reports: InvalidEventReport[]) {
  const handlers = Object.fromEntries(Object.entries(EVENTS).map(([family, events]) => [family, recorder(events, handled)]));
  return createBandwidthWebhooks({
    credentials: [{ username: USERNAME, password: PASSWORD }],
    ...handlers,
    validateBxml: false,
    onInvalidEvent: (report) => void reports.push(report),
    logger: { info() {}, warn() {}, error() {} },
  } as Parameters<typeof createBandwidthWebhooks>[0]);
}

/** The JSON families' request body for one event (messaging: the array it arrives in). */
function jsonBody(family: string, event: Json): string {
  return JSON.stringify(familyByName(family).body === "json-array" ? [event] : event);
}

describe("through the receiver, in the default mode: the handler gets the event", () => {
  const handled: string[] = [];
  const reports: InvalidEventReport[] = [];
  const webhooks = receiver(handled, reports);

  for (const family of ["voice", "messaging", "tfv", "endpoint", "mfa", "webrtc"]) {
    it(`${family}: every null in a field the event may leave out reaches the handler (drift reported, or accepted)`, async () => {
      const wrong: string[] = [];
      for (const m of mutations.filter((x) => x.family === family && x.absent !== "invalid")) {
        handled.length = 0;
        reports.length = 0;
        const response = await webhooks.fetch(
          new Request(`http://127.0.0.1/callbacks/${family}`, { method: "POST", headers: { authorization: GOOD_AUTH, "content-type": "application/json" }, body: jsonBody(family, m.body) }),
        );
        if (response.status >= 300) wrong.push(`${m.file} ${m.path}: answered ${response.status}`);
        if (handled.length !== 1) wrong.push(`${m.file} ${m.path}: handler called ${handled.length} times`);
        if (reports.some((r) => !r.dispatched)) wrong.push(`${m.file} ${m.path}: reported as invalid (not dispatched)`);
      }
      assert.deepEqual(wrong, []);
    });
  }

  it("numbers (XML): an empty element, the XML spelling of null, in each optional element reaches the handler", async () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const entry of catalog.events.filter((e) => e.family === "numbers")) {
      const example = fullest(entry) as Record<string, Json>;
      const root = String(entry.meta.xml && (entry.meta.xml as { root: string }).root);
      for (const key of Object.keys(example)) {
        if (outcome(validateNumbersNotification(edit(example, `/${key}`, undefined))) === "invalid") continue; // required
        checked++;
        handled.length = 0;
        reports.length = 0;
        const body = `<?xml version="1.0"?><${root}>${Object.entries(example).map(([k, v]) => (k === key ? `<${k}/>` : toXml(k, v))).join("")}</${root}>`;
        const response = await webhooks.fetch(new Request("http://127.0.0.1/callbacks/numbers", { method: "POST", headers: { authorization: GOOD_AUTH, "content-type": "application/xml" }, body }));
        if (handled.length !== 1 || reports.some((r) => !r.dispatched)) wrong.push(`${entry.file} <${key}/>: answered ${response.status}, handler called ${handled.length} times`);
      }
    }
    assert.ok(checked > 20, `only ${checked} optional numbers elements checked`);
    assert.deepEqual(wrong, []);
  });

  it("a required field that is null is not dispatched (invalid), unless a source declared it nullable", async () => {
    handled.length = 0;
    reports.length = 0;
    const m = mutations.find((x) => x.family === "messaging" && x.path === "/message/id")!;
    assert.equal(m.absent, "invalid");
    const response = await webhooks.fetch(
      new Request("http://127.0.0.1/callbacks/messaging", { method: "POST", headers: { authorization: GOOD_AUTH, "content-type": "application/json" }, body: jsonBody("messaging", m.body) }),
    );
    assert.equal(response.status, 200);
    assert.deepEqual(handled, []);
    assert.equal(reports[0]?.severity, "invalid");
    assert.equal(reports[0]?.errors[0]?.path, "/message/id");
  });
});

/** One element of the numbers JSON form as XML (arrays repeat the element). */
function toXml(name: string, value: Json): string {
  if (Array.isArray(value)) return value.map((item) => toXml(name, item)).join("");
  if (value !== null && typeof value === "object") return `<${name}>${Object.entries(value).map(([k, v]) => toXml(k, v)).join("")}</${name}>`;
  return `<${name}>${String(value).replace(/&/g, "&amp;").replace(/</g, "&lt;")}</${name}>`;
}

describe("a messaging delivery with carrierName: null, over a real HTTP server (node adapter), default mode", () => {
  let server: Server;
  let port: number;
  const got: { event: Record<string, unknown>; valid: boolean }[] = [];
  const reports: InvalidEventReport[] = [];
  before(async () => {
    const webhooks = createBandwidthWebhooks({
      credentials: [{ username: USERNAME, password: PASSWORD }],
      messaging: {
        messageDelivered: (event, context) => void got.push({ event: event as unknown as Record<string, unknown>, valid: context.valid }),
        messageFailed: (event, context) => void got.push({ event: event as unknown as Record<string, unknown>, valid: context.valid }),
      },
      onInvalidEvent: (report) => void reports.push(report),
      logger: { info() {}, warn() {}, error() {} },
    });
    server = createServer(webhooks.node);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );

  it("reaches messageDelivered as a valid event; a 2025-style failure (errorCode, carrierName, media all null) reaches messageFailed", async () => {
    const delivered = fullest(catalog.events.find((e) => e.family === "messaging" && e.event === "message-delivered")!) as Record<string, Json>;
    const failed = fullest(catalog.events.find((e) => e.family === "messaging" && e.event === "message-failed")!) as Record<string, Json>;
    const body = [
      { ...delivered, carrierName: null },
      { ...failed, errorCode: null, carrierName: null, message: { ...(failed.message as Record<string, Json>), media: null } },
    ];
    const response = await send(port, { path: "/callbacks/messaging", headers: { authorization: GOOD_AUTH, "content-type": "application/json" }, body: JSON.stringify(body) });
    assert.equal(response.status, 200, response.body);
    assert.deepEqual(
      got.map((g) => [g.event.type, g.event.carrierName, g.valid]),
      [
        ["message-delivered", null, true],
        ["message-failed", null, true],
      ],
    );
    assert.deepEqual(reports, []);
  });
});
