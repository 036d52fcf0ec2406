// Child processes for end-to-end tests: an environment without npm's per-script variables, a bounded
// synchronous run (killed as hung only after PROCESS_LIMIT_MS), and long-running servers started in
// their own process group, whose "listening on" URL is awaited and which are always stopped (SIGKILL to
// the group) when the test file ends, on every path (test/support/children.ts).
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { PROCESS_LIMIT_MS, adopt, killChild } from "./children.js";

/** Our environment minus npm's per-script variables (they would steer a nested npm), node:test's and the receiver's settings. */
export function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(npm_|NODE_TEST_)/i.test(key)) env[key] = value;
  for (const key of ["NODE_OPTIONS", "NODE_ENV", "PORT", "HOST", "BW_CALLBACK_USERNAME", "BW_CALLBACK_PASSWORD", "BW_ALLOW_UNAUTHENTICATED"]) delete env[key];
  return { ...env, ...extra };
}

/** Runs a command to completion (killed with SIGKILL as hung after `timeoutMs`); stdout and stderr together. */
export function run(command: string, args: string[], cwd: string, timeoutMs = PROCESS_LIMIT_MS): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, env: childEnv(), encoding: "utf8", timeout: timeoutMs, killSignal: "SIGKILL" });
  const hung = result.error && (result.error as NodeJS.ErrnoException).code === "ETIMEDOUT" ? `\nkilled after ${timeoutMs / 1000} s: ${command} hung` : "";
  return { status: result.status, output: `${result.stdout}\n${result.stderr}${result.error ? `\n${result.error.message}` : ""}${hung}` };
}

export interface Started {
  child: ChildProcess;
  /** Everything printed so far (stdout + stderr). */
  output(): string;
  /** The base URL from the "listening on" line; rejects with the output if the process exits first. */
  url: Promise<string>;
  /** Exit code (null when killed by a signal). */
  exit: Promise<number | null>;
}

const started = new Set<ChildProcess>();

/** Starts a server process in its own process group and waits (up to PROCESS_LIMIT_MS) for its "listening on" line. */
export function startServer(command: string, args: string[], cwd: string, env: Record<string, string>): Started {
  const child = adopt(spawn(command, args, { cwd, env: childEnv(env), detached: true, stdio: ["ignore", "pipe", "pipe"] }), { group: true });
  started.add(child);
  let text = "";
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  exit.then(() => started.delete(child));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      killChild(child, true);
      reject(new Error(`no "listening on" line within ${PROCESS_LIMIT_MS / 1000} s (killed as hung):\n${text}`));
    }, PROCESS_LIMIT_MS);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${command} ${args.join(" ")} exited (${code}) before listening:\n${text}`));
    });
  });
  url.catch(() => {});
  return { child, output: () => text, url, exit };
}

/** Kills a server's process group (SIGKILL; whatever the server started goes with it). */
export function stopGroup(server: Started): void {
  killChild(server.child, true);
}

/** Kills the process groups of every server started here (call from `after`; the exit hooks do it too). */
export function killAll(): void {
  for (const child of started) killChild(child, true);
  started.clear();
}

/** True when nothing listens on 127.0.0.1:`port` any more (we can bind it ourselves). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}
