// `bw-codegen scaffold --queue bullmq`, run as `npm start` would (src/server.ts, REDIS_URL from the env):
// with its Redis stopped, a voice disconnect used to be answered 503, which Bandwidth never resends after
// a 5xx (lost). The project spools it by default in .bw-spool (0600) and answers 204; once Redis is back
// the spooled event is forwarded to the intake stream and the spool folder empties.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { Redis } from "ioredis";
import { buildScaffold, writeScaffold } from "../generator/cli/scaffold.js";
import { deliverEvent } from "../generated/testing.js";
import { TEST_LIMIT_MS } from "./support/children.js";
import { killAll, startServer } from "./support/processes.js";
import { startRedisServer, type RedisServer } from "./support/redis-server.js";
import { linkScaffoldModules } from "./support/scaffolded-echo-bot.js";
import { settles, until } from "./support/until.js";

const work = mkdtempSync(join(tmpdir(), "bw-scaffold-spool-"));
let redis: RedisServer | undefined;
after(async () => {
  killAll();
  await redis?.dispose();
  rmSync(work, { recursive: true, force: true });
});

const disconnect = {
  eventType: "disconnect",
  eventTime: "2026-03-01T12:00:01.000Z",
  accountId: "7700002",
  applicationId: "a3f0c2de-3333-4b2c-9d3e-4f5a6b7c8d90",
  from: "+19195550111",
  to: "+19195550122",
  direction: "inbound",
  callId: "c-scaffold-spool-1",
  callUrl: "https://voice.bandwidth.com/api/v2/accounts/7700002/calls/c-scaffold-spool-1",
  startTime: "2026-03-01T12:00:00.000Z",
  endTime: "2026-03-01T12:00:02.000Z",
  cause: "hangup",
};

test("the scaffolded --queue bullmq receiver, Redis stopped: a voice disconnect is spooled in .bw-spool and answered 204, then forwarded when Redis is back", { timeout: TEST_LIMIT_MS }, async () => {
  redis = await startRedisServer({ persist: true });
  const dir = join(work, "queued");
  writeScaffold(dir, buildScaffold({ dir, framework: "node", queue: "bullmq" }), false);
  linkScaffoldModules(dir, ["bullmq", "ioredis"]);
  await redis.stop();
  const server = startServer(process.execPath, ["--import", "tsx", "src/server.ts"], dir, {
    PORT: "0",
    BW_CALLBACK_USERNAME: "cb-user",
    BW_CALLBACK_PASSWORD: "cb-pass",
    REDIS_URL: redis.url,
  });
  const probe = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  probe.on("error", () => {});
  try {
    const base = await server.url;
    const answer = await deliverEvent({ url: `${base}/callbacks/voice`, body: disconnect, username: "cb-user", password: "cb-pass" });
    assert.equal(answer.status, 204, `${answer.body}\n${server.output()}`);
    const spool = join(dir, ".bw-spool");
    const files = readdirSync(spool).filter((n) => n.endsWith(".spool"));
    assert.equal(files.length, 1, server.output());
    assert.equal(statSync(join(spool, files[0])).mode & 0o777, 0o600);

    await redis.start();
    await until(() => readdirSync(spool).filter((n) => n.endsWith(".spool")).length === 0);
    await probe.connect();
    const entries = await probe.xrange("bw:intake:bandwidth-webhooks", "-", "+");
    assert.equal(entries.length, 1, "the spooled event is in the intake stream");
    assert.match(entries[0][1].join(" "), /c-scaffold-spool-1/);
  } finally {
    probe.disconnect();
    process.kill(server.child.pid!, "SIGTERM");
    await settles(server.exit, "exit after SIGTERM").catch(() => undefined);
  }
});
