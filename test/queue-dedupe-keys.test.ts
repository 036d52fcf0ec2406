// The dedupe key table agrees with the schemas: every event whose reply Bandwidth ignores, in every
// family but the synchronous Emergency Calling API, has a key, built from fields its schema requires
// (so every valid event has one); the examples get keys, a retry (same body, properties reordered, a new
// unknown property) gets the same key, and changing any key field gives another.
import assert from "node:assert/strict";
import { test } from "node:test";
import { join } from "node:path";
import { loadCatalog, type JsonSchema } from "../generator/catalog.js";
import { REPO_ROOT } from "../generator/paths.js";
import { createHash } from "node:crypto";
import { DEDUPE_KEYS, dedupeIdentity, dedupeKey, hashIdentity } from "../templates/runtime/queue/dedupe-keys.js";

const catalog = loadCatalog(join(REPO_ROOT, "schemas"));

function resolve(schema: JsonSchema, fromId: string): { schema: JsonSchema; id: string } {
  if (typeof schema.$ref !== "string") return { schema, id: fromId };
  const [file, pointer] = schema.$ref.split("#");
  const id = file === "" ? fromId : new URL(file, fromId).href;
  let target: JsonSchema = catalog.schemas.get(id)!;
  for (const part of (pointer ?? "").split("/").filter(Boolean)) target = target[part];
  return resolve(target, id);
}

/** Whether the dotted path is required all the way down in the schema. */
function requires(schema: JsonSchema, id: string, path: string): boolean {
  let current = { schema, id };
  for (const name of path.split(".")) {
    current = resolve(current.schema, current.id);
    if (!(current.schema.required ?? []).includes(name)) return false;
    current = { schema: current.schema.properties[name], id: current.id };
  }
  return true;
}

const asyncEvents = catalog.events.filter((entry) => (entry.meta.response ?? "empty") === "empty");

test("every family with async events has a dedupe row, except the synchronous emergency API", () => {
  const families = new Set(asyncEvents.map((entry) => entry.family));
  for (const family of families) assert.ok(DEDUPE_KEYS[family] !== undefined, `${family} has no dedupe key row`);
  assert.equal(DEDUPE_KEYS.emergency, undefined);
});

test("each needed field group has a field every async event of the family requires", () => {
  for (const entry of asyncEvents) {
    const spec = DEDUPE_KEYS[entry.family];
    if (spec === undefined) continue;
    for (const group of spec.need) {
      assert.ok(
        group.some((field) => requires(entry.schema, entry.id, field)),
        `${entry.file}: none of ${group.join(", ")} is required, so a valid event may have no dedupe key`,
      );
    }
  }
});

test("every example of an async event has a key; a retried copy has the same; a changed key field another", () => {
  let checked = 0;
  for (const entry of asyncEvents) {
    const spec = DEDUPE_KEYS[entry.family];
    if (spec === undefined) continue;
    for (const example of entry.schema.examples ?? []) {
      const key = dedupeKey(entry.family, entry.event, example);
      assert.match(key ?? "", /^[0-9a-f]{64}$/, `${entry.file}: example has no key`);
      const retried = { addedLater: true, ...JSON.parse(JSON.stringify(example)) };
      assert.equal(dedupeKey(entry.family, entry.event, retried), key);
      assert.notEqual(dedupeKey(entry.family, `${entry.event}-other`, example), key, "the event type is part of the key");
      for (const field of spec.fields) {
        const copy = JSON.parse(JSON.stringify(example));
        const parts = field.split(".");
        let holder = copy;
        for (const part of parts.slice(0, -1)) holder = holder?.[part];
        if (holder === undefined || holder[parts.at(-1)!] === undefined) continue;
        holder[parts.at(-1)!] = `${JSON.stringify(holder[parts.at(-1)!])}-changed`;
        assert.notEqual(dedupeKey(entry.family, entry.event, copy), key, `${entry.file}: changing ${field} keeps the key`);
      }
      checked++;
    }
  }
  assert.ok(checked > 50, `only ${checked} examples checked`);
});

test("an event without the fields its key needs gets none (it is not deduplicated)", () => {
  assert.equal(dedupeIdentity("messaging", "message-delivered", { type: "message-delivered" }), undefined);
  assert.equal(dedupeIdentity("messaging", "message-delivered", { time: "t", message: { id: "" } }), undefined);
  assert.equal(dedupeIdentity("voice", "disconnect", { eventTime: "t" }), undefined);
  assert.equal(dedupeIdentity("emergency", "calling-query", { to: "+1", from: "+2" }), undefined);
  assert.equal(dedupeIdentity("__proto__", "x", {}), undefined);
});

test("field values cannot make two events collide (JSON-encoded identity)", () => {
  const a = dedupeIdentity("messaging", "message-delivered", { time: "b", message: { id: 'a","b' } });
  const b = dedupeIdentity("messaging", "message-delivered", { time: 'b","b', message: { id: "a" } });
  assert.notEqual(a, b);
});

test("hashIdentity is SHA-256 (node:crypto agrees on every length around the block boundaries, and on non-ASCII text)", () => {
  for (let n = 0; n < 300; n++) {
    const text = "é€😀abc".repeat(n).slice(0, n) + "x".repeat(n % 7);
    assert.equal(hashIdentity(text), createHash("sha256").update(text, "utf8").digest("hex"), `length ${n}`);
  }
  assert.equal(hashIdentity(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

test("dedupeKey (Node's native hash here) equals the portable hash of the identity, so edge and Node receivers share keys", () => {
  const events = [
    { type: "message-delivered", time: "2024-01-01T00:00:00Z", message: { id: "m-1" } },
    { type: "message-delivered", time: "2024-01-01T00:00:00Z", message: { id: "é€😀\ud800 lone surrogate" } },
  ];
  for (const event of events) {
    const identity = dedupeIdentity("messaging", "message-delivered", event);
    assert.ok(identity !== undefined);
    assert.equal(dedupeKey("messaging", "message-delivered", event), hashIdentity(identity));
  }
});
