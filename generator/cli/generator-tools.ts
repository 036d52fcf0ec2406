// The code generator's own tools (typescript, ts-morph, ...) are devDependencies: a runtime install of
// bw-codegen does not have them. `generate` and `check` call `requireGeneratorTools` when they run (after
// `--help` is answered), so a user gets one clear message naming what to install instead of a
// module-not-found stack trace. The CLI prints it after "bw-codegen <command>: ", so it names no command.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../paths.js";

/** Packages `generate` / `check` import (through generator/generate.ts and generator/emit/*). */
export const GENERATOR_TOOLS = ["typescript", "ts-morph", "json-schema-to-typescript", "ajv", "openapi3-ts", "yaml"] as const;

/** The tools that cannot be imported from this installation, in GENERATOR_TOOLS order. */
export function missingGeneratorTools(resolve: (specifier: string) => unknown = (s) => import.meta.resolve(s)): string[] {
  return GENERATOR_TOOLS.filter((name) => {
    try {
      resolve(name);
      return false;
    } catch {
      return true;
    }
  });
}

/** Throws an error naming the missing tools and the exact `npm install` line (versions bw-codegen is built with). */
export function requireGeneratorTools(missing: string[] = missingGeneratorTools()): void {
  if (missing.length === 0) return;
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { devDependencies?: Record<string, string> };
  const specs = missing.map((name) => (pkg.devDependencies?.[name] ? `${name}@${pkg.devDependencies[name]}` : name));
  throw new Error(
    `it needs the code generator's tools, which a runtime install of bw-codegen does not include. ` +
      `Missing: ${missing.join(", ")}. Install them next to bw-codegen:\n  npm install --save-dev ${specs.join(" ")}`,
  );
}
