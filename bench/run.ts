/**
 * `npm run bench`: runs every benchmark in one process (HTTP servers in child processes), prints one
 * markdown table (benchmark, ours, baseline, ratio, target, met?) and, when every group ran, writes it
 * into docs/benchmarks.md with the date, Node version and CPU.
 *
 *   npm run bench                         # everything (about 3 minutes)
 *   npm run bench -- --only http          # a subset: import, package, validators, sockets, socket-load, messaging, numbers, xml, bxml, handler, http
 *   npm run bench -- --only http --groups node,fastify --quick
 *   npm run bench -- --write              # write docs/benchmarks.md even for a subset
 *   npm run bench -- --no-write           # never write it
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { cpus, loadavg, availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import type { Row } from "./harness.js";

const ALL = ["import", "package", "validators", "sockets", "socket-load", "messaging", "numbers", "xml", "bxml", "handler", "http"] as const;
type Group = (typeof ALL)[number];

interface Args {
  only: Group[];
  write: boolean | undefined;
  quick: boolean;
  httpGroups: string[] | undefined;
  pin: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { only: [...ALL], write: undefined, quick: false, httpGroups: undefined, pin: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg.startsWith("--only")) {
      const names = value().split(",");
      for (const name of names) if (!(ALL as readonly string[]).includes(name)) throw new Error(`unknown benchmark ${name}; known: ${ALL.join(", ")}`);
      args.only = names as Group[];
    } else if (arg.startsWith("--groups")) args.httpGroups = value().split(",");
    else if (arg === "--quick") args.quick = true;
    else if (arg === "--pin") args.pin = true;
    else if (arg === "--write") args.write = true;
    else if (arg === "--no-write") args.write = false;
    else throw new Error(`unknown option ${arg}`);
  }
  return args;
}

const BXML_SCRIPT = fileURLToPath(new URL("./bxml.ts", import.meta.url));

/** The BXML helper's benchmark: an exported `runBxmlBench()` if there is one, else its output as a child process. */
async function runBxml(): Promise<{ rows: Row[]; text?: string }> {
  if (!existsSync(BXML_SCRIPT)) return { rows: [], text: "(bench/bxml.ts does not exist yet)" };
  const module = (await import("./bxml.js")) as { runBxmlBench?: () => Promise<Row[]> };
  if (typeof module.runBxmlBench === "function") return { rows: await module.runBxmlBench() };
  const child = spawnSync(process.execPath, ["--import", "tsx", BXML_SCRIPT], { encoding: "utf8" });
  return { rows: [], text: (child.stdout + (child.status === 0 ? "" : `\n(exit ${child.status}) ${child.stderr}`)).trim() };
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|");
}

/** The results as a markdown table. */
export function markdownTable(rows: readonly Row[]): string {
  const lines = ["| benchmark | ours | baseline | ratio | target | met? |", "| --- | --- | --- | --- | --- | --- |"];
  for (const row of rows) {
    const met = row.met === undefined ? "" : row.met ? "yes" : "**no**";
    lines.push(`| ${cell(row.benchmark)} | ${cell(row.ours)} | ${cell(row.baseline)} | ${row.ratio} | ${row.target} | ${met} |`);
  }
  return lines.join("\n");
}

function machine(load: number[]): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const busy = load[0] > availableParallelism() ? " (other work was running: expect noisier numbers, mostly in the HTTP and import rows)" : "";
  return `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC · Node ${process.version} · ${cpu} · ${availableParallelism()} cores · load average at start ${load.map((x) => x.toFixed(2)).join(" / ")}${busy}`;
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: over the limit of 40 when the limit was set (issue 21); split it when it is next changed
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const load = loadavg();
  const rows: Row[] = [];
  const notes: string[] = [];
  const log = (message: string): void => void process.stderr.write(`${message}\n`);
  for (const group of args.only) {
    const started = Date.now();
    log(`bench: ${group} …`);
    if (group === "import") rows.push(...(await (await import("./import-time.js")).runImportTimeBench(args.quick ? 7 : 15)));
    else if (group === "package") rows.push(...(await (await import("./package-size.js")).runPackageSizeBench(args.quick ? 5 : 11)));
    else if (group === "validators") rows.push(...(await (await import("./validators.js")).runValidatorsBench()));
    else if (group === "sockets") rows.push(...(await (await import("./socket-messages.js")).runSocketMessagesBench()));
    else if (group === "socket-load") rows.push(...(await (await import("./socket-load.js")).runSocketLoadBench()));
    else if (group === "messaging") rows.push(...(await (await import("./messaging.js")).runMessagingBench()));
    else if (group === "numbers") rows.push(...(await (await import("./numbers.js")).runNumbersBench()));
    else if (group === "xml") rows.push(...(await (await import("./xml-scaling.js")).runXmlScalingBench()));
    else if (group === "handler") rows.push(...(await (await import("./handler.js")).runHandlerBench()));
    else if (group === "bxml") {
      const result = await runBxml();
      rows.push(...result.rows);
      if (result.text) notes.push(`BXML benchmark output:\n\n\`\`\`\n${result.text}\n\`\`\``);
    } else if (group === "http") {
      const { runHttpBench } = await import("./http.js");
      rows.push(...(await runHttpBench({ groups: args.httpGroups, pin: args.pin, ...(args.quick ? { warmup: 1, duration: 2, rounds: 1 } : {}) })));
    }
    log(`bench: ${group} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const table = markdownTable(rows);
  const where = machine(load);
  process.stdout.write(`${table}\n\n${where}\n${notes.length ? `\n${notes.join("\n\n")}\n` : ""}`);
  const complete = ALL.every((group) => args.only.includes(group)) && args.httpGroups === undefined && !args.quick;
  if (args.write ?? complete) {
    const { renderBenchmarksDoc } = await import("./doc.js");
    mkdirSync(new URL("../docs/", import.meta.url), { recursive: true });
    const doc = new URL("../docs/benchmarks.md", import.meta.url);
    // Figures measured by hand (the queue, soak, fuzz and fault suite) live between markers and are kept.
    const kept = existsSync(doc) ? /<!-- by-hand:start -->[\s\S]*<!-- by-hand:end -->\n/.exec(readFileSync(doc, "utf8"))?.[0] : undefined;
    writeFileSync(doc, renderBenchmarksDoc(table, where, notes) + (kept === undefined ? "" : `\n${kept}`));
    log("bench: wrote docs/benchmarks.md");
  }
}

await main();
