// Payloads shaped like Bandwidth's published webhook examples (docs pages, OpenAPI spec, SDK tests), written
// with our own values in test/fixtures/published-like/<family>/*.json, must validate through the real
// `bw-codegen validate` CLI. Broken copies of every one of them must not, and the error must point at what
// was broken: each required field removed, each field given the wrong JSON type, closed enumerations and
// patterns violated, nested objects likewise; plus unknown event types and bodies that are not objects.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { REPO_ROOT, jsonLines, runCli } from "./support/cli.js";
import { familyByName } from "../generator/model/families.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = Record<string, any>;

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "published-like");
const SCHEMAS = join(REPO_ROOT, "schemas");
const FAMILIES = ["voice", "messaging", "tfv", "endpoint", "mfa", "webrtc"] as const;
type Family = (typeof FAMILIES)[number];
/** The property that names the event, per family (endpoint has two shapes; TFV has none). */
const DISCRIMINANTS: Record<Family, string[]> = { voice: ["eventType"], messaging: ["type"], tfv: [], endpoint: ["eventType", "event"], mfa: ["type"], webrtc: ["event"] };

// ---------- schema lookup: enough $ref / anyOf resolution to know what each field must be ----------

const schemaFiles = new Map<string, Schema>();
function loadSchema(relativeFile: string): Schema {
  let schema = schemaFiles.get(relativeFile);
  if (!schema) {
    schema = JSON.parse(readFileSync(join(SCHEMAS, relativeFile), "utf8")) as Schema;
    schemaFiles.set(relativeFile, schema);
  }
  return schema;
}

interface Located {
  schema: Schema;
  file: string;
}

/** Follow `$ref`s (relative file + JSON pointer) until a schema without one. */
function deref(located: Located): Located {
  let { schema, file } = located;
  for (let hops = 0; schema.$ref && hops < 10; hops++) {
    const [target, pointer = ""] = String(schema.$ref).split("#");
    if (target) file = posix.normalize(posix.join(posix.dirname(file), target));
    schema = pointer.split("/").filter(Boolean).reduce((node: Schema, part) => node[part], loadSchema(file));
  }
  return { schema, file };
}

/**
 * What a field's value must be, once references and `null` alternatives are unwrapped: the single
 * non-null schema, or undefined when several kinds are allowed (open enums count as plain strings).
 */
function fieldSchema(located: Located): Located | undefined {
  const resolved = deref(located);
  const alternatives: Schema[] | undefined = resolved.schema.anyOf ?? resolved.schema.oneOf;
  if (!alternatives) return resolved;
  const nonNull = alternatives.filter((alt) => alt.type !== "null");
  const isOpenEnum = nonNull.length === 2 && nonNull.some((alt) => alt.enum) && nonNull.some((alt) => alt.type === "string" && !alt.pattern);
  if (isOpenEnum) return { schema: { type: "string" }, file: resolved.file };
  return nonNull.length === 1 ? fieldSchema({ schema: nonNull[0]!, file: resolved.file }) : undefined;
}

/** Event schemas of a family by the discriminant values they accept, and by earlier names of renamed events (voice: recordingComplete too). */
function eventSchemas(family: Family): Map<string, Located> {
  const byEvent = new Map<string, Located>();
  for (const name of readdirSync(join(SCHEMAS, family))) {
    const file = `${family}/${name}`;
    const schema = loadSchema(file);
    byEvent.set(schema["x-bw"].event, { schema, file });
    for (const key of DISCRIMINANTS[family]) {
      for (const value of schema.properties?.[key]?.enum ?? []) byEvent.set(value, { schema, file });
    }
  }
  // Renamed events (generator/families.ts): an earlier name is validated by the current event's schema.
  for (const rename of familyByName(family).renames ?? []) byEvent.set(rename.from, byEvent.get(rename.to)!);
  return byEvent;
}

// ---------- broken copies ----------

interface Broken {
  name: string;
  body: Json;
  /** The error must be reported at one of these JSON pointers. */
  paths: string[];
}

const clone = (value: Json): Json => JSON.parse(JSON.stringify(value)) as Json;

