// Reads JSON text the way `bw-codegen validate` needs: strict JSON first; if that fails only
// because of trailing commas (a slip found in some of Bandwidth's published examples, never in
// real traffic, which is machine-serialised), parse again without them and report a warning. A
// failure says where: line and column of the first syntax error (./json-syntax.ts).
import { locateJsonError } from "./json-syntax.js";

export type JsonText =
  | { ok: true; value: unknown; warnings: string[] }
  | { ok: false; message: string; line?: number; column?: number };

/** Remove commas that directly precede `}` or `]`, outside strings. */
function withoutTrailingCommas(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i] ?? "";
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (c === ",") {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) j++;
      if (text[j] === "}" || text[j] === "]") continue;
    }
    out += c;
  }
  return out;
}

/**
 * Parse JSON text; trailing commas are tolerated with a warning unless `strictJson`.
 *
 * @example
 * parseJsonText('{"a": 1,}') // { ok: true, value: { a: 1 }, warnings: ["..."] }
 */
export function parseJsonText(text: string, strictJson = false): JsonText {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(source), warnings: [] };
  } catch (err) {
    const failure = notJson(source, err as Error);
    if (strictJson) return failure;
    const repaired = withoutTrailingCommas(source);
    if (repaired === source) return failure;
    try {
      const where = failure.line === undefined ? "" : ` (the first just before line ${failure.line}, column ${failure.column})`;
      return { ok: true, value: JSON.parse(repaired), warnings: [`the JSON has trailing commas${where} (not strict JSON; Bandwidth's servers never send them): accepted`] };
    } catch {
      return failure;
    }
  }
}

/** The failure for text JSON.parse refused: line, column and reason from the scanner, else JSON.parse's words. */
function notJson(source: string, error: Error): { ok: false; message: string; line?: number; column?: number } {
  const located = locateJsonError(source);
  if (located === undefined) return { ok: false, message: `not valid JSON: ${error.message}` };
  return { ok: false, message: `not valid JSON at line ${located.line}, column ${located.column}: ${located.reason}`, line: located.line, column: located.column };
}
