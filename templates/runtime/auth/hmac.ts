// Verifies the `x-bandwidth-signature-hmac-sha256` header of toll-free verification (TFV) webhooks.
//
// Bandwidth signs TFV webhooks (only those, and only when the subscription has a `sharedSecretKey`)
// with HMAC-SHA256 over "the canonicalized request body" and sends the MAC as 64 lowercase hex digits.
// The canonicalisation is not published. ASSUMPTION: the MAC covers the exact raw bytes of the body as
// received. Consequently a body that a framework has parsed and serialised again (JSON.stringify changes
// whitespace, key order is kept but spacing and escapes are not) will not verify: pass the raw bytes.
//
// Edge-safe: Web Crypto only (`crypto.subtle`, global in Node 20, Deno, Bun, Workers). The comparison is
// done by `crypto.subtle.verify`, which compares MACs in constant time; every configured secret is tried
// (rotation), without stopping at the first match.
import { BandwidthConfigError, BandwidthError } from "../errors.js";

/** Name of the header carrying the signature (HTTP header names are case-insensitive). */
export const SIGNATURE_HEADER = "x-bandwidth-signature-hmac-sha256";

/** Why a signature did not verify. */
export type SignatureFailureReason =
  /** The request has no signature header (or an empty one). */
  | "missing-header"
  /** The header is not 64 hexadecimal digits (wrong length, stray characters, several values). */
  | "malformed-header"
  /** Well-formed, but no configured secret produces this MAC over these bytes. */
  | "mismatch"
  /** The body was handed over already parsed (an object), so the signed bytes are gone. */
  | "parsed-body";

/** Outcome of {@link verifySignature}. */
export type SignatureVerification =
  | { ok: true; /** Index (in the list given) of the secret that matched. */ secretIndex: number }
  | { ok: false; reason: SignatureFailureReason; /** What went wrong and what to do, in words. */ message: string };

/** A shared secret: the `sharedSecretKey` of the TFV webhook subscription (text is UTF-8 encoded). */
export type SignatureSecret = string | Uint8Array;

/** The raw request body: exactly the bytes received (a string is UTF-8 encoded first). */
export type RawBody = string | Uint8Array | ArrayBuffer;

/** Header sources accepted by {@link readSignatureHeader}. */
export type HeaderSource =
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

const encoder = new TextEncoder();

function toBytes(value: string | Uint8Array | ArrayBuffer): Uint8Array<ArrayBuffer> {
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return new Uint8Array(value);
}

function subtle(): SubtleCrypto {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.subtle) throw new BandwidthError("BW_RUNTIME_UNSUPPORTED", "Web Crypto (globalThis.crypto.subtle) is not available in this runtime");
  return c.subtle;
}

