// The package.json side of `bw-codegen scaffold`: which specifier the new project uses for bw-codegen
// (the one the parent project installed it from), the manifest of a new project, and the merge of what
// the receiver needs into an existing package.json that never overwrites a value the user set.
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

/** The bw-codegen dependency of a scaffolded project and where that specifier came from (for the report). */
export interface DependencySource {
  spec: string;
  from: string;
}

type Manifest = Record<string, unknown> & {
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
};

function readJson(file: string): Manifest | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Manifest;
  } catch {
    return undefined;
  }
}

/** `file:` specifier of a local path, relative to the project that will use it (forward slashes). */
function fileSpec(absolute: string, targetDir: string): string {
  const rel = relative(targetDir, absolute).split(sep).join("/");
  return `file:${rel === "" ? "." : rel}`;
}

/** A path-like specifier (`file:x`, `./x`, `../x.tgz`, `/abs/x.tgz`) resolved from `base`; undefined for anything else. */
function localPath(spec: string, base: string): string | undefined {
  const path = spec.startsWith("file:") ? spec.slice("file:".length).replace(/^\/\/(?=\/)/, "") : spec;
  if (spec.startsWith("file:") || /^\.{1,2}(\/|\\|$)/.test(path) || isAbsolute(path)) return resolve(base, path);
  return undefined;
}

/**
 * The specifier a scaffold in `targetDir` uses for bw-codegen. From a checkout: `file:<checkout>`. From an
 * installed package: the specifier of the project it is installed in (its package.json, else its
 * package-lock.json), local paths re-based on `targetDir`; git URLs, tarball URLs and registry ranges
 * are reused as they are; without any record, `^<version>`.
 *
 * @example
 * bwCodegenDependency("/work/app/node_modules/bw-codegen", "0.1.0", "/work/app/rx");
 * // { spec: "file:../bw-codegen-0.1.0.tgz", from: "/work/app/package.json" } when app installed the tarball
 */
export function bwCodegenDependency(root: string, version: string, targetDir: string): DependencySource {
  const parts = resolve(root).split(sep);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return { spec: `file:${resolve(root)}`, from: "this checkout of bw-codegen" };
  const project = parts.slice(0, at).join(sep) || sep;
  const manifestFile = join(project, "package.json");
  const manifest = readJson(manifestFile);
  const declared = ["dependencies", "devDependencies", "optionalDependencies"]
    .map((field) => (manifest?.[field] as Record<string, string> | undefined)?.["bw-codegen"])
    .find((spec) => typeof spec === "string");
  if (declared !== undefined) {
    const path = localPath(declared, project);
    return { spec: path === undefined ? declared : fileSpec(path, targetDir), from: manifestFile };
  }
  const lockFile = join(project, "package-lock.json");
  const lock = readJson(lockFile) as { packages?: Record<string, { resolved?: string }> } | undefined;
  const resolved = lock?.packages?.["node_modules/bw-codegen"]?.resolved;
  if (resolved !== undefined && !/^https?:\/\/registry\./.test(resolved)) {
    const path = localPath(resolved, project);
    return { spec: path === undefined ? resolved : fileSpec(path, targetDir), from: lockFile };
  }
  return { spec: `^${version}`, from: `the installed version (${project} does not record where bw-codegen came from)` };
}

/** `npm init`'s placeholder test script: replaced, since it only fails. */
const NPM_INIT_TEST = 'echo "Error: no test specified" && exit 1';

/** What merging did to an existing package.json: lines to print. */
export interface MergeResult {
  text: string;
  changed: string[];
  unchanged: string[];
}

/**
 * Merges what the receiver needs (`type`, scripts, dependencies, devDependencies, engines) into the text
 * of an existing package.json. A value the user set is never replaced (reported in `unchanged`), except
 * npm init's failing placeholder `test` script. A package already listed in either dependency field counts
 * as present. Throws (nothing written) when the existing file is not a JSON object.
 *
 * @example
 * mergePackageJson('{"name":"mine","scripts":{"start":"node index.js"}}', wanted).unchanged;
 * // ['scripts.start: kept "node index.js" (the receiver\'s is "NODE_ENV=production exec node dist/server.js")']
 */
