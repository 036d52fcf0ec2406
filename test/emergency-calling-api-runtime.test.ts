// The Emergency Calling API query over real HTTP through every adapter: Bandwidth's GET ?to=…&from=…
// behind the Basic challenge reaches `emergency.callingQuery`, whose location reply is checked against
// its schema and sent as JSON; no reply is 204, an invalid one or one later than Bandwidth's 450 ms is a
// 500 reported to onError (Bandwidth then routes the call to its emergency call centre); POST is 405.
// Plus: an E.164 number sent without percent-encoding keeps its "+" (voice GET callbacks too).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { emergencyFamily, voiceFamily } from "../generated/webhooks.js";
import { validateEmergencyCallingReply } from "../generated/validators/emergency.js";
import type { EmergencyCallingReply, EmergencyHandlers, VoiceHandlers } from "../generated/index.js";
import type { WebhookErrorInfo } from "../templates/runtime/http/core.js";
import { ADAPTERS, CHALLENGE, GOOD_AUTH, PASSWORD, REALM, USERNAME, send, startServer, type RunningServer } from "./adapter-harness.js";
import { settles } from "./support/until.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const LOCATION: EmergencyCallingReply = { aeui: "user-4411", location_id: "loc-raleigh-hq", callback: "+19195550142", name: "Front desk" };

