/**
 * The simulator runs every verb in the BXML schemas: a verb without an executor fails the first test
 * (only the four stream/transcription verbs are allowed, until the simulator's socket work lands). Then
 * <Refer> (referComplete on success and failure, from the script), <Connect> (a BRTC endpoint) and
 * <StopGather> against raw receivers on 127.0.0.1; every payload sent validates with the project's
 * validators (strict mode).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../generator/paths.js";
import { ALL_EXECUTORS } from "../generated/runtime/simulate/registry.js";
import { simulateCall, type CallTrace } from "../generated/testing.js";
import { bxmlAnswer as xml, ACK as ack, closedAfterEach, PASS, USER, assertPayloadsValid, events, startRaw, type RawAnswer, type RawExchange } from "./support/simulate.js";

/** Verbs the simulator may still leave "not simulated": the media-stream and transcription verbs (the socket work, issue 23 item 1-2). */
const challenge: RawAnswer = { status: 401, headers: { "www-authenticate": 'Basic realm="test"' } };
const SIP_CALL = { username: USER, password: PASS, to: "sip:support@bw.example.com", seed: 23 };

const running = closedAfterEach();

/**
 * A receiver that challenges every request except those to `open` paths (Bandwidth documents no
 * credentials for referComplete, so a receiver must take it without them), then calls `answer`.
 */
async function raw(answer: (exchange: RawExchange, event: Record<string, unknown> | undefined) => RawAnswer, open: readonly string[] = []) {
  const server = await startRaw((x, e) => (x.authorization === undefined && !open.includes(x.path) ? challenge : answer(x, e)), false);
  running.push(server);
  return server;
}

const notes = (trace: CallTrace): string[] => trace.entries.flatMap((e) => (e.kind === "note" ? [e.text] : []));

describe("every BXML verb has an executor", () => {
  it("each verb schema in schemas/bxml (x-bw.kind verb) is simulated, except the listed stream verbs", () => {
    const dir = join(REPO_ROOT, "schemas", "bxml");
    const verbs = readdirSync(dir)
      .map((file) => JSON.parse(readFileSync(join(dir, file), "utf8")) as { "x-bw"?: { kind?: string; element?: string } })
      .filter((schema) => schema["x-bw"]?.kind === "verb")
      .map((schema) => schema["x-bw"]?.element as string);
    assert.ok(verbs.length >= 26, `only ${verbs.length} verb schemas found`);
    const missing = verbs.filter((verb) => ALL_EXECUTORS[verb] === undefined);
    assert.deepEqual(missing, [], `verbs the simulator does not run: ${missing.join(", ")}`);
    for (const verb of ["Connect", "Refer", "StopGather", "StartStream", "StopStream", "StartTranscription", "StopTranscription"]) assert.ok(verbs.includes(verb), `${verb} has a schema`);
  });
});

