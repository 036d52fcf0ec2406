// The CLI follows npm's conventions, one table per convention, each row run through the real binary
// (bin/bw-codegen.mjs): --version/-v; --flag=value and --flag value; switches as --json, --json=true|false,
// --no-json; a usage error is one line plus a hint line, exit 2; colour only on a TTY or with FORCE_COLOR,
// never with NO_COLOR; validate's summary line (none in --json mode); folders walked in a fixed order;
// malformed JSON located by line and column; `validate -` reads stdin; close names suggested. Also: no
// sub-command imports main.ts (the Command type has its own module).
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import fc from "fast-check";
import { parseArgs, UsageError } from "../generator/cli/args.js";
import { colourEnabled } from "../generator/cli/colour.js";
import { locateJsonError } from "../generator/cli/json-syntax.js";
import { closestNames } from "../generator/cli/suggest.js";
import { loadCatalog } from "../generator/catalog.js";
import { PROCESS_LIMIT_MS, adopt } from "./support/children.js";
import { BIN, REPO_ROOT, jsonLines, runCli } from "./support/cli.js";

const work = mkdtempSync(join(tmpdir(), "bw-cli-conventions-"));
after(() => rmSync(work, { recursive: true, force: true }));
const answer = loadCatalog(join(REPO_ROOT, "schemas")).events.find((e) => e.family === "voice" && e.event === "answer")!.schema.examples[0];
const VALID = JSON.stringify(answer, null, 2);
const ANSI = /\u001b\[\d+m/;

/** runCli without blocking, so the usage-error rows (cheap, independent) run a few at a time. */
function runCliAsync(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.FORCE_COLOR;
    delete env.NO_COLOR;
    const child = adopt(spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"], timeout: PROCESS_LIMIT_MS, killSignal: "SIGKILL" }));
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

function file(name: string, contents: string): string {
  const path = join(work, name);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, contents);
  return path;
}

const ok = file("ok.json", VALID);
const bad = file("bad.json", JSON.stringify({ ...answer, callId: 7 }));
const bxml = file("reply.xml", "<Response><Hangup/></Response>");
const emptyFolder = join(work, "empty-folder");
mkdirSync(join(emptyFolder, "sub"), { recursive: true });
writeFileSync(join(emptyFolder, "notes.txt"), "not a document");
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

describe("--version and -v print the package version", () => {
  for (const args of [["--version"], ["-v"]]) {
    test(args.join(" "), () => {
      const run = runCli(args);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, `${VERSION}\n`);
      assert.equal(run.stderr, "");
    });
  }
});

describe("a usage error is one line saying what is wrong, one hint line, exit 2, nothing on stdout", { concurrency: 4 }, () => {
  const target = join(work, "never-written");
  const rows: { args: string[]; line: RegExp; help: string }[] = [
    { args: ["valdate", "x.json"], line: /^bw-codegen: unknown command "valdate" \(did you mean validate\?\)$/, help: "bw-codegen --help" },
    { args: ["--verison"], line: /^bw-codegen: unknown option --verison \(did you mean --version\?\)$/, help: "bw-codegen --help" },
    { args: ["validate"], line: /^bw-codegen validate: name at least one file, folder, or - for standard input$/, help: "bw-codegen validate --help" },
    { args: ["validate", "--jsn", ok], line: /^bw-codegen validate: unknown option --jsn \(did you mean --json\?\)$/, help: "bw-codegen validate --help" },
    { args: ["validate", "--kind"], line: /^bw-codegen validate: --kind needs a value/, help: "bw-codegen validate --help" },
    { args: ["validate", "--kind", "--json", ok], line: /^bw-codegen validate: --kind needs a value/, help: "bw-codegen validate --help" },
    { args: ["validate", "--kind=vioce", ok], line: /^bw-codegen validate: unknown kind "vioce" \(did you mean voice\?\)$/, help: "bw-codegen validate --help" },
    { args: ["validate", "--kind", "fax", ok], line: /^bw-codegen validate: unknown kind "fax" \(use auto or voice, messaging, /, help: "bw-codegen validate --help" },
    { args: ["validate", "--json=maybe", ok], line: /^bw-codegen validate: --json is a switch: give it alone, or as --json=true \/ --json=false/, help: "bw-codegen validate --help" },
    { args: ["validate", "-", "-"], line: /^bw-codegen validate: - \(standard input\) can be named only once$/, help: "bw-codegen validate --help" },
    { args: ["validate", emptyFolder], line: /^bw-codegen validate: the folder \S+empty-folder holds no \.json or \.xml file$/, help: "bw-codegen validate --help" },
    { args: ["scaffold"], line: /^bw-codegen scaffold: missing the target folder$/, help: "bw-codegen scaffold --help" },
    { args: ["scaffold", target, "--events", "answr"], line: /^bw-codegen scaffold: unknown event "answr" \(did you mean answer\?\) in --events$/, help: "bw-codegen scaffold --help" },
    { args: ["scaffold", target, "--events=answr,disconect,messageRecieved"], line: /^bw-codegen scaffold: unknown events "answr" \(did you mean answer\?\), "disconect" \(did you mean disconnect\?\), "messageRecieved" \(did you mean messageReceived\?\) in --events$/, help: "bw-codegen scaffold --help" },
    { args: ["scaffold", target, "--events", "hangupNow"], line: /^bw-codegen scaffold: unknown event "hangupNow" in --events; known events are voice: answer, .*; numbers: .*portins/, help: "bw-codegen scaffold --help" },
    { args: ["scaffold", target, "--framework=expres"], line: /^bw-codegen scaffold: unknown framework "expres" \(did you mean express\?\)$/, help: "bw-codegen scaffold --help" },
    { args: ["scaffold", target, "--force=sometimes"], line: /^bw-codegen scaffold: --force is a switch/, help: "bw-codegen scaffold --help" },
    { args: ["generate", "extra"], line: /^bw-codegen generate: unexpected argument extra$/, help: "bw-codegen generate --help" },
    { args: ["check", "--out"], line: /^bw-codegen check: --out needs a value/, help: "bw-codegen check --help" },
  ];
  for (const row of rows) {
    test(row.args.map((a) => a.replace(work, "$TMP")).join(" ") || "(nothing)", { concurrency: true }, async () => {
      const run = await runCliAsync(row.args, work);
      assert.equal(run.status, 2, run.stderr);
      assert.equal(run.stdout, "");
      const lines = run.stderr.split("\n");
      assert.equal(lines.length, 3, `two lines and a final newline, got:\n${run.stderr}`);
      assert.match(lines[0], row.line);
      assert.equal(lines[1], `Run '${row.help}' for usage.`);
      assert.equal(lines[2], "");
      assert.equal(existsSync(target), false, "a usage error writes nothing");
    });
  }
});

describe("--flag=value means --flag value, for every option that takes a value", () => {
  const rows: { name: string; spaced: string[]; joined: string[] }[] = [
    { name: "validate --kind", spaced: ["validate", "--kind", "voice", ok, bad], joined: ["validate", "--kind=voice", ok, bad] },
    { name: "validate --kind (invalid kind for the file)", spaced: ["validate", "--kind", "bxml", ok], joined: ["validate", "--kind=bxml", ok] },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const spaced = runCli(row.spaced);
      const joined = runCli(row.joined);
      assert.equal(joined.status, spaced.status);
      assert.equal(joined.stdout, spaced.stdout);
      assert.equal(joined.stderr, spaced.stderr);
    });
  }
  test("scaffold --framework express / --framework=express / --events a,b / --events=a,b write the same project", () => {
    const spaced = runCli(["scaffold", "spaced", "--framework", "express", "--events", "answer,disconnect"], { cwd: work });
    const joined = runCli(["scaffold", "joined", "--framework=express", "--events=answer,disconnect"], { cwd: work });
    assert.equal(spaced.status, 0, spaced.stderr);
    assert.equal(joined.status, 0, joined.stderr);
    const files = readdirSync(join(work, "spaced"), { recursive: true }).map(String).filter((f) => f.endsWith(".ts")).sort();
    assert.ok(files.includes(join("src", "handlers", "voice.ts")));
    for (const f of files) assert.equal(readFileSync(join(work, "joined", f), "utf8"), readFileSync(join(work, "spaced", f), "utf8"), f);
    assert.match(readFileSync(join(work, "joined", "src", "app.ts"), "utf8"), /express/);
  });
  test("parseArgs: every spelling of a value flag and of a switch", () => {
    const spec = { values: ["--out"], booleans: ["--json", "--force"], aliases: { "-o": "--out" } };
    const rows: [string[], { out?: string; on: string[]; positionals: string[] }][] = [
      [["--out", "d", "x"], { out: "d", on: [], positionals: ["x"] }],
      [["--out=d", "x"], { out: "d", on: [], positionals: ["x"] }],
      [["-o", "d"], { out: "d", on: [], positionals: [] }],
      [["--out=a=b"], { out: "a=b", on: [], positionals: [] }],
      [["--out", "-"], { out: "-", on: [], positionals: [] }],
      [["--json"], { on: ["--json"], positionals: [] }],
      [["--json=true", "--force=1"], { on: ["--force", "--json"], positionals: [] }],
      [["--json=false"], { on: [], positionals: [] }],
      [["--json", "--no-json"], { on: [], positionals: [] }],
      [["--no-json", "--json=TRUE"], { on: ["--json"], positionals: [] }],
      [["-", "--", "--json", "-x"], { on: [], positionals: ["-", "--json", "-x"] }],
    ];
    for (const [argv, want] of rows) {
      const parsed = parseArgs(argv, spec);
      assert.equal(parsed.values.get("--out"), want.out, argv.join(" "));
      assert.deepEqual([...parsed.booleans].sort(), want.on, argv.join(" "));
      assert.deepEqual(parsed.positionals, want.positionals, argv.join(" "));
    }
    for (const argv of [["--out"], ["--out="], ["--out", "--json"], ["--json=maybe"], ["--no-out"], ["--no-json=true"], ["-x"], ["--jsn"]]) {
      assert.throws(() => parseArgs(argv, spec), UsageError, argv.join(" "));
    }
  });
});