for (const adapter of ADAPTERS) {
  describe(`Emergency Calling API query (${adapter})`, () => {
    let server: RunningServer;
    const queries: { to: string; from: string }[] = [];
    const errors: { error: unknown; info: WebhookErrorInfo }[] = [];
    const voiceFrom: string[] = [];
    let slowSignal: AbortSignal | undefined;
    let releaseSlow: () => void = () => {};
    before(async () => {
      const emergency: EmergencyHandlers = {
        async callingQuery(query, context) {
          queries.push({ to: query.to, from: query.from });
          if (query.from === "+19195550000") return undefined; // unknown caller: no location
          if (query.from === "+19195550001") return { aeui: "user-1", lat: 35.78 } as EmergencyCallingReply; // lon missing
          if (query.from === "+19195550002") {
            slowSignal = context.signal;
            await new Promise<void>((resolve) => (releaseSlow = resolve)); // answers only when the test says so
            return LOCATION;
          }
          return LOCATION;
        },
      };
      const voice: VoiceHandlers = {
        disconnect(event) {
          voiceFrom.push(event.from);
          return undefined;
        },
      };
      server = await startServer(adapter, {
        credentials: [{ username: USERNAME, password: PASSWORD }],
        realm: REALM,
        logger: quiet,
        timeoutMs: 3_600_000, // an hour: only the family's own 450 ms cap can end the slow query
        onError: (error, info) => void errors.push({ error, info }),
        routes: [
          { path: "/callbacks/emergency", family: emergencyFamily, handlers: emergency },
          { path: "/callbacks/voice", family: voiceFamily, handlers: voice },
        ],
      });
    });
    after(() => server.close());

    const query = (from: string, auth: string | null = GOOD_AUTH) =>
      send(server.port, { method: "GET", path: `/callbacks/emergency?to=911&from=${from}`, headers: auth === null ? {} : { authorization: auth } });

    it("first answers the credential-less query with the challenge, then the location as JSON", async () => {
      const challenge = await query("%2B19195551234", null);
      assert.equal(challenge.status, 401);
      assert.equal(challenge.headers["www-authenticate"], CHALLENGE);
      const answer = await query("%2B19195551234");
      assert.equal(answer.status, 200);
      assert.equal(answer.headers["content-type"], "application/json; charset=utf-8");
      assert.deepEqual(JSON.parse(answer.body), LOCATION);
      assert.deepEqual(queries.at(-1), { to: "911", from: "+19195551234" });
    });

    it('keeps the "+" of a number sent without percent-encoding', async () => {
      const answer = await query("+19195551234");
      assert.equal(answer.status, 200);
      assert.deepEqual(queries.at(-1), { to: "911", from: "+19195551234" });
      const voice = await send(server.port, {
        method: "GET",
        // every field a disconnect promises, so the event is dispatched (a missing one would go to onInvalidEvent)
        path:
          "/callbacks/voice?eventType=disconnect&callId=c-1&from=+15551230000&to=%2B15553334444&cause=hangup&errorMessage=Call+was+hung+up" +
          "&eventTime=2026-05-11T14:03:17Z&accountId=5590123&applicationId=a-1&direction=inbound&callUrl=https%3A%2F%2Fvoice.example%2Fc-1" +
          "&startTime=2026-05-11T14:02:17Z&endTime=2026-05-11T14:03:17Z",
        headers: { authorization: GOOD_AUTH },
      });
      assert.equal(voice.status, 204);
      assert.deepEqual(voiceFrom, ["+15551230000"]);
    });

    it("answers 204 when the handler returns no location", async () => {
      const answer = await query("%2B19195550000");
      assert.equal(answer.status, 204);
      assert.equal(answer.body, "");
    });

    it("refuses an invalid location reply: 500 to Bandwidth, the schema errors to onError", async () => {
      errors.length = 0;
      const answer = await query("%2B19195550001");
      assert.equal(answer.status, 500);
      assert.match(answer.body, /internal_error/);
      assert.equal(errors.length, 1);
      assert.equal(errors[0].info.kind, "handler");
      assert.match(String((errors[0].error as Error).message), /lon/);
    });

    it("gives up at Bandwidth's 450 ms deadline, whatever timeoutMs says", async () => {
      errors.length = 0;
      const started = Date.now();
      const answer = await settles(query("%2B19195550002"), "the slow query"); // its handler never answers by itself; timeoutMs is an hour
      const elapsed = Date.now() - started;
      releaseSlow();
      assert.equal(answer.status, 500);
      assert.ok(elapsed >= 400, `answered after ${elapsed} ms, before the deadline`); // timers never fire early
      assert.deepEqual(errors.map((e) => e.info.kind), ["timeout"]);
      assert.match(String((errors[0].error as Error).message), /within 450 ms/, "the 450 ms cap, not timeoutMs");
      assert.equal(slowSignal?.aborted, true, "the handler's signal is aborted at the deadline");
    });

    it("answers POST (and other methods) 405 with Allow: GET", async () => {
      const post = await send(server.port, { path: "/callbacks/emergency", headers: { authorization: GOOD_AUTH, "content-type": "application/json" }, body: "{}" });
      assert.equal(post.status, 405);
      assert.equal(post.headers.allow, "GET");
    });
  });
}

describe("validateEmergencyCallingReply", () => {
  it("accepts every documented combination", () => {
    for (const reply of [
      { aeui: "u" , location_id: "l" },
      { aeui: "u", lat: 35.78, lon: -78.64 },
      { aeui: "u", location_id: "l", lat: 35.78, lon: -78.64, radius: 25 },
    ]) assert.equal(validateEmergencyCallingReply(reply).ok, true, JSON.stringify(reply));
  });
  it("rejects a reply without aeui, a lone coordinate, a radius without coordinates and out-of-range values, at their paths", () => {
    const paths = (reply: unknown) => {
      const result = validateEmergencyCallingReply(reply);
      return result.ok ? [] : result.errors.map((e) => e.path);
    };
    assert.deepEqual(paths({ location_id: "l" }), ["/aeui"]);
    assert.ok(paths({ aeui: "u", lat: 1 }).length > 0);
    assert.ok(paths({ aeui: "u", location_id: "l", radius: 5 }).length > 0);
    assert.deepEqual(paths({ aeui: "u", lat: 91, lon: 0 }), ["/lat"]);
    assert.deepEqual(paths({ aeui: "u", location_id: "l", callback: "9195550142" }), ["/callback"]);
  });
});
