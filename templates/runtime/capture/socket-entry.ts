/**
 * Socket records of a capture: the `open`, `in`, `out` and `close` of each media-stream or transcription
 * socket (`createStreamServer({ capture })`), as NDJSON lines next to the deliveries (`"socket"` tells them
 * apart). Redaction reuses the deliveries' redactor, so a call id, account id or phone number gets the same
 * pseudonym in a socket's `start` as in the call's webhooks; the values of `streamParams` / `customParams`
 * and the transcript text are replaced; every query value of the socket URL (a transcription URL token) is
 * replaced by `***`, whatever `keep` or `redact` say. `media` / `playAudio` payloads are dropped unless
 * `keepMedia` (their base64 length and the `sequenceNumber` stay). Edge-safe: text in, entries out.
 */

import type { CapturedSocketMessage, SocketKind } from "../sockets/types.js";
import { maskCredentials } from "./redact.js";
import type { Redactor } from "./redact.js";

/** One recorded socket event (one NDJSON line, `"v": 1, "socket": kind`). */
export interface SocketCaptureEntry {
  readonly v: 1;
  /** The kind of socket: `stream` (media stream) or `transcription`. */
  readonly socket: SocketKind;
  /** The socket within the capture (1, 2, 3…): a socket's records share it. */
  readonly connection: number;
  /** ISO 8601. */
  readonly at: string;
  readonly type: "open" | "in" | "out" | "close";
  /** `open`: the path, query values replaced by `***`. */
  readonly url?: string;
  /** `open`: `user-agent`, `sec-websocket-protocol` (never `authorization`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** `in` / `out`: the message (redacted unless the capture was told otherwise). */
  readonly message?: string;
  /** `in` / `out`: the `eventType` of a JSON message. */
  readonly event?: string;
  /** Why `message` is not all there: a dropped media payload, a binary frame, text that is not JSON. */
  readonly omitted?: string;
  /** The base64 length of a dropped media payload. */
  readonly payloadLength?: number;
  /** `close`. */
  readonly code?: number;
  readonly reason?: string;
  /** `close`: which side closed it, `bandwidth` (the peer) or `receiver` (the server); absent in captures written before it was recorded. */
  readonly by?: "bandwidth" | "receiver";
}

/** How socket records are written. */
export interface SocketEntryOptions {
  /** Redacts like deliveries; undefined: stored as they were (URL tokens still never). */
  readonly redactor: Redactor | undefined;
  /** Keep `media` / `playAudio` payloads. Default false. */
  readonly keepMedia: boolean;
}

/** Whether a parsed NDJSON line is a socket record (rather than a delivery). */
export function isSocketEntry(value: unknown): value is SocketCaptureEntry {
  return typeof value === "object" && value !== null && (value as { v?: unknown }).v === 1 && typeof (value as { socket?: unknown }).socket === "string";
}

/** A socket URL with every query value replaced by `***` (a transcription URL token is a credential). */
function maskQuery(url: string): string {
  const q = url.indexOf("?");
  if (q === -1) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const out: string[] = [];
  for (const name of params.keys()) out.push(`${encodeURIComponent(name)}=***`);
  return `${url.slice(0, q)}?${out.join("&")}`;
}

/**
 * Whether a subprotocol is a plain name (`audio.v1`, `base64.binary.k8s.io`): a letter, then at most 63
 * letters, digits and `._+-`, and no part between those marks that looks like a token (16 characters or
 * more, or 8 or more with a digit: a key, a hash, a UUID's group).
 */
function protocolName(name: string): boolean {
  return /^[A-Za-z][\w.+-]{0,63}$/.test(name) && name.split(/[._+-]/).every((part) => part.length < 16 && (part.length < 8 || !/\d/.test(part)));
}

/**
 * The open's headers with `sec-websocket-protocol` kept only when it is a plain list of protocol names: a
 * client can put a token there (`bearer.<token>`, a bare JWT), so anything else is stored as `***`.
 */
function maskProtocol(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out = { ...headers };
  const protocol = out["sec-websocket-protocol"];
  if (protocol !== undefined && !protocol.split(",").every((name) => protocolName(name.trim()))) out["sec-websocket-protocol"] = "***";
  return out;
}

/** The payload of a media / playAudio message, dropped (length kept). */
function dropPayload(message: Record<string, unknown>): number | undefined {
  const holder = message.eventType === "playAudio" ? (message.media as Record<string, unknown> | undefined) : message;
  if (holder === undefined || holder === null || typeof holder !== "object" || typeof holder.payload !== "string") return undefined;
  const length = holder.payload.length;
  holder.payload = "";
  return length;
}

/** A media / playAudio message's fields that are not personal (a kept payload, the sequenceNumber), taken out of redaction. */
interface Untouched {
  readonly payload: string | undefined;
  readonly sequenceNumber: unknown;
}

