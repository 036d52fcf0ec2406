// Where JSON text stops being JSON: a small scanner (RFC 8259 grammar, no values built) that finds the
// first syntax error and reports it as line:column with a plain reason. JSON.parse's own messages differ
// between Node versions and often carry no position; this gives `validate` the same answer everywhere.
// Iterative (an explicit stack), so deeply nested input cannot overflow the call stack.

export interface JsonSyntaxError {
  /** 1-based line and column (in UTF-16 code units) of the offending character, or of the end of the text. */
  line: number;
  column: number;
  reason: string;
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);

type Failure = { at: number; reason: string };

function describe(c: string | undefined): string {
  return c === undefined ? "unexpected end of the text" : `unexpected ${JSON.stringify(c)}`;
}

/** Index just past the string starting at `start` (a `"`), or where and why it is broken. */
function scanString(text: string, start: number): number | Failure {
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') return i + 1;
    if (c.charCodeAt(0) < 0x20) return { at: i, reason: "a control character (such as a raw line break) inside a string: escape it" };
    if (c !== "\\") continue;
    const next = text[i + 1];
    if (next === "u") {
      if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) return { at: i, reason: "\\u must be followed by four hex digits" };
      i += 5;
    } else if (next !== undefined && ESCAPES.has(next)) i++;
    else return { at: i, reason: `invalid escape \\${next ?? ""}` };
  }
  return { at: text.length, reason: "unterminated string (no closing quote)" };
}

/** Index just past the scalar (string, number, true/false/null) at `i`, or a failure. */
function scanScalar(text: string, i: number): number | Failure {
  const c = text[i];
  if (c === '"') return scanString(text, i);
  for (const word of ["true", "false", "null"]) if (text.startsWith(word, i)) return i + word.length;
  NUMBER.lastIndex = i;
  const number = NUMBER.exec(text);
  if (number !== null && number[0] !== "" && number[0] !== "-") return i + number[0].length;
  return { at: i, reason: c === "'" ? "strings must use double quotes" : describe(c) };
}

type State = "value" | "value-or-close" | "key" | "key-or-close" | "colon" | "after";

/** Offset and reason of the first syntax error, or undefined when the text is JSON. */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: over the limit of 40 when the limit was set (issue 21); split it when it is next changed
function firstError(text: string): Failure | undefined {
  const closers: string[] = [];
  let state: State = "value";
  for (let i = 0; ; ) {
    while (WHITESPACE.has(text[i])) i++;
    const c = text[i];
    const top = closers[closers.length - 1];
    if (state === "after") {
      // A value just ended: the text ends, or its container goes on (",") or closes.
      if (top === undefined) return c === undefined ? undefined : { at: i, reason: `${describe(c)} after the end of the JSON value` };
      if (c === ",") state = top === "}" ? "key" : "value";
      else if (c === top) closers.pop();
      else return { at: i, reason: `${describe(c)}: expected "," or "${top}"` };
      i++;
      continue;
    }
    if (state === "colon") {
      if (c !== ":") return { at: i, reason: `${describe(c)}: expected ":" after the property name` };
      state = "value";
      i++;
      continue;
    }
    if ((state === "key-or-close" && c === "}") || (state === "value-or-close" && c === "]")) {
      closers.pop();
      state = "after";
      i++;
      continue;
    }
    if (state === "key" || state === "key-or-close") {
      if (c !== '"') return { at: i, reason: `${describe(c)}: expected a property name in double quotes${c === "}" ? " (a trailing comma?)" : ""}` };
      const end = scanString(text, i);
      if (typeof end !== "number") return end;
      state = "colon";
      i = end;
      continue;
    }
    if (c === "{" || c === "[") {
      closers.push(c === "{" ? "}" : "]");
      state = c === "{" ? "key-or-close" : "value-or-close";
      i++;
      continue;
    }
    const end = scanScalar(text, i);
    if (typeof end !== "number") return c === "]" ? { ...end, reason: `${end.reason}: expected a value (a trailing comma?)` } : end;
    state = "after";
    i = end;
  }
}

/**
 * The first syntax error of `text` as line, column and reason; undefined when `text` is valid JSON.
 *
 * @example
 * locateJsonError('{\n  "a": 1,\n}') // { line: 3, column: 1, reason: 'unexpected "}": expected a property name in double quotes (a trailing comma?)' }
 */
export function locateJsonError(text: string): JsonSyntaxError | undefined {
  const failure = firstError(text);
  if (failure === undefined) return undefined;
  const before = text.slice(0, failure.at);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, column: failure.at - lineStart + 1, reason: failure.reason };
}
