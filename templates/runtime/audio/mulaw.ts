// G.711 μ-law (PCMU) ⇄ 16-bit linear PCM, table-driven: the codec of Bandwidth's media streams (8 kHz
// mono). Exact to ITU-T G.191's reference code (g711.c `ulaw_compress` / `ulaw_expand`), including its
// symmetric treatment of negative samples. Edge-safe: typed arrays only.

/** Decoding table: μ-law byte → 16-bit sample (G.191 `ulaw_expand`). */
const DECODE: Int16Array = buildDecodeTable();
/** Encoding table: μ-law byte for each 14-bit value `sample >> 2` (index `(sample >> 2) & 0x3fff`). */
const ENCODE: Uint8Array = buildEncodeTable();

function buildDecodeTable(): Int16Array {
  const table = new Int16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    const sign = byte < 0x80 ? -1 : 1;
    const complement = ~byte & 0xff;
    const exponent = (complement >> 4) & 0x07;
    const step = 4 << (exponent + 1);
    table[byte] = sign * ((0x80 << exponent) + step * (complement & 0x0f) + step / 2 - 4 * 33);
  }
  return table;
}

/** G.191 `ulaw_compress` for one 16-bit sample (used to fill the table once). */
function compress(sample: number): number {
  let magnitude = (sample < 0 ? ~sample >> 2 : sample >> 2) + 33;
  if (magnitude > 0x1fff) magnitude = 0x1fff;
  let segment = 1;
  for (let i = magnitude >> 6; i !== 0; i >>= 1) segment++;
  const byte = ((8 - segment) << 4) | (0x0f - ((magnitude >> segment) & 0x0f));
  return sample >= 0 ? byte | 0x80 : byte;
}

function buildEncodeTable(): Uint8Array {
  // `~s >> 2` equals `~(s >> 2)`, so every sample with the same `s >> 2` encodes alike: 16384 entries.
  const table = new Uint8Array(16384);
  for (let index = 0; index < 16384; index++) {
    const high = index >= 8192 ? index - 16384 : index; // the signed value of `sample >> 2`
    table[index] = compress(high * 4);
  }
  return table;
}

/**
 * Decodes G.711 μ-law bytes (a media stream's `payload`, once base64-decoded) to 16-bit linear PCM,
 * one sample per byte. Writes into `out` when given (it must hold `mulaw.length` samples), so a
 * steady stream of frames can reuse one buffer.
 *
 * @example
 * const pcm = mulawToPcm16(base64ToBytes(message.payload)); // 160 bytes → 160 samples (20 ms at 8 kHz)
 */
export function mulawToPcm16(mulaw: Uint8Array, out?: Int16Array): Int16Array {
  const length = mulaw.length;
  const target = out ?? new Int16Array(length);
  if (target.length < length) throw new RangeError(`mulawToPcm16: out holds ${target.length} samples, ${length} needed`);
  for (let i = 0; i < length; i++) target[i] = DECODE[mulaw[i]];
  return out === undefined || out.length === length ? target : target.subarray(0, length);
}

/**
 * Encodes 16-bit linear PCM to G.711 μ-law (what `audio/pcmu` playAudio messages carry), one byte per
 * sample. Writes into `out` when given (it must hold `pcm.length` bytes).
 *
 * @example
 * const payload = bytesToBase64(pcm16ToMulaw(pcm)); // for { eventType: "playAudio", media: { contentType: "audio/pcmu", payload } }
 */
export function pcm16ToMulaw(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  const length = pcm.length;
  const target = out ?? new Uint8Array(length);
  if (target.length < length) throw new RangeError(`pcm16ToMulaw: out holds ${target.length} bytes, ${length} needed`);
  for (let i = 0; i < length; i++) target[i] = ENCODE[(pcm[i] >> 2) & 0x3fff];
  return out === undefined || out.length === length ? target : target.subarray(0, length);
}
