// Runs one test tier (test/support/tiers.ts): `node --import tsx test/support/run-tier.ts unit|integration
// [node --test options...]`. The files are passed to `node --test` by name; the child is killed if this
// runner is interrupted, and its exit code is ours.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { TEST_DIR, tierFiles } from "./tiers.js";

const [tier, ...options] = process.argv.slice(2);
if (tier !== "unit" && tier !== "integration") {
  console.error("usage: run-tier.ts unit|integration [node --test options]");
  process.exit(2);
}
const files = tierFiles(tier);
const child = spawn(process.execPath, ["--import", "tsx", "--test", "--test-reporter=spec", ...options, ...files], { cwd: join(TEST_DIR, ".."), stdio: "inherit" });
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => {
  if (signal !== null) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  else process.exit(code ?? 1);
});
