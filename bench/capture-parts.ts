/**
 * What capture puts on the receiver's thread, part by part, each timed alone: a clock reading (the core takes
 * two per delivery when capture or `onResponse` is on), the `Delivery` object the core hands to the sink (a
 * copy of the core's class), `record()` of a real `createCapture` with the same answer object every time, and
 * with an answer rendered anew by the builder every time (a rope) next to what the node adapter does with it
 * anyway (`Buffer.byteLength`). Rounds of 1000 of every part in an order rotated each round, the main
 * thread's CPU summed per part (`process.threadCpuUsage()`, Node ≥ 23.9: under an older Node it runs itself
 * again under Node 24 from npm, test/support/runtimes.ts); the capture is flushed every 8 rounds.
 * Subtract "loop" from the others for a part's own cost.
 *
 *   node --import tsx bench/capture-parts.ts [rounds=300]
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCapture } from "../generated/capture.js";
import type { CapturedDelivery, CoreBody, CoreResponse } from "../generated/runtime/http/types.js";
import type { AnswerCallback } from "../generated/types.js";
import { ensureRuntime, runtime } from "../test/support/runtimes.js";
import { answerBxml } from "./http-shared.js";

const threadCpuUsage = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.bind(process);
if (threadCpuUsage === undefined) {
  const again = spawnSync(ensureRuntime(runtime("Node 24")), [...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(again.status ?? 1);
}

const ROUNDS = Number(process.argv[2] ?? 300);
const PER_ROUND = 1000;
const silent = { info() {}, warn() {}, error() {}, debug() {} };
const body = Buffer.from(JSON.stringify(JSON.parse(readFileSync(new URL("./fixtures/answer-callback.json", import.meta.url), "utf8"))));
const raw = { headers: { "user-agent": "BandwidthAPI/v2" } as Record<string, string> };
interface Request {
  readonly method: string;
  readonly url: string;
  readonly contentType: string | undefined;
  readonly body: CoreBody;
  readonly raw: typeof raw;
  readonly readHeader: (raw: unknown, name: string) => string | undefined;
}
const request: Request = { method: "POST", url: "/callbacks/voice", contentType: "application/json", body, raw, readHeader: (r, name) => (r as typeof raw).headers[name] };

/** The core's `Delivery` (templates/runtime/http/core.ts), as it builds one per delivery. */
class Delivery implements CapturedDelivery {
  readonly at: number;
  readonly family: string;
  readonly path: string;
  readonly method: string;
  readonly url: string;
  readonly eventType: string | undefined;
  readonly contentType: string | undefined;
  readonly body: CoreBody;
  readonly omitted: string | undefined;
  readonly response: CoreResponse;
  readonly latencyMs: number;
  readonly #request: Request;

  constructor(request: Request, at: number, response: CoreResponse, latencyMs: number) {
    this.at = at;
    this.family = "voice";
    this.path = "/callbacks/voice";
    this.method = request.method;
    this.url = request.url;
    this.eventType = "answer";
    this.contentType = request.contentType ?? undefined;
    this.body = request.body;
    this.omitted = undefined;
    this.response = response;
    this.latencyMs = latencyMs;
    this.#request = request;
  }

  header(name: string): string | undefined {
    return name === "authorization" ? undefined : this.#request.readHeader(this.#request.raw, name);
  }
}

const dir = mkdtempSync(join(tmpdir(), "bw-bench-capture-parts-"));
const capture = createCapture({ dir, logger: silent, maxPending: 1_000_000 });
const perf = performance;
const event = { to: "+12525550129" } as AnswerCallback;
const answer = (): CoreResponse => ({ status: 200, headers: { "content-type": "application/xml" }, body: String(answerBxml(event)) });
const fixed = answer();
// answers rendered anew, one set per part that uses them (a rope flattened once stays flat)
const rendered = (): CoreResponse[] => Array.from({ length: PER_ROUND }, answer);
let alone = rendered();
let recorded = rendered();
let flattened = rendered();
let sink = 0;

const parts: Record<string, (i: number) => void> = {
  loop: () => {
    sink++;
  },
  "clock: performance.now() through the global": () => {
    sink += performance.now();
  },
  "clock: performance.now() on the object read once": () => {
    sink += perf.now();
  },
  "the Delivery object": () => {
    sink += new Delivery(request, 1, fixed, 0.1).latencyMs;
  },
  "record(new Delivery), the same answer object": () => {
    capture.record(new Delivery(request, 1, fixed, 0.1));
  },
  "Buffer.byteLength of a rendered answer (the adapter's)": (i) => {
    sink += Buffer.byteLength(alone[i].body);
  },
  "record(new Delivery) + byteLength, a rendered answer": (i) => {
    capture.record(new Delivery(request, 1, recorded[i], 0.1));
    sink += Buffer.byteLength(recorded[i].body);
  },
  "the same, the answer made flat first (charCodeAt of its last)": (i) => {
    const text = flattened[i].body;
    sink += text.charCodeAt(text.length - 1);
    capture.record(new Delivery(request, 1, flattened[i], 0.1));
    sink += Buffer.byteLength(text);
  },
};

const cpu = (): number => {
  const used = threadCpuUsage!();
  return used.user + used.system;
};
const names = Object.keys(parts);
const total = names.map(() => 0);
try {
  for (let r = -10; r < ROUNDS; r++) {
    alone = rendered();
    recorded = rendered();
    flattened = rendered();
    for (let k = 0; k < names.length; k++) {
      const which = (k + r + 10) % names.length;
      const part = parts[names[which]];
      const started = cpu();
      for (let i = 0; i < PER_ROUND; i++) part(i);
      if (r >= 0) total[which] += cpu() - started;
    }
    if (r % 8 === 0) await capture.flush();
  }
} finally {
  await capture.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`Node ${process.version}; ${ROUNDS} rounds of ${PER_ROUND} per part, order rotated; thread CPU per call (subtract "loop"):`);
for (const [i, name] of names.entries()) console.log(`  ${name.padEnd(64)} ${((total[i] / (ROUNDS * PER_ROUND)) * 1000).toFixed(0)} ns`);
if (sink === -1) console.log(""); // (keeps the results used)
