// Emits generated/webhooks.ts: `createBandwidthWebhooks({ voice, messaging, …, credentials })`, the glue
// that binds each family's generated validator and event table to the hand-written handler runtime
// (templates/runtime/http/core.ts + adapters) and returns the node, fetch, express and fastify handlers.
//
// A function of the model: a family is wired when it is served (it has events and HTTP settings in its
// definition, generator/families/<name>.ts); which modules and exports exist is the model's to say.
import type { GeneratedFile } from "../generated-file.js";
import type { Model } from "../model/build-model.js";

/** Builds generated/webhooks.ts from the model. */
export function emitHandlerWiring(model: Model): GeneratedFile[] {
  const wired = model.families.filter((family) => family.served);
  if (wired.length === 0) return [];
  // Development-mode BXML validation: bind the generated BXML parser/validator when it exists.
  const hasBxmlValidator = model.hasBxml;

  const lines: string[] = [
    `import { BandwidthConfigError } from "./runtime/errors.js";`,
    `import { createWebhookHandlers } from "./runtime/webhooks.js";`,
    `import type { WebhookHandlers } from "./runtime/webhooks.js";`,
    `import type { WebhookCoreOptions, WebhookFamily, WebhookRoute } from "./runtime/http/core.js";`,
    `import { ${wired.map((f) => `${f.name}Events`).join(", ")} } from "./events.js";`,
  ];
  if (hasBxmlValidator) lines.push(`import { parseBxml } from "./bxml/index.js";`);
  const signed = wired.filter((f) => f.http?.signatureOption !== undefined);
  if (signed.length > 0) lines.push(`import { createSignedBodyCheck } from "./runtime/auth/hmac.js";`);
  for (const family of wired) {
    const failClosed = family.http!.failClosed;
    if (failClosed !== undefined) lines.push(`import { ${failClosed.export} } from "${failClosed.module}";`);
  }
  const handlerTypes = wired.map((f) => f.handlers);
  if (handlerTypes.length > 0) lines.push(`import type { ${handlerTypes.join(", ")} } from "./handlers.js";`);
  lines.push(`import type { EventQueue, ReceiverHandlers } from "./runtime/queue/types.js";`);
  for (const family of wired) {
    const names = [family.validator];
    if (family.exports.parseBody !== undefined) names.push(family.exports.parseBody);
    if (family.exports.renderReply !== undefined) names.push(family.exports.renderReply);
    lines.push(`import { ${names.join(", ")} } from "./validators/${family.name}.js";`);
  }
  lines.push("");

  for (const family of wired) {
    const wiring = family.http!;
    const props = [
      `name: ${JSON.stringify(family.name)}`,
      ...(family.discriminant !== undefined ? [`discriminant: ${JSON.stringify(family.discriminant)}`] : []),
      `format: ${JSON.stringify(family.body)}`,
      `contentTypes: ${JSON.stringify(wiring.contentTypes)}`,
      `events: ${family.name}Events`,
      `validate: ${family.validator}`,
      `ackStatus: ${wiring.ackStatus}`,
      ...(wiring.methods !== undefined ? [`methods: ${JSON.stringify(wiring.methods)}`] : []),
      ...(family.dedupe !== undefined && family.dedupe.datedBy.length > 0 ? [`datedBy: ${JSON.stringify(family.dedupe.datedBy)}`] : []),
      ...(family.dedupe?.resentAfterError === false ? ["resentAfterError: false"] : []),
      ...(wiring.maxTimeoutMs !== undefined ? [`maxTimeoutMs: ${wiring.maxTimeoutMs}`] : []),
      ...(family.exports.parseBody !== undefined ? [`parseBody: ${family.exports.parseBody}`] : []),
      ...(family.exports.renderReply !== undefined ? [`renderReply: ${family.exports.renderReply}`] : []),
      ...(family.http!.failClosed !== undefined ? [`failClosed: ${family.http!.failClosed.export}`] : []),
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
    const type = family.handlers;
    lines.push(`  /** ${family.http!.doc} Served at \`${family.http!.path}\` unless \`paths.${family.name}\` says otherwise. */`);
    lines.push(`  readonly ${family.name}?: ${type};`);
  }
  for (const family of signed) {
    lines.push(
      `  /**`,
      `   * Shared secret(s) of the ${family.name} webhook subscription (several while rotating). When set, every ${family.name} POST`,
      `   * must carry a valid \`x-bandwidth-signature-hmac-sha256\` over its raw body, or it is refused with 403.`,
      `   */`,
      `  readonly ${family.http!.signatureOption}?: readonly string[];`,
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
    const type = `ReceiverHandlers<${family.handlers}>`;
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
      family.http!.signatureOption === undefined
        ? `    routes.push({ path: options.paths?.${family.name} ?? ${JSON.stringify(family.http!.path)}, family: ${family.name}Family, handlers: options.${family.name} });`
        : [
            `    const secrets = options.${family.http!.signatureOption};`,
            `    const family: WebhookFamily = secrets === undefined ? ${family.name}Family : Object.freeze({ ...${family.name}Family, verifyBody: createSignedBodyCheck(secrets) });`,
            `    routes.push({ path: options.paths?.${family.name} ?? ${JSON.stringify(family.http!.path)}, family, handlers: options.${family.name} });`,
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
