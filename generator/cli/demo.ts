// `npm run demo`: the quick start's one command. Scaffolds a demo receiver (node:http) into .tmp/demo
// (kept between runs: your edits there survive), installs it, and starts it in development mode
// (`npm run dev`: tsx, restarts on change) on 127.0.0.1:$PORT (default 3000) with demo credentials that it
// prints, plus, once the server listens, the two requests that show Bandwidth's handshake (with the URL the
// server reports, so PORT=0 works). BW_DEMO_DIR puts the receiver elsewhere (the test uses a temporary folder).
import { spawn, spawnSync } from "node:child_process";
import { join, relative, resolve } from "node:path";
import { REPO_ROOT } from "../paths.js";
import { buildScaffold, writeScaffold } from "./scaffold.js";

const DEMO_USERNAME = "demo";
const DEMO_PASSWORD = "demo-password";

const dir = process.env.BW_DEMO_DIR ? resolve(process.env.BW_DEMO_DIR) : join(REPO_ROOT, ".tmp", "demo");
const shown = relative(process.cwd(), dir) || ".";
const port = process.env.PORT && process.env.PORT !== "" ? process.env.PORT : "3000";
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

const report = writeScaffold(dir, buildScaffold({ dir, framework: "node" }), false);
process.stdout.write(
  `bw-codegen demo: receiver in ${shown} (${report.created.length} files written, ${report.skipped.length} kept from an earlier run)\n`,
);

const install = spawnSync(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
  cwd: dir,
  stdio: "inherit",
  shell: process.platform === "win32",
});
if (install.status !== 0) {
  process.stderr.write(`bw-codegen demo: npm install failed in ${shown}\n`);
  process.exit(install.status ?? 1);
}

/** A whole answer event (every field Bandwidth always sends), so the receiver dispatches it to its handler. */
const ANSWER_EVENT = {
  eventType: "answer",
  eventTime: "2026-05-11T14:02:17.384Z",
  accountId: "5590123",
  applicationId: "3b1f9c2e-7d44-4a8e-9c61-0e2f5a7b8d13",
  from: "+19195550100",
  to: "+19195550199",
  direction: "inbound",
  callId: "c-demo-1",
  callUrl: "https://voice.bandwidth.com/api/v2/accounts/5590123/calls/c-demo-1",
  startTime: "2026-05-11T14:02:15.001Z",
  answerTime: "2026-05-11T14:02:17.380Z",
};

/** The handshake to play, for the URL the server reports it listens on. */
function handshakeText(base: string): string {
  const answer = JSON.stringify(ANSWER_EVENT);
  return [
    "",
    `Demo credentials (local only): BW_CALLBACK_USERNAME=${DEMO_USERNAME} BW_CALLBACK_PASSWORD=${DEMO_PASSWORD}`,
    "Play Bandwidth's handshake from another terminal:",
    `  curl -i -X POST ${base}/callbacks/voice -H 'content-type: application/json' -d '${answer}'`,
    "    -> 401 with WWW-Authenticate: Basic realm=... (Bandwidth's first try carries no credentials)",
    `  curl -i -u ${DEMO_USERNAME}:${DEMO_PASSWORD} -X POST ${base}/callbacks/voice -H 'content-type: application/json' -d '${answer}'`,
    "    -> 200 with the BXML greeting from src/handlers/voice.ts",
    `Edit ${join(shown, "src", "handlers")}/*.ts: the server restarts on save; Ctrl-C stops it.`,
    "",
  ].join("\n");
}

const server = spawn(npm, ["run", "dev", "--silent"], {
  cwd: dir,
  stdio: ["inherit", "pipe", "inherit"],
  shell: process.platform === "win32",
  env: { ...process.env, PORT: port, HOST: "127.0.0.1", BW_CALLBACK_USERNAME: DEMO_USERNAME, BW_CALLBACK_PASSWORD: DEMO_PASSWORD },
});
// the server's output passes through; the handshake is printed once, after its first "listening on" line
let seen = "";
let shownHandshake = false;
server.stdout!.on("data", (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (shownHandshake) return;
  seen += chunk.toString();
  const listening = /listening on (https?:\/\/\S+)/.exec(seen);
  const lineEnd = listening === null ? -1 : seen.indexOf("\n", listening.index);
  if (listening === null || lineEnd < 0) return;
  shownHandshake = true;
  seen = "";
  process.stdout.write(handshakeText(listening[1]));
});
// Ctrl-C reaches the whole terminal process group (the server stops itself); a SIGTERM sent to this
// process alone is passed on. Either way this process exits when the server has.
process.on("SIGINT", () => {});
process.on("SIGTERM", () => server.kill("SIGTERM"));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
