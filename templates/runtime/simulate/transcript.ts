// Formats a call trace for people (a transcript: what the caller hears and presses, each callback and
// its answer, problems, how the call ended; ANSI colours only when asked) and for tools (JSON lines:
// one object per trace entry, then a summary line).

import { formatMeasures } from "./measures.js";
import type { CallTrace, TraceEntry } from "./trace.js";

export interface TranscriptOptions {
  /** Use ANSI colours (the CLI turns them on for a TTY without NO_COLOR). */
  readonly color?: boolean;
}

const CODES = { dim: "2", bold: "1", red: "31", green: "32", yellow: "33", blue: "34", magenta: "35", cyan: "36" } as const;
type Colour = keyof typeof CODES;

const AUTH_TEXT: Readonly<Record<string, string>> = {
  none: "no auth",
  challenged: "401 challenge → credentials",
  "no-challenge-header": "401 without WWW-Authenticate",
  "not-basic": "401, not a Basic challenge",
  rejected: "credentials refused",
  unprotected: "accepted without credentials",
  "no-answer": "no answer",
};

/** What a Voice API request did, in words. */
const API_TEXT: Readonly<Record<string, string>> = {
  token: "OAuth2 token",
  hangup: "hang up the call",
  redirect: "redirect the call",
  bxml: "replace the running BXML",
  refused: "refused",
};

/** Password attributes in an answer's BXML (`password`, `fallbackPassword`, `destinationPassword`, any case). */
const SECRET_ATTRIBUTE = /(\s(?:password|fallbackPassword|destinationPassword)\s*=\s*)("[^"]*"|'[^']*')/gi;

/**
 * An answer body with the value of every password attribute replaced by `***`: the transcript and the
 * JSON lines echo the receiver's BXML, and a verb's credentials are written in it.
 *
 * @example
 * redactBxmlSecrets('<Gather username="bw" password="s3cret"/>'); // '<Gather username="bw" password="***"/>'
 */
export function redactBxmlSecrets(body: string): string {
  return body.replace(SECRET_ATTRIBUTE, (_whole, name: string, value: string) => `${name}${value[0]}***${value[0]}`);
}