/** Replace (or, with `remove`, delete) the value at a JSON pointer in a copy of `root`. */
function edit(root: Json, pointer: string, replacement: Json | undefined): Json {
  const copy = clone(root);
  const parts = pointer.split("/").slice(1);
  const last = parts.pop()!;
  const parent = parts.reduce((node: any, part) => node[part], copy) as Record<string, Json>;
  if (replacement === undefined) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

/** A value of another JSON type than `value` that no field of that kind accepts. */
function wrongType(value: Json): Json {
  if (typeof value === "string") return [];
  if (typeof value === "number") return "abc";
  if (typeof value === "boolean") return "maybe";
  if (Array.isArray(value)) return "x";
  return "x";
}

/** Broken copies of the object at `pointer` in `root`, which must match `located`. */
function breakObject(root: Json, pointer: string, value: Record<string, Json>, located: Located, family: Family, out: Broken[]): void {
  const schema = located.schema;
  const discriminantPaths = (key: string): string[] =>
    family === "endpoint" && pointer === "" && DISCRIMINANTS.endpoint.includes(key) ? ["/eventType", "/event"] : [`${pointer}/${key}`];
  for (const key of schema.required ?? []) {
    if (key in value) out.push({ name: `without ${pointer}/${key}`, body: edit(root, `${pointer}/${key}`, undefined), paths: discriminantPaths(key) });
  }
  for (const [key, field] of Object.entries(value)) {
    const declared = schema.properties?.[key];
    if (!declared || field === null) continue;
    const at = `${pointer}/${key}`;
    out.push({ name: `${at} of the wrong type`, body: edit(root, at, wrongType(field)), paths: [at] });
    const expected = fieldSchema({ schema: declared, file: located.file });
    if (!expected) continue;
    const closed: Json[] | undefined = expected.schema.enum ?? (expected.schema.const !== undefined ? [expected.schema.const] : undefined);
    if (closed && typeof field === "string") out.push({ name: `${at} outside its enumeration`, body: edit(root, at, "not-a-known-value"), paths: [at] });
    if (closed && typeof field === "number") out.push({ name: `${at} outside its enumeration`, body: edit(root, at, 987654), paths: [at] });
    if (expected.schema.pattern && typeof field === "string") out.push({ name: `${at} not matching its pattern`, body: edit(root, at, "not valid"), paths: [at] });
    if (expected.schema.minItems && Array.isArray(field)) out.push({ name: `${at} emptied`, body: edit(root, at, []), paths: [at] });
    if (field && typeof field === "object" && !Array.isArray(field) && expected.schema.properties) {
      breakObject(root, at, field, expected, family, out);
    }
    if (Array.isArray(field) && field[0] && typeof field[0] === "object" && !Array.isArray(field[0]) && expected.schema.items) {
      const items = fieldSchema({ schema: expected.schema.items, file: expected.file });
      if (items?.schema.properties) breakObject(root, `${at}/0`, field[0], items, family, out);
    }
  }
}

/** Bodies no family accepts, with where the error must be reported. */
function hostileBodies(family: Family): Broken[] {
  const bodies: Broken[] = [
    { name: "a JSON array", body: [], paths: [""] },
    { name: "a JSON string", body: "answer", paths: [""] },
    { name: "a JSON number", body: 42, paths: [""] },
    { name: "JSON null", body: null, paths: [""] },
    { name: "JSON true", body: true, paths: [""] },
    { name: "an empty object", body: {}, paths: family === "messaging" ? ["", "/type"] : ["", "/eventType", "/event", "/type", "/accountId", "/phoneNumber"] },
  ];
  if (family === "messaging") bodies.push({ name: "an array holding a number", body: [1], paths: ["/0"] }, { name: "an array holding an array", body: [[]], paths: ["/0"] });
  return bodies;
}

// ---------- fixtures ----------

interface Fixture {
  family: Family;
  file: string;
  text: string;
  /** Parsed, tolerating the trailing commas some of Bandwidth's published examples have. */
  value: Json;
}

function loadFixtures(): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const family of FAMILIES) {
    for (const name of readdirSync(join(FIXTURES, family)).filter((n) => n.endsWith(".json")).sort()) {
      const file = join(FIXTURES, family, name);
      const text = readFileSync(file, "utf8");
      fixtures.push({ family, file, text, value: JSON.parse(text.replace(/,(\s*[}\]])/g, "$1")) as Json });
    }
  }
  return fixtures;
}

const fixtures = loadFixtures();

function validate(family: Family | "auto", files: string[]): Record<string, any>[] {
  const run = runCli(["validate", "--json", "--kind", family, ...files]);
  assert.ok(run.status === 0 || run.status === 1, `validate exited ${run.status}: ${run.stderr}`);
  return jsonLines(run.stdout);
}

