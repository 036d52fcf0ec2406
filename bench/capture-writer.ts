/**
 * The capture writer thread's CPU per delivery, in isolation: what `worker.ts` does with each delivery it
 * reads from the ring (redaction with HMAC-SHA256 pseudonyms, the NDJSON line, one UTF-8 encode and one
 * `writeSync` per batch of 256, like one poll), against a baseline in the same run: the same entry as
 * `redact: false` writes it (credentials still masked, `JSON.stringify` of the entry, encode, write). Rounds alternate baseline, redacted, baseline,
 * redacted… so load from other processes falls on both alike; each round is timed by this thread's CPU clock
 * (`process.threadCpuUsage` where the runtime has it, else the process's, with no other thread busy).
 *
 * The corpus is realistic traffic, not one body repeated: every published-like delivery fixture
 * (test/fixtures/published-like/<family>/) and the bench fixtures, compact JSON as Bandwidth sends it, cycled;
 * each simulated call (6 deliveries in a row) gets its own call/message ids, phone numbers come from a pool of
 * 2000, times differ per delivery. One redactor (one capture) serves the whole run, so its caches see new
 * calls arrive all the time. `impl` is the folder of the compiled capture runtime to measure (default: this
 * tree's generated/runtime/capture, the code as shipped; sources run through tsx would measure tsx's helpers
 * too), so an older build can be measured alternately with the new one.
 *
 * `answer` as the corpus instead feeds one answer callback over and over (bench/fixtures/answer-callback.json,
 * the body bench/capture.ts records): every value is then in the caches after the first delivery.
 *
 *   node --import tsx bench/capture-writer.ts [rounds=30] [impl=generated/runtime/capture] [corpus=mixed|answer]
 */

