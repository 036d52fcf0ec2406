// Emits generated/index.ts: the package entry point, re-exporting every generated module so users
// import everything from "bw-codegen" (types, validators, event tables, runtime helpers).
import type { GeneratedFile } from "../generated-file.js";

export function emitIndex(files: readonly GeneratedFile[]): GeneratedFile {
  const has = (p: string) => files.some((f) => f.path === p);
  const lines: string[] = [];
  lines.push(`export type * from "./types.js";`);
  if (has("handlers.d.ts")) lines.push(`export type * from "./handlers.js";`);
  if (has("events.ts")) lines.push(`export * from "./events.js";`);
  if (has("webhooks.ts")) lines.push(`export * from "./webhooks.js";`);
  // Family validators (the wrappers, not the raw ajv modules).
  for (const f of files.filter((f) => /^validators\/[^/.]+\.ts$/.test(f.path)).sort((a, b) => (a.path < b.path ? -1 : 1))) {
    lines.push(`export * from "./${f.path.replace(/\.ts$/, ".js")}";`);
  }
  // Public runtime modules opt in with a `@public-entry` marker in their header comment.
  for (const f of files.filter((f) => f.path.startsWith("runtime/") && f.path.endsWith(".ts") && f.contents.includes("@public-entry")).sort((a, b) => (a.path < b.path ? -1 : 1))) {
    lines.push(`export * from "./${f.path.replace(/\.ts$/, ".js")}";`);
  }
  lines.push(`export type { ValidationIssue, ValidationResult, ValidateOptions } from "./runtime/validation.js";`);
  return { path: "index.ts", contents: `${lines.join("\n")}\n`, source: "generator/emit/index-module.ts" };
}
