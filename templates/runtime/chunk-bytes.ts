/**
 * A stream chunk as bytes, whatever a runtime or a hand-made stream yields: the Fetch adapter's body
 * reader and the simulator's answer reader both count bytes against a limit, so both need this one rule.
 * Edge-safe: only `TextEncoder` and typed arrays.
 */

const encoder = new TextEncoder();

/** A chunk as bytes: a `Uint8Array` as it is, other views and `ArrayBuffer`s wrapped (no copy), strings UTF-8 encoded; `undefined` for anything else. */
export function chunkBytes(chunk: unknown): Uint8Array | undefined {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return encoder.encode(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  return undefined;
}
