// A tiny, strict command-line parser: flags with values, boolean flags, positionals, and a usage
// error (exit 2) for anything unknown, so every command reports mistakes the same way.

export class UsageError extends Error {}

export interface FlagSpec {
  /** Flags that take a value, e.g. `--out DIR`. */
  values?: string[];
  /** Flags that take no value, e.g. `--json`. */
  booleans?: string[];
}

export interface ParsedArgs {
  values: Map<string, string>;
  booleans: Set<string>;
  positionals: string[];
}

/**
 * Parse `argv` against the accepted flags; `--flag=value` and `--flag value` are both accepted.
 *
 * @example
 * parseArgs(["--kind", "voice", "a.json"], { values: ["--kind"] }).positionals // ["a.json"]
 */
export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const values = new Map<string, string>();
  const booleans = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("--") || arg === "-") {
      if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option ${arg}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (spec.values?.includes(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === "") throw new UsageError(`${name} needs a value`);
      values.set(name, value);
    } else if (spec.booleans?.includes(name) && eq === -1) {
      booleans.add(name);
    } else {
      throw new UsageError(`unknown option ${name}`);
    }
  }
  return { values, booleans, positionals };
}
