/**
 * `bw-codegen scaffold` as a command (no npm install here; test/scaffold-frameworks.test.ts runs the
 * projects): help and usage errors (exit 2), the files it writes, one typed stub per catalog event,
 * `--events` filtering, never overwriting a file without `--force`, and the dependency on this checkout.
 */

import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { voiceEvents, messagingEvents, numbersEvents } from "../generated/index.js";
import { UsageError } from "../generator/cli/args.js";
import { buildScaffold, bwCodegenDependency, FRAMEWORKS, scaffoldCommand } from "../generator/cli/scaffold.js";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin", "bw-codegen.mjs");
const work = mkdtempSync(join(tmpdir(), "bw-scaffold-cli-"));
after(() => rmSync(work, { recursive: true, force: true }));

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [BIN, "scaffold", ...args], { cwd: work, encoding: "utf8" });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const EXPECTED_FILES = [
  ".env.example",
  ".gitignore",
  "README.md",
  "package.json",
  "src/app.ts",
  "src/config.ts",
  "src/handlers/messaging.ts",
  "src/handlers/numbers.ts",
  "src/handlers/voice.ts",
  "src/server.ts",
  "src/simulate.ts",
  "src/url.ts",
  "src/webhooks.ts",
  "test/simulate.test.ts",
  "test/webhooks.test.ts",
  "tsconfig.json",
];

