// README.md's TypeScript examples are real: every line of every ```ts block is in
// test/types/readme-example.ts (type-checked by `npm test`), and that code runs here on 127.0.0.1: the
// handler example answers Bandwidth's challenge and returns BXML that parseBxml accepts, with nothing
// after a Gather that has a gatherUrl; the testing, hooks and validation examples do what they say.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseBxml } from "bw-codegen/bxml";
import { deliverEvent } from "bw-codegen/testing";
import { REPO_ROOT } from "./support/cli.js";

process.env.BW_CALLBACK_PASSWORD = "readme-password";
process.env.BW_CLIENT_SECRET = "readme-client-secret";
const { readmeHooks, readmeSimulate, readmeTesting, readmeValidation, readmeVoiceApi, readmeWebhooks, saved, logged } = await import("./types/readme-example.js");

const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
const EXAMPLE_FILE = readFileSync(join(REPO_ROOT, "test", "types", "readme-example.ts"), "utf8");
const lines = (code: string) => code.split("\n").map((l) => l.trim()).filter(Boolean);
const example = (family: string, event: string, overrides: Record<string, unknown> = {}) => ({
  ...JSON.parse(readFileSync(join(REPO_ROOT, "schemas", family, `${event}.schema.json`), "utf8")).examples[0],
  ...overrides,
});
const AUTH = { username: "bw", password: "readme-password" };

describe("README examples", () => {
  it("every line of every ts block of README.md is in test/types/readme-example.ts, in order", () => {
    const blocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    assert.ok(blocks.length >= 4, "the README has its examples");
    const file = lines(EXAMPLE_FILE);
    for (const block of blocks) {
      let at = 0;
      for (const line of lines(block)) {
        const found = file.indexOf(line, at);
        assert.ok(found !== -1, `README line not in readme-example.ts (after line ${at}): ${line}`);
        at = found + 1;
      }
    }
  });

  describe("the handler example, served on 127.0.0.1", () => {
    const server = http.createServer(readmeWebhooks().node);
    let url = "";
    before(async () => {
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`;
    });
    after(() => server.close());

    const bxml = (body: string) => {
      const parsed = parseBxml(body);
      assert.ok(parsed.ok, `valid BXML: ${JSON.stringify(!parsed.ok && parsed.errors)}`);
      return parsed.value;
    };

    it("answer: a Gather with gatherUrl and the credentials, and nothing after it (parseBxml)", async () => {
      const result = await readmeTesting(readmeWebhooks()); // the "Test your receiver" example
      assert.equal(result.challenge?.status, 401);
      assert.equal(result.status, 200);
      assert.deepEqual(result.verbs, ["Gather"]);
      const gather = bxml(result.body).children[0] as { attributes: Record<string, unknown> };
      assert.equal(gather.attributes.gatherUrl, "/callbacks/voice");
      assert.deepEqual([gather.attributes.username, gather.attributes.password], [AUTH.username, AUTH.password]);
    });

    it("gather: 1 transfers to sales, no digit to the operator (parseBxml)", async () => {
      for (const [digits, number] of [["1", "+19195550101"], ["", "+19195550100"], ["5", "+19195550100"]]) {
        const result = await deliverEvent({ url: `${url}/voice`, body: example("voice", "gather", { digits }), ...AUTH });
        assert.deepEqual(result.verbs, ["Transfer"], digits);
        const transfer = bxml(result.body).children[0] as { children: { children: string[] }[] };
        assert.deepEqual(transfer.children[0].children, [number], digits);
      }
    });

    it("disconnect answers 204 and logs; a messaging array calls messageReceived once per event; the emergency query gets JSON", async () => {
      const disconnect = await deliverEvent({ url: `${url}/voice`, body: example("voice", "disconnect", { callId: "c-readme" }), ...AUTH });
      assert.equal(disconnect.status, 204);
      assert.ok(logged.some((args) => args[0] === "c-readme"));
      const before = saved.length;
      const inbound = example("messaging", "message-received");
      const messages = await deliverEvent({ url: `${url}/messaging`, body: [inbound, inbound], ...AUTH });
      assert.equal(messages.status, 200);
      assert.equal(saved.length - before, 2);
      const query = await deliverEvent({ url: `${url}/emergency?to=911&from=%2B19195550142`, method: "GET", body: {}, ...AUTH });
      assert.equal(query.status, 200, query.body);
      assert.deepEqual(query.json, { aeui: "+19195550142", location_id: "hq" });
    });
  });

  it("the hooks example: each hook hears its situation", async () => {
    const events: string[] = [];
    const server = http.createServer(readmeHooks(events).node).listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks/voice`;
    try {
      await deliverEvent({ url, body: example("voice", "answer"), ...AUTH });
      await deliverEvent({ url, body: example("voice", "answer", { eventTime: "yesterday" }), ...AUTH });
      await deliverEvent({ url, body: example("voice", "answer", { eventType: "somethingNew" }), ...AUTH });
      await deliverEvent({ url, body: example("voice", "disconnect"), ...AUTH });
    } finally {
      server.close();
    }
    assert.ok(events.includes("401 on /callbacks/voice: missing"), events.join("\n"));
    assert.ok(events.some((e) => /^answer drift: \/eventTime$/.test(e)), events.join("\n"));
    assert.ok(events.some((e) => /^voice answer 200 [0-9.]+ ms$/.test(e)), events.join("\n")); // onResponse
    assert.ok(events.includes("no handler for voice somethingNew"), events.join("\n"));
    assert.ok(events.includes("no handler for voice disconnect"), events.join("\n"));
  });

  it("the validation example narrows a valid event and reports an invalid one", () => {
    assert.equal(readmeValidation(JSON.stringify(example("voice", "answer")))?.eventType, "answer");
    assert.equal(readmeValidation(JSON.stringify(example("voice", "answer", { eventTime: "soon" }))), undefined);
    assert.match(JSON.stringify(logged.at(-1)), /\/eventTime/);
  });

  it("the simulate example plays a whole call against the handler example, in process", async () => {
    const trace = await readmeSimulate(readmeWebhooks());
    assert.deepEqual(trace.pressed, ["1"]);
    assert.ok(trace.requests.some((r) => r.event === "gather" && r.status === 200), "the gather callback was answered");
  });

  it("the Voice API example serves the call: callUrl points at the stand-in; the handler example makes no request", async () => {
    const { withApi, voiceApi } = await readmeVoiceApi(readmeWebhooks());
    assert.equal(withApi.ok, true, JSON.stringify(withApi.problems));
    assert.deepEqual(withApi.api, []);
    assert.ok(String((withApi.requests[0].payload as { callUrl: string }).callUrl).startsWith(`${voiceApi.url}/accounts/`));
  });
});
