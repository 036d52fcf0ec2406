/**
 * Captured sockets as replayable sessions (`replayCapture`, `bw-codegen replay` / `fixtures`): the socket
 * records of a capture grouped per connection (a new `open` starts a new session, so captures read one after
 * the other never merge), the inbound frames rebuilt from the records (a dropped media payload becomes μ-law
 * silence of the recorded base64 length, so the server reads valid frames), and the structural comparison of
 * what the server sent with what it sent when recorded: the outbound messages' event types in order (a
 * `playAudio`'s content type too, never the audio bytes), and the close code; never the timing. A difference
 * names the message: `out[1]` (the server's second message), `in` (frames the server no longer read),
 * `close`. Edge-safe: text in, data out.
 */

import { bytesToBase64 } from "../audio/base64.js";
import type { SocketKind } from "../sockets/types.js";
import type { AnswerDifference } from "./compare.js";
import type { SocketCaptureEntry } from "./socket-entry.js";

/** One captured socket: its opening, the messages both ways in order, and its close (when captured). */
export interface SocketSession {
  readonly kind: SocketKind;
  /** The connection number in the capture. */
  readonly connection: number;
  /** The `open` record (undefined when the capture holds this socket's later records only). */
  readonly open: SocketCaptureEntry | undefined;
  /** The `in` and `out` records, in the order they happened. */
  readonly messages: readonly SocketCaptureEntry[];
  readonly close: SocketCaptureEntry | undefined;
}

/** What a socket did, as compared: the server's messages (their shape) and how the socket closed. */
export interface SocketTranscript {
  /** Each message the server sent, as `eventType` (a `playAudio` as `playAudio audio/PCMU`, its content type). */
  readonly out: readonly string[];
  /** The inbound messages the server read (replay: sent before it closed). */
  readonly in: number;
  /** The close code (undefined: the capture has no close record). */
  readonly close: number | undefined;
  /** Which side closed the socket: `bandwidth` (the peer; in a replay, the replay) or `receiver` (the server); undefined when not known (a capture written before it was recorded). */
  readonly closedBy?: "bandwidth" | "receiver";
}

/**
 * The socket records of a capture (in file order), grouped into sessions in the order they opened.
 *
 * @example
 * const sockets: SocketCaptureEntry[] = [];
 * parseCapture(text, sockets);
 * socketSessions(sockets).map((s) => `${s.kind}#${s.connection}: ${s.messages.length} messages`);
 */
export function socketSessions(entries: readonly SocketCaptureEntry[]): SocketSession[] {
  const sessions: { kind: SocketKind; connection: number; open: SocketCaptureEntry | undefined; messages: SocketCaptureEntry[]; close: SocketCaptureEntry | undefined }[] = [];
  const current = new Map<string, (typeof sessions)[number]>();
  for (const entry of entries) {
    const key = `${entry.socket}:${entry.connection}`;
    let session = current.get(key);
    if (entry.type === "open" || session === undefined || session.close !== undefined) {
      session = { kind: entry.socket, connection: entry.connection, open: entry.type === "open" ? entry : undefined, messages: [], close: undefined };
      sessions.push(session);
      current.set(key, session);
      if (entry.type === "open") continue;
    }
    if (entry.type === "close") session.close = entry;
    else if (entry.type === "in" || entry.type === "out") session.messages.push(entry);
  }
  return sessions;
}

/**
 * μ-law silence (0xFF bytes) as base64 of `length` characters: the fewest bytes whose base64 is that long
 * (a 160-byte 20 ms frame is 216 characters, so it comes back as 160 bytes).
 */
export function silencePayload(length: number): string {
  if (!Number.isSafeInteger(length) || length <= 0) return "";
  let payload = silences.get(length);
  if (payload === undefined) {
    payload = bytesToBase64(new Uint8Array(Math.min(Math.ceil(length / 4) * 3 - 2, 1 << 20)).fill(0xff));
    if (silences.size < 64) silences.set(length, payload); // a capture has a few frame sizes
  }
  return payload;
}

const silences = new Map<number, string>();

