// `bw-codegen replay --url` against a receiver that accepts connections and never answers: `--timeout S`
// gives up on each delivery after S seconds (it was a fixed 15 s each, so a capture of 10 000 deliveries
// took days against a hung receiver), reports it as "no answer" and exits 1; a timeout that is not a number
// of seconds above 0 is a usage error (exit 2). Runs the CLI binary.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { runCliAsync } from "./support/cli.js";

const root = mkdtempSync(join(tmpdir(), "bw-replay-hang-"));
const sockets = new Set<Socket>();
const hung = createServer(() => undefined); // reads the request, never answers
hung.on("connection", (socket) => {
  sockets.add(socket);
  socket.on("close", () => sockets.delete(socket));
});
after(() => {
  for (const socket of sockets) socket.destroy();
  hung.close();
  rmSync(root, { recursive: true, force: true });
});

const entry = (event: string) =>
  JSON.stringify({ v: 1, at: "2026-12-05T08:00:00.000Z", family: "voice", event, method: "POST", url: "/callbacks/voice", headers: {}, body: "{}", answer: { status: 204, body: "" }, latencyMs: 1 });

test("replay --timeout gives up on a receiver that never answers, and says so", async () => {
  await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
  const capture = join(root, "two.ndjson");
  writeFileSync(capture, `${entry("initiate")}\n${entry("answer")}\n`);
  const run = await runCliAsync(["replay", capture, "--url", url, "--timeout", "0.3"]);
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.equal(run.stdout.match(/no answer within 300 ms/g)?.length, 2, run.stdout);
  assert.match(run.stdout, /2 deliveries replayed, 2 different/);
  for (const bad of ["0", "soon"]) {
    const usage = await runCliAsync(["replay", capture, "--url", url, "--timeout", bad]);
    assert.equal(usage.status, 2, usage.stderr);
    assert.match(usage.stderr, /--timeout takes a number of seconds/);
  }
});
