// Compiles the generator and the CLI (every generator/**/*.ts) to JavaScript next to the sources, so an
// installed bw-codegen runs its commands with plain Node: no tsx, no TypeScript at run time. Runs at
// `npm pack` / `npm publish` (prepack); `--clean` (postpack) removes the output again, so a checkout
// keeps running the TypeScript sources. Output is a pure per-file transpilation (no type information).
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "./paths.js";

const GENERATOR = join(REPO_ROOT, "generator");

/** Every `.ts` file under generator/ (sorted), except this build script. */
function sources(dir: string = GENERATOR): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sources(full));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts") && full !== join(GENERATOR, "build-cli.ts")) out.push(full);
  }
  return out;
}

/** Writes `<file>.js` for every source; returns the files written (relative to the package root). */
export function buildCli(): string[] {
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, isolatedModules: true, sourceMap: false };
  return sources().map((file) => {
    const result = ts.transpileModule(readFileSync(file, "utf8"), { compilerOptions: options, fileName: file, reportDiagnostics: true });
    const errors = (result.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (errors.length) throw new Error(`${relative(REPO_ROOT, file)}: ${ts.flattenDiagnosticMessageText(errors[0].messageText, "\n")}`);
    const target = file.replace(/\.ts$/, ".js");
    writeFileSync(target, result.outputText);
    return relative(REPO_ROOT, target);
  });
}

/** Removes the `.js` files `buildCli` writes (only those that have a `.ts` source next to them). */
export function cleanCli(): string[] {
  return sources().flatMap((file) => {
    const target = file.replace(/\.ts$/, ".js");
    try {
      statSync(target);
    } catch {
      return [];
    }
    rmSync(target);
    return [relative(REPO_ROOT, target)];
  });
}

if (process.argv[1]?.endsWith("build-cli.ts")) {
  const clean = process.argv.includes("--clean");
  const files = clean ? cleanCli() : buildCli();
  process.stdout.write(`bw-codegen build-cli: ${clean ? "removed" : "compiled"} ${files.length} files\n`);
}
