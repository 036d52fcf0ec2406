// The `contentType` of a bidirectional stream's `playAudio` message, for each audio format Bandwidth
// plays: `audio/pcmu` (G.711 μ-law, 8 kHz) and 16-bit little-endian signed linear PCM at 8, 16 or
// 24 kHz, mono, spelled as Bandwidth's own integrations spell it (pipecat's Bandwidth serializer;
// Bandwidth-Samples/openai-realtime-websockets-python). Edge-safe.

import type { TelephonyRate } from "./resample.js";

/** An audio format a `playAudio` message may carry. */
export type PlayAudioFormat = { readonly encoding: "mulaw" } | { readonly encoding: "pcm16"; readonly sampleRate: TelephonyRate };

/** The `contentType` strings {@link playAudioContentType} returns. */
export type PlayAudioContentType =
  | "audio/pcmu"
  | "audio/pcm;rate=8000;channels=1;bit-depth=16;endian=little;encoding=signed"
  | "audio/pcm;rate=16000;channels=1;bit-depth=16;endian=little;encoding=signed"
  | "audio/pcm;rate=24000;channels=1;bit-depth=16;endian=little;encoding=signed";

/**
 * The `media.contentType` of a `playAudio` message for a format. Throws a RangeError for a PCM rate
 * Bandwidth does not take (8000, 16000 and 24000 Hz only).
 *
 * @example
 * playAudioContentType({ encoding: "mulaw" }); // "audio/pcmu"
 * playAudioContentType({ encoding: "pcm16", sampleRate: 24000 });
 * // "audio/pcm;rate=24000;channels=1;bit-depth=16;endian=little;encoding=signed"
 */
export function playAudioContentType(format: PlayAudioFormat): PlayAudioContentType {
  if (format.encoding === "mulaw") return "audio/pcmu";
  if (format.encoding !== "pcm16") throw new RangeError(`unknown encoding ${JSON.stringify((format as { encoding: unknown }).encoding)} (mulaw or pcm16)`);
  const rate = format.sampleRate;
  if (rate !== 8000 && rate !== 16000 && rate !== 24000) throw new RangeError(`Bandwidth plays 16-bit PCM at 8000, 16000 or 24000 Hz, not ${rate}`);
  return `audio/pcm;rate=${rate};channels=1;bit-depth=16;endian=little;encoding=signed`;
}
