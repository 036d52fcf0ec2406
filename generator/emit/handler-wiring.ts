// Emits generated/webhooks.ts: `createBandwidthWebhooks({ voice, messaging, …, credentials })`, the glue
// that binds each family's generated validator and event table to the hand-written handler runtime
// (templates/runtime/http/core.ts + adapters) and returns the node, fetch, express and fastify handlers.
//
// It runs after the other emitters (it needs to see which validator modules exist): a family is wired
// only when its validator module was emitted and, for XML families, when that module also exports the
// body parser named below. Adding a family to the runtime is one row in WIRING.
import type { GeneratedFile } from "../generated-file.js";
import { families } from "../families.js";

/** How one family is served over HTTP. */
interface FamilyWiring {
  /** Default route path. */
  path: string;
  /** Accepted media types (lower case; `+json` / `+xml` suffixes are accepted too). */
  contentTypes: string[];
  /** Status of a plain acknowledgement. */
  ackStatus: number;
  /** Methods the family arrives with (default POST); a GET carries the fields in the query string. */
  methods?: ("POST" | "GET")[];
  /** The sender stops waiting after this many ms: the handler timeout never exceeds it. */
  maxTimeoutMs?: number;
  /** XML families: the export of `validators/<family>.ts` that turns body text into the value to validate. */
  parseExport?: string;
  /** Families with their own XML answers: the export of `validators/<family>.ts` that renders them. */
  renderExport?: string;
  /** Handler option description for the JSDoc. */
  doc: string;
  /** Signed families (TFV): the option naming the HMAC secrets; when given, every POST must carry a valid signature. */
  signatureOption?: string;
}

const WIRING: Record<string, FamilyWiring> = {
  voice: {
    path: "/callbacks/voice",
    contentTypes: ["application/json"],
    ackStatus: 204, // every async voice event page shows 204
    methods: ["POST", "GET"], // a voice application may be configured to send GET with query parameters
    doc: "Voice handlers (`answer`, `gather`, …): BXML events return BXML, the others nothing.",
  },
  messaging: {
    path: "/callbacks/messaging",
    contentTypes: ["application/json"],
    ackStatus: 200, // any 2xx; Bandwidth's spec lists 200
    doc: "Messaging handlers (`messageReceived`, `messageDelivered`, …), called once per event of the batch.",
  },
  numbers: {
    path: "/callbacks/numbers",
    contentTypes: ["application/xml", "text/xml"],
    ackStatus: 200, // numbers notifications: anything but 200 counts as a failure
    parseExport: "parseNumbersBody",
    renderExport: "renderNumbersReply",
    doc: "Number-subscription notification handlers (XML bodies).",
  },
  tfv: {
    path: "/callbacks/tfv",
    contentTypes: ["application/json"],
    ackStatus: 204, // the spec's expected reply
    doc: "Toll-free verification handlers (`status`, `denial`, `failure`, `blocked`).",
    signatureOption: "tfvSignatureSecrets",
  },
  endpoint: {
    path: "/callbacks/endpoint",
    contentTypes: ["application/json"],
    ackStatus: 204, // the spec's expected reply
    doc: "BRTC endpoint event handlers (both payload shapes: `deviceConnected`, … and `endpointConnected`, …).",
  },
  mfa: {
    path: "/callbacks/mfa",
    contentTypes: ["application/json"],
    ackStatus: 200, // no reply contract documented; any 2xx
    doc: "MFA (2FA) delivery report handlers.",
  },
  emergency: {
    path: "/callbacks/emergency",
    contentTypes: [], // GET only: no body
    ackStatus: 204, // the handler returned nothing: no location, Bandwidth routes the call to its emergency call centre
    methods: ["GET"],
    maxTimeoutMs: 450, // Bandwidth's documented wait for the location reply
    renderExport: "renderEmergencyReply",
    doc: "Emergency Calling API handler (`callingQuery`: GET `?to=…&from=…`, answered with the caller's location as JSON within 450 ms).",
  },
  webrtc: {
    path: "/callbacks/webrtc",
    contentTypes: ["application/json"],
    ackStatus: 200, // no reply contract documented; any 2xx
    doc: "Legacy WebRTC participant event handlers.",
  },
};

const exportsName = (contents: string, name: string): boolean =>
  new RegExp(`export (?:declare )?(?:const|function|let) ${name}\\b`).test(contents);