/** Method names declared in a handler module (`  answer(event, context) {`). */
function stubMethods(source: string): string[] {
  return [...source.matchAll(/^ {2}(\w+)\(event, context\) \{$/gm)].map((m) => m[1]).sort();
}

describe("bw-codegen scaffold: usage", () => {
  it("--help prints the usage and exits 0", () => {
    const run = cli("--help");
    assert.equal(run.status, 0);
    assert.match(run.stdout, /^Usage: bw-codegen scaffold <dir> \[--framework node\|express\|fastify\|hono\]/);
    assert.match(run.stdout, /--force/);
  });

  it("a usage error exits 2, says what is wrong on one line, hints at --help and writes nothing", () => {
    const run = cli("a", "--framework", "koa");
    assert.equal(run.status, 2, run.stderr);
    assert.equal(run.stderr, `bw-codegen scaffold: unknown framework "koa" (choose node, express, fastify, hono)\nRun 'bw-codegen scaffold --help' for usage.\n`);
    assert.equal(existsSync(join(work, "a")), false);
  });

  const usageErrors: { args: string[]; message: RegExp }[] = [
    { args: [], message: /missing the target folder/ },
    { args: ["a", "b"], message: /unexpected argument \S+\/b$/ },
    { args: ["a", "--framework"], message: /--framework needs a value/ },
    { args: ["a", "--frobnicate"], message: /unknown option --frobnicate/ },
    { args: ["a", "--events", "answer,hangupNow"], message: /^unknown event "hangupNow" in --events; known events are voice: answer, [^\n]*; messaging: [^\n]*; numbers: [^\n]*portins/ },
    { args: ["a", "--events", "answr"], message: /^unknown event "answr" \(did you mean answer\?\) in --events$/ },
    { args: ["a", "--framework", "expres"], message: /^unknown framework "expres" \(did you mean express\?\)$/ },
    { args: ["a", "--events", ","], message: /--events needs at least one event name/ },
  ];
  for (const row of usageErrors) {
    it(`usage error (exit 2) for: scaffold ${row.args.join(" ") || "(nothing)"}`, async () => {
      const args = row.args.map((arg) => (arg === "a" || arg === "b" ? join(work, arg) : arg));
      await assert.rejects(scaffoldCommand.run(args), (error: unknown) => {
        assert.ok(error instanceof UsageError, String(error));
        assert.match(error.message, row.message);
        return true;
      });
      assert.equal(existsSync(join(work, "a")), false, "nothing written on a usage error");
    });
  }

  it("exit 1 when the target exists as a file", () => {
    writeFileSync(join(work, "plain-file"), "x");
    const run = cli("plain-file");
    assert.equal(run.status, 1);
    assert.match(run.stderr, /exists and is not a folder/);
  });
});

describe("bw-codegen scaffold: what it writes", () => {
  it("writes the project files, reports each as created, and tells what to run next", () => {
    const run = cli("fresh", "--framework", "fastify");
    assert.equal(run.status, 0, run.stderr);
    for (const file of EXPECTED_FILES) {
      assert.ok(existsSync(join(work, "fresh", file)), `${file} written`);
      assert.match(run.stdout, new RegExp(`created +${file.replace(/\./g, "\\.")}\\n`));
    }
    assert.match(run.stdout, /npm install\n {2}cp \.env\.example \.env.*\n {2}npm start/);
    const pkg = JSON.parse(readFileSync(join(work, "fresh", "package.json"), "utf8"));
    assert.equal(pkg.name, "fresh");
    assert.equal(pkg.type, "module");
    assert.equal(pkg.scripts.start, "tsx src/server.ts");
    assert.equal(pkg.scripts.typecheck, "tsc --noEmit");
    assert.equal(pkg.scripts.simulate, "tsx src/simulate.ts");
    assert.equal(pkg.dependencies["bw-codegen"], `file:${ROOT}`);
    assert.ok(pkg.dependencies.tsx && pkg.dependencies.fastify, "tsx and fastify are runtime dependencies");
    assert.ok(pkg.devDependencies.typescript);
  });

  it("one typed stub per event of the catalog, for every family, typed by the generated interfaces", () => {
    const files = buildScaffold({ dir: join(work, "x"), framework: "node" });
    const methods = (table: Record<string, { method: string }>) => [...new Set(Object.values(table).map((e) => e.method))].sort();
    const voice = files.get("src/handlers/voice.ts")!;
    assert.deepEqual(stubMethods(voice), methods(voiceEvents));
    assert.match(voice, /import type \{ VoiceHandlers \} from "bw-codegen";/);
    assert.match(voice, /export const voiceHandlers: VoiceHandlers = \{/);
    assert.deepEqual(stubMethods(files.get("src/handlers/messaging.ts")!), methods(messagingEvents));
    assert.deepEqual(stubMethods(files.get("src/handlers/numbers.ts")!), methods(numbersEvents));
    // answer and initiate greet with BXML built by the builder; other BXML events return an empty <Response>
    assert.match(voice, /answer\(event, context\) \{\n.*\n {4}return Response\(SpeakSentence\("Hello!/);
    assert.match(voice, /initiate\(event, context\) \{\n.*\n {4}return Response\(SpeakSentence\(/);
    assert.match(voice, /gather\(event, context\) \{\n.*\n.*\n {4}return Response\(\);/);
    assert.match(voice, /disconnect\(event, context\) \{\n {4}console\.log\(`\[voice\] \$\{context\.eventType\} callId=\$\{event\.callId\}`\);\n {4}return undefined;/);
  });

  it("logs ids only, never secrets or message text", () => {
    const files = buildScaffold({ dir: join(work, "x"), framework: "node" });
    for (const family of ["voice", "messaging", "numbers"]) {
      const source = files.get(`src/handlers/${family}.ts`)!;
      const logged = [...source.matchAll(/console\.log\(`[^`]*`\)/g)].flatMap((m) => [...m[0].matchAll(/\$\{([^}]*)\}/g)].map((x) => x[1]));
      assert.ok(logged.length > 0);
      for (const expression of logged) {
        assert.match(expression, /^(context\.eventType|event\??\.(callId|conferenceId|OrderId|PON|message\??\.id|[A-Za-z]+Id))$/, `${family}: ${expression}`);
      }
    }
  });

  it("--events limits the stubs (event names or method names); a family left out gets an empty handler object", () => {
    const run = cli("some", "--events", "answer,disconnect,messageReceived");
    assert.equal(run.status, 0, run.stderr);
    const read = (f: string) => readFileSync(join(work, "some", "src", "handlers", f), "utf8");
    assert.deepEqual(stubMethods(read("voice.ts")), ["answer", "disconnect"]);
    assert.deepEqual(stubMethods(read("messaging.ts")), ["messageReceived"]);
    assert.match(read("numbers.ts"), /export const numbersHandlers: NumbersHandlers = \{\};/);
    // the server still serves every family: an event without a stub is logged and acknowledged
    assert.match(readFileSync(join(work, "some", "src", "webhooks.ts"), "utf8"), /numbers: numbersHandlers,/);
  });

  it("--events without BXML events does not import the builder", () => {
    const files = buildScaffold({ dir: join(work, "x"), framework: "node", events: ["disconnect"] });
    assert.doesNotMatch(files.get("src/handlers/voice.ts")!, /bw-codegen\/bxml/);
    assert.equal(files.has("test/simulate.test.ts"), false, "no initiate handler: no simulated call");
    assert.equal(files.has("src/simulate.ts"), false);
  });

  it("every framework has its own app.ts; the rest is shared", () => {
    const apps = FRAMEWORKS.map((framework) => buildScaffold({ dir: join(work, "x"), framework }).get("src/app.ts")!);
    assert.equal(new Set(apps).size, FRAMEWORKS.length);
    assert.match(apps[0], /createServer\(webhooks\.node\)/);
    assert.match(apps[1], /app\.use\(webhooks\.express\)/);
    assert.match(apps[2], /app\.register\(webhooks\.fastify\)/);
    assert.match(apps[3], /webhooks\.fetch\(c\.req\.raw\)/);
  });

  it("no placeholder is left in any file", () => {
    for (const framework of FRAMEWORKS) {
      for (const [path, contents] of buildScaffold({ dir: join(work, "x"), framework })) {
        assert.doesNotMatch(contents, /\{\{[A-Z_]+\}\}/, `${framework}: ${path}`);
      }
    }
  });
});

describe("bw-codegen scaffold: never overwrites without --force", () => {
  it("keeps an existing file and reports it as skipped; --force overwrites it", () => {
    assert.equal(cli("mine").status, 0);
    const voice = join(work, "mine", "src", "handlers", "voice.ts");
    writeFileSync(voice, "// my own code\n");
    rmSync(join(work, "mine", "README.md"));

    const again = cli("mine", "--framework", "express");
    assert.equal(again.status, 0, again.stderr);
    assert.equal(readFileSync(voice, "utf8"), "// my own code\n");
    assert.match(again.stdout, /skipped +src\/handlers\/voice\.ts \(exists; --force overwrites it\)/);
    assert.match(again.stdout, /created +README\.md/);
    assert.doesNotMatch(readFileSync(join(work, "mine", "src", "app.ts"), "utf8"), /express/, "app.ts kept (node)");

    const forced = cli("mine", "--framework", "express", "--force");
    assert.equal(forced.status, 0, forced.stderr);
    assert.match(forced.stdout, /overwritten +src\/handlers\/voice\.ts/);
    assert.match(readFileSync(voice, "utf8"), /export const voiceHandlers/);
    assert.match(readFileSync(join(work, "mine", "src", "app.ts"), "utf8"), /from "express"/);
  });
});

describe("bw-codegen scaffold: the bw-codegen dependency", () => {
  it("from a checkout: file:<checkout>; from an installed package (node_modules): the published version", () => {
    assert.equal(bwCodegenDependency(ROOT, "0.1.0"), `file:${ROOT}`);
    assert.equal(bwCodegenDependency(join(work, "app", "node_modules", "bw-codegen"), "0.3.1"), "^0.3.1");
  });
});
