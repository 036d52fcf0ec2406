/**
 * The logger the runtime writes to (the webhook core, the queue worker, the intake forwarder): a subset
 * of `console`, so `console`, pino and most loggers fit as they are. Its own module, so the queue back
 * end and the HTTP side share the type without one importing the other.
 */

/** Minimal logger interface (console-compatible). Nothing the runtime logs contains a secret. */
export interface WebhookLogger {
  debug?(message: string, details?: unknown): void;
  info?(message: string, details?: unknown): void;
  warn(message: string, details?: unknown): void;
  error(message: string, details?: unknown): void;
}
