/**
 * Logging that one request cannot amplify: a rate limit per kind of warning (a flood of bad requests
 * gives a few lines and a count of the rest), one-time notices, the one summary line per request for
 * events failing their schema, and the per-answer bookkeeping (`RequestNote`, log level by status,
 * `onResponse`). Nothing logged contains a header, a secret or a whole payload.
 */

import type { WebhookLogger } from "./context.js";
import type { CoreResponse, InvalidEventReport, ResponseInfo } from "./types.js";

/** Lines of one kind allowed per window; the rest are counted and the count is told with the next line. */
export const LOG_LINES_PER_WINDOW = 10;
/** The rate-limit window: one minute. */
export const LOG_WINDOW_MS = 60_000;

type Level = "debug" | "info" | "warn" | "error";

/** A logger whose per-kind lines are rate-limited, plus once-only notices. */
export interface RuntimeLog {
  /** Logs `message` (and `details`) at `level` unless lines of this `kind` exceeded their budget in the current window. */
  limited(level: Level, kind: string, message: string, details?: unknown): void;
  /** Logs `message` the first time `key` is seen (per webhook core), never again. */
  once(level: Level, key: string, message: string): void;
}

interface Budget {
  start: number;
  used: number;
  suppressed: number;
}

/** Builds the {@link RuntimeLog} over a logger (no timers: a window is renewed by the next line). */
export function createRuntimeLog(logger: WebhookLogger, now: () => number = Date.now): RuntimeLog {
  const budgets = new Map<string, Budget>();
  const seen = new Set<string>();
  const write = (level: Level, message: string, details?: unknown): void => {
    try {
      const method = logger[level];
      if (method === undefined) return;
      if (details === undefined) method.call(logger, message);
      else method.call(logger, message, details);
    } catch {
      // a logger that throws must not break a delivery
    }
  };
  return {
    limited(level, kind, message, details) {
      const time = now();
      let budget = budgets.get(kind);
      if (budget === undefined || time - budget.start >= LOG_WINDOW_MS) {
        const suppressed = budget?.suppressed ?? 0;
        if (budget === undefined && budgets.size >= 256) budgets.clear(); // kinds are few; never grow unbounded
        budget = { start: time, used: 0, suppressed: 0 };
        budgets.set(kind, budget);
        if (suppressed > 0) message += ` (${suppressed} similar lines suppressed in the previous minute)`;
      }
      if (budget.used >= LOG_LINES_PER_WINDOW) {
        budget.suppressed++;
        return;
      }
      budget.used++;
      if (budget.used === LOG_LINES_PER_WINDOW) message += " (further lines like this are suppressed for a minute)";
      write(level, message, details);
    },
    once(level, key, message) {
      if (seen.has(key)) return;
      seen.add(key);
      write(level, message);
    },
  };
}

/** What the pipeline learns about one request, for its summary line and `onResponse`. */
export interface RequestNote {
  readonly started: number;
  eventType: string | undefined;
  /** Events in the request (a batch's length). */
  events: number;
  /** Events failing their schema (lenient mode), in order. */
  reports: InvalidEventReport[] | undefined;
}

export function newNote(started: number): RequestNote {
  return { started, eventType: undefined, events: 1, reports: undefined };
}

/** How many summary paths a line shows. */
const SUMMARY_PATHS = 3;

/**
 * The one line for a request's events that failed their schema: counts per outcome and the first few
 * paths, e.g. `messaging request on /callbacks/messaging: 2 of 3 events invalid (not dispatched), 1
 * dispatched as drift; first issues at /0/time, /0/message, /2/to`.
 */
export function invalidSummary(family: string, path: string, total: number, reports: readonly InvalidEventReport[]): string {
  let invalid = 0;
  const paths: string[] = [];
  for (const report of reports) {
    if (!report.dispatched) invalid++;
    for (const issue of report.errors) {
      if (paths.length >= SUMMARY_PATHS) break;
      paths.push(JSON.stringify(`${report.index === undefined ? "" : `/${report.index}`}${issue.path}`.slice(0, 80)));
    }
  }
  const drift = reports.length - invalid;
  const counts = [
    ...(invalid > 0 ? [`${invalid} invalid (not dispatched: a field the types promise is missing or mistyped)`] : []),
    ...(drift > 0 ? [`${drift} dispatched as drift (only values differ from the schema)`] : []),
  ];
  return `bw-codegen webhooks: ${family} request on ${path}: of ${total} event${total === 1 ? "" : "s"}, ${counts.join(", ")}; first issues at ${paths.join(", ")}; details go to onInvalidEvent`;
}

/** The log level and line for an answer that is not a normal delivery (`undefined` = nothing to log). */
export function answerLine(family: string, path: string, response: CoreResponse): [Level, string] | undefined {
  const status = response.status;
  // 401: onAuthFailure tells; 403: the pipeline logs the signature failure with its reason; 500: onError
  if (status < 400 || status === 401 || status === 403 || status >= 500) return undefined;
  let reason = "";
  if (response.body.startsWith('{"error":"')) {
    const end = response.body.indexOf('"', 10);
    if (end > 10) reason = ` ${response.body.slice(10, end)}`;
  }
  const level: Level = status === 404 || status === 405 ? "info" : "warn";
  return [level, `bw-codegen webhooks: answered ${status}${reason} on ${path} (${family})`];
}

/** Calls `onResponse`; a throwing hook is logged (rate-limited), never propagated. */
export function callOnResponse(hook: ((info: ResponseInfo) => void) | undefined, log: RuntimeLog, info: ResponseInfo): void {
  if (hook === undefined) return;
  try {
    hook(info);
  } catch {
    log.limited("warn", "onResponse", "bw-codegen webhooks: the onResponse hook threw");
  }
}
