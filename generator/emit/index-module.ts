// Emits the package's public entry modules: generated/index.ts (`bw-codegen`), the adapter entries
// generated/{node,fetch,express,fastify}.ts (`bw-codegen/node`, ...) and generated/audio.ts
// (`bw-codegen/audio`). Each names what it exports, one by
// one: nothing is public because a file happens to exist or carries a marker, so renaming an internal
// module or helper never breaks a user. test/public-api.test.ts pins every entry's names
// (test/public-api.json) and docs/api.md documents them (`npm run api-docs`); see docs/api.md for the
// reasons behind each entry's list.
import type { GeneratedFile } from "../generated-file.js";
import type { Model } from "../model/build-model.js";

const SOURCE = "generator/emit/index-module.ts";

/** One `export` line: values and types of one module (types only when `values` is empty). */
type Reexport = { readonly from: string; readonly values?: readonly string[]; readonly types?: readonly string[] };

function exportLines(reexports: readonly Reexport[]): string[] {
  const lines: string[] = [];
  for (const r of reexports) {
    if (r.values?.length) lines.push(`export { ${r.values.join(", ")} } from "${r.from}";`);
    if (r.types?.length) lines.push(`export type { ${r.types.join(", ")} } from "${r.from}";`);
  }
  return lines;
}

/**
 * The error classes of the root entry: what `onError` and the renderers throw, for `instanceof`.
 * The base class and its codes (docs/errors.md) come first; the subclasses users branch on follow.
 */
const ROOT_ERRORS: readonly Reexport[] = [
  { from: "./runtime/errors.js", values: ["BandwidthConfigError", "BandwidthError", "ERROR_CODES", "isBandwidthError"], types: ["BandwidthErrorCode", "BandwidthErrorOptions"] },
  { from: "./runtime/http/core.js", values: ["BxmlValidationError", "WebhookTimeoutError"] },
  { from: "./runtime/http/json-reply.js", values: ["InvalidReplyError"] },
];

/** `bw-codegen`: what a receiver is written with (README's "Handle webhooks"). */
const ROOT: readonly Reexport[] = [
  { from: "./webhooks.js", values: ["createBandwidthWebhooks"], types: ["BandwidthWebhookPaths", "BandwidthWebhooksOptions", "QueuedBandwidthWebhooksOptions"] },
  { from: "./runtime/webhooks.js", types: ["WebhookHandlers"] },
  { from: "./runtime/http/context.js", types: ["HandlerContext", "HeaderReader", "WebhookLogger"] },
  {
    from: "./runtime/http/core.js",
    types: ["AuthFailureInfo", "CoreBody", "CoreRequest", "CoreResponse", "CoreRoute", "InvalidEventReport", "ResponseInfo", "UnknownEventInfo", "WebhookCore", "WebhookErrorInfo", "WebhookIssue"],
  },
  { from: "./runtime/auth/basic.js", types: ["AuthFailureReason", "BasicCredentials"] },
  { from: "./runtime/delivery/dedupe-store.js", values: ["createMemoryDedupeStore"], types: ["ClaimResult", "DedupeStore", "MemoryDedupeStoreOptions"] },
  { from: "./runtime/delivery/guard.js", types: ["DedupeOptions", "DuplicateInfo"] },
  { from: "./runtime/validation.js", types: ["ValidateOptions", "ValidationIssue", "ValidationResult"] },
  { from: "./runtime/xml/numbers.js", types: ["PortOutValidationAnswer"] },
  ...ROOT_ERRORS,
];

