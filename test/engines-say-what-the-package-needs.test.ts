// `engines` says what the package needs (issue 26): it is ES modules only (every export is `default`,
// no `require` condition), so `require("bw-codegen")` works from Node.js 20.19 and 22.12 (require of ES
// modules unflagged) and not before; the README names the same versions, and a scaffolded project asks
// for the same range as the bw-codegen it depends on.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { buildScaffold } from "../generator/cli/scaffold.js";
import { REPO_ROOT } from "./support/cli.js";

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));

/** The lowest version each major of an `^a.b.c || >=x.y.z` range admits: { 20: [20, 19, 0], 22: [22, 12, 0] }. */
function lowerBounds(range: string): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const part of range.split("||").map((p) => p.trim())) {
    const match = /^(?:\^|>=)(\d+)\.(\d+)\.(\d+)$/.exec(part);
    assert.ok(match, `a range of ^x.y.z / >=x.y.z parts: ${range}`);
    const version = match.slice(1).map(Number);
    out.set(version[0], version);
  }
  return out;
}

test("engines admits no Node.js version whose require() cannot load the package (ES modules only)", () => {
  const conditions = JSON.stringify(pkg.exports);
  assert.ok(!conditions.includes('"require"'), "no CommonJS build: require() needs require(esm)");
  assert.equal(pkg.type, "module");
  const bounds = lowerBounds(pkg.engines.node);
  const atLeast = (v: number[], w: number[]) => v[0] > w[0] || (v[0] === w[0] && (v[1] > w[1] || (v[1] === w[1] && v[2] >= w[2])));
  assert.ok(atLeast(bounds.get(20) ?? [99], [20, 19, 0]), `Node 20 from 20.19: ${pkg.engines.node}`);
  assert.ok(bounds.has(22) || [...bounds.keys()].every((major) => major !== 21), pkg.engines.node);
  if (bounds.has(22)) assert.ok(atLeast(bounds.get(22)!, [22, 12, 0]), `Node 22 from 22.12: ${pkg.engines.node}`);
});

test("the README and a scaffolded project name the same versions", () => {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  assert.doesNotMatch(readme, /Node\.js ≥ 20\b/);
  assert.match(readme, /Node\.js 20\.19\+ or 22\.12\+/);
  const scaffolded = JSON.parse(buildScaffold({ dir: "x", framework: "node" }).get("package.json")!);
  assert.equal(scaffolded.engines.node, pkg.engines.node);
});
