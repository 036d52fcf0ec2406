// The done-when scenario, smaller: two receiver processes and one worker process sharing one
// redis-server, 400 messaging deliveries with 20 % duplicates, Redis stopped and restarted mid-run and
// one receiver killed (SIGKILL) mid-run and replaced: every unique event's handler runs exactly once,
// none is lost. The full figure (10,000 deliveries) is `node --import tsx test/load/exactly-once.ts`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { runExactlyOnce } from "./load/exactly-once.js";
import { TEST_LIMIT_MS } from "./support/children.js";

test("two receivers + one worker on one Redis: each unique event handled exactly once through a Redis restart and a killed receiver", { timeout: TEST_LIMIT_MS }, async () => {
  const report = await runExactlyOnce({ count: 400, duplicateShare: 0.2 });
  assert.equal(report.redisRestarts, 1);
  assert.equal(report.receiversKilled, 1);
  assert.deepEqual(report.replay.gaveUp, []);
  assert.equal(report.unique, 320);
  assert.equal(report.lost, 0, `lost: ${report.lostJobs.join("; ")}`);
  assert.equal(report.duplicatesProcessed, 0);
  assert.equal(report.handledOnce, report.unique);
});
