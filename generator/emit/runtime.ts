// Copies the hand-written runtime (templates/runtime/**/*.ts) into generated/runtime/ with the same
// folder layout (http/, xml/, bxml/, auth/, testing/, ...); the generator's compile step then turns
// each file into .js + .d.ts.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { GeneratedFile } from "../generated-file.js";

/** Relative paths ("http/core.ts") of every runtime source under `dir`, sorted. */
function listSources(dir: string, prefix = ""): string[] {
  return readdirSync(join(dir, prefix))
    .sort()
    .flatMap((name) => {
      const rel = prefix ? `${prefix}/${name}` : name;
      if (statSync(join(dir, rel)).isDirectory()) return listSources(dir, rel);
      return name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.endsWith(".test.ts") ? [rel] : [];
    });
}

export function emitRuntime(templatesDir: string): GeneratedFile[] {
  const dir = join(templatesDir, "runtime");
  return listSources(dir)
    .sort()
    .map((rel) => ({ path: `runtime/${rel}`, contents: readFileSync(join(dir, rel), "utf8"), source: `templates/runtime/${rel}` }));
}