test("there is a published-like fixture for every event of every family", () => {
  for (const family of FAMILIES) {
    const covered = new Set(validate(family, fixtures.filter((f) => f.family === family).map((f) => f.file)).map((r) => r.type));
    if (family === "messaging") {
      for (const f of fixtures.filter((x) => x.family === "messaging")) for (const e of f.value as Record<string, Json>[]) covered.add(e.type);
    }
    const missing = [...new Set([...eventSchemas(family).values()].map((l) => l.schema["x-bw"].event))].filter((event) => !covered.has(event));
    assert.deepEqual(missing, [], `${family}: no fixture for ${missing.join(", ")}`);
  }
});

test("every published-like payload is valid (kind recognised automatically, lenient)", () => {
  const reports = validate("auto", fixtures.map((f) => f.file));
  assert.equal(reports.length, fixtures.length);
  for (const [i, report] of reports.entries()) {
    const fixture = fixtures[i]!;
    assert.equal(report.kind, fixture.family, `${fixture.file}: recognised as ${report.kind}`);
    assert.ok(report.valid, `${fixture.file}: ${JSON.stringify(report.errors)}`);
    assert.ok(typeof report.type === "string" && report.type.length > 0, `${fixture.file}: no event type`);
    const trailingComma = /,\s*[}\]]/.test(fixture.text);
    // A payload under another name Bandwidth has used (the spec's recordingComplete) is valid and reported as a rename.
    const renamed = (report.warnings ?? []).filter((w: string) => /^renamed event: /.test(w));
    const value = fixture.value !== null && typeof fixture.value === "object" && !Array.isArray(fixture.value) ? fixture.value : {};
    const received = DISCRIMINANTS[fixture.family].map((key) => value[key]).find((v) => typeof v === "string");
    const expected = (familyByName(fixture.family).renames ?? []).some((r) => r.from === received) ? 1 : 0;
    assert.equal(renamed.length, expected, `${fixture.file}: warnings ${JSON.stringify(report.warnings)}`);
    assert.equal(report.warnings?.length ?? 0, renamed.length + (trailingComma ? 1 : 0), `${fixture.file}: warnings ${JSON.stringify(report.warnings)}`);
  }
});

test("payloads without Bandwidth's trailing-comma slips also pass --strict (every field they use is declared)", () => {
  const strictJson = fixtures.filter((f) => !/,\s*[}\]]/.test(f.text));
  const run = runCli(["validate", "--json", "--strict", ...strictJson.map((f) => f.file)]);
  const invalid = jsonLines(run.stdout).filter((r) => !r.valid);
  assert.deepEqual(invalid.map((r) => `${r.file}: ${JSON.stringify(r.errors)}`), []);
});

test("broken copies of every published-like payload are invalid, at the path that was broken", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "bw-published-like-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let total = 0;
  for (const family of FAMILIES) {
    const schemas = eventSchemas(family);
    const ofFamily = fixtures.filter((f) => f.family === family);
    // TFV has no discriminant: take the shape the validator chose for the intact payload.
    const chosen = validate(family, ofFamily.map((f) => f.file)).map((r) => r.type as string);
    const broken: (Broken & { fixture: string })[] = [];
    for (const [i, fixture] of ofFamily.entries()) {
      const out: Broken[] = [];
      const events = family === "messaging" ? (fixture.value as Json[]).map((event, index) => ({ event, pointer: `/${index}` })) : [{ event: fixture.value, pointer: "" }];
      for (const { event, pointer } of events) {
        const object = event as Record<string, Json>;
        const discriminant = DISCRIMINANTS[family].find((key) => typeof object[key] === "string");
        const located = schemas.get(discriminant ? (object[discriminant] as string) : chosen[i]!);
        assert.ok(located, `${fixture.file}: no schema for ${pointer || "the body"}`);
        breakObject(fixture.value, pointer, object, located, family, out);
      }
      if (family === "messaging") out.push({ name: "a lone event that is not an object inside the batch", body: [...(fixture.value as Json[]), "oops"], paths: [`/${(fixture.value as Json[]).length}`] });
      broken.push(...out.map((b) => ({ ...b, fixture: fixture.file })));
    }
    broken.push(...hostileBodies(family).map((b) => ({ ...b, fixture: "(hostile)" })));
    const files = broken.map((b, index) => {
      const file = join(dir, `${family}-${index}.json`);
      writeFileSync(file, JSON.stringify(b.body));
      return file;
    });
    files.push(join(dir, `${family}-malformed.json`));
    writeFileSync(files.at(-1)!, '{"eventType": "answer", "callId": ');
    broken.push({ name: "malformed JSON", body: null, paths: [""], fixture: "(hostile)" });
    const reports = validate(family, files);
    assert.equal(reports.length, broken.length);
    const failures: string[] = [];
    for (const [index, report] of reports.entries()) {
      const b = broken[index]!;
      if (report.valid) failures.push(`${b.fixture} ${b.name}: accepted`);
      else if (!report.errors.some((e: { path: string }) => b.paths.includes(e.path))) failures.push(`${b.fixture} ${b.name}: errors at ${report.errors.map((e: { path: string }) => e.path).join(", ")}, expected ${b.paths.join(" or ")}`);
    }
    assert.deepEqual(failures, [], `${family}: ${failures.length} of ${broken.length} broken copies not caught`);
    t.diagnostic(`${family}: ${broken.length} broken copies, all invalid at the broken path`);
    total += broken.length;
  }
  assert.ok(total > 1000, `expected well over a thousand broken copies, made ${total}`);
});

