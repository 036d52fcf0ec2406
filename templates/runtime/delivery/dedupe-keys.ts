/**
 * Dedupe keys: the identity of one event whose reply Bandwidth ignores. Bandwidth publishes no event id
 * and retries a callback it thinks failed with the same body, so the identity is the whole event: its
 * canonical JSON (object keys sorted at every depth, arrays in order), with the family and event type.
 * Two deliveries share a key exactly when their events are equal as JSON values, so no field, known or
 * added by Bandwidth later, can be left out by mistake and merge two real events; a retry, equal by
 * definition, always shares it. An event gets a key only when it carries a field that dates it (its
 * family definition's `dedupe.datedBy`, generated into the family as `datedBy`): without one, two distinct events can be equal byte for byte (a TFV number
 * VERIFIED, UNVERIFIED, then VERIFIED again; a numbers notification without `LastModifiedDate`), so
 * such events are never deduplicated and their job ids are per delivery. CONTRIBUTING.md has the table
 * and the reasons; `test/queue-dedupe-keys.test.ts` checks it against the schemas.
 *
 * Edge-safe: no Node built-in is imported; the key is hashed (SHA-256: Node's native hash where
 * `process.getBuiltinModule` offers it, plain JavaScript elsewhere, same digest) so stores never hold
 * request-controlled text and every key has the same length.
 */

function pick(event: unknown, path: string): unknown {
  let value: unknown = event;
  let start = 0;
  while (value !== null && typeof value === "object") {
    const dot = path.indexOf(".", start);
    const name = dot < 0 ? path.slice(start) : path.slice(start, dot);
    value = Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
    if (dot < 0) return value;
    start = dot + 1;
  }
  return undefined;
}

const present = (value: unknown): boolean => value !== undefined && value !== null && value !== "";

/** Text JSON writes as is between quotes (no escape): most names and values of a Bandwidth body. */
const PLAIN = /^[\w .:+\-/@]*$/;
const quote = (text: string): string => (PLAIN.test(text) ? `"${text}"` : JSON.stringify(text));

/**
 * Canonical JSON of a parsed body: object keys sorted (UTF-16 order) at every depth, arrays in order,
 * strings and numbers as `JSON.stringify` writes them. Two values get the same text exactly when they
 * are equal JSON values (`-0` writes as `0`, as JSON does). Throws on what JSON cannot encode (a BigInt,
 * nesting deeper than the stack): never in a parsed body of a sane size.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === "string") return quote(value);
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      out += canonicalJson(value[i]);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const names = Object.keys(record);
  if (names.length > 1) names.sort();
  let out = "{";
  for (const name of names) {
    const item = record[name];
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue; // as JSON.stringify
    if (out.length > 1) out += ",";
    out += `${quote(name)}:${canonicalJson(item)}`;
  }
  return `${out}}`;
}

/**
 * The identity of one event as text (`undefined` when the event carries none of the fields `datedBy`
 * names, the fields that date an event of its family): the family, the event type and the canonical JSON
 * of the event, JSON-encoded together, so no value can make two different events look alike.
 *
 * @example
 * dedupeIdentity("messaging", "message-delivered", { type: "message-delivered", time: "2024-01-01T00:00:00Z", message: { id: "m-1" } }, ["time"]);
 * // '["messaging","message-delivered",{"message":{"id":"m-1"},"time":"2024-01-01T00:00:00Z","type":"message-delivered"}]'
 */
export function dedupeIdentity(family: string, eventType: string, event: unknown, datedBy: readonly string[] | undefined): string | undefined {
  if (datedBy === undefined || event === null || typeof event !== "object") return undefined;
  if (!datedBy.some((field) => present(pick(event, field)))) return undefined;
  try {
    return `[${JSON.stringify(family)},${JSON.stringify(eventType)},${canonicalJson(event)}]`;
  } catch {
    return undefined; // a value JSON cannot encode, or absurd nesting: no dedupe (handled, never merged)
  }
}

const encoder = new TextEncoder();
const K: Uint32Array = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const W = new Uint32Array(64);
const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));

/** One 64-byte block of SHA-256 (FIPS 180-4) into the state `h`. */
function compress(h: Uint32Array, block: DataView, offset: number): void {
  for (let i = 0; i < 16; i++) W[i] = block.getUint32(offset + i * 4);
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15];
    const b = W[i - 2];
    W[i] = (W[i - 16] + (rotr(a, 7) ^ rotr(a, 18) ^ (a >>> 3)) + W[i - 7] + (rotr(b, 17) ^ rotr(b, 19) ^ (b >>> 10))) | 0;
  }
  let [a, b, c, d, e, f, g, hh] = h;
  for (let i = 0; i < 64; i++) {
    const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
    const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    hh = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += hh;
}

/**
 * SHA-256 of an identity's UTF-8 bytes, as 64 hex digits: the portable hash behind the keys stores and
 * job ids use (where Node's native hash is missing). Synchronous and plain JavaScript (edge-safe, no Node
 * built-in): Web Crypto's async digest cost more per request than the rest of the dedupe step. Checked against node:crypto in test/queue-dedupe-keys.test.ts.
 */
export function hashIdentity(identity: string): string {
  const bytes = encoder.encode(identity);
  const padded = new Uint8Array((((bytes.length + 8) >> 6) + 1) << 6);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bytes.length / 0x20000000));
  view.setUint32(padded.length - 4, (bytes.length << 3) >>> 0);
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  for (let offset = 0; offset < padded.length; offset += 64) compress(h, view, offset);
  let hex = "";
  for (let i = 0; i < 8; i++) hex += h[i].toString(16).padStart(8, "0");
  return hex;
}

interface NodeHash {
  update(data: string, encoding: "utf8"): NodeHash;
  digest(encoding: "hex"): string;
}
/** Node's native SHA-256 when the runtime has it (Node ≥ 20.16 `process.getBuiltinModule`), without importing a Node built-in. */
const nativeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:crypto") as
  | { createHash(algorithm: "sha256"): NodeHash }
  | undefined;

/**
 * SHA-256 hex of an identity: Node's native hash where available (about 1 µs; the plain-JavaScript
 * {@link hashIdentity} cost ~17 µs per request in the receiver's profile), otherwise the portable one.
 * Both give the same digest (test/queue-dedupe-keys.test.ts), so processes of either kind share keys.
 */
function sha256Hex(identity: string): string {
  return nativeCrypto === undefined ? hashIdentity(identity) : nativeCrypto.createHash("sha256").update(identity, "utf8").digest("hex");
}

/** The hashed dedupe key of an event, or `undefined` when it has none (see {@link dedupeIdentity}). */
export function dedupeKey(family: string, eventType: string, event: unknown, datedBy: readonly string[] | undefined): string | undefined {
  const identity = dedupeIdentity(family, eventType, event, datedBy);
  return identity === undefined ? undefined : sha256Hex(identity);
}
