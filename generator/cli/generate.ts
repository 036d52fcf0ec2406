// `bw-codegen generate`: regenerate generated/ (or another folder) from the schemas.
import { join, resolve } from "node:path";
import { REPO_ROOT } from "../paths.js";
import { parseArgs } from "./args.js";
import type { Command } from "./command.js";
import { requireGeneratorTools } from "./generator-tools.js";

export const generateCommand: Command = {
  summary: "Generate types, validators, OpenAPI spec, handlers and runtime from the schemas",
  help: `Usage: bw-codegen generate [--schemas DIR] [--out DIR]

Reads every *.schema.json under the schemas folder and writes the generated code into the output
folder: types.d.ts, validators/, events.js, handlers.d.ts, runtime/, openapi.json, openapi.yaml,
index.js. The output is self-contained (JavaScript + declarations) and deterministic. Files in the
output folder that are no longer generated are removed: the folder belongs to the generator.

Options:
  --schemas DIR   schema folder (default: the schemas shipped with bw-codegen)
  --out DIR       output folder (default: bw-codegen's own generated/)
  --help          show this help
`,
  async run(argv) {
    requireGeneratorTools();
    const { generateFiles, writeFiles } = await import("../generate.js");
    const args = parseArgs(argv, { values: ["--schemas", "--out"] });
    if (args.positionals.length) throw new (await import("./args.js")).UsageError(`unexpected argument ${args.positionals[0]}`);
    const out = resolve(args.values.get("--out") ?? join(REPO_ROOT, "generated"));
    const files = await generateFiles({ schemasDir: args.values.has("--schemas") ? resolve(args.values.get("--schemas")!) : undefined });
    const { written, removed } = writeFiles(out, files);
    process.stdout.write(`bw-codegen: ${files.size} files in ${out} (${written} written, ${files.size - written} unchanged${removed.length ? `, ${removed.length} removed` : ""})\n`);
    return 0;
  },
};