describe("switches take --json, --json=true, --json=false and --no-json", () => {
  const rows: { args: string[]; json: boolean }[] = [
    { args: ["--json"], json: true },
    { args: ["--json=true"], json: true },
    { args: ["--json=false"], json: false },
    { args: ["--no-json"], json: false },
    { args: ["--json", "--json=false"], json: false },
  ];
  for (const row of rows) {
    test(`validate ${row.args.join(" ")}`, () => {
      const run = runCli(["validate", ...row.args, ok]);
      assert.equal(run.status, 0, run.stderr);
      if (row.json) assert.deepEqual(jsonLines(run.stdout).map((l) => l.valid), [true]);
      else assert.equal(run.stdout, `${ok}: valid (voice answer)\n1 file valid\n`);
    });
  }
  test("--strict=false is the default, --strict=true rejects unknown properties", () => {
    const extra = file("extra.json", JSON.stringify({ ...answer, brandNewField: 1 }));
    assert.equal(runCli(["validate", "--strict=false", extra]).status, 0);
    assert.equal(runCli(["validate", "--strict=true", extra]).status, 1);
  });
});

describe("validate ends with a summary line; --json prints one object per file and nothing else", () => {
  const missing = join(work, "missing.json");
  const rows: { files: string[]; summary: string; status: number }[] = [
    { files: [ok], summary: "1 file valid", status: 0 },
    { files: [ok, bxml], summary: "all 2 files valid", status: 0 },
    { files: [bad], summary: "1 of 1 file invalid", status: 1 },
    { files: [ok, bad, bxml, bad, ok], summary: "2 of 5 files invalid", status: 1 },
    { files: [ok, missing], summary: "1 of 2 files unreadable", status: 2 },
    { files: [bad, missing, ok], summary: "1 of 3 files invalid, 1 unreadable", status: 2 },
  ];
  for (const row of rows) {
    test(row.summary, () => {
      const text = runCli(["validate", ...row.files]);
      assert.equal(text.status, row.status, text.stderr);
      assert.equal(text.stdout.trimEnd().split("\n").at(-1), row.summary);
      const json = runCli(["validate", "--json", ...row.files]);
      assert.equal(json.status, row.status);
      const lines = json.stdout.trimEnd().split("\n");
      assert.equal(lines.length, row.files.length, "one line per file, no summary");
      assert.deepEqual(lines.map((l) => JSON.parse(l).file), row.files);
      assert.equal(json.stderr, "");
    });
  }
});

