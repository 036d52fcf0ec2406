// The copy-paste examples of the README's "Runs on" table run for real, each on its own runtime's HTTP
// server on 127.0.0.1: examples/worker (esbuild bundle of src/index.ts served by workerd with the
// compatibility date of its wrangler.toml, no compatibility flag), examples/deno/main.ts (with exactly the
// permissions its header gives) and examples/bun/server.ts. A delivery with Bandwidth's 401 handshake and
// a simulated inbound call go over the network to each one.
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deliverEvent, simulateCall } from "bw-codegen/testing";
import { ROOT, bundleForWorkerd, ensureRuntime, freePort, runtime, startListening, stopAll, workerdConfig } from "./support/runtimes.js";
import type { Running } from "./support/runtimes.js";

const USERNAME = "bw";
const PASSWORD = "example-s3cret:with:colons";
const ANSWER = JSON.parse(readFileSync(join(ROOT, "schemas/voice/answer.schema.json"), "utf8")).examples[0];

mkdirSync(join(ROOT, ".tmp"), { recursive: true });
const work = mkdtempSync(join(ROOT, ".tmp", "examples-"));
after(() => {
  stopAll();
  rmSync(work, { recursive: true, force: true });
});

const WRANGLER = readFileSync(join(ROOT, "examples/worker/wrangler.toml"), "utf8");

const EXAMPLES: { name: string; greeting: string; start: (port: number) => Promise<Running> }[] = [
  {
    name: "Cloudflare Worker (examples/worker) in workerd",
    greeting: "Hello from a Worker",
    start: async (port) => {
      const bundle = join(work, "example-worker.js");
      await bundleForWorkerd(join(ROOT, "examples/worker/src/index.ts"), bundle);
      const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(WRANGLER)![1];
      const config = join(work, "example.capnp");
      writeFileSync(config, workerdConfig({ modulePath: "example-worker.js", port, compatibilityDate, bindings: { BW_CALLBACK_USERNAME: USERNAME, BW_CALLBACK_PASSWORD: PASSWORD } }));
      return startListening(ensureRuntime(runtime("workerd")), ["serve", config], `http://127.0.0.1:${port}/`);
    },
  },
  {
    name: "Deno (examples/deno/main.ts), --allow-net and the example's own env names only",
    greeting: "Hello from Deno",
    start: (port) =>
      startListening(
        ensureRuntime(runtime("Deno")),
        ["run", "--no-prompt", "--allow-net", "--allow-env=BW_CALLBACK_USERNAME,BW_CALLBACK_PASSWORD,PORT", "examples/deno/main.ts"],
        `http://127.0.0.1:${port}/`,
        { env: { BW_CALLBACK_USERNAME: USERNAME, BW_CALLBACK_PASSWORD: PASSWORD, PORT: String(port) } },
      ),
  },
  {
    name: "Bun (examples/bun/server.ts)",
    greeting: "Hello from Bun",
    start: (port) =>
      startListening(ensureRuntime(runtime("Bun")), ["examples/bun/server.ts"], `http://127.0.0.1:${port}/`, {
        env: { BW_CALLBACK_USERNAME: USERNAME, BW_CALLBACK_PASSWORD: PASSWORD, PORT: String(port) },
      }),
  },
];

it("the Worker example needs no compatibility flag (no nodejs_compat)", () => {
  assert.doesNotMatch(WRANGLER, /^\s*compatibility_flags/m);
});

for (const example of EXAMPLES) {
  describe(example.name, () => {
    it("answers Bandwidth's delivery (401 challenge, then BXML) and a whole simulated call over HTTP", async () => {
      const server = await example.start(await freePort());
      try {
        const url = `${server.url}callbacks/voice`;
        const result = await deliverEvent({ url, body: ANSWER, username: USERNAME, password: PASSWORD });
        assert.equal(result.challenge?.status, 401, server.output());
        assert.equal(result.status, 200, `${result.body}\n${server.output()}`);
        assert.match(result.body, new RegExp(`<SpeakSentence>${example.greeting}, \\${ANSWER.to}</SpeakSentence>`));
        const refused = await deliverEvent({ url, body: ANSWER, username: USERNAME, password: "wrong" }).catch((error: Error) => error);
        assert.ok(refused instanceof Error || refused.status === 401, "a wrong password is never delivered");
        const trace = await simulateCall(url, { username: USERNAME, password: PASSWORD });
        assert.equal(trace.ok, true, JSON.stringify(trace.problems));
        assert.deepEqual(trace.said, [example.greeting]);
      } finally {
        server.stop();
      }
    });
  });
}