import { createHmac, randomBytes } from "node:crypto";
import { closeSync, ftruncateSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as EntryModule from "../generated/runtime/capture/entry.js";
import type { CaptureRecord } from "../generated/runtime/capture/record.js";
import type * as RedactModule from "../generated/runtime/capture/redact.js";

const ROUNDS = Number(process.argv[2] ?? 30);
const root = fileURLToPath(new URL("..", import.meta.url));
const impl = resolve(root, process.argv[3] ?? "generated/runtime/capture");
const ONE = process.argv[4] === "answer";
const { deliveryLine, captureRedactor } = (await import(pathToFileURL(join(impl, "entry.js")).href)) as Partial<typeof EntryModule> & Pick<typeof EntryModule, "deliveryLine">;
const { createRedactor } = (await import(pathToFileURL(join(impl, "redact.js")).href)) as typeof RedactModule;

const PER_BATCH = 256; // one poll's worth, one writeSync
const PER_ROUND = 8192; // a round lasts well over the CPU clocks' step (4 ms on some kernels), so each round's figure is not quantised
const CALL_LENGTH = 6;
const NUMBER_POOL = 2000;
const REPLY = '<?xml version="1.0" encoding="UTF-8"?><Response><SpeakSentence>Hello</SpeakSentence><Redirect redirectUrl="/callbacks/voice/next"/></Response>';

/** The corpus: [family, content type, body text] of every delivery fixture. */
function corpus(): [string, string, string][] {
  const out: [string, string, string][] = [];
  const published = join(root, "test/fixtures/published-like");
  for (const family of ["voice", "messaging", "numbers", "tfv", "endpoint", "mfa", "webrtc"]) {
    for (const name of readdirSync(join(published, family)).sort()) out.push([family, name, readFileSync(join(published, family, name), "utf8")]);
  }
  for (const name of ["answer-callback.json", "messaging-1.json", "messaging-3.json", "order-notification.xml"]) {
    out.push([name.startsWith("messaging") ? "messaging" : name.endsWith(".xml") ? "numbers" : "voice", name, readFileSync(join(root, "bench/fixtures", name), "utf8")]);
  }
  return out.map(([family, name, text]) => {
    if (name.endsWith(".xml")) return [family, "application/xml", text];
    try {
      return [family, "application/json", JSON.stringify(JSON.parse(text))];
    } catch {
      return [family, "application/json", text]; // as published (a trailing comma): redacted as text
    }
  });
}

const E164 = /\+[1-9]\d{6,14}/g;
const ID = /\b([a-z]{1,6}-)?[0-9a-f]{8}-[0-9a-f]{4,8}(?:-[0-9a-f]{4,12})+\b/gi;
const TIME = /(\d\d:\d\d)\.\d{3}/g;

/** Delivery `n` of the traffic: fixture `n mod corpus`, with its call's ids, a pooled number and its own time. */
function delivery(fixtures: [string, string, string][], n: number): CaptureRecord {
  const [family, contentType, text] = fixtures[ONE ? fixtures.length - 4 : n % fixtures.length];
  const call = ONE ? 0 : Math.floor(n / CALL_LENGTH);
  const body = text
    .replace(E164, (m) => `${m.slice(0, -4)}${String((call * 7 + m.length) % NUMBER_POOL).padStart(4, "0")}`)
    .replace(ID, (m) => `${m.slice(0, -8)}${(call >>> 0).toString(16).padStart(8, "0")}`)
    .replace(TIME, (_m, hm: string) => (ONE ? _m : `${hm}.${String(n % 1000).padStart(3, "0")}`));
  return {
    at: Date.UTC(2026, 11, 5) + n * 37,
    family,
    event: undefined,
    method: "POST",
    url: `/callbacks/${family}`,
    contentType,
    userAgent: "BandwidthAPI/v2",
    body: new TextEncoder().encode(body),
    status: family === "voice" ? 200 : 204,
    answerType: family === "voice" ? "application/xml" : undefined,
    answerBody: family === "voice" ? REPLY : "",
    latencyMs: 0.0421 + (n % 7) / 1000,
  };
}

const fixtures = corpus();
const rounds = Array.from({ length: ROUNDS + 3 }, (_, r) => Array.from({ length: PER_ROUND }, (_, i) => delivery(fixtures, r * PER_ROUND + i)));
const key = randomBytes(32);
// the worker's binding; builds before it bound node:crypto's createHmac in worker.ts
const keyed = captureRedactor?.(key, []) ?? createRedactor({ hmac: (text) => createHmac("sha256", key).update(text).digest() });
const dir = mkdtempSync(join(tmpdir(), "bw-bench-capture-writer-"));
const fd = openSync(join(dir, "capture.ndjson"), "w", 0o600);

const threadCpu = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage?.bind(process);
const cpu = (): number => {
  const used = threadCpu?.() ?? process.cpuUsage();
  return used.user + used.system; // µs
};

/** CPU ns per delivery of one round: lines of a batch joined, encoded once and written once, like one poll. */
function round(records: readonly CaptureRecord[], redacting: boolean): number {
  ftruncateSync(fd, 0);
  const start = cpu();
  for (let b = 0; b < records.length; b += PER_BATCH) {
    let chunk = "";
    for (let i = b; i < b + PER_BATCH; i++) chunk += deliveryLine(records[i], redacting ? keyed : undefined);
    writeSync(fd, Buffer.from(chunk, "utf8"));
  }
  return ((cpu() - start) * 1000) / records.length;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

for (let r = 0; r < 3; r++) {
  round(rounds[r], false);
  round(rounds[r], true); // warm-up: the caches see three rounds of calls first
}
const plain: number[] = [];
const redacted: number[] = [];
const ratios: number[] = [];
for (let r = 3; r < rounds.length; r++) {
  const a = round(rounds[r], false);
  const b = round(rounds[r], true); // new calls every round: ids the caches have not seen
  plain.push(a);
  redacted.push(b);
  ratios.push(b / a);
}
closeSync(fd);
rmSync(dir, { recursive: true, force: true });

console.log(`corpus: ${ONE ? "one answer callback, repeated" : `${fixtures.length} fixtures, ${CALL_LENGTH} deliveries per call`}; ${PER_ROUND} deliveries per round, ${ROUNDS} rounds; impl ${impl}`);
console.log(`clock: ${threadCpu === undefined ? "process CPU (no other thread busy)" : "this thread's CPU"}`);
console.log(`baseline (entry unredacted, credentials masked: JSON.stringify + encode + write): ${(median(plain) / 1000).toFixed(2)} µs CPU per delivery`);
console.log(`redacted (the writer thread's work): ${(median(redacted) / 1000).toFixed(2)} µs CPU per delivery`);
console.log(`ratio redacted ÷ baseline (median of per-pair ratios): ${median(ratios).toFixed(2)}`);
console.log(`redacted over a whole node:http request's 16.3 µs CPU (quiet machine, docs/benchmarks.md): ${((median(redacted) / 16_300) * 100).toFixed(0)} %`);
