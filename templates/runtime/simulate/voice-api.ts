// A local stand-in for the parts of Bandwidth's Voice API that bots use mid-call (media-streams.md,
// "Changing a live call from a bot"; paths and bodies from bandwidth.yml): the OAuth2 token endpoint
// (`POST /api/v1/oauth2/token`, grant client_credentials, Basic client id/secret), update call
// (`POST /api/v2/accounts/{accountId}/calls/{callId}`: `state: "completed"` hangs up, `redirectUrl`
// sends a `redirect` callback whose BXML replaces the running document) and update call BXML
// (`PUT …/calls/{callId}/bxml`, 204). Bearer-token auth (the deprecated API-user Basic auth is taken
// with a warning), the documented error answers (`{ type, description }`). Every request is recorded in
// the trace and handed to the running call (engine.ts: `CallRun.interrupt`). Transport-agnostic and
// edge-safe: `voice-api-server.ts` serves it on 127.0.0.1.

import { createBasicAuth, type BasicAuthVerifier } from "../auth/basic.js";
import { parseBxml } from "../bxml/parse.js";
import type { BxmlNode, BxmlRules } from "../bxml/rules.js";
import { BandwidthConfigError } from "../errors.js";
import { basicAuthorization } from "./client.js";
import type { CallIdentity, Clock, Leg } from "./payloads.js";
import { SEMANTICS } from "./semantics.js";
import type { ApiEntry, WarningEntry } from "./trace.js";
import { redactBxmlSecrets } from "./transcript.js";

/** What the stand-in needs from the running call (engine.ts `VoiceApiCall` implements it; kept narrow so this file does not import the engine). */
export interface VoiceApiCall {
  readonly identity: CallIdentity;
  readonly clock: Clock;
  readonly rules: BxmlRules;
  legById(callId: string): Leg | undefined;
  isEnded(leg: Leg): boolean;
  interrupt(callId: string, change: CallChange): void;
  warn(entry: Omit<WarningEntry, "kind" | "at">): void;
  recordApi(entry: ApiEntry): void;
}

