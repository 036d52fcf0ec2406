// Starts the suite's processes (receivers, workers) as children running under tsx, reads their
// line protocol (`listening <port>`, `ready`, `handled <id>`) and stops each one by its own PID.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export interface Child {
  readonly pid: number;
  /** `http://127.0.0.1:<port>` for receivers. */
  url: string;
  /** Handler runs this process printed, by event id. */
  readonly handled: Map<string, number>;
  /** Graceful stop (SIGTERM), then SIGKILL after 5 s. */
  stop(): Promise<void>;
  /** Hard kill (SIGKILL): what a crash looks like to clients. */
  kill(): Promise<void>;
}

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

function start(script: string, config: object, readyLine: RegExp): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", here(script), JSON.stringify(config)], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  const handled = new Map<string, number>();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const force = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(force);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 30_000);
    const result: Child = { pid: child.pid!, url: "", handled, stop: () => end("SIGTERM"), kill: () => end("SIGKILL") };
    child.once("exit", (code) => reject(new Error(`${script} exited early (${code})`)));
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

export const startReceiver = (config: object): Promise<Child> => start("./receiver.ts", config, /^listening (\d+)$/);
export const startWorker = (config: object): Promise<Child> => start("./worker.ts", config, /^ready$/);

/** Adds up handler runs per id over several processes. */
export function handledCounts(children: readonly Child[]): Map<string, number> {
  const total = new Map<string, number>();
  for (const child of children) for (const [id, n] of child.handled) total.set(id, (total.get(id) ?? 0) + n);
  return total;
}
