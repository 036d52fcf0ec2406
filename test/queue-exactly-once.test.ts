// The done-when scenario, smaller: two receiver processes and one worker process sharing one
// redis-server, 400 messaging deliveries with 20 % duplicates, Redis stopped and restarted mid-run and
// one receiver killed (SIGKILL) mid-run and replaced: every unique event's handler runs exactly once,
// none is lost; the same through poison intake entries and a Redis stall (SIGSTOP); and group messages to
// two numbers (two events with one message.id and time). The full figures: `node --import tsx test/load/exactly-once.ts --suite`.
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

test("poison entries in the intake stream and a stalled Redis (SIGSTOP) mid-run: every acknowledged event handled exactly once, the poison dead-lettered", { timeout: 180_000 }, async () => {
  const report = await runExactlyOnce({ count: 300, duplicateShare: 0.2, poison: true, stallRedisMs: 2000, killReceiver: false });
  assert.equal(report.redisStalls, 1);
  assert.equal(report.poisonWritten, 4);
  assert.equal(report.deadLettered, 4, "each poison entry is in bw:intake-dead:<queue>");
  assert.deepEqual(report.replay.gaveUp, []);
  assert.equal(report.acknowledged, 240);
  assert.equal(report.lost, 0, `lost: ${report.lostJobs.join("; ")}`);
  assert.equal(report.handledTwice, 0);
  assert.equal(report.handled, 240);
});

// Two callbacks of one group message (same message.id and time, one per recipient) are two events: the
// dedupe key is the whole event, so neither is taken for a redelivery of the other (a key of message.id
// and time merged them: the second was acknowledged as a duplicate and never handled).
test("group messages to two numbers: each recipient's callback handled exactly once", { timeout: 120_000 }, async () => {
  const report = await runExactlyOnce({ count: 40, duplicateShare: 0, groupMessages: 10, restartRedis: false, killReceiver: false, settleMs: 10_000 });
  assert.equal(report.group?.acknowledged, 20);
  assert.equal(report.group?.lost, 0, `lost: ${report.lostJobs.join("; ")}`);
  assert.equal(report.group?.handledTwice, 0);
});
