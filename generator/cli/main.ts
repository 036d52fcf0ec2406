// The `bw-codegen` command: routes to one module per sub-command (the registry below), answers
// `--help` / `--version`, and turns a UsageError into one line saying what is wrong, a hint line
// naming the help to read, and exit 2. A new sub-command is a module exporting a `Command`
// (./command.ts) plus one entry in `commands`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../paths.js";
import { UsageError, wantsHelp } from "./args.js";
import { painter } from "./colour.js";
import type { Command } from "./command.js";
import { didYouMean } from "./suggest.js";

/** Sub-commands, loaded only when used: the generator's dependencies are heavy and `validate` needs none of them. */
export const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  // generate / check check for the generator's tools when they run, not when loaded: `--help` works without them
  generate: { summary: "Generate types, validators, OpenAPI spec, handlers and runtime from the schemas", load: async () => (await import("./generate.js")).generateCommand },
  check: { summary: "Fail if generated/ is stale or was edited by hand", load: async () => (await import("./check.js")).checkCommand },
  validate: { summary: "Validate callback payloads (JSON/XML) and BXML documents", load: async () => (await import("./validate.js")).validateCommand },
  scaffold: { summary: "Write a runnable, authenticated webhook receiver project", load: async () => (await import("./scaffold.js")).scaffoldCommand },
  docs: { summary: "Write a static HTML reference of every webhook (needs the redoc package)", load: async () => (await import("./docs.js")).docsCommand },
  simulate: { summary: "Simulate a call (or one event) from Bandwidth against a local receiver", load: async () => (await import("./simulate.js")).simulateCommand },
  drift: { summary: "Report what captured traffic or a newer Bandwidth spec has that the schemas did not expect", load: async () => (await import("./drift.js")).driftCommand },
  fixtures: { summary: "Turn a capture into fixture files and a node:test file that replays them", load: async () => (await import("./fixtures.js")).fixturesCommand },
  replay: { summary: "Replay captured deliveries against a receiver and diff its answers", load: async () => (await import("./replay.js")).replayCommand },
};

function usage(): string {
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: bw-codegen <command> [options]

Commands:
${rows.join("\n")}

Options:
  --help, -h      show this help
  --version, -v   print bw-codegen's version

Run \`bw-codegen <command> --help\` for a command's options.
`;
}

/** bw-codegen's version, from its own package.json. */
export function version(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * Report a usage mistake the same way for every command: one line, one hint, exit status 2.
 *
 * @example
 * usageError("validate", "name at least one file") // stderr: "bw-codegen validate: name at least one file\nRun 'bw-codegen validate --help' for usage.\n"
 */
export function usageError(command: string | undefined, message: string, helpFor: string | undefined = command): number {
  const paint = painter(process.stderr);
  const who = command === undefined ? "bw-codegen" : `bw-codegen ${command}`;
  const help = helpFor === undefined ? "bw-codegen --help" : `bw-codegen ${helpFor} --help`;
  process.stderr.write(`${paint.bold(who)}: ${paint.red(message)}\n${paint.dim(`Run '${help}' for usage.`)}\n`);
  return 2;
}

function entryFor(name: string): { summary: string; load: () => Promise<Command> } | undefined {
  return  Object.hasOwn(commands, name) ? commands[name] : undefined;
}

/** Answers what is not a sub-command: nothing, help, version, an option or an unknown name. */
function topLevel(name: string | undefined, rest: string[]): number | undefined {
  if (name === undefined) {
    process.stderr.write(usage());
    return 2;
  }
  if (name === "--help" || name === "-h" || (name === "help" && rest.length === 0)) {
    process.stdout.write(usage());
    return 0;
  }
  if (name === "--version" || name === "-v") {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (name.startsWith("-")) {
    const option = name.split("=")[0];
    return usageError(undefined, `unknown option ${option}${didYouMean(option, ["--help", "--version"])}`);
  }
  if (name !== "help" && !entryFor(name)) return usageError(undefined, `unknown command "${name}"${didYouMean(name, Object.keys(commands))}`);
  return undefined;
}

/** Run the CLI with the given arguments; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...after] = argv;
  const answered = topLevel(first, after);
  if (answered !== undefined) return answered;
  // `bw-codegen help validate` is `bw-codegen validate --help`.
  const [name, rest] = first === "help" ? [after[0], ["--help"]] : [first, after];
  const entry = entryFor(name);
  if (!entry) return usageError(undefined, `unknown command "${name}"${didYouMean(name, Object.keys(commands))}`);
  const command: Command = await entry.load();
  if (wantsHelp(rest)) {
    process.stdout.write(command.helpFor?.(rest) ?? command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    // a sub-command's mistake (`simulate event …`) points at that sub-command's help
    if (err instanceof UsageError) return usageError(name, err.message, command.subcommands?.includes(rest[0]) ? `${name} ${rest[0]}` : name);
    process.stderr.write(`bw-codegen ${name}: ${(err as Error).message}\n`);
    return 1;
  }
}
