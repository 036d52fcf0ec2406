/**
 * Normalises a validated `start` message into the metadata a handler reads, accepting every form
 * Bandwidth's sources disagree on: `accountId` as a string or a number (→ string), `tracks` as objects
 * or plain names (→ `{ name, encoding, sampleRate }`), `encoding` as `PCMU` or `audio/PCMU` (→ `PCMU`).
 * Edge-safe.
 */

import type { StreamMetadata, StreamStartFrame, StreamTrackInfo, TranscriptionMetadata, TranscriptionStartFrame } from "./types.js";

function encodingOf(encoding: unknown): string | undefined {
  if (typeof encoding !== "string") return undefined;
  const lower = encoding.toLowerCase();
  return lower === "pcmu" || lower === "audio/pcmu" ? "PCMU" : encoding;
}

function trackOf(track: StreamStartFrame["metadata"]["tracks"][number]): StreamTrackInfo {
  if (typeof track === "string") return Object.freeze({ name: track, encoding: undefined, sampleRate: undefined });
  const format = track.mediaFormat;
  return Object.freeze({
    name: track.name,
    encoding: encodingOf(format?.encoding),
    sampleRate: typeof format?.sampleRate === "number" ? format.sampleRate : undefined,
  });
}

function paramsOf(params: { readonly [name: string]: string | undefined } | undefined): Readonly<Record<string, string>> {
  const out: Record<string, string> = Object.create(null);
  if (params !== undefined && params !== null && typeof params === "object") {
    for (const name of Object.keys(params)) {
      const value = params[name];
      if (typeof value === "string") out[name] = value;
    }
  }
  return Object.freeze(out);
}

/** The media stream's metadata, normalised. */
export function streamMetadata(start: StreamStartFrame): StreamMetadata {
  const m = start.metadata;
  return Object.freeze({
    accountId: String(m.accountId),
    callId: m.callId,
    streamId: m.streamId,
    streamName: typeof m.streamName === "string" ? m.streamName : undefined,
    tracks: Object.freeze(m.tracks.map(trackOf)),
    params: paramsOf(start.streamParams),
  });
}

/** The transcription's metadata, normalised. */
export function transcriptionMetadata(start: TranscriptionStartFrame): TranscriptionMetadata {
  const m = start.metadata;
  return Object.freeze({
    accountId: String(m.accountId),
    callId: m.callId,
    transcriptionId: m.realTimeTranscriptionId,
    transcriptionName: typeof m.transcriptionName === "string" ? m.transcriptionName : undefined,
    tracks: Object.freeze(m.tracks.map((t) => (typeof t === "string" ? t : t.name))),
    stabilized: typeof m.stabilized === "boolean" ? m.stabilized : undefined,
    params: paramsOf(start.customParams),
  });
}
