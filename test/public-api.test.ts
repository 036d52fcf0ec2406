// The public API is a decision, not an accident: every entry of package.json `exports` and every name each
// one exports (run-time values by importing the entry through the package's own name, `bw-codegen/...`;
// type-only names from its .d.ts with ts-morph) must equal test/public-api.json. A change there is made on
// purpose (`npm run api-docs -- --pin`) and written in CHANGELOG.md. docs/api.md, generated from the same
// .d.ts files, must be fresh, and every run-time export must have a summary and an `@example`.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { API_DOCS, API_PINS, renderApiDocs } from "../generator/api-docs.js";
import { readPublicApi } from "../generator/public-api.js";
import { REPO_ROOT } from "./support/cli.js";

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { name: string; exports: Record<string, string | Record<string, string>> };
const pins = JSON.parse(readFileSync(API_PINS, "utf8")) as Record<string, { values: string[]; types: string[] }>;
const api = readPublicApi();
const sorted = (names: Iterable<string>): string[] => [...names].sort();

describe("the public API", () => {
  it("package.json exports only the pinned entries, the JSON documents and package.json: no wildcard, nothing under generated/runtime/", () => {
    const typed = Object.keys(pkg.exports)
      .filter((key) => typeof pkg.exports[key] !== "string")
      .map((key) => (key === "." ? pkg.name : `${pkg.name}/${key.slice(2)}`));
    assert.deepEqual(sorted(typed), sorted(Object.keys(pins)));
    assert.deepEqual(
      sorted(Object.keys(pkg.exports).filter((key) => typeof pkg.exports[key] === "string")),
      ["./asyncapi.json", "./asyncapi.yaml", "./openapi.json", "./openapi.yaml", "./package.json"],
    );
    for (const [key, target] of Object.entries(pkg.exports)) {
      assert.ok(!key.includes("*"), `${key}: a wildcard publishes every file it matches`);
      for (const file of typeof target === "string" ? [target] : Object.values(target)) {
        assert.ok(!file.startsWith("./generated/runtime/"), `${key} points into the internal runtime: ${file}`);
      }
    }
  });

  for (const [specifier, pinned] of Object.entries(pins)) {
    it(`${specifier} exports exactly its pinned values (imported by the package's name)`, async () => {
      const module = (await import(specifier)) as Record<string, unknown>;
      assert.deepEqual(sorted(Object.keys(module)), pinned.values, `${specifier}: update test/public-api.json (npm run api-docs -- --pin) only for a change you mean`);
    });

    it(`${specifier} declares exactly its pinned values and types (.d.ts)`, () => {
      const entry = api.find((e) => e.specifier === specifier);
      assert.ok(entry, `${specifier} is in package.json exports`);
      assert.deepEqual(
        entry.exports.filter((e) => e.kind === "value").map((e) => e.name),
        pinned.values,
      );
      assert.deepEqual(
        entry.exports.filter((e) => e.kind === "type").map((e) => e.name),
        pinned.types,
      );
    });
  }

  it("every run-time export has a TSDoc summary and an @example", () => {
    const missing = api.flatMap((entry) =>
      entry.exports.filter((e) => e.kind === "value" && (e.summary === "" || e.examples.length === 0)).map((e) => `${entry.specifier}: ${e.name}`),
    );
    assert.deepEqual(missing, []);
  });

  it("docs/api.md is what `npm run api-docs` writes from the current TSDoc", () => {
    assert.equal(readFileSync(API_DOCS, "utf8"), renderApiDocs(api), "docs/api.md is stale: run `npm run api-docs`");
  });
});