describe("folders given to validate are walked: recursively, .json and .xml only, in code-unit order", () => {
  const tree = join(work, "tree");
  const layout: Record<string, string> = {
    "b.json": VALID,
    "A.json": VALID,
    "a/z.xml": "<Response><Hangup/></Response>",
    "a/deeper/ok.JSON": VALID,
    "a/notes.txt": "skipped",
    "c.xml": "<Response><Pause duration=\"x\"/></Response>",
    ".hidden/skipped.json": "{",
    "node_modules/pkg/skipped.json": "{",
  };
  for (const [path, contents] of Object.entries(layout)) file(join("tree", path), contents);
  symlinkSync(join(tree, "a"), join(tree, "loop"));
  const order = ["A.json", "a/deeper/ok.JSON", "a/z.xml", "b.json", "c.xml"].map((p) => join(tree, ...p.split("/")));
  test("--json lists every file once, in order, each validated", () => {
    const run = runCli(["validate", "--json", tree]);
    const lines = jsonLines(run.stdout);
    assert.deepEqual(lines.map((l) => l.file), order);
    assert.deepEqual(lines.map((l) => l.valid), [true, true, true, true, false]);
    assert.equal(run.status, 1);
  });
  test("the same order on every run, a folder and files mixed as given, and a summary over all", () => {
    const first = runCli(["validate", ok, tree]);
    const second = runCli(["validate", ok, tree]);
    assert.equal(first.stdout, second.stdout);
    assert.match(first.stdout, /^\S+ok\.json: valid/);
    assert.equal(first.stdout.trimEnd().split("\n").at(-1), "1 of 6 files invalid");
  });
});

