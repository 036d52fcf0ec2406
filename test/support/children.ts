// Child processes of tests: the generous limits that only stop a real hang (a loaded 2-core machine runs
// a 30 s command in 60 s and more, so no limit here is a timing assertion), and a registry that kills
// every child a test started on every path: the test file ending normally, an uncaught error, a test
// timeout, Ctrl-C or SIGTERM (children started detached, in their own process group, do not get the
// terminal's signal, so their whole group is killed).
import { type ChildProcess, spawn } from "node:child_process";

/** A child process (CLI run, npm, tsc, a server starting) that takes longer than this is hung: killed. */
export const PROCESS_LIMIT_MS = 10 * 60_000;

/** node:test `timeout` for a test that runs child processes or a load run: stops only a hang. */
export const TEST_LIMIT_MS = 20 * 60_000;

/** Live children: true when started detached (its process group is killed). */
const live = new Map<ChildProcess, boolean>();
let hooked = false;

/** Kills a child (its process group when `group`) with SIGKILL; nothing when it is already gone. */
export function killChild(child: ChildProcess, group = live.get(child) ?? false): void {
  if (child.pid === undefined) return;
  try {
    if (group) process.kill(-child.pid, "SIGKILL");
    else if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  } catch {
    // already gone
  }
}

/** Kills every child still registered (the exit and signal hooks call this too). */
export function killAllChildren(): void {
  for (const [child, group] of live) killChild(child, group);
  live.clear();
}

function installHooks(): void {
  if (hooked) return;
  hooked = true;
  process.once("exit", killAllChildren);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      killAllChildren();
      process.kill(process.pid, signal); // our listener is gone: the default action (exit) follows
    });
  }
}

/**
 * Registers a child so it is killed when this test process ends, whatever the path; `group: true` for a
 * child spawned with `detached: true` (kills its process group: npm, a shell and what they started).
 * A detached group stays registered after its leader exits (a grandchild may outlive it).
 */
export function adopt<T extends ChildProcess>(child: T, options: { group?: boolean } = {}): T {
  installHooks();
  const group = options.group === true;
  live.set(child, group);
  if (!group) child.once("exit", () => live.delete(child));
  return child;
}

/**
 * Kills `child` when it runs past `limitMs` (a hang); returns a function that cancels the limit (call it
 * once the child has exited). The message it reports says the process was killed as hung.
 */
export function limitChild(child: ChildProcess, onKilled: (message: string) => void, limitMs = PROCESS_LIMIT_MS): () => void {
  const timer = setTimeout(() => {
    killChild(child);
    onKilled(`killed after ${limitMs / 1000} s: the process hung`);
  }, limitMs);
  timer.unref();
  return () => clearTimeout(timer);
}

/**
 * Runs `node` (this process's binary) with `args` to its end, adopted and within {@link PROCESS_LIMIT_MS};
 * resolves to its exit code and its stdout and stderr together (a kill for a hang says so in `output`).
 *
 * @example
 * const { code, output } = await runNodeToEnd(["--input-type=module", "-e", script]);
 */
export function runNodeToEnd(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; output: string }> {
  const child = adopt(spawn(process.execPath, [...args], { stdio: ["ignore", "pipe", "pipe"], env }));
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    const cancel = limitChild(child, (message) => (output += message));
    child.on("exit", (code) => {
      cancel();
      resolve({ code, output });
    });
  });
}
