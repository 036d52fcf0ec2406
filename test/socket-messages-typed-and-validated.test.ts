/**
 * The Voice AI socket messages (media streams, real-time transcription) are two families of the same
 * generator: typed, validated (lenient by default, `strict` on demand) through their package entries, with
 * every form Bandwidth's own sources disagree on accepted; nested required fields removed or given the
 * wrong type fail at their path. They are WebSocket families in the model (a direction per message, no
 * HTTP), so they stay out of the OpenAPI document, the webhook receiver, the queue worker and the handler
 * interfaces, and `validate --kind auto` recognises them.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { validateStreamMessage, isStreamMediaMessage } from "bw-codegen/validators/stream";
import { validateTranscriptionMessage } from "bw-codegen/validators/transcription";
import type { StreamInboundMessage, StreamMessage, StreamOutboundMessage, TranscriptionMessage, TranscriptionUpdateMessage } from "bw-codegen";
import { loadCatalog, type Catalog, type EventEntry } from "../generator/catalog.js";
import { kinds } from "../generator/cli/validate-kinds.js";
import { componentName, socketSchemaFiles } from "../generator/emit/openapi.js";
import { buildModel, modelFamily } from "../generator/model/build-model.js";
import type { FamilyDefinition } from "../generator/model/family-definition.js";
import { REPO_ROOT } from "./support/cli.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Validator = (input: unknown, options?: { strict?: boolean }) => { ok: boolean; type?: string; errors?: { path: string; message: string }[] };

const catalog = loadCatalog(join(REPO_ROOT, "schemas"));
const model = buildModel(catalog);
const VALIDATORS: Record<string, Validator> = { stream: validateStreamMessage, transcription: validateTranscriptionMessage };
const example = (family: string, event: string, i = 0): Record<string, any> =>
  structuredClone(catalog.events.find((e) => e.family === family && e.event === event)!.schema.examples[i]);

const START_METADATA = example("stream", "start").metadata;
const MEDIA = example("stream", "media");

describe("every form Bandwidth's sources disagree on is accepted (reference: media-streams.md)", () => {
  const accepted: [string, string, Json][] = [
    ["stream", "encoding audio/PCMU (docs table)", { eventType: "start", metadata: { ...START_METADATA, tracks: [{ name: "inbound", mediaFormat: { encoding: "audio/PCMU", sampleRate: 8000 } }] } }],
    ["stream", "encoding PCMU (docs example)", { eventType: "start", metadata: { ...START_METADATA, tracks: [{ name: "inbound", mediaFormat: { encoding: "PCMU", sampleRate: 8000 } }] } }],
    ["stream", "accountId a string (docs)", { eventType: "start", metadata: { ...START_METADATA, accountId: "9900000" } }],
    ["stream", "accountId a number (on the wire, pipecat PR #4388)", { eventType: "start", metadata: { ...START_METADATA, accountId: 9900000 } }],
    ["stream", "tracks as objects (docs)", { eventType: "start", metadata: { ...START_METADATA, tracks: [{ name: "inbound", mediaFormat: { encoding: "PCMU", sampleRate: 8000 } }] } }],
    ["stream", "tracks as plain strings (Bandwidth's pipecat tests)", { eventType: "start", metadata: { ...START_METADATA, tracks: ["inbound"] } }],
    ["stream", "tracks both ways, mixed", { eventType: "stop", metadata: { ...START_METADATA, tracks: ["inbound", { name: "outbound" }] } }],
    ["stream", "media without sequenceNumber (docs)", { eventType: "media", track: "inbound", payload: MEDIA.payload }],
    ["stream", "media with sequenceNumber a string (Bandwidth's pipecat tests)", { eventType: "media", track: "inbound", payload: MEDIA.payload, sequenceNumber: "42" }],
    ["stream", "media with sequenceNumber a number", { eventType: "media", track: "inbound", payload: MEDIA.payload, sequenceNumber: 42 }],
    ["stream", "playAudio audio/pcmu", { eventType: "playAudio", media: { contentType: "audio/pcmu", payload: MEDIA.payload } }],
    ...[8000, 16000, 24000].map((rate): [string, string, Json] => [
      "stream",
      `playAudio linear PCM at ${rate} Hz`,
      { eventType: "playAudio", media: { contentType: `audio/pcm;rate=${rate};channels=1;bit-depth=16;endian=little;encoding=signed`, payload: "AAAA" } },
    ]),
    ["stream", "playAudio with a content type no source lists", { eventType: "playAudio", media: { contentType: "audio/x-opus", payload: "AAAA" } }],
    ["stream", "start with streamParams", { eventType: "start", metadata: START_METADATA, streamParams: { a: "1" } }],
    // The published transcription example: its times have no seconds (the trailing commas are JSON's to refuse, before any validator).
    [
      "transcription",
      "times written like 2023-03-31T20:05.101Z (the published example)",
      {
        eventType: "transcription",
        track: "inbound",
        startTime: "2023-03-31T20:05.101Z",
        endTime: "2023-03-31T20:06.870Z",
        isPartial: true,
        language: "en-US",
        transcript: "hello",
        items: [{ content: "hello", startTime: "2023-03-31T20:05.101Z", endTime: "2023-03-31T20:06.870Z", confidence: 0.9, stable: false, type: "PRONUNCIATION" }],
      },
    ],
    ["transcription", "metadata accountId a number, tracks as strings", { eventType: "start", metadata: { ...example("transcription", "start").metadata, accountId: 5590123, tracks: ["inbound"] } }],
  ];
  for (const [family, what, message] of accepted) {
    it(`${family}: ${what} (lenient and strict)`, () => {
      for (const strict of [false, true]) {
        const result = VALIDATORS[family](message, { strict });
        assert.equal(result.ok, true, `strict ${strict}: ${JSON.stringify(result.errors)}`);
      }
    });
  }
});

/** Every field of a value (JSON pointers, at every depth) without which the value fails validation. */
function requiredPaths(value: Json, validate: Validator): string[] {
  const out: string[] = [];
  const visit = (node: Json, at: string): void => {
    if (node === null || typeof node !== "object") return;
    // An array's first element stands for the others.
    const entries = Array.isArray(node) ? node.slice(0, 1).map((v, i) => [String(i), v] as const) : Object.entries(node);
    for (const [key, child] of entries) {
      const path = `${at}/${key}`;
      if (!Array.isArray(node) && !validate(edit(value, path, undefined)).ok) out.push(path);
      visit(child, path);
    }
  };
  visit(value, "");
  return out;
}

