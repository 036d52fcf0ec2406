// A small, strict command-line parser following npm's conventions: `--flag value` and `--flag=value`
// for every option that takes a value; boolean flags as `--json`, `--json=true|false` or `--no-json`;
// `-` is a positional (stdin), `--` ends the options; anything unknown is a UsageError (exit 2) that
// names the closest known option, so every command reports mistakes the same way.
import { didYouMean } from "./suggest.js";

/** A mistake in how the command was called: main.ts prints its message on one line, a hint, and exits 2. */
export class UsageError extends Error {}

export interface FlagSpec {
  /** Flags that take a value, e.g. `--out DIR` / `--out=DIR`. */
  values?: string[];
  /** Flags that take no value, e.g. `--json` (also `--json=true`, `--json=false`, `--no-json`). */
  booleans?: string[];
  /** Value flags whose value may be empty (`--digits ""`: the caller presses nothing). */
  emptyAllowed?: string[];
  /** Short spellings, e.g. `{ "-f": "--framework" }`; `-f value` works like `--framework value`. */
  aliases?: Record<string, string>;
}

export interface ParsedArgs {
  /** Value flags given (the last one wins when repeated). */
  values: Map<string, string>;
  /** Boolean flags that ended up true (`--json`, `--json=true`; not `--json=false` / `--no-json`). */
  booleans: Set<string>;
  positionals: string[];
}

const TRUE = new Set(["true", "1", "yes"]);
const FALSE = new Set(["false", "0", "no"]);

function booleanValue(name: string, text: string): boolean {
  const lower = text.toLowerCase();
  if (TRUE.has(lower)) return true;
  if (FALSE.has(lower)) return false;
  throw new UsageError(`${name} is a switch: give it alone, or as ${name}=true / ${name}=false, not ${name}=${text}`);
}

function unknownOption(name: string, spec: FlagSpec): UsageError {
  const known = [...(spec.values ?? []), ...(spec.booleans ?? []), ...Object.keys(spec.aliases ?? {}), "--help"];
  return new UsageError(`unknown option ${name}${didYouMean(name, known)}`);
}

/** `--name` or `--name=value` (or an alias) → canonical name and inline value. */
function splitFlag(arg: string, spec: FlagSpec): { name: string; inline: string | undefined } {
  const eq = arg.indexOf("=");
  const written = eq === -1 ? arg : arg.slice(0, eq);
  const name = spec.aliases?.[written] ?? written;
  return { name, inline: eq === -1 ? undefined : arg.slice(eq + 1) };
}

/**
 * Parse `argv` against the accepted flags.
 *
 * @example
 * parseArgs(["--kind=voice", "--json=false", "a.json"], { values: ["--kind"], booleans: ["--json"] })
 * // { values: Map { "--kind" => "voice" }, booleans: Set {}, positionals: ["a.json"] }
 */
export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const values = new Map<string, string>();
  const switches = new Map<string, boolean>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const { name, inline } = splitFlag(arg, spec);
    if (spec.values?.includes(name)) {
      let value = inline;
      if (value === undefined) {
        const next = argv[i + 1];
        if (next !== undefined && !(next.startsWith("-") && next !== "-")) value = argv[++i];
      }
      if (value === undefined || (value === "" && !spec.emptyAllowed?.includes(name))) throw new UsageError(`${name} needs a value (${name} VALUE or ${name}=VALUE)`);
      values.set(name, value);
    } else if (spec.booleans?.includes(name)) {
      switches.set(name, inline === undefined ? true : booleanValue(name, inline));
    } else if (name.startsWith("--no-") && inline === undefined && spec.booleans?.includes(`--${name.slice(5)}`)) {
      switches.set(`--${name.slice(5)}`, false);
    } else {
      throw unknownOption(name, spec);
    }
  }
  const booleans = new Set([...switches].filter(([, on]) => on).map(([name]) => name));
  return { values, booleans, positionals };
}

/** True when `argv` asks for help (`--help` or `-h` before any `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => arg === "--help" || arg === "-h");
}