/** The frame to send for one captured inbound message: its text (a dropped media payload filled with silence), or bytes for a binary frame. */
export function inboundFrame(entry: SocketCaptureEntry): string | Uint8Array {
  if (entry.message === undefined) {
    const bytes = /a binary frame of (\d+) bytes/.exec(entry.omitted ?? "");
    return new Uint8Array(Math.min(Number(bytes?.[1] ?? 0), 1 << 20));
  }
  if (entry.payloadLength === undefined) return entry.message;
  try {
    const message = JSON.parse(entry.message) as Record<string, unknown>;
    const holder = (message.eventType === "playAudio" ? message.media : message) as Record<string, unknown> | undefined;
    if (holder !== null && typeof holder === "object" && holder.payload === "") holder.payload = silencePayload(entry.payloadLength);
    return JSON.stringify(message);
  } catch {
    return entry.message;
  }
}

/** The compared shape of one server message: its `eventType` (and a `playAudio`'s content type), or its text when it is not a JSON object. */
export function outboundShape(text: string): string {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return `(text) ${text.slice(0, 60)}`;
  }
  if (message === null || typeof message !== "object" || Array.isArray(message)) return `(text) ${text.slice(0, 60)}`;
  const { eventType, media } = message as { eventType?: unknown; media?: { contentType?: unknown } };
  const type = typeof eventType === "string" ? eventType : "(no eventType)";
  if (type === "playAudio" && media !== null && typeof media === "object" && typeof media.contentType === "string") return `playAudio ${media.contentType}`;
  return type;
}

/** The recorded transcript of a session. */
export function recordedTranscript(session: SocketSession): SocketTranscript {
  return {
    out: session.messages.filter((m) => m.type === "out").map((m) => outboundShape(m.message ?? "")),
    in: session.messages.filter((m) => m.type === "in").length,
    close: session.close?.code,
    ...(session.close?.by === "receiver" || session.close?.by === "bandwidth" ? { closedBy: session.close.by } : {}),
  };
}

/** How a socket closed, as a difference says it: the code, and the side when that is what differs. */
function closeText(transcript: SocketTranscript, withSide: boolean): string {
  if (transcript.close === undefined) return "open";
  return withSide ? `${transcript.close} by ${transcript.closedBy === "receiver" ? "the receiver" : "bandwidth"}` : String(transcript.close);
}

/**
 * The differences between a recorded socket and its replay (empty: the same): `out[i]` per server message
 * (event type, a playAudio's content type), `in` when the server closed before reading all the recorded
 * messages, `close` for the code, or for the side that closed it when both are known and differ
 * (`1000 by the receiver` / `1000 by bandwidth`).
 *
 * @example
 * compareSockets({ out: ["playAudio audio/PCMU", "clear"], in: 4, close: 1000 }, { out: ["playAudio audio/PCMU", "playAudio audio/PCMU"], in: 4, close: 1000 });
 * // [{ path: "out[1]", recorded: "clear", actual: "playAudio audio/PCMU" }]
 */
export function compareSockets(recorded: SocketTranscript, actual: SocketTranscript): AnswerDifference[] {
  const out: AnswerDifference[] = [];
  for (let i = 0; i < Math.max(recorded.out.length, actual.out.length); i++) {
    if (recorded.out[i] !== actual.out[i]) out.push({ path: `out[${i}]`, recorded: recorded.out[i], actual: actual.out[i] });
  }
  // fewer: the server closed the socket earlier than when recorded (more cannot be told from a close racing a send)
  if (actual.in < recorded.in) out.push({ path: "in", recorded: `${recorded.in} messages read`, actual: `${actual.in} sent before the socket closed` });
  // the side that closed, when both are known: a bot that hung up no longer does (or now hangs up on Bandwidth)
  const side = recorded.closedBy !== undefined && actual.closedBy !== undefined && recorded.closedBy !== actual.closedBy;
  if ((recorded.close !== undefined && recorded.close !== actual.close) || side) out.push({ path: "close", recorded: closeText(recorded, side), actual: closeText(actual, side) });
  return out;
}
