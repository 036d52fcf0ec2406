// `bw-codegen drift --spec <bandwidth.yml|json>`: compares a copy of Bandwidth's OpenAPI spec (a newer one a
// user downloads) with the project's schemas and prints the findings of generator/spec-drift/report.ts, per
// family and event, then a table of renames; or `--json` (one finding a line, then a summary line).
// Loaded only for `--spec`: it needs ajv (and yaml for a YAML spec), devDependencies that an installed
// bw-codegen may lack; a missing one is a usage error (exit 2) naming the `npm install` line.
import { existsSync, readFileSync } from "node:fs";
import { loadBandwidthSpec } from "../spec-drift/compare.js";
import { type SpecFinding, specDrift } from "../spec-drift/report.js";
import { UsageError } from "./args.js";
import { missingGeneratorTools, requireGeneratorTools } from "./generator-tools.js";
import { painter } from "./colour.js";

/** Print rows as aligned columns (the last column unpadded), the first row bold. */
function table(rows: string[][], bold: (text: string) => string): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const [n, row] of rows.entries()) {
    const line = row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ");
    process.stdout.write(`${n === 0 ? bold(line) : line}\n`);
  }
}

const isRename = (f: SpecFinding): boolean => f.rename !== undefined;

/** A parse or tool failure is not drift: a usage error (exit 2) with the message. */
function load(file: string): Record<string, any> {
  if (!existsSync(file)) throw new UsageError(`no such file: ${file}`);
  // every tool this file needs, named at once (ajv always, yaml for a YAML spec): not one install per try
  const yaml = !file.endsWith(".json") && !/^\uFEFF?\s*\{/.test(readFileSync(file, "utf8"));
  try {
    requireGeneratorTools(missingGeneratorTools().filter((tool) => tool === "ajv" || (yaml && tool === "yaml")));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let doc: Record<string, any>;
  try {
    doc = loadBandwidthSpec(file);
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
  if (typeof doc?.components?.schemas !== "object") throw new UsageError(`${file}: not an OpenAPI document with components/schemas (is it Bandwidth's bandwidth.yml?)`);
  return doc;
}

/**
 * Run the comparison and print it; resolves to the exit status (0 no drift, 1 drift).
 *
 * @example
 * await runSpecDrift("bandwidth.yml", { json: false }) // prints the tables, 1 when there is drift
 */
export async function runSpecDrift(file: string, options: { json: boolean }): Promise<number> {
  const doc = load(file);
  let report: ReturnType<typeof specDrift>;
  try {
    report = specDrift(doc);
  } catch (error) {
    if (/needs the code generator's tools/.test((error as Error).message)) throw new UsageError((error as Error).message);
    throw error;
  }
  const { findings, compared, drift } = report;
  const known = findings.filter((f) => f.known && !isRename(f));
  if (options.json) {
    for (const f of findings) process.stdout.write(`${JSON.stringify(f)}\n`);
    const summary = { summary: true, spec: file, compared, findings: findings.filter((f) => !f.known).length, known: known.length, renames: findings.filter(isRename).length, drift };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return drift ? 1 : 0;
  }
  const paint = painter(process.stdout);
  const shown = findings.filter((f) => !f.known && !isRename(f));
  if (shown.length > 0) {
    table([["family", "event", "kind", "path", "detail"], ...shown.map((f) => [f.family, f.event, f.kind, f.path || "-", f.values?.length ? f.values.join(", ") : f.detail])], paint.bold);
  }
  const renames = findings.filter(isRename);
  if (renames.length > 0) {
    if (shown.length > 0) process.stdout.write("\n");
    process.stdout.write(`${paint.bold("Renames")} (ours → the spec's name)\n`);
    table(
      [["family", "event", "kind", "ours", "spec", "status"], ...renames.map((f) => [f.family, f.event, f.kind, f.rename!.from, f.rename!.to, f.known ? "handled (family renames)" : "not handled: add it to the family's renames"])],
      paint.bold,
    );
  }
  const verdict = drift ? paint.red(`${findings.filter((f) => !f.known).length} difference(s)`) : paint.green("no drift");
  const explained = known.length > 0 ? ` (${known.length} known difference(s) explained in generator/spec-drift/allowlist.json not shown)` : "";
  process.stdout.write(`${compared} spec events compared with our schemas: ${verdict}${explained}\n`);
  return drift ? 1 : 0;
}
