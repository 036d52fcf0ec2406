/**
 * Replays a capture (`bw-codegen replay`, `replayCapture` of `bw-codegen/testing`): re-delivers every recorded
 * request in order, with Bandwidth's auth challenge when credentials are given (`deliverEvent`), and compares
 * each answer with the recorded one (`compare.ts`); the captured sockets (`socket-replay.ts`: over `ws`,
 * loaded only when a capture holds sockets and the target is a URL, or in process against a stream server)
 * interleaved with them in recorded order (`timeline`): a stream opens after the answer that started it, its
 * messages go while the call's deliveries go on, sockets open together where they were, and a delivery
 * that arrived before the one ahead of it was answered is sent without waiting for that answer. Reports
 * keep the capture's order whatever finished first. Deliveries: edge-safe, `fetch` only.
 */

import { BandwidthError } from "../errors.js";
import { DEFAULT_MAX_ANSWER_BYTES, readAnswerText } from "../simulate/answer-body.js";
import { basicAuthorization, deliverEvent } from "../testing/index.js";
import type { FetchLike } from "../testing/index.js";
import { compareAnswers } from "./compare.js";
import { replayTarget } from "./replay-target.js";
import type { AnswerDifference } from "./compare.js";
import { parseCapture } from "./format.js";
import type { CapturedAnswer, CaptureEntry } from "./format.js";
import { isSocketEntry, type SocketCaptureEntry } from "./socket-entry.js";
import { startSocketReplay, type SocketReplayOptions, type SocketReplayResult, type SocketReplayRun } from "./socket-replay.js";
import { recordedTranscript, socketSessions, type SocketSession } from "./socket-sessions.js";

/** Where to replay: a base URL (`http://127.0.0.1:3000`), a Fetch handler (`webhooks.fetch`), or `{ fetch }`. */
export type ReplayTarget = string | URL | ((request: Request) => Response | Promise<Response>) | { readonly fetch: (request: Request) => Response | Promise<Response> };

/** Options of {@link replayCapture}. */
export interface ReplayOptions {
  /** The callback credentials (both or neither): each delivery goes through Bandwidth's 401 challenge. */
  readonly username?: string;
  readonly password?: string;
  /**
   * `first` (default): the first delivery goes through Bandwidth's 401 challenge (checking the receiver still
   * asks for credentials), the others carry the credentials at once (half the requests); `every`: each one does.
   */
  readonly challenge?: "first" | "every";
  /** Abort a delivery after this long (default 15 000 ms). */
  readonly timeoutMs?: number;
  /**
   * The captured sockets (media streams, transcription): where and as whom they are replayed. A URL target
   * replays them to the same address over `ws(s):` by default, with the callback credentials; a Fetch
   * handler target needs `sockets.target` (your `createStreamServer`, replayed in process), else they are
   * skipped (each result says why).
   */
  readonly sockets?: SocketReplayOptions;
}

/** One replayed delivery. */
export interface ReplayResult {
  /** Its position in the capture (0-based). */
  readonly index: number;
  readonly family: string;
  readonly event: string | undefined;
  readonly url: string;
  readonly recorded: CapturedAnswer;
  readonly actual: CapturedAnswer;
  /** Empty when the answer is the recorded one. */
  readonly differences: readonly AnswerDifference[];
  /** Why the delivery got no answer (the handshake failed, the server did not answer), when it did not. */
  readonly error?: string;
}

/** A whole replay. */
export interface ReplayReport {
  /** `true` when every answer is the recorded one, and every replayed socket did what it did when recorded. */
  readonly ok: boolean;
  readonly results: readonly ReplayResult[];
  /** One per captured socket, in the order they opened (a skipped one says why in `skipped`). */
  readonly sockets: readonly SocketReplayResult[];
}

function fetchOf(target: ReplayTarget): { base: string; fetch: FetchLike | undefined } {
  if (typeof target === "string" || target instanceof URL) return { base: String(target).replace(/\/+$/, ""), fetch: undefined };
  const handler = typeof target === "function" ? target : (request: Request) => target.fetch(request);
  return { base: "http://replay.invalid", fetch: async (input, init) => handler(new Request(input, init)) };
}

