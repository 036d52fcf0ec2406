/**
 * Normalises a `start` message into the metadata a handler reads, accepting every form Bandwidth's
 * sources disagree on: `accountId` as a string or a number (→ string), `tracks` as objects or plain names
 * (→ `{ name, encoding, sampleRate }`), `encoding` as `PCMU` or `audio/PCMU` (→ `PCMU`). In lenient mode a
 * `start` failing its schema may arrive here (only its `metadata` object and `callId` are sure, see
 * `usableStart` in connection.ts): every other field is read defensively (an id that is not a string or a
 * number reads `""`, a track without a name is left out). Edge-safe.
 */

import type { StreamMetadata, StreamStartFrame, StreamTrackInfo, TranscriptionMetadata, TranscriptionStartFrame } from "./types.js";

function encodingOf(encoding: unknown): string | undefined {
  if (typeof encoding !== "string") return undefined;
  const lower = encoding.toLowerCase();
  return lower === "pcmu" || lower === "audio/pcmu" ? "PCMU" : encoding;
}

/** An id as a string: Bandwidth's ids are strings (the account's has come as a number); anything else reads "". */
function idOf(value: unknown): string {
  return typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
}

/** The tracks of a `start` that names each of them (objects or plain names); undefined otherwise (none named: all taken). */
export function trackNamesOf(tracks: unknown): string[] | undefined {
  if (!Array.isArray(tracks) || tracks.length === 0) return undefined;
  const names: string[] = [];
  for (const track of tracks) {
    const name = typeof track === "string" ? track : track !== null && typeof track === "object" ? (track as { name?: unknown }).name : undefined;
    if (typeof name !== "string") return undefined;
    names.push(name);
  }
  return names;
}

function trackOf(track: StreamStartFrame["metadata"]["tracks"][number]): StreamTrackInfo | undefined {
  if (typeof track === "string") return Object.freeze({ name: track, encoding: undefined, sampleRate: undefined });
  if (track === null || typeof track !== "object" || typeof track.name !== "string") return undefined;
  const format = track.mediaFormat !== null && typeof track.mediaFormat === "object" ? track.mediaFormat : undefined;
  return Object.freeze({
    name: track.name,
    encoding: encodingOf(format?.encoding),
    sampleRate: typeof format?.sampleRate === "number" ? format.sampleRate : undefined,
  });
}

/** No params (the usual case): one shared frozen object, not a dictionary-mode object per stream. */
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze(Object.create(null));

function paramsOf(params: { readonly [name: string]: string | undefined } | undefined): Readonly<Record<string, string>> {
  if (params === undefined || params === null || typeof params !== "object") return NO_PARAMS;
  const names = Object.keys(params);
  if (names.length === 0) return NO_PARAMS;
  const out: Record<string, string> = Object.create(null);
  for (const name of names) {
    const value = params[name];
    if (typeof value === "string") out[name] = value;
  }
  return Object.freeze(out);
}

/** The media stream's metadata, normalised. */
export function streamMetadata(start: StreamStartFrame): StreamMetadata {
  const m = start.metadata;
  return Object.freeze({
    accountId: idOf(m.accountId),
    callId: m.callId,
    streamId: idOf(m.streamId),
    streamName: typeof m.streamName === "string" ? m.streamName : undefined,
    tracks: Object.freeze(Array.isArray(m.tracks) ? m.tracks.map(trackOf).filter((t) => t !== undefined) : []),
    params: paramsOf(start.streamParams),
  });
}

/** The transcription's metadata, normalised. */
export function transcriptionMetadata(start: TranscriptionStartFrame): TranscriptionMetadata {
  const m = start.metadata;
  return Object.freeze({
    accountId: idOf(m.accountId),
    callId: m.callId,
    transcriptionId: idOf(m.realTimeTranscriptionId),
    transcriptionName: typeof m.transcriptionName === "string" ? m.transcriptionName : undefined,
    tracks: Object.freeze(Array.isArray(m.tracks) ? m.tracks.map((t) => (typeof t === "string" ? t : t?.name)).filter((t) => typeof t === "string") : []),
    stabilized: typeof m.stabilized === "boolean" ? m.stabilized : undefined,
    params: paramsOf(start.customParams),
  });
}
