// `bw-codegen simulate event <type>`: builds one event from its schema's first example (edited with
// `--set path=value`), checks it with the project's validators, and delivers it with Bandwidth's auth
// challenge: voice as a JSON object, messaging as Bandwidth's JSON array, numbers as XML.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError, parseArgs } from "./args.js";
import { checkUrl, credentials, useColour } from "./simulate.js";
import { REPO_ROOT } from "../paths.js";

const FAMILIES = ["voice", "messaging", "numbers"] as const;
type Family = (typeof FAMILIES)[number];

interface EventSchema {
  family: Family;
  event: string;
  response: string;
  example: Record<string, unknown>;
  xml?: { root: string; arrays?: string[] };
}

function loadSchemas(): EventSchema[] {
  return FAMILIES.flatMap((family) => {
    const dir = join(REPO_ROOT, "schemas", family);
    return readdirSync(dir)
      .filter((name) => name.endsWith(".schema.json"))
      .sort()
      .map((name) => {
        const schema = JSON.parse(readFileSync(join(dir, name), "utf8"));
        return { family, event: schema["x-bw"].event, response: schema["x-bw"].response, example: schema.examples[0], xml: schema["x-bw"].xml };
      });
  });
}

/** Sets `path` (dots between keys) to `raw`: kept as text where the field already holds text, otherwise read as JSON when it parses. */
export function setPath(target: Record<string, unknown>, assignment: string): void {
  const eq = assignment.indexOf("=");
  if (eq <= 0) throw new UsageError(`--set ${assignment}: write path=value`);
  const keys = assignment.slice(0, eq).split(".");
  const raw = assignment.slice(eq + 1);
  let node: Record<string, unknown> = target;
  for (const key of keys.slice(0, -1)) {
    if (key === "__proto__" || key === "constructor" || key === "prototype") throw new UsageError(`--set: ${key} is not a field name`);
    const next = node[key];
    if (next === null || typeof next !== "object") node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (last === "__proto__" || last === "constructor" || last === "prototype") throw new UsageError(`--set: ${last} is not a field name`);
  let value: unknown = raw;
  if (typeof node[last] !== "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      // not JSON: the text itself
    }
  }
  node[last] = value;
}

/** The JSON form of an XML notification back to XML (arrays repeat their element). */
function toXml(name: string, value: unknown, escapeText: (s: string) => string): string {
  if (Array.isArray(value)) return value.map((item) => toXml(name, item, escapeText)).join("");
  if (value !== null && typeof value === "object") {
    return `<${name}>${Object.entries(value).map(([k, v]) => toXml(k, v, escapeText)).join("")}</${name}>`;
  }
  return `<${name}>${escapeText(String(value))}</${name}>`;
}

async function validate(schema: EventSchema, body: unknown): Promise<{ path: string; message: string }[]> {
  const v = { ...(await import("../../generated/validators/voice.js")), ...(await import("../../generated/validators/messaging.js")), ...(await import("../../generated/validators/numbers.js")) };
  const result =
    schema.family === "voice" ? v.validateVoiceCallback(body) : schema.family === "messaging" ? v.validateMessagingCallback(body) : v.validateNumbersXml(body as string);
  return result.ok ? [] : result.errors;
}

function pick(type: string | undefined, family: string | undefined): EventSchema {
  if (type === undefined) throw new UsageError("say which event: simulate event <type> (e.g. answer, message-received, portins)");
  if (family !== undefined && !(FAMILIES as readonly string[]).includes(family)) throw new UsageError(`--family must be one of ${FAMILIES.join(", ")}`);
  const all = loadSchemas();
  const found = all.filter((s) => s.event === type && (family === undefined || s.family === family));
  if (found.length === 0) {
    const names = all.filter((s) => family === undefined || s.family === family).map((s) => s.event);
    throw new UsageError(`unknown event type "${type}"; known: ${[...new Set(names)].join(", ")}`);
  }
  if (found.length > 1) throw new UsageError(`"${type}" exists in ${found.map((s) => s.family).join(" and ")}: add --family`);
  return found[0];
}

/** Runs `simulate event`; resolves to the exit code. */
export async function runEventCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ["--url", "--username", "--password", "--family", "--set"], booleans: ["--json", "--allow-invalid"] });
  const url = checkUrl(args.values.get("--url"));
  const { username, password } = credentials(args.values);
  if (args.positionals.length > 1) throw new UsageError(`unexpected argument ${args.positionals[1]}`);
  const schema = pick(args.positionals[0], args.values.get("--family"));
  const event: Record<string, unknown> = structuredClone(schema.example);
  for (const assignment of setValues(argv)) setPath(event, assignment);
  const { escapeXmlText } = await import("../../generated/runtime/xml/escape.js");
  const body: unknown =
    schema.family === "messaging" ? [event] : schema.family === "numbers" ? `<?xml version="1.0" encoding="UTF-8"?>${toXml(schema.xml!.root, event, (s) => escapeXmlText(s))}` : event;
  const errors = await validate(schema, body);
  if (errors.length > 0 && !args.booleans.has("--allow-invalid")) {
    throw new UsageError(`the event is not valid (--allow-invalid sends it anyway): ${errors.map((e) => `${e.path || "/"}: ${e.message}`).join("; ")}`);
  }
  const { deliver } = await import("./simulate-deliver.js");
  return deliver({ schema: { family: schema.family, event: schema.event, response: schema.response }, url, username, password, body, json: args.booleans.has("--json"), color: useColour() });
}

/** `--set` may repeat: collect every occurrence (parseArgs keeps one value per flag). */
function setValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--set") out.push(argv[++i] ?? "");
    else if (argv[i].startsWith("--set=")) out.push(argv[i].slice(6));
  }
  return out;
}
