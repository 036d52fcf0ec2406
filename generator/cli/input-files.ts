// What `bw-codegen validate` reads: each argument as given, `-` as standard input, and a folder as
// every .json and .xml file under it (recursively; hidden entries, node_modules and symbolic links to
// folders skipped), in code-unit order of names at each level, so the order is the same on every machine.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "./args.js";

/** One thing to validate: a file path (read later: a missing one is reported then) or standard input. */
export interface Input {
  file: string;
  source: "file" | "stdin";
}

const EXTENSIONS = /\.(json|xml)$/i;

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // missing or unreadable: reading it reports why
  }
}

/** Every .json / .xml file under `folder`, depth first, names in code-unit order at each level. */
export function walkFolder(folder: string): string[] {
  const found: string[] = [];
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => byCodeUnits(a.name, b.name));
  for (const entry of entries) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...walkFolder(path));
    else if (EXTENSIONS.test(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && !isFolder(path)))) found.push(path);
  }
  return found;
}

/**
 * The inputs named by `validate`'s arguments, folders expanded. A folder holding no .json or .xml file
 * is a usage mistake (most likely the wrong folder), thrown as UsageError, rather than zero files passing.
 *
 * @example
 * expandInputs(["fixtures", "-"]) // [{ file: "fixtures/a.json", source: "file" }, …, { file: "-", source: "stdin" }]
 */
export function expandInputs(args: readonly string[]): Input[] {
  const inputs: Input[] = [];
  for (const arg of args) {
    if (arg === "-") inputs.push({ file: "-", source: "stdin" });
    else if (!isFolder(arg)) inputs.push({ file: arg, source: "file" });
    else {
      const files = walkFolder(arg);
      if (files.length === 0) throw new UsageError(`the folder ${arg} holds no .json or .xml file`);
      for (const file of files) inputs.push({ file, source: "file" });
    }
  }
  return inputs;
}
