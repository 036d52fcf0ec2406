// Writes docs/api.md, the API reference: every public entry (package.json `exports`), why it exists, and
// every name it exports with the summary and `@example` of its TSDoc (read from generated/*.d.ts by
// generator/public-api.ts). `npm run api-docs` regenerates it; test/api-docs-are-fresh.test.ts fails when
// it is stale. `--pin` also rewrites test/public-api.json (the names test/public-api.test.ts pins): run it
// only for an API change you mean, and say so in CHANGELOG.md.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "./paths.js";
import { type PublicEntry, type PublicExport, readPublicApi } from "./public-api.js";

/** Why each entry exists and what belongs in it (the design, written once, here). */
const ENTRY_NOTES: Readonly<Record<string, string>> = {
  "bw-codegen": `What a receiver is written with, and nothing else: \`createBandwidthWebhooks\`; the types handlers
and options are annotated with (every event type, every family's handler interface, the handler context, the
arguments of each hook, the credentials); \`createMemoryDedupeStore\` for the \`dedupe\` option; and the error
classes \`onError\` receives, for \`instanceof\`. Validators, BXML, test helpers, the queue and the adapters'
factories have their own entries, so importing one does not drag in the others' API, and the root's list stays
short enough to read. The event types are generated from the schemas: one per event, its union per family.`,
  "bw-codegen/bxml": `The typed BXML builder (one function per verb and SSML element, a \`Response\` or \`Bxml\` root),
\`bidirectionalStream\` (a voice bot's two-way stream and the \`<StopStream wait="true"/>\` that keeps the call up),
\`parseBxml\` / \`validateBxml\` for BXML from elsewhere, \`renderBxml\` for a tree, and the element types.`,
  "bw-codegen/testing": `Test helpers for your own receiver: \`deliverEvent\` (one event, with Bandwidth's auth challenge) and
\`simulateCall\` (a whole call, Bandwidth's side verb by verb), \`replayCapture\` (a capture of real deliveries
replayed, each answer compared with the recorded one by element path), with their option and result types and the
transcript formatters \`bw-codegen simulate\` prints with. The simulator's engine and its semantics table stay
internal (they are described in \`templates/runtime/simulate/semantics.ts\`).`,
  "bw-codegen/node": `\`webhooks.node\` is this adapter over \`webhooks.core\`; import the factory only for its options
(\`onNotFound\`: what paths no route matches get).`,
  "bw-codegen/fetch": `\`webhooks.fetch\` is this adapter over \`webhooks.core\`; import the factory only for its options
(\`onNotFound\`).`,
  "bw-codegen/express": `\`webhooks.express\` is this middleware over \`webhooks.core\`; the factory is here for apps that keep
the core apart.`,
  "bw-codegen/fastify": `\`webhooks.fastify\` is this plugin over \`webhooks.core\`; the factory is here for apps that keep the
core apart.`,
  "bw-codegen/audio": `Helpers for the audio of Bandwidth's media streams, for voice bots on a bidirectional \`<StartStream>\`:
G.711 μ-law ⇄ 16-bit PCM (table-driven, exact to ITU-T G.191), a streaming resampler between 8, 16 and 24 kHz
(polyphase windowed sinc; figures in docs/benchmarks.md), WAV read/write (16-bit PCM and μ-law, bounded, strict
about headers), base64 payloads without intermediate strings, and the \`playAudio\` \`contentType\` for a format.
Edge-safe (typed arrays only) and independent of the rest of the package, so a socket server on Workers, Deno or
Bun can import it alone.`,
  "bw-codegen/queue": `The hand-off of async events to BullMQ over Redis and the worker that handles them (optional peer
dependencies \`bullmq\` and \`ioredis\`: nothing else imports them). See CONTRIBUTING.md, "At-least-once deliveries".`,
  "bw-codegen/validators/stream": `The media-stream socket's messages (\`<StartStream>\`): \`validateStreamMessage\` checks one JSON text frame,
either way (\`start\`, \`media\`, \`stop\` from Bandwidth; \`playAudio\`, \`clear\` from your bot), and one type guard per
message (\`is…\`). The message types (\`StreamMessage\`, \`StreamInboundMessage\`, \`StreamOutboundMessage\`, …) are in
\`bw-codegen\`; the protocol is in \`bw-codegen/asyncapi.json\`. A \`media\` frame costs a few type checks (docs/benchmarks.md).`,
  "bw-codegen/validators/transcription": `The real-time transcription socket's messages (\`<StartTranscription>\`): \`validateTranscriptionMessage\`
checks one JSON text frame (\`start\`, \`transcription\`, \`stop\`), and one type guard per message (\`is…\`). The types
(\`TranscriptionMessage\`, …) are in \`bw-codegen\`; the protocol is in \`bw-codegen/asyncapi.json\`.`,
  "bw-codegen/sockets": `Serve Bandwidth's media-stream (\`<StartStream>\`, bidirectional voice bots) and real-time transcription
(\`<StartTranscription>\`) WebSockets: \`createStreamServer\` with \`onStart\` / \`onMedia\` (decoded audio bytes) / \`onStop\`
and \`onTranscription\`, a \`stream\` per socket (\`playAudio\`, \`clear\`, \`close\`, typed state, a bounded outbound
queue), Basic credentials checked on the handshake (or a URL-token verifier), and a close code per kind of bad input
(\`SOCKET_CLOSE_CODES\`). Transport-agnostic and edge-safe: an adapter feeds it through \`authorizeUpgrade\` / \`accept\`
(\`SocketLike\`, \`SocketConnection\`). See docs/sockets.md.`,
  "bw-codegen/sockets/node": `\`attachStreamServer(httpServer, streamServer)\`: the socket runtime on \`ws\` (an optional peer dependency;
only this entry imports it), on the same \`http.Server\` as the webhooks: routed by path, authenticated before the
upgrade, \`maxPayload\`, ping/pong liveness, backpressure from \`bufferedAmount\`.`,
  "bw-codegen/capture": `The flight recorder (Node only): \`createCapture({ dir })\` is passed as \`capture\` to
\`createBandwidthWebhooks\` and writes every delivery with its answer, redacted, to NDJSON files (a worker thread
redacts and writes; capture never slows or fails a delivery). \`parseCapture\` reads a file back. The core only
sees the edge-safe \`CaptureSink\` interface. See README, "Record, replay and drift".`,
};

