// Emits generated/handlers.d.ts with ts-morph: per family an interface with one optional method per
// event. Events whose reply Bandwidth executes return BXML; the others must return nothing, so a
// handler that tries to answer an async event with BXML does not compile.
import { Project, type InterfaceDeclaration } from "ts-morph";
import type { Catalog } from "../catalog.js";
import { modelFamily, type FamilyModel, type Model } from "../model/build-model.js";
import type { GeneratedFile } from "../generated-file.js";
import { deprecatedHandlerNames, handlerName } from "../model/handler-names.js";

const RETURNS: Record<string, string> = {
  // BXML replies: a document built with the generated builder (generated/bxml), or a BXML string.
  bxml: "VoiceBxmlReply | Promise<VoiceBxmlReply>",
  "bxml-or-empty": "VoiceBxmlReply | undefined | Promise<VoiceBxmlReply | undefined>",
  empty: "NoReply",
  "port-out-validation-response": "PortOutValidationAnswer | string | Promise<PortOutValidationAnswer | string>",
};

const RETURN_DOCS: Record<string, string> = {
  bxml: "Return the BXML Bandwidth executes next on the call.",
  "bxml-or-empty": "Return conference BXML, or nothing to answer 204.",
  empty: "Bandwidth ignores any reply body: return nothing; the runtime acknowledges it (204, or 200 for families that need it).",
  json: "Return the JSON answer Bandwidth expects (checked against its schema before it is sent; an invalid one is a 500 reported to `onError`); return nothing to answer 204.",
  "port-out-validation-response":
    "Return your answer (`{ portable: true }`, or `{ portable: false, errors: [...] }`); it is sent as a `<PortOutValidationResponse>`. Returning nothing, mounting no handler, throwing, rejecting or timing out all answer a dispute with code 7598 (the order goes to Exception for review), never a non-200 that Bandwidth would treat as approval.",
};

export function emitHandlers(model: Model): GeneratedFile[] {
  const project = new Project({ useInMemoryFileSystem: true });
  const file = project.createSourceFile("handlers.d.ts", "", { overwrite: true });
  const replies = model.families.flatMap((f) => f.replies);
  const webhookEvents = model.families.filter((f) => f.transport === "http").flatMap((f) => f.events);
  const titles = [...new Set([...webhookEvents.map((e) => e.title), ...replies.map((r) => r.title)])];
  file.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: "./types.js", namedImports: titles });
  file.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: "./runtime/http/context.js", namedImports: ["HandlerContext"] });
  file.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: "./bxml/index.js", namedImports: ["VoiceBxmlReply"] });
  if (webhookEvents.some((e) => e.meta.response === "port-out-validation-response")) {
    file.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: "./runtime/xml/numbers.js", namedImports: ["PortOutValidationAnswer"] });
  }
  // NoReply (any value but BXML) lives in the runtime's contract, shared with the queue's types
  file.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: "./runtime/contract.js", namedImports: ["NoReply", "NotBxml"] });
  file.addExportDeclaration({ isTypeOnly: true, namedExports: ["NoReply", "NotBxml"] });
  for (const family of model.families) {
    const events = family.events;
    // Socket families get no handler interface here: a socket handler's second argument is the socket
    // session (send playAudio/clear, close), which the socket runtime defines, not an HTTP delivery's context.
    if (!events.length || family.transport === "websocket") continue;
    const iface: InterfaceDeclaration = file.addInterface({
      name: family.handlers,
      isExported: true,
      docs: [`One optional method per ${family.name} event. ${family.description}\n\n@example\n${handlersExample(family)}`],
    });
    for (const e of events) {
      const response = e.meta.response ?? "empty";
      const name = handlerName(family, e.event);
      const method = {
        hasQuestionToken: true,
        parameters: [
          { name: "event", type: e.title },
          { name: "context", type: "HandlerContext" },
        ],
        returnType: response === "json" ? jsonReturn(model, e) : (RETURNS[response] ?? RETURNS.empty),
      };
      iface.addMethod({ ...method, name, docs: [`${e.meta.summary ?? e.title} (\`${e.event}\`). ${RETURN_DOCS[response] ?? RETURN_DOCS.empty}`] });
      // A renamed handler's earlier name: still called, marked deprecated so editors strike it through.
      for (const old of deprecatedHandlerNames(family, e.event)) {
        iface.addMethod({
          ...method,
          name: old,
          docs: [`${e.meta.summary ?? e.title} (\`${e.event}\`): the earlier name of {@link ${family.handlers}.${name} | ${name}}, still called. Giving both is a configuration error.\n\n@deprecated Use \`${name}\` (same event, same signature).`],
        });
      }
    }
  }
  return [{ path: "handlers.d.ts", contents: file.getFullText(), source: "schemas/**/*.schema.json (x-bw)" }];
}

/**
 * The `@example` of a handler interface, code that compiles (test/types/handler-doc-examples.ts holds
 * each one): the family's first event that answers BXML returns a document built with the builder; a
 * family without one shows its first event, returning nothing.
 */
function handlersExample(family: FamilyModel): string {
  const name = family.handlers;
  const events = family.events;
  const bxml = events.find((e) => (e.meta.response ?? "empty") === "bxml");
  if (bxml !== undefined) {
    return [
      'import { Response, SpeakSentence } from "bw-codegen/bxml";',
      "",
      `const handlers: ${name} = {`,
      `  ${handlerName(family, bxml.event)}(event) {`,
      `    return Response(SpeakSentence("Hello " + event.to));`,
      "  },",
      "};",
    ].join("\n");
  }
  return [`const handlers: ${name} = {`, `  ${handlerName(family, events[0].event)}(event, context) {`, "    console.log(context.eventType, event);", "  },", "};"].join("\n");
}

/** The return type of a handler whose answer is JSON: the reply schema's type, nothing, or a promise of either. */
function jsonReturn(model: Model, event: Catalog["events"][number]): string {
  const reply = modelFamily(model, event.family).replies.find((r) => r.kind === (event.meta.response ?? "empty"));
  if (reply === undefined) throw new Error(`${event.file}: a "json" response needs x-bw.http.responseSchema`);
  return `${reply.title} | undefined | Promise<${reply.title} | undefined>`;
}
