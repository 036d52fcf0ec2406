// The two test tiers. Every test file is test/*.test.ts (nowhere else) and is in exactly one tier:
// - integration: the files listed in INTEGRATION below, each with what makes it slow or heavy (a real
//   redis-server, headless Chromium, npm pack / install, tsc over a generated project, runs of the CLI
//   binary, load runs, waits on the server's own deadlines);
// - unit: every other file: in-process, no Redis, no Chromium, no npm, no CLI runs; about a minute.
// `npm test` (CI) runs both; `npm run test:unit` the unit tier, `npm run test:integration` the other.
// test/every-test-file-is-in-exactly-one-tier.test.ts (unit tier) fails on a stale entry, on a test file
// outside test/, and on a unit-tier file that uses something only the integration tier may (UNIT_FORBIDS).
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const TEST_DIR: string = fileURLToPath(new URL("..", import.meta.url));

/** Integration-tier files (names in test/), with why each is there. */
export const INTEGRATION: Readonly<Record<string, string>> = {
  "a-new-family-is-one-definition-file.test.ts": "runs the whole generator twice (a fixture family and the project's own)",
  "bxml-bidirectional-stream-keeps-the-call-up.test.ts": "runs the CLI binary (validate warns about a stream the call ends under)",
  "bxml-cli.test.ts": "runs the CLI binary",
  "children-of-a-test-are-killed-on-every-path.test.ts": "starts test-like child processes that start servers",
  "cli-conventions.test.ts": "runs the CLI binary ~40 times",
  "cli-keeps-its-documented-promises.test.ts": "runs the CLI binary (with a resolve hook hiding the generator's tools)",
  "cli-validate-voice.test.ts": "runs the CLI binary",
  "demo-answers-with-its-greeting.test.ts": "runs `npm run demo`: npm install, a dev server, curl",
  "docs-page-in-chromium.test.ts": "headless Chromium; runs the CLI binary",
  "docs-page-runs-no-script-from-the-spec.test.ts": "headless Chromium; runs the CLI binary",
  "drift-cli-counts-kinds-in-words.test.ts": "runs the CLI binary (drift over a capture)",
  "drift-spec-cli.test.ts": "runs the CLI binary (drift --spec over changed copies of the spec)",
  "flight-recorder-cli.test.ts": "runs the CLI binary (replay, fixtures, drift) and node --test over generated fixtures",
  "cli-prints-no-control-characters-from-a-capture.test.ts": "runs the CLI binary (replay and drift over a hostile capture)",
  "replay-cli-gives-up-on-a-hanging-receiver.test.ts": "runs the CLI binary (replay against a receiver that never answers)",
  "fixtures-cli-checks-the-app-module.test.ts": "runs the CLI binary (fixtures --app) and node --test over generated fixtures under tsx",
  "generated-is-fresh-and-deterministic.test.ts": "runs `bw-codegen generate` / `check` (the whole generator)",
  "load-soak-fuzz-fault-smoke.test.ts": "load runs against receiver processes; redis-server",
  "messaging-cli-validate.test.ts": "runs the CLI binary",
  "openapi-passes-redocly-lint.test.ts": "runs redocly lint",
  "packed-install.test.ts": "npm pack, npm install, tsc, receiver processes",
  "published-like-payloads.test.ts": "runs the CLI binary over every fixture",
  "published-like-xml.test.ts": "runs the CLI binary over every fixture",
  "queue-bullmq-handoff.test.ts": "redis-server",
  "queue-dedupe-stores.test.ts": "redis-server",
  "queue-exactly-once.test.ts": "redis-server, receiver and worker processes",
  "queue-forwarder-poison-stall-and-memory.test.ts": "redis-server (stopped with SIGSTOP), worker processes under a 256 MB heap",
  "queue-intake-stream-forwarding.test.ts": "redis-server",
  "queue-warns-when-redis-keeps-no-append-only-file.test.ts": "two redis-servers",
  "queue-worker-keeps-marking-a-handled-job-through-a-store-outage.test.ts": "redis-server",
  "queue-memory-dedupe-store-takes-a-real-receivers-traffic.test.ts": "810 000 deliveries through the memory dedupe store (25 h of traffic, injected clock): seconds of CPU",
  "queue-receiver-dedupe-and-handoff.test.ts": "redis-server",
  "queue-spool-keeps-voice-and-numbers-through-a-redis-outage.test.ts": "redis-server stopped and started, a receiver process killed mid-drain",
  "readme-transcript-is-real.test.ts": "runs the CLI binary (the README's simulate call command)",
  "receiver-answers-read-under-a-limit.test.ts": "runs the CLI binary against an endless answer",
  "renamed-events-keep-working.test.ts": "runs the CLI binary (the validate warning)",
  "replay-says-what-went-wrong-for-every-delivery.test.ts": "runs the CLI binary (replay against a receiver, then against none)",
  "runtimes-contract.test.ts": "runs the contract on workerd, Deno, Bun and Node 20/22/24/26 processes (installed from npm on first use)",
  "runtimes-examples.test.ts": "serves the Worker, Deno and Bun examples from workerd, deno and bun processes",
  "replay-into-a-capturing-receiver-says-so.test.ts": "runs the CLI binary (replay against receivers capturing into the replayed folder)",
  "replay-update-replaces-the-capture-atomically.test.ts": "runs the CLI binary (replay --update with a write failure injected)",
  "scaffold-capture-records-the-running-receiver.test.ts": "runs the CLI binary; tsc over four scaffolded projects; scaffolded server processes",
  "scaffold-cli.test.ts": "runs the CLI binary; tsc over scaffolded projects",
  "scaffold-frameworks.test.ts": "npm install, tsc, npm start per framework",
  "scaffold-never-writes-through-symlinks.test.ts": "runs the CLI binary",
  "scaffold-queue-bullmq.test.ts": "tsc over a scaffolded project",
  "scaffold-queue-spools-voice-while-redis-is-down.test.ts": "redis-server; a scaffolded server process",
  "scaffold-queue-bullmq-npm-test-never-hangs-without-redis.test.ts": "a scaffolded project's own npm test, three times; redis-server",
  "scaffold-stream-echo-bot.test.ts": "runs the CLI binary; tsc over four scaffolded projects; a scaffolded server process and its own node --test",
  "scaffold-says-what-the-options-need.test.ts": "runs the CLI binary",
  "simulate-call-drives-the-scaffolded-echo-bot.test.ts": "a scaffolded bot's server process; runs the CLI binary (simulate call with caller audio)",
  "simulate-cli.test.ts": "runs the CLI binary",
  "simulate-cli-scripts-the-far-ends.test.ts": "runs the CLI binary (simulate call --script with far-end outcomes)",
  "simulate-cli-voice-api-and-verdicts.test.ts": "runs the CLI binary (simulate call --voice-api, simulate event verdicts)",
  "simulate-event-sends-the-simulators-user-agent.test.ts": "runs the CLI binary (simulate event) against a receiver",
  "simulator-sends-callbacks-only-to-allowed-origins.test.ts": "runs the CLI binary against two servers",
  "spec-shapes-validate-strict.test.ts": "runs the CLI binary",
  "unauthenticated-sockets-are-bounded.test.ts": "waits out the server's 5 s discard deadline on every adapter (~20 s)",
};

/** What a unit-tier file may not use (each hit means: list the file in INTEGRATION). */
export const UNIT_FORBIDS: readonly { what: string; pattern: RegExp }[] = [
  { what: "a redis-server", pattern: /support\/redis-server|from "\.\/load\// },
  { what: "headless Chromium", pattern: /support\/chromium|playwright/ },
  { what: "npm, or long-running child processes", pattern: /support\/processes|"npm"/ },
  { what: "runs of the CLI binary", pattern: /\brunCli\b|\bBIN\b/ },
  { what: "tsc or another tool's binary", pattern: /node_modules", "typescript"|node_modules", "\.bin"|\.bin\// },
];

/** Every test file, sorted (names in test/). */
export function allTestFiles(): string[] {
  return readdirSync(TEST_DIR)
    .filter((name) => name.endsWith(".test.ts"))
    .sort();
}

/** The files of one tier, as paths relative to the repository root. */
export function tierFiles(tier: "unit" | "integration"): string[] {
  return allTestFiles()
    .filter((name) => (tier === "integration") === (INTEGRATION[name] !== undefined))
    .map((name) => join("test", name));
}
