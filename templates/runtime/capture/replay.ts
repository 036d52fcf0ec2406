/**
 * Replays a capture (`bw-codegen replay`, `replayCapture` of `bw-codegen/testing`): re-delivers every recorded
 * request in order, with Bandwidth's auth challenge when credentials are given (`deliverEvent`), and compares
 * each answer with the recorded one (`compare.ts`). Edge-safe: `fetch` only.
 */

import { BandwidthError } from "../errors.js";
import { basicAuthorization, deliverEvent } from "../testing/index.js";
import type { FetchLike } from "../testing/index.js";
import { compareAnswers } from "./compare.js";
import type { AnswerDifference } from "./compare.js";
import { parseCapture } from "./format.js";
import type { CapturedAnswer, CaptureEntry } from "./format.js";

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
  /** `true` when every answer is the recorded one. */
  readonly ok: boolean;
  readonly results: readonly ReplayResult[];
}

function fetchOf(target: ReplayTarget): { base: string; fetch: FetchLike | undefined } {
  if (typeof target === "string" || target instanceof URL) return { base: String(target).replace(/\/+$/, ""), fetch: undefined };
  const handler = typeof target === "function" ? target : (request: Request) => target.fetch(request);
  return { base: "http://replay.invalid", fetch: async (input, init) => handler(new Request(input, init)) };
}

/**
 * The URL one recorded delivery is sent to: the base URL plus the recorded path. A capture is input from
 * anywhere: a recorded `url` that is not a path (`:8080/x`, `.evil.example/x`, `@host/x`, `http://…`) would
 * name another server once glued to the base, so it is refused and nothing is sent.
 */
function targetOf(base: string, path: string): string {
  const url = `${base}${path}`;
  let same = false;
  try {
    same = path.startsWith("/") && new URL(url).origin === new URL(base).origin;
  } catch {
    same = false;
  }
  if (!same) throw new BandwidthError("BW_INVALID_CAPTURE", `the recorded url ${JSON.stringify(path.slice(0, 200))} is not a path: not sent (replay only sends to ${base})`);
  return url;
}

/**
 * Replays captured deliveries against a receiver, in order, and compares every answer with the recorded one.
 *
 * @example
 * import { replayCapture } from "bw-codegen/testing";
 * const report = await replayCapture(webhooks.fetch, readFileSync("captures/capture-…-0001.ndjson", "utf8"), { username: "bw", password: "s3cret" });
 * assert.deepEqual(report.results.flatMap((r) => r.differences), []);
 */
export async function replayCapture(target: ReplayTarget, capture: string | readonly CaptureEntry[], options: ReplayOptions = {}): Promise<ReplayReport> {
  const entries = typeof capture === "string" ? parseCapture(capture) : capture;
  const { base, fetch } = fetchOf(target);
  const direct = (input: string, init: RequestInit): Promise<Response> => (fetch ?? globalThis.fetch)(input, init);
  const authorization = options.username !== undefined && options.password !== undefined ? basicAuthorization(options.username, options.password) : undefined;
  const preemptive: FetchLike | undefined =
    authorization === undefined ? undefined : (input, init) => direct(input, { ...init, headers: { ...(init.headers as Record<string, string>), authorization } });
  const results: ReplayResult[] = [];
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index];
    const headers: Record<string, string> = {};
    if (entry.headers["user-agent"] !== undefined) headers["user-agent"] = entry.headers["user-agent"];
    const common = { index, family: entry.family, event: entry.event, url: entry.url, recorded: entry.answer };
    const challenged = preemptive === undefined || index === 0 || options.challenge === "every";
    try {
      const answer = await deliverEvent({
        url: targetOf(base, entry.url),
        method: entry.method === "GET" ? "GET" : "POST",
        body: entry.method === "GET" ? {} : (entry.body ?? ""),
        contentType: entry.headers["content-type"],
        headers,
        ...(challenged ? { username: options.username, password: options.password, fetch } : { fetch: preemptive }),
        timeoutMs: options.timeoutMs,
      });
      const actual: CapturedAnswer = { status: answer.status, contentType: answer.contentType, body: answer.body };
      results.push({ ...common, actual, differences: compareAnswers(entry.answer, actual) });
    } catch (error) {
      const actual: CapturedAnswer = { status: 0, contentType: undefined, body: "" };
      results.push({ ...common, actual, differences: [{ path: "status", recorded: String(entry.answer.status), actual: "no answer" }], error: (error as Error).message });
    }
  }
  return { ok: results.every((r) => r.differences.length === 0), results };
}