/**
 * Replays captured deliveries against a receiver, in order, and compares every answer with the recorded one;
 * then the captured sockets (media streams, transcription), comparing what the server sent (event types, a
 * playAudio's content type, the close code).
 *
 * @example
 * import { replayCapture } from "bw-codegen/testing";
 * const report = await replayCapture(webhooks.fetch, readFileSync("captures/capture-…-0001.ndjson", "utf8"), { username: "bw", password: "s3cret" });
 * assert.deepEqual(report.results.flatMap((r) => r.differences), []);
 *
 * @example
 * // captured sockets too, in process against your stream server (a transcription token minted afresh)
 * const report = await replayCapture(webhooks.fetch, text, { username, password, sockets: { target: streamServer, username: "bw-stream", password: "…", transcriptionSecret } });
 * report.sockets.flatMap((s) => s.differences); // [{ path: "out[1]", recorded: "clear", actual: "playAudio audio/pcmu" }]
 */
export async function replayCapture(target: ReplayTarget, capture: string | readonly (CaptureEntry | SocketCaptureEntry)[], options: ReplayOptions = {}): Promise<ReplayReport> {
  const socketEntries: SocketCaptureEntry[] = [];
  let entries: CaptureEntry[];
  if (typeof capture === "string") entries = parseCapture(capture, socketEntries);
  else {
    entries = [];
    for (const entry of capture) {
      if (isSocketEntry(entry)) socketEntries.push(entry);
      else entries.push(entry);
    }
  }
  const sessions = socketSessions(socketEntries);
  const items = timeline(entries, sessions);
  // the challenge is checked on the first delivery sent as Bandwidth sends one (not on a refused one resent as it came)
  const first = items.find((item) => item.type === "delivery" && asDelivered(entries[item.index]));
  const replayOne = deliverer(target, entries, options, first?.type === "delivery" ? first.index : -1);
  const startRun = socketStarter(target, options);
  const results: ReplayResult[] = new Array(entries.length);
  const sockets: SocketReplayResult[] = new Array(sessions.length);
  const runs: SocketReplayRun[] = new Array(sessions.length);
  // deliveries whose answer is awaited: each once the recorded time of its answer has come in the timeline
  const inFlight = new Set<Flight>();
  const landed = async (at: number): Promise<void> => {
    for (const flight of [...inFlight]) {
      if (flight.end > at) continue;
      // recorded times are to the millisecond: an answer its next delivery set free (a handler waiting for
      // it) can read as answered before that came; so the wait is bounded, and that delivery stays in flight
      if (at === Number.POSITIVE_INFINITY) await flight.done;
      else if (!(await within(flight.done, flight.sent + 2 * (flight.end - flight.at) + LANDING_SLACK_MS - Date.now()))) continue;
      inFlight.delete(flight);
    }
  };
  for (const item of items) {
    await landed(item.at);
    if (item.type === "delivery") {
      await staggered(inFlight, item.at);
      inFlight.add({ at: item.at, end: item.end, sent: Date.now(), done: replayOne(item.index).then((result) => void (results[item.index] = result)) });
    } else if (item.type === "open") runs[item.session] = await startRun(sessions[item.session]);
    else if (item.type === "step") await runs[item.session].step(item.entry);
    else sockets[item.session] = await runs[item.session].finish();
  }
  await landed(Number.POSITIVE_INFINITY);
  return { ok: results.every((r) => r.differences.length === 0) && sockets.every((s) => s.differences.length === 0), results, sockets };
}

/** A delivery sent and not answered yet: its recorded arrival and answer times, when it was sent again. */
interface Flight {
  readonly at: number;
  readonly end: number;
  readonly sent: number;
  readonly done: Promise<void>;
}

/**
 * How long a replay waits for an answer before it sends what came after it anyway: twice the recorded
 * latency and this much more (ms), so a receiver slower than when recorded still answers in order.
 */
const LANDING_SLACK_MS = 2000;

/** Whether `done` settles within `ms` (it is awaited no longer than that). */
async function within(done: Promise<void>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = await Promise.race([done.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(resolve, Math.max(ms, 0), false)))]);
  clearTimeout(timer);
  return settled;
}

/**
 * Before a delivery that arrived while others were being answered: waits, for each of those, as long after
 * it was sent again as it came after it when recorded (or until it is answered), so overlapping deliveries
 * reach the receiver staggered as they did (a handler that was already running when the next one came).
 */
async function staggered(inFlight: ReadonlySet<Flight>, at: number): Promise<void> {
  for (const flight of inFlight) {
    const wait = flight.sent + Math.min(at - flight.at, flight.end - flight.at) - Date.now();
    if (wait > 0) await within(flight.done, wait);
  }
}