describe("<Refer>", () => {
  const referXml = `<Refer referCompleteUrl="/refer"><SipUri>sip:agent@pbx.example.com</SipUri></Refer><SpeakSentence>never heard</SpeakSentence>`;

  it("a successful REFER tears the call down, then sends referComplete (success, 202/200); its BXML is ignored", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(referXml) : e?.eventType === "referComplete" ? xml("<SpeakSentence>ignored</SpeakSentence>") : ack), ["/refer"]);
    const trace = await simulateCall(server.url, SIP_CALL);
    assert.deepEqual(events(trace), ["initiate", "referComplete", "disconnect"]);
    const complete = trace.requests[1].payload as Record<string, unknown>;
    assert.equal(complete.referCallStatus, "success");
    assert.equal(complete.referSipResponseCode, 202);
    assert.equal(complete.notifySipResponseCode, 200);
    assert.equal(complete.to, "sip:support@bw.example.com");
    assert.equal(trace.requests[1].auth, "none", "referComplete carries no credentials (none are documented)");
    assert.deepEqual(trace.said, [], "neither the verb after <Refer> nor referComplete's reply runs");
    assert.ok(notes(trace).some((n) => n.includes("ignores the BXML")));
    assert.equal(trace.cause, "hangup");
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assert.equal(trace.verbs[0].detail, undefined, "Refer is simulated");
    assertPayloadsValid(trace);
  });

  it("after a successful REFER even invalid BXML answered to referComplete is not judged (Bandwidth never runs it)", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(referXml) : e?.eventType === "referComplete" ? xml("<Transfer/>") : ack), ["/refer"]);
    const trace = await simulateCall(server.url, SIP_CALL);
    assert.deepEqual(events(trace), ["initiate", "referComplete", "disconnect"]);
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assert.equal(trace.cause, "hangup");
  });

  it("a failed REFER (scripted) keeps the call up and runs referComplete's BXML", async () => {
    const server = await raw(
      (_x, e) => (e?.eventType === "initiate" ? xml(referXml) : e?.eventType === "referComplete" ? xml("<SpeakSentence>The transfer failed</SpeakSentence>") : ack),
      ["/refer"],
    );
    const trace = await simulateCall(server.url, { ...SIP_CALL, refers: [{ status: "failure", notifySipResponseCode: 486 }] });
    assert.deepEqual(events(trace), ["initiate", "referComplete", "disconnect"]);
    const complete = trace.requests[1].payload as Record<string, unknown>;
    assert.equal(complete.referCallStatus, "failure");
    assert.equal(complete.referSipResponseCode, 405);
    assert.equal(complete.notifySipResponseCode, 486);
    assert.deepEqual(trace.said, ["The transfer failed"]);
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assertPayloadsValid(trace);
  });

  it("without referCompleteUrl a failed REFER continues with the next verb; a successful one ends the call", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(`<Refer><SipUri>sip:agent@pbx.example.com</SipUri></Refer><SpeakSentence>Still here</SpeakSentence>`) : ack));
    const failed = await simulateCall(server.url, { ...SIP_CALL, refers: [{ status: "failure" }] });
    assert.deepEqual(failed.said, ["Still here"]);
    assert.deepEqual(events(failed), ["initiate", "disconnect"]);
    const succeeded = await simulateCall(server.url, SIP_CALL);
    assert.deepEqual(succeeded.said, []);
    assertPayloadsValid(failed);
    assertPayloadsValid(succeeded);
  });

  it("a receiver that challenges referComplete drops it: the problem says Bandwidth sends no credentials with it", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(referXml) : ack));
    const trace = await simulateCall(server.url, { ...SIP_CALL, refers: [{ status: "failure" }] });
    assert.equal(trace.ok, false);
    assert.equal(trace.problems[0].code, "callback-dropped");
    assert.match(trace.problems[0].message, /documents no credentials/);
    assert.equal(trace.cause, "callback-error");
  });

  it("a refers entry that is not success/failure is a script error", async () => {
    await assert.rejects(simulateCall("http://127.0.0.1:9/", { refers: [{ status: "maybe" as never }] }), /refers\[0\]\.status/);
  });
});

describe("<Connect> and <StopGather>", () => {
  it("Connect talks with the endpoint, then the next verb runs; no Connect Status event is invented", async () => {
    const server = await raw((_x, e) =>
      e?.eventType === "initiate" ? xml(`<Connect eventCallbackUrl="/brtc"><Endpoint>ep-3f8c2a</Endpoint></Connect><SpeakSentence>Back from the endpoint</SpeakSentence>`) : ack,
    );
    const trace = await simulateCall(server.url, { username: USER, password: PASS, connects: [{ seconds: 42 }], startTime: "2026-01-01T00:00:00Z" });
    assert.deepEqual(events(trace), ["initiate", "disconnect"]);
    assert.ok(server.seen.every((x) => x.path !== "/brtc"), "nothing sent to eventCallbackUrl");
    assert.deepEqual(trace.said, ["Back from the endpoint"]);
    assert.ok(notes(trace).some((n) => n.includes("ep-3f8c2a") && n.includes("42 s")));
    assert.ok(notes(trace).some((n) => n.includes("Connect Status")));
    const disconnect = trace.requests[1].payload as Record<string, string>;
    assert.ok(Date.parse(disconnect.endTime) - Date.parse(disconnect.startTime) >= 42_000, "the call lasted the connected time");
    assert.equal(trace.verbs[0].detail, undefined);
    assertPayloadsValid(trace);
  });

  it("Connect ended by the caller ends the call", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(`<Connect><Endpoint>ep-1</Endpoint></Connect><SpeakSentence>unheard</SpeakSentence>`) : ack));
    const trace = await simulateCall(server.url, { username: USER, password: PASS, connects: [{ endedBy: "caller" }] });
    assert.deepEqual(trace.said, []);
    assert.equal(trace.cause, "hangup");
    assertPayloadsValid(trace);
  });

  it("StopGather runs (no callback, not 'not simulated')", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(`<StartGather dtmfUrl="/dtmf" username="${USER}" password="${PASS}"/><StopGather/><SpeakSentence>done</SpeakSentence>`) : ack));
    const trace = await simulateCall(server.url, { username: USER, password: PASS });
    assert.deepEqual(trace.verbs.map((v) => [v.verb, v.detail]), [["StartGather", undefined], ["StopGather", undefined], ["SpeakSentence", undefined]]);
    assert.deepEqual(events(trace), ["initiate", "disconnect"]);
    assertPayloadsValid(trace);
  });
});
