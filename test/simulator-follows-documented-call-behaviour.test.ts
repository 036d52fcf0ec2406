/**
 * Behaviours Bandwidth documents for BXML verbs (shared/reference bxml-verbs.md, callbacks.md) that the
 * simulator got wrong, each against a raw receiver on 127.0.0.1: tags on <PhoneNumber> and <Conference>;
 * conference recordings (conferenceRecordingAvailable); bridgeTargetComplete's BXML running on the
 * target; busy / rejected transfer targets and failed bridges from the script; the default
 * transferCallerId; callTimeout on <Transfer> and <Forward>; paused time in recordings; <Ring
 * answerCall="false">. Every payload sent validates with the project's validators (strict mode).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { simulateCall, type CallTrace } from "../generated/testing.js";
import { bxmlAnswer as xml, ACK as ack, closedAfterEach, PASS, USER, assertPayloadsValid, events, startRaw, type RawAnswer, type RawExchange } from "./support/simulate.js";

const creds = `username="${USER}" password="${PASS}"`;
const call = { username: USER, password: PASS, seed: 61 };

const running = closedAfterEach();

async function raw(answer: (exchange: RawExchange, event: Record<string, unknown> | undefined) => RawAnswer) {
  const server = await startRaw(answer);
  running.push(server);
  return server;
}

/** The payload of the first (or `nth`) request of an event type. */
function payload(trace: CallTrace, event: string, nth = 0): Record<string, unknown> {
  const found = trace.requests.filter((r) => r.event === event)[nth];
  assert.ok(found !== undefined, `no ${event} #${nth} in ${events(trace).join(", ")}`);
  return found.payload as Record<string, unknown>;
}

const transferTo = (numbers: string[], attrs = "", destAttrs = "") =>
  `<Transfer transferCompleteUrl="/done" ${creds} ${attrs}>${numbers.map((n) => `<PhoneNumber transferAnswerUrl="/answer" transferDisconnectUrl="/gone" ${creds} ${destAttrs}>${n}</PhoneNumber>`).join("")}</Transfer>`;

describe("tags", () => {
  it("a tag on <PhoneNumber> goes with that leg's callbacks, not the caller's", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(transferTo(["+19195550101"], "", 'tag="sales-leg"')) : ack));
    const trace = await simulateCall(server.url, { ...call, tag: "caller-tag" });
    assert.deepEqual(events(trace), ["initiate", "transferAnswer", "transferDisconnect", "transferComplete", "disconnect"]);
    assert.equal(payload(trace, "transferAnswer").tag, "sales-leg");
    assert.equal(payload(trace, "transferDisconnect").tag, "sales-leg");
    assert.equal(payload(trace, "transferComplete").tag, "caller-tag");
    assert.equal(payload(trace, "disconnect").tag, "caller-tag");
    assertPayloadsValid(trace);
  });

  it("an empty tag on <PhoneNumber> leaves the field out of that leg's callbacks", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(transferTo(["+19195550101"], "", 'tag=""')) : ack));
    const trace = await simulateCall(server.url, { ...call, tag: "caller-tag" });
    assert.equal("tag" in payload(trace, "transferAnswer"), false);
    assert.equal(payload(trace, "transferComplete").tag, "caller-tag");
    assertPayloadsValid(trace);
  });

  it("a tag on <Conference> is the call's tag for the conference's callbacks and every later one", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(`<Conference tag="standup-7" conferenceEventUrl="/conf" ${creds}>standup</Conference>`) : ack));
    const trace = await simulateCall(server.url, call);
    assert.deepEqual(events(trace), ["initiate", "conferenceCreated", "conferenceMemberJoin", "conferenceMemberExit", "conferenceCompleted", "disconnect"]);
    for (const r of trace.requests.slice(1)) assert.equal((r.payload as Record<string, unknown>).tag, "standup-7", r.event);
    assertPayloadsValid(trace);
  });

  it("an empty tag on <Conference> removes the field from then on", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(`<Conference tag="" conferenceEventUrl="/conf" ${creds}>standup</Conference>`) : ack));
    const trace = await simulateCall(server.url, { ...call, tag: "before" });
    for (const r of trace.requests.slice(1)) assert.equal("tag" in (r.payload as Record<string, unknown>), false, `${r.event} has a tag`);
    assertPayloadsValid(trace);
  });
});

