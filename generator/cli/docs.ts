// `bw-codegen docs [--out DIR] [--spec FILE]`: writes DIR/index.html, a static, self-contained reference
// of every webhook (Redoc over generated/openapi.json, everything inlined, no network at view time), with the
// Voice AI sockets of generated/asyncapi.json as sections of their own (docs-sockets.ts).
// Redoc is an optional peer dependency (it brings React and ~85 MB): resolved only when this runs,
// from the user's project first, then from bw-codegen's own install.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, resolve } from "node:path";
import { REPO_ROOT } from "../paths.js";
import { UsageError, parseArgs } from "./args.js";
import type { Command } from "./command.js";
import { withSockets, type AsyncApiDocument } from "../docs-sockets.js";

export const REDOC_INSTALL_HINT = "npm install --save-dev redoc@2";

/** Redoc's standalone bundle and version, or undefined when redoc is installed nowhere we look. */
export function findRedoc(fromDirs: readonly string[]): { bundle: string; version: string; path: string } | undefined {
  for (const dir of fromDirs) {
    const require = createRequire(join(dir, "package.json"));
    let path: string;
    try {
      path = require.resolve("redoc/bundles/redoc.standalone.js");
    } catch {
      continue;
    }
    const version = (JSON.parse(readFileSync(join(path, "..", "..", "package.json"), "utf8")) as { version: string }).version;
    return { bundle: readFileSync(path, "utf8"), version, path };
  }
  return undefined;
}

export const docsCommand: Command = {
  summary: "Write a static HTML reference of every webhook (needs the redoc package)",
  help: `Usage: bw-codegen docs [--out DIR] [--spec FILE]

Writes DIR/index.html: a self-contained reference of every webhook bw-codegen knows (grouped by product,
each event's description, fields, examples, the auth challenge, the reply Bandwidth expects), and of the
Voice AI sockets (media streams, real-time transcription: each message both ways, the handshake's
authentication), rendered by Redoc. Everything is inlined: open it from disk or publish it as a static file; it fetches nothing.

Redoc is an optional peer dependency (it is large, so bw-codegen does not install it for everyone):
  ${REDOC_INSTALL_HINT}

Options:
  --out DIR     output folder (default: ./bw-codegen-docs)
  --spec FILE   OpenAPI document to render (default: bw-codegen's generated/openapi.json)
  --asyncapi FILE  AsyncAPI document of the sockets (default: bw-codegen's generated/asyncapi.json)
  --help        show this help
`,
  run: (argv) => runDocs(argv, [process.cwd(), REPO_ROOT]),
};

/** The command, with the folders redoc is looked up from (the user's project, then bw-codegen's install). */
export async function runDocs(argv: string[], redocSearchDirs: readonly string[]): Promise<number> {
  const args = parseArgs(argv, { values: ["--out", "--spec", "--asyncapi"] });
  if (args.positionals.length) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const out = resolve(args.values.get("--out") ?? "bw-codegen-docs");
  const specPath = resolve(args.values.get("--spec") ?? join(REPO_ROOT, "generated", "openapi.json"));
  let spec: Record<string, unknown>;
  try {
    spec = JSON.parse(readFileSync(specPath, "utf8"));
  } catch (err) {
    throw new Error(`cannot read the OpenAPI document ${specPath}: ${(err as Error).message}`);
  }
  if (!spec || typeof spec !== "object" || typeof spec.openapi !== "string") throw new Error(`${specPath} is not an OpenAPI document (no "openapi" version)`);
  const asyncapiPath = resolve(args.values.get("--asyncapi") ?? join(REPO_ROOT, "generated", "asyncapi.json"));
  let sockets: AsyncApiDocument;
  try {
    sockets = JSON.parse(readFileSync(asyncapiPath, "utf8"));
  } catch (err) {
    throw new Error(`cannot read the AsyncAPI document ${asyncapiPath}: ${(err as Error).message}`);
  }
  if (!sockets || typeof sockets !== "object" || typeof sockets.asyncapi !== "string" || typeof sockets.channels !== "object") throw new Error(`${asyncapiPath} is not an AsyncAPI document (no "asyncapi" version or channels)`);
  const redoc = findRedoc(redocSearchDirs);
  if (!redoc) {
    process.stderr.write(`bw-codegen docs: the redoc package is not installed; install it, then run this again:\n  ${REDOC_INSTALL_HINT}\n`);
    return 1;
  }
  const { buildDocsPage } = await import("../docs-page.js");
  mkdirSync(out, { recursive: true });
  const file = join(out, "index.html");
  const html = buildDocsPage({ spec: withSockets(spec, sockets), redocBundle: redoc.bundle, redocVersion: redoc.version });
  writeFileSync(file, html);
  const webhooks = Object.keys((spec.webhooks as object | undefined) ?? {}).length;
  const messages = Object.keys(sockets.components?.messages ?? {}).length;
  process.stdout.write(`bw-codegen docs: wrote ${relative(process.cwd(), file) || file} (${webhooks} webhooks, ${messages} socket messages, ${(html.length / 1024 / 1024).toFixed(1)} MB, Redoc ${redoc.version}); open it in a browser\n`);
  return 0;
}
