// `npm run readme-transcript`: regenerates the transcript in README.md's "Simulate a call" from a real run,
// never by hand. It serves the README's own handler example (test/types/readme-example.ts, which
// test/readme-examples.test.ts keeps equal to the README's code) on 127.0.0.1, runs the README's
// `bw-codegen simulate call` command line against it with the real CLI, and writes what it printed
// (the port shown as 3000, as in the command) into the ```console block. test/readme-transcript-is-real.test.ts
// runs the same and fails when the README differs in anything but latencies and the random call id.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.js";

const README = join(REPO_ROOT, "README.md");
/** The README's command line, as printed in the block; its URL's port is replaced by the real one. */
export const COMMAND = "bw-codegen simulate call --url http://127.0.0.1:3000/callbacks/voice --username bw --password s3cret --outbound --digits 1";
const BLOCK = /```console\n\$ bw-codegen simulate call [^\n]*\n[\s\S]*?```/;

/** Runs the README's command against the README's server; resolves to the block's text (command line included). */
export async function readmeTranscript(): Promise<string> {
  const previous = process.env.BW_CALLBACK_PASSWORD;
  process.env.BW_CALLBACK_PASSWORD = "s3cret"; // the example reads it, as the README's command passes it
  const { readmeWebhooks } = await import("../test/types/readme-example.js");
  const webhooks = readmeWebhooks();
  if (previous === undefined) delete process.env.BW_CALLBACK_PASSWORD;
  else process.env.BW_CALLBACK_PASSWORD = previous;
  const quiet = console.log;
  console.log = () => {}; // the example's disconnect handler logs; the transcript is the CLI's output only
  const server = createServer(webhooks.node);
  try {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const args = COMMAND.split(" ").slice(1).map((arg) => arg.replace("127.0.0.1:3000", `127.0.0.1:${port}`));
    const output = await new Promise<string>((resolve, reject) => {
      const env = { ...process.env };
      delete env.FORCE_COLOR;
      env.NO_COLOR = "1";
      const child = spawn(process.execPath, [join(REPO_ROOT, "bin", "bw-codegen.mjs"), ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
      let text = "";
      child.stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
      const timer = setTimeout(() => child.kill(), 60_000);
      child.on("error", reject);
      child.on("close", () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    return `$ ${COMMAND}\n${output.split(`127.0.0.1:${port}`).join("127.0.0.1:3000").trimEnd()}`;
  } finally {
    console.log = quiet;
    server.closeAllConnections();
    server.close();
  }
}

/** The transcript block in README.md now (command line included), or undefined. */
export function readmeBlock(text = readFileSync(README, "utf8")): string | undefined {
  const match = BLOCK.exec(text);
  return match === null ? undefined : match[0].slice("```console\n".length, -"```".length).trimEnd();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const transcript = await readmeTranscript();
  const text = readFileSync(README, "utf8");
  if (readmeBlock(text) === undefined) throw new Error("README.md has no ```console block starting with $ bw-codegen simulate call");
  writeFileSync(README, text.replace(BLOCK, () => `\`\`\`console\n${transcript}\n\`\`\``));
  process.stdout.write(`readme-transcript: README.md's simulate call transcript regenerated\n${transcript}\n`);
}
