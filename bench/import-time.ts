/**
 * What importing the precompiled validators adds to a process start: `node` is spawned N times per
 * variant (variants interleaved, so a noisy moment hits all of them alike) and the medians of the
 * wall-clock times are compared with a bare `node` start. The "what users do today" baseline compiles
 * the same voice schemas with ajv at start-up (bench/fixtures/ajv-startup.mjs). Each child also reports
 * the in-process import time (performance.now() around the dynamic import), which is less noisy.
 */

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { formatMs, median, percent, type Row } from "./harness.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

interface Variant {
  name: string;
  /** Module to import, relative to the repository root; `undefined` = bare start. */
  module?: string;
}

const VARIANTS: Variant[] = [
  { name: "bare node" },
  { name: "generated/validators/voice.js", module: "./generated/validators/voice.js" },
  { name: "generated/index.js", module: "./generated/index.js" },
  { name: "ajv compiling the voice schemas", module: "./bench/fixtures/ajv-startup.mjs" },
];

function script(variant: Variant): string {
  if (variant.module === undefined) return "process.stdout.write('0')";
  return `const t = performance.now(); await import(${JSON.stringify(variant.module)}); process.stdout.write(String(performance.now() - t));`;
}

/** Spawns one child; returns [wall-clock ms, in-process import ms]. */
function spawnOnce(variant: Variant): [number, number] {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script(variant)], { cwd: ROOT, encoding: "utf8" });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(`${variant.name} failed: ${child.stderr}`);
  return [wall, Number(child.stdout)];
}

export async function runImportTimeBench(runs = 21): Promise<Row[]> {
  const wall = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
  const inProcess = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
  for (const variant of VARIANTS) spawnOnce(variant); // warm the file system cache
  for (let i = 0; i < runs; i++) {
    // rotate the order each round so no variant always runs first
    for (let j = 0; j < VARIANTS.length; j++) {
      const variant = VARIANTS[(i + j) % VARIANTS.length];
      const [w, p] = spawnOnce(variant);
      wall.get(variant.name)!.push(w);
      inProcess.get(variant.name)!.push(p);
    }
  }
  const bare = median(wall.get("bare node")!);
  const extra = (name: string): number => median(wall.get(name)!) - bare;
  const imported = (name: string): number => median(inProcess.get(name)!);
  const ajvExtra = extra("ajv compiling the voice schemas");
  const rows: Row[] = [];
  for (const name of ["generated/validators/voice.js", "generated/index.js"]) {
    const ours = extra(name);
    rows.push({
      group: "import",
      benchmark: `start-up cost of importing ${name} (median of ${runs} spawns, over bare node ${formatMs(bare)}; in-process import ${formatMs(imported(name))})`,
      ours: `+${formatMs(ours)}`,
      baseline: `ajv compile at start-up +${formatMs(ajvExtra)} (in-process ${formatMs(imported("ajv compiling the voice schemas"))})`,
      ratio: percent(ours / ajvExtra),
      target: "≤ 15 ms extra",
      met: ours <= 15,
    });
  }
  return rows;
}
