/**
 * Merging the receiver's needs into an existing package.json: sections the user wrote as something other
 * than an object (a string `scripts`, an array `engines`) are kept exactly as they are and reported, never
 * rewritten as index-keyed objects; dependency lookups tolerate such sections; the indent is detected in
 * one pass (a package.json of 400,000 blank lines used to take the old regular expression minutes; the
 * merge runs in a child process killed after 60 s, far above the milliseconds it takes now, so a return
 * to quadratic work fails the test instead of blocking it).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { REPO_ROOT } from "./support/cli.js";
import { indentOf, mergePackageJson } from "../generator/cli/scaffold-package.js";

const WANTED = {
  type: "module",
  scripts: { start: "node dist/server.js", test: "node --test" },
  dependencies: { "bw-codegen": "^0.1.0" },
  devDependencies: { typescript: "^5.6.0" },
  engines: { node: ">=20" },
};

describe("package.json merge", () => {
  it("keeps a string section and an array section as they are, and says so", () => {
    const existing = JSON.stringify({ name: "mine", scripts: "make all", engines: ["node >= 18"], dependencies: { express: "^5.0.0" } }, null, 2);
    const result = mergePackageJson(existing, WANTED);
    const merged = JSON.parse(result.text);
    assert.equal(merged.scripts, "make all");
    assert.deepEqual(merged.engines, ["node >= 18"]);
    assert.deepEqual(merged.dependencies, { express: "^5.0.0", "bw-codegen": "^0.1.0" });
    assert.ok(result.unchanged.some((line) => line.startsWith("scripts: kept as it is (not an object")), result.unchanged.join("\n"));
    assert.ok(result.unchanged.some((line) => line.startsWith("engines: kept as it is (not an object")), result.unchanged.join("\n"));
  });

  it("a dependencies section that is a string is kept, and devDependencies are still merged", () => {
    const result = mergePackageJson('{"name":"mine","dependencies":"bw-codegen"}', WANTED);
    const merged = JSON.parse(result.text);
    assert.equal(merged.dependencies, "bw-codegen");
    assert.deepEqual(merged.devDependencies, { typescript: "^5.6.0" });
  });

  it("detects the indent of the first member (spaces, tabs, CRLF), two spaces otherwise", () => {
    assert.equal(indentOf('{\n    "name": "x"\n}'), "    ");
    assert.equal(indentOf('{\r\n\t"name": "x"\r\n}'), "\t");
    assert.equal(indentOf('{"name":"x"}'), "  ");
    assert.equal(indentOf('{\n"name":"x"}'), "  ");
    assert.equal(indentOf(" {\n    \"name\": 1}"), "  ");
    assert.equal(mergePackageJson('{\n    "name": "mine"\n}', WANTED).text.split("\n")[1], '    "name": "mine",');
  });

  it("merges a package.json of 400,000 blank lines (an empty object) without quadratic work", () => {
    const script = `
      import { mergePackageJson } from "./generator/cli/scaffold-package.ts";
      const result = mergePackageJson("{" + "\\n".repeat(400000) + "}", ${JSON.stringify(WANTED)});
      process.stdout.write(JSON.parse(result.text).type);`;
    const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
    assert.equal(run.signal, null, "killed: the merge did not finish within 60 s");
    assert.equal(run.stdout, "module", run.stderr);
  });
});
