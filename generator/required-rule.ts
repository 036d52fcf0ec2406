// The catalog's `required` rule (CONTRIBUTING.md, schema rule 3): a field is required only when Bandwidth
// sends it on every delivery. Checked from our schemas alone: a required property must not accept null (a
// nullable field is one Bandwidth may leave out) and must not be described as conditional ("only present",
// "absent when", "optional", …). Reasoned exceptions live in generator/required-exceptions.json.
import { readFileSync } from "node:fs";
import { resolvePointer, resolveRef, type JsonSchema } from "./schema-refs.js";

/** A required field we keep although a check flags it, with the reason (generator/required-exceptions.json). */
export interface RequiredException {
  /** Schema file relative to schemas/, e.g. `voice/transferDisconnect.schema.json`. */
  file: string;
  /** JSON pointer of the object inside that file ("" = the event itself). */
  at: string;
  property: string;
  why: string;
}

/** One required field that breaks the rule. */
export interface RequiredFinding {
  file: string;
  at: string;
  property: string;
  problem: string;
}

/** Words that say a field is not on every delivery (ours and Bandwidth's spec, which writes "(optional)"). */
export const CONDITIONAL_WORDS: RegExp =
  /\b(only (be )?(present|sent|included)|(present|sent|included) only (when|if|for|on)|absent (when|if)|omitted (when|if)|not always (present|sent)|if present|when present|may be (missing|absent|omitted)|will not be present)\b|\(optional\)/i;

/** Read the exceptions file and check the shape of every entry. */
export function loadRequiredExceptions(file: string): RequiredException[] {
  const data = JSON.parse(readFileSync(file, "utf8"));
  if (!Array.isArray(data)) throw new Error(`${file}: must be a JSON array`);
  data.forEach((entry, i) => {
    for (const key of ["file", "property", "why"] as const) {
      if (typeof entry?.[key] !== "string" || entry[key].trim() === "") throw new Error(`${file}[${i}]: "${key}" must be a non-empty string`);
    }
    if (typeof entry.at !== "string") throw new Error(`${file}[${i}]: "at" must be a JSON pointer string ("" for the event itself)`);
  });
  return data as RequiredException[];
}

interface Located {
  node: unknown;
  id: string;
}

/** The property schema and every schema it reaches through `$ref` and `anyOf`/`oneOf` branches. */
function reachable(start: Located, schemas: Map<string, JsonSchema>): Located[] {
  const out: Located[] = [];
  const visit = (loc: Located, depth: number): void => {
    if (depth > 20 || loc.node === null || typeof loc.node !== "object") return;
    out.push(loc);
    const node = loc.node as JsonSchema;
    if (typeof node.$ref === "string") {
      const target = resolveRef(loc.id, node.$ref);
      const doc = schemas.get(target.id);
      if (doc !== undefined) visit({ node: target.pointer ? resolvePointer(doc, target.pointer) : doc, id: target.id }, depth + 1);
    }
    for (const key of ["anyOf", "oneOf"]) if (Array.isArray(node[key])) for (const branch of node[key]) visit({ node: branch, id: loc.id }, depth + 1);
  };
  visit(start, 0);
  return out;
}

/** Does this schema node (followed through refs and branches) accept `null`? */
function acceptsNull(nodes: Located[]): boolean {
  return nodes.some(({ node }) => {
    const n = node as JsonSchema;
    return n.type === "null" || (Array.isArray(n.type) && n.type.includes("null")) || n.const === null || (Array.isArray(n.enum) && n.enum.includes(null));
  });
}

/**
 * The description that documents the property: its own, else the first one met through `$ref` — but not
 * that of a named (titled) type, which describes the type's own fields rather than this property's presence.
 */
function presenceText(nodes: Located[]): string | undefined {
  for (const { node } of nodes) {
    const n = node as JsonSchema;
    if (typeof n.title === "string") return undefined;
    if (typeof n.description === "string") return n.description;
    if (typeof n.$ref !== "string" && !Array.isArray(n.anyOf) && !Array.isArray(n.oneOf)) return undefined;
  }
  return undefined;
}

/** Every object node (`properties` + `required`) of a schema, with its JSON pointer; examples are skipped. */
function objectNodes(node: unknown, pointer: string, visit: (node: JsonSchema, pointer: string) => void): void {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    node.forEach((child, i) => {
      objectNodes(child, `${pointer}/${i}`, visit);
    });
    return;
  }
  const n = node as JsonSchema;
  if (n.properties && typeof n.properties === "object" && Array.isArray(n.required)) visit(n, pointer);
  for (const [key, child] of Object.entries(n)) {
    if (key === "examples" || key === "const" || key === "enum" || key === "default") continue;
    objectNodes(child, `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`, visit);
  }
}

/**
 * List every required field of every schema that accepts null or is described as conditional.
 *
 * @example
 * const findings = requiredFieldFindings(catalog.schemas, catalog.files);
 * // [{ file: "voice/answer.schema.json", at: "", property: "answerTime", problem: "accepts null ..." }]
 */
export function requiredFieldFindings(schemas: Map<string, JsonSchema>, files: Map<string, string>): RequiredFinding[] {
  const findings: RequiredFinding[] = [];
  for (const [id, schema] of schemas) {
    const file = files.get(id) ?? id;
    objectNodes(schema, "", (node, at) => {
      for (const property of node.required as string[]) {
        const declared = node.properties[property];
        if (declared === undefined) continue;
        const nodes = reachable({ node: declared, id }, schemas);
        if (acceptsNull(nodes)) findings.push({ file, at, property, problem: "is required but accepts null (a nullable field is one Bandwidth may leave out: make it optional)" });
        const wording = presenceText(nodes);
        if (wording !== undefined && CONDITIONAL_WORDS.test(wording)) {
          findings.push({ file, at, property, problem: `is required but described as conditional ("${String(wording.match(CONDITIONAL_WORDS)![0])}"): make it optional or reword` });
        }
      }
    });
  }
  return findings;
}

/** Findings not covered by an exception, as catalog problem lines. */
export function requiredRuleProblems(findings: RequiredFinding[], exceptions: RequiredException[]): string[] {
  const excused = (f: RequiredFinding): boolean => exceptions.some((e) => e.file === f.file && e.at === f.at && e.property === f.property);
  return findings.filter((f) => !excused(f)).map((f) => `${f.file}${f.at ? `#${f.at}` : ""}: "${f.property}" ${f.problem}`);
}
