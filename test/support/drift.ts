// Where the drift and strict-shape tests find Bandwidth's OpenAPI spec: the copy inside the pinned
// `bandwidth-sdk` devDependency and each copy vendored in test/fixtures/spec/. The comparison itself
// (SchemaStore, compareWithSpec, the allow-list, event-type coverage) is shipped with the CLI for
// `bw-codegen drift --spec`: generator/spec-drift/compare.ts.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type JsonSchema, loadBandwidthSpec } from "../../generator/spec-drift/compare.js";

export type { JsonSchema };

/** Root of the repository (two levels above this file). */
export const repoRoot: string = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * Where Bandwidth's spec lives: the `bandwidth.yml` shipped inside the pinned `bandwidth-sdk` devDependency,
 * found through module resolution (so the tests read nothing outside the repository and its node_modules).
 */
const sdkPackageJson: string = createRequire(import.meta.url).resolve("bandwidth-sdk/package.json");
export const bandwidthSpecPath: string = join(dirname(sdkPackageJson), "bandwidth.yml");

/** The version of the `bandwidth-sdk` package whose spec the drift tests check (named in their titles). */
export const bandwidthSdkVersion: string = String(JSON.parse(readFileSync(sdkPackageJson, "utf8")).version);

/** How a drift test names what it checked, e.g. `bandwidth-sdk 8.1.4's bandwidth.yml`. */
export const specLabel = `bandwidth-sdk ${bandwidthSdkVersion}'s bandwidth.yml`;

/** Where newer copies of Bandwidth's spec are vendored (each `*.yml`, described in `SOURCE.md` beside them). */
export const vendoredSpecDir: string = join(repoRoot, "test", "fixtures", "spec");

/** One copy of Bandwidth's spec the drift and strict-shape tests run against. */
export interface BandwidthSpec {
  /** How tests name it, e.g. `bandwidth-sdk 8.1.4's bandwidth.yml` or `vendored bandwidth-2026-07-22.yml`. */
  readonly label: string;
  readonly path: string;
  /** The parsed document. */
  readonly doc: JsonSchema;
}

let specs: BandwidthSpec[] | undefined;
/**
 * Every spec the drift tests check: the pinned `bandwidth-sdk`'s copy, then each `*.yml` vendored in
 * test/fixtures/spec/ (by name). A newer spec is one file replaced there (and its SOURCE.md updated).
 *
 * @example
 * for (const { label, doc } of bandwidthSpecs()) test(`... ${label}`, () => check(doc));
 */
export function bandwidthSpecs(): readonly BandwidthSpec[] {
  if (specs !== undefined) return specs;
  const vendored = readdirSync(vendoredSpecDir)
    .filter((name) => name.endsWith(".yml") || name.endsWith(".yaml"))
    .sort()
    .map((name) => ({ label: `vendored ${name}`, path: join(vendoredSpecDir, name) }));
  specs = [{ label: specLabel, path: bandwidthSpecPath }, ...vendored].map((s) => ({ ...s, doc: loadBandwidthSpec(s.path) }));
  return specs;
}

