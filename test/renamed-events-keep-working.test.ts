/**
 * Renamed events keep working under every name Bandwidth has used (generator/families.ts, `renames`):
 * the location reply sent as `request-location-response` (Bandwidth's specs and SDKs, 2025-08 to 2026-06)
 * and the record-complete event as `recordingComplete` (its spec) reach the current handler, over real
 * HTTP servers (node adapter; Express), with the name that arrived in `context.receivedEventType`, the
 * event carrying its current name, and one drift report. The validators check the old spelling against
 * the current schema; `bw-codegen validate` reports the rename as a rename.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { families } from "../generator/model/families.js";
import { createBandwidthWebhooks } from "../generated/index.js";
import { messagingEvents, voiceEvents } from "../generated/events.js";
import { validateMessagingCallback, validateMessagingEvent } from "../generated/validators/messaging.js";
import { validateVoiceCallback } from "../generated/validators/voice.js";
import type { HandlerContext, InvalidEventReport, ValidationResult } from "../generated/index.js";
import { GOOD_AUTH, PASSWORD, USERNAME, send, type RunningServer } from "./adapter-harness.js";
import { startGenerated } from "./support/generated-servers.js";
import { runCli, jsonLines } from "./support/cli.js";

const SCHEMAS = join(import.meta.dirname, "..", "schemas");
const examples = (family: string, event: string): Record<string, unknown>[] => JSON.parse(readFileSync(join(SCHEMAS, family, `${event}.schema.json`), "utf8")).examples;
const location = examples("messaging", "requested-location-response")[0];
const record = examples("voice", "recordComplete")[0];
const OLD_LOCATION: Record<string, unknown> = { ...location, type: "request-location-response" };
const OLD_RECORD: Record<string, unknown> = { ...record, eventType: "recordingComplete" };

interface Seen {
  method: string;
  type: unknown;
  eventType: string;
  receivedEventType: string;
  valid: boolean;
}

function receiver(seen: Seen[], reports: InvalidEventReport[], unknown: string[], strict = false) {
  const note = (method: string, discriminant: string) => (event: unknown, context: HandlerContext): undefined => {
    seen.push({ method, type: (event as Record<string, unknown>)[discriminant], eventType: context.eventType, receivedEventType: context.receivedEventType, valid: context.valid });
    return undefined;
  };
  return createBandwidthWebhooks({
    credentials: [{ username: USERNAME, password: PASSWORD }],
    strict,
    messaging: { requestedLocationResponse: note("requestedLocationResponse", "type"), messageReceived: note("messageReceived", "type") },
    voice: {
      recordComplete: (event, context) => {
        note("recordComplete", "eventType")(event, context);
        return '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';
      },
    },
    validateBxml: false,
    onInvalidEvent: (report) => void reports.push(report),
    onUnknownEvent: (_event, info) => void unknown.push(info.eventType),
    logger: { info() {}, warn() {}, error() {} },
  });
}

for (const adapter of ["node", "express"] as const) {
  describe(`renamed events over a real HTTP server (${adapter} adapter), default mode`, () => {
    let server: RunningServer;
    const seen: Seen[] = [];
    const reports: InvalidEventReport[] = [];
    const unknown: string[] = [];
    before(async () => {
      server = await startGenerated(adapter, receiver(seen, reports, unknown));
    });
    after(() => server.close());
    const reset = () => {
      seen.length = 0;
      reports.length = 0;
      unknown.length = 0;
    };
    const post = (path: string, body: unknown) =>
      send(server.port, { path, headers: { authorization: GOOD_AUTH, "content-type": "application/json" }, body: JSON.stringify(body) });

    it("the old location-reply spelling reaches requestedLocationResponse, named on the context, reported once as drift", async () => {
      reset();
      const response = await post("/callbacks/messaging", [OLD_LOCATION]);
      assert.equal(response.status, 200, response.body);
      assert.deepEqual(seen, [
        { method: "requestedLocationResponse", type: "requested-location-response", eventType: "requested-location-response", receivedEventType: "request-location-response", valid: false },
      ]);
      assert.deepEqual(unknown, []);
      assert.equal(reports.length, 1);
      assert.equal(reports[0].severity, "drift");
      assert.equal(reports[0].dispatched, true);
      assert.equal(reports[0].eventType, "requested-location-response");
      assert.equal(reports[0].renamedFrom, "request-location-response");
      assert.deepEqual(reports[0].errors.map((e) => e.path), ["/type"]);
      assert.match(reports[0].errors[0].message, /arrived as "request-location-response", another name Bandwidth has used for "requested-location-response"/);
    });

    it("both spellings in one batch: the handler runs for each; only the old one is reported", async () => {
      reset();
      const response = await post("/callbacks/messaging", [location, OLD_LOCATION]);
      assert.equal(response.status, 200, response.body);
      assert.deepEqual(
        seen.map((s) => [s.receivedEventType, s.eventType, s.valid]),
        [
          ["requested-location-response", "requested-location-response", true],
          ["request-location-response", "requested-location-response", false],
        ],
      );
      assert.deepEqual(reports.map((r) => [r.index, r.renamedFrom]), [[1, "request-location-response"]]);
    });

    it("an old spelling that also drifts is reported once, the rename first; one that is invalid is not dispatched", async () => {
      reset();
      await post("/callbacks/messaging", [{ ...OLD_LOCATION, time: "soon" }]);
      assert.deepEqual(seen.map((s) => [s.type, s.receivedEventType]), [["requested-location-response", "request-location-response"]]);
      assert.equal(reports.length, 1);
      assert.deepEqual(reports[0].errors.map((e) => e.path), ["/type", "/time"]);
      reset();
      const { message: _message, ...broken } = OLD_LOCATION;
      const response = await post("/callbacks/messaging", [broken]);
      assert.equal(response.status, 200);
      assert.deepEqual(seen, []);
      assert.deepEqual(unknown, []);
      assert.deepEqual(reports.map((r) => [r.severity, r.dispatched, r.eventType, r.renamedFrom]), [["invalid", false, "requested-location-response", "request-location-response"]]);
    });

    it("voice: recordingComplete (the spec's name) reaches recordComplete and its BXML is the answer", async () => {
      reset();
      const response = await post("/callbacks/voice", OLD_RECORD);
      assert.equal(response.status, 200, response.body);
      assert.match(response.body, /<Hangup\/>/);
      assert.deepEqual(seen, [{ method: "recordComplete", type: "recordComplete", eventType: "recordComplete", receivedEventType: "recordingComplete", valid: false }]);
      assert.deepEqual(reports.map((r) => [r.severity, r.renamedFrom]), [["drift", "recordingComplete"]]);
    });
  });
}

describe("renamed events in strict mode", () => {
  let server: RunningServer;
  const seen: Seen[] = [];
  const reports: InvalidEventReport[] = [];
  const unknown: string[] = [];
  before(async () => {
    server = await startGenerated("node", receiver(seen, reports, unknown, true));
  });
  after(() => server.close());

  it("are dispatched too (a rename is a name Bandwidth has used, not a schema failure) and reported", async () => {
    const response = await send(server.port, { path: "/callbacks/messaging", headers: { authorization: GOOD_AUTH, "content-type": "application/json" }, body: JSON.stringify([OLD_LOCATION]) });
    assert.equal(response.status, 200, response.body);
    assert.deepEqual(seen.map((s) => s.receivedEventType), ["request-location-response"]);
    assert.deepEqual(reports.map((r) => [r.severity, r.dispatched, r.renamedFrom]), [["drift", true, "request-location-response"]]);
  });
});

describe("the validators check an old name against the current schema", () => {
  it("every rename of every family: the current event's examples, under the old name, are valid (lenient and strict), named by the current name", () => {
    let checked = 0;
    const validators: Record<string, (value: unknown, options?: { strict?: boolean }) => ValidationResult<unknown>> = { voice: validateVoiceCallback, messaging: validateMessagingEvent };
    for (const family of families) {
      for (const rename of family.renames ?? []) {
        const validate = validators[family.name];
        assert.ok(validate, `add ${family.name}'s validator to this test`);
        for (const example of examples(family.name, rename.to)) {
          const old = { ...example, [family.discriminant!]: rename.from };
          for (const strict of [false, true]) {
            const result = validate(old, { strict });
            assert.equal(result.ok, true, `${rename.from}: ${JSON.stringify(!result.ok && result.errors)}`);
            assert.equal(result.type, rename.to);
            assert.equal(result.renamedFrom, rename.from);
            assert.equal((result.ok && (result.value as Record<string, unknown>)[family.discriminant!]) || undefined, rename.to);
          }
          assert.equal(old[family.discriminant!], rename.from, "the input is not modified");
          checked++;
        }
      }
    }
    assert.ok(checked >= 4);
    // The event tables list current names only: a rename is resolved by the validator.
    assert.equal(messagingEvents["request-location-response"], undefined);
    assert.equal(voiceEvents.recordingComplete, undefined);
  });

  it("an old name still fails on what the current schema refuses, at the paths of the payload", () => {
    const result = validateMessagingEvent({ ...OLD_LOCATION, message: { ...(OLD_LOCATION.message as object), id: 42 } });
    assert.equal(result.ok, false);
    assert.equal(result.type, "requested-location-response");
    assert.equal(result.renamedFrom, "request-location-response");
    assert.deepEqual(!result.ok && result.errors.map((e) => e.path), ["/message/id"]);
  });

  it("a batch's value carries the current names", () => {
    const result = validateMessagingCallback([location, OLD_LOCATION]);
    assert.equal(result.ok, true);
    assert.deepEqual(result.ok && result.value.map((e) => e.type), ["requested-location-response", "requested-location-response"]);
  });
});

describe("bw-codegen validate reports a rename as a rename", () => {
  it("valid, with a warning naming both names (a batch: at the element's index)", () => {
    const run = runCli(["validate", "--json", "-"], { input: JSON.stringify([location, OLD_LOCATION]) });
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const [report] = jsonLines(run.stdout);
    assert.equal(report.valid, true);
    assert.deepEqual(report.warnings, [
      '/1: renamed event: "request-location-response" is another name Bandwidth has used for "requested-location-response"; a receiver handles it as "requested-location-response" (context.receivedEventType says "request-location-response") and reports it as drift',
    ]);
  });
});
