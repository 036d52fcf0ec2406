/**
 * The upgrade decision, taken on the opening handshake before any socket exists: route by path (404),
 * then media-stream sockets check `Authorization: Basic` with the webhooks' constant-time, rotation-aware
 * verifier (401 + `WWW-Authenticate`), and transcription sockets ask the configured URL-token verifier
 * (401, no challenge: Bandwidth sends no credentials there). Shared by every adapter. Edge-safe.
 */

import { type BasicAuthVerifier, createBasicAuth } from "../auth/basic.js";
import { BandwidthConfigError } from "../errors.js";
import type { WebhookLogger } from "../logger.js";
import type { AcceptedUpgrade, RefusedUpgrade, SocketKind, StreamServerOptions, UpgradeDecision, UpgradeHeaders, UpgradeRequestLike } from "./types.js";

/**
 * The default socket paths (the AsyncAPI document's channels), used when `stream.path` /
 * `transcription.path` are not given.
 *
 * @example
 * new StartStream({ destination: `wss://bot.example.com${DEFAULT_SOCKET_PATHS.stream}`, mode: "bidirectional" });
 */
export const DEFAULT_SOCKET_PATHS: Readonly<Record<SocketKind, string>> = Object.freeze({
  stream: "/sockets/stream",
  transcription: "/sockets/transcription",
});

/** Reads one header from a `Headers` object or node's header record (first value of a list). */
export function readUpgradeHeader(headers: UpgradeHeaders, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const value = (headers as Record<string, string | readonly string[] | undefined>)[name];
  return typeof value === "string" ? value : Array.isArray(value) ? value[0] : undefined;
}

function refuse(status: 401 | 404, reason: string, body: string, headers: Record<string, string> = {}): RefusedUpgrade {
  return Object.freeze({ ok: false, status, reason, body, headers: Object.freeze({ "content-type": "text/plain; charset=utf-8", ...headers }) });
}

const NOT_FOUND: RefusedUpgrade = refuse(404, "path", "no socket here\n");
const TOKEN_REFUSED: RefusedUpgrade = refuse(401, "token", "unauthorized\n");

/** The upgrade decision function for a server's options (checked once, here). */
export function createUpgradeDecision(
  options: StreamServerOptions<unknown, unknown>,
  logger: WebhookLogger | undefined,
): { readonly paths: Readonly<Partial<Record<SocketKind, string>>>; decide(request: UpgradeRequestLike): Promise<UpgradeDecision> } {
  const paths: Partial<Record<SocketKind, string>> = {};
  let basic: BasicAuthVerifier | undefined;
  let basicRefusal: RefusedUpgrade | undefined;
  const stream = options.stream;
  const transcription = options.transcription;
  if (stream !== undefined) {
    paths.stream = checkPath(stream.path ?? DEFAULT_SOCKET_PATHS.stream, "stream");
    if (stream.credentials !== undefined && stream.credentials.length > 0) {
      basic = createBasicAuth({ credentials: stream.credentials, realm: stream.realm ?? "bandwidth-streams" });
      basicRefusal = refuse(401, "", "unauthorized\n", { "www-authenticate": basic.challenge });
    } else if (stream.allowUnauthenticated !== true) {
      throw new BandwidthConfigError("bw-codegen sockets: stream.credentials is required (the <StartStream> destinationUsername/destinationPassword), or set stream.allowUnauthenticated: true");
    } else {
      logger?.warn("bw-codegen sockets: media-stream sockets accept anyone (stream.allowUnauthenticated): the start message's call and account ids can be forged");
    }
  }
  if (transcription !== undefined) {
    paths.transcription = checkPath(transcription.path ?? DEFAULT_SOCKET_PATHS.transcription, "transcription");
    if (transcription.verifyToken === undefined) {
      if (transcription.allowUnauthenticated !== true) {
        throw new BandwidthConfigError("bw-codegen sockets: transcription.verifyToken is required (a signed URL token), or set transcription.allowUnauthenticated: true");
      }
      logger?.warn("bw-codegen sockets: transcription sockets accept anyone (transcription.allowUnauthenticated): the start message's call and account ids can be forged");
    } else if (typeof transcription.verifyToken !== "function") {
      throw new BandwidthConfigError("bw-codegen sockets: transcription.verifyToken must be a function");
    }
  }
  if (paths.stream !== undefined && paths.stream === paths.transcription) {
    throw new BandwidthConfigError("bw-codegen sockets: the stream and transcription sockets need different paths");
  }

  async function decide(request: UpgradeRequestLike): Promise<UpgradeDecision> {
    let url: URL;
    try {
      url = new URL(request.url, "http://socket.invalid");
    } catch {
      return NOT_FOUND;
    }
    const path = url.pathname;
    if (path === paths.stream) {
      if (basic === undefined) return accepted("stream", url, "none");
      const result = basic.check(readUpgradeHeader(request.headers, "authorization"));
      if (!result.ok) return { ...basicRefusal!, reason: result.reason };
      return accepted("stream", url, "basic", result.credentialIndex);
    }
    if (path === paths.transcription) {
      const verify = transcription!.verifyToken;
      if (verify === undefined) return accepted("transcription", url, "none");
      let verdict: Awaited<ReturnType<typeof verify>>;
      try {
        verdict = await verify({ url, headers: request.headers });
      } catch {
        return TOKEN_REFUSED; // a verifier that throws refuses (fail closed)
      }
      if (verdict === true) return accepted("transcription", url, "token");
      if (typeof verdict === "object" && verdict !== null && verdict.ok === true) {
        return accepted("transcription", url, "token", undefined, typeof verdict.callId === "string" ? verdict.callId : undefined);
      }
      return TOKEN_REFUSED;
    }
    return NOT_FOUND;
  }

  return { paths: Object.freeze(paths), decide };
}

function accepted(kind: SocketKind, url: URL, auth: AcceptedUpgrade["auth"], credentialIndex?: number, callId?: string): AcceptedUpgrade {
  const decision: AcceptedUpgrade = { ok: true, kind, path: url.pathname, query: url.searchParams, auth };
  if (credentialIndex !== undefined) (decision as { credentialIndex?: number }).credentialIndex = credentialIndex;
  if (callId !== undefined) (decision as { callId?: string }).callId = callId;
  return decision;
}

function checkPath(path: string, kind: SocketKind): string {
  if (typeof path !== "string" || !path.startsWith("/") || path.includes("?") || path.includes("#")) {
    throw new BandwidthConfigError(`bw-codegen sockets: ${kind}.path must be a path starting with "/" (no query)`);
  }
  return path;
}
