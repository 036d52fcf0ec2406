/**
 * The call simulator (`simulateCall`, templates/runtime/simulate/) against real receivers on 127.0.0.1:
 * the generated webhooks on the node:http adapter and on Express run a multi-step IVR (answer → Gather →
 * gather → Transfer → transferAnswer → transferComplete → disconnect) and a Record flow; every payload
 * the simulator sends validates (strict mode) with the project's validators; ids stay consistent and
 * timestamps advance. Also in-process (`webhooks.fetch`, `webhooks.node`) with no URL at all.
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createBandwidthWebhooks } from "../generated/index.js";
import { Gather, Hangup, PhoneNumber, Record, Response, SpeakSentence, Transfer } from "../generated/bxml/index.js";
import { simulateCall, type CallTrace } from "../generated/testing.js";
import { PASS, USER, assertPayloadsValid, events, quiet, startWebhooks, type Running } from "./support/simulate.js";

/** A verb's callbacks carry that verb's credentials (Bandwidth's rule), so every verb with a URL has them. */
const auth = { username: USER, password: PASS };

const ivr = {
  answer: () => Response(Gather({ gatherUrl: "/callbacks/voice", ...auth, maxDigits: 1 }, SpeakSentence("Press 1 for sales, 2 to leave a message"))),
  initiate: () => Response(Gather({ gatherUrl: "/callbacks/voice", ...auth, maxDigits: 1 }, SpeakSentence("Press 1 for sales, 2 to leave a message"))),
  gather: (event: { digits?: string }) =>
    event.digits === "1"
      ? Response(
          SpeakSentence("Connecting you"),
          Transfer({ transferCompleteUrl: "/callbacks/voice", ...auth }, PhoneNumber("+19195550101", { transferAnswerUrl: "/callbacks/voice", transferDisconnectUrl: "/callbacks/voice", ...auth })),
        )
      : event.digits === "2"
        ? Response(SpeakSentence("Speak after the tone"), Record({ recordCompleteUrl: "/callbacks/voice", recordingAvailableUrl: "/callbacks/voice", ...auth, maxDuration: 30 }))
        : Response(Hangup()),
  transferAnswer: () => Response(SpeakSentence("A caller from the IVR")),
  transferComplete: () => Response(SpeakSentence("Thank you, goodbye")),
  recordComplete: () => Response(SpeakSentence("Message saved")),
  transferDisconnect: () => undefined,
  recordingAvailable: () => undefined,
  disconnect: () => undefined,
};

/** Timestamps never go back and the call's ids are the same on every A-leg event. */
function assertConsistent(trace: CallTrace): void {
  let last = 0;
  for (const r of trace.requests) {
    const p = r.payload as Record<string, string>;
    const t = Date.parse(p.eventTime);
    assert.ok(t >= last, `${r.event}: eventTime went back`);
    last = t;
    assert.equal(p.accountId === undefined || p.accountId === "9900000", true);
    if (r.leg === "A") assert.equal(p.callId, trace.callId, `${r.event} has another callId`);
  }
}

