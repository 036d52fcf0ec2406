/**
 * The webhook core's settings, resolved once from its options: limits, strictness, the Basic-auth
 * verifier, the BXML check and the hooks with their logging defaults. Every request step reads them;
 * an unsafe configuration throws here, at construction, never per request.
 */

import { BandwidthConfigError } from "../errors.js";
import { createBasicAuth } from "../auth/basic.js";
import { createDeliveryGuard } from "../delivery/guard.js";
import type { DeliveryGuard } from "../delivery/guard.js";
import type { BasicAuthVerifier } from "../auth/basic.js";
import type { HandlerContext, WebhookLogger } from "./context.js";
import { createRuntimeLog } from "./log.js";
import type { RuntimeLog } from "./log.js";
import { unauthorizedResponse } from "./responses.js";
import type {
  AuthFailureInfo,
  BxmlCheckResult,
  CaptureSink,
  CoreResponse,
  InvalidEventReport,
  ResponseInfo,
  UnknownEventInfo,
  WebhookCoreOptions,
  WebhookErrorInfo,
} from "./types.js";

/** Default body limit: 1 MiB. */
export const DEFAULT_BODY_LIMIT: number = 1024 * 1024;
/** Default handler timeout: 14 s, one second under Bandwidth's default 15 s callback timeout. */
export const DEFAULT_TIMEOUT_MS: number = 14_000;
/**
 * Default cap on the events of one batch request (messaging): 100. Bandwidth documents no batch size;
 * real deliveries carry one event, a group MMS one per recipient number you own (outbound groups have at
 * most 10 recipients), so 100 leaves room without letting one request become thousands of handler calls.
 */
export const DEFAULT_MAX_BATCH_EVENTS: number = 100;
/**
 * Default cap on the XML elements of one request (numbers): 10 000. Above what the numbers body limit
 * (256 KiB) admits of real `<TelephoneNumber>` lists (about 45 bytes each), so only degenerate
 * documents (thousands of empty elements) reach it.
 */
export const DEFAULT_MAX_XML_ELEMENTS: number = 10_000;

/** What every request step of the core reads. */
export interface CoreSettings {
  readonly logger: WebhookLogger;
  /** Rate-limited and once-only lines over `logger`. */
  readonly log: RuntimeLog;
  /** `NODE_ENV !== "production"`: the once-per-event-type development warnings are on. */
  readonly development: boolean;
  readonly strict: boolean;
  readonly maxBatchEvents: number;
  readonly maxXmlElements: number;
  /** One object, not one per request. */
  readonly validateOptions: { strict: boolean };
  readonly bodyLimit: number;
  readonly timeoutMs: number;
  /** Whether returned BXML is checked (only when a validator is bound). */
  readonly validateBxml: boolean;
  /** Whether a BXML reply returned as a string is checked: always (production too), unless `validateBxml: false`. */
  readonly validateBxmlStrings: boolean;
  readonly bxmlValidator: ((xml: string, options?: { scope?: string }) => BxmlCheckResult) | undefined;
  readonly auth: BasicAuthVerifier | undefined;
  /** The 401 challenge, when authentication is on. */
  readonly unauthorized: CoreResponse | undefined;
  readonly onAuthFailure: (info: AuthFailureInfo) => void;
  /** `onInvalidEvent`, then the deprecated `onInvalid`; returns the first one's result. */
  readonly onInvalidEvent: (report: InvalidEventReport, event: unknown, context: HandlerContext) => unknown;
  readonly onResponse: ((info: ResponseInfo) => void) | undefined;
  /** The capture sink, when capture is on. */
  readonly capture: CaptureSink | undefined;
  readonly onUnknownEvent: (event: unknown, info: UnknownEventInfo, context: HandlerContext) => unknown;
  /** Calls `onError`; a throwing hook is logged, never propagated. */
  readonly reportError: (error: unknown, info: WebhookErrorInfo) => void;
  /** Dedupe and queue hand-off of async events (`undefined` when neither is configured: the fast path). */
  readonly guard: DeliveryGuard | undefined;
}

/** What `isProduction` looks at: Deno's permission API and a Node-like `process`, either may be absent. */
interface EnvGlobals {
  Deno?: { permissions?: { querySync?: (descriptor: { name: "env"; variable: string }) => { state: string } } };
  process?: { env?: Record<string, string | undefined> };
}

/**
 * Reads NODE_ENV where a `process` exists (Node, Bun, Deno), without requiring it and without needing a
 * permission: on Deno it is read only when env access to NODE_ENV is already granted (reading it without
 * `--allow-env` throws NotCapable, or prompts on a terminal), and any throwing `process.env` counts as
 * "not production". Workers have no `process` (without `nodejs_compat`): development mode there too, unless
 * `validateBxml` says otherwise.
 */
function isProduction(globals: EnvGlobals = globalThis as EnvGlobals): boolean {
  const query = globals.Deno?.permissions?.querySync;
  try {
    if (query !== undefined && query.call(globals.Deno!.permissions, { name: "env", variable: "NODE_ENV" }).state !== "granted") return false;
    return globals.process?.env?.NODE_ENV === "production";
  } catch {
    return false;
  }
}

/** Makes attacker-controlled strings safe to put in a log line. */
function printable(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
}

