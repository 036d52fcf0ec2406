/**
 * The fixed HTTP answers of the webhook core (404, 405, 413, 415, 400s, 500, acknowledgements) and the
 * small constructors for the variable ones: the one place that writes them, for the core and for every
 * adapter (node, fetch, Express, Fastify import their 500 / 400 from here). Fixed answers are frozen and
 * shared between requests.
 */

import type { CoreResponse } from "./types.js";
import type { ValidationIssue } from "../validation.js";

export const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ "content-type": "application/json; charset=utf-8" });
const BXML_HEADERS: Readonly<Record<string, string>> = Object.freeze({ "content-type": "application/xml; charset=utf-8" });
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});
export const EMPTY_BXML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

function jsonError(status: number, error: string, message: string, extraHeaders?: Record<string, string>): CoreResponse {
  return Object.freeze({
    status,
    headers: Object.freeze({ ...JSON_HEADERS, ...extraHeaders }),
    body: JSON.stringify({ error, message }),
  });
}

export const NOT_FOUND: CoreResponse = jsonError(404, "not_found", "no webhook route at this path");
export const PAYLOAD_TOO_LARGE: CoreResponse = jsonError(413, "payload_too_large", "request body exceeds the configured limit");
export const UNSUPPORTED_MEDIA: CoreResponse = jsonError(415, "unsupported_media_type", "unsupported Content-Type for this webhook");
export const UNSUPPORTED_ENCODING: CoreResponse = jsonError(415, "unsupported_content_encoding", "send the body without a Content-Encoding", {
  "accept-encoding": "identity",
});
export const MALFORMED_JSON: CoreResponse = jsonError(400, "malformed_json", "request body is not valid JSON");
export const MALFORMED_XML: CoreResponse = jsonError(400, "malformed_xml", "request body is not well-formed XML");
export const EMPTY_BODY: CoreResponse = jsonError(400, "empty_body", "request body is empty");
export const NOT_UTF8: CoreResponse = jsonError(400, "invalid_utf8", "request body is not valid UTF-8");
export const FOREIGN_XML_ENCODING: CoreResponse = jsonError(415, "unsupported_charset", "the XML declaration names an encoding other than UTF-8; send UTF-8");
/** The 500 every adapter and the core answer when a handler (or the core itself) failed: Bandwidth retries it. */
export const INTERNAL_ERROR: CoreResponse = jsonError(500, "internal_error", "the webhook handler failed");
/** A request the transport could not read (a framework's parser refused it with a 4xx other than 413). */
export const BAD_REQUEST: CoreResponse = jsonError(400, "bad_request", "the request could not be read");
/** The body stream failed before its end (the client aborted mid-upload, a runtime's stream errored). */
export const BODY_READ_FAILED: CoreResponse = jsonError(400, "body_read_failed", "the request body could not be read to its end");
/** The body did not arrive whole within `bodyTimeoutMs` (Fetch adapter): the connection is closed. */
export const BODY_TIMEOUT: CoreResponse = jsonError(408, "body_timeout", "the request body did not arrive in time (option bodyTimeoutMs)", { connection: "close" });
/** The dedupe store or the queue could not take the event: Bandwidth retries a 503. */
export const STORE_UNAVAILABLE: CoreResponse = jsonError(503, "store_unavailable", "the event could not be stored; retry later", { "retry-after": "1" });
/** Another delivery of the same event is being handled: retry once it is done (or failed). */
export const IN_PROGRESS: CoreResponse = jsonError(503, "in_progress", "this event is being handled by another delivery; retry later", { "retry-after": "1" });

/** The 405 for a route serving `methods`: "use POST or GET", `Allow: GET, POST`. */
export function methodNotAllowed(methods: readonly string[]): CoreResponse {
  return jsonError(405, "method_not_allowed", `use ${methods.join(" or ")}`, { allow: [...methods].sort().join(", ") });
}

/** The 401 challenge for a `WWW-Authenticate` value. */
export function unauthorizedResponse(challenge: string): CoreResponse {
  return Object.freeze({ status: 401, headers: Object.freeze({ "www-authenticate": challenge }), body: "" });
}

const ackResponses = new Map<number, CoreResponse>();
/** The plain acknowledgement with `status` and no body (one shared object per status). */
export function ack(status: number): CoreResponse {
  let response = ackResponses.get(status);
  if (response === undefined) {
    response = Object.freeze({ status, headers: NO_HEADERS, body: "" });
    ackResponses.set(status, response);
  }
  return response;
}

export function invalidBody(message: string): CoreResponse {
  return { status: 400, headers: JSON_HEADERS, body: JSON.stringify({ error: "invalid_body", message }) };
}

/** 400 in strict mode: the event does not match its schema (the first ten issues are listed). */
export function invalidEvent(family: string, type: string, issues: readonly ValidationIssue[]): CoreResponse {
  return {
    status: 400,
    headers: JSON_HEADERS,
    body: JSON.stringify({ error: "invalid_event", message: `${family} ${type} event does not match its schema`, issues: issues.slice(0, 10) }),
  };
}

/** 413 for a request holding more events (a batch) or XML elements than the core's limit allows; names the limit and its option. */
export function tooMany(what: "events" | "elements", family: string, limit: number, option: string): CoreResponse {
  return {
    status: 413,
    headers: JSON_HEADERS,
    body: JSON.stringify({
      error: `too_many_${what}`,
      message: `a ${family} request may hold at most ${limit} ${what === "events" ? "events" : "XML elements"} (option ${option}); this one holds more`,
      limit,
    }),
  };
}

/** 403: the body failed the family's check (e.g. the TFV signature). */
export function invalidSignature(reason: string, message: string): CoreResponse {
  return { status: 403, headers: JSON_HEADERS, body: JSON.stringify({ error: "invalid_signature", reason, message }) };
}

export function bxmlResponse(xml: string): CoreResponse {
  return { status: 200, headers: BXML_HEADERS, body: xml };
}
