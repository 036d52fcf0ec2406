// `bw-codegen scaffold <dir>`: writes a runnable TypeScript webhook receiver (node:http, Express, Fastify
// or Hono) with one typed handler stub per event of the catalog. The fixed files come from
// templates/scaffold/ (`common/` + one folder per framework, `*.tmpl` with {{PLACEHOLDERS}}); package.json,
// the handler stubs and the test cases are built here from the catalog. Never overwrites a file unless
// --force; an existing package.json is merged (scaffold-package.ts), never replaced. Never writes through
// a symbolic link inside the target folder (a linked file or folder is refused, nothing is written).
import { closeSync, constants as fsConstants, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { loadCatalog, type EventEntry } from "../catalog.js";
import { buildModel, type FamilyModel, type Model } from "../model/build-model.js";
import { familyByName } from "../model/families.js";
import { eventNames, handlerName } from "../model/handler-names.js";
import { REPO_ROOT } from "../paths.js";
import { UsageError, parseArgs } from "./args.js";
import type { Command } from "./command.js";
import { bwCodegenDependency, mergePackageJson, type DependencySource } from "./scaffold-package.js";
import { didYouMean } from "./suggest.js";

export { bwCodegenDependency } from "./scaffold-package.js";

export const FRAMEWORKS = ["node", "express", "fastify", "hono"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** A family a scaffold serves: its definition names the route and says what arrives there (`scaffold`). */
interface ScaffoldFamily {
  readonly name: string;
  readonly path: string;
  readonly methods: string;
  readonly what: string;
  readonly family: FamilyModel;
}

/** The families a scaffold serves, in the model's order: those whose definition has `scaffold` and `http`. */
function scaffoldFamilies(model: Model): ScaffoldFamily[] {
  return model.families.flatMap((family) =>
    family.scaffold !== undefined && family.http !== undefined ? [{ name: family.name, path: family.http.path, methods: family.scaffold.methods, what: family.scaffold.what, family }] : [],
  );
}

const FRAMEWORK_TITLES: Record<Framework, string> = { node: "node:http", express: "Express", fastify: "Fastify", hono: "Hono" };

/** Packages each scaffold depends on, besides bw-codegen; versions come from bw-codegen's own package.json. */
const DEPENDENCIES: Record<Framework, { dependencies: string[]; devDependencies: string[] }> = {
  node: { dependencies: [], devDependencies: ["tsx", "typescript", "@types/node"] },
  express: { dependencies: ["express"], devDependencies: ["tsx", "typescript", "@types/node", "@types/express"] },
  fastify: { dependencies: ["fastify"], devDependencies: ["tsx", "typescript", "@types/node"] },
  hono: { dependencies: ["hono", "@hono/node-server"], devDependencies: ["tsx", "typescript", "@types/node"] },
};

/** Used when bw-codegen's package.json does not list a package (it lists all of them today). */
const FALLBACK_VERSIONS: Record<string, string> = {
  tsx: "^4.20.0",
  typescript: "^5.9.0",
  "@types/node": "^20.0.0",
  express: "^5.1.0",
  "@types/express": "^5.0.0",
  fastify: "^5.0.0",
  hono: "^4.0.0",
  "@hono/node-server": "^1.14.0",
  ws: "^8.18.0",
  "@types/ws": "^8.5.0",
};

export interface ScaffoldOptions {
  /** Target folder (created if missing). */
  dir: string;
  framework: Framework;
  /** Limit the stubs to these events (discriminant values or method names); undefined = every event. */
  events?: string[];
  /** Where bw-codegen lives (default: this checkout or installed package). */
  packageRoot?: string;
  /** `bullmq`: async events go to a BullMQ queue on REDIS_URL, handled by `npm run worker` (src/jobs/). */
  queue?: "bullmq";
  /** Adds the echo bot on a bidirectional media stream (src/bot/, src/streams.ts), started by initiate/answer. */
  stream?: boolean;
  /** The flight recorder: with BW_CAPTURE_DIR set, the server captures every delivery (and socket message) there. */
  capture?: boolean;
}

/** What the scaffold is made of: file path (relative, forward slashes) → contents. */
export type ScaffoldFiles = Map<string, string>;

/**
 * Builds every file of a scaffold in memory (nothing is written).
 *
 * @example
 * const files = buildScaffold({ dir: "my-receiver", framework: "express" });
 * files.get("src/handlers/voice.ts"); // the typed voice stubs
 */
export function buildScaffold(options: ScaffoldOptions): ScaffoldFiles {
  const root = options.packageRoot ?? REPO_ROOT;
  const model = buildModel(loadCatalog(join(root, "schemas")));
  const families = scaffoldFamilies(model);
  const selected = selectEvents(model.catalog.events, families, options.events);
  const builder = hasBxmlBuilder(model);
  const served = families.filter((f) => f.family.served);
  const name = packageName(options.dir);
  const framework = options.framework;

  const queued = options.queue === "bullmq";
  const streamed = options.stream === true;
  const captured = options.capture === true;
  if (streamed) checkStreamable(model, builder, selected);
  const handlerFiles = new Map<string, string>();
  for (const { family } of families) {
    const events = selected.filter((e) => e.family === family.name);
    const reply = queued ? events.filter((e) => (e.meta.response ?? "empty") !== "empty") : events;
    handlerFiles.set(`src/handlers/${family.name}.ts`, handlerModule(family, reply, builder, queued ? "reply" : "all", streamed && family.name === "voice"));
    if (queued) handlerFiles.set(`src/jobs/${family.name}.ts`, handlerModule(family, events.filter((e) => !reply.includes(e)), builder, "jobs"));
  }
  const handlerOption = (family: string): string => (streamed && family === "voice" ? "voice: createVoiceHandlers(config)" : `${family}: ${family}Handlers`);
  const handlerImport = (family: string): string => (streamed && family === "voice" ? "createVoiceHandlers" : `${family}Handlers`);

  const values: Record<string, string> = {
    NAME: name,
    FRAMEWORK: framework,
    FRAMEWORK_TITLE: FRAMEWORK_TITLES[framework],
    HANDLER_IMPORTS: served.map((f) => `import { ${handlerImport(f.name)} } from "./handlers/${f.name}.js";`).join("\n"),
    HANDLER_OPTIONS: served.map((f) => `    ${handlerOption(f.name)},`).join("\n"),
    ROUTE_DOCS: served.map((f) => ` * - ${f.methods} ${f.path}: ${f.what}`).join("\n"),
    ROUTE_LOGS: [
      ...served.map((f) => `console.log(\`  ${f.methods.padEnd(9)} \${server.url}${f.path}\`);`),
      ...(streamed ? [`console.log(\`  ${"WebSocket"} \${server.url.replace(/^http/, "ws")}${STREAM_PATH}\`);`] : []),
    ].join("\n"),
    ROUTE_TABLE: [
      "| method | path | what |",
      "| --- | --- | --- |",
      ...served.map((f) => `| ${f.methods} | \`${f.path}\` | ${f.what} |`),
      ...(streamed ? [`| WebSocket | \`${STREAM_PATH}\` | the echo bot's two-way media stream (Bandwidth opens it: \`<StartStream>\`) |`] : []),
    ].join("\n"),
    TEST_CASES: testCases(served.map((f) => f.name)),
    ...queueValues(queued, served.map((f) => f.name)),
    ...streamValues(streamed, framework, captured, queued),
    ...captureValues(captured, streamed),
  };

  // the simulated call starts with initiate: without a voice initiate handler there is nothing to simulate
  const simulated = served.some((f) => f.name === "voice") && selected.some((e) => e.family === "voice" && e.event === "initiate");
  const files: ScaffoldFiles = new Map();
  files.set("package.json", packageJson(root, name, framework, bwCodegenDependency(root, ownVersion(root), resolve(options.dir)), { queued, simulated, streamed }));
  const templates = join(root, "templates", "scaffold");
  for (const folder of ["common", framework, ...(queued ? ["queue-bullmq"] : []), ...(streamed ? ["stream"] : [])]) {
    for (const file of listFiles(join(templates, folder))) {
      const text = readFileSync(join(templates, folder, file), "utf8");
      files.set(targetName(file), file.endsWith(".tmpl") ? fill(text, values, file) : text);
    }
  }
  for (const [path, contents] of handlerFiles) files.set(path, contents);
  if (queued) files.set(".env.example", `${files.get(".env.example") ?? ""}${QUEUE_ENV}`);
  if (streamed) files.set(".env.example", `${files.get(".env.example") ?? ""}${STREAM_ENV}`);
  if (captured) {
    files.set(".env.example", `${files.get(".env.example") ?? ""}${CAPTURE_ENV}`);
    files.set(".gitignore", `${files.get(".gitignore") ?? ""}captures/\n`);
  }
  if (queued && !served.some((f) => f.name === "voice")) files.delete("test/queue.test.ts"); // it delivers a voice disconnect
  if (!simulated) {
    files.delete("src/simulate.ts");
    files.delete("test/simulate.test.ts");
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What happened to each file when writing. */
export interface WriteReport {
  created: string[];
  overwritten: string[];
  skipped: string[];
  /** An existing package.json was merged: what was added, and what was kept because the user had a value. */
  merged?: { changed: string[]; unchanged: string[] };
}

/**
 * The first symbolic link on the way from `dir` to the file `path` (`src`, `src/app.ts`, a dangling link
 * included), as a path relative to `dir`; `undefined` when there is none.
 */
function linkOnPath(dir: string, path: string): string | undefined {
  const parts = path.split("/");
  let current = dir;
  for (let i = 0; i < parts.length; i++) {
    current = join(current, parts[i]);
    let isLink: boolean;
    try {
      isLink = lstatSync(current).isSymbolicLink();
    } catch {
      return undefined; // not there: nothing below it exists either
    }
    if (isLink) return parts.slice(0, i + 1).join("/");
  }
  return undefined;
}

/**
 * Writes one file without following a link: a new file is created exclusively (fails on anything already
 * there, a dangling link included), an existing one is opened with O_NOFOLLOW (where the platform has it).
 */
function writeOwnFile(target: string, contents: string, exists: boolean): void {
  const { O_WRONLY, O_CREAT, O_EXCL, O_TRUNC } = fsConstants;
  const noFollow = fsConstants.O_NOFOLLOW ?? 0;
  const fd = openSync(target, exists ? O_WRONLY | O_TRUNC | noFollow : O_WRONLY | O_CREAT | O_EXCL | noFollow, 0o666);
  try {
    writeFileSync(fd, contents);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes the files under `dir`. An existing file is kept (reported as skipped) unless `force`; an existing
 * package.json is always merged instead (see `mergePackageJson`), with or without `force`. Nothing is
 * written when the existing package.json cannot be read, or when any file's path inside `dir` goes
 * through a symbolic link (a linked `src/`, a dangling link, a linked file `--force` would overwrite):
 * files land inside the target folder or not at all.
 *
 * @example
 * writeScaffold("my-receiver", buildScaffold({ dir: "my-receiver", framework: "node" }), false);
 */
export function writeScaffold(dir: string, files: ScaffoldFiles, force: boolean): WriteReport {
  const report: WriteReport = { created: [], overwritten: [], skipped: [] };
  const links = [...new Set([...files.keys()].map((path) => linkOnPath(dir, path)).filter((link): link is string => link !== undefined))];
  if (links.length > 0) {
    throw new Error(`${links.join(", ")} in ${dir} ${links.length === 1 ? "is a symbolic link" : "are symbolic links"}: scaffold does not write through links (the files could land outside the folder); remove ${links.length === 1 ? "it" : "them"} or scaffold into another folder (nothing was written)`);
  }
  const manifest = join(dir, "package.json");
  const merge = files.has("package.json") && existsSync(manifest) ? mergePackageJson(readFileSync(manifest, "utf8"), JSON.parse(files.get("package.json")!)) : undefined;
  for (const [path, contents] of files) {
    const target = join(dir, ...path.split("/"));
    const exists = existsSync(target);
    if (path === "package.json" && merge) {
      report.merged = { changed: merge.changed, unchanged: merge.unchanged };
      if (merge.changed.length > 0) writeOwnFile(target, merge.text, true);
      continue;
    }
    if (exists && !force) {
      report.skipped.push(path);
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeOwnFile(target, contents, exists);
    (exists ? report.overwritten : report.created).push(path);
  }
  return report;
}

function listFiles(dir: string, prefix = ""): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(full).isDirectory()) out.push(...listFiles(full, rel));
    else out.push(rel);
  }
  return out;
}

/** Template file name → file name in the project (`.tmpl` dropped; dot-files stored without their dot so npm packs them). */
function targetName(file: string): string {
  const name = file.replace(/\.tmpl$/, "");
  if (name === "gitignore") return ".gitignore";
  if (name === "env.example") return ".env.example";
  return name;
}

function fill(text: string, values: Record<string, string>, file: string): string {
  const out = text.replace(/\{\{([A-Z_]+)\}\}/g, (whole, key: string) => {
    if (!(key in values)) throw new Error(`templates/scaffold: unknown placeholder ${whole} in ${file}`);
    return values[key];
  });
  // A placeholder that became empty leaves a blank line; collapse runs of blank lines.
  return out.replace(/\n{3,}/g, "\n\n");
}

/** npm package name from the folder name. */
function packageName(dir: string): string {
  const base = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._-]+|[-]+$/g, "");
  return base.length > 0 && base.length <= 214 ? base : "bandwidth-webhooks";
}

/** True when the BXML builder this build emits has the two functions the stubs use. */
function hasBxmlBuilder(model: Model): boolean {
  return model.hasBxml && model.bxml.byKey.has("Response") && model.bxml.byKey.has("SpeakSentence");
}

/** Validates `--events` against the catalog; every name must be an event (or alias, or method) of a scaffolded family. */
function selectEvents(all: readonly EventEntry[], families: readonly ScaffoldFamily[], names: string[] | undefined): EventEntry[] {
  const candidates = all.filter((e) => families.some((f) => f.name === e.family));
  if (names === undefined) return candidates;
  const wanted = new Set(names);
  const matched = new Set<string>();
  const picked = candidates.filter((e) => {
    const keys = eventNames(e.family, e.event);
    const hit = keys.filter((k) => wanted.has(k));
    for (const k of hit) matched.add(k);
    return hit.length > 0;
  });
  const unknown = names.filter((n) => !matched.has(n));
  if (unknown.length > 0) throw unknownEvents(unknown, candidates, families);
  return picked;
}

/** One line: the closest known names for each unknown one, or (when none is close) every known event. */
function unknownEvents(unknown: string[], candidates: EventEntry[], families: readonly ScaffoldFamily[]): UsageError {
  const names = candidates.flatMap((e) => eventNames(e.family, e.event));
  const hints = unknown.map((n) => `${JSON.stringify(n)}${didYouMean(n, names)}`);
  const what = `unknown event${unknown.length > 1 ? "s" : ""} ${hints.join(", ")} in --events`;
  if (unknown.every((n) => didYouMean(n, names) !== "")) return new UsageError(what);
  const known = families.map((f) => `${f.name}: ${candidates.filter((e) => e.family === f.name).map((e) => e.event).join(", ")}`);
  return new UsageError(`${what}; known events are ${known.join("; ")}`);
}

// ---------------------------------------------------------------------------------------------------
// package.json

/** bw-codegen's `engines.node`: the Node.js versions a project that depends on it needs too. */
function ownEngines(root: string): string {
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
}

function ownVersion(root: string): string {
  return (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
}

/**
 * A `pre` script that compiles src/ to dist/ when `file` is missing, so that `npm install && npm start`
 * (the first thing a user tries) runs instead of failing with "Cannot find module dist/server.js". It
 * never rebuilds an existing dist/ (a production image builds once; `npm run build` after a change).
 */
function buildWhenMissing(file: string): string {
  return `node -e "process.exitCode = require('fs').existsSync('${file}') ? 0 : 1" || npm run build`;
}

/**
 * Scripts of a scaffold: production = compiled JavaScript with NODE_ENV=production; dev = tsx, BXML
 * checked. `exec` makes the server replace the shell npm runs scripts in, so the SIGTERM npm forwards
 * reaches the server (a shell in between dies of it and leaves the server running, holding its port).
 */
const SCRIPTS = {
  build: "tsc -p tsconfig.build.json",
  prestart: buildWhenMissing("dist/server.js"),
  start: "NODE_ENV=production exec node dist/server.js",
  dev: "exec tsx watch src/server.ts",
  typecheck: "tsc --noEmit",
  test: "node --import tsx --test test/*.test.ts",
};

function sorted(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function packageJson(root: string, name: string, framework: Framework, bwCodegen: DependencySource, extras: { queued: boolean; simulated: boolean; streamed: boolean }): string {
  const own = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    version: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const known = { ...own.devDependencies, ...own.dependencies };
  const version = (pkg: string): string => known[pkg] ?? FALLBACK_VERSIONS[pkg];
  const pick = (list: string[]): Record<string, string> => Object.fromEntries([...list].sort().map((pkg) => [pkg, version(pkg)]));
  const deps = DEPENDENCIES[framework];
  const manifest = {
    name,
    version: "0.1.0",
    private: true,
    description: `Bandwidth webhook receiver (${FRAMEWORK_TITLES[framework]}), scaffolded by bw-codegen`,
    type: "module",
    // bw-codegen's own range (its package.json): require() of an ES module package needs 20.19 / 22.12
    engines: { node: ownEngines(root) },
    scripts: { ...SCRIPTS, ...(extras.simulated ? { simulate: "tsx src/simulate.ts" } : {}) } as Record<string, string>,
    dependencies: { "bw-codegen": bwCodegen.spec, ...pick(deps.dependencies) },
    devDependencies: pick(deps.devDependencies),
  };
  if (extras.queued) {
    Object.assign(manifest.scripts, { preworker: buildWhenMissing("dist/worker.js"), worker: "NODE_ENV=production exec node dist/worker.js", "worker:dev": "exec tsx watch src/worker.ts" });
    manifest.dependencies = { ...manifest.dependencies, ...pick(["bullmq", "ioredis"]) };
  }
  if (extras.streamed) {
    // ws: bw-codegen/sockets/node serves the media stream on it (an optional peer of bw-codegen)
    manifest.dependencies = sorted({ ...manifest.dependencies, ...pick(["ws"]) }) as typeof manifest.dependencies;
    manifest.devDependencies = sorted({ ...manifest.devDependencies, ...pick(["@types/ws"]) });
  }
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------------
// Handler stubs

const GREETING = "Hello! This call is answered by your bw-codegen webhook receiver. Goodbye.";
const STREAM_GREETING = "You are talking to an echo bot. Say something, and it says it back.";
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

/** The TypeScript expression (and label) of the one id worth logging for an event, if any. Never a secret. */
function logField(entry: EventEntry): { label: string; expression: string } | undefined {
  const properties = (entry.schema.properties ?? {}) as Record<string, unknown>;
  const required = new Set<string>(entry.schema.required ?? []);
  const access = (name: string): string => `event${required.has(name) ? "." : "?."}${name}`;
  for (const name of ["callId", "conferenceId", "OrderId", "PON"]) {
    if (name in properties) return { label: name, expression: access(name) };
  }
  if ("message" in properties) return { label: "messageId", expression: `${access("message")}${required.has("message") ? "." : "?."}id` };
  const id = [...required].find((name) => /Id$/.test(name) && name in properties);
  return id === undefined ? undefined : { label: id, expression: access(id) };
}

function stub(entry: EventEntry, builder: boolean, streamed = false): string {
  const method = handlerName(familyByName(entry.family), entry.event);
  const response = entry.meta.response ?? "empty";
  const summary = (entry.meta.summary ?? entry.title).replace(/\*\//g, "*\\/");
  const field = logField(entry);
  const log = `    console.log(\`[${entry.family}] \${context.eventType}${field ? ` ${field.label}=\${${field.expression}}` : ""}\`);`;
  const lines = [`  /** ${summary} (\`${entry.event}\`). ${RESPONSE_DOCS[response] ?? RESPONSE_DOCS.empty} */`, `  ${method}(event, context) {`, log];
  if (response === "bxml") {
    const greet = entry.event === "answer" || entry.event === "initiate";
    if (greet && streamed) {
      lines.push(
        "    // Connects the caller to the echo bot over a two-way media stream (<StartStream mode=\"bidirectional\">);",
        "    // the <StopStream wait=\"true\"> after it holds the call until the stream ends.",
        "    return Response(",
        `      SpeakSentence(${JSON.stringify(STREAM_GREETING)}),`,
        "      ...bidirectionalStream(echoBotStream(config, context)),",
        "    );",
      );
    } else if (greet) {
      lines.push(builder ? `    return Response(SpeakSentence(${JSON.stringify(GREETING)}));` : `    return ${JSON.stringify(`${XML_DECLARATION}<Response><SpeakSentence>${GREETING}</SpeakSentence></Response>`)};`);
    } else {
      lines.push("    // An empty <Response> lets the call end once no verbs remain: return your next verbs here.");
      lines.push(builder ? "    return Response();" : `    return ${JSON.stringify(`${XML_DECLARATION}<Response></Response>`)};`);
    }
  } else if (response === "port-out-validation-response") {
    lines.push("    // Approves the port-out (as no answer would). To dispute it: { portable: false, errors: [{ code: 7513, description: \"PIN does not match\" }] }.");
    lines.push("    return { portable: true };");
  } else {
    lines.push("    return undefined;");
  }
  lines.push("  },");
  return lines.join("\n");
}

const RESPONSE_DOCS: Record<string, string> = {
  "port-out-validation-response": "Your answer is sent back as a <PortOutValidationResponse>.",
  bxml: "Bandwidth executes the BXML you return.",
  "bxml-or-empty": "Return conference BXML, or nothing to answer 204.",
  empty: "Bandwidth ignores the answer: return nothing, the runtime acknowledges.",
};

const FAMILY_HEADERS: Record<string, string> = {
  voice:
    "// Voice callbacks, served at POST (or GET) /callbacks/voice and dispatched by `eventType`: one typed\n" +
    "// method per event. Events whose answer Bandwidth executes return BXML; the others return nothing.",
  messaging:
    "// Messaging callbacks, served at POST /callbacks/messaging. Bandwidth delivers a JSON array of events;\n" +
    "// each method is called once per event of the batch, and the batch is acknowledged after all of them.",
  numbers:
    "// Number-subscription notifications (order and port events), served at POST /callbacks/numbers. They\n" +
    "// arrive as XML; your methods get the typed JSON form (element names as properties, text as strings).",
};

function handlerModule(spec: FamilyModel, events: EventEntry[], builder: boolean, part: "all" | "reply" | "jobs", streamed = false): string {
  const family = spec.name;
  const wired = spec.served;
  const lines = [
    FAMILY_HEADERS[family],
    ...(part === "reply" ? ["// With the queue on, only events that need a reply are handled here; the others are in src/jobs/."] : []),
    ...(part === "jobs" ? ["// With the queue on, these events are acknowledged once stored and run here by `npm run worker`."] : []),
    "// Scaffolded by bw-codegen: this file is yours (never overwritten without --force). An event without a",
    "// method is logged and acknowledged. Logs carry ids only: never credentials or message text.",
  ];
  if (!wired) lines.push(`// Note: this bw-codegen build does not serve ${family} callbacks yet, so src/webhooks.ts does not mount these.`);
  lines.push(`import type { ${spec.handlers} } from "bw-codegen";`);
  if (part !== "all") lines.push(`import type { ${part === "jobs" ? "QueuedHandlers" : "ReceiverHandlers"} } from "bw-codegen/queue";`);
  const bxmlEvents = events.filter((e) => e.meta.response === "bxml");
  if (builder && bxmlEvents.length > 0) {
    const greets = bxmlEvents.some((e) => e.event === "answer" || e.event === "initiate");
    lines.push(`import { Response${greets ? ", SpeakSentence" : ""}${greets && streamed ? ", bidirectionalStream" : ""} } from "bw-codegen/bxml";`);
  }
  if (streamed) lines.push(`import type { ServerConfig } from "../config.js";`, `import { echoBotStream } from "../streams.js";`);
  lines.push("");
  const body = events.map((e) => stub(e, builder, streamed)).join("\n\n");
  const type = part === "all" ? spec.handlers : `${part === "jobs" ? "QueuedHandlers" : "ReceiverHandlers"}<${spec.handlers}>`;
  if (streamed) {
    // the stubs need the settings (the stream's URL and credentials): a factory, called by src/webhooks.ts
    const indented = body.replace(/^(?=.)/gm, "  ");
    lines.push(
      "/** The voice handlers; `initiate` and `answer` connect the caller to the echo bot (src/bot/echo.ts, src/streams.ts). */",
      `export function createVoiceHandlers(config: ServerConfig): ${type} {`,
      `  return {${indented ? `\n${indented}\n  ` : ""}};`,
      "}",
      "",
    );
    return lines.join("\n");
  }
  lines.push(`export const ${family}${part === "jobs" ? "Jobs" : "Handlers"}: ${type} = {${body ? `\n${body}\n` : ""}};`, "");
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------------
// --queue bullmq: the worker entry, REDIS_URL, and the receiver's queue option

const QUEUE_ENV = `
# --queue bullmq: the Redis of the BullMQ queue and the shared dedupe store (docker-compose.yml starts one).
# \`npm start\` stores async events there and answers at once; \`npm run worker\` handles them (src/jobs/).
REDIS_URL=redis://127.0.0.1:6379
# While Redis cannot take an event (restart, failover), the receiver keeps it in this folder (fsync'd,
# files 0600) and answers 2xx, then forwards it once Redis is back: Bandwidth does not resend voice and
# numbers events answered 503. Default .bw-spool (in the working directory); "off" answers 503 instead.
BW_SPOOL_DIR=.bw-spool
`;

const QUEUE_CONFIG = `

/** REDIS_URL (default redis://127.0.0.1:6379): the Redis of the queue (--queue bullmq). Never logged. */
export function loadRedisUrl(env: NodeJS.ProcessEnv = loadDotEnv()): string {
  const url = env.REDIS_URL === undefined || env.REDIS_URL === "" ? "redis://127.0.0.1:6379" : env.REDIS_URL;
  if (!/^rediss?:\\/\\//.test(url)) throw new ConfigError("REDIS_URL must start with redis:// or rediss://");
  return url;
}

/**
 * BW_SPOOL_DIR (default .bw-spool): the folder where the receiver keeps async events while Redis cannot take
 * them, answering 2xx (Bandwidth does not resend voice and numbers events answered 503); "off": no spool.
 */
export function loadSpoolDir(env: NodeJS.ProcessEnv = loadDotEnv()): string | undefined {
  const dir = env.BW_SPOOL_DIR === undefined || env.BW_SPOOL_DIR === "" ? ".bw-spool" : env.BW_SPOOL_DIR;
  return dir === "off" ? undefined : dir;
}`;

/** Placeholder values that differ with --queue bullmq (empty without it). */
/** The scaffold README's section for `--queue bullmq`: Redis, REDIS_URL, the worker, src/jobs/. */
const QUEUE_README = `
## The queue (--queue bullmq)

Events whose answer Bandwidth ignores are not handled in the request: the receiver stores each one in a
BullMQ queue on Redis and answers at once; a worker runs \`src/jobs/*.ts\` for them, retrying a job that
throws (5 runs, with back-off). A redelivered event (Bandwidth retried it) is queued once: the receiver
keeps a dedupe store on the same Redis. So it needs a Redis (≥ 6.2) and two processes:

\`\`\`sh
docker compose up -d redis      # or any Redis; docker-compose.yml sets appendonly + noeviction (BullMQ needs it)
# REDIS_URL in .env (default redis://127.0.0.1:6379; rediss:// for TLS)
npm start                       # the receiver: stores async events in the queue (in .bw-spool while Redis is down)
npm run worker                  # the worker: runs src/jobs/*.ts (npm run worker:dev restarts on change)
\`\`\`

While Redis cannot take an event (a restart, a failover, a network blip), the receiver writes it to a local
spool, \`BW_SPOOL_DIR\` (default \`.bw-spool\`), fsyncs it and answers 2xx, then forwards it to the queue in
order once Redis answers again; the worker then runs it once. Without the spool such a delivery is answered
503, which Bandwidth resends for messaging only: voice and numbers events would be lost. Keep the folder on
a persistent disk (a container's volume) and one per receiver process; past 256 MiB of spooled events the
receiver answers 503 again (and warns). \`BW_SPOOL_DIR=off\` turns it off (a read-only file system).

\`npm run worker\` builds first when \`dist/worker.js\` is missing, like \`npm start\`. Run as many workers as
you like on one Redis.

\`npm test\` needs no Redis: the receiver's tests build a config without \`redisUrl\` (no queue: async events
are acknowledged unhandled). \`test/queue.test.ts\` runs a disconnect through Redis to a worker's job handler
when \`REDIS_URL\` is set (\`REDIS_URL=redis://127.0.0.1:6379 npm test\`), is skipped otherwise, and fails at
once, saying what to start, when nothing answers at \`REDIS_URL\`.
`;

/** The server's close with --queue bullmq (after the HTTP server's: no delivery is storing any more): the queue's Redis connections. */
const QUEUE_CLOSE = "\n      await queue?.close(); // --queue bullmq: the Redis connections of the queue and the dedupe store";

function queueValues(queued: boolean, families: string[]): Record<string, string> {
  if (!queued) {
    return {
      QUEUE_IMPORTS: "",
      QUEUE_OPTIONS: "",
      QUEUE_CONFIG: "",
      JOB_IMPORTS: "",
      JOB_OPTIONS: "",
      QUEUE_README: "",
      QUEUE_WHERE: "",
      QUEUE_IMPORT: "",
      QUEUE_OPEN: "",
      QUEUE_ARG: "",
      QUEUE_PARAM: "",
      QUEUE_CLOSE: "",
      QUEUE_CONFIG_FIELD: "",
      QUEUE_LOAD: "",
    };
  }
  return {
    QUEUE_README: QUEUE_README,
    QUEUE_WHERE:
      "\n- `src/jobs/*.ts`: the events Bandwidth does not wait an answer for (`disconnect`, message statuses,\n" +
      "  number notifications …), run by the worker from the queue; `src/handlers/` keeps the ones that reply.",
    QUEUE_IMPORTS: `\nimport type { ReceiverQueue } from "./queue.js";`,
    QUEUE_OPTIONS:
      "\n    // async events: stored in the queue (in the spool, BW_SPOOL_DIR, while Redis is down), run by `npm run worker`;" +
      "\n    // without a queue (a config without redisUrl, as in the tests) they are acknowledged here, unhandled" +
      "\n    ...(queue === undefined ? {} : { queue: queue.queue, dedupe: { store: queue.dedupe } }),",
    QUEUE_IMPORT: `\nimport { openQueue } from "./queue.js";`,
    QUEUE_OPEN: "  const queue = openQueue(config); // --queue bullmq: the queue and dedupe store on config.redisUrl (none without it)\n",
    QUEUE_ARG: ", queue",
    QUEUE_PARAM: ", queue?: ReceiverQueue",
    QUEUE_CLOSE,
    QUEUE_CONFIG_FIELD:
      "\n  /** --queue bullmq: REDIS_URL, the Redis of the queue and the dedupe store (loadConfig always sets it); absent (the tests): no queue, async events acknowledged unhandled. */\n  readonly redisUrl?: string;\n  /** --queue bullmq: BW_SPOOL_DIR (default .bw-spool), where events wait while Redis cannot take them; absent: no spool (503). */\n  readonly spoolDir?: string;",
    QUEUE_LOAD: ", redisUrl: loadRedisUrl(env), spoolDir: loadSpoolDir(env)",
    QUEUE_CONFIG,
    JOB_IMPORTS: families.map((f) => `import { ${f}Jobs } from "./jobs/${f}.js";`).join("\n"),
    JOB_OPTIONS: families.map((f) => `  ${f}: ${f}Jobs,`).join("\n"),
  };
}


// ---------------------------------------------------------------------------------------------------
// --stream: the echo bot on a two-way media stream, next to the webhooks on the same port

/** The socket path of the scaffolded stream (src/streams.ts says the same). */
const STREAM_PATH = "/sockets/stream";

/** --stream needs the BXML builder (with `bidirectionalStream`) and a voice handler that can start the stream. */
function checkStreamable(model: Model, builder: boolean, selected: readonly EventEntry[]): void {
  if (!builder || !model.bxml.byKey.has("StartStream") || !model.bxml.byKey.has("StopStream")) {
    throw new Error("--stream needs a bw-codegen build with the BXML builder's StartStream and StopStream (bidirectionalStream)");
  }
  if (!selected.some((e) => e.family === "voice" && (e.event === "initiate" || e.event === "answer"))) {
    throw new UsageError("--stream needs initiate or answer in --events: those handlers start the stream (e.g. --events initiate,answer,disconnect)");
  }
}

const STREAM_ENV = `
# --stream: the echo bot's media stream (a WebSocket on /sockets/stream, same port). BW_STREAM_URL is the
# address Bandwidth opens, wss:// (default: this server's /sockets/stream at the host each callback came
# to, wss:// behind a proxy that sets x-forwarded-proto: https). BW_STREAM_USERNAME / BW_STREAM_PASSWORD
# are sent by Bandwidth on the socket's handshake (destinationUsername / destinationPassword of the
# <StartStream> the answer returns); unset, the callback credentials are used. Set both or neither.
# BW_STREAM_URL=wss://bot.example.com/sockets/stream
BW_STREAM_USERNAME=
BW_STREAM_PASSWORD=
`;

const STREAM_CONFIG = `

/** --stream: the media-stream socket's settings (see loadStreamSettings). */
export interface StreamSettings {
  /** The address Bandwidth opens (wss://…/sockets/stream); absent: the host each callback came to. */
  readonly url?: string;
  /** The pair(s) the socket accepts (the first is sent in the BXML); absent: the callback credentials. */
  readonly credentials?: BasicCredentials[];
}

/**
 * Reads BW_STREAM_URL (ws:// or wss://) and BW_STREAM_USERNAME / BW_STREAM_PASSWORD (both or neither).
 * Never logged: the password travels only in the BXML answer to Bandwidth and back on the handshake.
 *
 * @example
 * const stream = loadStreamSettings({ BW_STREAM_URL: "wss://bot.example.com/sockets/stream" });
 */
export function loadStreamSettings(env: NodeJS.ProcessEnv = loadDotEnv()): StreamSettings {
  const url = env.BW_STREAM_URL ?? "";
  if (url !== "" && !/^wss?:\\/\\/[^/]/.test(url)) throw new ConfigError("BW_STREAM_URL must be a wss:// URL (ws:// for local tests), e.g. wss://bot.example.com/sockets/stream");
  const username = env.BW_STREAM_USERNAME ?? "";
  const password = env.BW_STREAM_PASSWORD ?? "";
  if ((username === "") !== (password === "")) throw new ConfigError("set both BW_STREAM_USERNAME and BW_STREAM_PASSWORD, or neither (the callback credentials are used then)");
  if (username.includes(":")) throw new ConfigError("BW_STREAM_USERNAME must not contain ':' (HTTP Basic authentication cannot carry it)");
  return { ...(url === "" ? {} : { url }), ...(username === "" ? {} : { credentials: [{ username, password }] }) };
}`;

const STREAM_README = `
## The echo bot (--stream)

\`initiate\` and \`answer\` (src/handlers/voice.ts) answer with a greeting and a two-way media stream:
\`<StartStream mode="bidirectional" destination="wss://…/sockets/stream">\` with the stream credentials,
then \`<StopStream wait="true">\`, which holds the call while the stream is open. Bandwidth opens that
WebSocket to this server (same port as the callbacks); the handshake is checked for the credentials
before the socket exists (wrong or missing: 401, no socket). The bot (src/bot/echo.ts) listens to the
caller's 20 ms μ-law frames; after a short pause (\`END_SILENCE_MS\`) it plays back what it heard
(\`playAudio\`), and when the caller talks over it, it sends \`clear\` (barge-in) and listens again.
The stream's events (\`mediaStreamStarted\` / \`Rejected\` / \`Stopped\`) come back to the callback URL
(\`streamEventUrl\`, with the callback credentials as its \`username\`/\`password\`).

Try the whole call without a phone: with the server running (\`npm start\`), \`npx bw-codegen simulate call
--url http://127.0.0.1:3000/callbacks/voice --username … --password … --script caller.json --bot-audio
bot.wav\` (the callback credentials) plays Bandwidth's side, the stream included: \`caller.json\` (written
here) is a caller who stays silent through the greeting (about 5.6 s), says two things and talks over the
bot's echo, at \`"speed": "max"\`; it prints the bot's response times and barge-ins and writes what the bot
said to \`bot.wav\`. Your own recording: \`--audio caller.wav --speed max\` (what the caller says from the
answer on). (\`npm run simulate\` has no caller audio.)

| variable | meaning |
| --- | --- |
| \`BW_STREAM_URL\` | the \`wss://\` address Bandwidth opens (default: \`/sockets/stream\` at the host each callback came to; \`wss\` when a proxy sets \`x-forwarded-proto: https\`) |
| \`BW_STREAM_USERNAME\`, \`BW_STREAM_PASSWORD\` | the socket's credentials, sent in the BXML and checked on the handshake (default: the callback ones) |

Bandwidth reaches the socket only over \`wss://\`: behind a TLS proxy or tunnel, pass WebSocket upgrades
through. \`npm test\` drives the bot with a real WebSocket client playing Bandwidth's side
(test/echo-bot.test.ts).
`;

/**
 * Placeholder values that differ with --stream (plain close and nothing else without it); the close then
 * closes the queue's connections (`queued`) and ends with the capture's (`captured`).
 */
function streamValues(streamed: boolean, framework: Framework, captured = false, queued = false): Record<string, string> {
  const http = framework === "hono" ? "running" : framework === "fastify" ? "app.server" : "server";
  const closeStreams = "\n      await closeStreams(); // open streams first (1001 going away): an upgraded socket would hold the server";
  const closeHttp =
    streamed || captured || queued
      ? `async () => {${streamed ? closeStreams : ""}\n      await closeGracefully(${http});${queued ? QUEUE_CLOSE : ""}${captured ? CAPTURE_CLOSE : ""}\n    }`
      : `() => closeGracefully(${http})`;
  if (!streamed) return { STREAM_IMPORT: "", STREAM_ATTACH: "", STREAM_CLOSE: "", CLOSE_HTTP: closeHttp, STREAM_CONFIG_FIELD: "", STREAM_LOAD: "", STREAM_CONFIG: "", STREAM_README: "", STREAM_WHERE: "" };
  return {
    STREAM_IMPORT: `\nimport { attachStreams } from "./streams.js";`,
    STREAM_ATTACH: `\n  const closeStreams = attachStreams(${http}, config${captured ? ", capture" : ""}); // ${STREAM_PATH}: the echo bot's media stream, same port`,
    STREAM_CLOSE: closeStreams,
    CLOSE_HTTP: closeHttp,
    STREAM_CONFIG_FIELD: "\n  /** --stream: the media stream's URL and credentials (BW_STREAM_*); absent: defaults (see loadStreamSettings). */\n  readonly stream?: StreamSettings;",
    STREAM_LOAD: ", stream: loadStreamSettings(env)",
    STREAM_CONFIG,
    STREAM_README,
    STREAM_WHERE:
      "\n- `src/bot/echo.ts`: the echo bot (the media stream's handlers); `src/streams.ts` attaches its socket\n" +
      "  to the server and writes the `<StartStream>` the voice handlers return.",
  };
}

// ---------------------------------------------------------------------------------------------------
// --capture: the flight recorder (bw-codegen/capture), on when BW_CAPTURE_DIR is set

/** The last step of the server's close with --capture: what was recorded is written before the process exits. */
const CAPTURE_CLOSE = "\n      await capture?.close(); // the flight recorder writes what it recorded last, then stops";

const CAPTURE_ENV = `
# --capture: the flight recorder. Set BW_CAPTURE_DIR and every delivery (with --stream, every socket message
# too) is written with the answer given, redacted (numbers, ids, text, credentials), to NDJSON files in that
# folder; unset, capture is off. Replay with capture off: a capturing receiver records the replay again.
# BW_CAPTURE_DIR=captures
`;

/** Placeholder values of --capture (all empty without it). */
function captureValues(captured: boolean, streamed: boolean): Record<string, string> {
  if (!captured) {
    return { CAPTURE_IMPORT: "", CAPTURE_OPEN: "", CAPTURE_ARG: "", CAPTURE_CLOSE: "", CAPTURE_TYPE_IMPORT: "", CAPTURE_PARAM: "", CAPTURE_OPTION: "", CAPTURE_CONFIG_FIELD: "", CAPTURE_LOAD: "", CAPTURE_LOG: "", CAPTURE_README: "" };
  }
  const what = streamed ? "every delivery and every stream message" : "every delivery";
  return {
    CAPTURE_IMPORT: `\nimport { createCapture } from "bw-codegen/capture";`,
    CAPTURE_OPEN: `  // BW_CAPTURE_DIR set: the flight recorder writes ${what}, redacted, into that folder\n  const capture = config.captureDir === undefined ? undefined : createCapture({ dir: config.captureDir });\n`,
    CAPTURE_ARG: ", capture",
    CAPTURE_CLOSE,
    CAPTURE_TYPE_IMPORT: `\nimport type { Capture } from "bw-codegen/capture";`,
    CAPTURE_PARAM: ", capture?: Capture",
    CAPTURE_OPTION: "\n    ...(capture === undefined ? {} : { capture }),",
    CAPTURE_CONFIG_FIELD: "\n  /** --capture: BW_CAPTURE_DIR, the flight recorder's folder; absent: capture is off. */\n  readonly captureDir?: string;",
    CAPTURE_LOAD: ", ...(env.BW_CAPTURE_DIR ? { captureDir: env.BW_CAPTURE_DIR } : {})",
    CAPTURE_LOG: `\nconsole.log(config.captureDir === undefined ? "Capture: off (set BW_CAPTURE_DIR to record deliveries)" : \`Capture: on, redacted NDJSON files in \${config.captureDir}\`);`,
    CAPTURE_README: `
## The flight recorder (--capture)

Start the server with \`BW_CAPTURE_DIR=captures\` and ${what} is written, with the answer given, to
NDJSON files in \`captures/\` (\`capture-<time>-<id>-0001.ndjson\`, rotated at 8 MiB, 64 MiB in all, files
0600), redacted: numbers, ids, message text and URLs become pseudonyms, credentials never reach the file.
On SIGTERM / Ctrl-C the server writes what it recorded last before it exits. Then, with the server
running **without** \`BW_CAPTURE_DIR\` (a capturing server records the replay again):

\`\`\`sh
npx bw-codegen replay captures --url http://127.0.0.1:3000   # same answers? exit 1 naming the BXML element that changed
npx bw-codegen replay captures --url http://127.0.0.1:3000 --update   # accept the new answers
npx bw-codegen fixtures captures --out test/fixtures/recorded  # fixtures + replay.test.mjs (BW_REPLAY_URL=http://127.0.0.1:3000)
npx bw-codegen drift captures                                  # what the traffic has that the schemas did not expect
\`\`\`

\`replay\`, \`fixtures\`' test and \`simulate\` read the credentials from \`BW_CALLBACK_USERNAME\` /
\`BW_CALLBACK_PASSWORD\` (the \`.env\` values: \`set -a; . ./.env; set +a\` in a shell).${
    streamed
      ? `
The \`<StartStream destination>\` of the answers names the host each callback came to unless
\`BW_STREAM_URL\` is set: replay against the same address (or with \`BW_STREAM_URL\` set) to compare like with like.
`
      : ""
  }
`,
  };
}

// ---------------------------------------------------------------------------------------------------
// Test cases of the scaffold's own `npm test`

function testCases(families: string[]): string {
  const cases: string[] = [];
  if (families.includes("voice")) {
    cases.push(`
test("voice: answer is challenged, then answered with BXML", async () => {
  const result = await deliverEvent({ url: \`\${server.url}/callbacks/voice\`, body: { eventType: "answer", ...callFields }, ...credentials });
  assert.equal(result.challenge?.status, 401);
  assert.equal(result.status, 200);
  assert.equal(result.bxml?.name, "Response");
});

test("voice: disconnect is acknowledged with 204", async () => {
  const body = { eventType: "disconnect", ...callFields, endTime: "2026-01-05T10:01:00.000Z", cause: "hangup" };
  const result = await deliverEvent({ url: \`\${server.url}/callbacks/voice\`, body, ...credentials });
  assert.equal(result.status, 204);
});`);
  }
  if (families.includes("messaging")) {
    cases.push(`
test("messaging: a batch is acknowledged", async () => {
  const body = [
    {
      type: "message-received",
      time: "2026-01-05T10:00:00.000Z",
      description: "Incoming message received",
      to: "+19195550199",
      message: {
        id: "m-test-0001",
        owner: "+19195550199",
        applicationId: "0e5c5a1e-0000-4000-8000-000000000002",
        time: "2026-01-05T10:00:00.000Z",
        segmentCount: 1,
        direction: "in",
        to: ["+19195550199"],
        from: "+19195550100",
        text: "test message",
      },
    },
  ];
  const result = await deliverEvent({ url: \`\${server.url}/callbacks/messaging\`, body, ...credentials });
  assert.equal(result.challenge?.status, 401);
  assert.ok(result.delivered, \`expected a 2xx, got \${result.status} \${result.body}\`);
});`);
  }
  if (families.includes("numbers")) {
    cases.push(`
test("numbers: an order notification (XML) is acknowledged with 200", async () => {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?><Notification><SubscriptionId>sub-test-1</SubscriptionId>' +
    "<OrderType>portins</OrderType><OrderId>order-test-1</OrderId><Status>COMPLETE</Status></Notification>";
  const result = await deliverEvent({ url: \`\${server.url}/callbacks/numbers\`, body, ...credentials });
  assert.equal(result.challenge?.status, 401);
  assert.equal(result.status, 200);
});`);
  }
  return cases.join("\n");
}

// ---------------------------------------------------------------------------------------------------
// The command

/** What the command prints: every file's fate, the package.json merge, the bw-codegen specifier, what to run. */
function reportText(title: string, shown: string, report: WriteReport, dependency: DependencySource, queued = false, streamed = false, captured = false): string {
  const out: string[] = [`bw-codegen scaffold: ${title} receiver in ${shown}`];
  for (const path of report.created) out.push(`  created      ${path}`);
  for (const path of report.overwritten) out.push(`  overwritten  ${path}`);
  if (report.merged) {
    out.push(report.merged.changed.length ? "  merged       package.json:" : "  unchanged    package.json (it already has everything the receiver needs)");
    for (const line of report.merged.changed) out.push(`                 ${line}`);
    if (report.merged.unchanged.length) out.push("  not changed (you have a value) in package.json:");
    for (const line of report.merged.unchanged) out.push(`                 ${line}`);
  }
  for (const path of report.skipped) out.push(`  skipped      ${path} (exists; --force overwrites it)`);
  const kept = report.merged !== undefined && !report.merged.changed.some((line) => line.startsWith("dependencies.bw-codegen:"));
  out.push("", kept ? "bw-codegen dependency: kept the one package.json has" : `bw-codegen dependency: "${dependency.spec}" (from ${dependency.from})`);
  const cd = shown === "." ? [] : [`  cd ${shown.includes(" ") ? JSON.stringify(shown) : shown}`];
  out.push("", "Next:", ...cd, "  npm install", "  cp .env.example .env   # set BW_CALLBACK_USERNAME and BW_CALLBACK_PASSWORD");
  const keptScript = (name: string): boolean => report.merged?.unchanged.some((line) => line.startsWith(`scripts.${name}:`)) ?? false;
  // where the user kept their own dev/start/build script, the command to run is the receiver's, spelled out
  const dev = keptScript("dev") ? "npx tsx watch src/server.ts   " : "npm run dev            ";
  const build = keptScript("build") ? "npx tsc -p tsconfig.build.json" : "npm run build";
  const start = keptScript("start") ? "NODE_ENV=production node dist/server.js" : "npm start";
  out.push(`  ${dev}# development: tsx, restarts on change, every BXML reply checked`);
  out.push(`  ${build} && ${start}   # production: compiled to dist/, NODE_ENV=production`);
  if (queued) {
    out.push("  docker compose up -d redis   # --queue bullmq: a Redis on REDIS_URL (default redis://127.0.0.1:6379)");
    out.push("  npm run worker               # runs src/jobs/*.ts for the events npm start queued (worker:dev in development)");
  }
  if (streamed) {
    out.push(`  # --stream: set BW_STREAM_URL (the wss:// address of ${STREAM_PATH}) and BW_STREAM_USERNAME / BW_STREAM_PASSWORD in .env`);
    out.push("  npm test                     # drives the echo bot with a WebSocket client playing Bandwidth's side");
    out.push("  npx bw-codegen simulate call --url http://127.0.0.1:3000/callbacks/voice --username … --password … --script caller.json --bot-audio bot.wav");
    out.push("                               # with the server running: a whole call, the caller of caller.json talking to the bot");
  }
  if (captured) {
    out.push("  BW_CAPTURE_DIR=captures npm run dev   # --capture: every delivery recorded, redacted, in captures/");
    out.push("  npx bw-codegen replay captures --url http://127.0.0.1:3000   # against the server started without BW_CAPTURE_DIR");
  }
  out.push("");
  return out.join("\n");
}

export const scaffoldCommand: Command = {
  summary: "Write a runnable TypeScript webhook receiver (node, express, fastify or hono)",
  help: `Usage: bw-codegen scaffold <dir> [--framework node|express|fastify|hono] [--events a,b,...] [--queue bullmq] [--stream] [--capture] [--force]

Writes a TypeScript project into <dir> (created if missing): package.json, tsconfig.json, .env.example,
README.md, src/server.ts (entry), src/app.ts (the framework), src/handlers/voice.ts, messaging.ts and
numbers.ts with a typed stub per event, and test/webhooks.test.ts. Then:

  cd <dir> && npm install && npm run dev            # development, on $PORT (default 3000)
  npm run build && npm start                          # production: dist/, NODE_ENV=production
                                                      # (npm start builds first when dist/ is missing)

<dir> may be an existing project (e.g. \`scaffold .\`): its package.json is merged, never replaced: the
receiver's scripts, dependencies and "type" are added where missing, values you set are kept, and every
change (and every value kept) is printed.

The server reads BW_CALLBACK_USERNAME / BW_CALLBACK_PASSWORD (it refuses to start without them unless
BW_ALLOW_UNAUTHENTICATED=1) and serves POST /callbacks/voice (GET too), /callbacks/messaging and
/callbacks/numbers, on 127.0.0.1 unless HOST says otherwise. The project depends on bw-codegen by the
specifier your project installed it from (tarball path, file:, git URL or version; printed); run from a
checkout of bw-codegen, on that checkout (file:).

Options:
  --framework NAME  node (default: node:http, no framework), express, fastify or hono
  --events LIST     only these stubs, comma-separated event names (answer,disconnect,message-received,
                    portins) or method names (messageReceived); default: every event
  --queue bullmq    async events go to a BullMQ queue on REDIS_URL and are acknowledged at once; adds
                    src/worker.ts (npm run worker), src/jobs/*.ts, docker-compose.yml (Redis), REDIS_URL
  --stream          adds a voice bot on a two-way media stream: src/bot/echo.ts (plays back what the
                    caller said, clears on barge-in), src/streams.ts (its WebSocket on /sockets/stream,
                    same port, Basic credentials checked on the handshake), initiate/answer returning
                    <StartStream mode="bidirectional"> + <StopStream wait>, BW_STREAM_URL /
                    BW_STREAM_USERNAME / BW_STREAM_PASSWORD, test/echo-bot.test.ts, caller.json (a
                    caller for simulate call --script); depends on ws
  --capture         the flight recorder: with BW_CAPTURE_DIR set, the server records every delivery (and,
                    with --stream, every socket message) with its answer, redacted, into NDJSON files
                    there (bw-codegen/capture), and writes the last ones on SIGTERM / Ctrl-C; for
                    bw-codegen replay, fixtures and drift
  --force           overwrite files that already exist (default: keep them, report them as skipped);
                    an existing package.json is merged either way, never replaced
  --help            show this help
`,
  async run(argv) {
    const args = parseArgs(argv, { values: ["--framework", "--events", "--queue"], booleans: ["--force", "--stream", "--capture"] });
    if (args.positionals.length === 0) throw new UsageError("missing the target folder");
    if (args.positionals.length > 1) throw new UsageError(`unexpected argument ${args.positionals[1]}`);
    const framework = args.values.get("--framework") ?? "node";
    if (!(FRAMEWORKS as readonly string[]).includes(framework)) {
      throw new UsageError(`unknown framework "${framework}"${didYouMean(framework, FRAMEWORKS) || ` (choose ${FRAMEWORKS.join(", ")})`}`);
    }
    const eventsText = args.values.get("--events");
    const events = eventsText === undefined ? undefined : eventsText.split(",").map((s) => s.trim()).filter(Boolean);
    if (events !== undefined && events.length === 0) throw new UsageError("--events needs at least one event name");
    const dir = resolve(args.positionals[0]);
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error(`${dir} exists and is not a folder`);

    const queue = args.values.get("--queue");
    if (queue !== undefined && queue !== "bullmq") throw new UsageError(`unknown queue "${queue}" (the one supported is bullmq)`);
    const stream = args.booleans.has("--stream");
    const capture = args.booleans.has("--capture");
    const files = buildScaffold({ dir, framework: framework as Framework, events, queue, stream, capture });
    const dependency = bwCodegenDependency(REPO_ROOT, ownVersion(REPO_ROOT), dir);
    const report = writeScaffold(dir, files, args.booleans.has("--force"));
    const fromHere = relative(process.cwd(), dir);
    const shown = fromHere === "" ? "." : fromHere.startsWith("..") ? dir : fromHere;
    process.stdout.write(reportText(FRAMEWORK_TITLES[framework as Framework], shown, report, dependency, queue === "bullmq", stream, capture));
    return 0;
  },
};
