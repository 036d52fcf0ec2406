/**
 * Test helper for your own webhook server (`import { deliverEvent } from "bw-codegen/testing"`): delivers
 * an event the way Bandwidth does and returns what the server answered, with an XML answer (BXML, the
 * port-out validation response) already parsed.
 *
 * Bandwidth's handshake (HTTP Basic, RFC 7235): when credentials are configured, the first request carries
 * no `Authorization` header and must be answered `401` with `WWW-Authenticate: Basic realm="…"`; only then
 * does Bandwidth repeat the request with `Authorization: Basic base64(user:password)`. A 401 without that
 * header, or any other answer to the first request, means Bandwidth never sends the credentials: the
 * helper reports that as a {@link HandshakeError} instead of pretending the event was delivered.
 *
 * Edge-safe: only `fetch`, `TextEncoder` and timers (works in Node, Bun, Deno, Workers test runners).
 */

import { DEFAULT_MAX_ANSWER_BYTES, readAnswerText } from "../simulate/answer-body.js";
import { BandwidthConfigError, BandwidthError } from "../errors.js";
import { parseXml } from "../xml/parser.js";
import type { XmlElement } from "../xml/parser.js";

export { AnswerTooLargeError, DEFAULT_MAX_ANSWER_BYTES } from "../simulate/answer-body.js";

/** A `fetch`-compatible function (the global one by default). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** What to deliver, where, and as whom. */
export interface DeliveryOptions {
  /** Full URL of the callback endpoint, e.g. `http://127.0.0.1:3000/callbacks/voice`. */
  readonly url: string | URL;
  /**
   * The event. An object or array is sent as JSON (voice: one object; messaging: an array of events);
   * a string is sent as it is (numbers notifications are XML: pass the document text).
   */
  readonly body: unknown;
  /** The callback username configured at Bandwidth. Leave both out to deliver once, without the handshake. */
  readonly username?: string;
  /** The callback password configured at Bandwidth. */
  readonly password?: string;
  /** `POST` (default), or `GET` for voice callbacks configured with the GET method: the fields go in the query string. */
  readonly method?: "POST" | "GET";
  /** Content-Type of the body. Default: `application/json` for objects and arrays; `application/xml` for strings starting with `<`. */
  readonly contentType?: string;
  /** Extra request headers (e.g. `User-Agent`); an `Authorization` here is ignored (the handshake sets it). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Whether the first, unauthenticated request carries the body too (Bandwidth does not say; default `true`). */
  readonly bodyOnChallenge?: boolean;
  /** Abort a request that takes longer than this (default 15 000 ms, Bandwidth's default callback timeout). */
  readonly timeoutMs?: number;
  /**
   * The most bytes read of an answer (default 1 MiB). A longer answer is not read to its end: the
   * delivery throws an {@link AnswerTooLargeError} ("the receiver's answer exceeded N bytes").
   */
  readonly maxAnswerBytes?: number;
  /** The `fetch` to use (default: the global one). */
  readonly fetch?: FetchLike;
}

/** How the server answered the first, unauthenticated request. */
export interface ChallengeAnswer {
  /** HTTP status; Bandwidth's handshake needs `401`. */
  readonly status: number;
  /** The `WWW-Authenticate` header, if any. */
  readonly wwwAuthenticate: string | undefined;
  /** The realm of a `Basic` challenge (unquoted), or `undefined`. */
  readonly realm: string | undefined;
}