describe("recordings", () => {
  it("<StartRecording> in conference BXML sends conferenceRecordingAvailable (one channel) to its recordingAvailableUrl", async () => {
    const server = await raw((_x, e) =>
      e?.eventType === "initiate"
        ? xml(`<Conference tag="board" conferenceEventUrl="/conf" ${creds}>board</Conference>`)
        : e?.eventType === "conferenceCreated"
          ? xml(`<StartRecording recordingAvailableUrl="/conf-rec" multiChannel="true" fileFormat="mp3" ${creds}/>`)
          : ack,
    );
    const trace = await simulateCall(server.url, { ...call, conferenceSeconds: 40 });
    assert.deepEqual(events(trace), ["initiate", "conferenceCreated", "conferenceMemberJoin", "conferenceMemberExit", "conferenceCompleted", "conferenceRecordingAvailable", "disconnect"]);
    const rec = payload(trace, "conferenceRecordingAvailable");
    assert.equal(rec.conferenceId, payload(trace, "conferenceCreated").conferenceId);
    assert.equal(rec.channels, 1, "conference recordings are always one channel");
    assert.equal(rec.fileFormat, "mp3");
    assert.equal(rec.tag, "board");
    assert.equal(rec.status, "complete");
    assert.ok(trace.requests.find((r) => r.event === "conferenceRecordingAvailable")?.url.endsWith("/conf-rec"));
    assert.ok(Number(String(rec.duration).slice(2, -1)) >= 40);
    assertPayloadsValid(trace);
  });

  it("paused time is not part of a recording's duration", async () => {
    const server = await raw((_x, e) =>
      e?.eventType === "initiate"
        ? xml(`<StartRecording recordingAvailableUrl="/rec" ${creds}/><Pause duration="2"/><PauseRecording/><Pause duration="10"/><ResumeRecording/><Pause duration="3"/><StopRecording/>`)
        : ack,
    );
    const trace = await simulateCall(server.url, call);
    const rec = payload(trace, "recordingAvailable");
    assert.equal(rec.duration, "PT5S");
    assert.equal(Date.parse(String(rec.endTime)) - Date.parse(String(rec.startTime)), 15_000, "start and end times are the wall-clock ones");
    assertPayloadsValid(trace);
  });
});

describe("bridges", () => {
  it("when the caller leaves a <Bridge> first, bridgeTargetComplete's BXML runs on the target call", async () => {
    const server = await raw((_x, e) =>
      e?.eventType === "initiate"
        ? xml(`<Bridge bridgeTargetCompleteUrl="/target" ${creds}>c-0a1b2c3d-4e5f6a7b-1234-4abc-9def-0123456789ab</Bridge>`)
        : e?.eventType === "bridgeTargetComplete"
          ? xml("<SpeakSentence>The caller has left</SpeakSentence>")
          : ack,
    );
    const trace = await simulateCall(server.url, { ...call, bridgeEndedBy: "caller" });
    assert.deepEqual(events(trace), ["initiate", "disconnect", "bridgeTargetComplete"]);
    assert.equal(payload(trace, "bridgeTargetComplete").callId, "c-0a1b2c3d-4e5f6a7b-1234-4abc-9def-0123456789ab");
    assert.deepEqual(trace.said, ["The caller has left"]);
    assert.deepEqual(trace.verbs.map((v) => `${v.leg}:${v.verb}`), ["A:Bridge", "target:SpeakSentence"]);
    const ended = Date.parse(String(payload(trace, "disconnect").endTime));
    assert.ok(ended <= Date.parse(String(payload(trace, "bridgeTargetComplete").eventTime)), "the caller's call ended when it left the bridge, not after the target's BXML");
    assertPayloadsValid(trace);
  });

  it("a failed bridge (scripted) sends bridgeComplete with the cause and an errorMessage; its BXML runs", async () => {
    const server = await raw((_x, e) =>
      e?.eventType === "initiate"
        ? xml(`<Bridge bridgeCompleteUrl="/bridged" ${creds}>c-0a1b2c3d-4e5f6a7b-1234-4abc-9def-0123456789ab</Bridge>`)
        : e?.eventType === "bridgeComplete"
          ? xml("<SpeakSentence>Could not connect you</SpeakSentence>")
          : ack,
    );
    for (const cause of ["busy", "rejected", "unknown"] as const) {
      const trace = await simulateCall(server.url, { ...call, bridgeFailure: cause });
      assert.deepEqual(events(trace), ["initiate", "bridgeComplete", "disconnect"]);
      const complete = payload(trace, "bridgeComplete");
      assert.equal(complete.cause, cause);
      assert.equal(typeof complete.errorMessage, "string");
      assert.deepEqual(trace.said, ["Could not connect you"]);
      assertPayloadsValid(trace);
    }
  });
});

