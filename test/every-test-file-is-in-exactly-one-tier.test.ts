// The two test tiers (test/support/tiers.ts) drop no test: every *.test.ts lives in test/ (where both
// `npm test` and the tier runner look), each is in exactly one tier, every INTEGRATION entry names a file
// that exists, and no unit-tier file uses what only the integration tier may (Redis, Chromium, npm, CLI
// runs, tsc). `npm test` runs every test/*.test.ts; `npm run test:unit` / `test:integration` the tiers.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { INTEGRATION, TEST_DIR, UNIT_FORBIDS, allTestFiles, tierFiles } from "./support/tiers.js";

const ROOT = join(TEST_DIR, "..");

/** Every *.test.* file under `dir` (node_modules and dot folders aside), relative to the repository. */
function testFilesBelow(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === "node_modules" || name.startsWith(".")) return [];
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return testFilesBelow(full);
    return /\.test\.[cm]?[jt]s$/.test(name) ? [relative(ROOT, full)] : [];
  });
}

test("every test file is test/<name>.test.ts, where npm test and both tiers look", () => {
  const elsewhere = ["test", "generator", "templates", "bench", "bin", "examples"].flatMap((top) => testFilesBelow(join(ROOT, top))).filter((path) => !/^test\/[^/]+\.test\.ts$/.test(path));
  assert.deepEqual(elsewhere, [], "test files no runner finds: move them to test/ (and list slow ones in INTEGRATION)");
});

test("each test file is in exactly one tier, and the tiers together are the whole suite", () => {
  const unit = tierFiles("unit");
  const integration = tierFiles("integration");
  assert.deepEqual(unit.filter((file) => integration.includes(file)), []);
  assert.deepEqual([...unit, ...integration].sort(), allTestFiles().map((name) => join("test", name)));
  assert.ok(unit.includes("test/every-test-file-is-in-exactly-one-tier.test.ts"), "this check runs in the fast tier");
});

test("every INTEGRATION entry names an existing test file and says why it is there", () => {
  const files = allTestFiles();
  for (const [name, why] of Object.entries(INTEGRATION)) {
    assert.ok(files.includes(name), `test/support/tiers.ts lists ${name}, which does not exist`);
    assert.ok(why.trim().length > 0, name);
  }
});

test("no unit-tier file uses Redis, Chromium, npm, the CLI binary or tsc", () => {
  const misplaced: string[] = [];
  for (const file of tierFiles("unit")) {
    const source = readFileSync(join(ROOT, file), "utf8");
    for (const { what, pattern } of UNIT_FORBIDS) if (pattern.test(source)) misplaced.push(`${file}: ${what} (${pattern}): list it in INTEGRATION (test/support/tiers.ts)`);
  }
  assert.deepEqual(misplaced, []);
});

test("npm test runs every test/*.test.ts; test:unit and test:integration run the tiers", () => {
  const scripts = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts as Record<string, string>;
  assert.match(scripts.test, /--test\b.* test\/\*\.test\.ts$/);
  assert.match(scripts["test:unit"], /test\/support\/run-tier\.ts unit$/);
  assert.match(scripts["test:integration"], /test\/support\/run-tier\.ts integration$/);
});