/** What the server answered the delivery. */
export interface DeliveryResult {
  /** The answer to the unauthenticated first request; `undefined` when no credentials were given. */
  readonly challenge: ChallengeAnswer | undefined;
  /** HTTP status of the (authenticated) delivery. */
  readonly status: number;
  /** `true` for a 2xx answer: Bandwidth counts the event as delivered. */
  readonly delivered: boolean;
  /** Response headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The `Content-Type` of the answer, if any. */
  readonly contentType: string | undefined;
  /** The answer body as text (`""` for 204). */
  readonly body: string;
  /** The answer parsed as XML, when it is XML (`<Response>` BXML, `<PortOutValidationResponse>`, …). */
  readonly xml: XmlElement | undefined;
  /** The answer as BXML: the parsed document when its root is `<Response>` or `<Bxml>`, otherwise `undefined`. */
  readonly bxml: XmlElement | undefined;
  /** Names of the BXML verbs, in order (`["SpeakSentence", "Hangup"]`); empty when there is no BXML. */
  readonly verbs: readonly string[];
  /** Why an XML-looking answer could not be parsed (then `xml` is `undefined`). */
  readonly xmlError: string | undefined;
  /** The answer parsed as JSON, when its Content-Type says JSON (error answers of the runtime). */
  readonly json: unknown;
}

/**
 * The handshake did not go the way Bandwidth needs: Bandwidth would never send this event with credentials.
 *
 * @example
 * // a server that accepts events without credentials, or challenges without `WWW-Authenticate: Basic`:
 * await assert.rejects(deliverEvent({ url, body, username: "bw", password: "s3cret" }), HandshakeError);
 */
export class HandshakeError extends BandwidthError {
  /** How the server answered the first, unauthenticated request. */
  readonly challenge: ChallengeAnswer;
  constructor(message: string, challenge: ChallengeAnswer) {
    super("BW_HANDSHAKE_FAILED", message);
    this.name = "HandshakeError";
    this.challenge = challenge;
  }
}

/**
 * Delivers one event like Bandwidth: first without credentials (expecting `401` and a `Basic` challenge),
 * then with them; resolves to the server's answer to the second request, with BXML parsed. Without
 * `username`/`password` the event is sent once, unauthenticated (as Bandwidth does when no credentials
 * are configured).
 *
 * @throws {HandshakeError} when credentials are given and the first answer is not a `401` with a
 *   `WWW-Authenticate: Basic …` challenge.
 * @throws {AnswerTooLargeError} when an answer is longer than `maxAnswerBytes` (default 1 MiB).
 * @example
 * import { deliverEvent } from "bw-codegen/testing";
 * const result = await deliverEvent({
 *   url: "http://127.0.0.1:3000/callbacks/voice",
 *   body: { eventType: "answer", callId: "c-123", from: "+19195550100", to: "+19195550142" },
 *   username: "bw-user",
 *   password: "bw-pass",
 * });
 * result.challenge?.status; // 401
 * result.status;            // 200
 * result.verbs;             // ["SpeakSentence"]
 */
export async function deliverEvent(options: DeliveryOptions): Promise<DeliveryResult> {
  const { username, password } = options;
  if ((username === undefined) !== (password === undefined)) {
    throw new BandwidthConfigError("deliverEvent: give both username and password, or neither");
  }
  if (username === undefined || password === undefined) {
    return { ...readAnswer(await send(options, undefined, true)), challenge: undefined };
  }
  const first = await send(options, undefined, options.bodyOnChallenge !== false);
  const challenge = readChallenge(first);
  if (challenge.status !== 401) {
    throw new HandshakeError(
      `the first request (without credentials) was answered ${challenge.status} instead of 401: Bandwidth expects a 401 challenge before it sends the credentials${
        challenge.status >= 200 && challenge.status < 300 ? " (the server accepts unauthenticated callbacks)" : ""
      }`,
      challenge,
    );
  }
  if (challenge.wwwAuthenticate === undefined || !/^\s*basic\b/i.test(challenge.wwwAuthenticate)) {
    throw new HandshakeError(
      challenge.wwwAuthenticate === undefined
        ? "the 401 challenge has no WWW-Authenticate header: Bandwidth does not retry, the event would never be delivered"
        : `the 401 challenge is not a Basic challenge (WWW-Authenticate: ${challenge.wwwAuthenticate}): Bandwidth only answers Basic`,
      challenge,
    );
  }
  const second = await send(options, basicAuthorization(username, password), true);
  return { ...readAnswer(second), challenge };
}

