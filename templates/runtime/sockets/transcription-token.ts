// Authenticates the real-time transcription socket of <StartTranscription>. That verb has no credential
// attribute (only `username`/`password` for `transcriptionEventUrl`), so Bandwidth opens the socket with
// no Authorization header: the only thing the receiver controls is the destination URL. This module
// writes a signed, expiring, per-call token into that URL (`?token=…`) when the BXML is built, and checks
// it on the upgrade, before any socket exists.
//
// Token: `v1.<base64url(callId)>.<expiry, Unix seconds>.<base64url(HMAC-SHA-256)>`, the MAC over
// "bw-codegen transcription-token v1\n<callId>\n<expiry>" (a fixed context string, so a token can never
// be confused with another use of the same secret). Decisions (docs/sockets.md, "Transcription tokens"):
// - Bound to the call: the callId travels in the token (it is not a secret: Bandwidth and the URL have it)
//   so the upgrade can be decided before the first frame; the socket's `start` message must then carry
//   the same `metadata.callId`, or the stream server closes the socket (a forged `start` for another call
//   with a leaked URL goes nowhere).
// - Expiring: `expiresInSeconds` (default 300, at most 3600) from signing; checked on the upgrade with a
//   clock skew (default 30 s) either way; a token whose expiry lies further ahead than the longest
//   lifetime plus the skew is refused too (it was not minted by this code).
// - Rotation: the verifier takes several secrets and tries EVERY one (no early exit), signing uses the
//   first given. Comparison: `crypto.subtle.verify` (constant time).
// - Never logged: failures carry a reason code only, never the token, the URL or a secret.
// Edge-safe: Web Crypto and typed arrays only (no `node:` import, no Buffer).
import { BandwidthConfigError, BandwidthError } from "../errors.js";

/**
 * The query parameter carrying the token in the destination URL.
 *
 * @example
 * new URL(destination).searchParams.get(TRANSCRIPTION_TOKEN_PARAM); // "v1.…"
 */
export const TRANSCRIPTION_TOKEN_PARAM = "token";
/**
 * Default lifetime of a token, in seconds (from signing to the latest accepted upgrade).
 *
 * @example
 * await signTranscriptionToken({ secret, callId, expiresInSeconds: 2 * DEFAULT_TOKEN_LIFETIME_SECONDS });
 */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 300;
/**
 * Longest lifetime a token may be given, in seconds (and the longest a verifier accepts).
 *
 * @example
 * await signTranscriptionToken({ secret, callId, expiresInSeconds: MAX_TOKEN_LIFETIME_SECONDS }); // a long <SpeakSentence> first
 */
export const MAX_TOKEN_LIFETIME_SECONDS = 3600;
/**
 * Default clock skew tolerated between the signing and the verifying machine, in seconds.
 *
 * @example
 * createTranscriptionTokenVerifier({ secrets, clockSkewSeconds: 2 * DEFAULT_TOKEN_CLOCK_SKEW_SECONDS });
 */
export const DEFAULT_TOKEN_CLOCK_SKEW_SECONDS = 30;

const VERSION = "v1";
const CONTEXT = "bw-codegen transcription-token v1\n";
/** Longest callId accepted in a token (Bandwidth's are ~50 characters). */
const MAX_CALL_ID_LENGTH = 256;
/** Longest token looked at (a fixed cap: a huge query string costs nothing). */
const MAX_TOKEN_LENGTH = 512;
const MAC_B64URL_LENGTH = 43; // 32 bytes, unpadded

/** A signing secret: text (UTF-8 encoded) or bytes; at least 16 bytes. */
export type TranscriptionTokenSecret = string | Uint8Array;

/** Options of {@link signTranscriptionToken}. */
export interface TranscriptionTokenOptions {
  /** The secret to sign with (during rotation: the new one; verifiers accept old and new). */
  readonly secret: TranscriptionTokenSecret;
  /** The call the token is for: the `callId` of the callback you answer with the BXML. */
  readonly callId: string;
  /** Seconds until the token expires (default 300, at most 3600). Bandwidth connects when it reaches the verb. */
  readonly expiresInSeconds?: number;
  /** Clock in milliseconds since the epoch (default `Date.now`); for tests. */
  readonly now?: () => number;
}