describe("transfers and forwards", () => {
  it("busy and rejected destinations (scripted) end at once with those causes; transferComplete says busy", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(transferTo(["+19195550101", "+19195550102"])) : ack));
    const trace = await simulateCall(server.url, { ...call, transfers: [{ targets: ["busy", "rejected"] }] });
    assert.deepEqual(events(trace), ["initiate", "transferDisconnect", "transferDisconnect", "transferComplete", "disconnect"]);
    assert.deepEqual([0, 1].map((i) => payload(trace, "transferDisconnect", i).cause), ["busy", "rejected"]);
    assert.ok([0, 1].every((i) => typeof payload(trace, "transferDisconnect", i).errorMessage === "string"));
    assert.equal("answerTime" in payload(trace, "transferDisconnect"), false, "never answered");
    const complete = payload(trace, "transferComplete");
    assert.equal(complete.cause, "busy");
    assert.equal(typeof complete.errorMessage, "string");
    assertPayloadsValid(trace);
  });

  it("a busy destination next to one that answers: the busy one ends, the other is bridged", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(transferTo(["+19195550101", "+19195550102"])) : ack));
    const trace = await simulateCall(server.url, { ...call, transfers: [{ targets: ["busy", "answer"] }] });
    assert.deepEqual(events(trace), ["initiate", "transferDisconnect", "transferAnswer", "transferDisconnect", "transferComplete", "disconnect"]);
    assert.equal(payload(trace, "transferDisconnect").cause, "busy");
    assert.equal(payload(trace, "transferAnswer").transferTo, "+19195550102");
    assert.equal(payload(trace, "transferComplete").cause, "hangup");
    assertPayloadsValid(trace);
  });

  it("without transferCallerId the B-leg shows the remote party: the caller of an inbound call, the called party of an outbound one", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" || e?.eventType === "answer" ? xml(transferTo(["+19195550101"])) : ack));
    const inbound = await simulateCall(server.url, { ...call, from: "+19195550100", to: "+19195550142" });
    assert.equal(payload(inbound, "transferAnswer").transferCallerId, "+19195550100");
    const outbound = await simulateCall(server.url, { ...call, direction: "outbound", from: "+19195550100", to: "+19195550142" });
    assert.equal(payload(outbound, "transferAnswer").transferCallerId, "+19195550142", "not the application's own number");
    assert.equal(payload(outbound, "transferComplete").transferCallerId, "+19195550142");
    assertPayloadsValid(inbound);
    assertPayloadsValid(outbound);
  });

  it("callTimeout on <Transfer>: a destination that rings longer never answers (timeout); one within it answers", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(transferTo(["+19195550101"], 'callTimeout="3"')) : ack));
    const late = await simulateCall(server.url, call); // the default ring before answering is 5 s
    assert.deepEqual(events(late), ["initiate", "transferDisconnect", "transferComplete", "disconnect"]);
    assert.equal(payload(late, "transferDisconnect").cause, "timeout");
    assert.equal(payload(late, "transferComplete").cause, "timeout");
    const timed = payload(late, "transferComplete");
    assert.equal(Date.parse(String(timed.eventTime)) - Date.parse(String(payload(late, "initiate").eventTime)) < 5_000, true, "gave up at the 3 s callTimeout");
    const inTime = await simulateCall(server.url, { ...call, transfers: [{ ringSeconds: 2 }] });
    assert.deepEqual(events(inTime), ["initiate", "transferAnswer", "transferDisconnect", "transferComplete", "disconnect"]);
    assertPayloadsValid(late);
    assertPayloadsValid(inTime);
  });

  it("callTimeout on <Forward>: not answered in time ends the call with cause timeout; answered in time, with hangup", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(`<Forward to="+19195550199" callTimeout="4"/>`) : ack));
    const late = await simulateCall(server.url, { ...call, forward: { ringSeconds: 6 } });
    const d1 = payload(late, "disconnect");
    assert.equal(d1.cause, "timeout");
    assert.equal(typeof d1.errorMessage, "string");
    assert.equal("answerTime" in d1, false);
    const inTime = await simulateCall(server.url, { ...call, forward: { ringSeconds: 3, talkSeconds: 20 } });
    const d2 = payload(inTime, "disconnect");
    assert.equal(d2.cause, "hangup");
    assert.equal(typeof d2.answerTime, "string");
    const busy = await simulateCall(server.url, { ...call, forward: { outcome: "busy" } });
    assert.equal(payload(busy, "disconnect").cause, "busy");
    for (const t of [late, inTime, busy]) assertPayloadsValid(t);
  });

  it("script mistakes in the new fields are refused with the field's name", async () => {
    await assert.rejects(simulateCall("http://127.0.0.1:9/", { transfers: [{ targets: ["maybe" as never] }] }), /transfers\[0\]\.targets\[0\]/);
    await assert.rejects(simulateCall("http://127.0.0.1:9/", { forward: { outcome: "later" as never } }), /forward\.outcome/);
    await assert.rejects(simulateCall("http://127.0.0.1:9/", { bridgeFailure: "gone" as never }), /bridgeFailure/);
  });
});

describe("<Ring answerCall>", () => {
  it('answerCall="false" leaves the call unanswered: no answerTime on later callbacks', async () => {
    const server = await raw((_x, e) =>
      e?.eventType === "initiate" ? xml(`<Ring duration="2" answerCall="false"/><Redirect redirectUrl="/next" ${creds}/>`) : e?.eventType === "redirect" ? xml("<Hangup/>") : ack,
    );
    const trace = await simulateCall(server.url, call);
    assert.deepEqual(events(trace), ["initiate", "redirect", "disconnect"]);
    assert.equal("answerTime" in payload(trace, "redirect"), false);
    assert.equal("answerTime" in payload(trace, "disconnect"), false);
    assertPayloadsValid(trace);
  });

  it("a Ring without answerCall answers the call", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(`<Ring duration="2"/><Redirect redirectUrl="/next" ${creds}/>`) : e?.eventType === "redirect" ? xml("<Hangup/>") : ack));
    const trace = await simulateCall(server.url, call);
    assert.equal(typeof payload(trace, "redirect").answerTime, "string");
    assertPayloadsValid(trace);
  });
});