/** Builds generated/webhooks.ts from the files the other emitters produced. */
export function emitHandlerWiring(files: readonly GeneratedFile[]): GeneratedFile[] {
  const byPath = new Map(files.map((f) => [f.path, f.contents]));
  const events = byPath.get("events.ts") ?? "";
  const handlers = byPath.get("handlers.d.ts") ?? "";
  const wired = families.filter((family) => {
    const wiring = WIRING[family.name];
    const validator = byPath.get(`validators/${family.name}.ts`);
    if (wiring === undefined || validator === undefined) return false;
    if (!exportsName(validator, family.validator) || !events.includes(`export const ${family.name}Events`)) return false;
    if (family.body === "xml" && (wiring.parseExport === undefined || !exportsName(validator, wiring.parseExport))) return false;
    return true;
  });
  if (wired.length === 0) return [];
  // Development-mode BXML validation: bind the generated BXML parser/validator when it exists.
  const bxml = byPath.get("bxml/index.ts");
  const hasBxmlValidator = bxml !== undefined && exportsName(bxml, "parseBxml");

  const lines: string[] = [
    `import { BandwidthConfigError } from "./runtime/errors.js";`,
    `import { createWebhookHandlers } from "./runtime/webhooks.js";`,
    `import type { WebhookHandlers } from "./runtime/webhooks.js";`,
    `import type { WebhookCoreOptions, WebhookFamily, WebhookRoute } from "./runtime/http/core.js";`,
    `import { ${wired.map((f) => `${f.name}Events`).join(", ")} } from "./events.js";`,
  ];
  if (hasBxmlValidator) lines.push(`import { parseBxml } from "./bxml/index.js";`);
  const signed = wired.filter((f) => WIRING[f.name].signatureOption !== undefined);
  if (signed.length > 0) lines.push(`import { createSignedBodyCheck } from "./runtime/auth/hmac.js";`);
  const handlerTypes = wired.map((f) => f.handlers).filter((name) => handlers.includes(`interface ${name}`));
  if (handlerTypes.length > 0) lines.push(`import type { ${handlerTypes.join(", ")} } from "./handlers.js";`);
  lines.push(`import type { EventQueue, ReceiverHandlers } from "./runtime/queue/types.js";`);
  for (const family of wired) {
    const wiring = WIRING[family.name];
    const validator = byPath.get(`validators/${family.name}.ts`)!;
    const names = [family.validator];
    if (family.body === "xml") names.push(wiring.parseExport!);
    if (wiring.renderExport !== undefined && exportsName(validator, wiring.renderExport)) names.push(wiring.renderExport);
    lines.push(`import { ${names.join(", ")} } from "./validators/${family.name}.js";`);
  }
  lines.push("");

  for (const family of wired) {
    const wiring = WIRING[family.name];
    const validator = byPath.get(`validators/${family.name}.ts`)!;
    const props = [
      `name: ${JSON.stringify(family.name)}`,
      ...(family.discriminant !== undefined ? [`discriminant: ${JSON.stringify(family.discriminant)}`] : []),
      `format: ${JSON.stringify(family.body)}`,
      `contentTypes: ${JSON.stringify(wiring.contentTypes)}`,
      `events: ${family.name}Events`,
      `validate: ${family.validator}`,
      `ackStatus: ${wiring.ackStatus}`,
      ...(wiring.methods !== undefined ? [`methods: ${JSON.stringify(wiring.methods)}`] : []),
      ...(wiring.maxTimeoutMs !== undefined ? [`maxTimeoutMs: ${wiring.maxTimeoutMs}`] : []),
      ...(family.body === "xml" ? [`parseBody: ${wiring.parseExport}`] : []),
      ...(wiring.renderExport !== undefined && exportsName(validator, wiring.renderExport) ? [`renderReply: ${wiring.renderExport}`] : []),
    ];
    lines.push(`/** The ${family.name} family as the handler runtime sees it (validator + event table). */`);
    lines.push(`export const ${family.name}Family: WebhookFamily = Object.freeze({\n  ${props.join(",\n  ")},\n});`, "");
  }

  lines.push(`/** Route paths per family; each defaults to \`/callbacks/<family>\`. */`);
  lines.push(`export interface BandwidthWebhookPaths {`);
  for (const family of wired) lines.push(`  readonly ${family.name}?: string;`);
  lines.push(`}`, "");
  lines.push(`/** Options of {@link createBandwidthWebhooks}: the handlers per family plus the runtime options. */`);
  lines.push(`export interface BandwidthWebhooksOptions extends Omit<WebhookCoreOptions, "routes" | "queue"> {`);
  for (const family of wired) {
    const type = handlerTypes.includes(family.handlers) ? family.handlers : "object";
    lines.push(`  /** ${WIRING[family.name].doc} Served at \`${WIRING[family.name].path}\` unless \`paths.${family.name}\` says otherwise. */`);
    lines.push(`  readonly ${family.name}?: ${type};`);
  }
  for (const family of signed) {
    lines.push(
      `  /**`,
      `   * Shared secret(s) of the ${family.name} webhook subscription (several while rotating). When set, every ${family.name} POST`,
      `   * must carry a valid \`x-bandwidth-signature-hmac-sha256\` over its raw body, or it is refused with 403.`,
      `   */`,
      `  readonly ${WIRING[family.name].signatureOption}?: readonly string[];`,
    );
  }
  lines.push(`  /** Where each family is served. */`);
  lines.push(`  readonly paths?: BandwidthWebhookPaths;`);
  lines.push(`  /** Without a queue every handler runs here; see {@link QueuedBandwidthWebhooksOptions}. */`);
  lines.push(`  readonly queue?: undefined;`);
  lines.push(`}`, "");
  // With a queue, the receiver keeps only the reply (BXML, …) handlers: the worker has the others.
  const familyKeys = wired.map((f) => JSON.stringify(f.name)).join(" | ");
  lines.push(`/**`, ` * Options of {@link createBandwidthWebhooks} with \`queue\`: async events are stored and acknowledged, a worker`, ` * (\`createBandwidthWorker\` of \`bw-codegen/queue\`) handles them; handlers here are the reply events only.`, ` */`);
  lines.push(`export interface QueuedBandwidthWebhooksOptions extends Omit<BandwidthWebhooksOptions, ${familyKeys} | "queue"> {`);
  lines.push(`  /** Where async events go (\`createBullMQQueue\` of \`bw-codegen/queue\`). */`);
  lines.push(`  readonly queue: EventQueue;`);
  for (const family of wired) {
    const type = handlerTypes.includes(family.handlers) ? `ReceiverHandlers<${family.handlers}>` : "object";
    lines.push(`  /** ${family.name}: the handlers of events that need a reply (pass \`{}\` to serve a family whose events all go to the queue). */`);
    lines.push(`  readonly ${family.name}?: ${type};`);
  }
  lines.push(`}`, "");

  lines.push(
    `/**`,
    ` * Creates Bandwidth webhook handlers for every family you pass handlers for (a family you leave out is`,
    ` * not served). Returns the same handling for node:http, Fetch runtimes, Express and Fastify.`,
    ...(hasBxmlValidator
      ? [
          ` * BXML a handler returns is checked with \`parseBxml\` before sending unless \`NODE_ENV=production\``,
          ` * (or \`validateBxml: false\`); invalid BXML then becomes a 500 reported to \`onError\`.`,
        ]
      : []),
    ` *`,
    ` * @example`,
    ` * const webhooks = createBandwidthWebhooks({`,
    ` *   credentials: [{ username: "bw", password: process.env.BW_WEBHOOK_PASSWORD! }],`,
    ` *   voice: { answer: () => '<Response><SpeakSentence>Hello</SpeakSentence></Response>' },`,
    ` * });`,
    ` * http.createServer(webhooks.node).listen(3000);    // or: export default { fetch: webhooks.fetch }`,
    ` * // app.use(webhooks.express);  await fastify.register(webhooks.fastify);`,
    ` */`,
    `export function createBandwidthWebhooks(options: BandwidthWebhooksOptions | QueuedBandwidthWebhooksOptions): WebhookHandlers {`,
    `  const routes: WebhookRoute[] = [];`,
  );
  for (const family of wired) {
    lines.push(
      `  if (options.${family.name} !== undefined) {`,
      WIRING[family.name].signatureOption === undefined
        ? `    routes.push({ path: options.paths?.${family.name} ?? ${JSON.stringify(WIRING[family.name].path)}, family: ${family.name}Family, handlers: options.${family.name} });`
        : [
            `    const secrets = options.${WIRING[family.name].signatureOption};`,
            `    const family: WebhookFamily = secrets === undefined ? ${family.name}Family : Object.freeze({ ...${family.name}Family, verifyBody: createSignedBodyCheck(secrets) });`,
            `    routes.push({ path: options.paths?.${family.name} ?? ${JSON.stringify(WIRING[family.name].path)}, family, handlers: options.${family.name} });`,
          ].join("\n"),
      `  }`,
    );
  }
  lines.push(
    `  if (routes.length === 0) {`,
    `    throw new BandwidthConfigError(${JSON.stringify(`createBandwidthWebhooks: pass handlers for at least one family (${wired.map((f) => f.name).join(", ")})`)});`,
    `  }`,
    hasBxmlValidator
      ? `  return createWebhookHandlers({ ...options, bxmlValidator: options.bxmlValidator ?? parseBxml, routes });`
      : `  return createWebhookHandlers({ ...options, routes });`,
    `}`,
    "",
  );
  return [{ path: "webhooks.ts", contents: lines.join("\n"), source: "generator/emit/handler-wiring.ts" }];
}
