/**
 * The capture file format: NDJSON, one {@link CaptureEntry} per line (`"v": 1`), written by
 * `createCapture` (`bw-codegen/capture`) and read by `bw-codegen replay` / `fixtures` / `drift` and
 * `replayCapture` (`bw-codegen/testing`). Edge-safe: text in, entries out.
 */
import { BandwidthError } from "../errors.js";
import { isSocketEntry, type SocketCaptureEntry } from "./socket-entry.js";

/** The answer the receiver gave, as recorded (or as accepted by `replay --update`). */
export interface CapturedAnswer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

/** One recorded delivery (redacted unless the capture was told otherwise). */
export interface CaptureEntry {
  readonly v: 1;
  /** Arrival time, ISO 8601. */
  readonly at: string;
  readonly family: string;
  /** The event type(s) the receiver saw, when it got that far. */
  readonly event: string | undefined;
  readonly method: string;
  /** The request target (path and query) as received, query values redacted. */
  readonly url: string;
  /** The headers that matter (`content-type`, `user-agent`); never `authorization` or a signature. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as it arrived (text), redacted; `null` when it was not text (then `omitted` says why). */
  readonly body: string | null;
  readonly omitted?: string;
  readonly answer: CapturedAnswer;
  readonly latencyMs: number;
}

/** Why a parsed line is not a delivery entry (a capture file may come from anywhere), or undefined. */
function notAnEntry(value: unknown): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return "not an object";
  const e = value as Record<string, unknown>;
  if (e.v !== 1) return "not a capture entry (v 1)";
  for (const name of ["url", "family", "method"]) if (typeof e[name] !== "string") return `${name} is not a string`;
  if (e.event !== undefined && e.event !== null && typeof e.event !== "string") return "event is not a string";
  if (e.body !== undefined && e.body !== null && typeof e.body !== "string") return "body is not a string or null";
  const headers = e.headers;
  if (headers !== undefined && (headers === null || typeof headers !== "object" || Array.isArray(headers) || Object.values(headers).some((h) => typeof h !== "string"))) {
    return "headers is not an object of strings";
  }
  const answer = e.answer as Record<string, unknown> | null | undefined;
  if (answer === null || typeof answer !== "object" || typeof answer.status !== "number") return "answer.status is not a number";
  if (answer.body !== undefined && typeof answer.body !== "string") return "answer.body is not a string";
  if (answer.contentType !== undefined && answer.contentType !== null && typeof answer.contentType !== "string") return "answer.contentType is not a string";
  return undefined;
}

/**
 * Reads the deliveries of one capture file's text (blank lines skipped; a line that is not an entry throws,
 * naming its line number and what is wrong). A last line cut short (no newline, not JSON: the process
 * stopped while it was written) is skipped. Socket records (`"socket"`, written when the capture is also given to
 * `createStreamServer`) are not deliveries: they go to `sockets` when given, and are skipped otherwise.
 *
 * @example
 * const sockets: SocketCaptureEntry[] = [];
 * const entries = parseCapture(readFileSync("captures/capture-…-0001.ndjson", "utf8"), sockets);
 */
export function parseCapture(text: string, sockets?: SocketCaptureEntry[]): CaptureEntry[] {
  const entries: CaptureEntry[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (i === lines.length - 1) break; // cut short while being written (every entry ends with a newline)
      throw new BandwidthError("BW_INVALID_CAPTURE", `line ${i + 1}: not JSON`);
    }
    if (isSocketEntry(value)) {
      sockets?.push(value);
      continue;
    }
    const wrong = notAnEntry(value);
    if (wrong !== undefined) throw new BandwidthError("BW_INVALID_CAPTURE", `line ${i + 1}: ${wrong}`);
    const entry = value as CaptureEntry;
    // fields an older or hand-made entry may lack get their empty value
    entries.push({ ...entry, headers: entry.headers ?? {}, body: entry.body ?? null, answer: { ...entry.answer, body: entry.answer.body ?? "" } });
  }
  return entries;
}

/** One entry as one NDJSON line (with its newline). */
export function formatEntry(entry: CaptureEntry): string {
  return `${JSON.stringify(entry)}\n`;
}
