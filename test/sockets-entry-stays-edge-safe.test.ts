// `bw-codegen/sockets` is edge-safe (it reaches no Node built-in and not `ws`), `ws` stays an optional peer
// that only `bw-codegen/sockets/node` loads, and neither the root entry nor `bw-codegen/node` reaches it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";

const ROOT = resolve(import.meta.dirname, "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

/** Every bare specifier reachable from an entry through relative imports of generated JavaScript. */
function bareImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    // static imports, dynamic import(), and createRequire(…)("x") (how sockets/node loads ws, so require() of it works)
    for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\("([^"]+)"\)|createRequire\([^)]*\)\("([^"]+)"\)/g)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      if (specifier.startsWith(".")) visit(join(dirname(file), specifier));
      else bare.add(specifier);
    }
  };
  visit(entry);
  return bare;
}

const entry = (name: string): string => join(ROOT, pkg.exports[name].default);

test("bw-codegen/sockets imports no Node built-in and not ws", () => {
  const imports = bareImports(entry("./sockets"));
  assert.deepEqual([...imports], []);
});

test("the root entry and bw-codegen/node never reach ws", () => {
  for (const name of [".", "./node", "./fetch", "./audio"]) assert.ok(!bareImports(entry(name)).has("ws"), name);
});

test("bw-codegen/sockets/node does, and ws is an optional peer and an exact devDependency", () => {
  assert.ok(bareImports(entry("./sockets/node")).has("ws"));
  assert.equal(pkg.peerDependenciesMeta.ws?.optional, true);
  assert.match(pkg.devDependencies.ws, /^\d+\.\d+\.\d+$/);
  assert.equal(pkg.dependencies?.ws, undefined);
});
