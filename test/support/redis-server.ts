// Starts a real redis-server (the Debian package; .ci/run installs it) for one test file, on a free
// 127.0.0.1 port, in a temporary directory, and stops it by PID. `stop()` / `start()` again keep the port,
// so fault tests can take Redis away mid-run and bring it back. With `persist: true` it writes an
// append-only file (fsync every second, flushed on a graceful stop) so a restart keeps its data, as a
// production Redis behind a queue must; otherwise nothing is saved. The process is registered with
// test/support/children.ts, so it is killed even when the test file dies before calling `dispose()`.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROCESS_LIMIT_MS, adopt, killChild } from "./children.js";

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  /** The same server's Unix socket (ioredis takes the path as its connection string). */
  readonly socketPath: string;
  readonly pid: number | undefined;
  /** Starts it again after `stop()` (same port, same data directory). */
  start(): Promise<void>;
  /** Stops it (SIGTERM, then SIGKILL after 5 s) and waits for the process to exit. */
  stop(): Promise<void>;
  /** Stops it and removes its directory. */
  dispose(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

function waitForPort(port: number, deadline: number, exited: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      if (exited()) {
        reject(new Error(`redis-server exited before listening on ${port} (is redis-server installed? .ci/run installs it)`));
        return;
      }
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.write("PING\r\n");
        socket.once("data", () => {
          socket.destroy();
          resolve();
        });
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`redis-server did not listen on ${port}`));
        else setTimeout(attempt, 25);
      });
    };
    attempt();
  });
}

/** Starts a private redis-server. */
export async function startRedisServer(options: { persist?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "bw-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--daemonize", "no", "--protected-mode", "yes", "--unixsocket", join(dir, "redis.sock"), "--unixsocketperm", "700"];
  args.push(...(options.persist ? ["--appendonly", "yes", "--appendfsync", "everysec"] : ["--appendonly", "no"]));
  let child: ChildProcess | undefined;

  async function start(): Promise<void> {
    if (child !== undefined) return;
    const started = adopt(spawn("redis-server", args, { stdio: "ignore" }));
    child = started;
    let gone = false;
    const ended = (): void => {
      gone = true;
      if (child === started) child = undefined;
    };
    started.once("error", ended);
    started.once("exit", ended);
    try {
      await waitForPort(port, Date.now() + PROCESS_LIMIT_MS, () => gone);
    } catch (error) {
      killChild(started);
      throw error;
    }
  }

  async function stop(): Promise<void> {
    const running = child;
    if (running === undefined || running.exitCode !== null) {
      child = undefined;
      return;
    }
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    running.kill("SIGTERM");
    const force = setTimeout(() => running.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(force);
    child = undefined;
  }

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    socketPath: join(dir, "redis.sock"),
    get pid() {
      return child?.pid;
    },
    start,
    stop,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