/** One HTTP request to the stand-in, transport-neutral. */
export interface VoiceApiRequest {
  readonly method: string;
  /** Path and query (`/api/v2/accounts/9900000/calls/c-…`). */
  readonly path: string;
  /** Request headers, lower-case names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

/** The stand-in's answer. */
export interface VoiceApiAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What a REST request asks of the running call. */
export type CallChange =
  | { readonly kind: "hangup" }
  | {
      readonly kind: "redirect";
      readonly url: string;
      readonly method: "GET" | "POST";
      readonly username?: string;
      readonly password?: string;
      readonly fallback?: { readonly url: string; readonly method: "GET" | "POST"; readonly username?: string; readonly password?: string };
      /** `""` clears the call's tag; absent leaves it. */
      readonly tag?: string;
    }
  | { readonly kind: "bxml"; readonly root: BxmlNode };

/** Credentials of the stand-in's OAuth2 client (what the bot uses as client id / client secret). */
export interface VoiceApiCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Seconds an access token lasts (`expires_in`), as Bandwidth's tokens: one hour. */
export const TOKEN_SECONDS: number = SEMANTICS.voiceApi.tokenSeconds;

const UPDATE_CALL = /^\/(?:api\/v2\/)?accounts\/([^/]+)\/calls\/([^/]+)(\/bxml)?$/;
const TOKEN_PATH = /^\/api\/v1\/oauth2\/token$/;
const MAX_URL = 2048;

const json = (status: number, body: unknown, headers: Record<string, string> = {}): VoiceApiAnswer => ({
  status,
  headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  body: JSON.stringify(body),
});
/** Bandwidth's voice error body (`voiceApiError` in bandwidth.yml). */
const error = (status: number, type: string, description: string, headers?: Record<string, string>): VoiceApiAnswer => json(status, { type, description }, headers);

/** Compares two strings in time that depends only on their lengths. */
function sameText(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ (y[i % Math.max(1, y.length)] ?? 0);
  return diff === 0;
}

function randomToken(): string {
  const bytes = new Uint8Array(32);
  crypto.getRandomValues(bytes);
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

const isHttpUrl = (value: unknown): value is string => {
  if (typeof value !== "string" || value.length > MAX_URL) return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
};

/** The update-call body as a change, or the reason it is a 400 (bandwidth.yml `updateCall`). */
function readUpdate(body: Record<string, unknown>): CallChange | string {
  const state = body.state ?? "active";
  if (state !== "active" && state !== "completed") return `state must be "active" or "completed", not ${JSON.stringify(state)}`;
  for (const name of ["redirectUrl", "redirectMethod", "username", "password", "redirectFallbackUrl", "redirectFallbackMethod", "fallbackUsername", "fallbackPassword", "tag"]) {
    const value = body[name];
    if (value !== undefined && value !== null && typeof value !== "string") return `${name} must be a string`;
  }
  if (state === "completed") {
    for (const name of ["redirectUrl", "redirectMethod", "tag"]) if (body[name] !== undefined && body[name] !== null) return `${name} is not allowed when state is completed`;
    return { kind: "hangup" };
  }
  if (body.redirectUrl === undefined || body.redirectUrl === null) return "redirectUrl is required when state is active";
  if (!isHttpUrl(body.redirectUrl)) return `Invalid redirectUrl: only absolute http and https URLs are allowed`;
  if (body.redirectFallbackUrl != null && !isHttpUrl(body.redirectFallbackUrl)) return "Invalid redirectFallbackUrl: only absolute http and https URLs are allowed";
  for (const name of ["redirectMethod", "redirectFallbackMethod"]) {
    if (body[name] != null && body[name] !== "GET" && body[name] !== "POST") return `${name} must be GET or POST`;
  }
  for (const name of ["username", "password", "fallbackUsername", "fallbackPassword"]) if (typeof body[name] === "string" && (body[name] as string).length > 1024) return `${name} is longer than 1024 characters`;
  if (typeof body.tag === "string" && body.tag.length > 4096) return "tag is longer than 4096 characters";
  const str = (name: string): string | undefined => (typeof body[name] === "string" ? (body[name] as string) : undefined);
  const pair = (user: string, pass: string) => (str(user) !== undefined && str(pass) !== undefined ? { username: str(user), password: str(pass) } : {});
  return {
    kind: "redirect",
    url: body.redirectUrl,
    method: body.redirectMethod === "GET" ? "GET" : "POST",
    ...pair("username", "password"),
    ...(typeof body.redirectFallbackUrl === "string"
      ? { fallback: { url: body.redirectFallbackUrl, method: body.redirectFallbackMethod === "GET" ? "GET" : "POST", ...pair("fallbackUsername", "fallbackPassword") } }
      : {}),
    ...(str("tag") !== undefined ? { tag: str("tag") } : {}),
  } as CallChange;
}

/** The description of an error answer (`description`, or OAuth2's `error_description`). */
function errorText(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const text = parsed.description ?? parsed.error_description;
    return typeof text === "string" && text !== "" ? text : undefined;
  } catch {
    return undefined;
  }
}

/** A request body for the trace: passwords hidden. */
function redactBody(body: unknown): unknown {
  if (body === null || typeof body !== "object" || Array.isArray(body)) return body;
  const copy: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  for (const name of ["password", "fallbackPassword"]) if (copy[name] !== undefined && copy[name] !== null) copy[name] = "***";
  return copy;
}

/**
 * The stand-in's logic: tokens, auth, routing, the documented answers. One simulated call at a time is
 * attached to it (`attach`); requests about any other call id answer 404.
 */
export class VoiceApiCore {
  private readonly client: BasicAuthVerifier;
  private readonly clientId: string;
  private readonly tokens: { value: string; expires: number }[] = [];
  private call: VoiceApiCall | undefined;

