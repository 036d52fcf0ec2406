// `bw-codegen validate`: validate callback payloads and BXML documents from files. Contract:
// exit 0 when every file is valid, 1 when any is invalid, 2 on a usage error or unreadable file;
// `--json` prints one object per file per line.
import { readFileSync } from "node:fs";
import { UsageError, parseArgs } from "./args.js";
import type { Command } from "./command.js";
import { parseJsonText } from "./json-text.js";
import type { Kind, Verdict } from "./validate-kinds.js";

/** Names accepted by `--kind` besides `auto`. */
export const KIND_NAMES: string[] = ["voice", "messaging", "numbers", "tfv", "endpoint", "bxml", "mfa", "webrtc", "emergency"];

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

export const validateCommand: Command = {
  summary: "Validate callback payloads (JSON/XML) and BXML documents",
  help: `Usage: bw-codegen validate [--kind auto|${KIND_NAMES.join("|")}] [--json] [--strict] [--strict-json] <file...>

Validates each file against bw-codegen's schemas. With --kind auto (the default) the kind is
recognised from the content: a JSON array of events is messaging, an object with "eventType" a voice
(or BRTC endpoint) callback, XML <Notification> or <PortOutValidationRequest> a numbers notification,
and other XML (normally <Response> or <Bxml>) is checked as BXML.

Options:
  --kind KIND     auto (default) or one of: ${KIND_NAMES.join(", ")}
  --json          one JSON object per file per line:
                  {"file","valid","kind","type","errors":[{"path","message"}]}
  --strict        reject properties the schema does not know (default: accept them, as Bandwidth adds fields)
  --strict-json   reject JSON with trailing commas (default: accept with a warning)
  --help          show this help

Exit status: 0 every file is valid, 1 any file is invalid, 2 usage error or unreadable file.
`,
  async run(argv) {
    const args = parseArgs(argv, { values: ["--kind"], booleans: ["--json", "--strict", "--strict-json"] });
    const kindName = args.values.get("--kind") ?? "auto";
    if (kindName !== "auto" && !KIND_NAMES.includes(kindName)) throw new UsageError(`unknown kind "${kindName}" (use auto or ${KIND_NAMES.join(", ")})`);
    if (!args.positionals.length) throw new UsageError("name at least one file");
    const options = { strict: args.booleans.has("--strict"), strictJson: args.booleans.has("--strict-json") };
    const json = args.booleans.has("--json");
    // Loaded only now: the kinds import generated/, which `generate` must be able to create first.
    const { kinds } = await import("./validate-kinds.js");
    let exit = 0;
    for (const file of args.positionals) {
      let text: string;
      try {
        text = file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8");
      } catch (err) {
        const message = `cannot read file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
        if (json) process.stdout.write(`${JSON.stringify({ file, valid: false, kind: null, type: null, errors: [{ path: "", message }] })}\n`);
        else process.stderr.write(`${file}: ${message}\n`);
        exit = 2;
        continue;
      }
      const result = validateText(kinds, file, text, kindName, options);
      if (!result.valid && exit === 0) exit = 1;
      if (json) {
        process.stdout.write(`${JSON.stringify(result)}\n`);
        continue;
      }
      const what = [result.kind, result.type].filter(Boolean).join(" ");
      if (result.valid) process.stdout.write(`${file}: valid${what ? ` (${what})` : ""}\n`);
      else {
        process.stdout.write(`${file}: INVALID${what ? ` (${what})` : ""}\n`);
        for (const e of result.errors) process.stdout.write(`  ${e.path || "(document)"}: ${e.message}\n`);
      }
      for (const w of result.warnings ?? []) process.stdout.write(`  warning: ${w}\n`);
    }
    return exit;
  },
};
