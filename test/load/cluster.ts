// Starts the suite's processes (receivers, workers) as children running under tsx, reads their
// line protocol (`listening <port>`, `ready`, `handled <id>`) and stops each one by its own PID. Every
// child is registered in the caller's list the moment it is spawned and killed if it fails to start,
// so a failure on any path (a start that times out, a sibling that fails) leaves no process behind.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface Child {
  readonly pid: number;
  /** `http://127.0.0.1:<port>` for receivers. */
  url: string;
  /** Handler runs this process printed, by event id. */
  readonly handled: Map<string, number>;
  /** How the process ended (`undefined` while it runs), e.g. `code 134` after running out of heap. */
  readonly exit: () => string | undefined;
  /** Graceful stop (SIGTERM), then SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** Hard kill (SIGKILL): what a crash looks like to clients. */
  kill(): Promise<void>;
}

/** How to start a child: where to register it, extra node flags (e.g. `--max-old-space-size=256`), how long it may take. */
export interface StartOptions {
  /** The caller's list of children to stop: the child is added as soon as it is spawned. */
  readonly children?: Child[];
  readonly nodeArgs?: readonly string[];
  /** Default 30 000 ms. */
  readonly readyTimeoutMs?: number;
}

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

function start(script: string, config: object, readyLine: RegExp, options: StartOptions): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", "tsx", here(script), JSON.stringify(config)], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  const handled = new Map<string, number>();
  let ended: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      ended = signal === null ? `code ${code}` : `signal ${signal}`;
      resolve();
    }),
  );
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const force = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(force);
  };
  const result: Child = { pid: child.pid!, url: "", handled, exit: () => ended, stop: () => end("SIGTERM"), kill: () => end("SIGKILL") };
  options.children?.push(result);
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      void end("SIGKILL").then(() => reject(error));
    };
    const timer = setTimeout(() => fail(new Error(`${script} did not start`)), options.readyTimeoutMs ?? 30_000);
    child.once("exit", (code) => fail(new Error(`${script} exited early (${code})`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.startsWith("handled ")) {
        const id = line.slice(8);
        handled.set(id, (handled.get(id) ?? 0) + 1);
        return;
      }
      const match = readyLine.exec(line);
      if (match !== null) {
        clearTimeout(timer);
        if (match[1] !== undefined) result.url = `http://127.0.0.1:${match[1]}`;
        resolve(result);
      }
    });
  });
}

export const startReceiver = (config: object, options: StartOptions = {}): Promise<Child> => start("./receiver.ts", config, /^listening (\d+)$/, options);
export const startWorker = (config: object, options: StartOptions = {}): Promise<Child> => start("./worker.ts", config, /^ready$/, options);

/** Adds up handler runs per id over several processes. */
export function handledCounts(children: readonly Child[]): Map<string, number> {
  const total = new Map<string, number>();
  for (const child of children) for (const [id, n] of child.handled) total.set(id, (total.get(id) ?? 0) + n);
  return total;
}
