// Messaging request bodies are JSON arrays of events: the batch validator checks the array, dispatches
// each element by `type`, and reports problems with a pointer into the array. Every example validates
// (alone in an array and all together), and broken copies are rejected at the right path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { validateMessagingCallback, validateMessagingEvent } from "../generated/validators/messaging.js";

interface Entry {
  event: string;
  required: string[];
  examples: Record<string, any>[];
}

const dir = join(import.meta.dirname, "..", "schemas", "messaging");
const entries: Entry[] = readdirSync(dir)
  .filter((name) => name.endsWith(".schema.json"))
  .map((name) => JSON.parse(readFileSync(join(dir, name), "utf8")))
  .map((schema) => ({ event: schema["x-bw"].event, required: schema.required, examples: schema.examples }));
const MESSAGE_REQUIRED = ["id", "owner", "applicationId", "time", "segmentCount", "direction", "to", "from"];

test("there is one schema per messaging type, eight in all", () => {
  assert.deepEqual(entries.map((e) => e.event).sort(), [
    "message-delivered",
    "message-failed",
    "message-read",
    "message-received",
    "message-sending",
    "message-sent",
    "requested-location-response",
    "suggestion-response",
  ]);
});

for (const entry of entries) {
  test(`${entry.event}: every example validates in an array, lenient and strict`, () => {
    for (const [i, example] of entry.examples.entries()) {
      for (const strict of [false, true]) {
        const result = validateMessagingCallback([example], { strict });
        assert.equal(result.ok, true, `example ${i} strict=${strict}: ${JSON.stringify(!result.ok && result.errors)}`);
        assert.equal(result.type, entry.event);
      }
    }
  });

  test(`${entry.event}: each missing required field is reported at /<index>/<field>`, () => {
    const full = entry.examples[1];
    for (const field of entry.required) {
      const broken = { ...full };
      delete broken[field];
      const result = validateMessagingCallback([entry.examples[0], broken]);
      assert.equal(result.ok, false, `without ${field}`);
      if (result.ok) continue;
      assert.ok(
        result.errors.some((e) => e.path === (field === "type" ? "/1/type" : `/1/${field}`)),
        `without ${field}: ${JSON.stringify(result.errors)}`,
      );
    }
    for (const field of MESSAGE_REQUIRED) {
      const broken = { ...full, message: { ...full.message } };
      delete broken.message[field];
      const result = validateMessagingCallback([broken]);
      assert.equal(result.ok, false, `without message.${field}`);
      if (!result.ok) assert.ok(result.errors.some((e) => e.path === `/0/message/${field}`), JSON.stringify(result.errors));
    }
  });
}

test("all examples of all types together form one valid batch; type lists the types in order", () => {
  const batch = entries.flatMap((e) => e.examples);
  const result = validateMessagingCallback(batch);
  assert.equal(result.ok, true);
  assert.equal(result.type, [...new Set(batch.map((e) => e.type))].join(","));
  if (result.ok) assert.equal(result.value.length, batch.length);
});

const received = entries.find((e) => e.event === "message-received")!.examples[1];
const failed = entries.find((e) => e.event === "message-failed")!.examples[0];

const broken: { name: string; body: unknown; path: string; says: RegExp }[] = [
  { name: "a single object (the spec's element) instead of an array", body: received, path: "", says: /JSON array of events; got a single object.*wrap it in \[ \]/ },
  { name: "an empty array", body: [], path: "", says: /empty array/ },
  { name: "a string", body: "message-received", path: "", says: /must be a JSON array/ },
  { name: "null", body: null, path: "", says: /must be a JSON array/ },
  { name: "an element that is not an object", body: [received, 42], path: "/1", says: /JSON object/ },
  { name: "errorCode as a string", body: [{ ...failed, errorCode: "4720" }], path: "/0/errorCode", says: /integer/ },
  { name: "message.to as a string instead of an array", body: [{ ...received, message: { ...received.message, to: "+19195550142" } }], path: "/0/message/to", says: /array/ },
  { name: "message.to with a duplicate", body: [{ ...received, message: { ...received.message, to: ["+1", "+1"] } }], path: "/0/message/to", says: /duplicate|unique|identical/i },
  { name: "direction outside in/out", body: [{ ...received, message: { ...received.message, direction: "inbound" } }], path: "/0/message/direction", says: /in|out/ },
  { name: "segmentCount as a string", body: [{ ...received, message: { ...received.message, segmentCount: "1" } }], path: "/0/message/segmentCount", says: /integer/ },
  { name: "time that is not a timestamp", body: [{ ...received, time: "yesterday" }], path: "/0/time", says: /date and time/ },
  { name: "tag longer than 1024 characters", body: [{ ...received, message: { ...received.message, tag: "x".repeat(1025) } }], path: "/0/message/tag", says: /1024/ },
  { name: "media file without fileUrl", body: [{ ...received, message: { ...received.message, content: { media: {} } } }], path: "/0/message/content/media/fileUrl", says: /required/ },
  { name: "type missing", body: [{ ...received, type: undefined }], path: "/0/type", says: /required/ },
];

for (const b of broken) {
  test(`rejects ${b.name} (at "${b.path}")`, () => {
    const result = validateMessagingCallback(JSON.parse(JSON.stringify(b.body ?? null)));
    assert.equal(result.ok, false);
    if (result.ok) return;
    const at = result.errors.filter((e) => e.path === b.path);
    assert.ok(at.length > 0, JSON.stringify(result.errors));
    assert.ok(at.some((e) => b.says.test(e.message)), JSON.stringify(at));
  });
}

test("an unknown type is reported as such (for the runtime's fallback), other elements still checked", () => {
  const result = validateMessagingCallback([{ ...received, type: "message-teleported" }, { ...failed, errorCode: "x" }]);
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.equal(result.unknownType, true);
  assert.ok(result.errors.some((e) => e.path === "/0/type" && /unknown messaging event type "message-teleported"/.test(e.message)));
  assert.ok(result.errors.some((e) => e.path === "/1/errorCode"));
});

test("unknown properties pass by default (Bandwidth adds fields) and fail in strict mode, with their path", () => {
  const body = [{ ...received, newField: 1, message: { ...received.message, brandNew: true } }];
  assert.equal(validateMessagingCallback(body).ok, true);
  const strict = validateMessagingCallback(body, { strict: true });
  assert.equal(strict.ok, false);
  if (!strict.ok) {
    assert.ok(strict.errors.some((e) => e.path === "/0/newField" || (e.path === "/0" && /newField/.test(e.message))), JSON.stringify(strict.errors));
    assert.ok(strict.errors.some((e) => e.path === "/0/message/brandNew" || (e.path === "/0/message" && /brandNew/.test(e.message))), JSON.stringify(strict.errors));
  }
});

test("the element validator is what the handler runtime uses: one event, no array", () => {
  assert.equal(validateMessagingEvent(received).ok, true);
  assert.equal(validateMessagingEvent([received]).ok, false);
});
