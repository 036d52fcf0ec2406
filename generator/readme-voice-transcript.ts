// `npm run readme-voice-transcript`: regenerates the voice-AI transcript in README.md ("A voice bot, end to
// end") from a real run, never by hand. It writes the echo bot `bw-codegen scaffold --stream` makes into a
// temporary directory (node_modules linked to this checkout, no install), starts its server (`src/server.ts`,
// the callback credentials of the command) on a free port of 127.0.0.1, runs the README's `bw-codegen
// simulate call` command line against it with the real CLI and the caller of examples/echo-bot/caller.json,
// and writes what it printed (the port shown as 3000) into the ```console block that starts with that
// command. test/readme-transcript-is-real.test.ts runs the same and fails when the README differs in
// anything but latencies and the call id.
import { spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.js";

const README = join(REPO_ROOT, "README.md");
/** The caller's side of the README's call (segments with the words said, speed and seed). */
export const CALLER_SCRIPT = join(REPO_ROOT, "examples", "echo-bot", "caller.json");
/** The README's command line, as printed; run in a directory holding caller.json, its port replaced by the real one. */
export const VOICE_COMMAND = "bw-codegen simulate call --url http://127.0.0.1:3000/callbacks/voice --username bw --password s3cret --script caller.json --bot-audio bot.wav --mix call.wav";
const VOICE_BLOCK = /```console\n\$ bw-codegen simulate call [^\n]*--script caller\.json[^\n]*\n[\s\S]*?```/;
const LIMIT_MS = 60_000;

/** Runs a command to its end; resolves to stdout + stderr. */
function runToEnd(args: string[], cwd: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
    delete env.FORCE_COLOR;
    const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let text = "";
    child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), LIMIT_MS);
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

/** Scaffolds and starts the echo bot, runs the README's command against it; resolves to the block's text. */
export async function readmeVoiceTranscript(): Promise<string> {
  // a dynamic import, as in readme-transcript.ts: the packed (compiled) generator has no test/ folder
  const { scaffoldEchoBot } = await import("../test/support/scaffolded-echo-bot.js");
  const work = mkdtempSync(join(tmpdir(), "bw-readme-voice-"));
  const dir = join(work, "echo-bot");
  scaffoldEchoBot(dir);
  copyFileSync(CALLER_SCRIPT, join(work, "caller.json"));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", HOST: "127.0.0.1", BW_CALLBACK_USERNAME: "bw", BW_CALLBACK_PASSWORD: "s3cret", NODE_ENV: "development" };
  delete env.BW_STREAM_URL;
  delete env.BW_STREAM_USERNAME;
  delete env.BW_STREAM_PASSWORD;
  const server = spawn(process.execPath, ["--import", "tsx", "src/server.ts"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      let text = "";
      const timer = setTimeout(() => reject(new Error(`the echo bot did not listen within ${LIMIT_MS / 1000} s:\n${text}`)), LIMIT_MS);
      const onData = (chunk: Buffer): void => {
        text += chunk.toString();
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
        if (match !== null) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      server.stdout.on("data", onData);
      server.stderr.on("data", onData);
      server.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the echo bot exited (${code}) before listening:\n${text}`));
      });
    });
    const args = VOICE_COMMAND.split(" ").slice(1).map((arg) => arg.replace("127.0.0.1:3000", `127.0.0.1:${port}`));
    const output = await runToEnd([join(REPO_ROOT, "bin", "bw-codegen.mjs"), ...args], work);
    return `$ ${VOICE_COMMAND}\n${output.split(`127.0.0.1:${port}`).join("127.0.0.1:3000").trimEnd()}`;
  } finally {
    server.kill("SIGKILL");
    rmSync(work, { recursive: true, force: true });
  }
}

/** The voice-AI transcript block in README.md now (command line included), or undefined. */
export function readmeVoiceBlock(text = readFileSync(README, "utf8")): string | undefined {
  const match = VOICE_BLOCK.exec(text);
  return match === null ? undefined : match[0].slice("```console\n".length, -"```".length).trimEnd();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const transcript = await readmeVoiceTranscript();
  const text = readFileSync(README, "utf8");
  if (readmeVoiceBlock(text) === undefined) throw new Error("README.md has no ```console block starting with $ bw-codegen simulate call … --script caller.json");
  writeFileSync(README, text.replace(VOICE_BLOCK, () => `\`\`\`console\n${transcript}\n\`\`\``));
  process.stdout.write(`readme-voice-transcript: README.md's voice-AI transcript regenerated\n${transcript}\n`);
}
