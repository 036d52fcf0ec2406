/**
 * One pass over a JSON body for the capture's redaction (`redact.ts`): the values are visited in document
 * order, with their field name, and the replaced ones are spliced into the text; the rest is copied as it
 * arrived. No parse tree, no second serialization. It only takes text that `JSON.stringify(JSON.parse(text))`
 * would give back unchanged (compact, as Bandwidth sends it: no blanks, numbers and escapes as `JSON.stringify`
 * writes them, no repeated or integer-like field names, which `JSON.parse` would merge or move); for anything
 * else it returns `undefined` and the caller parses, walks and serializes as before, so the output is the same
 * either way (test `capture-redaction-fast-paths-equal-the-walk`). Edge-safe: text in, text out.
 */

/** What the redactor does with the values of one body. */
export interface JsonRedaction {
  /** Whether the field's whole value is kept as it arrived (`keep`), but for its credentials. */
  keeps(key: string): boolean;
  /** Whether every value under the field is personal (`customParams`, `sipHeaders`, …). */
  opens(key: string): boolean;
  /** Whether member `name` of a container that `opens` is redacted by its own name, as outside it (`stirShaken`'s `verstat`). */
  spares(container: string, name: string): boolean;
  /** Whether the field's value is a credential (a value other than a string makes the pass give up). */
  masks(key: string): boolean;
  /** A string value (decoded), redacted. */
  string(key: string, text: string, inside: boolean): string;
  /** A string value (decoded) under a kept field, under member (or array) name `key`: what is stored. */
  kept(key: string, text: string): string;
  /**
   * A number or boolean (as the text `String(value)` gives) outside kept fields: its replacement (a string
   * is written quoted, a number as JSON writes it), or `undefined` to leave it.
   */
  scalar(key: string, text: string, number: boolean, inside: boolean): string | number | undefined;
}

/** Thrown inside the pass when the text is not in `JSON.stringify`'s form (or not JSON). */
const NOT_COMPACT = Symbol("not compact JSON");

/** The pass's state: one body at a time (the pass is synchronous and never re-entered). */
let text = "";
let at = 0;
let out = "";
let copied = 0;
/** Set by `string()`: the string just scanned had an escape. */
let escaped = false;
let redaction: JsonRedaction;

function fail(): never {
  throw NOT_COMPACT;
}

/** A run of characters `JSON.stringify` writes as they are (no quote, backslash, control character or surrogate). */
const PLAIN = /[^"\\\x00-\x1f\ud800-\udfff]*/y;

/** Scans the string starting at `at` (a quote) and returns the index past its closing quote. */
function string(): number {
  escaped = false;
  let i = at + 1;
  for (;;) {
    PLAIN.lastIndex = i;
    PLAIN.test(text);
    i = PLAIN.lastIndex;
    if (i >= text.length) fail();
    const c = text.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 92) {
      const e = text.charCodeAt(i + 1);
      escaped = true;
      if (e === 34 || e === 92 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) i += 2;
      else if (e === 117 && /^00[01][0-9a-f]$/.test(text.slice(i + 2, i + 6))) {
        const code = Number.parseInt(text.slice(i + 4, i + 6), 16);
        if (code === 8 || code === 9 || code === 10 || code === 12 || code === 13) fail(); // written \b \t \n \f \r
        i += 6;
      } else fail(); // `\/`, `\u0041`, an escaped surrogate…: JSON.stringify writes them otherwise
    } else if (c < 32) fail();
    else {
      // a surrogate: a pair is written as it is, a lone one escaped
      const low = text.charCodeAt(i + 1);
      if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) fail();
      i += 2;
    }
  }
}

/** `JSON.stringify(text)`, without its call when nothing in `text` needs an escape (pseudonyms, redacted URLs). */
function quoted(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(value);
  }
  return `"${value}"`;
}

function splice(start: number, end: number, replacement: string): void {
  out += text.slice(copied, start) + replacement;
  copied = end;
}

