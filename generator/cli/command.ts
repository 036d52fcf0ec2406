// The shape of a `bw-codegen` sub-command. Its own module so that main.ts (the registry) imports the
// sub-commands and the sub-commands import only this type: no import cycle between them.

/**
 * One sub-command. `run` gets the arguments after the command name (`--help` is handled by main.ts),
 * resolves to the exit code, and throws `UsageError` (from ./args.js) for a usage mistake: main.ts
 * then prints one line saying what is wrong plus a hint to run `--help`, and exits 2.
 */
export interface Command {
  /** One line for `bw-codegen --help`. */
  summary: string;
  /** The full text of `bw-codegen <command> --help`, starting with `Usage: bw-codegen <command>`. */
  help: string;
  /** Help of a sub-command (`simulate call --help`), for commands that have sub-commands. */
  helpFor?(argv: string[]): string;
  /** Names of the sub-commands (`call`, `event`): a usage error after one points at its own `--help`. */
  subcommands?: readonly string[];
  run(argv: string[]): Promise<number>;
}
