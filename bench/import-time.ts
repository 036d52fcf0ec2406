/**
 * What importing the precompiled validators adds to a process start: `node` is spawned N times per
 * variant (variants interleaved, so a noisy moment hits all of them alike) and the medians of the
 * wall-clock times are compared with a bare `node` start that imports an empty ES module (so the ESM
 * loader set-up is in the baseline). The headline is the child's CPU time (process.cpuUsage() after the
 * import), which other load on the machine inflates far less than wall-clock time. The "what users do today" baseline compiles
 * the same voice schemas with ajv at start-up (bench/fixtures/ajv-startup.mjs). Each child also reports
 * the in-process import time (performance.now() around the dynamic import), which is less noisy.
 */

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { formatMs, median, percent, type Row } from "./harness.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

interface Variant {
  name: string;
  /** Module to import, relative to the repository root (the bare start imports an empty module). */
  module: string;
}

const VARIANTS: Variant[] = [
  { name: "bare node", module: "./bench/fixtures/empty.mjs" },
  { name: "generated/validators/voice.js", module: "./generated/validators/voice.js" },
  { name: "generated/index.js", module: "./generated/index.js" },
  { name: "generated/webhooks.js", module: "./generated/webhooks.js" },
  { name: "ajv compiling the voice schemas", module: "./bench/fixtures/ajv-startup.mjs" },
];

function script(variant: Variant): string {
  return `const t = performance.now(); await import(${JSON.stringify(variant.module)}); const ms = performance.now() - t; const cpu = process.cpuUsage(); process.stdout.write(ms + " " + (cpu.user + cpu.system) / 1000);`;
}

/** Spawns one child; returns [wall-clock ms, in-process import ms, CPU ms of the whole child]. */
function spawnOnce(variant: Variant): [number, number, number] {
  const start = process.hrtime.bigint();
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script(variant)], { cwd: ROOT, encoding: "utf8" });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.status !== 0) throw new Error(`${variant.name} failed: ${child.stderr}`);
  const [imported, cpu] = child.stdout.split(" ").map(Number);
  return [wall, imported, cpu];
}

export async function runImportTimeBench(runs = 15): Promise<Row[]> {
  const wall = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
  const inProcess = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
  const cpuTime = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
  for (const variant of VARIANTS) spawnOnce(variant); // warm the file system cache
  for (let i = 0; i < runs; i++) {
    // rotate the order each round so no variant always runs first
    for (let j = 0; j < VARIANTS.length; j++) {
      const variant = VARIANTS[(i + j) % VARIANTS.length];
      const [w, p, c] = spawnOnce(variant);
      wall.get(variant.name)!.push(w);
      inProcess.get(variant.name)!.push(p);
      cpuTime.get(variant.name)!.push(c);
    }
  }
  const net = (samples: Map<string, number[]>, name: string): number => median(samples.get(name)!) - median(samples.get("bare node")!);
  const ajv = "ajv compiling the voice schemas";
  const rows: Row[] = [];
  for (const name of ["generated/validators/voice.js", "generated/webhooks.js", "generated/index.js"]) {
    const cpu = net(cpuTime, name);
    rows.push({
      group: "import",
      benchmark: `start-up cost of importing ${name}: extra CPU time of the process (wall clock: +${formatMs(net(wall, name))} over ${formatMs(median(wall.get("bare node")!))}; in-process import +${formatMs(net(inProcess, name))}; medians of ${runs} spawns)`,
      ours: `+${formatMs(cpu)}`,
      baseline: `ajv compiling at start-up +${formatMs(net(cpuTime, ajv))} (wall +${formatMs(net(wall, ajv))})`,
      ratio: percent(cpu / net(cpuTime, ajv)),
      target: "≤ 15 ms extra",
      met: cpu <= 15,
    });
  }
  return rows;
}