export function mergePackageJson(existingText: string, wanted: Manifest): MergeResult {
  let existing: Manifest;
  try {
    existing = JSON.parse(existingText) as Manifest;
  } catch (error) {
    throw new Error(`package.json is not valid JSON (${(error as Error).message}); fix it and run scaffold again (nothing was written)`);
  }
  if (existing === null || typeof existing !== "object" || Array.isArray(existing)) {
    throw new Error("package.json is not a JSON object; fix it and run scaffold again (nothing was written)");
  }
  const out: Manifest = { ...existing };
  const changed: string[] = [];
  const unchanged: string[] = [];
  if (out.type === undefined) {
    out.type = wanted.type;
    changed.push(`type: set to "${String(wanted.type)}"`);
  } else if (out.type !== wanted.type) {
    unchanged.push(`type: kept "${String(out.type)}"; the receiver is ES modules and does not run until you set "type": "module" (npm pkg set type=module)`);
  }
  mergeSection(out, wanted, "scripts", changed, unchanged);
  mergeSection(out, wanted, "dependencies", changed, unchanged);
  mergeSection(out, wanted, "devDependencies", changed, unchanged);
  mergeSection(out, wanted, "engines", changed, unchanged);
  return { text: `${JSON.stringify(out, null, indentOf(existingText))}\n`, changed, unchanged };
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);

/**
 * The indent of the first member of a JSON object text (`{\n    "name"` → four spaces), in one pass;
 * two spaces when the text does not start that way.
 */
export function indentOf(text: string): string {
  if (text[0] !== "{") return "  ";
  let at = 1;
  while (at < text.length && WHITESPACE.has(text[at])) at++;
  if (text[at] !== '"') return "  ";
  const lineStart = text.lastIndexOf("\n", at - 1) + 1;
  return lineStart === 0 || lineStart === at ? "  " : text.slice(lineStart, at);
}

/** A section that is a JSON object (`{ "start": "…" }`); `undefined` for anything else (a string, an array). */
function objectSection(value: unknown): Record<string, string> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, string>) : undefined;
}

function mergeSection(out: Manifest, wanted: Manifest, field: string, changed: string[], unchanged: string[]): void {
  const want = (wanted[field] ?? {}) as Record<string, string>;
  if (out[field] !== undefined && objectSection(out[field]) === undefined) {
    // a section the user wrote as a string, an array …: kept exactly, never turned into an object
    unchanged.push(`${field}: kept as it is (not an object, so the receiver's ${Object.keys(want).join(", ")} ${Object.keys(want).length === 1 ? "was" : "were"} not added)`);
    return;
  }
  const have = { ...objectSection(out[field]) };
  const isDependency = field === "dependencies" || field === "devDependencies";
  const dependency = (section: "dependencies" | "devDependencies", name: string): string | undefined => {
    const value = objectSection(out[section]);
    return value !== undefined && Object.hasOwn(value, name) ? value[name] : undefined;
  };
  const listed = (name: string): string | undefined =>
    isDependency ? (dependency("dependencies", name) ?? dependency("devDependencies", name)) : Object.hasOwn(have, name) ? have[name] : undefined;
  const deferred: string[] = []; // said after the script they belong to
  for (const [name, value] of Object.entries(want)) {
    const current = listed(name);
    // a `pre` script belongs to the receiver's own script: next to a script of the user's, it would run before theirs
    const owner = field === "scripts" && name.startsWith("pre") ? name.slice(3) : undefined;
    if (owner !== undefined && current === undefined && listed(owner) !== undefined && listed(owner) !== want[owner]) {
      deferred.push(`${field}.${name}: not added (it belongs to the receiver's ${owner} script, and ${owner} is yours)`);
      continue;
    }
    if (current === undefined || (field === "scripts" && name === "test" && current === NPM_INIT_TEST)) {
      have[name] = value;
      changed.push(`${field}.${name}: ${current === undefined ? "added" : "replaced npm init's placeholder with"} ${JSON.stringify(value)}`);
    } else if (current !== value) {
      unchanged.push(`${field}.${name}: kept ${JSON.stringify(current)} (the receiver's is ${JSON.stringify(value)})`);
    }
  }
  unchanged.push(...deferred);
  if (Object.keys(have).length > 0) out[field] = have;
}
