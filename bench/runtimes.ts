/**
 * Runtimes (issue 27), run by hand: `node --import tsx bench/runtimes.ts [--quick] [--cold]` (`--cold`: the
 * cold start alone). Prints markdown for
 * docs/benchmarks.md:
 * - Worker bundle sizes (esbuild, minified, ESM, gzip -9): the voice-only Worker of examples/worker, the
 *   whole package (every run-time entry), and the floor of a voice receiver (voice validators + Fetch
 *   adapter + BXML).
 * - Cold start in workerd: the time from spawning workerd to the first answered request (polled every
 *   1 ms), for the voice Worker and for an empty Worker, alternated; the median paired difference is what
 *   importing the voice entry and creating the receiver cost (workerd's clocks do not advance while a
 *   module evaluates, so it is measured from outside). Next to it, the same bundle's `import()` in V8 in a
 *   fresh node process, steadier on a loaded machine.
 * - Requests per second of the contract's answer-callback request (authorised, JSON body), bw-codegen's
 *   route against the runtime's own bare handler in the same process (bench/runtimes-server.mjs), with
 *   autocannon over 127.0.0.1, for every runtime of test/support/runtimes.ts: 5 alternated rounds of 2 s
 *   each after a warm-up, medians.
 */

import { gzipSync } from "node:zlib";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { ROOT, RUNTIMES, bundleForWorkerd, ensureRuntime, freePort, runToEnd, runtime, startListening, stopAll, workerdConfig } from "../test/support/runtimes.js";
import type { Runtime, Running } from "../test/support/runtimes.js";

/** autocannon ships no types: the part used here. */
const autocannon = createRequire(import.meta.url)("autocannon") as (options: Record<string, unknown>) => Promise<{ requests: { average: number }; non2xx: number; errors: number }>;
const QUICK = process.argv.includes("--quick");
const DURATION_S = QUICK ? 1 : 2;
const ROUNDS = QUICK ? 1 : 5;
const COLD_RUNS = QUICK ? 3 : 15;
const AUTH = `Basic ${Buffer.from("bw-user:p@ss:word:with:colons").toString("base64")}`;
const ANSWER = readFileSync(join(ROOT, "schemas/voice/answer.schema.json"), "utf8");
const BODY = JSON.stringify(JSON.parse(ANSWER).examples[0]);

mkdirSync(join(ROOT, ".tmp"), { recursive: true });
const work = mkdtempSync(join(ROOT, ".tmp", "bench-runtimes-"));

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function bundleSize(name: string, source: string | undefined, entry?: string): Promise<{ name: string; raw: number; gzip: number }> {
  const file = entry ?? join(work, `${name}.entry.mjs`);
  if (source !== undefined) writeFileSync(file, source);
  const out = join(work, `${name}.bundle.js`);
  await bundleForWorkerd(file, out);
  const bytes = readFileSync(out);
  return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

async function sizes(): Promise<string[]> {
  // the entries are written under .tmp/: bare specifiers resolve through the package's own name (self-reference)
  const rows = [
    await bundleSize("voice-worker", undefined, join(ROOT, "examples/worker/src/index.ts")),
    await bundleSize(
      "whole-package",
      `export * from "bw-codegen"; export * as bxml from "bw-codegen/bxml"; export * as fetch from "bw-codegen/fetch"; export * as testing from "bw-codegen/testing";\n${["emergency", "endpoint", "messaging", "mfa", "numbers", "tfv", "voice", "webrtc"].map((f) => `export * as ${f} from "bw-codegen/validators/${f}";`).join("\n")}\n`,
    ),
    await bundleSize("voice-floor", `export * from "bw-codegen/validators/voice"; export * from "bw-codegen/fetch"; export { parseBxml } from "bw-codegen/bxml";\n`),
  ];
  return ["| bundle (esbuild, minified) | bytes | gzip -9 |", "| --- | --- | --- |", ...rows.map((r) => `| ${r.name} | ${kb(r.raw)} | ${kb(r.gzip)} |`)];
}

/** Milliseconds from spawning workerd on `module` to the first answered request (GET /, which loads the module). */
async function firstAnswer(bin: string, module: string, bindings: Record<string, string>): Promise<number> {
  const port = await freePort();
  const config = join(work, `cold-${port}.capnp`);
  writeFileSync(config, workerdConfig({ modulePath: module, port, compatibilityDate: "2025-09-01", bindings }));
  const started = performance.now();
  const server = await startListening(bin, ["serve", config], `http://127.0.0.1:${port}/`, { timeoutMs: 30_000, pollMs: 1 });
  const elapsed = performance.now() - started;
  server.stop();
  return elapsed;
}

/** Milliseconds node takes to evaluate `module` (an ESM bundle) by `import()`, in a fresh process. */
async function nodeImport(module: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(module)}); console.log(performance.now() - t);`;
  const finished = await runToEnd(process.execPath, ["--input-type=module", "-e", script]);
  return Number(finished.stdout.trim());
}

async function coldStart(): Promise<string[]> {
  const bin = ensureRuntime(runtime("workerd"));
  await bundleForWorkerd(join(ROOT, "examples/worker/src/index.ts"), join(work, "voice.js"));
  writeFileSync(join(work, "empty.js"), "export default { fetch() { return new Response(null, { status: 404 }); } };\n");
  const bindings = { BW_CALLBACK_USERNAME: "bw-user", BW_CALLBACK_PASSWORD: "p@ss:word:with:colons" };
  const voice: number[] = [];
  const empty: number[] = [];
  const differences: number[] = [];
  const evaluation: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    // startListening's first answered probe (GET /, polled every 1 ms) is the request that builds the example's receiver
    voice.push(await firstAnswer(bin, "voice.js", bindings));
    empty.push(await firstAnswer(bin, "empty.js", {}));
    differences.push(voice.at(-1)! - empty.at(-1)!);
    evaluation.push((await nodeImport(join(work, "voice.js"))) - (await nodeImport(join(work, "empty.js"))));
  }
  return [
    `| cold start (median of ${COLD_RUNS}, alternated) | ms |`,
    "| --- | --- |",
    `| workerd: spawn → first answer, empty Worker | ${median(empty).toFixed(1)} |`,
    `| workerd: spawn → first answer, voice Worker (examples/worker) | ${median(voice).toFixed(1)} |`,
    `| workerd: paired difference (import of the voice entry + createBandwidthWebhooks) | ${median(differences).toFixed(1)} |`,
    `| V8 in node ${process.version}: \`import()\` of the same bundle, over the empty one | ${median(evaluation).toFixed(1)} |`,
  ];
}