test("an unknown event type is invalid at the discriminant, in every family that has one", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "bw-published-like-type-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cases: { family: Family; body: Json; path: string }[] = [
    { family: "voice", body: { ...(fixtures.find((f) => f.file.endsWith("voice/answer.json"))!.value as object), eventType: "callAnswered" }, path: "/eventType" },
    { family: "messaging", body: [{ ...((fixtures.find((f) => f.file.endsWith("message-delivered-sms.json"))!.value as Json[])[0] as object), type: "message-queued" }], path: "/0/type" },
    { family: "endpoint", body: { ...(fixtures.find((f) => f.file.endsWith("endpoint-connected.json"))!.value as object), event: "endpointExploded" }, path: "/event" },
    { family: "endpoint", body: { ...(fixtures.find((f) => f.file.endsWith("device-connected.json"))!.value as object), eventType: "DEVICE_EXPLODED" }, path: "/eventType" },
    { family: "mfa", body: { ...(fixtures.find((f) => f.file.endsWith("mfa/message-failed.json"))!.value as object), type: "message-read" }, path: "/type" },
    { family: "webrtc", body: { ...(fixtures.find((f) => f.file.endsWith("on-connect.json"))!.value as object), event: "onExplode" }, path: "/event" },
  ];
  for (const [index, c] of cases.entries()) {
    const file = join(dir, `${index}.json`);
    writeFileSync(file, JSON.stringify(c.body));
    for (const kind of [c.family, "auto"] as const) {
      const [report] = validate(kind, [file]);
      assert.equal(report!.valid, false, `${c.family} (${kind}): ${JSON.stringify(c.body)} accepted`);
      assert.ok(report!.errors.some((e: { path: string }) => e.path === c.path), `${c.family} (${kind}): ${JSON.stringify(report!.errors)}`);
    }
  }
});

test("toll-free numbers: every toll-free area code (and the reserved ones) is accepted, geographic 8XX numbers are not", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "bw-published-like-tfv-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const verified = fixtures.find((f) => f.file.endsWith("tfv/verified.json"))!.value as Record<string, Json>;
  const numbers: [string, boolean][] = [
    ...["800", "822", "833", "844", "855", "866", "877", "880", "888", "889"].map((code): [string, boolean] => [`+1${code}5550123`, true]),
    ...["801", "802", "810", "828", "843", "870"].map((code): [string, boolean] => [`+1${code}5550123`, false]),
    ["+18001550123", false], // exchange starting with 1
    ["+1800555012", false],
    ["18005550123", false],
  ];
  const files = numbers.map(([phoneNumber], index) => {
    const file = join(dir, `${index}.json`);
    writeFileSync(file, JSON.stringify({ ...verified, phoneNumber }));
    return file;
  });
  for (const [index, report] of validate("tfv", files).entries()) {
    const [phoneNumber, valid] = numbers[index]!;
    assert.equal(report.valid, valid, `${phoneNumber}: ${JSON.stringify(report.errors)}`);
    if (!valid) assert.deepEqual(report.errors.map((e: { path: string }) => e.path), ["/phoneNumber"]);
  }
});
