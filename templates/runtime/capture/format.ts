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

/**
 * Reads the deliveries of one capture file's text (blank lines skipped; a line that is not an entry throws,
 * naming its line number). Socket records (`"socket"`, written when the capture is also given to
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
      throw new BandwidthError("BW_INVALID_CAPTURE", `line ${i + 1}: not JSON`);
    }
    if (isSocketEntry(value)) {
      sockets?.push(value);
      continue;
    }
    const entry = value as Partial<CaptureEntry>;
    if (entry === null || typeof entry !== "object" || entry.v !== 1 || typeof entry.url !== "string" || typeof entry.answer?.status !== "number") {
      throw new BandwidthError("BW_INVALID_CAPTURE", `line ${i + 1}: not a capture entry (v 1, url, answer.status)`);
    }
    entries.push(value as CaptureEntry);
  }
  return entries;
}

/** One entry as one NDJSON line (with its newline). */
export function formatEntry(entry: CaptureEntry): string {
  return `${JSON.stringify(entry)}\n`;
}
