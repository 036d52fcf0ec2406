// Reads the package's public API from package.json `exports` and the generated .d.ts files with ts-morph:
// every entry, every name it exports (values apart from type-only names) with the summary and `@example`
// of its TSDoc. Used by generator/api-docs.ts (writes docs/api.md) and test/public-api.test.ts (pins the
// names in test/public-api.json). Development only (ts-morph is a devDependency).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Node, Project, ts, type JSDoc } from "ts-morph";
import { REPO_ROOT } from "./paths.js";

/** One exported name of an entry. */
export interface PublicExport {
  readonly name: string;
  /** `value`: exists at run time (function, class, constant); `type`: an interface or type alias only. */
  readonly kind: "value" | "type";
  /** `function`, `class`, `const`, `interface` or `type`. */
  readonly declaration: string;
  /** The first paragraph of its TSDoc ("" when it has none). */
  readonly summary: string;
  /** The text of its `@example` tags. */
  readonly examples: readonly string[];
}

/** One entry of package.json `exports` that has types (the JSON documents and package.json are left out). */
export interface PublicEntry {
  /** The specifier users import: `bw-codegen`, `bw-codegen/bxml`, ... */
  readonly specifier: string;
  /** The .d.ts file, relative to the package root. */
  readonly types: string;
  readonly exports: readonly PublicExport[];
}

/** The entries of package.json `exports` with types, in the order package.json lists them. */
export function publicEntryPaths(root: string = REPO_ROOT): { specifier: string; types: string }[] {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { name: string; exports: Record<string, string | { types?: string }> };
  const out: { specifier: string; types: string }[] = [];
  for (const [key, target] of Object.entries(pkg.exports)) {
    if (typeof target === "string" || target.types === undefined || key.includes("*")) continue; // a wildcard names no entry (test/public-api.test.ts refuses one)
    out.push({ specifier: key === "." ? pkg.name : `${pkg.name}/${key.slice(2)}`, types: target.types.replace(/^\.\//, "") });
  }
  return out;
}

function docsOf(node: Node): JSDoc[] {
  if (Node.isVariableDeclaration(node)) return node.getVariableStatement()?.getJsDocs() ?? [];
  return Node.isJSDocable(node) ? node.getJsDocs() : [];
}

function declarationKind(node: Node): string {
  if (Node.isFunctionDeclaration(node)) return "function";
  if (Node.isClassDeclaration(node)) return "class";
  if (Node.isVariableDeclaration(node)) return "const";
  if (Node.isInterfaceDeclaration(node)) return "interface";
  if (Node.isTypeAliasDeclaration(node)) return "type";
  if (Node.isEnumDeclaration(node)) return "enum";
  return node.getKindName();
}

const isValue = (node: Node): boolean =>
  Node.isFunctionDeclaration(node) || Node.isClassDeclaration(node) || Node.isVariableDeclaration(node) || Node.isEnumDeclaration(node);

/** Removes the TSDoc comment syntax a description may keep (leading `*` of continuation lines). */
function clean(text: string): string {
  return text
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""))
    .join("\n")
    .trim();
}

/** Reads every public entry's exports (sorted by name), from the generated .d.ts files. */
export function readPublicApi(root: string = REPO_ROOT): PublicEntry[] {
  // Only the names and comments are read: no lib and no @types (a third of the time otherwise).
  const project = new Project({
    skipAddingFilesFromTsConfig: true,
    compilerOptions: { noLib: true, types: [], skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  });
  return publicEntryPaths(root).map(({ specifier, types }) => {
    const file = project.addSourceFileAtPath(join(root, types));
    const exports: PublicExport[] = [];
    for (const [name, declarations] of file.getExportedDeclarations()) {
      const node = declarations[0];
      const docs = declarations.flatMap(docsOf);
      const doc = docs[docs.length - 1];
      const description = doc === undefined ? "" : clean(doc.getDescription());
      exports.push({
        name,
        kind: declarations.some(isValue) ? "value" : "type",
        declaration: declarationKind(node),
        summary: description.split(/\n\s*\n/)[0].replace(/\s*\n\s*/g, " ").trim(),
        examples: docs.flatMap((d) => d.getTags().filter((t) => t.getTagName() === "example").map((t) => clean(t.getCommentText() ?? ""))),
      });
    }
    exports.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { specifier, types, exports };
  });
}