describe("malformed JSON is reported with line and column", () => {
  const rows: { name: string; text: string; message: RegExp }[] = [
    { name: "truncated", text: '{\n  "eventType": "answer",\n  "callId": ', message: /^not valid JSON at line 3, column 13: unexpected end of the text$/ },
    { name: "missing comma", text: '{\n  "eventType": "answer"\n  "callId": "c"\n}', message: /^not valid JSON at line 3, column 3: unexpected "\\"": expected "," or "}"$/ },
    { name: "single quotes", text: "{'eventType': 'answer'}", message: /^not valid JSON at line 1, column 2: unexpected "'": expected a property name in double quotes$/ },
    { name: "raw line break in a string", text: '{"eventType": "ans\nwer"}', message: /^not valid JSON at line 1, column 19: a control character/ },
    { name: "trailing comma with --strict-json", text: '{\n  "eventType": "answer",\n}', message: /^not valid JSON at line 3, column 1: .*\(a trailing comma\?\)$/ },
    { name: "text after the value", text: '{"eventType": "answer"} x', message: /^not valid JSON at line 1, column 25: unexpected "x" after the end of the JSON value$/ },
  ];
  // One run per kind for every row (each file is invalid either way; --strict-json only matters to one).
  const paths = rows.map((row) => file(`malformed-${row.name.replace(/\W+/g, "-")}.json`, row.text));
  for (const kind of ["auto", "voice"]) {
    test(`--kind ${kind}: ${rows.map((r) => r.name).join(", ")}`, () => {
      const run = runCli(["validate", "--json", "--strict-json", `--kind=${kind}`, ...paths]);
      assert.equal(run.status, 1, run.stderr);
      for (const [i, line] of jsonLines(run.stdout).entries()) {
        assert.equal(line.file, paths[i]);
        assert.equal(line.errors.length, 1, rows[i].name);
        assert.match(line.errors[0].message, rows[i].message, rows[i].name);
      }
    });
  }
  test("without --strict-json a trailing comma is accepted with a warning that says where", () => {
    const run = runCli(["validate", "--json", paths[rows.findIndex((r) => r.name.startsWith("trailing comma"))]]);
    assert.match(jsonLines(run.stdout)[0].warnings[0], /trailing commas \(the first just before line 3, column 1\)/);
  });
  test("the scanner agrees with JSON.parse on what is JSON (property)", () => {
    const pieces = fc.constantFrom("{", "}", "[", "]", ",", ":", '"a"', '"', "1", "-", "0", ".5", "e3", "true", "nul", " ", "\n", "\\", "'", "x");
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 14 }), (parts) => {
        const text = parts.join("");
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        assert.equal(locateJsonError(text) === undefined, parses, JSON.stringify(text));
      }),
      { numRuns: 3000 },
    );
    assert.equal(locateJsonError(`${"[".repeat(100_000)}${"]".repeat(100_000)}`), undefined, "deep nesting does not overflow");
  });
});

