/**
 * SHA-256 (FIPS 180-4) in plain JavaScript, edge-safe (no Node built-in): the one implementation behind
 * the capture's HMAC pseudonyms (`capture/hmac-sha256.ts`, which hashes a key's padded blocks once) and the
 * portable dedupe-key hash (`delivery/dedupe-keys.ts`, where Node's native hash is missing). Checked against
 * node:crypto by test `capture-hmac-matches-node-crypto` and `queue-dedupe-keys`. The compression function
 * reads its tables by round number only, never by key or data.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74,
  0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d,
  0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e,
  0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
  0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
/** SHA-256's initial state (copy it: `INITIAL.slice()`). */
export const INITIAL: Int32Array = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** Hashes the 64-byte blocks of `bytes[0, end)` into `state` (`w`: 64 words of scratch). */
export function compress(state: Int32Array, w: Int32Array, bytes: Uint8Array, end: number): void {
  for (let at = 0; at < end; at += 64) {
    for (let i = 0; i < 16; i++) {
      const j = at + i * 4;
      w[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15];
      const y = w[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let a = state[0];
    let b = state[1];
    let c = state[2];
    let d = state[3];
    let e = state[4];
    let f = state[5];
    let g = state[6];
    let h = state[7];
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    state[0] = (state[0] + a) | 0;
    state[1] = (state[1] + b) | 0;
    state[2] = (state[2] + c) | 0;
    state[3] = (state[3] + d) | 0;
    state[4] = (state[4] + e) | 0;
    state[5] = (state[5] + f) | 0;
    state[6] = (state[6] + g) | 0;
    state[7] = (state[7] + h) | 0;
  }
}

/** Appends SHA-256's padding after `length` message bytes at `bytes[fill]` (the buffer large enough); returns the padded end. */
export function pad(bytes: Uint8Array, fill: number, length: number): number {
  let end = fill + 1;
  bytes[fill] = 0x80;
  while ((end & 63) !== 56) bytes[end++] = 0;
  const bits = length * 8;
  const high = Math.floor(bits / 0x100000000);
  bytes[end] = high >>> 24;
  bytes[end + 1] = high >>> 16;
  bytes[end + 2] = high >>> 8;
  bytes[end + 3] = high;
  bytes[end + 4] = bits >>> 24;
  bytes[end + 5] = bits >>> 16;
  bytes[end + 6] = bits >>> 8;
  bytes[end + 7] = bits;
  return end + 8;
}

/** The 32-byte digest of a state. */
export function digestOf(state: Int32Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    out[i * 4] = state[i] >>> 24;
    out[i * 4 + 1] = state[i] >>> 16;
    out[i * 4 + 2] = state[i] >>> 8;
    out[i * 4 + 3] = state[i];
  }
  return out;
}

/** SHA-256 of bytes: 32 bytes. */
export function sha256(message: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(((message.length + 72) >> 6) << 6);
  bytes.set(message);
  const state = INITIAL.slice();
  compress(state, new Int32Array(64), bytes, pad(bytes, message.length, message.length));
  return digestOf(state);
}
