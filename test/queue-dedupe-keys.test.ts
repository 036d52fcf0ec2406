// Dedupe keys are the identity of the whole event: two events that differ in any field never share a
// key (so no two real events are ever merged, with or without dedupe, since the key is also the queue's
// job id), and a redelivery (the same body: same JSON value, keys in any order) always does. Seeds are
// the schema examples and the published-like fixtures; fast-check mutates them. An event gets a key only
// when it carries the field that dates it, and the schemas require that field wherever the table says so.
// The concrete cases an attack run found (a group message to two of your numbers, a group MMS failed per
// recipient, two numbers notes on one order, a TFV number VERIFIED → UNVERIFIED → VERIFIED) are here.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { type JsonSchema, loadCatalog } from "../generator/catalog.js";
import { REPO_ROOT } from "../generator/paths.js";
import { validateNumbersXml } from "../generated/validators/numbers.js";
import { families } from "../generator/model/families.js";
import { canonicalJson, dedupeIdentity, dedupeKey, hashIdentity } from "../templates/runtime/delivery/dedupe-keys.js";

/** Each family's dedupe setting, from its definition (generator/families/<family>.ts): the one source. */
const DEDUPE_KEYS: Readonly<Record<string, { readonly datedBy: readonly string[] } | undefined>> = Object.fromEntries(families.map((f) => [f.name, f.dedupe]));
/** An event's key as the receiver computes it: the family's `datedBy` comes with the generated family. */
const keyOf = (family: string, eventType: string, event: unknown): string | undefined => dedupeKey(family, eventType, event, DEDUPE_KEYS[family]?.datedBy);
const identityOf = (family: string, eventType: string, event: unknown): string | undefined => dedupeIdentity(family, eventType, event, DEDUPE_KEYS[family]?.datedBy);

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

interface Seed {
  readonly family: string;
  readonly eventType: string;
  readonly source: string;
  readonly event: Record<string, unknown>;
}

/** Schema examples and published-like fixtures (JSON; numbers XML in its JSON form) of every family with a dedupe row. */
function seeds(): Seed[] {
  const out: Seed[] = [];
  for (const entry of catalog.events) {
    if (DEDUPE_KEYS[entry.family] === undefined) continue;
    (entry.schema.examples ?? []).forEach((example: Record<string, unknown>, i: number) => {
      out.push({ family: entry.family, eventType: entry.event, source: `${entry.file} example ${i}`, event: example });
    });
  }
  const fixtures = join(REPO_ROOT, "test", "fixtures", "published-like");
  for (const family of readdirSync(fixtures)) {
    if (DEDUPE_KEYS[family] === undefined) continue;
    for (const file of readdirSync(join(fixtures, family))) {
      const text = readFileSync(join(fixtures, family, file), "utf8");
      if (file.endsWith(".xml")) {
        const parsed = validateNumbersXml(text);
        if (parsed.ok) out.push({ family, eventType: parsed.type, source: `${family}/${file}`, event: parsed.value as unknown as Record<string, unknown> });
        continue;
      }
      const value = JSON.parse(text.replace(/,(\s*[}\]])/g, "$1")) as unknown; // a few published examples have trailing commas
      for (const event of Array.isArray(value) ? value : [value]) out.push({ family, eventType: file.replace(/\.json$/, ""), source: `${family}/${file}`, event });
    }
  }
  return out;
}

const allSeeds = seeds();
const keyed = allSeeds.filter((seed) => keyOf(seed.family, seed.eventType, seed.event) !== undefined);
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** A copy with the properties of every object in another order (as a sender serialising differently would). */
function reordered(value: unknown, random: () => number): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => reordered(item, random));
  const names = Object.keys(value);
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [names[i], names[j]] = [names[j], names[i]];
  }
  const out: Record<string, unknown> = {};
  for (const name of names) Object.defineProperty(out, name, { value: reordered((value as Record<string, unknown>)[name], random), enumerable: true, writable: true, configurable: true });
  return out;
}

/** Every container (object or array) and every property path in the value: where a mutation can go. */
function places(value: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(path);
  if (value !== null && typeof value === "object") {
    for (const [name, item] of Object.entries(value)) places(item, [...path, Array.isArray(value) ? Number(name) : name], out);
  }
  return out;
}

function at(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((node, part) => (node as Record<string | number, unknown>)[part], value);
}

test("every family with async events has a dedupe row, except the synchronous emergency API", () => {
  const families = new Set(asyncEvents.map((entry) => entry.family));
  for (const family of families) assert.ok(DEDUPE_KEYS[family] !== undefined, `${family} has no dedupe key row`);
  assert.equal(DEDUPE_KEYS.emergency, undefined);
});