describe("validate - reads one document from standard input", () => {
  test("it is in the help", () => {
    assert.match(runCli(["validate", "--help"]).stdout, /- reads one document from\s+standard input/);
  });
  const rows: { input: string; args: string[]; stdout: RegExp; status: number }[] = [
    { input: VALID, args: [], stdout: /^<stdin>: valid \(voice answer\)\n1 file valid\n$/, status: 0 },
    { input: "<Response><Hangup/></Response>", args: ["--json"], stdout: /^\{"file":"-","valid":true,"kind":"bxml","type":"Response","errors":\[\]\}\n$/, status: 0 },
    { input: "{", args: ["--json"], stdout: /"file":"-","valid":false.*line 1, column 2/, status: 1 },
    { input: VALID, args: [ok], stdout: /^<stdin>: valid[^]*ok\.json: valid[^]*all 2 files valid\n$/, status: 0 },
  ];
  for (const row of rows) {
    test(`validate ${row.args.join(" ")} - with ${JSON.stringify(row.input.slice(0, 12))}…`, () => {
      const run = runCli(["validate", ...row.args.filter((a) => a.startsWith("--")), "-", ...row.args.filter((a) => !a.startsWith("--"))], { input: row.input });
      assert.equal(run.status, row.status, run.stderr);
      assert.match(run.stdout, row.stdout);
    });
  }
});

