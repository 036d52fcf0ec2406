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
import { voiceEvents, messagingEvents, numbersEvents } from "../generated/events.js";
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
  "src/shutdown.ts",
  "src/simulate.ts",
  "src/url.ts",
  "src/webhooks.ts",
  "test/simulate.test.ts",
  "test/webhooks.test.ts",
  "tsconfig.build.json",
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
    assert.match(run.stdout, /npm install\n {2}cp \.env\.example \.env.*\n {2}npm run dev .*\n {2}npm run build && npm start /);
    assert.match(run.stdout, /bw-codegen dependency: "file:.*" \(from this checkout of bw-codegen\)/);
    const pkg = JSON.parse(readFileSync(join(work, "fresh", "package.json"), "utf8"));
    assert.equal(pkg.name, "fresh");
    assert.equal(pkg.type, "module");
    assert.equal(pkg.scripts.start, "NODE_ENV=production exec node dist/server.js");
    assert.equal(pkg.scripts.build, "tsc -p tsconfig.build.json");
    assert.equal(pkg.scripts.dev, "exec tsx watch src/server.ts");
    assert.equal(pkg.scripts.typecheck, "tsc --noEmit");
    assert.equal(pkg.scripts.simulate, "tsx src/simulate.ts");
    assert.equal(pkg.dependencies["bw-codegen"], `file:${ROOT}`);
    assert.ok(pkg.dependencies.fastify, "fastify is a runtime dependency");
    assert.ok(pkg.devDependencies.typescript && pkg.devDependencies.tsx, "tsx and typescript only build and develop");
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
    assert.match(apps[0], /createServer\(SERVER_TIMEOUTS, webhooks\.node\)/);
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
  it("from a checkout: file:<checkout>; installed without a record of where from: ^<version>", () => {
    assert.equal(bwCodegenDependency(ROOT, "0.1.0", join(work, "rx")).spec, `file:${ROOT}`);
    assert.equal(bwCodegenDependency(join(work, "app", "node_modules", "bw-codegen"), "0.3.1", join(work, "app", "rx")).spec, "^0.3.1");
  });

  const installedFrom: { spec: string; expected: string }[] = [
    { spec: "file:../dist/bw-codegen-0.3.1.tgz", expected: "file:../../dist/bw-codegen-0.3.1.tgz" },
    { spec: "../dist/bw-codegen-0.3.1.tgz", expected: "file:../../dist/bw-codegen-0.3.1.tgz" },
    { spec: "file:vendor/bw-codegen", expected: "file:../vendor/bw-codegen" },
    { spec: "git+https://github.com/example/bw-codegen.git#v0.3.1", expected: "git+https://github.com/example/bw-codegen.git#v0.3.1" },
    { spec: "github:example/bw-codegen", expected: "github:example/bw-codegen" },
    { spec: "^0.3.0", expected: "^0.3.0" },
  ];
  for (const row of installedFrom) {
    it(`the parent project installed it as ${row.spec}: the scaffold in a sub-folder uses ${row.expected}`, () => {
      const project = mkdtempSync(join(work, "parent-"));
      writeFileSync(join(project, "package.json"), JSON.stringify({ name: "parent", dependencies: { "bw-codegen": row.spec } }));
      const found = bwCodegenDependency(join(project, "node_modules", "bw-codegen"), "0.3.1", join(project, "rx"));
      assert.deepEqual(found, { spec: row.expected, from: join(project, "package.json") });
    });
  }

  it("no package.json entry (e.g. installed with --no-save): the package-lock's resolved tarball", () => {
    const project = mkdtempSync(join(work, "parent-"));
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "parent" }));
    writeFileSync(join(project, "package-lock.json"), JSON.stringify({ packages: { "node_modules/bw-codegen": { version: "0.3.1", resolved: "file:bw-codegen-0.3.1.tgz" } } }));
    assert.deepEqual(bwCodegenDependency(join(project, "node_modules", "bw-codegen"), "0.3.1", join(project, "rx")), { spec: "file:../bw-codegen-0.3.1.tgz", from: join(project, "package-lock.json") });
  });
});

describe("bw-codegen scaffold: merging into an existing package.json", () => {
  it('keeps "type": "commonjs" and says the receiver needs "module"; existing dependencies keep their version', () => {
    const dir = mkdtempSync(join(work, "cjs-"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "cjs", type: "commonjs", devDependencies: { typescript: "5.9.2" } }, null, 4));
    const run = cli(dir, "--framework", "node");
    assert.equal(run.status, 0, run.stderr);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    assert.equal(pkg.type, "commonjs");
    assert.equal(pkg.devDependencies.typescript, "5.9.2");
    assert.match(run.stdout, /type: kept "commonjs"; the receiver is ES modules .*npm pkg set type=module/);
    assert.match(run.stdout, /devDependencies\.typescript: kept "5\.9\.2"/);
    assert.match(readFileSync(join(dir, "package.json"), "utf8"), /^\{\n {4}"name"/, "the file's indentation is kept");
  });

  it("a package.json that is not JSON: exit 1, nothing written", () => {
    const dir = mkdtempSync(join(work, "broken-"));
    writeFileSync(join(dir, "package.json"), '{"name": "broken",');
    const run = cli(dir);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /package\.json is not valid JSON .*nothing was written/);
    assert.equal(readFileSync(join(dir, "package.json"), "utf8"), '{"name": "broken",');
    assert.equal(existsSync(join(dir, "src")), false);
  });

  it("run twice: the second run changes nothing in package.json", () => {
    const dir = mkdtempSync(join(work, "twice-"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "twice" }));
    assert.equal(cli(dir).status, 0);
    const before = readFileSync(join(dir, "package.json"), "utf8");
    const again = cli(dir);
    assert.match(again.stdout, /unchanged +package\.json \(it already has everything the receiver needs\)/);
    assert.equal(readFileSync(join(dir, "package.json"), "utf8"), before);
  });
});
