// The `bw-codegen` command: routes to one module per sub-command and turns usage errors into exit 2.
import { UsageError } from "./args.js";
import { checkCommand } from "./check.js";
import { generateCommand } from "./generate.js";
import { scaffoldCommand } from "./scaffold.js";
import { validateCommand } from "./validate.js";

export interface Command {
  summary: string;
  help: string;
  run(argv: string[]): Promise<number>;
}

export const commands: Record<string, Command> = {
  generate: generateCommand,
  check: checkCommand,
  validate: validateCommand,
  scaffold: scaffoldCommand,
};

function usage(): string {
  const rows = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: bw-codegen <command> [options]\n\nCommands:\n${rows.join("\n")}\n\nRun \`bw-codegen <command> --help\` for a command's options.\n`;
}

/** Run the CLI with the given arguments; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`bw-codegen: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`bw-codegen ${name}: ${err.message}\n\n${command.help}`);
      return 2;
    }
    process.stderr.write(`bw-codegen ${name}: ${(err as Error).message}\n`);
    return 1;
  }
}
