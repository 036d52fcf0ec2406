/**
 * Loads the hand-written schemas the way a user without bw-codegen would: read the JSON files and hand
 * them to ajv at run time. Used for the "what users do today" baselines (ajv compiled at start-up,
 * ajv-formats date-time checks).
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";

export const SCHEMAS_DIR: string = fileURLToPath(new URL("../schemas/", import.meta.url));

/** Every schema of the given folders (e.g. `common`, `voice`), parsed. */
export function readSchemas(...folders: string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const folder of folders) {
    const dir = join(SCHEMAS_DIR, folder);
    for (const file of readdirSync(dir).sort()) {
      if (file.endsWith(".schema.json")) out.push(JSON.parse(readFileSync(join(dir, file), "utf8")) as Record<string, unknown>);
    }
  }
  return out;
}

/** An Ajv 2020 instance holding the common + given family schemas (formats off unless `configure` adds them). */
export function runtimeAjv(folders: string[], configure?: (ajv: Ajv2020) => void, options: Record<string, unknown> = {}): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: configure !== undefined, ...options });
  configure?.(ajv);
  for (const schema of readSchemas("common", ...folders)) ajv.addSchema(schema);
  return ajv;
}
