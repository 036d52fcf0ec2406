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

import { sha256 } from "../sha256.js";

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

/**
 * SHA-256 of an identity's UTF-8 bytes, as 64 hex digits: the portable hash behind the keys stores and
 * job ids use (where Node's native hash is missing). Synchronous and plain JavaScript (edge-safe, no Node
 * built-in): Web Crypto's async digest cost more per request than the rest of the dedupe step. Checked against node:crypto in test/queue-dedupe-keys.test.ts.
 */
export function hashIdentity(identity: string): string {
  const digest = sha256(encoder.encode(identity));
  let hex = "";
  for (const byte of digest) hex += byte.toString(16).padStart(2, "0");
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
