// `bw-codegen validate`: validate callback payloads and BXML documents from files, folders (walked)
// or standard input (`-`). Contract: exit 0 when every file is valid, 1 when any is invalid, 2 on a
// usage error or an unreadable file; `--json` prints one object per file per line and nothing else on
// stdout; the human form ends with a summary line ("3 of 5 files invalid").
import { readFileSync } from "node:fs";
import { families } from "../model/families.js";
import { UsageError, parseArgs } from "./args.js";
import { painter, type Paint } from "./colour.js";
import { expandInputs, type Input } from "./input-files.js";
import { didYouMean } from "./suggest.js";
import type { Command } from "./command.js";
import { parseJsonText } from "./json-text.js";
import type { Kind, Verdict } from "./validate-kinds.js";

/** Names accepted by `--kind` besides `auto`. */
/** `--kind` values: every family its definition lets `validate` recognise, then BXML. */
export const KIND_NAMES: string[] = [...families.filter((f) => f.detect !== undefined).map((f) => f.name), "bxml"];

interface FileReport extends Verdict {
  file: string;
  kind: string | null;
}

function report(file: string, kind: string | null, verdict: Verdict): FileReport {
  return { file, valid: verdict.valid, kind, type: verdict.type, errors: verdict.errors, ...(verdict.warnings?.length ? { warnings: verdict.warnings } : {}) };
}

function validateText(kinds: Kind[], file: string, text: string, kindName: string, options: { strict: boolean; strictJson: boolean }): FileReport {
  if (kindName !== "auto") {
    const kind = kinds.find((k) => k.name === kindName);
    if (!kind) return report(file, kindName, { valid: false, type: null, errors: [{ path: "", message: `validating ${kindName} documents is not supported yet` }] });
    return report(file, kind.name, kind.validate(text, options));
  }
  const trimmed = text.replace(/^\uFEFF/, "").trimStart();
  const looksJson = trimmed.startsWith("{") || trimmed.startsWith("[");
  const parsed = looksJson ? parseJsonText(text, options.strictJson) : undefined;
  const json = parsed?.ok ? parsed.value : undefined;
  const kind = kinds.find((k) => k.detect(text, json));
  if (kind) return report(file, kind.name, kind.validate(text, options));
  if (parsed && !parsed.ok) return report(file, null, { valid: false, type: null, errors: [{ path: "", message: parsed.message }] });
  // XML with a root no family claims: most likely BXML with a wrong root (or not well-formed); BXML's
  // validator then says what is wrong with it.
  const bxml = trimmed.startsWith("<") ? kinds.find((k) => k.name === "bxml") : undefined;
  if (bxml) return report(file, bxml.name, bxml.validate(text, options));
  return report(file, null, { valid: false, type: null, errors: [{ path: "", message: "not a document bw-codegen recognises (a Bandwidth callback in JSON, or XML); name it with --kind" }] });
}

/** How many inputs ended which way; the exit status and the summary line come from it. */
interface Tally {
  valid: number;
  invalid: number;
  unreadable: number;
}

