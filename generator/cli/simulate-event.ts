// `bw-codegen simulate event <type>`: builds one event from its schema's first example (edited with
// `--set path=value`), checks it with the project's validators, and delivers it with Bandwidth's auth
// challenge, shaped as its family arrives on the wire (from the model): a JSON object, a JSON array
// (messaging), or an XML document (numbers). Families that arrive by GET only are not simulated here.
import { join } from "node:path";
import { UsageError, parseArgs } from "./args.js";
import { checkUrl, credentials, useColour } from "./simulate.js";
import { loadCatalog } from "../catalog.js";
import { buildModel, type FamilyModel } from "../model/build-model.js";
import { eventNames } from "../model/handler-names.js";
import { REPO_ROOT } from "../paths.js";
import { didYouMean } from "./suggest.js";

interface EventSchema {
  family: FamilyModel;
  event: string;
  response: string;
  example: Record<string, unknown>;
  xml?: { root: string; arrays?: string[] };
}

/** Families `simulate event` delivers: served over HTTP with a POST body. */
function simulatedFamilies(): FamilyModel[] {
  const model = buildModel(loadCatalog(join(REPO_ROOT, "schemas")));
  return model.families.filter((f) => f.served && (f.http?.methods ?? ["POST"]).includes("POST"));
}

function loadSchemas(families: readonly FamilyModel[]): EventSchema[] {
  return families.flatMap((family) =>
    family.events.map((e) => ({ family, event: e.event, response: e.meta.response ?? "empty", example: e.schema.examples[0], xml: e.meta.xml as EventSchema["xml"] })),
  );
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
  const family = schema.family;
  const module = (await import(`../../generated/validators/${family.name}.js`)) as Record<string, (value: unknown) => { ok: boolean; errors?: { path: string; message: string }[] }>;
  const name = family.body === "xml" ? family.exports.validateXml! : family.body === "json-array" ? family.exports.batch! : family.validator;
  const result = module[name](body);
  return result.ok ? [] : (result.errors ?? []);
}

/**
 * The event schema a type names: its wire name (`message-received`), its handler's method name
 * (`messageReceived`, as `scaffold --events` accepts) or a name Bandwidth used earlier. An unknown name
 * gets the closest known ones ("did you mean …?"), or the whole list when none is close.
 */
function pick(type: string | undefined, familyName: string | undefined): EventSchema {
  if (type === undefined) throw new UsageError("say which event: simulate event <type> (e.g. answer, message-received, portins)");
  const families = simulatedFamilies();
  if (familyName !== undefined && !families.some((f) => f.name === familyName)) throw new UsageError(`--family must be one of ${families.map((f) => f.name).join(", ")}`);
  const all = loadSchemas(families).filter((s) => familyName === undefined || s.family.name === familyName);
  const namesOf = (s: EventSchema): string[] => eventNames(s.family.name, s.event);
  const found = all.filter((s) => s.event === type).concat(all.filter((s) => s.event !== type && namesOf(s).includes(type)));
  if (found.length === 0) {
    const hint = didYouMean(type, all.flatMap(namesOf));
    throw new UsageError(`unknown event type "${type}"${hint || `; known: ${[...new Set(all.map((s) => s.event))].join(", ")}`}`);
  }
  // A name two families share (message-delivered: messaging and MFA) means the first family in the
  // model's order, as before MFA could be simulated; --family picks another.
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
    schema.family.body === "json-array"
      ? [event]
      : schema.family.body === "xml"
        ? `<?xml version="1.0" encoding="UTF-8"?>${toXml(schema.xml!.root, event, (s) => escapeXmlText(s))}`
        : event;
  const errors = await validate(schema, body);
  if (errors.length > 0 && !args.booleans.has("--allow-invalid")) {
    throw new UsageError(`the event is not valid (--allow-invalid sends it anyway): ${errors.map((e) => `${e.path || "/"}: ${e.message}`).join("; ")}`);
  }
  const { deliver } = await import("./simulate-deliver.js");
  return deliver({ schema: { family: schema.family.name, event: schema.event, response: schema.response }, url, username, password, body, json: args.booleans.has("--json"), color: useColour() });
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