/** One step of a replay, at its recorded time (ms since the epoch). */
type TimelineItem =
  | { readonly type: "delivery"; readonly at: number; readonly end: number; readonly index: number }
  | { readonly type: "open"; readonly at: number; readonly session: number }
  | { readonly type: "step"; readonly at: number; readonly session: number; readonly entry: SocketCaptureEntry }
  | { readonly type: "finish"; readonly at: number; readonly session: number };

/**
 * The order a capture is replayed in: by recorded time, deliveries by arrival (a capture writes a delivery
 * once answered, so one answered late comes after one that arrived after it) and socket records as they
 * happened (a stream opens after the answer that started it and its messages go while the call's deliveries
 * go on); a delivery before a socket record of the same millisecond, and otherwise the capture's order. A
 * delivery without a time keeps its place after the one before it; a socket record's time never goes back
 * within its socket (so its records keep their order); a socket with no close record finishes at the end.
 */
function timeline(entries: readonly CaptureEntry[], sessions: readonly SocketSession[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  let last = Number.NEGATIVE_INFINITY;
  entries.forEach((entry, index) => {
    const parsed = Date.parse(entry.at);
    const at = Number.isFinite(parsed) ? parsed : last;
    last = at;
    const latency = typeof entry.latencyMs === "number" && entry.latencyMs > 0 ? entry.latencyMs : 0;
    items.push({ type: "delivery", at, end: at + latency, index });
  });
  sessions.forEach((session, i) => {
    let at = Number.NEGATIVE_INFINITY;
    const next = (record: SocketCaptureEntry | undefined): number => {
      const parsed = Date.parse(record?.at ?? "");
      at = Number.isFinite(parsed) ? Math.max(at, parsed) : at;
      return at;
    };
    items.push({ type: "open", at: next(session.open ?? session.messages[0] ?? session.close), session: i });
    for (const entry of session.messages) items.push({ type: "step", at: next(entry), session: i, entry });
    items.push({ type: "finish", at: session.close === undefined ? Number.POSITIVE_INFINITY : next(session.close), session: i });
  });
  // stable: deliveries (pushed first) before socket records at the same time, each kept in its own order
  return items.sort((a, b) => (a.at === b.at ? 0 : a.at < b.at ? -1 : 1));
}

/** Replays delivery `index` of `entries`, the one at `challengeAt` through the 401 challenge (never throws: a delivery without an answer is its result's error). */
function deliverer(target: ReplayTarget, entries: readonly CaptureEntry[], options: ReplayOptions, challengeAt: number): (index: number) => Promise<ReplayResult> {
  const { base, fetch } = fetchOf(target);
  const direct = (input: string, init: RequestInit): Promise<Response> => (fetch ?? globalThis.fetch)(input, init);
  const authorization = options.username !== undefined && options.password !== undefined ? basicAuthorization(options.username, options.password) : undefined;
  const preemptive: FetchLike | undefined =
    authorization === undefined ? undefined : (input, init) => direct(input, { ...init, headers: { ...(init.headers as Record<string, string>), authorization } });
  return async (index) => {
    const entry = entries[index];
    const headers: Record<string, string> = {};
    if (entry.headers["user-agent"] !== undefined) headers["user-agent"] = entry.headers["user-agent"];
    const common = { index, family: entry.family, event: entry.event, url: entry.url, recorded: entry.answer };
    const challenged = preemptive === undefined || index === challengeAt || options.challenge === "every";
    try {
      if (!asDelivered(entry)) {
        // a delivery the receiver refused, resent as it came (its method, content type, size; wrong credentials for a 401)
        const actual = await sendAsRecorded(replayTarget(base, entry.url), entry, options, fetch);
        return { ...common, actual, differences: compareAnswers(entry.answer, actual) };
      }
      const answer = await deliverEvent({
        url: replayTarget(base, entry.url),
        method: entry.method === "GET" ? "GET" : "POST",
        body: entry.method === "GET" ? {} : (entry.body ?? ""),
        contentType: entry.headers["content-type"],
        headers,
        ...(challenged ? { username: options.username, password: options.password, fetch } : { fetch: preemptive }),
        timeoutMs: options.timeoutMs,
      });
      const actual: CapturedAnswer = { status: answer.status, contentType: answer.contentType, body: answer.body };
      return { ...common, actual, differences: compareAnswers(entry.answer, actual) };
    } catch (error) {
      const actual: CapturedAnswer = { status: 0, contentType: undefined, body: "" };
      return { ...common, actual, differences: [{ path: "status", recorded: String(entry.answer.status), actual: "no answer" }], error: (error as Error).message };
    }
  };
}

/** The most bytes replay sends for a recorded body over the limit (a capture from anywhere may name any size). */
const MOST_FILLER_BYTES = 32 << 20;

/** The size of a recorded body that was over the limit (`omitted`: `over the body limit (N bytes announced)` / `(more than N bytes)`), or undefined. */
function oversizeOf(entry: CaptureEntry): number | undefined {
  const match = /^over the body limit \((more than )?(\d{1,15}) bytes/.exec(entry.omitted ?? "");
  if (match === null || entry.body !== null) return undefined;
  return Math.min(Number(match[2]) + (match[1] === undefined ? 0 : 1), MOST_FILLER_BYTES);
}

/**
 * Whether a recorded delivery is replayed as Bandwidth delivers an event (`deliverEvent`: its challenge, a
 * POST's body with a content type): every one but those refused for how they came: wrong credentials (a
 * recorded 401: the credential-less first request of the challenge is never recorded), a method refused
 * (405, answered before any challenge), a POST without a content type (415), a body over the limit (413).
 */
function asDelivered(entry: CaptureEntry): boolean {
  // 405 too: the method is refused before the credentials are asked for, so there is no challenge to go through
  if (entry.answer.status === 401 || entry.answer.status === 405) return false;
  if (entry.method === "GET") return true;
  return entry.method === "POST" && entry.headers["content-type"] !== undefined && oversizeOf(entry) === undefined;
}

/** Sends a refused delivery as it came: its method, headers, body (a body over the limit as that many spaces); for a 401, credentials that are wrong. */
async function sendAsRecorded(url: string, entry: CaptureEntry, options: ReplayOptions, fetch: FetchLike | undefined): Promise<CapturedAnswer> {
  const headers: Record<string, string> = {};
  for (const name of ["content-type", "user-agent"]) if (entry.headers[name] !== undefined) headers[name] = entry.headers[name];
  const right = options.username !== undefined && options.password !== undefined ? basicAuthorization(options.username, options.password) : undefined;
  // a recorded 401 had credentials the receiver refused: the same user with a password nobody has
  const wrong = basicAuthorization(options.username ?? "bw-codegen-replay", `not-the-password-${Math.random().toString(36).slice(2)}${Date.now()}`);
  const authorization = entry.answer.status === 401 ? wrong : right;
  if (authorization !== undefined) headers.authorization = authorization;
  const size = oversizeOf(entry);
  // as bytes: a string body would get a Content-Type of its own (text/plain) where the delivery came without one
  const text = entry.method === "GET" || entry.method === "HEAD" ? undefined : size !== undefined ? " ".repeat(size) : (entry.body ?? "");
  const body = text === undefined ? undefined : new TextEncoder().encode(text);
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? 15_000;
  const timer = setTimeout(() => controller.abort(new BandwidthError("BW_NO_ANSWER", `no answer within ${timeoutMs} ms`)), timeoutMs);
  try {
    const response = await (fetch ?? globalThis.fetch)(url, { method: entry.method, headers, body, signal: controller.signal, redirect: "manual" });
    const text = await readAnswerText(response, DEFAULT_MAX_ANSWER_BYTES);
    return { status: response.status, contentType: response.headers.get("content-type") ?? undefined, body: text };
  } finally {
    clearTimeout(timer);
  }
}

/** Starts replaying one captured socket against the socket target (a skipped run when there is none). */
function socketStarter(target: ReplayTarget, options: ReplayOptions): (session: SocketSession) => Promise<SocketReplayRun> {
  const own = options.sockets ?? {};
  const socketTarget = own.target ?? (typeof target === "string" || target instanceof URL ? target : undefined);
  const settings = { ...own, username: own.username ?? options.username, password: own.password ?? options.password };
  return async (session) => {
    if (socketTarget !== undefined) return startSocketReplay(session, { ...settings, target: socketTarget });
    const skipped = "no socket target: replaying to a Fetch handler, give sockets.target (your createStreamServer)";
    const result: SocketReplayResult = { kind: session.kind, connection: session.connection, url: session.open?.url ?? "?", recorded: recordedTranscript(session), actual: undefined, differences: [], skipped };
    return { step: async () => undefined, finish: async () => result };
  };
}
