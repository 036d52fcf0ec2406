/**
 * The hot path of a voice bot: one media-stream `media` frame (160 bytes of μ-law, base64) checked as it
 * arrives. `JSON.parse` + `validateStreamMessage` (the precompiled validator, dispatched on `eventType`)
 * against `JSON.parse` + a validator ajv compiles at run time from the same schemas (Ajv 2020, the usual
 * way), in one run; the validator alone against `JSON.parse` alone (what validating adds to parsing) and
 * against ajv's alone, and the per-message type guard (`isStreamMediaMessage`: the compiled check with no
 * dispatch and no result object) against ajv's.
 * The runtime's whole path for a frame (issue 22): one text frame handed to a stream's connection
 * (`createStreamServer` → `accept` → `connection.message`, a socket that discards what is sent), which
 * reads, checks and base64-decodes it and calls `onMedia` with the audio bytes, against the same done by
 * hand: `JSON.parse` + ajv's compiled check + `Buffer.from(payload, "base64")`.
 * `npm run bench -- --only sockets`, or on its own: `node --import tsx bench/socket-messages.ts`.
 */

import { createStreamServer } from "../generated/sockets.js";
import type { SocketConnection } from "../generated/sockets.js";
import { isStreamMediaMessage, validateStreamMessage } from "../generated/validators/stream.js";
import { formatNs, keep, measure, percent, type Row } from "./harness.js";
import { runtimeAjv } from "./schemas.js";

const MEDIA_ID = "https://bw-codegen.dev/schemas/stream/media.schema.json";

/** A `media` frame as Bandwidth sends it: compact JSON, 160 bytes of μ-law silence (0xFF) in base64. */
export const MEDIA_FRAME: string = JSON.stringify({ eventType: "media", track: "inbound", sequenceNumber: "1", payload: Buffer.alloc(160, 0xff).toString("base64") });

/** A started stream's connection whose onMedia keeps the audio (so the decode cannot be skipped). */
function runtimeConnection(): { connection: SocketConnection; frames: () => number } {
  let frames = 0;
  const server = createStreamServer({
    stream: {
      allowUnauthenticated: true,
      onMedia(frame) {
        frames++;
        keep(frame.audio);
      },
    },
    logger: { info() {}, warn() {}, error() {} },
  });
  const socket = { send() {}, close() {}, bufferedAmount: 0 };
  const connection = server.accept(socket, { ok: true, kind: "stream", path: "/sockets/stream", query: new URLSearchParams(), auth: "none" });
  connection.message(JSON.stringify({ eventType: "start", metadata: { accountId: "5590123", callId: "c-bench", streamId: "s-bench", streamName: "bench", tracks: [{ name: "inbound", mediaFormat: { encoding: "PCMU", sampleRate: 8000 } }] } }));
  return { connection, frames: () => frames };
}

export async function runSocketMessagesBench(): Promise<Row[]> {
  const runtime = runtimeAjv(["stream"]).getSchema(MEDIA_ID);
  if (runtime === undefined) throw new Error(`ajv did not compile ${MEDIA_ID}`);
  const value = JSON.parse(MEDIA_FRAME);
  if (!validateStreamMessage(value).ok || !runtime(value)) throw new Error("the media frame does not validate");

  const { connection, frames } = runtimeConnection();
  connection.message(MEDIA_FRAME);
  if (frames() !== 1) throw new Error("the runtime did not hand the media frame to onMedia");
  const handWritten = (text: string): Uint8Array | undefined => {
    const message = JSON.parse(text);
    return runtime(message) ? Buffer.from(message.payload, "base64") : undefined;
  };
  if (handWritten(MEDIA_FRAME)?.length !== 160) throw new Error("the hand-written path did not decode 160 bytes");

  const ns = await measure({
    "runtime: connection.message → onMedia": () => connection.message(MEDIA_FRAME),
    "JSON.parse + ajv + Buffer.from(base64)": () => handWritten(MEDIA_FRAME),
    "JSON.parse": () => JSON.parse(MEDIA_FRAME),
    validateStreamMessage: () => validateStreamMessage(value),
    "ajv (compiled at run time)": () => runtime(value),
    isStreamMediaMessage: () => isStreamMediaMessage(value),
    "JSON.parse + validateStreamMessage": () => validateStreamMessage(JSON.parse(MEDIA_FRAME)),
    "JSON.parse + ajv (compiled at run time)": () => runtime(JSON.parse(MEDIA_FRAME)),
  });
  const ours = ns["JSON.parse + validateStreamMessage"];
  const theirs = ns["JSON.parse + ajv (compiled at run time)"];
  const bytes = Buffer.byteLength(MEDIA_FRAME);
  if (frames() < 1000) throw new Error("the runtime stopped taking media frames (the stream closed?)");
  const path = ns["runtime: connection.message → onMedia"];
  const hand = ns["JSON.parse + ajv + Buffer.from(base64)"];
  return [
    {
      group: "sockets",
      benchmark: `decode + validate one media frame (${bytes} B, 160 B of audio) through the runtime's path (connection.message → onMedia with the bytes) vs JSON.parse + ajv + Buffer.from(payload, "base64")`,
      ours: `runtime ${formatNs(path)}`,
      baseline: `hand-written ${formatNs(hand)}`,
      ratio: `${(path / hand).toFixed(2)}×`,
      target: "≤ 5 µs, < 1×",
      met: path <= 5000 && path < hand,
    },
    {
      group: "sockets",
      benchmark: `parse + validate one media frame (${bytes} B) vs parse + ajv compiled at run time`,
      ours: `validateStreamMessage ${formatNs(ours)}`,
      baseline: `ajv ${formatNs(theirs)}`,
      ratio: `${(ours / theirs).toFixed(2)}×`,
      target: "",
    },
    {
      group: "sockets",
      benchmark: "validate one media frame vs JSON.parse of the same bytes",
      ours: `validateStreamMessage ${formatNs(ns.validateStreamMessage)}`,
      baseline: `JSON.parse ${formatNs(ns["JSON.parse"])}`,
      ratio: percent(ns.validateStreamMessage / ns["JSON.parse"]),
      target: "",
    },
    {
      group: "sockets",
      benchmark: "validate one parsed media frame vs ajv compiled at run time (validation alone)",
      ours: `validateStreamMessage ${formatNs(ns.validateStreamMessage)}`,
      baseline: `ajv ${formatNs(ns["ajv (compiled at run time)"])}`,
      ratio: `${(ns.validateStreamMessage / ns["ajv (compiled at run time)"]).toFixed(2)}×`,
      target: "",
    },
    {
      group: "sockets",
      benchmark: "the type guard (no dispatch, no result object) vs ajv compiled at run time (validation alone)",
      ours: `isStreamMediaMessage ${formatNs(ns.isStreamMediaMessage)}`,
      baseline: `ajv ${formatNs(ns["ajv (compiled at run time)"])}`,
      ratio: `${(ns.isStreamMediaMessage / ns["ajv (compiled at run time)"]).toFixed(2)}×`,
      target: "",
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await runSocketMessagesBench()) console.log(`${row.benchmark}: ${row.ours} vs ${row.baseline} (${row.ratio})`);
}