/** Options of {@link transcriptionDestination}. */
export interface TranscriptionDestinationOptions extends TranscriptionTokenOptions {
  /** The socket's URL without the token, e.g. `wss://bot.example.com/sockets/transcription` (`ws:` only on a loopback host). */
  readonly baseUrl: string;
}

/** Why a token was refused; safe to log (never contains the token, the URL or a secret). */
export type TranscriptionTokenFailure =
  /** No token in the URL (or an empty one). */
  | "missing"
  /** Not a token this code writes (shape, version, encoding, length). */
  | "malformed"
  /** Well-formed and signed, but past its expiry (plus the clock skew). */
  | "expired"
  /** Its expiry lies further ahead than any token this code mints. */
  | "lifetime"
  /** Well-formed, but no configured secret produced its signature (tampered, or a retired secret). */
  | "mismatch";

/** The outcome of checking a token. */
export type TranscriptionTokenCheck =
  | {
      readonly ok: true;
      /** The call the token was minted for: the socket's `start` must carry this `metadata.callId`. */
      readonly callId: string;
      /** Expiry, Unix seconds. */
      readonly expiresAt: number;
      /** Index (in `secrets`) of the secret that verified it: during rotation, tells old from new. */
      readonly secretIndex: number;
    }
  | { readonly ok: false; readonly reason: TranscriptionTokenFailure };

/** Options of {@link createTranscriptionTokenVerifier}. */
export interface TranscriptionTokenVerifierOptions {
  /** Accepted secrets, newest first; several at once rotate without downtime. */
  readonly secrets: readonly TranscriptionTokenSecret[];
  /** Seconds of clock difference tolerated (default 30, at most 300). */
  readonly clockSkewSeconds?: number;
  /** Clock in milliseconds since the epoch (default `Date.now`); for tests. */
  readonly now?: () => number;
}

/**
 * A configured token check. Its methods are plain functions (no `this`): pass `verifyUpgrade` as the
 * stream server's `transcription.verifyToken`.
 */
export interface TranscriptionTokenChecker {
  /** Checks a token (the `token` query parameter's value, or `undefined` when there is none). */
  verify(token: string | null | undefined): Promise<TranscriptionTokenCheck>;
  /** Checks the token in a request URL (absolute, or a path with its query string). */
  verifyUrl(url: string | URL): Promise<TranscriptionTokenCheck>;
  /** The same check, shaped as `createStreamServer`'s `transcription.verifyToken` (the upgrade request's URL). */
  verifyUpgrade(request: { readonly url: URL | string }): Promise<TranscriptionTokenCheck>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64URL_VALUES: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) table[B64URL.charCodeAt(i)] = i;
  return table;
})();

function subtle(): SubtleCrypto {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c?.subtle) throw new BandwidthError("BW_RUNTIME_UNSUPPORTED", "Web Crypto (globalThis.crypto.subtle) is not available in this runtime");
  return c.subtle;
}

function base64url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64URL[n >> 18] + B64URL[(n >> 12) & 63] + B64URL[(n >> 6) & 63] + B64URL[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += B64URL[n >> 18] + B64URL[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += B64URL[n >> 18] + B64URL[(n >> 12) & 63] + B64URL[(n >> 6) & 63];
  }
  return out;
}

/** Strict unpadded base64url → bytes; `undefined` on any other character, a length no encoder writes or non-zero spare bits. */
function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  const tail = text.length % 4;
  if (tail === 1) return undefined;
  const out = new Uint8Array(((text.length - tail) / 4) * 3 + (tail === 0 ? 0 : tail - 1));
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64URL_VALUES[c] : -1;
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
      acc &= (1 << bits) - 1;
    }
  }
  if (acc !== 0) return undefined; // spare bits must be zero: one token has one spelling
  return out;
}

function secretBytes(secret: unknown, where: string): Uint8Array<ArrayBuffer> {
  let bytes: Uint8Array<ArrayBuffer>;
  if (typeof secret === "string") bytes = encoder.encode(secret);
  else if (secret instanceof Uint8Array) bytes = new Uint8Array(secret);
  else throw new BandwidthConfigError(`bw-codegen transcription token: ${where} must be a string or a Uint8Array${secret === undefined ? " (it is undefined: an environment variable not set?)" : ""}`);
  if (bytes.length < 16) throw new BandwidthConfigError(`bw-codegen transcription token: ${where} must be at least 16 bytes long`);
  return bytes;
}

