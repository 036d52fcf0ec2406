// `bw-codegen drift --spec` reports an event "removed" when a spec no longer has one of the events in
// SPEC_BASELINE (generator/spec-drift/spec-callbacks.ts): that list must be exactly what `specEvents` finds in
// the newest vendored spec (through the families' renames), and `specEvents` must find the same spec schemas
// the drift tests map by hand (test/support/spec-mapping.ts), so neither can go stale unnoticed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { familyByName } from "../generator/model/families.js";
import { SPEC_BASELINE, TFV_SHAPES, specEvents } from "../generator/spec-drift/spec-callbacks.js";
import { bandwidthSpecs } from "./support/drift.js";
import { VOICE_SPEC_TO_EVENT } from "./support/spec-mapping.js";

const newest = bandwidthSpecs().at(-1)!;

test(`SPEC_BASELINE is what specEvents finds in ${newest.label}, per family, in our names`, () => {
  const found: Record<string, string[]> = {};
  for (const e of specEvents(newest.doc)) {
    const rename = (familyByName(e.family).renames ?? []).find((r) => r.from === e.event);
    (found[e.family] ??= []).push(rename?.to ?? e.event);
  }
  for (const list of Object.values(found)) list.sort();
  assert.deepEqual(found, Object.fromEntries(Object.entries(SPEC_BASELINE).map(([family, events]) => [family, [...events].sort()])));
});

test(`specEvents maps ${newest.label}'s voice and TFV schemas as the drift tests do`, () => {
  const events = specEvents(newest.doc);
  const voice = Object.fromEntries(events.filter((e) => e.family === "voice").map((e) => [e.spec, e.event]));
  const renamed = Object.fromEntries(Object.entries(voice).map(([spec, event]) => [spec, (familyByName("voice").renames ?? []).find((r) => r.from === event)?.to ?? event]));
  assert.deepEqual(renamed, { ...VOICE_SPEC_TO_EVENT });
  assert.deepEqual(Object.fromEntries(events.filter((e) => e.family === "tfv").map((e) => [e.spec, e.event])), { ...TFV_SHAPES });
  const messaging = events.filter((e) => e.family === "messaging");
  assert.ok(messaging.every((e) => e.discriminant === "type" && (e.spec === "statusCallback" || e.spec === "inboundCallback")));
});
