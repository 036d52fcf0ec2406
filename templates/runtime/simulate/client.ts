// The simulator's HTTP side: delivers one callback the way Bandwidth does, through an injected
// fetch-like transport (a real `fetch`, or an in-process handler), with Bandwidth's basic-auth
// challenge: the first request carries no `Authorization`; only a `401` **with** a `Basic`
// `WWW-Authenticate` challenge makes it retry with credentials. Never throws: every failure
// (timeout, connection error, dropped challenge, an answer longer than the limit) comes back as data.

import { AnswerTooLargeError, DEFAULT_MAX_ANSWER_BYTES, readAnswerText } from "./answer-body.js";
import { BandwidthError } from "../errors.js";

/** A fetch-compatible transport. */
export type Transport = (url: string, init: RequestInit) => Promise<Response>;

/**
 * How the handshake went:
 * - `none`: no credentials configured, one request;
 * - `challenged`: 401 + Basic challenge, then the request with credentials;
 * - `no-challenge-header`: 401 without `WWW-Authenticate` (Bandwidth drops the callback);
 * - `not-basic`: a challenge for another scheme (dropped);
 * - `rejected`: the credentials were answered 401 again;
 * - `unprotected`: the request without credentials was accepted (the endpoint is open);
 * - `no-answer`: the first request got no usable answer (timeout, connection error, an answer over the byte limit).
 */
export type AuthOutcome = "none" | "challenged" | "no-challenge-header" | "not-basic" | "rejected" | "unprotected" | "no-answer";

export interface CallbackRequest {
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly payload: Readonly<Record<string, unknown>>;
  readonly username?: string;
  readonly password?: string;
  readonly timeoutMs: number;
  /** The most answer bytes read (default 1 MiB): a longer answer is not delivered, with an error saying so. */
  readonly maxAnswerBytes?: number;
}

export interface CallbackAnswer {
  readonly auth: AuthOutcome;
  /** Status of the answer that counts (0 when none came). */
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
  readonly latencyMs: number;
  /** 2xx after a correct handshake (or with no credentials configured). */
  readonly delivered: boolean;
  /** Timeout or connection error, in words. */
  readonly error?: string;
  /** True when no HTTP answer came at all (a connection error or a timeout). */
  readonly connectionError: boolean;
}

/** `Basic base64(utf8(user:password))`, without node: APIs. */
export function basicAuthorization(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

const now = (): number => (typeof performance !== "undefined" ? performance.now() : Date.now());

interface RawAnswer {
  status: number;
  contentType: string | undefined;
  wwwAuthenticate: string | undefined;
  body: string;
  error?: string;
  /** The answer passed the byte limit (an HTTP answer came, but Bandwidth's side gives up on it). */
  tooLarge?: boolean;
}

/** Query string of a GET callback: each top-level field, objects as JSON text. */
function withQuery(url: string, payload: Readonly<Record<string, unknown>>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined || value === null) continue;
    params.append(name, typeof value === "object" ? JSON.stringify(value) : String(value));
  }
  return `${url}${url.includes("?") ? "&" : "?"}${params.toString()}`;
}

async function sendOnce(transport: Transport, request: CallbackRequest, authorization: string | undefined): Promise<RawAnswer> {
  const headers: Record<string, string> = { "user-agent": "BandwidthAPI/v2 (bw-codegen simulate)" };
  let url = request.url;
  let body: string | undefined;
  if (request.method === "GET") url = withQuery(url, request.payload);
  else {
    body = JSON.stringify(request.payload);
    headers["content-type"] = "application/json";
  }
  if (authorization !== undefined) headers.authorization = authorization;
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new BandwidthError("BW_NO_ANSWER", `no answer within ${request.timeoutMs / 1000} s (Bandwidth's callback timeout)`);
      controller.abort(error);
      reject(error);
    }, request.timeoutMs);
  });
  try {
    const exchange = (async () => {
      const response = await transport(url, { method: request.method, headers, body, signal: controller.signal, redirect: "manual" });
      const text = await readAnswerText(response, request.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES);
      return {
        status: response.status,
        contentType: response.headers.get("content-type") ?? undefined,
        wwwAuthenticate: response.headers.get("www-authenticate") ?? undefined,
        body: text, // whole (up to maxAnswerBytes): the engine says when a reply is over Bandwidth's 64 KB
      };
    })();
    exchange.catch(() => undefined); // the timeout may win the race
    return await Promise.race([exchange, timeout]);
  } catch (error) {
    if (error instanceof AnswerTooLargeError) {
      return { status: error.status, contentType: undefined, wwwAuthenticate: undefined, body: "", error: error.message, tooLarge: true };
    }
    const reason = error instanceof Error ? (error.message === "fetch failed" && error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    return { status: 0, contentType: undefined, wwwAuthenticate: undefined, body: "", error: reason };
  } finally {
    clearTimeout(timer);
  }
}

function answer(raw: RawAnswer, auth: AuthOutcome, started: number, delivered: boolean): CallbackAnswer {
  return {
    auth,
    status: raw.status,
    contentType: raw.contentType,
    body: raw.body,
    latencyMs: Math.round((now() - started) * 10) / 10,
    delivered,
    ...(raw.error !== undefined ? { error: raw.error } : {}),
    connectionError: raw.status === 0,
  };
}

const is2xx = (status: number): boolean => status >= 200 && status < 300;

/** Delivers one callback with Bandwidth's handshake; see {@link AuthOutcome}. */
export async function deliverCallback(transport: Transport, request: CallbackRequest): Promise<CallbackAnswer> {
  const started = now();
  const first = await sendOnce(transport, request, undefined);
  const hasCredentials = request.username !== undefined && request.password !== undefined;
  if (first.tooLarge === true) return answer(first, hasCredentials ? "no-answer" : "none", started, false);
  if (!hasCredentials) return answer(first, "none", started, is2xx(first.status));
  if (first.status === 0) return answer(first, "no-answer", started, false);
  if (first.status !== 401) {
    // Bandwidth takes this answer as it is: a 2xx means the receiver accepted an unauthenticated callback
    return answer(first, is2xx(first.status) ? "unprotected" : "none", started, is2xx(first.status));
  }
  if (first.wwwAuthenticate === undefined) {
    return answer({ ...first, error: "401 without WWW-Authenticate: Bandwidth does not retry with credentials" }, "no-challenge-header", started, false);
  }
  if (!/^\s*basic\b/i.test(first.wwwAuthenticate)) {
    return answer({ ...first, error: `the challenge is not Basic (WWW-Authenticate: ${first.wwwAuthenticate}): Bandwidth only answers Basic` }, "not-basic", started, false);
  }
  const second = await sendOnce(transport, request, basicAuthorization(request.username as string, request.password as string));
  if (second.tooLarge === true) return answer(second, "challenged", started, false);
  if (second.status === 401) return answer({ ...second, error: "the credentials were refused (401 again)" }, "rejected", started, false);
  return answer(second, "challenged", started, is2xx(second.status));
}
