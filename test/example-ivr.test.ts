// examples/ivr runs as documented: its server starts on 127.0.0.1 (a real child process), answers
// Bandwidth's 401 challenge, and walks whole calls (menu → gather → transfer, timeouts, wrong digits, a
// failed transfer) driven by deliverEvent from bw-codegen/testing; every BXML reply passes parseBxml.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseBxml } from "bw-codegen/bxml";
import { deliverEvent } from "bw-codegen/testing";
import { PROCESS_LIMIT_MS, TEST_LIMIT_MS, adopt, killChild, limitChild } from "./support/children.js";
import { REPO_ROOT } from "./support/cli.js";

const CREDENTIALS = { username: "ivr-test", password: "ivr-test-password" };
const example = (event: string, overrides: Record<string, unknown> = {}) => ({
  ...JSON.parse(readFileSync(join(REPO_ROOT, "schemas", "voice", `${event}.schema.json`), "utf8")).examples[0],
  ...overrides,
});

let server: ChildProcess;
let url: string;
let output = "";

before(async () => {
  server = adopt(spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "examples", "ivr", "server.ts")], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", BW_CALLBACK_USERNAME: CREDENTIALS.username, BW_CALLBACK_PASSWORD: CREDENTIALS.password, IVR_SALES: "+19195550111", IVR_SUPPORT: "+19195550122", NODE_ENV: "development" },
    stdio: ["ignore", "pipe", "pipe"],
  }));
  server.stderr!.on("data", (chunk) => (output += chunk));
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      killChild(server);
      reject(new Error(`the IVR did not start within ${PROCESS_LIMIT_MS / 1000} s (killed as hung):\n${output}`));
    }, PROCESS_LIMIT_MS);
    server.stdout!.on("data", (chunk) => {
      output += chunk;
      const match = /IVR listening on (http:\/\/127\.0\.0\.1:\d+\/callbacks\/voice)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    server.once("exit", (code) => reject(new Error(`the IVR exited (${code}):\n${output}`)));
  });
});

after(async () => {
  if (server === undefined || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGTERM");
  const unlimit = limitChild(server, () => undefined, 30_000); // cleanup only: SIGKILL if it ignores SIGTERM
  await exited;
  unlimit();
});

/** Deliver a voice event like Bandwidth (challenge, then credentials) and return the parsed BXML. */
async function call(event: string, overrides: Record<string, unknown> = {}) {
  const result = await deliverEvent({ url, body: example(event, overrides), ...CREDENTIALS });
  assert.equal(result.challenge?.status, 401, "Bandwidth's first, credential-less try is challenged");
  assert.match(result.challenge?.wwwAuthenticate ?? "", /^Basic realm="/);
  return result;
}

function bxml(result: Awaited<ReturnType<typeof call>>) {
  assert.equal(result.status, 200, result.body);
  const parsed = parseBxml(result.body);
  assert.ok(parsed.ok, `valid BXML: ${JSON.stringify(!parsed.ok && parsed.errors)}`);
  return parsed.value;
}

describe("examples/ivr", { timeout: TEST_LIMIT_MS }, () => {
  it("answers an inbound call (initiate) and an answered outbound call with the menu, and nothing after the Gather", async () => {
    for (const event of ["initiate", "answer"]) {
      const doc = bxml(await call(event));
      assert.deepEqual(doc.children.map((c) => typeof c === "string" ? c : c.name), ["Gather"], event);
      const gather = doc.children[0] as { attributes: Record<string, unknown>; children: unknown[] };
      assert.equal(gather.attributes.gatherUrl, "/callbacks/voice");
      assert.equal(gather.attributes.username, CREDENTIALS.username, "the gather callback carries the credentials");
      assert.match(JSON.stringify(gather.children), /press 1/);
    }
  });

  it("transfers 1 to sales and 2 to support, with a transferCompleteUrl and the credentials", async () => {
    for (const [digits, number] of [["1", "+19195550111"], ["2", "+19195550122"]]) {
      const result = await call("gather", { digits });
      assert.deepEqual(result.verbs, ["SpeakSentence", "Transfer"]);
      const transfer = bxml(result).children[1] as { attributes: Record<string, unknown>; children: { children: string[] }[] };
      assert.equal(transfer.attributes.transferCompleteUrl, "/callbacks/voice");
      assert.equal(transfer.attributes.password, CREDENTIALS.password);
      assert.deepEqual(transfer.children[0].children, [number]);
    }
  });

  it("says goodbye and hangs up on no digit, another digit, and a failed transfer", async () => {
    for (const [event, overrides, text] of [
      ["gather", { digits: "" }, /did not get a choice/],
      ["gather", { digits: "7" }, /not an option/],
      ["transferComplete", { cause: "busy" }, /Nobody could take your call/],
    ] as const) {
      const result = await call(event, overrides);
      assert.deepEqual(result.verbs, ["SpeakSentence", "Hangup"], `${event} ${JSON.stringify(overrides)}`);
      bxml(result);
      assert.match(result.body, text);
    }
  });

  it("acknowledges the disconnect with 204 and logs it; refuses wrong credentials", async () => {
    const done = await call("disconnect", { callId: "c-ivr-test-1" });
    assert.equal(done.status, 204);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(output, /call c-ivr-test-1 ended: /);
    const wrong = await deliverEvent({ url, body: example("answer"), username: CREDENTIALS.username, password: "wrong" });
    assert.equal(wrong.status, 401);
  });
});
