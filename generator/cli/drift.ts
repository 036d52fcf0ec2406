// `bw-codegen drift <capture…>`: reports, over captured traffic, what the schemas did not expect, per family
// and event: unknown fields (count, an example), new values of closed enumerations, new event types, events
// arriving under an earlier name (renames), type mismatches and missing fields, other value drift. Each
// delivery is checked with the family's own validator in strict mode (generated/validators/<family>.js).
// With `--spec FILE` it compares a copy of Bandwidth's OpenAPI spec with the schemas instead (drift-spec.ts).
// Exit 0 no drift, 1 drift, 2 usage error.
import type { CaptureEntry, SocketCaptureEntry } from "../../generated/capture.js";
import type { ValidationIssue } from "../../generated/index.js";
import type { FamilyDefinition } from "../model/family-definition.js";
import { families } from "../model/families.js";
import { pascalCase } from "../schema-transforms.js";
import { UsageError, parseArgs } from "./args.js";
import { readCaptures } from "./capture-files.js";
import { painter, printable } from "./colour.js";
import type { Command } from "./command.js";

const HELP = `Usage: bw-codegen drift <capture…> [--json]
       bw-codegen drift --spec <bandwidth.yml|bandwidth.json> [--json]

Reads captured deliveries (files written by createCapture of bw-codegen/capture, or folders of them) and
reports what the schemas did not expect, per family and event, with counts and an example:
  unknown-field     a property no schema lists (strict mode)
  new-enum-value    a value outside a closed enumeration
  new-event-type    an event type the family does not know
  renamed-event     an event arriving under an earlier name of its type (handled as the current one)
  type-mismatch     a field of another JSON type than the schema's
  missing-field     a field the schema requires is not there
  value             another value check failed (a pattern, a range)
  unreadable        the body is not the family's JSON or XML
Array positions are written * in paths (/0/message/x → /*/message/x).
Socket records (createStreamServer({ capture })) are checked too: each message in or out with the
stream or transcription validator in strict mode (family "stream" / "transcription"); a message that is
not JSON is "unreadable".

With --spec, compares a copy of Bandwidth's OpenAPI spec (bandwidth.yml, e.g. a newer one from its SDKs)
with the schemas, per family and event:
  new-event-type        a callback the spec describes that no schema of ours models
  removed-event-type    one of our events the last checked spec had and this one no longer has
  renamed-event         the spec names one of our events by another name the family's renames list
                        (handled: not drift)
  likely-renamed-event  one of our events is gone and a close new name appeared (add it to the renames)
  new-field             a field the spec describes that our schema lacks (with its path)
  removed-field         a field of ours the spec no longer describes
  likely-renamed-field  a field of ours gone next to a close new one
  new-enum-value        a spec enum value our schema does not accept
  type-mismatch         a spec type (or null) our schema does not accept
  required-change       a field ours requires that the spec lists as optional
Renames are listed in a table of their own. Differences explained in the allow-list shipped with
bw-codegen (generator/spec-drift/allowlist.json) are known, not drift. A YAML spec needs the yaml package
and every spec needs ajv (both devDependencies of bw-codegen): without them, the message says what to install.

Options:
  --spec FILE   compare this OpenAPI spec (YAML or JSON) instead of captures
  --json        one JSON object per finding, then a summary line

Exit status: 0 no drift; 1 drift found; 2 usage error (or a spec that cannot be read).
`;

type Kind = "unknown-field" | "new-enum-value" | "new-event-type" | "renamed-event" | "type-mismatch" | "missing-field" | "value" | "unreadable";
type Result = { ok: boolean; type?: string; errors?: ValidationIssue[]; renamedFrom?: string; unknownType?: boolean };
type Check = (body: string) => Result[];

interface Finding {
  family: string;
  event: string;
  kind: Kind;
  path: string;
  count: number;
  /** Values seen (new enum values, new event types), at most 5. */
  values: string[];
  /** Where it was first seen: file#line and the path as it was. */
  example: string;
  detail: string;
}

function kindOf(issue: ValidationIssue): Kind {
  const m = issue.message;
  if (m.startsWith("is not a property this schema knows")) return "unknown-field";
  if (m.startsWith("is required but missing")) return "missing-field";
  if (/^must be one of /.test(m) && !/^must be one of .*; got (?:number|boolean|null|object|array)/.test(m)) return "new-enum-value";
  if (/^must be (?:a|an) (?:string|number|integer|boolean|object|array)\b/.test(m)) return "type-mismatch";
  return "value";
}

const got = (message: string): string | undefined => /; got (.*)$/.exec(message)?.[1];