/** A `token` query parameter's value in a URL (the transcription socket's signed token: `?token=v1.…`). */
const URL_TOKEN = /([?&]token=)[^&"'\s<>\\]+/g;

/**
 * A transcript or JSON line with every URL `token` parameter's value replaced by `***`: a
 * `<StartTranscription>` destination carries a signed token that opens that call's transcription socket
 * until it expires, and the transcript shows the destination three times (the answer, the verb, the socket).
 *
 * @example
 * redactUrlTokens('destination="wss://bot.example.com/sockets/transcription?token=v1.abc.123.mac"'); // '…?token=***"'
 */
export function redactUrlTokens(text: string): string {
  return text.includes("token=") ? text.replace(URL_TOKEN, "$1***") : text;
}

/** Who is on a leg, for the transcript. */
const who = (leg: string): string => (leg === "A" ? "caller" : leg === "B" ? "callee" : leg === "conference" ? "conference" : "bridged call");

function attributes(attrs: Readonly<Record<string, unknown>>): string {
  const parts = Object.entries(attrs)
    .filter(([name, value]) => value !== undefined && name !== "password" && name !== "fallbackPassword")
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return parts.length === 0 ? "" : ` ${parts.join(" ")}`;
}

/** One entry as one or more transcript lines (without the time column). */
function describe(entry: TraceEntry, paint: (c: Colour, s: string) => string): string {
  switch (entry.kind) {
    case "request": {
      const status = entry.status === 0 ? paint("red", "no answer") : paint(entry.delivered ? "green" : "red", String(entry.status));
      const body = entry.body.trim() === "" ? "" : `\n${redactBxmlSecrets(entry.body).trim().split("\n").map((l) => `           ${paint("dim", l)}`).join("\n")}`;
      const fallback = entry.via === "fallback" ? " (fallback)" : entry.retry === true ? " (retry)" : "";
      // "no answer" is said once: by the status column
      const auth = entry.auth === "no-answer" ? "" : `${AUTH_TEXT[entry.auth] ?? entry.auth}  `;
      const error = entry.error !== undefined ? `\n           ${paint("red", entry.error)}` : "";
      return `${paint("cyan", `→ ${entry.event}`)}${fallback} ${entry.method} ${entry.url}  ${auth}${status}  ${entry.latencyMs} ms${error}${body}`;
    }
    case "verb":
      return `${paint("bold", `[${entry.step}] <${entry.verb}>`)}${paint("dim", attributes(entry.attributes))}${entry.leg === "A" ? "" : ` (${entry.leg}-leg)`}${entry.detail !== undefined ? paint("yellow", `  ${entry.detail}`) : ""}`;
    case "said":
      return `    ${paint("magenta", `${who(entry.leg)} hears:`)} "${entry.text}"`;
    case "played":
      return `    ${paint("magenta", `${who(entry.leg)} hears audio:`)} ${entry.text}`;
    case "pressed":
      return `    ${paint("blue", entry.text === "" ? `${who(entry.leg)} presses nothing (timeout)` : `${who(entry.leg)} presses: ${entry.text}`)}`;
    case "note":
      return `    ${paint("dim", entry.text)}`;
    case "problem":
      return `${paint("red", `✗ ${entry.code}:`)} ${entry.message}${
        entry.errors !== undefined && entry.errors.length > 1 ? entry.errors.slice(1).map((e) => `\n           ${e.path}: ${e.message}`).join("") : ""
      }`;
    case "warning":
      return `${paint("yellow", `⚠ ${entry.code}:`)} ${entry.message}`;
    case "end":
      return paint("bold", `call ended: ${entry.cause} (${entry.reason})`);
    case "api": {
      const did = API_TEXT[entry.action] ?? entry.action;
      const body = entry.body === undefined ? "" : `\n           ${paint("dim", typeof entry.body === "string" ? redactBxmlSecrets(entry.body).trim().replace(/\n\s*/g, " ") : JSON.stringify(entry.body))}`;
      const error = entry.error !== undefined ? `: ${entry.error}` : "";
      return `${paint("magenta", `⇐ Voice API ${entry.method} ${entry.path}`)}  ${paint(entry.status < 300 ? "green" : "red", String(entry.status))}  ${did}${error}${body}`;
    }
    case "socket":
      return `    ${paint("cyan", `${entry.socket === "stream" ? "⇄" : "✎"} ${entry.message}`)} ${entry.text}`;
  }
}

/**
 * The readable transcript, times relative to the start of the call.
 *
 * @example
 * const trace = await simulateCall(webhooks.fetch, { digits: ["1"] });
 * process.stdout.write(formatTranscript(trace)); // "+0.00s  → initiate POST …", ending "OK: the flow ran to the end (…)"
 */
export function formatTranscript(trace: CallTrace, options: TranscriptOptions = {}): string {
  const paint = (c: Colour, s: string): string => (options.color === true ? `\u001b[${CODES[c]}m${s}\u001b[0m` : s);
  const start = trace.entries.length > 0 ? Date.parse(trace.entries[0].at) : 0;
  const lines = [`Simulated ${trace.direction} call ${trace.callId} from ${trace.from} to ${trace.to}`, ""];
  for (const entry of trace.entries) {
    const offset = `+${((Date.parse(entry.at) - start) / 1000).toFixed(2)}s`.padStart(9);
    lines.push(`${paint("dim", offset)}  ${redactUrlTokens(describe(entry, paint))}`);
  }
  const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? "" : "s"}`;
  const warnings = trace.warnings.length > 0 ? `, ${count(trace.warnings.length, "warning")}` : "";
  const api = trace.api.length > 0 ? `, ${count(trace.api.length, "Voice API request")}` : "";
  const summary = `${count(trace.requests.length, "callback")}, ${count(trace.verbs.length, "verb")}${api}, ${count(trace.problems.length, "problem")}${warnings}`;
  if (trace.measures !== undefined) lines.push("", ...formatMeasures(trace.measures, start));
  lines.push("", trace.ok ? paint("green", `OK: the flow ran to the end (${summary})`) : paint("red", `FAILED: the receiver misbehaved (${summary})`));
  return `${lines.join("\n")}\n`;
}

/**
 * JSON lines: each entry, then `{ "kind": "summary", ok, cause, callId, said, pressed, problems }`.
 *
 * @example
 * const lines = formatJsonLines(await simulateCall(webhooks.fetch)).trim().split("\n").map((l) => JSON.parse(l));
 * lines.at(-1).kind; // "summary"
 */
export function formatJsonLines(trace: CallTrace): string {
  const lines = trace.entries.map((entry) => redactUrlTokens(JSON.stringify(entry.kind === "request" ? { ...entry, body: redactBxmlSecrets(entry.body) } : entry)));
  lines.push(
    JSON.stringify({ kind: "summary", ok: trace.ok, cause: trace.cause, callId: trace.callId, callbacks: trace.requests.length, verbs: trace.verbs.length, said: trace.said, pressed: trace.pressed, problems: trace.problems.length, warnings: trace.warnings.length, voiceApiRequests: trace.api.length, ...(trace.measures !== undefined ? { measures: trace.measures } : {}) }),
  );
  return `${lines.join("\n")}\n`;
}
