// `bw-codegen simulate event` sends the user agent `simulate call` sends ("BandwidthAPI/v2 (bw-codegen
// simulate)"): a newcomer's capture of a simulated call plus a messaging and a numbers event showed
// "node" for the two events (Node's fetch default), so simulated deliveries could not be told apart alike
// in the capture files or a log. Checked through a capture sink on a real receiver, as the capture sees it.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import type { CapturedDelivery } from "../generated/capture.js";
import { runCliAsync } from "./support/cli.js";

test("simulate event (messaging and numbers): the capture records the simulator's user agent", async () => {
  const seen: string[] = [];
  const webhooks = createBandwidthWebhooks({
    credentials: [{ username: "u", password: "p" }],
    logger: { info() {}, warn() {}, error() {}, debug() {} },
    capture: { record: (delivery: CapturedDelivery) => void seen.push(`${delivery.response.status} ${delivery.header("user-agent")}`) },
    messaging: { messageReceived: () => undefined },
    numbers: { portins: () => undefined },
  });
  const server = createServer(webhooks.node);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const [type, path] of [["message-received", "messaging"], ["portins", "numbers"]]) {
      const run = await runCliAsync(["simulate", "event", type, "--url", `${base}/callbacks/${path}`, "--username", "u", "--password", "p"]);
      assert.equal(run.status, 0, run.stdout + run.stderr);
    }
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  assert.deepEqual(seen, ["200 BandwidthAPI/v2 (bw-codegen simulate)", "200 BandwidthAPI/v2 (bw-codegen simulate)"]); // the capture records the answered deliveries, not the 401 challenges
});