  constructor(credentials: VoiceApiCredentials) {
    if (typeof credentials?.clientId !== "string" || credentials.clientId === "" || typeof credentials.clientSecret !== "string" || credentials.clientSecret === "") {
      throw new BandwidthConfigError("startVoiceApi: clientId and clientSecret are required (the OAuth2 client the bot authenticates as)");
    }
    this.clientId = credentials.clientId;
    this.client = createBasicAuth({ credentials: [{ username: credentials.clientId, password: credentials.clientSecret }], realm: "Bandwidth" });
  }

  /** Hands REST requests to this call until `detach`. @throws {BandwidthConfigError} when another call is attached. */
  attach(call: VoiceApiCall): void {
    if (this.call !== undefined) throw new BandwidthConfigError("the Voice API stand-in serves one simulated call at a time");
    this.call = call;
  }

  detach(call: VoiceApiCall): void {
    if (this.call === call) this.call = undefined;
  }

  /** Answers one request. Never throws. */
  handle(request: VoiceApiRequest): VoiceApiAnswer {
    const path = request.path.split("?")[0];
    if (TOKEN_PATH.test(path)) return this.record(request, undefined, this.token(request), "token");
    const match = UPDATE_CALL.exec(path);
    if (match === null) return this.record(request, undefined, error(404, "not-found", `no such resource: ${path}`), "refused");
    const [, accountId, callId, bxml] = match;
    const expected = bxml === undefined ? "POST" : "PUT";
    if (request.method !== expected) return this.record(request, callId, error(405, "method-not-allowed", `${request.method} is not allowed here (${expected})`, { allow: expected }), "refused");
    const auth = this.authenticate(request.headers.authorization);
    if (auth === "refused") {
      return this.record(request, callId, error(401, "unauthorized", "missing or invalid access token: get one from POST /api/v1/oauth2/token", { "www-authenticate": 'Bearer realm="Bandwidth"' }), "refused");
    }
    return bxml === undefined ? this.updateCall(request, accountId, callId, auth) : this.updateBxml(request, accountId, callId, auth);
  }

  private token(request: VoiceApiRequest): VoiceApiAnswer {
    if (request.method !== "POST") return json(405, { error: "invalid_request", error_description: "use POST" }, { allow: "POST" });
    const type = (request.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "application/x-www-form-urlencoded") {
      return json(400, { error: "invalid_request", error_description: "send the form as application/x-www-form-urlencoded (grant_type=client_credentials)" });
    }
    const form = new URLSearchParams(request.body);
    // RFC 6749 §2.3.1: Basic client id/secret (what Bandwidth documents), or both in the form
    const header = request.headers.authorization ?? (form.has("client_id") ? basicAuthorization(form.get("client_id") ?? "", form.get("client_secret") ?? "") : undefined);
    if (!this.client.check(header).ok) {
      return json(401, { error: "invalid_client", error_description: "client authentication failed" }, { "www-authenticate": 'Basic realm="Bandwidth"' });
    }
    if (form.get("grant_type") !== "client_credentials") {
      return json(400, { error: form.has("grant_type") ? "unsupported_grant_type" : "invalid_request", error_description: "grant_type must be client_credentials" });
    }
    const value = randomToken();
    const now = Date.now();
    for (let i = this.tokens.length - 1; i >= 0; i--) if (this.tokens[i].expires <= now) this.tokens.splice(i, 1);
    this.tokens.push({ value, expires: now + TOKEN_SECONDS * 1000 });
    return json(200, { access_token: value, token_type: "Bearer", expires_in: TOKEN_SECONDS });
  }

  /** `bearer` (a live token), `basic` (the client's id/secret as API-user credentials, deprecated) or `refused`. */
  private authenticate(header: string | undefined): "bearer" | "basic" | "refused" {
    if (header === undefined) return "refused";
    const bearer = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
    if (bearer !== null) {
      const now = Date.now();
      let found = false;
      for (const token of this.tokens) if (sameText(token.value, bearer[1]) && token.expires > now) found = true; // every token compared
      return found ? "bearer" : "refused";
    }
    return this.client.check(header).ok ? "basic" : "refused";
  }

