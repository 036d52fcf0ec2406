// The runtime stays light and edge-safe: nothing the package entry (`bw-codegen`) or an adapter entry
// imports, transitively, reaches bullmq, ioredis or a Node built-in through the queue modules; only
// `bw-codegen/queue` loads them (optional peer dependencies, devDependencies here).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";

const GENERATED = resolve(import.meta.dirname, "..", "generated");
const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, "..", "package.json"), "utf8"));

/** Every bare specifier reachable from `entry` through relative imports of generated JavaScript. */
function bareImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\("([^"]+)"\)/g)) {
      const specifier = match[1] ?? match[2];
      if (specifier.startsWith(".")) visit(join(dirname(file), specifier));
      else bare.add(specifier);
    }
  };
  visit(entry);
  return bare;
}

test("the package entry and the adapter entries never import bullmq or ioredis", () => {
  for (const name of [".", "./node", "./fetch", "./express", "./fastify", "./bxml", "./testing"]) {
    const target = pkg.exports[name].default as string;
    const imports = bareImports(resolve(import.meta.dirname, "..", target));
    assert.ok(!imports.has("bullmq") && !imports.has("ioredis"), `${name} reaches ${[...imports].join(", ")}`);
  }
});

test("bw-codegen/queue does, and both are optional peers and exact devDependencies", () => {
  const imports = bareImports(join(GENERATED, "queue.js"));
  assert.ok(imports.has("bullmq") && imports.has("ioredis"));
  for (const name of ["bullmq", "ioredis"]) {
    assert.equal(pkg.peerDependenciesMeta[name]?.optional, true, name);
    assert.match(pkg.devDependencies[name], /^\d+\.\d+\.\d+$/, name);
    assert.equal(pkg.dependencies?.[name], undefined, name);
  }
});
