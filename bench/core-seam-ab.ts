/**
 * A/B of the core seam in one process: the same answer callback through two builds of the runtime,
 * `generated/` of this checkout (B) and the `generated/` of another copy (A, e.g. an older commit
 * unpacked with `git archive <commit> | tar -x -C /tmp/old`), each driven as its adapters drive it: A
 * with whatever `check`/`handle` form it has (positional before the request object), B with a
 * `CoreRequest` built per request. Rounds alternate A, B, A, B… so load from other processes falls on
 * both alike; prints each side's median CPU ns per request and the median of the per-pair ratios B ÷ A.
 * Run it also with this checkout's own `generated` as A (an A/A control) to see the noise floor.
 *
 *   node --import tsx bench/core-seam-ab.ts /tmp/old/generated [rounds=30] [perRound=50000] [B dir]
 *
 * The side loaded first runs a few percent slower in an A/A run on the same code: run both orders (old as
 * A, then old as B) and take the geometric mean of B÷A and 1/(B÷A of the swapped run).
 */

import { pathToFileURL } from "node:url";
import { join, resolve } from "node:path";
import { ANSWER_TEXT } from "./validators.js";
import { BENCH_AUTHORIZATION, BENCH_CREDENTIALS, BENCH_PATH } from "./http-shared.js";

const [oldDir, roundsArg, perRoundArg, otherDir] = process.argv.slice(2);
if (oldDir === undefined) throw new Error("usage: bench/core-seam-ab.ts <A generated/ dir> [rounds] [perRound] [B generated/ dir]");
const ROUNDS = Number(roundsArg ?? 30);
const PER_ROUND = Number(perRoundArg ?? 50_000);
const REPLY = '<?xml version="1.0" encoding="UTF-8"?><Response><SpeakSentence>hi</SpeakSentence></Response>';
const headers: Record<string, string> = { authorization: BENCH_AUTHORIZATION, "content-type": "application/json", "content-length": String(ANSWER_TEXT.length) };
const raw = { headers };
const readHeader = (request: unknown, name: string): string | undefined => (request as typeof raw).headers[name];

type AnyCore = {
  match(url: string): unknown;
  check(...args: unknown[]): { body: string } | undefined;
  handle(...args: unknown[]): { body: string } | Promise<unknown>;
};

async function load(dir: string): Promise<AnyCore> {
  const module = (await import(pathToFileURL(join(resolve(dir), "webhooks.js")).href)) as {
    createBandwidthWebhooks(options: unknown): { core: AnyCore };
  };
  // a constant reply, so the seam and the core (auth, parse, validate, dispatch) are what is measured
  return module.createBandwidthWebhooks({ credentials: [BENCH_CREDENTIALS], voice: { answer: () => REPLY }, validateBxml: false }).core;
}

/** One request as an adapter of the old (positional) seam does it. */
function positional(core: AnyCore, route: unknown): string {
  const early = core.check(route, "POST", headers.authorization, headers["content-type"], headers["content-length"], headers["content-encoding"]);
  if (early !== undefined) return early.body;
  return (core.handle(route, "POST", BENCH_PATH, ANSWER_TEXT, raw, readHeader) as { body: string }).body;
}

/** One request as an adapter of the request-object seam does it. */
function withRequest(core: AnyCore, route: unknown): string {
  const request = {
    method: "POST",
    url: BENCH_PATH,
    authorization: headers.authorization,
    contentType: headers["content-type"],
    contentLength: headers["content-length"],
    contentEncoding: headers["content-encoding"],
    body: undefined as unknown,
    raw,
    readHeader,
  };
  const early = core.check(route, request);
  if (early !== undefined) return early.body;
  request.body = ANSWER_TEXT;
  return (core.handle(route, request) as { body: string }).body;
}

/** CPU time (user + system, this process) per request over one round, in ns: time other processes take is not counted. */
function round(run: () => string): number {
  let sink = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < PER_ROUND; i++) sink += run().length;
  const used = process.cpuUsage(start);
  if (sink !== PER_ROUND * REPLY.length) throw new Error("unexpected answer");
  return ((used.user + used.system) * 1000) / PER_ROUND;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const a = await load(oldDir);
const b = await load(otherDir ?? join(import.meta.dirname, "../generated"));
const routeA = a.match(BENCH_PATH);
const routeB = b.match(BENCH_PATH);
const hasRequestObject = (core: AnyCore, route: unknown): boolean => {
  try {
    return withRequest(core, route) === REPLY;
  } catch {
    return false;
  }
};
const runA = hasRequestObject(a, routeA) ? () => withRequest(a, routeA) : () => positional(a, routeA);
const runB = hasRequestObject(b, routeB) ? () => withRequest(b, routeB) : () => positional(b, routeB);
if (runA() !== REPLY || runB() !== REPLY) throw new Error("a build does not answer the fixture with the reply");
// warm-up: both reach the optimising compiler
for (let i = 0; i < 3; i++) {
  round(runA);
  round(runB);
}
const nsA: number[] = [];
const nsB: number[] = [];
const ratios: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  const first = i % 2 === 0; // alternate which side goes first within a pair
  const x = first ? round(runA) : round(runB);
  const y = first ? round(runB) : round(runA);
  const [ra, rb] = first ? [x, y] : [y, x];
  nsA.push(ra);
  nsB.push(rb);
  ratios.push(rb / ra);
}
console.log(`A (${oldDir}): median ${median(nsA).toFixed(0)} CPU ns/request`);
console.log(`B (${otherDir ?? "this checkout"}): median ${median(nsB).toFixed(0)} CPU ns/request`);
console.log(`B ÷ A, median of ${ROUNDS} interleaved pairs of ${PER_ROUND} requests: ${median(ratios).toFixed(3)} (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)})`);