test("every async event of a dated family requires one of the fields that date it (numbers: LastModifiedDate is optional, TFV has none)", () => {
  for (const entry of asyncEvents) {
    const spec = DEDUPE_KEYS[entry.family];
    if (spec === undefined || entry.family === "numbers" || entry.family === "tfv") continue;
    assert.ok(
      spec.datedBy.some((field) => requires(entry.schema, entry.id, field)),
      `${entry.file}: none of ${spec.datedBy.join(", ")} is required, so a valid event may have no dedupe key`,
    );
  }
  assert.deepEqual(DEDUPE_KEYS.tfv?.datedBy, []);
  for (const entry of asyncEvents.filter((e) => e.family === "numbers")) assert.equal(requires(entry.schema, entry.id, "LastModifiedDate"), false, entry.file);
});

test("the seeds cover every dated family, and every seed of a voice, messaging, MFA, endpoint or WebRTC event has a key", () => {
  assert.ok(keyed.length > 100, `only ${keyed.length} keyed seeds`);
  for (const family of ["voice", "messaging", "mfa", "numbers", "endpoint", "webrtc"]) assert.ok(keyed.some((seed) => seed.family === family), `no keyed ${family} seed`);
  for (const seed of allSeeds) {
    if (seed.family === "numbers" || seed.family === "tfv") continue;
    assert.match(keyOf(seed.family, seed.eventType, seed.event) ?? "", /^[0-9a-f]{64}$/, `${seed.source} has no key`);
  }
});

test("property: a redelivery (same body, properties in any order, parsed again) always shares the key", () => {
  fc.assert(
    fc.property(fc.constantFrom(...keyed), fc.integer(), (seed, salt) => {
      let state = salt >>> 0;
      const random = (): number => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      const again = JSON.parse(JSON.stringify(reordered(seed.event, random)));
      assert.equal(keyOf(seed.family, seed.eventType, again), keyOf(seed.family, seed.eventType, seed.event));
    }),
    { numRuns: 500 },
  );
});

test("property: two events that differ anywhere (a value changed, a property added or removed, array items swapped) never share a key", () => {
  const mutation = fc.record({
    seed: fc.constantFrom(...keyed),
    where: fc.nat(),
    kind: fc.constantFrom("replace", "add", "remove", "swap"),
    value: fc.jsonValue({ maxDepth: 2 }),
    name: fc.string({ maxLength: 8 }),
  });
  let changed = 0;
  fc.assert(
    fc.property(mutation, ({ seed, where, kind, value, name }) => {
      const event = clone(seed.event);
      const all = places(event);
      const path = all[where % all.length];
      const newValue = JSON.parse(JSON.stringify(value)) as unknown; // JSON round trip: what a body can carry
      if (kind === "replace") {
        fc.pre(path.length > 0 && !isDeepStrictEqual(at(event, path), newValue));
        (at(event, path.slice(0, -1)) as Record<string | number, unknown>)[path.at(-1)!] = newValue;
      } else if (kind === "add") {
        const holder = at(event, path);
        fc.pre(holder !== null && typeof holder === "object" && !Array.isArray(holder) && !Object.hasOwn(holder, name) && name !== "__proto__");
        (holder as Record<string, unknown>)[name] = newValue;
      } else if (kind === "remove") {
        const holder = at(event, path.slice(0, -1));
        fc.pre(path.length > 0 && !Array.isArray(holder));
        delete (holder as Record<string, unknown>)[path.at(-1) as string];
      } else {
        const list = at(event, path);
        fc.pre(Array.isArray(list) && list.length > 1 && !isDeepStrictEqual(list[0], list[1]));
        const items = list as unknown[];
        [items[0], items[1]] = [items[1], items[0]];
      }
      changed++;
      assert.notEqual(keyOf(seed.family, seed.eventType, event), keyOf(seed.family, seed.eventType, seed.event), `${seed.source}: ${kind} at ${path.join(".")}`);
    }),
    { numRuns: 3000 },
  );
  assert.ok(changed > 1000, `only ${changed} mutations applied`);
});

test("property: canonical JSON is the same text exactly for equal JSON values, whatever their property order", () => {
  const json = fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);
  fc.assert(
    fc.property(json, json, fc.integer(), (a, b, salt) => {
      let state = salt >>> 0;
      const random = (): number => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      assert.equal(canonicalJson(reordered(a, random)), canonicalJson(a));
      assert.deepEqual(JSON.parse(canonicalJson(a)), a);
      assert.equal(canonicalJson(a) === canonicalJson(b), isDeepStrictEqual(a, b));
    }),
    { numRuns: 2000 },
  );
});

/** The examples of one schema file. */
function example(family: string, event: string, i = 0): Record<string, unknown> {
  return clone(catalog.events.find((e) => e.family === family && e.event === event)!.schema.examples[i]);
}