/** A number or boolean at `start` to `at` under field `key`: replaced when the redactor says so. */
function scalar(key: string, start: number, number: boolean, inside: boolean, frozen: boolean): void {
  if (frozen) return;
  const replaced = redaction.scalar(key, text.slice(start, at), number, inside);
  if (replaced !== undefined) splice(start, at, typeof replaced === "string" ? quoted(replaced) : String(replaced));
}

/** The value at `at` under field `key` (`frozen`: under a kept field, copied as it is but for credentials). */
function value(key: string, inside: boolean, frozen: boolean): void {
  const c = text.charCodeAt(at);
  const start = at;
  if (c === 34) {
    at = string();
    const raw = escaped ? (JSON.parse(text.slice(start, at)) as string) : text.slice(start + 1, at - 1);
    const redacted = frozen ? redaction.kept(key, raw) : redaction.string(key, raw, inside);
    if (redacted !== raw) splice(start, at, quoted(redacted));
    return;
  }
  // a credential that is not a string (an object, a number…) is masked leaf by leaf: the walk does that
  if (redaction.masks(key)) fail();
  if (c === 123) object(key, inside, frozen || redaction.keeps(key));
  else if (c === 91) array(key, inside, frozen);
  else if (c === 45 || (c >= 48 && c <= 57)) {
    for (let d = c; d === 43 || d === 45 || d === 46 || d === 69 || d === 101 || (d >= 48 && d <= 57); d = text.charCodeAt(++at));
    const number = text.slice(start, at);
    if (String(Number(number)) !== number) fail(); // 1.0, 1e3, -0, 01, digits past a double's precision…
    scalar(key, start, true, inside, frozen);
  } else if (text.startsWith("true", at) || text.startsWith("null", at)) {
    at += 4;
    if (c === 116) scalar(key, start, false, inside, frozen);
  } else if (text.startsWith("false", at)) {
    at += 5;
    scalar(key, start, false, inside, frozen);
  } else fail();
}

/** An array: its items are redacted under the array's field name. */
function array(key: string, inside: boolean, frozen: boolean): void {
  at++;
  if (text.charCodeAt(at) === 93) {
    at++;
    return;
  }
  for (;;) {
    value(key, inside, frozen);
    const d = text.charCodeAt(at++);
    if (d === 93) return;
    if (d !== 44) fail();
  }
}

function object(key: string, inside: boolean, frozen: boolean): void {
  at++;
  if (text.charCodeAt(at) === 125) {
    at++;
    return;
  }
  const nested = inside || redaction.opens(key);
  const sparing = nested && !inside;
  const names: string[] = [];
  for (;;) {
    if (text.charCodeAt(at) !== 34) fail();
    const start = at;
    at = string();
    const name = text.slice(start + 1, at - 1);
    // escaped names, names JSON.parse puts first (integer-like) and repeated names (the last one wins, in the first one's place)
    const first = name.charCodeAt(0);
    if (escaped || (first >= 48 && first <= 57) || names.includes(name)) fail();
    names.push(name);
    if (text.charCodeAt(at++) !== 58) fail();
    value(name, sparing && redaction.spares(key, name) ? false : nested, frozen);
    const d = text.charCodeAt(at++);
    if (d === 125) return;
    if (d !== 44) fail();
  }
}

/**
 * The redacted text of a compact JSON body, or `undefined` when it is not in the form `JSON.stringify` writes.
 *
 * @example
 * const text = redactCompactJson(body, redaction) ?? JSON.stringify(walk(JSON.parse(body)));
 */
export function redactCompactJson(body: string, redactor: JsonRedaction): string | undefined {
  text = body;
  redaction = redactor;
  at = 0;
  out = "";
  copied = 0;
  let done = false;
  try {
    value("", false, false);
    done = at === text.length;
  } catch {
    // not in JSON.stringify's form (or nested too deep for this pass): the caller parses it
  }
  const result = !done ? undefined : copied === 0 ? body : out + body.slice(copied);
  text = "";
  out = "";
  return result;
}