async function checks(): Promise<Map<string, Check>> {
  const out = new Map<string, Check>();
  for (const family of families as readonly FamilyDefinition[]) {
    if (family.validator === undefined) continue;
    let module: Record<string, unknown>;
    try {
      module = (await import(`../../generated/validators/${family.name}.js`)) as Record<string, unknown>;
    } catch {
      continue;
    }
    const one = module[family.validator] as (value: unknown, options: { strict: boolean }) => Result;
    if (typeof one !== "function") continue;
    if (family.body === "xml") {
      const xml = module[`validate${pascalCase(family.name)}Xml`] as (text: string, options: { strict: boolean }) => Result;
      out.set(family.name, (body) => [/^\uFEFF?\s*[{[]/.test(body) ? one(JSON.parse(body), { strict: true }) : xml(body, { strict: true })]);
    } else {
      out.set(family.name, (body) => {
        const value: unknown = JSON.parse(body);
        return Array.isArray(value) && family.body === "json-array" ? value.map((item) => one(item, { strict: true })) : [one(value, { strict: true })];
      });
    }
  }
  return out;
}

/** The socket validators (strict), by socket kind. */
async function socketChecks(): Promise<Map<string, (value: unknown) => Result>> {
  const out = new Map<string, (value: unknown) => Result>();
  const stream = (await import("../../generated/validators/stream.js")) as unknown as Record<string, (value: unknown, options: { strict: boolean }) => Result>;
  const transcription = (await import("../../generated/validators/transcription.js")) as unknown as Record<string, (value: unknown, options: { strict: boolean }) => Result>;
  out.set("stream", (value) => stream.validateStreamMessage(value, { strict: true }));
  out.set("transcription", (value) => transcription.validateTranscriptionMessage(value, { strict: true }));
  return out;
}

async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ["--spec"], booleans: ["--json"] });
  const spec = args.values.get("--spec");
  if (spec !== undefined) {
    if (args.positionals.length > 0) throw new UsageError("give --spec or capture files, not both");
    return (await import("./drift-spec.js")).runSpecDrift(spec, { json: args.booleans.has("--json") });
  }
  const files = readCaptures(args.positionals);
  const byFamily = await checks();
  const bySocket = await socketChecks();
  const findings = new Map<string, Finding>();
  let deliveries = 0;
  let skipped = 0;
  let socketMessages = 0;
  const add = (family: string, event: string, kind: Kind, path: string, where: string, raw: string, detail: string, value?: string): void => {
    const key = `${family}\u0000${event}\u0000${kind}\u0000${path}`;
    let f = findings.get(key);
    if (f === undefined) findings.set(key, (f = { family, event, kind, path, count: 0, values: [], example: `${where} ${raw}`.trim(), detail }));
    f.count++;
    if (value !== undefined && f.values.length < 5 && !f.values.includes(value)) f.values.push(value);
  };
  /** Adds a message's validation results to the findings (deliveries and socket messages alike). */
  function report(family: string, recorded: string | undefined, results: Result[], where: string): void {
    for (const result of results) {
      const event = result.type ?? recorded ?? "?";
      if (result.unknownType === true) {
        add(family, event, "new-event-type", "", where, "", `unknown ${family} event type`, event);
        continue;
      }
      if (result.renamedFrom !== undefined) add(family, event, "renamed-event", "", where, "", `arrived as ${JSON.stringify(result.renamedFrom)}`, result.renamedFrom);
      for (const issue of result.ok ? [] : (result.errors ?? [])) {
        const kind = kindOf(issue);
        const path = issue.path.replace(/\/\d+(?=\/|$)/g, "/*");
        add(family, event, kind, path, where, issue.path === path ? "" : issue.path, issue.message, kind === "new-enum-value" ? got(issue.message) : undefined);
      }
    }
  }
  for (const file of files) {
    file.entries.forEach((entry: CaptureEntry, i) => {
      const where = `${file.path}#${i + 1}`;
      const check = byFamily.get(entry.family);
      if (entry.body === null || entry.body === "" || check === undefined || entry.method === "GET") {
        skipped++;
        return;
      }
      deliveries++;
      let results: Result[];
      try {
        results = check(entry.body);
      } catch (error) {
        add(entry.family, entry.event ?? "?", "unreadable", "", where, "", (error as Error).message);
        return;
      }
      report(entry.family, entry.event, results, where);
    });
    file.sockets.forEach((entry: SocketCaptureEntry, i) => {
      const where = `${file.path}#socket${i + 1}`;
      const check = bySocket.get(entry.socket);
      if (entry.type !== "in" && entry.type !== "out") return; // an open or a close: nothing to check
      if (entry.message === undefined || check === undefined) {
        skipped++;
        return;
      }
      socketMessages++;
      let value: unknown;
      try {
        value = JSON.parse(entry.message);
      } catch (error) {
        add(entry.socket, entry.event ?? "?", "unreadable", "", where, "", (error as Error).message);
        return;
      }
      report(entry.socket, entry.event, [check(value)], where);
    });
  }
  const list = [...findings.values()].sort((a, b) => a.family.localeCompare(b.family) || a.event.localeCompare(b.event) || a.kind.localeCompare(b.kind) || a.path.localeCompare(b.path));
  if (args.booleans.has("--json")) {
    for (const f of list) process.stdout.write(`${JSON.stringify(f)}\n`);
    process.stdout.write(`${JSON.stringify({ summary: true, deliveries, socketMessages, skipped, findings: list.length, drift: list.length > 0 })}\n`);
  } else {
    const paint = painter(process.stdout);
    if (list.length > 0) {
      const rows = [["family", "event", "kind", "path", "count", "values / example"], ...list.map((f) => [f.family, f.event, f.kind, f.path || "-", String(f.count), f.values.length > 0 ? f.values.join(", ") : f.example].map(printable))];
      const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
      for (const [n, row] of rows.entries()) {
        const line = row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ");
        process.stdout.write(`${n === 0 ? paint.bold(line) : line}\n`);
      }
    }
    process.stdout.write(`${deliveries} deliveries${socketMessages > 0 ? ` and ${socketMessages} socket messages` : ""} checked${skipped > 0 ? ` (${skipped} without a body to check)` : ""}: ${list.length === 0 ? paint.green("no drift") : paint.red(`${list.length} ${list.length === 1 ? "kind" : "kinds"} of drift`)}\n`);
  }
  return list.length === 0 ? 0 : 1;
}

export const driftCommand: Command = { summary: "Report what captured traffic or a newer Bandwidth spec has that the schemas did not expect", help: HELP, run };
