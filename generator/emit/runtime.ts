// Copies the hand-written runtime (templates/runtime/**/*.ts, sub-folders included) into
// generated/runtime/; the generator's compile step then turns each file into .js + .d.ts.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { GeneratedFile } from "../generated-file.js";

function listRuntime(dir: string, rel: string): string[] {
  return readdirSync(join(dir, rel))
    .sort()
    .flatMap((name) => {
      const path = rel === "" ? name : `${rel}/${name}`;
      if (statSync(join(dir, path)).isDirectory()) return listRuntime(dir, path);
      return name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.endsWith(".test.ts") ? [path] : [];
    });
}

export function emitRuntime(templatesDir: string): GeneratedFile[] {
  const dir = join(templatesDir, "runtime");
  return listRuntime(dir, "").map((path) => ({ path: `runtime/${path}`, contents: readFileSync(join(dir, path), "utf8"), source: `templates/runtime/${path}` }));
}
