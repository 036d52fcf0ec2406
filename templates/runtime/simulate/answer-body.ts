// Reads a receiver's answer body under a byte limit (the simulator and `deliverEvent` read bodies
// written by someone else: an endless or huge answer must not fill the memory). The read is cancelled
// as soon as the limit is passed. Edge-safe: only Web streams and `TextDecoder`.
import { BandwidthError } from "../errors.js";

/** The default limit on an answer body: 1 MiB (ours; Bandwidth publishes no BXML size limit). */
export const DEFAULT_MAX_ANSWER_BYTES: number = 1_048_576;

/**
 * The receiver's answer was longer than the limit; the rest was not read.
 *
 * @example
 * try {
 *   await deliverEvent({ url: "http://127.0.0.1:3000/callbacks/voice", body: event, maxAnswerBytes: 65_536 });
 * } catch (error) {
 *   if (error instanceof AnswerTooLargeError) console.error(`answer over ${error.limit} bytes (status ${error.status})`);
 * }
 */
export class AnswerTooLargeError extends BandwidthError {
  /** The limit in bytes. */
  readonly limit: number;
  /** The HTTP status of the answer. */
  readonly status: number;
  constructor(limit: number, status: number) {
    super("BW_ANSWER_TOO_LARGE", `the receiver's answer exceeded ${limit} bytes (the rest was not read)`);
    this.name = "AnswerTooLargeError";
    this.limit = limit;
    this.status = status;
  }
}

const encoder = new TextEncoder();

/** One stream chunk as bytes, whatever its type (a hand-made stream may yield strings or buffers). */
function chunkBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return encoder.encode(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  throw new BandwidthError("BW_ANSWER_UNREADABLE", "the answer body stream yielded a chunk that is not bytes");
}

/**
 * The answer body as text (UTF-8, a leading BOM dropped, as `Response.text()`), read up to `limit` bytes.
 *
 * @throws {AnswerTooLargeError} past the limit (the stream is cancelled).
 * @example
 * const text = await readAnswerText(await fetch(url), 1_048_576);
 */
export async function readAnswerText(response: Response, limit: number): Promise<string> {
  const stream = response.body;
  if (stream === null) return "";
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const bytes = chunkBytes(value);
    size += bytes.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      throw new AnswerTooLargeError(limit, response.status);
    }
    text += decoder.decode(bytes, { stream: true });
  }
  return text + decoder.decode();
}
