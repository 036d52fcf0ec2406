// Compiles emitted TypeScript into JavaScript + declarations, one file at a time
// (ts.transpileModule / ts.transpileDeclaration): deterministic, fast, and needing no type program.
// Files must follow `isolatedDeclarations` rules (explicit types on exports), which the runtime's
// tsconfig enforces.
import ts from "typescript";
import type { GeneratedFile } from "./generated-file.js";

const jsOptions: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  verbatimModuleSyntax: true,
  removeComments: false,
  newLine: ts.NewLineKind.LineFeed,
};
const declarationOptions: ts.CompilerOptions = { ...jsOptions, declaration: true, isolatedDeclarations: true };

/** Replace every `.ts` (not `.d.ts`) file by its `.js` and `.d.ts`; other files pass through. */
export function compileTypeScript(files: readonly GeneratedFile[]): GeneratedFile[] {
  const out: GeneratedFile[] = [];
  for (const file of files) {
    if (!file.path.endsWith(".ts") || file.path.endsWith(".d.ts")) {
      out.push(file);
      continue;
    }
    const js = ts.transpileModule(file.contents, { compilerOptions: jsOptions, fileName: file.path, reportDiagnostics: true });
    const dts = ts.transpileDeclaration(file.contents, { compilerOptions: declarationOptions, fileName: file.path, reportDiagnostics: true });
    const problems = [...(js.diagnostics ?? []), ...(dts.diagnostics ?? [])].filter((d) => d.category === ts.DiagnosticCategory.Error);
    if (problems.length) {
      const text = problems.map((d) => `${file.path}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`).join("\n");
      throw new Error(`cannot compile generated TypeScript:\n${text}`);
    }
    const base = file.path.replace(/\.ts$/, "");
    out.push({ path: `${base}.js`, contents: js.outputText, source: file.source });
    out.push({ path: `${base}.d.ts`, contents: dts.outputText, source: file.source });
  }
  return out;
}
