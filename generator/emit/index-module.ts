// Emits the package's public entry modules: generated/index.ts (`bw-codegen`), the adapter entries
// generated/{node,fetch,express,fastify}.ts (`bw-codegen/node`, ...), generated/audio.ts
// (`bw-codegen/audio`) and the socket entries generated/sockets.ts, sockets-node.ts (`bw-codegen/sockets`, `/sockets/node`). Each names what it exports, one by
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
  capture: {
    doc: "Node only: `createCapture({ dir })`, the flight recorder passed as `capture` to the webhooks and `createStreamServer` (redacted NDJSON files), and the capture file format.",
    exports: [
      { from: "./runtime/capture/writer.js", values: ["createCapture"], types: ["Capture", "CaptureOptions"] },
      { from: "./runtime/capture/format.js", values: ["parseCapture"], types: ["CaptureEntry", "CapturedAnswer"] },
      { from: "./runtime/capture/socket-entry.js", types: ["SocketCaptureEntry"] },
      { from: "./runtime/http/core.js", types: ["CapturedDelivery", "CaptureSink"] },
    ],
  },
};

/** `bw-codegen/audio`: the voice-AI audio helpers (edge-safe, no run-time dependency on the rest). */
const AUDIO: readonly Reexport[] = [
  { from: "./runtime/audio/mulaw.js", values: ["mulawToPcm16", "pcm16ToMulaw"] },
  { from: "./runtime/audio/resample.js", values: ["Resampler", "createResampler", "resample"], types: ["TelephonyRate"] },
  { from: "./runtime/audio/wav.js", values: ["WavFormatError", "readWav", "writeWav"], types: ["WavAudio", "WavEncoding"] },
  { from: "./runtime/audio/base64.js", values: ["Base64Error", "base64ToBytes", "base64ToPcm16", "bytesToBase64", "pcm16ToBase64"] },
  { from: "./runtime/audio/content-type.js", values: ["playAudioContentType"], types: ["PlayAudioContentType", "PlayAudioFormat"] },
  { from: "./runtime/audio/frames.js", values: ["chunkAudio", "createAudioFramer", "frameSamples"], types: ["AudioFramer", "AudioSamples", "FrameDuration"] },
];

/** generated/audio.ts, `bw-codegen/audio`. */
export function emitAudioEntry(): GeneratedFile {
  const lines = [
    "/**",
    " * `bw-codegen/audio`: helpers for the audio of Bandwidth's media streams (`<StartStream>`, bidirectional",
    " * voice bots): G.711 μ-law ⇄ 16-bit PCM, resampling (8, 16, 24 kHz and any rate of 8 to 192 kHz), WAV, base64",
    " * payloads, the `playAudio` content type, and frames of a fixed duration (`chunkAudio`, `createAudioFramer`).",
    " * Edge-safe: typed arrays only, no Node built-ins.",
    " */",
    ...exportLines(AUDIO),
  ];
  return { path: "audio.ts", contents: `${lines.join("\n")}\n`, source: SOURCE };
}

/**
 * `bw-codegen/sockets`: the media-stream and transcription socket runtime (edge-safe). `createStreamServer`
 * itself is written by {@link emitSocketsEntry}: it binds the generated validators into the runtime.
 */
const SOCKETS: readonly Reexport[] = [
  { from: "./runtime/sockets/close-codes.js", values: ["SOCKET_CLOSE_CODES"], types: ["SocketCloseCode"] },
  { from: "./runtime/sockets/upgrade.js", values: ["DEFAULT_SOCKET_PATHS"] },
  {
    from: "./runtime/sockets/types.js",
    types: [
      "AcceptedUpgrade",
      "BackpressureInfo",
      "BackpressureOptions",
      "BackpressurePolicy",
      "InvalidMessageInfo",
      "MediaFrame",
      "MessageCheck",
      "PlayableAudio",
      "PlayAudioFormat",
      "RefusedUpgrade",
      "SocketCloseInfo",
      "SocketConnection",
      "SocketErrorInfo",
      "SocketKind",
      "SocketLike",
      "SocketSession",
      "Stream",
      "StreamMetadata",
      "StreamServer",
      "StreamServerOptions",
      "StreamSocketOptions",
      "StreamStartFrame",
      "StreamStopFrame",
      "StreamTrackInfo",
      "TelephonyRate",
      "TranscriptionFrame",
      "TranscriptionMetadata",
      "TranscriptionSession",
      "TranscriptionSocketOptions",
      "TranscriptionStartFrame",
      "TranscriptionStopFrame",
      "TranscriptionTokenVerifier",
      "CapturedSocketMessage",
      "SocketCaptureSink",
      "UpgradeDecision",
      "UpgradeHeaders",
      "UpgradeRequestLike",
    ],
  },
  { from: "./runtime/sockets/server.js", types: ["CreateStreamServer"] },
  {
    from: "./runtime/sockets/transcription-token.js",
    values: [
      "DEFAULT_TOKEN_CLOCK_SKEW_SECONDS",
      "DEFAULT_TOKEN_LIFETIME_SECONDS",
      "MAX_TOKEN_LIFETIME_SECONDS",
      "TRANSCRIPTION_TOKEN_PARAM",
      "createTranscriptionTokenVerifier",
      "signTranscriptionToken",
      "transcriptionDestination",
    ],
    types: [
      "TranscriptionDestinationOptions",
      "TranscriptionTokenCheck",
      "TranscriptionTokenChecker",
      "TranscriptionTokenFailure",
      "TranscriptionTokenOptions",
      "TranscriptionTokenSecret",
      "TranscriptionTokenVerifierOptions",
    ],
  },
  {
    from: "./runtime/sockets/adapters/web.js",
    values: ["createWebSocketAdapter"],
    types: ["BunServerLike", "BunServerWebSocket", "BunSocketData", "BunWebSocketHandlers", "WebFallback", "WebSocketAdapter", "WebSocketAdapterOptions", "WebSocketRuntime"],
  },
];