/** The verifier for the configured credentials; none (with a warning) only on explicit opt-out. */
function createAuth(options: WebhookCoreOptions, logger: WebhookLogger): BasicAuthVerifier | undefined {
  if (options.credentials !== undefined && options.credentials.length > 0) {
    return createBasicAuth({ credentials: options.credentials, realm: options.realm });
  }
  if (options.allowUnauthenticated === true) {
    logger.warn(
      "bw-codegen webhooks: running WITHOUT authentication (allowUnauthenticated: true). Anyone who can reach these URLs can send fake Bandwidth events; configure credentials before deploying.",
    );
    return undefined;
  }
  throw new BandwidthConfigError(
    "bw-codegen webhooks: credentials are required (the username/password configured on the Bandwidth application). To run without authentication, e.g. locally, pass allowUnauthenticated: true.",
  );
}

/** `onError`, wrapped so that a throwing hook is logged and goes no further. */
function createErrorReporter(options: WebhookCoreOptions, logger: WebhookLogger, log: RuntimeLog): (error: unknown, info: WebhookErrorInfo) => void {
  const onError =
    options.onError ??
    ((error: unknown, info: WebhookErrorInfo): void => {
      const what = info.eventType === undefined ? "event" : printable(info.eventType);
      log.limited("error", `error:${info.family}:${info.kind}`, `bw-codegen webhooks: ${info.kind} error for ${info.family} ${what}`, error);
    });
  return (error: unknown, info: WebhookErrorInfo): void => {
    try {
      onError(error, info);
    } catch (hookError) {
      try {
        logger.error("bw-codegen webhooks: the onError hook threw", hookError);
      } catch {
        // nothing left to tell
      }
    }
  };
}

/** The default logger: the console, without debug lines (Bandwidth's normal auth challenge is one). */
const CONSOLE_LOGGER: WebhookLogger = {
  info: (message, details) => (details === undefined ? console.info(message) : console.info(message, details)),
  warn: (message, details) => (details === undefined ? console.warn(message) : console.warn(message, details)),
  error: (message, details) => (details === undefined ? console.error(message) : console.error(message, details)),
};

/** A positive integer option, or its default. */
function countOption(value: number | undefined, fallback: number, name: string): number {
  const count = value ?? fallback;
  if (!Number.isSafeInteger(count) || count < 1) throw new BandwidthConfigError(`bw-codegen webhooks: ${name} must be a positive integer`);
  return count;
}

/** `onInvalidEvent` (default: nothing; the pipeline logs one summary line per request) and the deprecated `onInvalid`. */
function invalidEventHook(options: WebhookCoreOptions): CoreSettings["onInvalidEvent"] {
  const hook = options.onInvalidEvent;
  const legacy = options.onInvalid;
  if (legacy === undefined) return hook ?? ((): undefined => undefined);
  return (report, event, context) => {
    const result = hook === undefined ? undefined : hook(report, event, context);
    legacy(report, event);
    return result;
  };
}

/** Resolves the options into {@link CoreSettings}; throws on an unsafe configuration. */
export function resolveSettings(options: WebhookCoreOptions): CoreSettings {
  const logger: WebhookLogger = options.logger ?? CONSOLE_LOGGER;
  const log = createRuntimeLog(logger);
  const strict = options.strict === true;
  const bodyLimit = options.bodyLimit ?? DEFAULT_BODY_LIMIT;
  if (!Number.isSafeInteger(bodyLimit) || bodyLimit < 0) throw new BandwidthConfigError("bw-codegen webhooks: bodyLimit must be a non-negative integer");
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) throw new BandwidthConfigError("bw-codegen webhooks: timeoutMs must be a positive number");
  const bxmlValidator = options.bxmlValidator;
  const auth = createAuth(options, logger);
  return {
    logger,
    log,
    development: !isProduction(),
    strict,
    maxBatchEvents: countOption(options.maxBatchEvents, DEFAULT_MAX_BATCH_EVENTS, "maxBatchEvents"),
    maxXmlElements: countOption(options.maxXmlElements, DEFAULT_MAX_XML_ELEMENTS, "maxXmlElements"),
    validateOptions: Object.freeze({ strict }),
    bodyLimit,
    timeoutMs,
    validateBxml: (options.validateBxml ?? !isProduction()) && bxmlValidator !== undefined,
    validateBxmlStrings: options.validateBxml !== false && bxmlValidator !== undefined,
    bxmlValidator,
    auth,
    unauthorized: auth === undefined ? undefined : unauthorizedResponse(auth.challenge),
    onAuthFailure:
      options.onAuthFailure ??
      ((info: AuthFailureInfo): void => {
        if (info.reason === "missing") logger.debug?.(`bw-codegen webhooks: challenged a request without credentials on ${info.path}`);
        else log.limited("warn", "auth", `bw-codegen webhooks: refused a request on ${info.path}: ${info.reason} credentials`);
      }),
    onInvalidEvent: invalidEventHook(options),
    onResponse: options.onResponse,
    capture: options.capture,
    onUnknownEvent:
      options.onUnknownEvent ??
      ((_event: unknown, info: UnknownEventInfo): void => {
        const what = info.known ? "has no handler" : "is not a known event type";
        log.limited("warn", `unknown:${info.family}`, `bw-codegen webhooks: ${info.family} event ${printable(info.eventType)} ${what}; acknowledged`);
      }),
    reportError: createErrorReporter(options, logger, log),
    guard: createDeliveryGuard({ dedupe: options.dedupe, queue: options.queue, timeoutMs, debug: (message: string) => logger.debug?.(message), warn: (message: string) => logger.warn(message) }),
  };
}