test("a group message delivered to two of your numbers is two events: the copies differ in `to` and `message.owner`", () => {
  const base = example("messaging", "message-received");
  const mine = ["+19195550142", "+19195550143"];
  const copies = mine.map((number) => ({ ...base, to: number, message: { ...(base.message as object), owner: number, to: mine } }));
  assert.notEqual(keyOf("messaging", "message-received", copies[0]), keyOf("messaging", "message-received", copies[1]));
});

test("a group MMS delivered or failed per recipient is one event per recipient (same message id and time)", () => {
  const base = example("messaging", "message-failed");
  const recipients = ["+17045550187", "+17045550188"];
  const events = recipients.map((to, i) => ({ ...base, to, errorCode: 4432 + i, message: { ...(base.message as object), to: recipients } }));
  assert.notEqual(keyOf("messaging", "message-failed", events[0]), keyOf("messaging", "message-failed", events[1]));
  const delivered = recipients.map((to) => ({ ...example("messaging", "message-delivered"), to }));
  assert.notEqual(keyOf("messaging", "message-delivered", delivered[0]), keyOf("messaging", "message-delivered", delivered[1]));
});

test("two notifications of one order and status with different notes are two events; without LastModifiedDate none is deduplicated", () => {
  const dated = { ...example("numbers", "portins", 1), Message: undefined, CompletedTelephoneNumbers: undefined };
  const first = { ...dated, Note: "Customer sent the LOA" };
  const second = { ...dated, Note: "Customer sent a corrected LOA" };
  assert.notEqual(keyOf("numbers", "portins", first), keyOf("numbers", "portins", second));
  const undated = example("numbers", "portins", 0);
  assert.equal(undated.LastModifiedDate, undefined);
  assert.equal(keyOf("numbers", "portins", undated), undefined, "two byte-identical undated notifications may be two events: no key");
  assert.equal(keyOf("numbers", "MESSAGING_LOST", example("numbers", "MESSAGING_LOST")), undefined);
});

test("a TFV number VERIFIED, UNVERIFIED, then VERIFIED again: no TFV event has a key, so the third is never merged with the first", () => {
  const verified = example("tfv", "status", 1);
  const unverified = { ...verified, status: "UNVERIFIED" };
  for (const event of [verified, unverified, clone(verified)]) assert.equal(keyOf("tfv", "status", event), undefined);
  for (const file of readdirSync(join(REPO_ROOT, "test", "fixtures", "published-like", "tfv"))) {
    const event = JSON.parse(readFileSync(join(REPO_ROOT, "test", "fixtures", "published-like", "tfv", file), "utf8"));
    assert.equal(keyOf("tfv", "status", event), undefined, file);
  }
});

test("an event without a field that dates it gets no key (never deduplicated); the event type is part of the key", () => {
  assert.equal(identityOf("messaging", "message-delivered", { type: "message-delivered", message: { id: "m" } }), undefined);
  assert.equal(identityOf("messaging", "message-delivered", { time: "", message: { id: "m" } }), undefined);
  assert.equal(identityOf("voice", "disconnect", { callId: "c-1" }), undefined);
  assert.equal(identityOf("emergency", "calling-query", { to: "+1", from: "+2" }), undefined);
  assert.equal(identityOf("__proto__", "x", { time: "t" }), undefined);
  assert.equal(identityOf("messaging", "x", "not an object"), undefined);
  const event = { type: "message-delivered", time: "t", message: { id: "m" } };
  assert.notEqual(keyOf("messaging", "message-delivered", event), keyOf("messaging", "message-sent", event));
  assert.notEqual(keyOf("messaging", "message-delivered", event), keyOf("mfa", "message-delivered", event));
});

test("field values cannot make two events collide (JSON-encoded identity)", () => {
  const a = identityOf("messaging", "message-delivered", { time: "b", message: { id: 'a","b' } });
  const b = identityOf("messaging", "message-delivered", { time: 'b","b', message: { id: "a" } });
  assert.notEqual(a, b);
  assert.notEqual(identityOf("messaging", 'a","b', { time: "t" }), identityOf("messaging", "a", { time: "t", b: "" }));
});

test("a body nested deeper than the stack gets no key (handled, never merged) instead of throwing", () => {
  let deep: unknown = 1;
  for (let i = 0; i < 200_000; i++) deep = [deep];
  assert.equal(keyOf("messaging", "message-delivered", { time: "t", deep }), undefined);
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
    const identity = identityOf("messaging", "message-delivered", event);
    assert.ok(identity !== undefined);
    assert.equal(keyOf("messaging", "message-delivered", event), hashIdentity(identity));
  }
});
