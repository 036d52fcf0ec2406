/**
 * Bandwidth's webhook authentication: the HTTP Basic challenge/response of RFC 7617.
 *
 * Bandwidth's first delivery carries no `Authorization` header; the receiver must answer 401 with
 * `WWW-Authenticate: Basic realm="…"` (without that header Bandwidth never retries), after which Bandwidth
 * repeats the request with `Authorization: Basic base64(user:password)`. This module decides, for one
 * header value, whether it matches one of the configured credential pairs.
 *
 * Design (see CONTRIBUTING.md, "Runtime"):
 * - The configured pairs are encoded once, at construction, to the UTF-8 bytes of `user:password`.
 * - A request's token is base64-decoded into a fixed, preallocated 4 KiB buffer (no per-request
 *   allocation, no `atob`, no `node:crypto`: works on every edge runtime).
 * - The decoded bytes are compared with EVERY configured pair, without early exit; each comparison loops
 *   over the expected length only and folds the length difference into the result, so the time taken does
 *   not depend on how much of the input matched nor on the input's length relative to the secret.
 * - Malformed headers (wrong scheme, bad base64, no colon, empty user or password, bytes that are not
 *   UTF-8) can never equal a configured pair, because configured pairs are non-empty, colon-separated,
 *   valid UTF-8. The precise reason is only worked out after a failure, for logs, and never contains the
 *   header or any secret.
 */

import { BandwidthConfigError } from "../errors.js";

/** One username/password pair Bandwidth was configured with (e.g. the application's `CallbackCreds`). */
export interface BasicCredentials {
  /** The user id. Must be non-empty and must not contain `:` (RFC 7617). */
  readonly username: string;
  /** The password. Must be non-empty; may contain `:` and any Unicode character. */
  readonly password: string;
}

/** Why a request was refused; safe to log (it never contains the header or a secret). */
export type AuthFailureReason =
  | "missing" // no Authorization header: Bandwidth's normal first request
  | "scheme" // not the Basic scheme, or no token after it
  | "base64" // the token is not valid base64
  | "utf8" // the decoded bytes are not valid UTF-8
  | "format" // no colon, or an empty user or password
  | "mismatch"; // well formed, but no configured pair matches

/** The outcome of checking one `Authorization` header. */
export type AuthResult =
  | { readonly ok: true; /** Index of the matching pair in `credentials` (useful during rotation). */ readonly credentialIndex: number }
  | { readonly ok: false; readonly reason: AuthFailureReason };

/** A configured Basic-auth verifier. */
export interface BasicAuthVerifier {
  /** The exact `WWW-Authenticate` value to send with every 401, e.g. `Basic realm="bandwidth-webhooks"`. */
  readonly challenge: string;
  /** Checks an `Authorization` header value (or `undefined` when absent). */
  check(authorization: string | null | undefined): AuthResult;
}

/** Options for {@link createBasicAuth}. */
export interface BasicAuthOptions {
  /** One or more accepted pairs; several at once allow rotating credentials without downtime. */
  readonly credentials: readonly BasicCredentials[];
  /** The challenge realm (quoted in the header; `"` and `\` are escaped). Default `bandwidth-webhooks`. */
  readonly realm?: string;
}

/** Default realm in the `WWW-Authenticate` challenge (Bandwidth accepts any realm, even an empty one). */
export const DEFAULT_REALM: string = "bandwidth-webhooks";

/** Largest decoded `user:password` accepted, in bytes. Fixed, so it reveals nothing about the secrets. */
const MAX_DECODED_BYTES = 4096;

const BASE64_VALUES: Int16Array = buildBase64Table();

function buildBase64Table(): Int16Array {
  const table = new Int16Array(128).fill(-1);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let i = 0; i < alphabet.length; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
}

/**
 * Builds the `WWW-Authenticate` challenge for a realm: `Basic realm="<realm>"`, with `"` and `\` escaped
 * as a quoted-string. Throws on control characters (they would allow header injection).
 *
 * @example
 * basicChallenge("my app"); // 'Basic realm="my app"'
 */
export function basicChallenge(realm: string = DEFAULT_REALM): string {
  if (typeof realm !== "string") throw new BandwidthConfigError("bw-codegen auth: realm must be a string");
  for (let i = 0; i < realm.length; i++) {
    const c = realm.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) throw new BandwidthConfigError("bw-codegen auth: realm must not contain control characters");
  }
  return `Basic realm="${realm.replace(/[\\"]/g, "\\$&")}"`;
}

/**
 * Creates a constant-time Basic-auth verifier for Bandwidth's challenge/response.
 *
 * Configuration errors name the offending entry by index, never by value.
 *
 * @example
 * const auth = createBasicAuth({ credentials: [{ username: "bw", password: "s3cret:with:colons" }] });
 * auth.check(undefined);                 // { ok: false, reason: "missing" } -> answer 401 + auth.challenge
 * auth.check("Basic " + btoa("bw:s3cret:with:colons")); // { ok: true, credentialIndex: 0 }
 */