function edit(root: Json, pointer: string, replacement: Json | undefined): Json {
  const copy = structuredClone(root);
  const parts = pointer.split("/").slice(1);
  const last = parts.pop()!;
  const parent = parts.reduce<any>((node, part) => node[part], copy);
  if (replacement === undefined) delete parent[last];
  else parent[last] = replacement;
  return copy;
}

describe("mutations fail at their path, at every depth", () => {
  const required: Record<string, string[]> = {
    "stream/start": ["/eventType", "/metadata", "/metadata/accountId", "/metadata/callId", "/metadata/streamId", "/metadata/streamName", "/metadata/tracks", "/metadata/tracks/0/name", "/metadata/tracks/0/mediaFormat/encoding", "/metadata/tracks/0/mediaFormat/sampleRate"],
    "stream/media": ["/eventType", "/track", "/payload"],
    "stream/playAudio": ["/eventType", "/media", "/media/contentType", "/media/payload"],
    "stream/clear": ["/eventType"],
    "transcription/transcription": ["/eventType", "/track", "/isPartial", "/transcript", "/items/0/content"],
    "transcription/stop": ["/eventType", "/metadata", "/metadata/accountId", "/metadata/callId", "/metadata/realTimeTranscriptionId", "/metadata/transcriptionName", "/metadata/tracks", "/metadata/tracks/0/name"],
  };
  for (const [key, paths] of Object.entries(required)) {
    const [family, event] = key.split("/");
    it(`${key}: exactly these fields are required (the fullest example without each fails, at its path)`, () => {
      const fullest = example(family, event, key === "transcription/stop" ? 0 : 1); // stop's second example has tracks as strings
      const validate = VALIDATORS[family];
      assert.deepEqual(requiredPaths(fullest, validate), paths);
      for (const path of paths.filter((p) => p !== "/eventType")) {
        const result = validate(edit(fullest, path, undefined));
        const parent = path.slice(0, path.lastIndexOf("/"));
        assert.ok(result.errors!.some((e) => e.path === parent || e.path === path), `${path}: ${JSON.stringify(result.errors)}`);
      }
    });
  }

  const wrongTypes: [string, string, Json][] = [
    ["stream/start", "/metadata/accountId", true],
    ["stream/start", "/metadata/accountId", "12ab"], // a string must be digits
    ["stream/start", "/metadata/callId", "not-a-call"],
    ["stream/start", "/metadata/tracks", "inbound"],
    ["stream/start", "/metadata/tracks/0", 7],
    ["stream/start", "/metadata/tracks/0/mediaFormat/sampleRate", "8000"],
    ["stream/start", "/streamParams", "a=1"],
    ["stream/start", "/streamParams/language", 1],
    ["stream/media", "/payload", 160],
    ["stream/media", "/track", ["inbound"]],
    ["stream/media", "/sequenceNumber", 1.5],
    ["stream/media", "/sequenceNumber", null],
    ["stream/playAudio", "/media/payload", { data: "AAAA" }],
    ["stream/playAudio", "/media/contentType", 1],
    ["transcription/transcription", "/isPartial", "false"],
    ["transcription/transcription", "/items/0/confidence", "0.98"],
    ["transcription/transcription", "/items/0/stable", 1],
    ["transcription/start", "/metadata/stabilized", "true"],
  ];
  for (const [key, path, value] of wrongTypes) {
    it(`${key}: ${path} = ${JSON.stringify(value)} fails at ${path}`, () => {
      const [family, event] = key.split("/");
      const result = VALIDATORS[family](edit(example(family, event, 1), path, value));
      assert.equal(result.ok, false);
      assert.ok(result.errors!.some((e) => e.path === path), JSON.stringify(result.errors));
    });
  }

  it("strict mode rejects an unknown property at any depth; the default accepts it (Bandwidth adds fields)", () => {
    const cases: [Validator, Json, string][] = [
      [validateStreamMessage, { ...MEDIA, extra: 1 }, "/extra"],
      [validateStreamMessage, edit(example("stream", "start", 1), "/metadata/newId", "x"), "/metadata/newId"],
      [validateStreamMessage, edit(example("stream", "start", 1), "/metadata/tracks/0/mediaFormat/channels", 1), "/metadata/tracks/0/mediaFormat/channels"],
      [validateStreamMessage, edit(example("stream", "playAudio", 0), "/media/rate", 8000), "/media/rate"],
      [validateTranscriptionMessage, edit(example("transcription", "transcription", 1), "/items/1/speaker", "A"), "/items/1/speaker"],
    ];
    for (const [validate, message, path] of cases) {
      assert.equal(validate(message).ok, true, path);
      const strict = validate(message, { strict: true });
      assert.equal(strict.ok, false, path);
      assert.deepEqual(strict.errors!.map((e) => e.path), [path]);
    }
  });

  it("a stream message type sent on the transcription socket (and the reverse) is an unknown type", () => {
    assert.equal(validateTranscriptionMessage(MEDIA).ok, false);
    assert.equal(validateStreamMessage(example("transcription", "transcription")).ok, false);
  });
});