function read(input: Input): { text: string } | { error: string } {
  try {
    return { text: input.source === "stdin" ? readFileSync(0, "utf8") : readFileSync(input.file, "utf8") };
  } catch (err) {
    return { error: `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
  }
}

function printResult(result: FileReport, paint: Paint): void {
  const shown = result.file === "-" ? "<stdin>" : result.file;
  const what = [result.kind, result.type].filter(Boolean).join(" ");
  const lines = [`${shown}: ${result.valid ? paint.green("valid") : paint.red("INVALID")}${what ? ` (${what})` : ""}`];
  if (!result.valid) for (const e of result.errors) lines.push(`  ${e.path || "(document)"}: ${e.message}`);
  for (const w of result.warnings ?? []) lines.push(`  ${paint.yellow("warning")}: ${w}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

/** "all 5 files valid", "3 of 5 files invalid", "1 of 5 files unreadable", "3 of 5 files invalid, 1 unreadable". */
export function summaryLine(tally: Tally): string {
  const total = tally.valid + tally.invalid + tally.unreadable;
  if (tally.valid === total) return total === 1 ? "1 file valid" : `all ${total} files valid`;
  const of = `of ${total} ${total === 1 ? "file" : "files"}`;
  if (tally.invalid === 0) return `${tally.unreadable} ${of} unreadable`;
  return `${tally.invalid} ${of} invalid${tally.unreadable ? `, ${tally.unreadable} unreadable` : ""}`;
}

function checkKind(kindName: string): void {
  if (kindName === "auto" || KIND_NAMES.includes(kindName)) return;
  const hint = didYouMean(kindName, ["auto", ...KIND_NAMES]);
  throw new UsageError(`unknown kind "${kindName}"${hint || ` (use auto or ${KIND_NAMES.join(", ")})`}`);
}

export const validateCommand: Command = {
  summary: "Validate callback payloads (JSON/XML) and BXML documents",
  help: `Usage: bw-codegen validate [--kind auto|${KIND_NAMES.join("|")}] [--json] [--strict] [--strict-json] <file|folder|-...>

Validates each file against bw-codegen's schemas. A folder stands for every .json and .xml file under
it (recursively, in name order; hidden entries and node_modules skipped); - reads one document from
standard input (e.g. \`curl ... | bw-codegen validate -\`). With --kind auto (the default) the kind is
recognised from the content: a JSON array of events is messaging, an object with "eventType" a voice
(or BRTC endpoint) callback, XML <Notification> or <PortOutValidationRequest> a numbers notification,
and other XML (normally <Response> or <Bxml>) is checked as BXML. Malformed JSON is reported with the
line and column of the first syntax error.

Options:
  --kind KIND     auto (default) or one of: ${KIND_NAMES.join(", ")}
  --json          one JSON object per file per line, and nothing else on stdout (no summary line):
                  {"file","valid","kind","type","errors":[{"path","message"}]} (+ "warnings" when any)
  --strict        reject properties the schema does not know (default: accept them, as Bandwidth adds fields)
  --strict-json   reject JSON with trailing commas (default: accept with a warning)
  --help          show this help

Options take --kind=KIND as well as --kind KIND; switches take --json, --json=true|false or --no-json.
Without --json each file gets a line (errors and warnings indented below it) and a summary line ends the
output ("3 of 5 files invalid"); colour only on a terminal (NO_COLOR turns it off, FORCE_COLOR on).

Exit status: 0 every file is valid, 1 any file is invalid, 2 usage error or unreadable file.
`,
  async run(argv) {
    const args = parseArgs(argv, { values: ["--kind"], booleans: ["--json", "--strict", "--strict-json"] });
    const kindName = args.values.get("--kind") ?? "auto";
    checkKind(kindName);
    if (!args.positionals.length) throw new UsageError("name at least one file, folder, or - for standard input");
    if (args.positionals.filter((p) => p === "-").length > 1) throw new UsageError("- (standard input) can be named only once");
    const inputs = expandInputs(args.positionals);
    const options = { strict: args.booleans.has("--strict"), strictJson: args.booleans.has("--strict-json") };
    const json = args.booleans.has("--json");
    const paint = painter(process.stdout);
    // Loaded only now: the kinds import generated/, which `generate` must be able to create first.
    const { kinds } = await import("./validate-kinds.js");
    const tally: Tally = { valid: 0, invalid: 0, unreadable: 0 };
    for (const input of inputs) {
      const content = read(input);
      if ("error" in content) {
        tally.unreadable++;
        if (json) process.stdout.write(`${JSON.stringify({ file: input.file, valid: false, kind: null, type: null, errors: [{ path: "", message: content.error }] })}\n`);
        else process.stderr.write(`${input.file}: ${painter(process.stderr).red(content.error)}\n`);
        continue;
      }
      const result = validateText(kinds, input.file, content.text, kindName, options);
      tally[result.valid ? "valid" : "invalid"]++;
      if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else printResult(result, paint);
    }
    if (!json) {
      const line = summaryLine(tally);
      process.stdout.write(`${tally.valid === inputs.length ? paint.green(line) : paint.red(line)}\n`);
    }
    return tally.unreadable ? 2 : tally.invalid ? 1 : 0;
  },
};