/**
 * The `Authorization` header value Bandwidth sends: `Basic ` + base64 of the UTF-8 bytes of `user:password`.
 *
 * @example
 * basicAuthorization("bw-user", "bw-pass"); // "Basic YnctdXNlcjpidy1wYXNz"
 */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${base64(new TextEncoder().encode(`${username}:${password}`))}`;
}

const BASE64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function base64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i];
    const b = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const c = i + 2 < bytes.length ? bytes[i + 2] : 0;
    const triple = (a << 16) | (b << 8) | c;
    out += BASE64_ALPHABET[(triple >> 18) & 63] + BASE64_ALPHABET[(triple >> 12) & 63];
    out += i + 1 < bytes.length ? BASE64_ALPHABET[(triple >> 6) & 63] : "=";
    out += i + 2 < bytes.length ? BASE64_ALPHABET[triple & 63] : "=";
  }
  return out;
}

/** One answer, fully read. */
interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Sends one request of the handshake and reads the whole answer (under the timeout). */
async function send(options: DeliveryOptions, authorization: string | undefined, withBody: boolean): Promise<RawAnswer> {
  const method = options.method ?? "POST";
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (name.toLowerCase() !== "authorization") headers[name] = value;
  }
  let url = String(options.url);
  let body: string | undefined;
  if (method === "GET") {
    url = withQuery(url, options.body);
  } else if (withBody) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === "content-type")) {
      headers["content-type"] = options.contentType ?? defaultContentType(options.body);
    }
  }
  if (authorization !== undefined) headers.authorization = authorization;
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const timer = setTimeout(() => controller.abort(new BandwidthError("BW_NO_ANSWER", `no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    const response = await doFetch(url, { method, headers, body, signal: controller.signal, redirect: "manual" });
    return { status: response.status, headers: response.headers, text: await readAnswerText(response, options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES) };
  } finally {
    clearTimeout(timer);
  }
}

function defaultContentType(body: unknown): string {
  return typeof body === "string" && body.trimStart().startsWith("<") ? "application/xml; charset=utf-8" : "application/json";
}

/** Appends the event's top-level fields as query parameters (objects are sent as JSON text). */
function withQuery(url: string, event: unknown): string {
  if (event === null || typeof event !== "object" || Array.isArray(event)) {
    throw new BandwidthConfigError("deliverEvent: a GET delivery needs the event as an object (its fields become the query string)");
  }
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(event as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    params.append(name, typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  const query = params.toString();
  if (query === "") return url;
  return `${url}${url.includes("?") ? "&" : "?"}${query}`;
}

function readChallenge(response: RawAnswer): ChallengeAnswer {
  const wwwAuthenticate = response.headers.get("www-authenticate") ?? undefined;
  let realm: string | undefined;
  if (wwwAuthenticate !== undefined) {
    const match = /realm\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/i.exec(wwwAuthenticate);
    if (match !== null) realm = match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : match[2];
  }
  return { status: response.status, wwwAuthenticate, realm };
}

function readAnswer(response: RawAnswer): Omit<DeliveryResult, "challenge"> {
  const body = response.text;
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const contentType = response.headers.get("content-type") ?? undefined;
  const mediaType = (contentType ?? "").split(";")[0].trim().toLowerCase();
  let xml: XmlElement | undefined;
  let xmlError: string | undefined;
  const looksXml = mediaType.endsWith("xml") || (mediaType === "" && body.trimStart().startsWith("<"));
  if (looksXml && body.trim() !== "") {
    try {
      xml = parseXml(body);
    } catch (error) {
      xmlError = error instanceof Error ? error.message : String(error);
    }
  }
  let json: unknown;
  if (mediaType === "application/json" || mediaType.endsWith("+json")) {
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
  }
  const bxml = xml !== undefined && (xml.name === "Response" || xml.name === "Bxml") ? xml : undefined;
  return {
    status: response.status,
    delivered: response.status >= 200 && response.status < 300,
    headers,
    contentType,
    body,
    xml,
    bxml,
    verbs: bxml === undefined ? [] : bxml.children.map((child) => child.name),
    xmlError,
    json,
  };
}