/** `bw-codegen/sockets/node`: the `ws` adapter (the only entry that imports `ws`, an optional peer). */
const SOCKETS_NODE: readonly Reexport[] = [
  { from: "./runtime/sockets/adapters/node-ws.js", values: ["attachStreamServer"], types: ["AttachStreamServerOptions", "AttachedStreamServer"] },
];

/** generated/sockets.ts (`bw-codegen/sockets`) and generated/sockets-node.ts (`bw-codegen/sockets/node`). */
export function emitSocketsEntries(): GeneratedFile[] {
  const sockets = [
    "/**",
    " * `bw-codegen/sockets`: serve Bandwidth's media-stream (`<StartStream>`, bidirectional voice bots) and",
    " * real-time transcription (`<StartTranscription>`) WebSockets: `createStreamServer`, transport-agnostic and",
    " * edge-safe (no Node built-in, no `ws`); `createWebSocketAdapter` serves it on Workers, Deno and Bun;",
    " * `bw-codegen/sockets/node` attaches it to a node `http.Server`. `transcriptionDestination` /",
    " * `createTranscriptionTokenVerifier`: the signed per-call URL token of the transcription socket.",
    " */",
    `import { bindStreamServer, type CreateStreamServer } from "./runtime/sockets/server.js";`,
    `import { validateStreamMessage } from "./validators/stream.js";`,
    `import { validateTranscriptionMessage } from "./validators/transcription.js";`,
    "",
    "/**",
    " * Creates the socket server: the handlers of each socket kind, their authentication (Basic credentials",
    " * on the media-stream handshake, a URL-token verifier for transcription), frame limits, the bounded",
    " * outbound queue and the hooks. An adapter connects it to real sockets (docs/sockets.md).",
    " *",
    " * @example",
    " * const sockets = createStreamServer<{ frames: number }>({",
    " *   stream: {",
    ' *     credentials: [{ username: "bw", password: env.STREAM_PASSWORD }],',
    " *     createState: () => ({ frames: 0 }),",
    " *     onMedia: (frame, stream) => {",
    " *       stream.state.frames++;",
    " *       stream.playAudio(frame.audio); // echo: μ-law in, μ-law out",
    " *     },",
    " *   },",
    " * });",
    " */",
    "export const createStreamServer: CreateStreamServer = bindStreamServer({ stream: validateStreamMessage, transcription: validateTranscriptionMessage });",
    ...exportLines(SOCKETS),
  ];
  const node = [
    "/** `bw-codegen/sockets/node`: `attachStreamServer(httpServer, streamServer)`, the socket runtime on `ws`, next to the webhooks on one port. */",
    ...exportLines(SOCKETS_NODE),
  ];
  return [
    { path: "sockets.ts", contents: `${sockets.join("\n")}\n`, source: SOURCE },
    { path: "sockets-node.ts", contents: `${node.join("\n")}\n`, source: SOURCE },
  ];
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

/** generated/{node,fetch,express,fastify,capture}.ts. */
export function emitAdapterEntries(): GeneratedFile[] {
  return Object.entries(ADAPTERS).map(([name, { doc, exports }]) => ({
    path: `${name}.ts`,
    contents: `/** \`bw-codegen/${name}\`: ${doc} */\n${exportLines(exports).join("\n")}\n`,
    source: SOURCE,
  }));
}
