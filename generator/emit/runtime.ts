// Copies the hand-written runtime (templates/runtime/*.ts) into generated/runtime/; the generator's
// compile step then turns each file into .js + .d.ts.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { GeneratedFile } from "../generated-file.js";

export function emitRuntime(templatesDir: string): GeneratedFile[] {
  const dir = join(templatesDir, "runtime");
  return readdirSync(dir)
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts") && !name.endsWith(".test.ts"))
    .sort()
    .map((name) => ({ path: `runtime/${name}`, contents: readFileSync(join(dir, name), "utf8"), source: `templates/runtime/${name}` }));
}
