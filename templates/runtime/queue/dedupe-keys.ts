/**
 * Dedupe keys: which fields identify one delivery of an event whose reply Bandwidth ignores, per family.
 * Bandwidth retries a callback it thinks failed with the same body, so two deliveries with equal key
 * fields are the same event. The table names fields of the schemas (`schemas/<family>/*.schema.json`);
 * `test/queue-dedupe-keys.test.ts` checks every async event of every family against it (the fields a key
 * needs are `required` there). Families answered synchronously with a reply (the Emergency Calling API)
 * have no row: they are never deduplicated. The table is documented in CONTRIBUTING.md.
 *
 * Edge-safe: no Node built-ins; the key is hashed with Web Crypto (SHA-256) so stores never hold
 * request-controlled text and every key has the same length.
 */

/** How one family's events are told apart. */
export interface DedupeKeySpec {
  /** Fields (dotted paths) that make up the key, besides the family and the event type. */
  readonly fields: readonly string[];
  /** Groups of fields of which at least one must be present (else the event gets no key: not deduplicated). */
  readonly need: readonly (readonly string[])[];
}

/** The dedupe key fields per family (the event type is always part of the key). */
export const DEDUPE_KEYS: Readonly<Record<string, DedupeKeySpec>> = Object.freeze({
  voice: { fields: ["callId", "conferenceId", "eventTime", "recordingId"], need: [["eventTime"], ["callId", "conferenceId"]] },
  messaging: { fields: ["message.id", "time"], need: [["message.id"], ["time"]] },
  mfa: { fields: ["message.id", "time"], need: [["message.id"], ["time"]] },
  numbers: {
    fields: ["SubscriptionId", "OrderType", "OrderId", "Status", "LastModifiedDate", "EventType", "ImpactedTelephoneNumbers"],
    need: [["OrderId", "EventType"], ["Status", "ImpactedTelephoneNumbers"]],
  },
  tfv: {
    fields: ["accountId", "phoneNumber", "status", "internalTicketNumber", "denialStatusCode", "errorCode"],
    need: [["accountId"], ["phoneNumber"]],
  },
  endpoint: { fields: ["endpointId", "eventTime", "timestamp", "status"], need: [["endpointId"], ["eventTime", "timestamp"]] },
  webrtc: { fields: ["participantId", "deviceId", "timestamp"], need: [["participantId"], ["timestamp"]] },
});

function pick(event: unknown, path: string): unknown {
  let value: unknown = event;
  let start = 0;
  while (value !== null && typeof value === "object") {
    const dot = path.indexOf(".", start);
    const name = dot < 0 ? path.slice(start) : path.slice(start, dot);
    value = Object.prototype.hasOwnProperty.call(value, name) ? (value as Record<string, unknown>)[name] : undefined;
    if (dot < 0) return value;
    start = dot + 1;
  }
  return undefined;
}

const present = (value: unknown): boolean => value !== undefined && value !== null && value !== "";

/**
 * The identity of one event as text (`undefined` when the family has no dedupe row or the event lacks
 * the fields its key needs). Equal for two deliveries of the same event; JSON-encoded, so no field value
 * can make two different events look alike.
 *
 * @example
 * dedupeIdentity("messaging", "message-delivered", { type: "message-delivered", time: "2024-01-01T00:00:00Z", message: { id: "m-1" } });
 * // '["messaging","message-delivered","m-1","2024-01-01T00:00:00Z"]'
 */
export function dedupeIdentity(family: string, eventType: string, event: unknown): string | undefined {
  const spec = Object.prototype.hasOwnProperty.call(DEDUPE_KEYS, family) ? DEDUPE_KEYS[family] : undefined;
  if (spec === undefined) return undefined;
  const values = spec.fields.map((field) => {
    const value = pick(event, field);
    return present(value) ? value : null;
  });
  for (const group of spec.need) {
    if (!group.some((field) => present(values[spec.fields.indexOf(field)]))) return undefined;
  }
  try {
    return JSON.stringify([family, eventType, ...values]);
  } catch {
    return undefined; // a value JSON cannot encode (never in a parsed body): no dedupe
  }
}

const encoder = new TextEncoder();
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** SHA-256 of an identity, as 64 hex digits: the key stores and job ids use. */
export async function hashIdentity(identity: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(identity)));
  let hex = "";
  for (let i = 0; i < digest.length; i++) hex += HEX[digest[i]];
  return hex;
}

/** The hashed dedupe key of an event, or `undefined` when it has none (see {@link dedupeIdentity}). */
export async function dedupeKey(family: string, eventType: string, event: unknown): Promise<string | undefined> {
  const identity = dedupeIdentity(family, eventType, event);
  return identity === undefined ? undefined : hashIdentity(identity);
}
