/**
 * The simulator's verdicts match what Bandwidth does with an answer (callbacks.md, call-flow.md,
 * bxml-verbs.md): an empty 2xx to a callback whose BXML Bandwidth runs is a problem (conference events
 * may answer an empty 204); a reply over 64 KB says so and ends the call with invalid-bxml; an
 * asynchronous callback that meets a connection error is retried once, and only the outcome of the
 * retry counts (a retry that gets through is no problem; two failures are one problem). Raw node:http
 * receivers on 127.0.0.1.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { simulateCall } from "../generated/testing.js";
import { bxmlAnswer as xml, ACK as ack, closedAfterEach, PASS, USER, assertPayloadsValid, events, startRaw, type RawAnswer, type RawExchange } from "./support/simulate.js";


const running = closedAfterEach();

async function raw(answer: (exchange: RawExchange, event: Record<string, unknown> | undefined) => RawAnswer) {
  const server = await startRaw(answer);
  running.push(server);
  return server;
}

describe("empty answers to callbacks whose reply Bandwidth runs", () => {
  it("an empty 200 to gather is a problem naming the event; the call still hangs up as with <Response/>", async () => {
    const server = await raw((_x, e) =>
      e?.eventType === "initiate" ? xml(`<Gather gatherUrl="/g" maxDigits="1" username="${USER}" password="${PASS}"/>`) : e?.eventType === "gather" ? { status: 200 } : ack,
    );
    const trace = await simulateCall(server.url, { username: USER, password: PASS, digits: ["1"] });
    assert.equal(trace.ok, false);
    assert.deepEqual(trace.problems.map((p) => [p.code, p.event]), [["empty-reply", "gather"]]);
    assert.match(trace.problems[0].message, /Bandwidth runs the BXML in the reply to this event/);
    assert.equal(trace.cause, "hangup");
    assert.deepEqual(events(trace), ["initiate", "gather", "disconnect"]);
  });

  it("an empty 204 to the conference events is allowed (the reference says so)", async () => {
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(`<Conference conferenceEventUrl="/conf" username="${USER}" password="${PASS}">room</Conference>`) : ack));
    const trace = await simulateCall(server.url, { username: USER, password: PASS, conferenceSeconds: 5 });
    assert.deepEqual(trace.problems, []);
    assert.ok(events(trace).includes("conferenceMemberJoin"));
    assertPayloadsValid(trace);
  });
});

describe("a reply over 64 KB", () => {
  it("is reported as over Bandwidth's 64 KB limit (with its size), and the call ends with invalid-bxml", async () => {
    const words = "word ".repeat(14_000); // 70 000 bytes of otherwise valid BXML
    const server = await raw((_x, e) => (e?.eventType === "initiate" ? xml(`<SpeakSentence>${words}</SpeakSentence>`) : ack));
    const trace = await simulateCall(server.url, { username: USER, password: PASS });
    const problem = trace.problems.find((p) => p.event === "initiate");
    assert.ok(problem, JSON.stringify(trace.problems));
    assert.equal(problem.code, "reply-too-large");
    assert.match(problem.message, /the reply is \d+ bytes; Bandwidth accepts at most 64 KB \(65536 bytes\)/);
    assert.equal(trace.cause, "invalid-bxml");
    assert.deepEqual(trace.said, []);
    assert.ok(trace.requests[0].body.length <= 65_536, "the trace keeps at most 64 KB of an answer");
  });
});

/** A receiver whose dtmf URL drops the connection on the first `drops` requests with credentials, then answers 204. */
async function flaky(drops: number) {
  let dropped = 0;
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      if (req.headers.authorization === undefined) {
        res.writeHead(401, { "www-authenticate": 'Basic realm="t"', "content-length": "0" }).end();
        return;
      }
      const event = JSON.parse(body) as { eventType: string };
      seen.push(event.eventType);
      if (event.eventType === "dtmf" && dropped < drops) {
        dropped++;
        req.socket.destroy(); // a connection error: no HTTP answer at all
        return;
      }
      const reply = event.eventType === "initiate" ? `<Response><StartGather dtmfUrl="/dtmf" username="${USER}" password="${PASS}"/><Pause duration="2"/></Response>` : "";
      res.writeHead(reply === "" ? 204 : 200, { "content-type": "application/xml", "content-length": String(Buffer.byteLength(reply)) }).end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const handle = {
    url: `${origin}/callbacks/voice`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  running.push(handle);
  return handle;
}

describe("asynchronous callbacks are retried once on a connection error", () => {
  it("a retry that gets through is delivered: no problem, the retry is marked", async () => {
    const server = await flaky(1);
    const trace = await simulateCall(server.url, { username: USER, password: PASS, dtmf: "5" });
    const dtmf = trace.requests.filter((r) => r.event === "dtmf");
    assert.deepEqual(dtmf.map((r) => [r.delivered, r.retry === true]), [[false, false], [true, true]]);
    assert.deepEqual(trace.problems, [], "delivered on the retry: Bandwidth counts it as delivered");
    assert.equal(trace.ok, true);
    assert.ok(trace.entries.some((e) => e.kind === "note" && /retries an asynchronous callback once/.test(e.text)));
    assert.deepEqual(server.seen.filter((e) => e === "dtmf").length, 2);
  });

  it("two connection errors are one problem, on the retry, and nothing is sent a third time", async () => {
    const server = await flaky(5);
    const trace = await simulateCall(server.url, { username: USER, password: PASS, dtmf: "5" });
    assert.equal(trace.requests.filter((r) => r.event === "dtmf").length, 2);
    assert.deepEqual(trace.problems.map((p) => [p.code, p.event]), [["callback-failed", "dtmf"]]);
    assert.match(trace.problems[0].message, /its one retry after a connection error failed too/);
    assert.equal(server.seen.filter((e) => e === "dtmf").length, 2);
  });

  it("a 5xx is not a connection error: not retried", async () => {
    const server = await raw((x, e) => (e?.eventType === "initiate" ? xml(`<StartGather dtmfUrl="/dtmf" username="${USER}" password="${PASS}"/>`) : x.path === "/dtmf" ? { status: 500 } : ack));
    const trace = await simulateCall(server.url, { username: USER, password: PASS, dtmf: "5" });
    assert.equal(trace.requests.filter((r) => r.event === "dtmf").length, 1);
    assert.equal(trace.problems.length, 1);
  });
});
