// Base64 for media-stream payloads: decodes straight into the bytes (or the 16-bit samples) the audio
// helpers read, and encodes a PCM buffer's own bytes, with no intermediate binary string (`atob`/`btoa`
// would make one, and a copy loop on each side). Uses the runtime's `Uint8Array.fromBase64` /
// `toBase64` where it has them; edge-safe (no Buffer).

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ENCODE: Uint8Array = new Uint8Array(64);
/** Character code → 6-bit value; 64 = padding, 255 = not base64 (the standard alphabet only, as Bandwidth sends). */
const DECODE: Uint8Array = new Uint8Array(128).fill(255);
for (let i = 0; i < 64; i++) {
  ENCODE[i] = ALPHABET.charCodeAt(i);
  DECODE[ALPHABET.charCodeAt(i)] = i;
}
/** Every 12-bit value → its two characters, as one 16-bit unit in the host's byte order. */
const PAIRS: Uint16Array = new Uint16Array(4096);
const HOST_LITTLE_ENDIAN: boolean = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
for (let i = 0; i < 4096; i++) {
  const first = ALPHABET.charCodeAt(i >> 6);
  const second = ALPHABET.charCodeAt(i & 63);
  PAIRS[i] = HOST_LITTLE_ENDIAN ? first | (second << 8) : (first << 8) | second;
}
DECODE[61] = 64; // "="

type NativeDecode = (text: string) => Uint8Array;
type NativeEncode = (bytes: Uint8Array) => string;
const nativeFromBase64: NativeDecode | undefined = (() => {
  const from = (Uint8Array as unknown as { fromBase64?: (text: string, options?: object) => Uint8Array }).fromBase64;
  return typeof from === "function" ? (text: string) => from.call(Uint8Array, text, { lastChunkHandling: "loose" }) : undefined;
})();
const nativeToBase64: NativeEncode | undefined = (() => {
  const to = (Uint8Array.prototype as unknown as { toBase64?: () => string }).toBase64;
  return typeof to === "function" ? (bytes: Uint8Array) => to.call(bytes) : undefined;
})();

/**
 * Thrown for text that is not base64 (the message names the first offending position).
 *
 * @example
 * try { base64ToBytes(message.payload); } catch (error) { if (error instanceof Base64Error) socket.close(1007, "bad payload"); }
 */
export class Base64Error extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Base64Error";
  }
}

/**
 * Decodes base64 (standard alphabet, padding optional, no whitespace) without the runtime's
 * native decoder. Exposed for tests; {@link base64ToBytes} uses the native one where it exists.
 */
export function decodeBase64Portable(text: string): Uint8Array {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  if (text.length - end > 2 || (text.length !== end && text.length % 4 !== 0)) throw new Base64Error("not base64: misplaced padding");
  const tail = end % 4;
  if (tail === 1) throw new Base64Error("not base64: its length leaves one character over");
  const out = new Uint8Array(((end - tail) / 4) * 3 + (tail === 0 ? 0 : tail - 1));
  let o = 0;
  let i = 0;
  const value = (at: number): number => {
    const code = text.charCodeAt(at);
    const v = code < 128 ? DECODE[code] : 255;
    if (v >= 64) throw new Base64Error(`not base64: character ${JSON.stringify(text[at])} at index ${at}`);
    return v;
  };
  for (const whole = end - tail; i < whole; i += 4) {
    const n = (value(i) << 18) | (value(i + 1) << 12) | (value(i + 2) << 6) | value(i + 3);
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 0xff;
    out[o++] = n & 0xff;
  }
  if (tail === 2) out[o] = (value(i) << 2) | (value(i + 1) >> 4);
  else if (tail === 3) {
    const n = (value(i) << 10) | (value(i + 1) << 4) | (value(i + 2) >> 2);
    out[o++] = n >> 8;
    out[o] = n & 0xff;
  }
  return out;
}

