/**
 * The simulator reports what Bandwidth would do when a receiver misbehaves, as data in the trace (raw
 * node:http receivers on 127.0.0.1 scripted per request): a 401 without WWW-Authenticate is a dropped
 * callback; invalid BXML stops the call with the element path; a receiver that never answers times out
 * (Bandwidth's callback timeout, from the script) and the fallback URL is tried; a Redirect loop stops at
 * the step limit; BXML answered to an event whose reply is ignored is flagged; a 5xx ends the call with
 * callback-error. Plus the verb semantics a debugging developer relies on: verb credentials, GET
 * callbacks, the caller hanging up at step N, conference and bridge events, tags.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { simulateCall } from "../generated/testing.js";
import { basicAuthorization } from "../generated/runtime/testing/index.js";
import { bxmlAnswer as xml, ACK as ack, closedAfterEach, PASS, USER, assertPayloadsValid, events, startRaw, type RawAnswer, type RawExchange } from "./support/simulate.js";


const running = closedAfterEach();

async function raw(answer: (exchange: RawExchange, event: Record<string, unknown> | undefined) => RawAnswer, challenge = true) {
  const server = await startRaw(answer, challenge);
  running.push(server);
  return server;
}

describe("receivers that break Bandwidth's rules", () => {
  it("a 401 without WWW-Authenticate is a dropped callback: the call ends with callback-error", async () => {
    const server = await raw(() => ({ status: 401 }), false);
    const trace = await simulateCall(server.url, { username: USER, password: PASS });
    assert.equal(trace.ok, false);
    assert.equal(trace.requests[0].auth, "no-challenge-header");
    assert.equal(trace.requests[0].delivered, false);
    assert.equal(trace.problems[0].code, "callback-dropped");
    assert.match(trace.problems[0].message, /Bandwidth would drop this callback: 401 without WWW-Authenticate/);
    assert.equal(trace.cause, "callback-error");
    assert.equal(server.seen.filter((s) => s.authorization !== undefined).length, 0, "the credentials are never sent");
  });

  it("invalid BXML stops the call with the element path; disconnect says invalid-bxml", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(`<SpeakSentence>Hi</SpeakSentence><Gather maxDigits="0"/>`) : ack));
    const trace = await simulateCall(server.url, { username: USER, password: PASS });
    assert.equal(trace.ok, false);
    const problem = trace.problems.find((p) => p.code === "invalid-bxml");
    assert.ok(problem);
    assert.equal(problem.errors?.[0].path, "/Response/Gather[1]/@maxDigits");
    assert.match(problem.message, /\/Response\/Gather\[1\]\/@maxDigits: must be an integer from 1 to 50/);
    assert.equal(trace.verbs.length, 0, "nothing of an invalid document runs");
    assert.deepEqual(events(trace), ["initiate", "disconnect"]);
    assert.equal((trace.requests[1].payload as Record<string, unknown>).cause, "invalid-bxml");
    assertPayloadsValid(trace);
  });

  it("a receiver that never answers times out after the callback timeout; the fallback URL is tried", async () => {
    const server = await raw((x, e) => {
      if (e?.eventType === "initiate") return xml(`<Gather gatherUrl="/slow" gatherFallbackUrl="/backup" maxDigits="1" username="${USER}" password="${PASS}" fallbackUsername="${USER}" fallbackPassword="${PASS}"><SpeakSentence>Press a key</SpeakSentence></Gather>`);
      if (x.path === "/slow") return undefined; // never answers
      if (x.path === "/backup") return xml(`<SpeakSentence>Backup here</SpeakSentence>`);
      return ack;
    });
    // Deterministic evidence of the timeout: the simulator's own "no answer within 1 s" error below.
    const trace = await simulateCall(server.url, { username: USER, password: PASS, digits: ["5"], callbackTimeout: 1 });
    const slow = trace.requests.find((r) => r.url.endsWith("/slow"));
    assert.equal(slow?.status, 0);
    assert.match(slow?.error ?? "", /no answer within 1 s/);
    const backup = trace.requests.find((r) => r.url.endsWith("/backup"));
    assert.equal(backup?.via, "fallback");
    assert.equal(backup?.delivered, true);
    assert.ok(trace.said.includes("Backup here"), "the fallback's BXML runs");
    assert.equal(trace.ok, false, "the primary's timeout is still a problem");
    assert.equal(trace.problems[0].code, "callback-failed");
    assert.equal(trace.cause, "hangup");
    assertPayloadsValid(trace);
  });

  it("a receiver that times out with no fallback ends the call with callback-error", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? undefined : ack));
    const trace = await simulateCall(server.url, { username: USER, password: PASS, callbackTimeout: 1 });
    assert.equal(trace.cause, "callback-error");
    assert.match(trace.problems[0].message, /no answer within 1 s/);
    assert.equal((trace.requests.at(-1)?.payload as Record<string, unknown>).eventType, "disconnect");
  });

  it("a Redirect loop is bounded by the step limit", async () => {
    const server = await raw((_x, e) => (e?.eventType === "disconnect" ? ack : xml(`<Redirect redirectUrl="loop" username="${USER}" password="${PASS}"/>`)));
    const trace = await simulateCall(server.url, { username: USER, password: PASS, maxSteps: 12 });
    assert.equal(trace.verbs.length, 12);
    assert.equal(trace.problems.at(-1)?.code, "step-limit");
    assert.equal(trace.ok, false);
    assert.equal(events(trace).filter((e) => e === "redirect").length, 12);
    assert.ok(trace.requests.filter((r) => r.event === "redirect").every((r) => r.url === `${server.origin}/callbacks/loop`), "relative to the current URL");
    assert.equal(events(trace).at(-1), "disconnect");
  });

  it("BXML answered to an event whose reply Bandwidth ignores is a warning, not a failure", async () => {
    const server = await raw((_x, e) => (e?.eventType === "disconnect" ? xml("<Hangup/>") : xml("<SpeakSentence>Bye</SpeakSentence>")));
    const trace = await simulateCall(server.url, { username: USER, password: PASS });
    assert.deepEqual(trace.problems, []);
    assert.equal(trace.ok, true);
    assert.deepEqual(trace.warnings.map((w) => [w.code, w.event]), [["bxml-ignored", "disconnect"]]);
  });

  it("a 5xx is a failed callback; an open endpoint (no challenge) is a security warning", async () => {
    const failing = await raw(() => ({ status: 503, body: "down" }));
    const t1 = await simulateCall(failing.url, { username: USER, password: PASS });
    assert.equal(t1.cause, "callback-error");
    assert.match(t1.problems[0].message, /answered 503 \(server error\)/);
    const open = await raw((_x, e) => (e?.eventType === "initiate" ? xml("<Hangup/>") : ack), false);
    const t2 = await simulateCall(open.url, { username: USER, password: PASS });
    assert.equal(t2.requests[0].auth, "unprotected");
    assert.ok(t2.warnings.some((w) => w.code === "unauthenticated-accepted" && /security/.test(w.message)));
  });
});

describe("verb semantics", () => {
  it("uses a verb's username/password, sends GET callbacks as query strings, carries the tag", async () => {
    const server = await raw((x, e) => {
      if (x.path.startsWith("/g")) {
        assert.equal(x.method, "GET");
        return x.authorization === basicAuthorization("verb-user", "verb-pass") ? xml("<Hangup/>") : { status: 403 };
      }
      return e?.eventType === "initiate"
        ? xml(`<Tag>menu</Tag><Gather gatherUrl="/g" gatherMethod="GET" username="verb-user" password="verb-pass" terminatingDigits="#"/>`)
        : ack;
    });
    const trace = await simulateCall(server.url, { username: USER, password: PASS, digits: ["12#"] });
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    const gather = trace.requests.find((r) => r.event === "gather");
    assert.equal(gather?.method, "GET");
    const query = new URL(server.origin + server.seen.find((s) => s.path.startsWith("/g?"))!.path).searchParams;
    assert.equal(query.get("digits"), "12");
    assert.equal(query.get("terminatingDigit"), "#");
    assert.equal(query.get("tag"), "menu");
    assert.ok(!JSON.stringify(trace.verbs).includes("verb-pass"), "passwords stay out of the trace");
    assertPayloadsValid(trace);
  });

  it("the caller hangs up at step N: a Record interrupted that way sends no recordComplete", async () => {
    const server = await raw((_x, e) =>
      e?.eventType === "initiate" ? xml(`<SpeakSentence>One</SpeakSentence><SpeakSentence>Two</SpeakSentence><SpeakSentence>Three</SpeakSentence>`) : ack,
    );
    const trace = await simulateCall(server.url, { username: USER, password: PASS, hangupAtStep: 3 });
    assert.deepEqual(trace.said, ["One", "Two"]);
    assert.equal(trace.cause, "hangup");
    const rec = await raw((_x, e) => (e?.eventType === "initiate" ? xml(`<Record recordCompleteUrl="/done" recordingAvailableUrl="/available" username="${USER}" password="${PASS}"/>`) : ack));
    const t2 = await simulateCall(rec.url, { username: USER, password: PASS, recordings: [{ seconds: 3, endWith: "hangup" }] });
    assert.deepEqual(events(t2), ["initiate", "recordingAvailable", "disconnect"]);
    assertPayloadsValid(t2);
  });

  it("Conference sends created / member join / member exit / completed; Bridge sends bridgeComplete", async () => {
    const server = await raw((_x, e) => {
      if (e?.eventType === "initiate") return xml(`<Conference conferenceEventUrl="/conf" username="${USER}" password="${PASS}">standup</Conference>`);
      if (e?.eventType === "conferenceMemberJoin") return xml(`<SpeakSentence>Welcome to the standup</SpeakSentence>`);
      return ack;
    });
    const trace = await simulateCall(server.url, { username: USER, password: PASS, conferenceSeconds: 60 });
    assert.deepEqual(events(trace), ["initiate", "conferenceCreated", "conferenceMemberJoin", "conferenceMemberExit", "conferenceCompleted", "disconnect"]);
    assert.ok(trace.said.includes("Welcome to the standup"));
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assertPayloadsValid(trace);
    const bridge = await raw((_x, e) =>
      e?.eventType === "initiate" ? xml(`<Bridge bridgeCompleteUrl="/b" username="${USER}" password="${PASS}">c-0a1b2c3d-4e5f6a7b-1234-4abc-9def-0123456789ab</Bridge>`) : e?.eventType === "bridgeComplete" ? xml("<SpeakSentence>The other party left</SpeakSentence>") : ack,
    );
    const t2 = await simulateCall(bridge.url, { username: USER, password: PASS });
    assert.deepEqual(events(t2), ["initiate", "bridgeComplete", "disconnect"]);
    assert.ok(t2.said.includes("The other party left"));
    assertPayloadsValid(t2);
  });

  it("a transferAnswer reply with a verb not allowed on the B-leg is invalid BXML", async () => {
    const server = await raw((_x, e) => {
      if (e?.eventType === "initiate") return xml(`<Transfer><PhoneNumber transferAnswerUrl="/ta" username="${USER}" password="${PASS}">+19195550101</PhoneNumber></Transfer>`);
      if (e?.eventType === "transferAnswer") return xml(`<Transfer><PhoneNumber>+19195550102</PhoneNumber></Transfer>`);
      return ack;
    });
    const trace = await simulateCall(server.url, { username: USER, password: PASS });
    const problem = trace.problems.find((p) => p.code === "invalid-bxml");
    assert.ok(problem, JSON.stringify(trace.problems));
    assert.equal(problem.event, "transferAnswer");
    assert.match(problem.errors?.[0].path ?? "", /^\/Response\/Transfer\[1\]/);
  });
});

describe("background recording", () => {
  it("StopRecording sends recordingAvailable to StartRecording's URL; a second StartRecording is ignored; one still running at hang-up is sent after disconnect", async () => {
    const server = await raw((_x, e) =>
      e?.eventType === "initiate"
        ? xml(
            `<StartRecording recordingAvailableUrl="/rec" multiChannel="true" username="${USER}" password="${PASS}"/><StartRecording recordingAvailableUrl="/other" username="${USER}" password="${PASS}"/><Pause duration="4"/><StopRecording/>` +
              `<StartRecording recordingAvailableUrl="/rec2" username="${USER}" password="${PASS}"/><SpeakSentence>Still recording</SpeakSentence>`,
          )
        : { status: 204 },
    );
    const trace = await simulateCall(server.url, { username: USER, password: PASS });
    assert.deepEqual(events(trace), ["initiate", "recordingAvailable", "disconnect", "recordingAvailable"]);
    const first = trace.requests[1];
    assert.equal(first.url, `${server.origin}/rec`);
    assert.equal((first.payload as Record<string, unknown>).channels, 2);
    assert.equal((first.payload as Record<string, unknown>).duration, "PT4S");
    assert.equal(trace.requests[3].url, `${server.origin}/rec2`);
    assert.ok(trace.entries.some((e) => e.kind === "note" && /already running/.test(e.text)));
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assertPayloadsValid(trace);
  });
});

describe("transcription", () => {
  it("a Record with transcribe sends transcriptionAvailable after recordingAvailable, with the script's transcript", async () => {
    const server = await raw((_x, e) =>
      e?.eventType === "initiate"
        ? xml(`<Record transcribe="true" transcriptionAvailableUrl="/t" recordingAvailableUrl="/r" fileFormat="mp3" username="${USER}" password="${PASS}"/>`)
        : { status: 204 },
    );
    const trace = await simulateCall(server.url, { username: USER, password: PASS, recordings: [{ seconds: 8, transcript: "call me back" }] });
    assert.deepEqual(events(trace), ["initiate", "recordingAvailable", "transcriptionAvailable", "disconnect"]);
    const t = trace.requests[2].payload as { transcription: { text: string; status: string }; fileFormat: string; recordingId: string };
    assert.equal(t.transcription.text, "call me back");
    assert.equal(t.fileFormat, "mp3");
    assert.equal(t.recordingId, (trace.requests[1].payload as { recordingId: string }).recordingId);
    assertPayloadsValid(trace);
  });
});

describe("time limits", () => {
  it("stops a call that passes the script's simulated time limit", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(`<Pause duration="600"/><SpeakSentence>Never heard</SpeakSentence>`) : { status: 204 }));
    const trace = await simulateCall(server.url, { username: USER, password: PASS, maxCallSeconds: 60 });
    assert.equal(trace.problems[0].code, "time-limit");
    assert.match(trace.problems[0].message, /60 s of simulated time/);
    assert.deepEqual(trace.said, []);
    assert.equal(events(trace).at(-1), "disconnect");
  });
});

describe("StartGather", () => {
  it("sends one dtmf event per digit of the script's dtmf to dtmfUrl", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(`<StartGather dtmfUrl="/dtmf" username="${USER}" password="${PASS}"/><Pause duration="3"/>`) : { status: 204 }));
    const trace = await simulateCall(server.url, { username: USER, password: PASS, dtmf: "1*" });
    assert.deepEqual(events(trace), ["initiate", "dtmf", "dtmf", "disconnect"]);
    assert.deepEqual(trace.requests.slice(1, 3).map((r) => (r.payload as { digit: string }).digit), ["1", "*"]);
    assert.equal(trace.requests[1].url, `${server.origin}/dtmf`);
    assertPayloadsValid(trace);
  });
});