function importKey(secret: SignatureSecret): Promise<CryptoKey> {
  const bytes = toBytes(secret);
  if (bytes.length === 0) throw new BandwidthConfigError("an HMAC secret must not be empty");
  return subtle().importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

const HEX = /^[0-9a-fA-F]{64}$/;

function parseHeader(value: string | string[] | null | undefined): { bytes: Uint8Array<ArrayBuffer> } | { reason: SignatureFailureReason; message: string } {
  if (Array.isArray(value)) {
    if (value.length === 0) value = undefined;
    else if (value.length > 1) {
      return { reason: "malformed-header", message: `${SIGNATURE_HEADER} was sent ${value.length} times; expected exactly one value` };
    } else value = value[0];
  }
  if (value === undefined || value === null || value.trim() === "") {
    return {
      reason: "missing-header",
      message: `the request has no ${SIGNATURE_HEADER} header; Bandwidth sends it only when the TFV webhook subscription has a sharedSecretKey`,
    };
  }
  const hex = value.trim();
  if (!HEX.test(hex)) {
    const detail = hex.length !== 64 ? `it has ${hex.length} characters` : "it contains characters other than 0-9 and a-f";
    return { reason: "malformed-header", message: `${SIGNATURE_HEADER} must be 64 hexadecimal digits (HMAC-SHA256); ${detail}` };
  }
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return { bytes };
}

/** Verifies signatures against a fixed set of secrets; keys are imported once. */
export interface SignatureVerifier {
  /** Check one request: its raw body and the value of its signature header. */
  verify(body: RawBody, header: string | string[] | null | undefined): Promise<SignatureVerification>;
}

/**
 * Create a verifier for one or more secrets (several during a secret rotation: any match is accepted).
 *
 * @example
 * const verifier = createSignatureVerifier([process.env.TFV_SECRET!, process.env.TFV_OLD_SECRET!]);
 * const result = await verifier.verify(rawBody, request.headers.get("x-bandwidth-signature-hmac-sha256"));
 * if (!result.ok) return new Response(result.message, { status: 401 });
 */
export function createSignatureVerifier(secrets: SignatureSecret | readonly SignatureSecret[]): SignatureVerifier {
  const list = Array.isArray(secrets) ? (secrets as readonly SignatureSecret[]) : [secrets as SignatureSecret];
  if (list.length === 0) throw new BandwidthConfigError("createSignatureVerifier needs at least one secret");
  const keys = list.map(importKey);
  return {
    async verify(body: RawBody, header: string | string[] | null | undefined): Promise<SignatureVerification> {
      if (typeof body !== "string" && !(body instanceof Uint8Array) && !(body instanceof ArrayBuffer)) {
        return {
          ok: false,
          reason: "parsed-body",
          message: `the body was given as ${body === null ? "null" : typeof body}, not as the raw bytes received; the signature covers those exact bytes, so read the raw body before any JSON parser runs`,
        };
      }
      const parsed = parseHeader(header);
      if (!("bytes" in parsed)) return { ok: false, ...parsed };
      const data = toBytes(body);
      let matched = -1;
      for (let i = 0; i < keys.length; i++) {
        const ok = await subtle().verify("HMAC", await keys[i], parsed.bytes, data);
        if (ok && matched < 0) matched = i;
      }
      if (matched >= 0) return { ok: true, secretIndex: matched };
      return {
        ok: false,
        reason: "mismatch",
        message:
          `${SIGNATURE_HEADER} does not match the body under any of the ${keys.length} configured secret(s). ` +
          "Check the secret, and that the body is the exact bytes received: a body parsed and serialised again (e.g. JSON.stringify(req.body)) does not verify.",
      };
    },
  };
}

/**
 * Verify one request (imports the keys on every call; prefer {@link createSignatureVerifier} in a server).
 *
 * @example
 * const result = await verifySignature(rawBody, headers["x-bandwidth-signature-hmac-sha256"], "my-shared-secret-key");
 * if (result.ok) console.log("signed with secret", result.secretIndex);
 */
export function verifySignature(
  body: RawBody,
  header: string | string[] | null | undefined,
  secrets: SignatureSecret | readonly SignatureSecret[],
): Promise<SignatureVerification> {
  return createSignatureVerifier(secrets).verify(body, header);
}

/**
 * Compute the signature Bandwidth would send for a body (64 lowercase hex digits): for tests and simulators.
 *
 * @example
 * const header = await signBody('{"accountId":"9901234"}', "my-shared-secret-key");
 */
export async function signBody(body: RawBody, secret: SignatureSecret): Promise<string> {
  const mac = new Uint8Array(await subtle().sign("HMAC", await importKey(secret), toBytes(body)));
  let hex = "";
  for (const byte of mac) hex += byte.toString(16).padStart(2, "0");
  return hex;
}

/**
 * Read the signature header from a Fetch `Headers` object or a Node `IncomingHttpHeaders` record.
 *
 * @example
 * readSignatureHeader(request.headers); // Fetch API
 * readSignatureHeader(req.headers);     // node:http (lower-cased keys)
 */
export function readSignatureHeader(headers: HeaderSource): string | string[] | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(SIGNATURE_HEADER) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  if (record[SIGNATURE_HEADER] !== undefined) return record[SIGNATURE_HEADER];
  for (const key of Object.keys(record)) if (key.toLowerCase() === SIGNATURE_HEADER) return record[key];
  return undefined;
}

/** Outcome of a body check for the handler runtime (structurally `BodyVerification` of core.ts). */
export type SignedBodyVerification = { readonly ok: true } | { readonly ok: false; readonly reason: SignatureFailureReason; readonly message: string };

/**
 * The handler runtime's body check for TFV routes: verifies the signature header over the raw body with
 * the given secrets. A body a framework already parsed (`{ parsed }`) cannot be verified: it is refused
 * as `parsed-body` (mount the webhooks before any body parser).
 *
 * @example
 * const tfv = { ...tfvFamily, verifyBody: createSignedBodyCheck([process.env.TFV_SECRET!]) };
 */
export function createSignedBodyCheck(
  secrets: SignatureSecret | readonly SignatureSecret[],
): (body: unknown, raw: unknown, readHeader: (raw: unknown, name: string) => string | undefined) => Promise<SignedBodyVerification> {
  const verifier = createSignatureVerifier(secrets);
  return (body, raw, readHeader) => {
    const rawBody = body === undefined || body === null ? "" : body;
    return verifier.verify(rawBody as RawBody, readHeader(raw, SIGNATURE_HEADER));
  };
}