async function rps(url: string): Promise<number> {
  const result = await autocannon({ url, method: "POST", connections: 10, duration: DURATION_S, headers: { authorization: AUTH, "content-type": "application/json" }, body: BODY });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${url}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result.requests.average;
}

async function serve(rt: Runtime): Promise<Running> {
  const bin = ensureRuntime(rt);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const server = join(ROOT, "bench/runtimes-server.mjs");
  if (rt.kind === "workerd") {
    await bundleForWorkerd(server, join(work, "bench-worker.js"), { external: ["node:*"] });
    const config = join(work, "bench.capnp");
    writeFileSync(config, workerdConfig({ modulePath: "bench-worker.js", port, compatibilityDate: "2025-09-01" }));
    return startListening(bin, ["serve", config], url);
  }
  const args = rt.kind === "deno" ? ["run", "--no-prompt", "--allow-net", server, String(port)] : [server, String(port)];
  return startListening(bin, args, url);
}

async function throughput(): Promise<string[]> {
  const lines = [`| runtime | bw-codegen req/s (median of ${ROUNDS}) | bare handler req/s | ratio: median (range) |`, "| --- | --- | --- | --- |"];
  for (const rt of RUNTIMES) {
    const server = await serve(rt);
    try {
      await rps(`${server.url}lib`); // warm-up (JIT), not counted
      await rps(`${server.url}bare`);
      // alternated rounds, medians: on a shared machine one pair of runs can be off by a factor of 2
      const libs: number[] = [];
      const bares: number[] = [];
      const ratios: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        libs.push(await rps(`${server.url}lib`));
        bares.push(await rps(`${server.url}bare`));
        ratios.push(libs.at(-1)! / bares.at(-1)!);
      }
      const api = rt.kind === "node" ? " (node:http)" : "";
      lines.push(`| ${rt.name} ${rt.version}${api} | ${Math.round(median(libs))} | ${Math.round(median(bares))} | ${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}) |`);
      console.error(lines.at(-1));
    } finally {
      server.stop();
    }
  }
  return lines;
}

try {
  const only = process.argv.includes("--cold") ? ["cold"] : ["sizes", "cold", "rps"];
  const out = [
    ...(only.includes("sizes") ? await sizes() : []),
    "",
    ...(only.includes("cold") ? await coldStart() : []),
    "",
    ...(only.includes("rps") ? await throughput() : []),
  ];
  console.log(out.join("\n"));
} finally {
  stopAll();
  rmSync(work, { recursive: true, force: true });
}
