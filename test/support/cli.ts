// Runs the real `bw-codegen` binary in a child process, as a user would, and captures its output. A run
// is killed (SIGKILL) only when it hangs: after PROCESS_LIMIT_MS, far beyond what a loaded machine needs.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { adopt, limitChild, PROCESS_LIMIT_MS } from "./children.js";

export const REPO_ROOT: string = fileURLToPath(new URL("../..", import.meta.url));
export const BIN: string = join(REPO_ROOT, "bin", "bw-codegen.mjs");

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The environment without the colour switches, so output is the same whatever the caller's terminal set. */
function plainEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  return env;
}

/** Run `bw-codegen ...args` and wait for it (`env` is added to an environment without FORCE_COLOR / NO_COLOR). */
export function runCli(args: string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const env = { ...plainEnv(), ...options.env };
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: options.cwd ?? REPO_ROOT, input: options.input, env, encoding: "utf8", timeout: PROCESS_LIMIT_MS, killSignal: "SIGKILL" });
  const hung = result.error ? `\nbw-codegen ${args.join(" ")}: ${result.error.message}${(result.error as NodeJS.ErrnoException).code === "ETIMEDOUT" ? ` (killed after ${PROCESS_LIMIT_MS / 1000} s: hung)` : ""}` : "";
  return { status: result.status, stdout: result.stdout, stderr: result.stderr + hung };
}

/**
 * Run `bw-codegen ...args` without blocking the test process (for runs against servers this process
 * serves): the child is registered with the children helper (killed on every path) and killed as hung
 * after PROCESS_LIMIT_MS.
 */
export function runCliAsync(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {}): Promise<CliRun> {
  return collect(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], options.cwd ?? REPO_ROOT, { ...plainEnv(), ...options.env }, `\nbw-codegen ${args.join(" ")}: `);
}

/**
 * Run any `command ...args` as {@link runCliAsync} runs the CLI, in an environment without the colour
 * switches and without NODE_TEST_CONTEXT (a `node --test` child reports as a top-level run, not to this
 * test's runner).
 *
 * @example
 * const run = await runAsync(process.execPath, ["--test", file], { cwd: project });
 */
export function runAsync(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const env = { ...process.env, ...options.env };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  delete env.NODE_TEST_CONTEXT;
  return collect(command, args, options.cwd ?? REPO_ROOT, env, "");
}

/** Spawns, adopted by the children helper and limited, collecting its output (a hang's message after `label`). */
function collect(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, label: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = adopt(spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] }));
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    const cancel = limitChild(child, (message) => (stderr += label + message));
    child.on("error", (error) => {
      cancel();
      reject(error);
    });
    child.on("close", (status) => {
      cancel();
      resolve({ status, stdout, stderr });
    });
  });
}

/** Parse `--json` output: one object per line. */
export function jsonLines(stdout: string): Record<string, any>[] {
  return stdout.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line));
}