describe("colour only where it helps: a terminal or FORCE_COLOR, never with NO_COLOR, never in --json", () => {
  const rows: { env: Record<string, string>; args: string[]; stream: "stdout" | "stderr"; colour: boolean }[] = [
    { env: {}, args: ["validate", bad], stream: "stdout", colour: false },
    { env: { FORCE_COLOR: "1" }, args: ["validate", bad], stream: "stdout", colour: true },
    { env: { FORCE_COLOR: "0" }, args: ["validate", bad], stream: "stdout", colour: false },
    { env: { NO_COLOR: "1" }, args: ["validate", bad], stream: "stdout", colour: false },
    { env: { FORCE_COLOR: "1" }, args: ["validate", "--json", bad], stream: "stdout", colour: false },
    { env: {}, args: ["validate", "--jsn", bad], stream: "stderr", colour: false },
    { env: { FORCE_COLOR: "1" }, args: ["validate", "--jsn", bad], stream: "stderr", colour: true },
    { env: { NO_COLOR: "1" }, args: ["validate", "--jsn", bad], stream: "stderr", colour: false },
  ];
  for (const row of rows) {
    test(`${JSON.stringify(row.env)} ${row.args[0]} ${row.args[1]} → ${row.stream} ${row.colour ? "coloured" : "plain"}`, () => {
      const run = runCli(row.args, { env: row.env });
      assert.equal(ANSI.test(run[row.stream]), row.colour, run[row.stream]);
      if (row.colour) assert.equal(run[row.stream].replace(/\u001b\[\d+m/g, ""), runCli(row.args)[row.stream], "colour changes nothing but the codes");
    });
  }
  test("colourEnabled: TTY on, pipe off, NO_COLOR and TERM=dumb off, FORCE_COLOR wins", () => {
    const table: [boolean | undefined, NodeJS.ProcessEnv, boolean][] = [
      [true, {}, true],
      [false, {}, false],
      [undefined, {}, false],
      [true, { NO_COLOR: "1" }, false],
      [true, { NO_COLOR: "" }, true],
      [true, { TERM: "dumb" }, false],
      [true, { NODE_DISABLE_COLORS: "1" }, false],
      [false, { FORCE_COLOR: "1" }, true],
      [false, { FORCE_COLOR: "" }, true],
      [true, { FORCE_COLOR: "0" }, false],
      [true, { FORCE_COLOR: "false" }, false],
      [false, { FORCE_COLOR: "1", NO_COLOR: "1" }, true],
    ];
    for (const [isTTY, env, want] of table) assert.equal(colourEnabled({ isTTY }, env), want, `${isTTY} ${JSON.stringify(env)}`);
  });
  const script = ["/usr/bin/script", "/bin/script"].find((p) => existsSync(p));
  test("on a real terminal (a pty through script(1)) the output is coloured, unless NO_COLOR", { skip: script === undefined && "script(1) is not installed" }, () => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} validate ${JSON.stringify(bad)}`;
    const env = { ...process.env, FORCE_COLOR: undefined, NO_COLOR: undefined } as NodeJS.ProcessEnv;
    const onTty = spawnSync(script!, ["-qec", command, "/dev/null"], { encoding: "utf8", env, timeout: PROCESS_LIMIT_MS, killSignal: "SIGKILL" });
    assert.match(onTty.stdout, /INVALID/);
    assert.ok(ANSI.test(onTty.stdout), onTty.stdout);
    const noColour = spawnSync(script!, ["-qec", command, "/dev/null"], { encoding: "utf8", env: { ...env, NO_COLOR: "1" }, timeout: PROCESS_LIMIT_MS, killSignal: "SIGKILL" });
    assert.match(noColour.stdout, /INVALID/);
    assert.equal(ANSI.test(noColour.stdout), false, noColour.stdout);
  });
});

describe("close names are suggested, far ones are not", () => {
  const rows: [string, string[], string[]][] = [
    ["answr", ["answer", "disconnect", "gather"], ["answer"]],
    ["vaildate", ["validate", "generate", "check", "scaffold"], ["validate"]],
    ["--jsn", ["--json", "--kind", "--strict"], ["--json"]],
    ["ANSWER", ["answer"], ["answer"]],
    ["zzzz", ["answer", "gather"], []],
    ["x", ["answer"], []],
  ];
  for (const [name, known, want] of rows) test(`${name} → ${want.join(", ") || "nothing"}`, () => assert.deepEqual(closestNames(name, known), want));
});

test("no sub-command module imports main.ts: the Command type lives in command.ts", () => {
  const folder = join(REPO_ROOT, "generator", "cli");
  for (const name of readdirSync(folder).filter((f) => f.endsWith(".ts") && f !== "main.ts")) {
    const source = readFileSync(join(folder, name), "utf8");
    assert.doesNotMatch(source, /from "\.\/main\.js"/, `${name} imports main.ts`);
  }
  assert.match(readFileSync(join(folder, "command.ts"), "utf8"), /export interface Command\b/);
});
