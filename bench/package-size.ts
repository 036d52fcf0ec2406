/**
 * What a runtime user installs and starts (issue 12.1): `npm pack` of a copy of this checkout (the
 * checkout itself is left alone), then `npm install --omit=dev <tarball>` into an empty project from the
 * npm cache. Reports the tarball size, the unpacked package, the whole node_modules of that project, and
 * the cold start of the installed package: `import("bw-codegen")` and `bw-codegen --help` (medians of N
 * spawns, against a bare `node` start), next to the 84 MB the same install pulled while the generator's
 * tools were runtime dependencies.
 */

import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatMs, median, type Row } from "./harness.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** node_modules of the same runtime install before the split (tarball of main, measured for issue 12). */
const BEFORE_SPLIT_MB = 84;

function sh(command: string, args: string[], cwd: string): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  return result.stdout;
}

/** Bytes of every file under `dir`, and how many files. */
function treeSize(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const stat = statSync(full);
    if (stat.isDirectory()) {
      const sub = treeSize(full);
      bytes += sub.bytes;
      files += sub.files;
    } else {
      bytes += stat.size;
      files += 1;
    }
  }
  return { bytes, files };
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(2)} MB`;

/** Medians over `runs` spawns of `node <args>` in `cwd`: wall-clock ms, and the child's CPU ms (user + system, `process.cpuUsage()` at exit). */
function spawnMedian(args: string[], cwd: string, runs: number): { wall: number; cpu: number } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const start = process.hrtime.bigint();
    const child = spawnSync(process.execPath, ["--import", join(cwd, "report-cpu.mjs"), ...args], { cwd, encoding: "utf8" });
    if (child.status !== 0) throw new Error(`node ${args.join(" ")}: ${child.stderr}`);
    if (i === 0) continue; // the first run warms the file cache
    wall.push(Number(process.hrtime.bigint() - start) / 1e6);
    cpu.push(Number(/CPU_MS (\S+)/.exec(child.stderr)?.[1]));
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const signed = (ms: number): string => `${ms < 0 ? "−" : "+"}${formatMs(Math.abs(ms))}`;

function startRow(benchmark: string, measured: { wall: number; cpu: number }, bare: { wall: number; cpu: number }): Row {
  return {
    group: "package",
    benchmark,
    ours: `${signed(measured.cpu - bare.cpu)} CPU (wall clock ${signed(measured.wall - bare.wall)})`,
    baseline: `bare node ${formatMs(bare.cpu)} CPU, ${formatMs(bare.wall)} wall`,
    ratio: "",
    target: "",
    met: undefined,
  };
}

export async function runPackageSizeBench(runs = 11): Promise<Row[]> {
  const work = mkdtempSync(join(tmpdir(), "bw-bench-pack-"));
  try {
    const copy = join(work, "source");
    mkdirSync(copy);
    for (const name of readdirSync(ROOT)) if (name !== "node_modules" && name !== ".git") cpSync(join(ROOT, name), join(copy, name), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
    sh("npm", ["pack", "--pack-destination", work], copy);
    const tarball = join(work, readdirSync(work).find((name) => name.endsWith(".tgz"))!);
    const project = join(work, "user");
    mkdirSync(project);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "user", private: true }));
    sh("npm", ["install", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", tarball], project);
    const packed = statSync(tarball).size;
    const unpacked = treeSize(join(project, "node_modules", "bw-codegen"));
    const installed = treeSize(join(project, "node_modules"));
    const packages = readdirSync(join(project, "node_modules")).filter((name) => !name.startsWith(".")).length;
    writeFileSync(join(project, "empty.mjs"), "");
    // prints the process's CPU time when it exits (loaded with --import before the measured script)
    writeFileSync(join(project, "report-cpu.mjs"), 'process.on("exit", () => { const u = process.cpuUsage(); process.stderr.write("CPU_MS " + (u.user + u.system) / 1000 + "\\n"); });\n');
    const bare = spawnMedian(["empty.mjs"], project, runs);
    const imported = spawnMedian(["--input-type=module", "-e", 'await import("bw-codegen")'], project, runs);
    const cli = spawnMedian([join(project, "node_modules", "bw-codegen", "bin", "bw-codegen.mjs"), "--help"], project, runs);
    const cliThroughTsx = spawnMedian([join(ROOT, "bin", "bw-codegen.mjs"), "--help"], project, runs);
    return [
      { group: "package", benchmark: "packed tarball (`npm pack`)", ours: `${mb(packed)}, ${unpacked.files} files (${mb(unpacked.bytes)} unpacked)`, baseline: "", ratio: "", target: "", met: undefined },
      {
        group: "package",
        benchmark: "runtime install: node_modules of an empty project after `npm install --omit=dev <tarball>`",
        ours: `${mb(installed.bytes)} (${packages} package${packages === 1 ? "" : "s"})`,
        baseline: `${BEFORE_SPLIT_MB} MB before the generator's tools became devDependencies`,
        ratio: `${((installed.bytes / 1e6 / BEFORE_SPLIT_MB) * 100).toFixed(1)}%`,
        target: "no typescript, ts-morph, json-schema-to-typescript, tsx, esbuild",
        met: undefined,
      },
      startRow(`cold start of the installed package: \`node -e 'await import("bw-codegen")'\` (medians of ${runs} spawns)`, imported, bare),
      {
        group: "package",
        benchmark: `cold start of the installed CLI: \`bw-codegen --help\` (compiled JavaScript), vs the same command from a checkout (TypeScript through tsx, as every install ran it before); medians of ${runs} spawns`,
        ours: `${formatMs(cli.cpu)} CPU, ${formatMs(cli.wall)} wall`,
        baseline: `through tsx ${formatMs(cliThroughTsx.cpu)} CPU, ${formatMs(cliThroughTsx.wall)} wall`,
        ratio: `${(cliThroughTsx.cpu / cli.cpu).toFixed(1)}× less CPU`,
        target: "",
        met: undefined,
      },
    ];
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