/** The adapter entries: the factory over `webhooks.core` (for its options) and the types it names. */
const ADAPTERS: Readonly<Record<string, { readonly doc: string; readonly exports: readonly Reexport[] }>> = {
  node: {
    doc: "node:http: `createNodeHandler(webhooks.core, { onNotFound })` when `webhooks.node` is not enough.",
    exports: [{ from: "./runtime/http/adapters/node.js", values: ["createNodeHandler"], types: ["NodeHandlerOptions", "NodeWebhookHandler"] }],
  },
  fetch: {
    doc: "Fetch runtimes (Workers, Deno, Bun, Hono): `createFetchHandler(webhooks.core, { onNotFound })` when `webhooks.fetch` is not enough.",
    exports: [{ from: "./runtime/http/adapters/fetch.js", values: ["createFetchHandler"], types: ["FetchHandlerOptions", "FetchWebhookHandler"] }],
  },
  express: {
    doc: "Express: `createExpressMiddleware(webhooks.core)`, the same middleware as `webhooks.express`.",
    exports: [{ from: "./runtime/http/adapters/express.js", values: ["createExpressMiddleware"], types: ["ExpressLikeRequest", "ExpressWebhookMiddleware"] }],
  },
  fastify: {
    doc: "Fastify: `createFastifyPlugin(webhooks.core)`, the same plugin as `webhooks.fastify`.",
    exports: [{ from: "./runtime/http/adapters/fastify.js", values: ["createFastifyPlugin"], types: ["FastifyLikeInstance", "FastifyWebhookPlugin"] }],
  },
};

/** `bw-codegen/audio`: the voice-AI audio helpers (edge-safe, no run-time dependency on the rest). */
const AUDIO: readonly Reexport[] = [
  { from: "./runtime/audio/mulaw.js", values: ["mulawToPcm16", "pcm16ToMulaw"] },
  { from: "./runtime/audio/resample.js", values: ["Resampler", "createResampler", "resample"], types: ["TelephonyRate"] },
  { from: "./runtime/audio/wav.js", values: ["WavFormatError", "readWav", "writeWav"], types: ["WavAudio", "WavEncoding"] },
  { from: "./runtime/audio/base64.js", values: ["Base64Error", "base64ToBytes", "base64ToPcm16", "bytesToBase64", "pcm16ToBase64"] },
  { from: "./runtime/audio/content-type.js", values: ["playAudioContentType"], types: ["PlayAudioContentType", "PlayAudioFormat"] },
];

/** generated/audio.ts, `bw-codegen/audio`. */
export function emitAudioEntry(): GeneratedFile {
  const lines = [
    "/**",
    " * `bw-codegen/audio`: helpers for the audio of Bandwidth's media streams (`<StartStream>`, bidirectional",
    " * voice bots): G.711 μ-law ⇄ 16-bit PCM, resampling between 8, 16 and 24 kHz, WAV read/write, base64",
    " * payloads and the `playAudio` content type. Edge-safe: typed arrays only, no Node built-ins.",
    " */",
    ...exportLines(AUDIO),
  ];
  return { path: "audio.ts", contents: `${lines.join("\n")}\n`, source: SOURCE };
}

/** generated/index.ts, the root entry: a function of the model like every emitter. */
export function emitIndex(model: Model): GeneratedFile {
  const lines = [
    "/**",
    " * `bw-codegen`: what a receiver is written with. `createBandwidthWebhooks`, the types handlers are annotated",
    " * with (every event, every family's handlers, the handler context, the hooks' arguments), the in-memory dedupe",
    " * store and the errors `onError` receives. Everything else has its own entry: `bw-codegen/bxml`,",
    " * `bw-codegen/validators/<family>`, `bw-codegen/testing`, `bw-codegen/queue`, the adapters (docs/api.md).",
    " */",
    `export type * from "./types.js";`,
  ];
  if (model.families.some((f) => f.validated)) lines.push(`export type * from "./handlers.js";`);
  lines.push(...exportLines(ROOT));
  return { path: "index.ts", contents: `${lines.join("\n")}\n`, source: SOURCE };
}

/** generated/{node,fetch,express,fastify}.ts. */
export function emitAdapterEntries(): GeneratedFile[] {
  return Object.entries(ADAPTERS).map(([name, { doc, exports }]) => ({
    path: `${name}.ts`,
    contents: `/** \`bw-codegen/${name}\`: ${doc} */\n${exportLines(exports).join("\n")}\n`,
    source: SOURCE,
  }));
}
