/**
 * generated/asyncapi.json (and .yaml, the same document) is an AsyncAPI 3.1 document that
 * `@asyncapi/parser` parses with no diagnostic at all (no error, warning, information or hint), offline
 * (every outgoing TCP connection is refused and counted during the parse). It says what the socket
 * runtime will do: one channel per socket family, receive/send operations from the application's point
 * of view, HTTP Basic on the stream's opening handshake, a URL token for transcription, and every
 * message's examples are the schema's and validate.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { validateStreamMessage } from "bw-codegen/validators/stream";
import { validateTranscriptionMessage } from "bw-codegen/validators/transcription";
import { loadCatalog } from "../generator/catalog.js";
import { REPO_ROOT } from "./support/cli.js";

/** The parser's diagnostics, as far as this test reads them (severity 0 error, 1 warning, 2 information, 3 hint). */
interface Diagnostic {
  readonly severity: number;
  readonly code: string | number;
  readonly path: readonly (string | number)[];
  readonly message: string;
}
type AsyncApiParser = new () => { parse(text: string): Promise<{ document?: unknown; diagnostics: Diagnostic[] }> };
// Loaded by a name TypeScript does not resolve: the package's declarations need @types/node-fetch, which
// this project does not install (the repository type-checks node_modules declarations).
const PARSER_PACKAGE: string = "@asyncapi/parser";
const { Parser } = (await import(PARSER_PACKAGE)) as { Parser: AsyncApiParser };

const json = readFileSync(join(REPO_ROOT, "generated", "asyncapi.json"), "utf8");
const doc = JSON.parse(json);
const catalog = loadCatalog(join(REPO_ROOT, "schemas"));

/** Parse with every outgoing connection refused; returns the diagnostics and the attempts. */
async function parseOffline(text: string): Promise<{ diagnostics: Diagnostic[]; attempts: string[]; parsed: boolean }> {
  const attempts: string[] = [];
  const connect = net.Socket.prototype.connect;
  const originalFetch = globalThis.fetch;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
    attempts.push(JSON.stringify(args[0]));
    this.destroy(new Error("no network in this test"));
    return this;
  } as typeof connect;
  globalThis.fetch = (async (input: unknown) => {
    attempts.push(String(input));
    throw new Error("no network in this test");
  }) as typeof fetch;
  try {
    const { document, diagnostics } = await new Parser().parse(text);
    return { diagnostics, attempts, parsed: document !== undefined };
  } finally {
    net.Socket.prototype.connect = connect;
    globalThis.fetch = originalFetch;
  }
}

const describeDiagnostic = (d: Diagnostic) => `${d.severity} ${d.code} ${d.path.join("/")}: ${d.message}`;

describe("the AsyncAPI document", () => {
  it("parses with @asyncapi/parser: no diagnostic of any severity, no network", async () => {
    const { diagnostics, attempts, parsed } = await parseOffline(json);
    assert.deepEqual(diagnostics.map(describeDiagnostic), []);
    assert.equal(parsed, true);
    assert.deepEqual(attempts, []);
  });

  it("the parser does catch a broken document (the check above can fail)", async () => {
    const broken = structuredClone(doc);
    broken.operations.sendStreamMessages.messages.push({ $ref: "#/channels/transcription/messages/start" });
    const { diagnostics } = await parseOffline(JSON.stringify(broken));
    assert.ok(diagnostics.some((d) => d.severity === 0 && d.code === "asyncapi3-operation-messages-from-referred-channel"), diagnostics.map(describeDiagnostic).join("\n"));
  });

  it("the YAML is the same document", () => {
    assert.deepEqual(parseYaml(readFileSync(join(REPO_ROOT, "generated", "asyncapi.yaml"), "utf8")), doc);
  });

  it("one channel per socket family; the application receives start/media/stop and sends playAudio/clear", () => {
    assert.equal(doc.asyncapi, "3.1.0");
    assert.deepEqual(Object.keys(doc.channels), ["stream", "transcription"]);
    assert.equal(doc.channels.stream.address, "/sockets/stream");
    assert.equal(doc.channels.transcription.address, "/sockets/transcription");
    const refs = (op: { messages: { $ref: string }[] }) => op.messages.map((m) => m.$ref.split("/").pop()).sort();
    assert.deepEqual(Object.keys(doc.operations).sort(), ["receiveStreamMessages", "receiveTranscriptionMessages", "sendStreamMessages"]);
    assert.equal(doc.operations.receiveStreamMessages.action, "receive");
    assert.deepEqual(refs(doc.operations.receiveStreamMessages), ["media", "start", "stop"]);
    assert.equal(doc.operations.sendStreamMessages.action, "send");
    assert.deepEqual(refs(doc.operations.sendStreamMessages), ["clear", "playAudio"]);
    assert.deepEqual(refs(doc.operations.receiveTranscriptionMessages), ["start", "stop", "transcription"]);
  });

  it("the stream's handshake carries HTTP Basic in Authorization; transcription's a token in the URL (no credential attribute)", () => {
    const streamBinding = doc.channels.stream.bindings.ws;
    assert.equal(streamBinding.method, "GET");
    assert.ok(streamBinding.headers.properties.Authorization);
    assert.match(streamBinding.headers.properties.Authorization.description, /destinationUsername:destinationPassword/);
    for (const op of ["receiveStreamMessages", "sendStreamMessages"]) assert.deepEqual(doc.operations[op].security, [{ $ref: "#/components/securitySchemes/streamBasic" }]);
    assert.deepEqual({ type: doc.components.securitySchemes.streamBasic.type, scheme: doc.components.securitySchemes.streamBasic.scheme }, { type: "http", scheme: "basic" });

    const transcriptionBinding = doc.channels.transcription.bindings.ws;
    assert.deepEqual(transcriptionBinding.query.required, ["token"]);
    assert.equal(transcriptionBinding.headers, undefined);
    const token = doc.components.securitySchemes.transcriptionToken;
    assert.deepEqual({ type: token.type, in: token.in, name: token.name }, { type: "httpApiKey", in: "query", name: "token" });
    assert.match(token.description, /no credential attribute/);
    assert.match(token.description, /expiring token/);
  });

  it("every message's examples are its schema's, and each validates (lenient and strict)", () => {
    const validators: Record<string, (v: unknown, o?: { strict?: boolean }) => { ok: boolean; type?: string }> = { stream: validateStreamMessage, transcription: validateTranscriptionMessage };
    const events = catalog.events.filter((e) => e.family in validators);
    assert.equal(Object.keys(doc.components.messages).length, events.length);
    for (const e of events) {
      const message = doc.components.messages[e.title];
      assert.equal(message.name, e.event);
      assert.deepEqual(message.payload, { $ref: `#/components/schemas/${e.title}` });
      // The schema's examples, each once (clear's minimal and complete examples are the same).
      assert.deepEqual(
        message.examples.map((x: { payload: unknown }) => x.payload),
        [...new Map(e.schema.examples.map((x: unknown) => [JSON.stringify(x), x])).values()],
      );
      for (const example of e.schema.examples) {
        for (const strict of [false, true]) {
          const result = validators[e.family](example, { strict });
          assert.ok(result.ok && result.type === e.event, `${e.file} (strict ${strict})`);
        }
      }
    }
  });

  it("every schema component a message refers to is there, and none carries our generator metadata", () => {
    const text = JSON.stringify(doc);
    for (const [, name] of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) assert.ok(name in doc.components.schemas, name);
    assert.doesNotMatch(text, /"x-bw(-hint)?"/);
  });
});