export function createBasicAuth(options: BasicAuthOptions): BasicAuthVerifier {
  const challenge = basicChallenge(options.realm ?? DEFAULT_REALM);
  const list = options.credentials;
  if (!Array.isArray(list) || list.length === 0) {
    throw new BandwidthConfigError("bw-codegen auth: at least one credential pair is required");
  }
  const encoder = new TextEncoder();
  const expected: Uint8Array[] = list.map((pair: BasicCredentials, index: number) => {
    if (pair === null || typeof pair !== "object") throw new BandwidthConfigError(`bw-codegen auth: credentials[${index}] must be an object`);
    const { username, password } = pair;
    if (typeof username !== "string" || username.length === 0) {
      throw new BandwidthConfigError(`bw-codegen auth: credentials[${index}].username must be a non-empty string`);
    }
    if (username.includes(":")) throw new BandwidthConfigError(`bw-codegen auth: credentials[${index}].username must not contain ':'`);
    if (typeof password !== "string" || password.length === 0) {
      throw new BandwidthConfigError(`bw-codegen auth: credentials[${index}].password must be a non-empty string`);
    }
    const bytes = encoder.encode(`${username}:${password}`);
    if (bytes.length > MAX_DECODED_BYTES) {
      throw new BandwidthConfigError(`bw-codegen auth: credentials[${index}] is longer than ${MAX_DECODED_BYTES} bytes`);
    }
    return bytes;
  });
  const received = new Uint8Array(MAX_DECODED_BYTES);

  function check(authorization: string | null | undefined): AuthResult {
    if (authorization === undefined || authorization === null || authorization === "") return FAIL_MISSING;
    const tokenStart = basicTokenStart(authorization);
    if (tokenStart < 0) return FAIL_SCHEME;
    const length = decodeBase64Into(authorization, tokenStart, received);
    if (length < 0) return FAIL_BASE64;
    let matched = 0;
    let matchedIndex = 0;
    for (let i = 0; i < expected.length; i++) {
      const want = expected[i];
      let diff = want.length ^ length;
      for (let j = 0; j < want.length; j++) diff |= want[j] ^ received[j];
      const isMatch = (diff - 1) >>> 31; // 1 when diff === 0, else 0 (diff is never negative)
      matchedIndex |= isMatch * i * (1 - matched); // first match wins, no branch on secret data
      matched |= isMatch;
    }
    if (matched === 1) return { ok: true, credentialIndex: matchedIndex };
    return classifyFailure(received, length);
  }

  return { challenge, check };
}

const FAIL_MISSING: AuthResult = Object.freeze({ ok: false, reason: "missing" });
const FAIL_SCHEME: AuthResult = Object.freeze({ ok: false, reason: "scheme" });
const FAIL_BASE64: AuthResult = Object.freeze({ ok: false, reason: "base64" });
const FAIL_UTF8: AuthResult = Object.freeze({ ok: false, reason: "utf8" });
const FAIL_FORMAT: AuthResult = Object.freeze({ ok: false, reason: "format" });
const FAIL_MISMATCH: AuthResult = Object.freeze({ ok: false, reason: "mismatch" });

/** Returns where the token starts after a case-insensitive `Basic` and one or more spaces, or -1. */
function basicTokenStart(header: string): number {
  if (header.length < 7) return -1;
  // "basic" case-insensitively: OR-ing 0x20 lower-cases ASCII letters.
  if (
    (header.charCodeAt(0) | 0x20) !== 0x62 ||
    (header.charCodeAt(1) | 0x20) !== 0x61 ||
    (header.charCodeAt(2) | 0x20) !== 0x73 ||
    (header.charCodeAt(3) | 0x20) !== 0x69 ||
    (header.charCodeAt(4) | 0x20) !== 0x63 ||
    header.charCodeAt(5) !== 0x20
  ) {
    return -1;
  }
  let i = 6;
  while (i < header.length && header.charCodeAt(i) === 0x20) i++;
  return i < header.length ? i : -1;
}

/**
 * Strict RFC 4648 base64 (padding optional, trailing spaces ignored) from `text[start..]` into `out`.
 * Returns the decoded length, or -1 if the token is not base64 or decodes to more than `out` holds.
 */
function decodeBase64Into(text: string, start: number, out: Uint8Array): number {
  let end = text.length;
  while (end > start && text.charCodeAt(end - 1) === 0x20) end--;
  let padding = 0;
  while (end > start && text.charCodeAt(end - 1) === 0x3d /* = */) {
    end--;
    padding++;
  }
  const symbols = end - start;
  if (padding > 2 || symbols === 0 || symbols % 4 === 1) return -1;
  if (padding > 0 && (symbols + padding) % 4 !== 0) return -1;
  const length = (symbols * 3) >> 2;
  if (length > out.length) return -1;
  let buffer = 0;
  let bits = 0;
  let written = 0;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? BASE64_VALUES[code] : -1;
    if (value < 0) return -1;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[written++] = (buffer >> bits) & 0xff;
    }
  }
  return written;
}

/** Works out why well-formed base64 did not match (failure path only; the result is safe to log). */
function classifyFailure(bytes: Uint8Array, length: number): AuthResult {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, length));
  } catch {
    return FAIL_UTF8;
  }
  const colon = text.indexOf(":");
  if (colon <= 0 || colon === text.length - 1) return FAIL_FORMAT;
  return FAIL_MISMATCH;
}
