/**
 * Refusals the sender reads as "yes". Bandwidth approves a port-out when its validation request gets any
 * answer but a 200 with a `<PortOutValidationResponse>`: a 400 (strict mode, malformed XML), a 413, a 415 or
 * a 500 would approve it. A family with `failClosed` (numbers) turns such a refusal into its 200 "no"
 * (a dispute) whenever the request may be one of those; the refusal is logged as it would have been.
 * Kept as they are: 401 (the Basic-auth challenge: Bandwidth sends its credentials only after one, so it
 * must stay a 401), 404 (no route) and 405 (Bandwidth only POSTs), and any status below 400.
 */

import type { RuntimeLog } from "./log.js";
import type { CoreBody, CoreResponse, WebhookFamily } from "./types.js";

/** How much of a body is decoded to sniff its root element. */
const SNIFF_BYTES = 4096;

/** The start of a body as text, for sniffing only (bytes read as Latin-1: element names are ASCII). */
export function sniffText(body: CoreBody): string | undefined {
  if (typeof body === "string") return body.slice(0, SNIFF_BYTES);
  if (body instanceof Uint8Array) {
    let text = "";
    const end = Math.min(body.length, SNIFF_BYTES);
    for (let i = 0; i < end; i++) text += String.fromCharCode(body[i]);
    return text;
  }
  return undefined; // none yet, or a value a framework parsed: cannot tell
}

function keepsRefusal(status: number): boolean {
  return status < 400 || status === 401 || status === 404 || status === 405;
}

/** The refusal, or the family's fail-closed 200 answer in its place (logged, rate-limited). */
export function failClosed(family: WebhookFamily, log: RuntimeLog, path: string, refusal: CoreResponse, body: CoreBody): CoreResponse {
  if (family.failClosed === undefined || keepsRefusal(refusal.status)) return refusal;
  let reply: ReturnType<NonNullable<WebhookFamily["failClosed"]>>;
  try {
    reply = family.failClosed(refusal, sniffText(body));
  } catch {
    reply = undefined;
  }
  if (reply === undefined) return refusal;
  log.limited(
    "warn",
    `fail-closed:${family.name}`,
    `bw-codegen webhooks: a ${family.name} request on ${path} was refused (${refusal.status} ${reasonOf(refusal)}); answered 200 with the family's refusal instead, since its sender reads any non-200 as approval`,
  );
  return { status: 200, headers: { "content-type": reply.contentType }, body: reply.body };
}

/** The `error: message` of a JSON refusal body (the core's own answers), or its status text. */
export function reasonOf(refusal: CoreResponse): string {
  try {
    const parsed = JSON.parse(refusal.body) as { error?: unknown; message?: unknown };
    if (typeof parsed.error === "string") return typeof parsed.message === "string" ? `${parsed.error}: ${parsed.message}` : parsed.error;
  } catch {
    // not JSON
  }
  return `status ${refusal.status}`;
}