for (const adapter of ["node", "express"] as const) {
  describe(`simulated calls against the ${adapter} adapter`, () => {
    let server: Running;
    after(() => server?.close());

    it("runs a multi-step IVR: answer → Gather → gather → Transfer → transferAnswer → transferComplete → disconnect", async () => {
      server = await startWebhooks(adapter, ivr as never);
      const trace = await simulateCall(server.url, { username: USER, password: PASS, direction: "outbound", digits: ["1"], seed: 7 });
      assert.deepEqual(events(trace), ["answer", "gather", "transferAnswer", "transferDisconnect", "transferComplete", "disconnect"]);
      assert.equal(trace.ok, true, JSON.stringify(trace.problems));
      assert.ok(trace.requests.every((r) => r.auth === "challenged" && r.delivered), "every callback went through the 401 challenge");
      assert.deepEqual(trace.said, ["Press 1 for sales, 2 to leave a message", "Connecting you", "A caller from the IVR", "Thank you, goodbye"]);
      assert.deepEqual(trace.pressed, ["1"]);
      assert.equal(trace.cause, "hangup");
      const gather = trace.requests[1].payload as Record<string, unknown>;
      assert.equal(gather.digits, "1");
      assert.equal(gather.terminatingDigit, "");
      const answer = trace.requests[2].payload as Record<string, unknown>;
      assert.notEqual(answer.callId, trace.callId, "the B-leg has its own call id");
      assert.equal(answer.parentCallId, trace.callId);
      assert.equal(answer.transferTo, "+19195550101");
      assert.equal((trace.requests[3].payload as Record<string, unknown>).callId, answer.callId);
      assert.equal((trace.requests[4].payload as Record<string, unknown>).cause, "hangup");
      assert.ok(trace.requests.every((r) => r.url === server.url), "relative URLs resolve against the callback URL");
      assertConsistent(trace);
      assertPayloadsValid(trace);
    });

    it("runs a Record flow: initiate → Gather → gather → Record → recordComplete → recordingAvailable → disconnect", async () => {
      const trace = await simulateCall(server.url, { username: USER, password: PASS, digits: ["2"], recordings: [{ seconds: 12 }], seed: 8 });
      assert.deepEqual(events(trace), ["initiate", "gather", "recordComplete", "recordingAvailable", "disconnect"]);
      assert.equal(trace.ok, true, JSON.stringify(trace.problems));
      const complete = trace.requests[2].payload as Record<string, unknown>;
      const available = trace.requests[3].payload as Record<string, unknown>;
      assert.equal(complete.duration, "PT12S");
      assert.equal(complete.recordingId, available.recordingId);
      assert.equal(available.status, "complete");
      assert.equal(available.answerTime, undefined, "recordingAvailable carries no answerTime");
      assert.equal((trace.requests[0].payload as Record<string, unknown>).answerTime, undefined, "initiate carries no answerTime");
      assert.ok(trace.said.includes("Message saved"));
      assert.deepEqual(trace.pressed, ["2", "#"]);
      assertConsistent(trace);
      assertPayloadsValid(trace);
    });
  });
}

describe("simulateCall in-process", () => {
  const webhooks = createBandwidthWebhooks({ credentials: [{ username: USER, password: PASS }], logger: quiet, voice: ivr } as never);

  it("calls webhooks.fetch directly (no URL, no server) and returns what the caller heard", async () => {
    const trace = await simulateCall(webhooks.fetch, { username: USER, password: PASS, digits: ["9"] });
    assert.deepEqual(events(trace), ["initiate", "gather", "disconnect"]);
    assert.ok(trace.said.includes("Press 1 for sales, 2 to leave a message"));
    assert.equal(trace.ok, true);
    assertPayloadsValid(trace);
  });

  it("serves webhooks.node on 127.0.0.1 for the length of the call", async () => {
    const trace = await simulateCall(webhooks.node, { username: USER, password: PASS, digits: ["1"], transfers: [{ answered: false }] });
    assert.deepEqual(events(trace), ["initiate", "gather", "transferDisconnect", "transferComplete", "disconnect"]);
    const complete = trace.requests[3].payload as Record<string, unknown>;
    assert.equal(complete.cause, "timeout");
    assert.ok(trace.requests[0].url.startsWith("http://127.0.0.1:"));
    assertPayloadsValid(trace);
  });

  it("reports the wrong credentials as a dropped callback", async () => {
    const trace = await simulateCall(webhooks.fetch, { username: USER, password: "wrong" });
    assert.equal(trace.ok, false);
    assert.equal(trace.requests[0].auth, "rejected");
    assert.equal(trace.problems[0].code, "callback-dropped");
    assert.equal(trace.cause, "callback-error");
  });
});

describe("the simulator engine is edge-safe", () => {
  it("has no static node: import in generated/runtime/simulate (node:http is loaded only for a node listener target)", async () => {
    const { readdirSync, readFileSync } = await import("node:fs");
    const dir = new URL("../generated/runtime/simulate/", import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith(".js"));
    assert.ok(files.length >= 8);
    for (const file of files) {
      const text = readFileSync(new URL(file, dir), "utf8");
      assert.doesNotMatch(text, /^\s*import[^;]*from\s*["']node:/m, `${file} imports a node: module`);
      assert.doesNotMatch(text, /\brequire\(/, `${file} uses require`);
    }
  });
});
