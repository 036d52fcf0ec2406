// The kinds of document `bw-codegen validate` knows: one per family with a `detect` rule in its
// definition (generator/families/*.ts), built from the model, plus BXML. How a family's documents are
// validated follows from its wire shape: a JSON array (a lone element is accepted with a warning), XML
// (or its JSON form), a GET-only query string, or one JSON object.
import { parseBxml } from "../../generated/bxml/index.js";
import { BXML_RULES } from "../../generated/bxml/rules.js";
import type { ValidationIssue } from "../../generated/index.js";
import { isObject, xmlRootName } from "../model/detect.js";
import type { FamilyDefinition } from "../model/family-definition.js";
import { families } from "../model/families.js";
import { pascalCase } from "../schema-transforms.js";
import { parseJsonText } from "./json-text.js";

export { xmlRootName };

export interface Verdict {
  valid: boolean;
  /** The event type or root element, when it could be told. */
  type: string | null;
  errors: ValidationIssue[];
  warnings?: string[];
}

export interface ValidateKindOptions {
  strict: boolean;
  strictJson: boolean;
}

/** A document kind: recognised from its text (and parsed JSON, when it is JSON). */
export interface Kind {
  name: string;
  /** True when the document looks like this kind (`--kind auto`). */
  detect(text: string, json: unknown): boolean;
  validate(text: string, options: ValidateKindOptions): Verdict;
}

/** What a family validator returns, as far as a verdict needs it. */
type KindResult = { ok: boolean; type?: string; errors?: ValidationIssue[]; renamedFrom?: string };

/** Validate a JSON document with a family validator, turning parse failures into a verdict; `element` checks a batch's items for renamed types. */
export function jsonVerdict(text: string, options: ValidateKindOptions, validate: (value: unknown) => KindResult, element?: (value: unknown) => KindResult): Verdict {
  const parsed = parseJsonText(text, options.strictJson);
  if (!parsed.ok) return { valid: false, type: null, errors: [{ path: "", message: parsed.message }] };
  const result = validate(parsed.value);
  const verdict: Verdict = { valid: result.ok, type: result.type ?? null, errors: result.ok ? [] : (result.errors ?? []) };
  const warnings = [...parsed.warnings];
  if (result.renamedFrom !== undefined && result.type !== undefined) warnings.push(renamedWarning("", result.renamedFrom, result.type));
  // A batch (a json-array family): each element that arrived under an earlier name of its type.
  if (element !== undefined && Array.isArray(parsed.value)) {
    parsed.value.forEach((item, i) => {
      const one = isObject(item) ? element(item) : undefined;
      if (one?.renamedFrom !== undefined && one.type !== undefined) warnings.push(renamedWarning(`/${i}`, one.renamedFrom, one.type));
    });
  }
  if (warnings.length) verdict.warnings = warnings;
  return verdict;
}

/** The warning for an event that arrived under another name Bandwidth has used for its type (a rename, reported as such). */
function renamedWarning(at: string, received: string, current: string): string {
  return `${at === "" ? "" : `${at}: `}renamed event: ${JSON.stringify(received)} is another name Bandwidth has used for ${JSON.stringify(current)}; a receiver handles it as ${JSON.stringify(current)} (context.receivedEventType says ${JSON.stringify(received)}) and reports it as drift`;
}

type FamilyValidatorFn = (value: unknown, options: { strict: boolean }) => KindResult;
type XmlValidatorFn = (text: string, options: { strict: boolean }) => KindResult;

/** A family's validator module (generated/validators/<family>.js), by the export names its definition gives. */
async function validatorModule(family: FamilyDefinition): Promise<Record<string, unknown>> {
  return (await import(`../../generated/validators/${family.name}.js`)) as Record<string, unknown>;
}

function asVerdict(result: { ok: boolean; type?: string; errors?: ValidationIssue[] }): Verdict {
  return { valid: result.ok, type: result.type ?? null, errors: result.ok ? [] : (result.errors ?? []) };
}

/** The document kind of one family: detection from its definition, validation by its wire shape. */
async function familyKind(family: FamilyDefinition): Promise<Kind> {
  const module = await validatorModule(family);
  const validate = module[family.validator] as FamilyValidatorFn;
  const name = family.name;
  const detect = family.detect!.matches;
  if (family.body === "json-array") {
    const batch = module[family.batchValidator ?? ""] as FamilyValidatorFn;
    return {
      name,
      detect,
      // Real deliveries are arrays; Bandwidth's own spec and SDK examples show a lone event object. A lone
      // object is validated as that one event (paths as in the object) and flagged with a warning.
      validate: (text, options) => {
        let lone = false;
        const verdict = jsonVerdict(text, options, (value) => {
          lone = isObject(value);
          return lone ? validate(value, { strict: options.strict }) : batch(value, { strict: options.strict });
        }, (item) => validate(item, { strict: options.strict }));
        if (lone) verdict.warnings = [...(verdict.warnings ?? []), `a lone ${name} event: Bandwidth delivers ${name} callbacks as a JSON array of events, so a receiver must expect [ ... ]`];
        return verdict;
      },
    };
  }
  if (family.body === "xml") {
    const validateXml = module[`validate${pascalCase(name)}Xml`] as XmlValidatorFn;
    return {
      name,
      detect,
      validate: (text, options) =>
        /^\uFEFF?\s*[{[]/.test(text) ? jsonVerdict(text, options, (value) => validate(value, { strict: options.strict })) : asVerdict(validateXml(text, { strict: options.strict })),
    };
  }
  if (family.http?.methods !== undefined && !family.http.methods.includes("POST")) {
    // GET-only families (the Emergency Calling API): the document is a query string, or its JSON form.
    return {
      name,
      detect,
      validate: (text, options) => {
        const trimmed = text.replace(/^\uFEFF/, "").trim();
        if (trimmed.startsWith("{") || trimmed.startsWith("[")) return jsonVerdict(text, options, (value) => validate(value, { strict: options.strict }));
        const query = Object.fromEntries(new URLSearchParams(trimmed.replace(/^[^?]*\?/, "")));
        return asVerdict(validate(query, { strict: options.strict }));
      },
    };
  }
  return { name, detect, validate: (text, options) => jsonVerdict(text, options, (value) => validate(value, { strict: options.strict })) };
}

/** BXML documents: XML whose root is <Response> or <Bxml>; `type` is the root element name. */
export const bxmlKind: Kind = {
  name: "bxml",
  detect: (text, json) => json === undefined && Object.hasOwn(BXML_RULES.roots, xmlRootName(text) ?? ""),
  validate: (text, options) => {
    const result = parseBxml(text, { strict: options.strict });
    const verdict: Verdict = { valid: result.ok, type: result.type ?? null, errors: result.ok ? [] : result.errors };
    if (result.warnings.length) verdict.warnings = result.warnings.map((w) => `${w.path}: ${w.message}`);
    return verdict;
  },
};

const detected = families.filter((f) => f.detect !== undefined).sort((a, b) => a.detect!.priority - b.detect!.priority);

/** Kinds in the order `--kind auto` tries them: BXML, then the families by their detection priority (most specific first). */
export const kinds: Kind[] = [bxmlKind, ...(await Promise.all(detected.map(familyKind)))];
