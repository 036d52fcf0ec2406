/**
 * The runtime's one error design: every error it throws (or hands to `onError`, or uses as an abort
 * reason) is a {@link BandwidthError} with a stable string `code` from {@link ERROR_CODES} (documented in
 * docs/errors.md; a test keeps the two in step) and, when it wraps another error, a `cause`. Branch on
 * `error.code` (or `instanceof` one of the subclasses), never on the message: messages may be reworded.
 *
 * Subclasses exist where users branch on them: {@link BandwidthConfigError} here; `WebhookTimeoutError`,
 * `BxmlValidationError`, `InvalidReplyError`, `BxmlRenderError`, `XmlParseError`, `XmlCharacterError`,
 * `ScriptError` and `HandshakeError` next to the code that throws them.
 */

/**
 * Every code a {@link BandwidthError} can carry, with what it means (the table of docs/errors.md).
 *
 * @example
 * onError: (error) => {
 *   if (isBandwidthError(error)) metrics.increment("bw_error", { code: error.code, meaning: ERROR_CODES[error.code] });
 * },
 */
export const ERROR_CODES: Readonly<Record<BandwidthErrorCode, string>> = Object.freeze({
  BW_INVALID_OPTION: "an option or argument is invalid (thrown at construction or at the call, never per request)",
  BW_HANDLER_TIMEOUT: "a webhook handler did not finish within timeoutMs (its answer was a 500)",
  BW_INVALID_BXML: "a handler returned BXML that fails validation (development mode)",
  BW_INVALID_REPLY: "a handler returned a reply its event cannot send (not BXML, an invalid JSON or port-out answer)",
  BW_BXML_RENDER: "a BXML document breaks a BXML rule or Bandwidth's size limit and cannot be rendered",
  BW_XML_CHARACTER: "a value holds a character XML 1.0 cannot carry",
  BW_MALFORMED_XML: "an XML document is not well-formed, not UTF-8 or over its size limit",
  BW_INVALID_NOTIFICATION: "a numbers XML document is not a notification the family knows (wrong or mismatched root element)",
  BW_STORE_UNAVAILABLE: "the dedupe store or the queue could not take an event (answered 503)",
  BW_RUNTIME_UNSUPPORTED: "the JavaScript runtime lacks an API the code needs (Web Crypto)",
  BW_INVALID_SCRIPT: "a call simulator script is invalid",
  BW_NO_ANSWER: "the server did not answer a delivery in time (testing helper, call simulator)",
  BW_HANDSHAKE_FAILED: "the server did not answer an unauthenticated delivery with Bandwidth's 401 Basic challenge",
  BW_ANSWER_TOO_LARGE: "the server's answer was longer than maxAnswerBytes (testing helper, call simulator); the rest was not read",
  BW_ANSWER_UNREADABLE: "the server's answer body could not be read: its stream failed or yielded something that is not bytes (testing helper, call simulator)",
  BW_DEDUPE_STORE_FULL: "the memory dedupe store holds maxEntries keys inside their windows: a new event is refused (answered 503) rather than a handled one forgotten",
});

/** The stable codes of {@link BandwidthError}; see {@link ERROR_CODES}. */
export type BandwidthErrorCode =
  | "BW_INVALID_OPTION"
  | "BW_HANDLER_TIMEOUT"
  | "BW_INVALID_BXML"
  | "BW_INVALID_REPLY"
  | "BW_BXML_RENDER"
  | "BW_XML_CHARACTER"
  | "BW_MALFORMED_XML"
  | "BW_INVALID_NOTIFICATION"
  | "BW_STORE_UNAVAILABLE"
  | "BW_RUNTIME_UNSUPPORTED"
  | "BW_INVALID_SCRIPT"
  | "BW_NO_ANSWER"
  | "BW_HANDSHAKE_FAILED"
  | "BW_ANSWER_TOO_LARGE"
  | "BW_ANSWER_UNREADABLE"
  | "BW_DEDUPE_STORE_FULL";

/** Options of {@link BandwidthError}: the error it wraps. */
export interface BandwidthErrorOptions {
  readonly cause?: unknown;
}

/**
 * The base of every error the runtime throws.
 *
 * @example
 * try { createBandwidthWebhooks({ voice: {} }); }
 * catch (error) { if (error instanceof BandwidthError && error.code === "BW_INVALID_OPTION") console.error(error.message); }
 */
export class BandwidthError extends Error {
  /** Stable, documented in docs/errors.md; safe to branch on. */
  readonly code: BandwidthErrorCode;
  constructor(code: BandwidthErrorCode, message: string, options?: BandwidthErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BandwidthError";
    this.code = code;
  }
}

/**
 * An invalid option or argument (code `BW_INVALID_OPTION`): thrown where the configuration is read
 * (`createBandwidthWebhooks`, `createWebhookCore`, stores, verifiers, helpers), never per request. The
 * message names the option, never a secret's value.
 *
 * @example
 * try {
 *   createBandwidthWebhooks({ voice: {}, credentials: [] });
 * } catch (error) {
 *   if (error instanceof BandwidthConfigError) console.error(`bad configuration: ${error.message}`);
 * }
 */
export class BandwidthConfigError extends BandwidthError {
  constructor(message: string, options?: BandwidthErrorOptions) {
    super("BW_INVALID_OPTION", message, options);
    this.name = "BandwidthConfigError";
  }
}

/**
 * Whether `value` is a {@link BandwidthError} with `code` (works across copies of the package).
 *
 * @example
 * onError: (error, info) => {
 *   if (isBandwidthError(error, "BW_HANDLER_TIMEOUT")) console.warn(`${info.eventType} took too long`);
 * },
 */
export function isBandwidthError(value: unknown, code?: BandwidthErrorCode): value is BandwidthError {
  if (value === null || typeof value !== "object" || !(value instanceof Error)) return false;
  const own = (value as { code?: unknown }).code;
  if (typeof own !== "string" || !Object.hasOwn(ERROR_CODES, own)) return false;
  return code === undefined || own === code;
}
