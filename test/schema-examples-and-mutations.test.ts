// Every example in every event schema validates (lenient and strict), and broken copies of them are
// rejected with an error pointing at the right place: each required field removed, each field given
// a value of the wrong type, closed enumerations given an unknown value, unknown event types, and
// unknown properties (accepted by default, rejected in strict mode).
import assert from "node:assert/strict";
import { test } from "node:test";
import { validatorModules as generated } from "./support/validator-modules.js";
import { loadCatalog, resolvePointer, resolveRef, type JsonSchema } from "../generator/catalog.js";
import { families } from "../generator/model/families.js";
import { REPO_ROOT } from "./support/cli.js";
import { join } from "node:path";

type Validator = (input: unknown, options?: { strict?: boolean }) => { ok: boolean; type?: string; errors?: { path: string; message: string }[]; unknownType?: boolean };

const catalog = loadCatalog(join(REPO_ROOT, "schemas"));
const exported = generated as unknown as Record<string, Validator | undefined>;

/** Follow $refs until a schema with content. */
function resolved(baseId: string, schema: JsonSchema): { id: string; schema: JsonSchema } {
  let id = baseId;
  let node = schema;
  for (let i = 0; i < 10 && typeof node?.$ref === "string"; i++) {
    const target = resolveRef(id, node.$ref);
    id = target.id;
    node = resolvePointer(catalog.schemas.get(target.id), target.pointer) as JsonSchema;
  }
  return { id, schema: node };
}

const perEventFamilies = families.filter((f) => f.discriminant && typeof exported[f.validator] === "function");

test("the per-event validators cover voice at least", () => {
  assert.ok(perEventFamilies.some((f) => f.name === "voice"));
});

for (const family of perEventFamilies) {
  const validate = exported[family.validator]!;
  const discriminant = family.discriminant!;
  for (const entry of catalog.events.filter((e) => e.family === family.name)) {
    const examples = entry.schema.examples as Record<string, unknown>[];
    const full = examples.reduce((a, b) => (Object.keys(b).length > Object.keys(a).length ? b : a));

    test(`${family.name}/${entry.event}: every example validates, lenient and strict`, () => {
      examples.forEach((example, i) => {
        for (const strict of [false, true]) {
          const result = validate(example, { strict });
          assert.equal(result.ok, true, `example ${i} (strict ${strict}): ${JSON.stringify(result.errors)}`);
          assert.equal(result.type, example[discriminant]);
        }
      });
    });

    test(`${family.name}/${entry.event}: removing a required field is reported at its path`, () => {
      for (const field of entry.schema.required as string[]) {
        const copy: Record<string, unknown> = { ...full };
        delete copy[field];
        const result = validate(copy);
        assert.equal(result.ok, false, `without ${field}`);
        assert.ok(result.errors!.some((e) => e.path === `/${field}`), `without ${field}: ${JSON.stringify(result.errors)}`);
      }
    });

    test(`${family.name}/${entry.event}: a value of the wrong type is reported at its path`, () => {
      for (const field of Object.keys(full)) {
        if (field === discriminant) continue;
        const prop = resolved(entry.id, entry.schema.properties?.[field] ?? {});
        if (!prop.schema || Object.keys(prop.schema).length === 0) continue; // accepts anything
        const result = validate({ ...full, [field]: [[{}]] });
        assert.equal(result.ok, false, `${field} = [[{}]] was accepted`);
        assert.ok(result.errors!.some((e) => e.path.startsWith(`/${field}`)), `${field}: ${JSON.stringify(result.errors)}`);
      }
    });

    test(`${family.name}/${entry.event}: a value outside a closed enumeration is reported`, () => {
      for (const field of Object.keys(full)) {
        if (field === discriminant) continue;
        const prop = resolved(entry.id, entry.schema.properties?.[field] ?? {});
        if (!Array.isArray(prop.schema?.enum)) continue;
        const result = validate({ ...full, [field]: "surely-not-a-known-value" });
        assert.equal(result.ok, false, `${field} accepted an unknown enum value`);
        assert.ok(result.errors!.some((e) => e.path === `/${field}` && /must be one of/.test(e.message)), JSON.stringify(result.errors));
      }
    });

    test(`${family.name}/${entry.event}: unknown properties pass by default and fail in strict mode`, () => {
      const extended = { ...full, fieldBandwidthAddsLater: "x" };
      assert.equal(validate(extended).ok, true);
      const strict = validate(extended, { strict: true });
      assert.equal(strict.ok, false);
      assert.deepEqual(strict.errors!.map((e) => e.path), ["/fieldBandwidthAddsLater"]);
    });
  }

  test(`${family.name}: an unknown event type is its own, clear error`, () => {
    const result = validate({ [discriminant]: "somethingNew" });
    assert.equal(result.ok, false);
    assert.equal(result.unknownType, true);
    assert.equal(result.errors![0].path, `/${discriminant}`);
    assert.match(result.errors![0].message, /unknown .* event type "somethingNew"/);
  });

  test(`${family.name}: a missing discriminant or a non-object is rejected without throwing`, () => {
    for (const input of [{}, null, 42, "text", [], { [discriminant]: 7 }]) {
      const result = validate(input);
      assert.equal(result.ok, false, JSON.stringify(input));
      assert.ok(result.errors!.length > 0);
    }
  });
}