  /** The attached call's leg with this id, or an error answer. */
  private leg(request: VoiceApiRequest, accountId: string, callId: string): { ok: true; call: VoiceApiCall } | { ok: false; answer: VoiceApiAnswer } {
    const call = this.call;
    if (call === undefined || call.legById(callId) === undefined) return { ok: false, answer: this.record(request, callId, error(404, "not-found", `call ${callId} not found`), "refused") };
    if (accountId !== call.identity.accountId) {
      return { ok: false, answer: this.record(request, callId, error(403, "forbidden", `these credentials have no access to account ${accountId}`), "refused") };
    }
    if (call.isEnded(call.legById(callId)!)) {
      return { ok: false, answer: this.record(request, callId, error(SEMANTICS.voiceApi.endedCallStatus, "conflict", `call ${callId} has already ended`), "refused") };
    }
    return { ok: true, call };
  }

  private updateCall(request: VoiceApiRequest, accountId: string, callId: string, auth: "bearer" | "basic"): VoiceApiAnswer {
    const type = (request.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "application/json") return this.record(request, callId, error(415, "unsupported-media-type", "send the body as application/json"), "refused");
    let body: unknown;
    try {
      body = JSON.parse(request.body);
    } catch {
      return this.record(request, callId, error(400, "validation", "the body is not JSON"), "refused");
    }
    if (body === null || typeof body !== "object" || Array.isArray(body)) return this.record(request, callId, error(400, "validation", "the body must be a JSON object"), "refused", body);
    const change = readUpdate(body as Record<string, unknown>);
    if (typeof change === "string") return this.record(request, callId, error(400, "validation", change), "refused", body);
    const found = this.leg(request, accountId, callId);
    if (!found.ok) return found.answer;
    this.basicWarning(found.call, auth);
    found.call.interrupt(callId, change);
    return this.record(request, callId, { status: 200, headers: {}, body: "" }, change.kind, body);
  }

  private updateBxml(request: VoiceApiRequest, accountId: string, callId: string, auth: "bearer" | "basic"): VoiceApiAnswer {
    const type = (request.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (!type.endsWith("xml")) return this.record(request, callId, error(415, "unsupported-media-type", "send the BXML as application/xml"), "refused");
    const found = this.leg(request, accountId, callId);
    if (!found.ok) return found.answer;
    const parsed = parseBxml(request.body, found.call.rules, (root) => root);
    if (!parsed.ok) {
      const first = parsed.errors[0];
      return this.record(request, callId, error(400, "validation", `invalid BXML: ${first.path === "" ? "" : `${first.path}: `}${first.message}`), "refused");
    }
    this.basicWarning(found.call, auth);
    found.call.interrupt(callId, { kind: "bxml", root: parsed.value });
    return this.record(request, callId, { status: 204, headers: {}, body: "" }, "bxml");
  }

  private basicWarning(call: VoiceApiCall, auth: "bearer" | "basic"): void {
    if (auth === "basic") {
      call.warn({ code: "voice-api-basic-auth", message: `the Voice API request used Basic auth (${this.clientId}): Bandwidth deprecated API-user Basic auth in Dec 2025; get an OAuth2 token (client_credentials) from /api/v1/oauth2/token` });
    }
  }

  /** Records the request in the attached call's trace (when one is attached) and returns the answer. */
  private record(request: VoiceApiRequest, callId: string | undefined, answer: VoiceApiAnswer, action: ApiAction, body?: unknown): VoiceApiAnswer {
    const call = this.call;
    if (call !== undefined) {
      const description = answer.status >= 400 ? errorText(answer.body) : undefined;
      call.recordApi({
        kind: "api", at: call.clock.iso(), method: request.method, path: request.path.split("?")[0], status: answer.status, action,
        ...(callId !== undefined ? { callId } : {}),
        ...(body !== undefined ? { body: redactBody(body) } : action === "bxml" ? { body: redactBxmlSecrets(request.body) } : {}),
        ...(description !== undefined ? { error: description } : {}),
      });
    }
    return answer;
  }
}

/** What a Voice API request did: `token`, a change to the call (`hangup`, `redirect`, `bxml`), or `refused` (an error answer). */
export type ApiAction = "token" | "hangup" | "redirect" | "bxml" | "refused";