/** Encodes bytes as standard, padded base64 without the runtime's native encoder (exposed for tests). */
export function encodeBase64Portable(bytes: Uint8Array): string {
  const length = bytes.length;
  const whole = length - (length % 3);
  const out = new Uint8Array(Math.ceil(length / 3) * 4);
  // two characters per 12 bits, written as one 16-bit store (out is 4-byte aligned: a fresh buffer)
  const pairs = new Uint16Array(out.buffer, 0, (whole / 3) * 2);
  let p = 0;
  for (let i = 0; i < whole; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    pairs[p++] = PAIRS[n >> 12];
    pairs[p++] = PAIRS[n & 4095];
  }
  let o = p * 2;
  if (length - whole === 1) {
    out[o++] = ENCODE[bytes[whole] >> 2];
    out[o++] = ENCODE[(bytes[whole] & 3) << 4];
    out[o++] = 61;
    out[o] = 61;
  } else if (length - whole === 2) {
    const n = (bytes[whole] << 8) | bytes[whole + 1];
    out[o++] = ENCODE[n >> 10];
    out[o++] = ENCODE[(n >> 4) & 63];
    out[o++] = ENCODE[(n & 15) << 2];
    out[o] = 61;
  }
  return ASCII.decode(out);
}

/** The base64 characters are ASCII: one decoder call turns them into the string (no per-character concatenation). */
const ASCII: TextDecoder = new TextDecoder();

/**
 * Decodes a base64 payload (a `media` message's `payload`) into bytes. Throws {@link Base64Error} on
 * anything that is not base64 (a runtime with a native `Uint8Array.fromBase64` also skips ASCII
 * whitespace; the portable decoder refuses it).
 *
 * @example
 * const mulaw = base64ToBytes(message.payload); // usually 160 bytes: 20 ms of 8 kHz μ-law
 */
export function base64ToBytes(text: string): Uint8Array {
  if (nativeFromBase64 !== undefined) {
    try {
      return nativeFromBase64(text);
    } catch (error) {
      throw new Base64Error(`not base64: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return decodeBase64Portable(text);
}

/**
 * Encodes bytes (μ-law, or any buffer) as standard padded base64, for a `playAudio` payload.
 *
 * @example
 * socket.send(JSON.stringify({ eventType: "playAudio", media: { contentType: "audio/pcmu", payload: bytesToBase64(mulaw) } }));
 */
export function bytesToBase64(bytes: Uint8Array): string {
  return nativeToBase64 !== undefined ? nativeToBase64(bytes) : encodeBase64Portable(bytes);
}


/** Swaps the bytes of every 16-bit sample in place (big-endian hosts only). */
function swap16(bytes: Uint8Array): void {
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const b = bytes[i];
    bytes[i] = bytes[i + 1];
    bytes[i + 1] = b;
  }
}

/**
 * Encodes 16-bit samples as base64 of their little-endian bytes (`audio/pcm;…;endian=little`): the
 * samples' own memory is read, not copied (on little-endian hosts, i.e. every runtime in practice).
 *
 * @example
 * const payload = pcm16ToBase64(samples); // contentType: playAudioContentType({ encoding: "pcm16", sampleRate: 16000 })
 */
export function pcm16ToBase64(samples: Int16Array): string {
  const bytes = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  if (HOST_LITTLE_ENDIAN) return bytesToBase64(bytes);
  const copy = bytes.slice();
  swap16(copy);
  return bytesToBase64(copy);
}

/**
 * Decodes base64 of little-endian 16-bit samples into an `Int16Array` over the decoded bytes (no copy).
 * Throws {@link Base64Error} on bad base64 or an odd number of bytes.
 *
 * @example
 * const samples = base64ToPcm16(payload); // Int16Array
 */
export function base64ToPcm16(text: string): Int16Array {
  let bytes = base64ToBytes(text);
  if (bytes.length % 2 !== 0) throw new Base64Error(`16-bit PCM needs an even number of bytes, not ${bytes.length}`);
  if (bytes.byteOffset % 2 !== 0) bytes = bytes.slice();
  if (!HOST_LITTLE_ENDIAN) swap16(bytes);
  return new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
}
