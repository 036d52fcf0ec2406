// Loads the family definitions: every module in generator/families/ (or a folder a test names) whose
// default export is a FamilyDefinition, sorted by `order`. A new family is its schemas plus one file
// there; nothing else lists families.
import { readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { join } from "node:path";
import type { FamilyDefinition } from "./family-definition.js";

/** The folder of this project's family definitions. */
export const FAMILIES_DIR: string = fileURLToPath(new URL("../families/", import.meta.url));

// In a checkout the sources run as TypeScript (tsx); in an installed package as the JavaScript that
// build-cli.ts compiled next to them. Load the kind this module itself is.
const EXTENSION = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

function checked(file: string, value: unknown): FamilyDefinition {
  const d = value as Partial<FamilyDefinition> | undefined;
  const missing = (["name", "order", "description", "body", "union", "eventTypeAlias", "map", "handlers", "validator", "reference"] as const).filter((k) => d?.[k] === undefined);
  if (missing.length > 0) throw new Error(`${file}: the default export is not a family definition (missing ${missing.join(", ")})`);
  if (d!.discriminant === undefined && d!.select === undefined) throw new Error(`${file}: a family needs a discriminant or select rules`);
  return d as FamilyDefinition;
}

/**
 * Every family definition in `dir` (`*.ts`/`*.js` modules, one family each), sorted by `order` then name.
 *
 * @example
 * const families = await loadFamilyDefinitions(FAMILIES_DIR);
 * families.map((f) => f.name); // ["voice", "messaging", "numbers", …]
 */
export async function loadFamilyDefinitions(dir: string = FAMILIES_DIR, extension: string = EXTENSION): Promise<FamilyDefinition[]> {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(extension) && !name.endsWith(".d.ts"))
    .sort();
  const loaded = await Promise.all(files.map(async (name) => checked(name, ((await import(pathToFileURL(join(dir, name)).href)) as { default?: unknown }).default)));
  const seen = new Map<string, string>();
  loaded.forEach((d, i) => {
    if (seen.has(d.name)) throw new Error(`${files[i]}: family "${d.name}" is also defined by ${seen.get(d.name)}`);
    seen.set(d.name, files[i]);
  });
  return loaded.sort((a, b) => a.order - b.order || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** This project's families, in order. */
export const families: readonly FamilyDefinition[] = await loadFamilyDefinitions();

/** Look a family up by name; throws for an unknown one. */
export function familyByName(name: string, among: readonly FamilyDefinition[] = families): FamilyDefinition {
  const found = among.find((f) => f.name === name);
  if (!found) throw new Error(`unknown family "${name}" (known: ${among.map((f) => f.name).join(", ")})`);
  return found;
}

/** The earlier names of one event (empty when it was never renamed). */
export function earlierNames(family: string, event: string, among: readonly FamilyDefinition[] = families): string[] {
  return (familyByName(family, among).renames ?? []).filter((r) => r.to === event).map((r) => r.from);
}
