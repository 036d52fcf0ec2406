/**
 * `bw-codegen scaffold` writes only inside the target folder: when a path it would write goes through a
 * symbolic link there (a linked `src/` folder, a dangling link where a file goes, a linked file that
 * `--force` would overwrite, a linked package.json it would merge), it refuses with exit 1, names the
 * link, and writes nothing at all; the files the links point to are untouched. Runs the real CLI.
 */
import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, REPO_ROOT } from "./support/cli.js";

function scaffold(dir: string, ...extra: string[]) {
  return spawnSync(process.execPath, [BIN, "scaffold", dir, ...extra], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000 });
}

describe("scaffold never writes through a symbolic link", () => {
  let root: string;
  let target: string;
  let outside: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "bw-scaffold-links-"));
    target = join(root, "receiver");
    outside = join(root, "outside");
    mkdirSync(target);
    mkdirSync(outside);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("a linked src/ folder: refused, nothing written inside or outside", () => {
    symlinkSync(outside, join(target, "src"));
    const run = scaffold(target);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /src in .* is a symbolic link: scaffold does not write through links/);
    assert.deepEqual(readdirSync(outside), []);
    assert.deepEqual(readdirSync(target), ["src"]);
  });

  it("a dangling link where a file goes: refused, the link's target is not created", () => {
    symlinkSync(join(outside, "planted.ts"), join(target, "tsconfig.json"));
    const run = scaffold(target);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /tsconfig\.json in .* is a symbolic link/);
    assert.equal(existsSync(join(outside, "planted.ts")), false);
  });

  it("--force with a linked file: refused, the file it points to keeps its contents", () => {
    const victim = join(outside, "important.txt");
    writeFileSync(victim, "keep me");
    symlinkSync(victim, join(target, "tsconfig.json"));
    const run = scaffold(target, "--force");
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.equal(readFileSync(victim, "utf8"), "keep me");
  });

  it("a linked package.json: refused, not merged through the link", () => {
    const manifest = join(outside, "package.json");
    writeFileSync(manifest, '{"name":"elsewhere"}\n');
    symlinkSync(manifest, join(target, "package.json"));
    const run = scaffold(target);
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.equal(readFileSync(manifest, "utf8"), '{"name":"elsewhere"}\n');
  });

  it("a folder without links is still scaffolded", () => {
    const run = scaffold(target);
    assert.equal(run.status, 0, run.stdout + run.stderr);
    assert.ok(existsSync(join(target, "src")));
  });
});
