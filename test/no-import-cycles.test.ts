/**
 * No import cycles in the generator or the runtime: modules that import each other cannot be read,
 * tested or moved one at a time. Every relative import and re-export counts, type-only ones too (a
 * type cycle is the same knot, only erased at run time). A known cycle may be listed below with the
 * reason it is still there; a new one fails.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "../generator/paths.js";

/** Cycles still to break, as sorted file lists, each with why it stays for now. */
const KNOWN: Record<string, string> = {};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return full.endsWith(".ts") && !full.endsWith(".d.ts") ? [full] : [];
  });
}

/** Relative imports (`import`, `import type`, `export … from`) of each file, resolved to files. */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+"(\.{1,2}\/[^"]+)"/gm)]
      .map((m) => resolve(dirname(file), m[1].replace(/\.js$/, ".ts")))
      .filter((target) => known.has(target));
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one file (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    order.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!order.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, order.get(w)!));
    }
    if (low.get(v) === order.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component);
    }
  };
  for (const v of graph.keys()) if (!order.has(v)) visit(v);
  return found;
}

test("the cycle finder finds a cycle (a → b → a) and none in a chain", () => {
  assert.deepEqual(cycles(new Map([["a", ["b"]], ["b", ["a"]], ["c", ["a"]]])).map((c) => c.sort()), [["a", "b"]]);
  assert.deepEqual(cycles(new Map([["a", ["b"]], ["b", ["c"]], ["c", []]])), []);
});

test("no import cycles in generator/ and templates/runtime/ beyond the listed ones", () => {
  const files = [...sources(join(REPO_ROOT, "generator")), ...sources(join(REPO_ROOT, "templates", "runtime"))];
  const found = cycles(importGraph(files)).map((c) =>
    c
      .map((f) => relative(REPO_ROOT, f).split("\\").join("/"))
      .sort()
      .join(" "),
  );
  const unexpected = found.filter((c) => KNOWN[c] === undefined);
  assert.deepEqual(unexpected, [], `new import cycles:\n${unexpected.join("\n")}`);
});
