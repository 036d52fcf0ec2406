/**
 * The request gate: what the core answers before reading any body byte. In order: 405 (method), 401
 * (Basic auth, constant-time, via `auth/basic.ts`), 415 (media type, charset, Content-Encoding) and
 * 413 (announced Content-Length over the limit).
 */

import type { RouteState } from "./routes.js";
import { PAYLOAD_TOO_LARGE, UNSUPPORTED_ENCODING, UNSUPPORTED_MEDIA } from "./responses.js";
import type { CoreSettings } from "./settings.js";
import type { CoreRequest, CoreResponse } from "./types.js";

/** Whether a Content-Encoding header means "not encoded" (`identity`, any case, possibly listed). */
function isIdentity(contentEncoding: string): boolean {
  for (const coding of contentEncoding.split(",")) {
    const name = coding.trim().toLowerCase();
    if (name !== "" && name !== "identity") return false;
  }
  return true;
}

/**
 * The media type of a Content-Type value, lower case, without parameters. A charset other than UTF-8
 * (or US-ASCII, a subset) makes the type unacceptable (returned as `""`).
 *
 * @example
 * mediaTypeOf("Application/JSON; charset=UTF-8"); // "application/json"
 * mediaTypeOf("application/json; charset=latin1"); // "" (refused: 415)
 */
export function mediaTypeOf(contentType: string): string {
  if (contentType === "application/json") return contentType; // Bandwidth's usual header: fast path
  const semicolon = contentType.indexOf(";");
  const type = (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  if (semicolon >= 0) {
    const charset = /(?:^|;)\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType.slice(semicolon));
    if (charset !== null) {
      const name = charset[1].toLowerCase();
      if (name !== "utf-8" && name !== "utf8" && name !== "us-ascii") return "";
    }
  }
  return type;
}

/** The 401 when authentication is on and the header does not pass (the hook is told why). */
function checkAuthorization(settings: CoreSettings, state: RouteState, authorization: string | null | undefined): CoreResponse | undefined {
  const auth = settings.auth;
  if (auth === undefined) return undefined;
  const result = auth.check(authorization);
  if (result.ok) return undefined;
  try {
    settings.onAuthFailure({ path: state.path, reason: result.reason });
  } catch (error) {
    settings.reportError(error, { family: state.family.name, eventType: undefined, kind: "hook" });
  }
  return settings.unauthorized;
}

/** Answers 405 / 401 / 415 / 413 before the body is read; `undefined` = go on. */
export function checkRequest(settings: CoreSettings, state: RouteState, request: CoreRequest): CoreResponse | undefined {
  const method = request.method;
  const isPost = method === "POST";
  if (!(isPost ? state.acceptsPost : method === "GET" && state.acceptsGet)) return state.methodNotAllowed;
  const refused = checkAuthorization(settings, state, request.authorization);
  if (refused !== undefined) return refused;
  if (isPost) {
    const { contentType, contentEncoding, contentLength } = request;
    if (contentType === undefined || contentType === null || !state.accepts(mediaTypeOf(contentType))) return UNSUPPORTED_MEDIA;
    // a compressed body would only fail later as "malformed"; RFC 9110 §15.5.16 answers it with 415
    if (contentEncoding && !isIdentity(contentEncoding)) return UNSUPPORTED_ENCODING;
    if (contentLength !== undefined && contentLength !== null && contentLength !== "") {
      const announced = typeof contentLength === "number" ? contentLength : Number(contentLength);
      if (announced > settings.bodyLimit) return PAYLOAD_TOO_LARGE;
    }
  }
  return undefined;
}
