// Strict mode is implemented as a walk over the properties each schema lists (strict-shape.ts), not as
// a second set of compiled validators. This checks it against the definition in CONTRIBUTING.md: the
// schemas with every property-listing object closed (toStrict), compiled by ajv here. For every example
// of every event, an unknown property is added at every object inside it; both must agree.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { Ajv2020 } from "ajv/dist/2020.js";
import { validatorModules as generated } from "./support/validator-modules.js";
import { loadCatalog } from "../generator/catalog.js";
import { families } from "../generator/model/families.js";
import { stripAnnotations, strictId, toStrict } from "../generator/schema-transforms.js";
import { REPO_ROOT } from "./support/cli.js";

type Validator = (input: unknown, options?: { strict?: boolean }) => { ok: boolean; errors?: { path: string }[] };

const catalog = loadCatalog(join(REPO_ROOT, "schemas"));
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
for (const schema of catalog.schemas.values()) ajv.addSchema(stripAnnotations(toStrict(schema)));
const exported = generated as unknown as Record<string, Validator | undefined>;

/** Every object inside a value, with its JSON pointer. */
function objectsIn(value: unknown, path = ""): string[] {
  if (value === null || typeof value !== "object") return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => objectsIn(v, `${path}/${i}`));
  return [path, ...Object.entries(value).flatMap(([k, v]) => objectsIn(v, `${path}/${k}`))];
}

function withExtra(value: unknown, pointer: string): unknown {
  const copy = structuredClone(value);
  let node: any = copy;
  for (const key of pointer.split("/").slice(1)) node = node[key];
  node.zzAddedLater = "x";
  return copy;
}

for (const family of families) {
  const validate = exported[family.validator];
  if (typeof validate !== "function" || family.body === "xml") continue;
  for (const entry of catalog.events.filter((e) => e.family === family.name)) {
    test(`${family.name}/${entry.event}: strict mode agrees with the closed schema at every depth`, () => {
      const closed = ajv.getSchema(strictId(entry.id))!;
      for (const example of entry.schema.examples as unknown[]) {
        for (const pointer of objectsIn(example)) {
          const input = withExtra(example, pointer);
          const ours = validate(input, { strict: true });
          assert.equal(ours.ok, closed(input), `${pointer || "(root)"}: ours ${JSON.stringify(ours.errors)} vs ajv ${JSON.stringify(closed.errors)}`);
          if (!ours.ok) assert.ok(ours.errors!.some((e) => e.path === `${pointer}/zzAddedLater`), JSON.stringify(ours.errors));
          assert.equal(validate(input).ok, true, "the default (open) mode accepts it");
        }
      }
    });
  }
}