const VALIDATORS_NOTE = `One family's precompiled validator (\`validate…\`: the typed value or \`{ path, message }\` errors) and
one type guard per event (\`is…\`), without the handler runtime: the cheapest import when validating is all
you need (docs/benchmarks.md).`;

const noteOf = (specifier: string): string => ENTRY_NOTES[specifier] ?? (specifier.startsWith("bw-codegen/validators/") ? VALIDATORS_NOTE : "");

/** `{@link X}` and `{@link X | text}` as code; `<` outside code spans escaped (`<Response>` is text, not HTML). */
const links = (text: string): string =>
  text
    .replace(/\{@link\s+([^}|\s]+)(?:\s*\|\s*([^}]+))?\}/g, (_m, name: string, label?: string) => `\`${label?.trim() ?? name}\``)
    .split("`")
    .map((part, i) => (i % 2 === 0 ? part.replace(/</g, "&lt;") : part))
    .join("`");

const cell = (text: string): string => links(text).replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

function valueSection(e: PublicExport): string[] {
  const out = [`### \`${e.name}\``, "", `*${e.declaration}*${e.summary ? ` — ${links(e.summary)}` : ""}`, ""];
  for (const example of e.examples) out.push("```ts", example, "```", "");
  return out;
}

function entrySection(entry: PublicEntry): string[] {
  const values = entry.exports.filter((e) => e.kind === "value");
  const types = entry.exports.filter((e) => e.kind === "type");
  const out = [`## \`${entry.specifier}\``, "", noteOf(entry.specifier).replace(/\n/g, " "), ""];
  out.push(`${values.length} values, ${types.length} types (\`${entry.types}\`).`, "");
  for (const e of values) out.push(...valueSection(e));
  if (types.length > 0) {
    out.push("#### Types", "", "| type | kind | summary |", "| --- | --- | --- |");
    for (const e of types) out.push(`| \`${e.name}\` | ${e.declaration} | ${cell(e.summary)} |`);
    out.push("");
  }
  return out;
}

/** docs/api.md's text. */
export function renderApiDocs(api: readonly PublicEntry[]): string {
  const out = [
    "<!-- Generated by generator/api-docs.ts from the TSDoc of generated/*.d.ts (`npm run api-docs`). Do not edit: change the TSDoc or the entry notes in generator/api-docs.ts. -->",
    "# API reference",
    "",
    "Everything bw-codegen's package exports, entry by entry. An entry is a specifier in `package.json`",
    "`exports`; nothing else is importable, and every name below is pinned by `test/public-api.test.ts`",
    "(`test/public-api.json`), so adding, removing or renaming one is a decision recorded in CHANGELOG.md.",
    "Modules under `generated/runtime/` are internal: they may change in any release. The JSON documents",
    "`bw-codegen/openapi.json` and `bw-codegen/openapi.yaml` (the webhooks) and `bw-codegen/asyncapi.json` and",
    "`bw-codegen/asyncapi.yaml` (the Voice AI sockets: media streams, real-time transcription) are exported too.",
    "",
    ...api.map((e) => `- [\`${e.specifier}\`](#${e.specifier.replace(/[^a-z0-9-]/g, "")})`),
    "",
  ];
  for (const entry of api) out.push(...entrySection(entry));
  return `${out.join("\n").trimEnd()}\n`;
}

/** test/public-api.json's text: the names of every entry, values apart from types. */
export function renderPins(api: readonly PublicEntry[]): string {
  const pins: Record<string, { values: string[]; types: string[] }> = {};
  for (const entry of api) {
    pins[entry.specifier] = {
      values: entry.exports.filter((e) => e.kind === "value").map((e) => e.name),
      types: entry.exports.filter((e) => e.kind === "type").map((e) => e.name),
    };
  }
  return `${JSON.stringify(pins, null, 2)}\n`;
}

export const API_DOCS = join(REPO_ROOT, "docs", "api.md");
export const API_PINS = join(REPO_ROOT, "test", "public-api.json");

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const api = readPublicApi();
  writeFileSync(API_DOCS, renderApiDocs(api));
  console.log(`api-docs: wrote ${API_DOCS}`);
  if (process.argv.includes("--pin")) {
    writeFileSync(API_PINS, renderPins(api));
    console.log(`api-docs: wrote ${API_PINS}`);
  }
}
