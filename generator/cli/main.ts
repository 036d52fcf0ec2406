// The `bw-codegen` command: routes to one module per sub-command and turns usage errors into exit 2.
import { UsageError } from "./args.js";
import { requireGeneratorTools } from "./generator-tools.js";

export interface Command {
  summary: string;
  help: string;
  run(argv: string[]): Promise<number>;
}

/** Sub-commands, loaded only when used: the generator's dependencies are heavy and `validate` needs none of them. */
export const commands: Record<string, { summary: string; load: () => Promise<Command> }> = {
  generate: { summary: "Generate types, validators, OpenAPI spec, handlers and runtime from the schemas", load: async () => (requireGeneratorTools("bw-codegen generate"), (await import("./generate.js")).generateCommand) },
  check: { summary: "Fail if generated/ is stale or was edited by hand", load: async () => (requireGeneratorTools("bw-codegen check"), (await import("./check.js")).checkCommand) },
  validate: { summary: "Validate callback payloads (JSON/XML) and BXML documents", load: async () => (await import("./validate.js")).validateCommand },
  scaffold: { summary: "Write a runnable, authenticated webhook receiver project", load: async () => (await import("./scaffold.js")).scaffoldCommand },
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
  const entry = Object.prototype.hasOwnProperty.call(commands, name) ? commands[name] : undefined;
  if (!entry) {
    process.stderr.write(`bw-codegen: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let command: Command;
  try {
    command = await entry.load();
  } catch (err) {
    process.stderr.write(`bw-codegen ${name}: ${(err as Error).message}\n`);
    return 1;
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
