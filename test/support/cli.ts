// Runs the real `bw-codegen` binary in a child process, as a user would, and captures its output.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT: string = fileURLToPath(new URL("../..", import.meta.url));
export const BIN: string = join(REPO_ROOT, "bin", "bw-codegen.mjs");

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run `bw-codegen ...args` and wait for it. */
export function runCli(args: string[], options: { cwd?: string; input?: string } = {}): CliRun {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: options.cwd ?? REPO_ROOT, input: options.input, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Parse `--json` output: one object per line. */
export function jsonLines(stdout: string): Record<string, any>[] {
  return stdout.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
}
