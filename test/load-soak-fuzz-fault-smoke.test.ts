// A short run of the soak / fuzz / fault suite (test/load/, full runs by hand; figures in
// docs/benchmarks.md): a few seconds of autocannon with 10 % hostile requests and slow bodies against a
// receiver process (no 5xx, no connection errors, the hostile share answered 4xx); fast-check fuzzing of
// bodies and headers through every adapter (no crash, no unhandled rejection, no 5xx); and inline
// receivers whose handlers hang on a first run, sharing one Redis dedupe store through a Redis restart
// (no delivery lost, none handled twice).
import assert from "node:assert/strict";
import { test } from "node:test";
import { runExactlyOnce } from "./load/exactly-once.js";
import { runFuzz } from "./load/fuzz.js";
import { runSoak } from "./load/soak.js";

test("soak smoke: sustained load with 10 % hostile requests gets no 5xx and no errors", { timeout: 60_000 }, async () => {
  const report = await runSoak(3, 10);
  assert.equal(report.serverErrors, 0);
  assert.equal(report.errors, 0);
  assert.ok(report.total > 100, `only ${report.total} requests`);
  assert.ok(report.hostileShare >= 9 && report.hostileShare <= 11, `hostile share ${report.hostileShare} %`);
  assert.deepEqual(Object.keys(report.statuses).sort(), ["200", "400", "401", "413"]);
});

test("fuzz smoke: bodies and headers through every adapter: no crash, no unhandled rejection, no 5xx", { timeout: 120_000 }, async () => {
  const { reports, unhandled } = await runFuzz(60);
  assert.equal(unhandled, 0);
  for (const report of reports) {
    assert.equal(report.crashes, 0, `${report.adapter}: ${report.firstFailure}`);
    assert.equal(report.serverErrors, 0, `${report.adapter}: ${report.firstFailure}`);
  }
});

test("fault smoke: hanging handlers and a Redis restart, inline with Redis dedupe: none lost, none twice", { timeout: 120_000 }, async () => {
  const report = await runExactlyOnce({ count: 200, duplicateShare: 0.2, mode: "inline", handlerFault: "hang", killReceiver: false });
  assert.equal(report.redisRestarts, 1);
  assert.deepEqual(report.replay.gaveUp, []);
  assert.equal(report.lost, 0);
  assert.equal(report.duplicatesProcessed, 0);
  assert.ok((report.replay.answers["500"] ?? 0) > 0, "the hanging first runs were answered 500 (retried)");
});
