// The kinds of document `bw-codegen validate` knows: how to recognise each from its content
// (`--kind auto`) and how to validate it. A family adds one entry here.
import { validateVoiceCallback } from "../../generated/index.js";
import type { ValidationIssue } from "../../generated/index.js";
import { parseJsonText } from "./json-text.js";

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

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Validate a JSON document with a family validator, turning parse failures into a verdict. */
export function jsonVerdict(text: string, options: ValidateKindOptions, validate: (value: unknown) => { ok: boolean; type?: string; errors?: ValidationIssue[] }): Verdict {
  const parsed = parseJsonText(text, options.strictJson);
  if (!parsed.ok) return { valid: false, type: null, errors: [{ path: "", message: parsed.message }] };
  const result = validate(parsed.value);
  const verdict: Verdict = { valid: result.ok, type: result.type ?? null, errors: result.ok ? [] : (result.errors ?? []) };
  if (parsed.warnings.length) verdict.warnings = parsed.warnings;
  return verdict;
}

export const voiceKind: Kind = {
  name: "voice",
  detect: (_text, json) => isObject(json) && "eventType" in json,
  validate: (text, options) => jsonVerdict(text, options, (value) => validateVoiceCallback(value, { strict: options.strict })),
};

/** Kinds in the order `--kind auto` tries them (most specific first). */
export const kinds: Kind[] = [voiceKind];
