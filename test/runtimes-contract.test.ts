// The runtime contract (test/runtimes/contract.mjs) run for real on every runtime the README lists:
// Node 20/22/24/26 (with `--disallow-code-generation-from-strings`), Deno (with `--allow-net` alone: no
// env, read or write permission), Bun, and workerd
// (an esbuild bundle of the contract served by workerd itself, no `nodejs_compat` flag; the socket cases
// connect back to that workerd over 127.0.0.1). Each runtime
// runs every case in its own process and reports the results; each case is one subtest here, so a
// failure names the runtime and the case. Binaries come from the npm registry (test/support/runtimes.ts).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CASES } from "./runtimes/contract.mjs";
import { PROCESS_LIMIT_MS } from "./support/children.js";
import { ROOT, RUNTIMES, bundleForWorkerd, ensureRuntime, freePort, runToEnd, startListening, stopAll, workerdConfig } from "./support/runtimes.js";
import type { Runtime } from "./support/runtimes.js";

interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
  skipped?: string;
}

const CONTRACT = join(ROOT, "test/runtimes/run.mjs");

/** Runs the contract in `rt` and returns its per-case results (or throws with the process's output). */
async function runOn(rt: Runtime, work: string): Promise<CaseResult[]> {
  const bin = ensureRuntime(rt);
  if (rt.kind === "workerd") {
    const bundle = join(work, "contract-worker.js");
    // `ws` stays out of the bundle: bw-codegen/testing imports it only when a simulated call streams (never here)
    await bundleForWorkerd(join(ROOT, "test/runtimes/worker.mjs"), bundle, { external: ["ws"] });
    const port = await freePort();
    const config = join(work, "contract.capnp");
    writeFileSync(config, workerdConfig({ modulePath: "contract-worker.js", port, compatibilityDate: "2025-09-01", bindings: { PORT: String(port) }, loopback: true }));
    const server = await startListening(bin, ["serve", config], `http://127.0.0.1:${port}/`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/run`, { signal: AbortSignal.timeout(PROCESS_LIMIT_MS) });
      const text = await res.text();
      assert.equal(res.status, 200, `workerd answered ${res.status}: ${text}\n${server.output()}`);
      return JSON.parse(text) as CaseResult[];
    } finally {
      server.stop();
    }
  }
  // Deno: the network only (no env, read or write access); Node: no code generation from strings (as on Workers)
  const args = rt.kind === "deno" ? ["run", "--no-prompt", "--allow-net", CONTRACT] : rt.kind === "node" ? ["--disallow-code-generation-from-strings", CONTRACT] : [CONTRACT];
  const finished = await runToEnd(bin, args);
  const line = /^CONTRACT (.*)$/m.exec(finished.stdout);
  assert.ok(line, `${rt.name} printed no results (exit ${finished.code}${finished.timedOut ? ", timed out" : ""}):\n${finished.stdout}\n${finished.stderr}`);
  return JSON.parse(line[1]) as CaseResult[];
}

mkdirSync(join(ROOT, ".tmp"), { recursive: true });
const work = mkdtempSync(join(ROOT, ".tmp", "contract-"));
after(() => {
  stopAll();
  rmSync(work, { recursive: true, force: true });
});

for (const rt of RUNTIMES) {
  describe(`runtime contract on ${rt.name} (${rt.package ?? "node"}@${rt.version})`, () => {
    let results: CaseResult[] | undefined;
    let failure: unknown;
    before(async () => {
      try {
        results = await runOn(rt, work);
      } catch (error) {
        failure = error;
      }
    });

    it("runs the contract and reports every case", () => {
      if (failure !== undefined) throw failure;
      assert.deepEqual(
        results!.map((r) => r.name),
        CASES.map(([name]) => name),
      );
    });

    for (const [name, run, reason] of CASES) {
      it(name, { skip: run === null ? reason : false }, () => {
        if (failure !== undefined) throw failure;
        const result = results!.find((r) => r.name === name);
        assert.ok(result, "no result for this case");
        assert.ok(result.ok, result.error);
      });
    }
  });
}
