// A short run of the soak / fuzz / fault suite (test/load/, full runs by hand; figures in
// docs/benchmarks.md): 800 requests of autocannon with 10 % hostile requests and slow bodies against a
// receiver process (no 5xx, no connection errors, each hostile kind answered 4xx); fast-check fuzzing of
// bodies and headers through every adapter (no crash, no unhandled rejection, no 5xx); and inline
// receivers whose handlers hang on a first run, sharing one Redis dedupe store through a Redis restart
// (no delivery lost, none handled twice).
import assert from "node:assert/strict";
import { test } from "node:test";
import { runExactlyOnce } from "./load/exactly-once.js";
import { runFuzz } from "./load/fuzz.js";
import { runSoak } from "./load/soak.js";
import { TEST_LIMIT_MS } from "./support/children.js";

test("soak smoke: sustained load with 10 % hostile requests gets no 5xx and no errors", { timeout: TEST_LIMIT_MS }, async () => {
  // A fixed number of requests (10 connections × 2 rounds of the 40-request mix), not a duration: what is
  // checked does not depend on the machine's speed. The hostile share is a figure of the by-hand soak.
  const report = await runSoak(3, 10, 10 * 80);
  assert.equal(report.serverErrors, 0);
  assert.equal(report.errors, 0);
  assert.equal(report.total, 800);
  assert.deepEqual(Object.keys(report.statuses).sort(), ["200", "400", "401", "413"], "every hostile kind answered 4xx, the rest 200");
});

test("fuzz smoke: bodies and headers through every adapter: no crash, no unhandled rejection, no 5xx", { timeout: TEST_LIMIT_MS }, async () => {
  const { reports, unhandled } = await runFuzz(60);
  assert.equal(unhandled, 0);
  for (const report of reports) {
    assert.equal(report.crashes, 0, `${report.adapter}: ${report.firstFailure}`);
    assert.equal(report.serverErrors, 0, `${report.adapter}: ${report.firstFailure}`);
  }
});

test("fault smoke: hanging handlers and a Redis restart, inline with Redis dedupe: none lost, none twice", { timeout: TEST_LIMIT_MS }, async () => {
  const report = await runExactlyOnce({ count: 200, duplicateShare: 0.2, mode: "inline", handlerFault: "hang", killReceiver: false });
  assert.equal(report.redisRestarts, 1);
  assert.deepEqual(report.replay.gaveUp, []);
  assert.equal(report.lost, 0);
  assert.equal(report.duplicatesProcessed, 0);
  assert.ok((report.replay.answers["500"] ?? 0) > 0, "the hanging first runs were answered 500 (retried)");
});
