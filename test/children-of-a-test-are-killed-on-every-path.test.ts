// A server a test starts (test/support/processes.ts, in its own process group) is killed when the test
// process ends on any path: an uncaught error, SIGTERM or SIGINT (a detached group does not get the
// terminal's Ctrl-C), or process.exit without any `after` hook. Each case runs a small test-like script
// in a child process that starts a server, then dies that way; the server's pid must be gone.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { adopt, TEST_LIMIT_MS } from "./support/children.js";
import { settles, until } from "./support/until.js";

const work = mkdtempSync(join(tmpdir(), "bw-children-"));
after(() => rmSync(work, { recursive: true, force: true }));

const processes = new URL("./support/processes.ts", import.meta.url).href;
const SERVER = `require("node:http").createServer(() => {}).listen(0, "127.0.0.1", function () { console.log("listening on http://127.0.0.1:" + this.address().port); });`;
const script = join(work, "dies.mts");
writeFileSync(
  script,
  `import { startServer } from ${JSON.stringify(processes)};
const server = startServer(process.execPath, ["-e", ${JSON.stringify(SERVER)}], process.cwd(), {});
await server.url;
console.log("server " + server.child.pid);
const how = process.argv[2];
process.stdin.once("data", () => { // the test has seen the server running: die now
  if (how === "throw") throw new Error("the test crashed");
  if (how === "exit") process.exit(1);
});
setInterval(() => {}, 1000); // "signal": wait to be killed
`,
);

/** Alive and not a zombie. */
function alive(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(stat, "utf8"));
  } catch {
    return false;
  }
}

for (const how of ["throw", "exit", "SIGTERM", "SIGINT"] as const) {
  test(`the test process ends by ${how}: the server it started is killed`, { timeout: TEST_LIMIT_MS }, async () => {
    const mode = how.startsWith("SIG") ? "signal" : how;
    const child = adopt(spawn(process.execPath, ["--import", "tsx", script, mode], { cwd: join(import.meta.dirname, ".."), stdio: ["pipe", "pipe", "pipe"] }));
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    await until(() => /server \d+/.test(output) || child.exitCode !== null);
    const pid = Number(/server (\d+)/.exec(output)?.[1]);
    assert.ok(pid > 0, `the script started no server:\n${output}`);
    assert.ok(alive(pid), "the server runs while the test does");
    if (how === "SIGTERM" || how === "SIGINT") child.kill(how);
    else child.stdin.write("go\n");
    await settles(exited, "the test-like script");
    await until(() => !alive(pid)).catch(() => undefined);
    const survived = alive(pid);
    if (survived) process.kill(-pid, "SIGKILL"); // do not leak it from here either
    assert.equal(survived, false, `server ${pid} outlived the test process (${how}):\n${output}`);
  });
}