function importKey(bytes: Uint8Array<ArrayBuffer>, usage: "sign" | "verify"): Promise<CryptoKey> {
  return subtle().importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

function message(callId: string, expiresAt: number): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${CONTEXT}${callId}\n${expiresAt}`);
}

function checkCallId(callId: unknown): string {
  if (typeof callId !== "string" || callId.length === 0 || callId.length > MAX_CALL_ID_LENGTH) {
    throw new BandwidthConfigError(`bw-codegen transcription token: callId must be a non-empty string of at most ${MAX_CALL_ID_LENGTH} characters`);
  }
  return callId;
}

function nowSeconds(now: (() => number) | undefined): number {
  return Math.floor((now ?? Date.now)() / 1000);
}

/**
 * Signs a transcription-socket token for one call, valid for `expiresInSeconds` (default 300). Put it in
 * the URL yourself, or let {@link transcriptionDestination} do it.
 *
 * @example
 * const token = await signTranscriptionToken({ secret: process.env.TRANSCRIPTION_SECRET!, callId: event.callId });
 * // "v1.Yy0yZjZh….1765000000.q3J…"
 */
export async function signTranscriptionToken(options: TranscriptionTokenOptions): Promise<string> {
  const callId = checkCallId(options.callId);
  const lifetime = options.expiresInSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > MAX_TOKEN_LIFETIME_SECONDS) {
    throw new BandwidthConfigError(`bw-codegen transcription token: expiresInSeconds must be a whole number from 1 to ${MAX_TOKEN_LIFETIME_SECONDS}`);
  }
  const expiresAt = nowSeconds(options.now) + lifetime;
  const key = await importKey(secretBytes(options.secret, "secret"), "sign");
  const mac = new Uint8Array(await subtle().sign("HMAC", key, message(callId, expiresAt)));
  return `${VERSION}.${base64url(encoder.encode(callId))}.${expiresAt}.${base64url(mac)}`;
}

const LOOPBACK: ReadonlySet<string> = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Writes the `destination` of a `<StartTranscription>` for one call: `baseUrl` with a signed, expiring
 * `token` query parameter (other query parameters kept). `baseUrl` must be `wss:` (`ws:` only on a
 * loopback host, for local tests): the token must not cross the network in clear.
 *
 * @example
 * answer: async (event) => Response(
 *   StartTranscription({
 *     destination: await transcriptionDestination({ baseUrl: "wss://bot.example.com/sockets/transcription", secret, callId: event.callId }),
 *     name: "live",
 *   }),
 *   SpeakSentence("This call is transcribed."),
 * ),
 */
export async function transcriptionDestination(options: TranscriptionDestinationOptions): Promise<string> {
  let url: URL;
  try {
    url = new URL(options.baseUrl);
  } catch {
    throw new BandwidthConfigError("bw-codegen transcription token: baseUrl must be an absolute wss:// URL");
  }
  if (url.protocol !== "wss:" && !(url.protocol === "ws:" && LOOPBACK.has(url.hostname))) {
    throw new BandwidthConfigError("bw-codegen transcription token: baseUrl must be a wss:// URL (ws:// only on localhost)");
  }
  if (url.username !== "" || url.password !== "") throw new BandwidthConfigError("bw-codegen transcription token: baseUrl must not carry credentials");
  url.hash = "";
  url.searchParams.set(TRANSCRIPTION_TOKEN_PARAM, await signTranscriptionToken(options));
  return url.href;
}

const FAIL_MISSING: TranscriptionTokenCheck = Object.freeze({ ok: false, reason: "missing" });
const FAIL_MALFORMED: TranscriptionTokenCheck = Object.freeze({ ok: false, reason: "malformed" });
const FAIL_EXPIRED: TranscriptionTokenCheck = Object.freeze({ ok: false, reason: "expired" });
const FAIL_LIFETIME: TranscriptionTokenCheck = Object.freeze({ ok: false, reason: "lifetime" });
const FAIL_MISMATCH: TranscriptionTokenCheck = Object.freeze({ ok: false, reason: "mismatch" });
const EXPIRY = /^[1-9][0-9]{0,11}$/;

/**
 * Creates the upgrade-time check of transcription tokens: signature against every secret given
 * (rotation; constant-time `crypto.subtle.verify`, no early exit), expiry with a clock skew. The caller
 * then holds the socket's `start` to the returned `callId`. Configuration errors name entries by index,
 * never by value.
 *
 * @example
 * // the old secret only while you rotate: an unset variable is an error, not a skipped entry
 * const secrets = [process.env.TOKEN_SECRET!, ...(process.env.OLD_TOKEN_SECRET ? [process.env.OLD_TOKEN_SECRET] : [])];
 * const tokens = createTranscriptionTokenVerifier({ secrets });
 * const server = createStreamServer({ transcription: { verifyToken: tokens.verifyUpgrade, onTranscription } });
 * // or by hand: const check = await tokens.verifyUrl(request.url); check.ok, check.callId / check.reason (safe to log)
 */
export function createTranscriptionTokenVerifier(options: TranscriptionTokenVerifierOptions): TranscriptionTokenChecker {
  const list = options?.secrets;
  if (!Array.isArray(list) || list.length === 0) throw new BandwidthConfigError("bw-codegen transcription token: at least one secret is required");
  const skew = options.clockSkewSeconds ?? DEFAULT_TOKEN_CLOCK_SKEW_SECONDS;
  if (!Number.isInteger(skew) || skew < 0 || skew > 300) throw new BandwidthConfigError("bw-codegen transcription token: clockSkewSeconds must be a whole number from 0 to 300");
  const raw = list.map((secret, index) => secretBytes(secret, `secrets[${index}]`));
  let keys: Promise<CryptoKey[]> | undefined;
  const now = options.now;

  async function verify(token: string | null | undefined): Promise<TranscriptionTokenCheck> {
    if (token === undefined || token === null || token === "") return FAIL_MISSING;
    if (typeof token !== "string" || token.length > MAX_TOKEN_LENGTH) return FAIL_MALFORMED;
    const parts = token.split(".");
    if (parts.length !== 4 || parts[0] !== VERSION || !EXPIRY.test(parts[2]) || parts[3].length !== MAC_B64URL_LENGTH) return FAIL_MALFORMED;
    const idBytes = fromBase64url(parts[1]);
    const mac = fromBase64url(parts[3]);
    if (idBytes === undefined || mac === undefined || idBytes.length === 0) return FAIL_MALFORMED;
    let callId: string;
    try {
      callId = decoder.decode(idBytes);
    } catch {
      return FAIL_MALFORMED;
    }
    if (callId.length > MAX_CALL_ID_LENGTH) return FAIL_MALFORMED;
    const expiresAt = Number(parts[2]);
    const signed = message(callId, expiresAt);
    keys ??= Promise.all(raw.map((bytes) => importKey(bytes, "verify")));
    const all = await keys;
    // every secret is tried, whatever the earlier ones gave: the time taken does not tell which matched
    const results = await Promise.all(all.map((key) => subtle().verify("HMAC", key, mac, signed)));
    let secretIndex = -1;
    for (let i = results.length - 1; i >= 0; i--) if (results[i]) secretIndex = i;
    if (secretIndex < 0) return FAIL_MISMATCH;
    // expiry is looked at only once the signature holds: an unsigned token learns nothing about the clock
    const current = nowSeconds(now);
    if (current > expiresAt + skew) return FAIL_EXPIRED;
    if (expiresAt > current + MAX_TOKEN_LIFETIME_SECONDS + skew) return FAIL_LIFETIME;
    return { ok: true, callId, expiresAt, secretIndex };
  }

  function verifyUrl(url: string | URL): Promise<TranscriptionTokenCheck> {
    let parsed: URL;
    try {
      parsed = typeof url === "string" ? new URL(url, "http://socket.invalid") : url;
    } catch {
      return Promise.resolve(FAIL_MISSING);
    }
    const values = parsed.searchParams.getAll(TRANSCRIPTION_TOKEN_PARAM);
    if (values.length > 1) return Promise.resolve(FAIL_MALFORMED);
    return verify(values[0]);
  }

  return { verify, verifyUrl, verifyUpgrade: (request) => verifyUrl(request.url) };
}