/** Takes the untouched fields out (`sequenceNumber` looks like a number field to the redactor; base64 may hold "+1…" runs). */
function takeUntouched(message: Record<string, unknown>): Untouched {
  const holder = (message.eventType === "playAudio" ? message.media : message) as Record<string, unknown> | undefined;
  let payload: string | undefined;
  if (holder !== undefined && holder !== null && typeof holder === "object" && typeof holder.payload === "string" && holder.payload !== "") {
    payload = holder.payload;
    holder.payload = "";
  }
  const sequenceNumber = message.sequenceNumber;
  if (sequenceNumber !== undefined) message.sequenceNumber = 0;
  return { payload, sequenceNumber };
}

/** Puts the untouched fields back into `message`; its JSON. */
function restore(message: Record<string, unknown>, untouched: Untouched): string {
  if (untouched.payload !== undefined) ((message.eventType === "playAudio" ? message.media : message) as Record<string, unknown>).payload = untouched.payload;
  if (untouched.sequenceNumber !== undefined) message.sequenceNumber = untouched.sequenceNumber;
  return JSON.stringify(message);
}

function putUntouched(text: string, untouched: Untouched): string {
  return restore(JSON.parse(text) as Record<string, unknown>, untouched);
}

/**
 * Per redactor, the redacted text of a media / playAudio message with its untouched fields set aside: that
 * text repeats frame after frame (`{"eventType":"media","track":"inbound","sequenceNumber":0,"payload":""}`),
 * and a capture's redaction gives the same text for the same input, so it is redacted once (bounded).
 */
const setAside = new WeakMap<Redactor, Map<string, string>>();
const SET_ASIDE_MAX = 256;

function redactSetAside(redactor: Redactor, text: string): string {
  let known = setAside.get(redactor);
  if (known === undefined) {
    known = new Map();
    setAside.set(redactor, known);
  }
  let out = known.get(text);
  if (out === undefined) {
    out = redactor.body(text, "application/json").text;
    if (known.size < SET_ASIDE_MAX) known.set(text, out);
  }
  return out;
}

/** ISO 8601 of a time; the last one kept (a busy socket's records share their millisecond). */
let lastAt = Number.NaN;
let lastIso = "";
function isoOf(at: number): string {
  if (at !== lastAt) {
    lastIso = new Date(at).toISOString();
    lastAt = at;
  }
  return lastIso;
}

/** Transcript text (`transcript`, the items' `content`) replaced by keyed tags of the same kind. */
function maskTranscript(message: Record<string, unknown>, redactor: Redactor): void {
  if (typeof message.transcript === "string" && message.transcript !== "") message.transcript = `[redacted ${message.transcript.length} characters]`;
  if (Array.isArray(message.items)) {
    for (const item of message.items) {
      if (item !== null && typeof item === "object" && typeof (item as { content?: unknown }).content === "string") {
        (item as { content: string }).content = redactor.pseudonym((item as { content: string }).content);
      }
    }
  }
}

/**
 * One socket record as its NDJSON entry. `payloadLength`: the record's media payload, of that length, was
 * already taken out (`socket-ring.ts`, a message too large for the ring whole).
 */
export function socketEntryOf(record: CapturedSocketMessage & { readonly payloadLength?: number }, options: SocketEntryOptions): SocketCaptureEntry {
  const head = { v: 1 as const, socket: record.kind, connection: record.connection, at: isoOf(record.at), type: record.type };
  if (record.type === "open") return { ...head, url: maskQuery(record.url ?? ""), headers: maskProtocol(record.headers ?? {}) };
  if (record.type === "close") return { ...head, code: record.code, reason: record.reason ?? "", ...(record.by === undefined ? {} : { by: record.by }) };
  if (record.text === undefined) return { ...head, omitted: `a binary frame of ${record.binaryBytes ?? 0} bytes` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(record.text);
  } catch {
    parsed = undefined;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    const redactor = options.redactor;
    return redactor === undefined ? { ...head, message: maskCredentials(record.text) } : { ...head, message: redactor.body(record.text, "text/plain").text, omitted: "not a JSON object" };
  }
  const message = parsed as Record<string, unknown>;
  const event = typeof message.eventType === "string" ? message.eventType : undefined;
  let payloadLength: number | undefined;
  if (!options.keepMedia && (event === "media" || event === "playAudio")) payloadLength = record.payloadLength ?? dropPayload(message);
  let text: string;
  if (options.redactor !== undefined) {
    if (event === "transcription") maskTranscript(message, options.redactor);
    if (event === "media" || event === "playAudio") {
      const untouched = takeUntouched(message);
      const aside = JSON.stringify(message);
      const redacted = redactSetAside(options.redactor, aside);
      text = redacted === aside ? restore(message, untouched) : putUntouched(redacted, untouched);
    } else text = options.redactor.body(JSON.stringify(message), "application/json").text;
  } else text = maskCredentials(payloadLength === undefined ? record.text : JSON.stringify(message)); // unredacted, but never a credential
  return {
    ...head,
    message: text,
    ...(event === undefined ? {} : { event }),
    ...(payloadLength === undefined ? {} : { omitted: "media payload (keepMedia: false)", payloadLength }),
  };
}