describe("WebSocket families in the model", () => {
  it("each message says its direction; the per-direction unions hold exactly those", () => {
    const stream = modelFamily(model, "stream");
    assert.equal(stream.transport, "websocket");
    assert.deepEqual(stream.received.map((e) => e.event), ["start", "media", "stop"]); // in the order they occur
    assert.deepEqual(stream.sent.map((e) => e.event), ["playAudio", "clear"]);
    const transcription = modelFamily(model, "transcription");
    assert.deepEqual(transcription.received.map((e) => e.event), ["start", "transcription", "stop"]);
    assert.deepEqual(transcription.sent, []);
    const types = readFileSync(join(REPO_ROOT, "generated", "types.d.ts"), "utf8");
    assert.match(types, /export type StreamInboundMessage =\n {2}\| StreamStartMessage\n {2}\| StreamMediaMessage\n {2}\| StreamStopMessage;/);
    assert.match(types, /export type StreamOutboundMessage =\n {2}\| StreamPlayAudioMessage\n {2}\| StreamClearMessage;/);
    const events = readFileSync(join(REPO_ROOT, "generated", "events.js"), "utf8");
    assert.match(events, /"playAudio": \{ method: "playAudio", response: "empty", title: "StreamPlayAudioMessage", direction: "send" \}/);
  });

  it("not served over HTTP, never queued, no webhook handler interface, not in the OpenAPI document", () => {
    for (const name of ["stream", "transcription"]) {
      const family = modelFamily(model, name);
      assert.equal(family.served, false);
      assert.deepEqual(family.queuedEvents, []);
    }
    const webhooks = readFileSync(join(REPO_ROOT, "generated", "webhooks.d.ts"), "utf8");
    const queue = readFileSync(join(REPO_ROOT, "generated", "queue.d.ts"), "utf8");
    const handlers = readFileSync(join(REPO_ROOT, "generated", "handlers.d.ts"), "utf8");
    for (const text of [webhooks, queue, handlers]) assert.doesNotMatch(text, /\bstream\??:|\btranscription\??:|StreamHandlers|TranscriptionHandlers|StreamStartMessage/);
    const openapi = JSON.parse(readFileSync(join(REPO_ROOT, "generated", "openapi.json"), "utf8"));
    const keys = Object.keys(openapi.webhooks);
    assert.ok(keys.length > 50);
    assert.deepEqual(keys.filter((k) => k.startsWith("stream.") || k.startsWith("transcription.")), []);
    assert.deepEqual(openapi.tags.filter((t: { name: string }) => t.name === "stream" || t.name === "transcription"), []);
    // No component from a socket schema file (the messages, and the definitions of common/stream and common/transcription).
    const files = socketSchemaFiles(model);
    assert.deepEqual([...files].sort().slice(0, 2), ["common/stream.schema.json", "common/transcription.schema.json"]);
    const socketComponents = [...catalog.files]
      .filter(([, file]) => files.has(file))
      .flatMap(([id]) => [componentName(catalog, id, ""), ...Object.keys(catalog.schemas.get(id)!.$defs ?? {}).map((name) => componentName(catalog, id, `/$defs/${name}`))])
      .filter((name) => name !== undefined);
    assert.ok(socketComponents.includes("StreamMetadata") && socketComponents.includes("TranscriptionItem") && socketComponents.includes("StreamMediaMessage"));
    assert.deepEqual(socketComponents.filter((name) => name in openapi.components.schemas), []);
    assert.doesNotMatch(JSON.stringify(openapi), /StreamMessage|playAudio/);
  });

  it("the types: messages are told apart by eventType, and the direction unions do not mix", () => {
    const inbound = (m: StreamInboundMessage): string => (m.eventType === "media" ? m.payload : m.metadata.callId);
    const outbound: StreamOutboundMessage[] = [{ eventType: "clear" }, { eventType: "playAudio", media: { contentType: "audio/pcmu", payload: "AAAA" } }];
    // @ts-expect-error a media frame is never sent by your server
    const wrong: StreamOutboundMessage = { eventType: "media", track: "inbound", payload: "" };
    const any: StreamMessage = outbound[0];
    const text = (m: TranscriptionMessage): string | undefined => (m.eventType === "transcription" ? (m satisfies TranscriptionUpdateMessage).transcript : undefined);
    assert.equal(inbound(MEDIA as StreamInboundMessage), MEDIA.payload);
    assert.equal(text(example("transcription", "transcription") as TranscriptionMessage), "I need to change my booking.");
    assert.ok(wrong && any && isStreamMediaMessage(MEDIA));
  });

  it("validate --kind auto names each socket message's family (and voice's own mediaStream* events stay voice)", () => {
    const detect = (value: unknown) => kinds.find((k) => k.detect(JSON.stringify(value), value))?.name;
    for (const e of catalog.events.filter((x) => x.family === "stream" || x.family === "transcription")) {
      for (const value of e.schema.examples as unknown[]) assert.equal(detect(value), e.family, `${e.file}`);
    }
    assert.equal(detect(example("voice", "mediaStreamStarted")), "voice");
    assert.equal(detect(example("voice", "answer")), "voice");
  });

  const definition = (extra: Partial<FamilyDefinition>): FamilyDefinition => ({
    name: "fax",
    order: 1,
    description: "Fax socket.",
    body: "json-object",
    discriminant: "eventType",
    union: "FaxMessage",
    eventTypeAlias: "FaxEventType",
    map: "FaxMessageMap",
    handlers: "FaxHandlers",
    validator: "validateFaxMessage",
    reference: { displayName: "Fax", product: "Voice" },
    socket: { opener: "StartFax", path: "/sockets/fax", auth: { kind: "basic" }, flow: ["page", "ack"], title: "Fax", doc: "Fax pages." },
    ...extra,
  });
  const event = (name: string, meta: Record<string, unknown>): EventEntry => ({
    family: "fax",
    event: name,
    title: `Fax${name}Message`,
    id: `urn:fax:${name}`,
    file: `fax/${name}.schema.json`,
    schema: {},
    meta: { family: "fax", event: name, ...meta },
  });
  const modelOf = (d: FamilyDefinition, events: EventEntry[]) => buildModel({ schemasDir: "", schemas: new Map(), files: new Map(), events, elements: [] } satisfies Catalog, [d]);

  it("buildModel refuses a socket message without a direction, a socket family that is also HTTP, and a two-way family without both union names", () => {
    assert.throws(() => modelOf(definition({}), [event("page", {}), event("ack", { direction: "send" })]), /fax\/page\.schema\.json: a fax message needs x-bw\.direction "receive" or "send"/);
    assert.throws(() => modelOf(definition({}), [event("page", { direction: "receive" })]), /socket\.flow must list every fax message once \(has ack, page; the schemas have page\)/);
    assert.throws(
      () => modelOf(definition({ http: { path: "/callbacks/fax", contentTypes: ["application/json"], ackStatus: 204, doc: "x" } }), [event("page", { direction: "receive" })]),
      /served over HTTP \(`http`\) or over a WebSocket \(`socket`\), not both/,
    );
    assert.throws(() => modelOf(definition({}), [event("page", { direction: "receive" }), event("ack", { direction: "send" })]), /name socket\.receiveUnion and socket\.sendUnion/);
    const flowing = modelOf(definition({ socket: { ...definition({}).socket!, flow: ["page", "ack", "close"], receiveUnion: "FaxIn", sendUnion: "FaxOut" } }), [event("ack", { direction: "send" }), event("close", { direction: "receive" }), event("page", { direction: "receive" })]);
    assert.deepEqual(flowing.families[0].received.map((e) => e.event), ["page", "close"]);
    assert.throws(() => modelOf(definition({ socket: undefined, http: { path: "/f", contentTypes: ["application/json"], ackStatus: 204, doc: "x" } }), [event("page", { direction: "receive" })]), /x-bw\.direction is for socket families/);
    const ok = modelOf(definition({ socket: { ...definition({}).socket!, flow: ["page"] } }), [event("page", { direction: "receive" })]);
    assert.equal(ok.families[0].transport, "websocket");
  });
});
