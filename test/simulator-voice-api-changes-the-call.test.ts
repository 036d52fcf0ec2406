/**
 * The Voice API stand-in (`startVoiceApi`) changes a simulated call from outside, as Bandwidth's REST API
 * does (media-streams.md "Changing a live call from a bot", bandwidth.yml): a bot on 127.0.0.1 that, on a
 * callback, gets an OAuth2 token and redirects the call (which then transfers), hangs it up, or replaces
 * its BXML; the call does it, the trace shows each request, and every payload validates. Also the
 * documented refusals: wrong client secret 401, no token 401, unknown call 404, bad body 400, wrong
 * content type 415, a call that has ended 409, invalid BXML 400; the deprecated Basic auth is a warning.
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { simulateCall, startVoiceApi, type VoiceApi } from "../generated/testing.js";
import { assertPayloadsValid, events } from "./support/simulate.js";

const CLIENT = { clientId: "bot-client", clientSecret: "bot-secret:1" };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;
const bxml = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

let running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.close()));
  running = [];
});

async function api(): Promise<VoiceApi> {
  const started = await startVoiceApi(CLIENT);
  running.push(started);
  return started;
}

async function token(voiceApi: VoiceApi, secret = CLIENT.clientSecret): Promise<Response> {
  return fetch(voiceApi.tokenUrl, {
    method: "POST",
    headers: { authorization: basic(CLIENT.clientId, secret), "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials",
  });
}

async function bearer(voiceApi: VoiceApi): Promise<string> {
  const answer = await token(voiceApi);
  assert.equal(answer.status, 200);
  const body = (await answer.json()) as { access_token: string; token_type: string; expires_in: number };
  assert.equal(body.token_type, "Bearer");
  assert.ok(body.expires_in > 0);
  return `Bearer ${body.access_token}`;
}

type Event = Record<string, unknown> & { eventType: string; callUrl: string; callId: string };
type Bot = (event: Event, path: string) => Promise<{ status: number; body?: string }>;

/** A bot (receiver) on 127.0.0.1 whose handler may call the Voice API before it answers. */
async function startBot(bot: Bot): Promise<string> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const answer = await bot(JSON.parse(Buffer.concat(chunks).toString()) as Event, req.url ?? "");
      const body = answer.body ?? "";
      res.writeHead(answer.status, { "content-type": "application/xml", "content-length": String(Buffer.byteLength(body)) }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  running.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks/voice`;
}

describe("a bot changes the call through the Voice API stand-in", () => {
  it("redirect on a gather callback: the redirect's BXML (a Transfer) replaces the document; the gather's answer never runs", async () => {
    const voiceApi = await api();
    const url = await startBot(async (event, path) => {
      if (event.eventType === "initiate") return { status: 200, body: bxml(`<Gather gatherUrl="/gather" maxDigits="1"><SpeakSentence>Press 0 for an agent</SpeakSentence></Gather>`) };
      if (event.eventType === "gather") {
        const update = await fetch(event.callUrl, {
          method: "POST",
          headers: { authorization: await bearer(voiceApi), "content-type": "application/json" },
          body: JSON.stringify({ redirectUrl: new URL("/agent", url).toString(), tag: "to-agent" }),
        });
        assert.equal(update.status, 200);
        return { status: 200, body: bxml(`<SpeakSentence>You should never hear this</SpeakSentence>`) };
      }
      if (event.eventType === "redirect") {
        assert.equal(path, "/agent");
        return { status: 200, body: bxml(`<SpeakSentence>Transferring you</SpeakSentence><Transfer transferCompleteUrl="/done"><PhoneNumber>+19195550111</PhoneNumber></Transfer>`) };
      }
      if (event.eventType === "transferComplete") return { status: 200, body: bxml(`<Hangup/>`) };
      return { status: 204 };
    });
    const trace = await simulateCall(url, { digits: ["0"], voiceApi, seed: 3 });
    assert.deepEqual(events(trace), ["initiate", "gather", "redirect", "transferComplete", "disconnect"]);
    assert.deepEqual(trace.said, ["Press 0 for an agent", "Transferring you"]);
    assert.deepEqual(trace.api.map((r) => [r.action, r.status]), [["token", 200], ["redirect", 200]]);
    assert.equal(trace.api[1].callId, trace.callId);
    const redirect = trace.requests[2].payload as Record<string, unknown>;
    assert.equal(redirect.tag, "to-agent", "the update's tag is on the redirect callback");
    assert.equal((trace.requests[0].payload as Record<string, unknown>).callUrl, `${voiceApi.url}/accounts/9900000/calls/${trace.callId}`);
    assert.ok(trace.verbs.some((v) => v.verb === "Transfer"));
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assertPayloadsValid(trace);
  });

  it("state completed on a dtmf callback hangs up: nothing after runs, disconnect says hangup", async () => {
    const voiceApi = await api();
    const url = await startBot(async (event) => {
      if (event.eventType === "initiate") return { status: 200, body: bxml(`<StartGather dtmfUrl="/dtmf"/><SpeakSentence>Say something</SpeakSentence><SpeakSentence>Still here</SpeakSentence>`) };
      if (event.eventType === "dtmf") {
        const update = await fetch(event.callUrl, { method: "POST", headers: { authorization: await bearer(voiceApi), "content-type": "application/json" }, body: JSON.stringify({ state: "completed" }) });
        assert.equal(update.status, 200);
      }
      return { status: 204 };
    });
    const trace = await simulateCall(url, { dtmf: "9", voiceApi });
    assert.deepEqual(events(trace), ["initiate", "dtmf", "disconnect"]);
    assert.deepEqual(trace.said, []);
    assert.equal(trace.cause, "hangup");
    assert.match(trace.entries.find((e) => e.kind === "end")?.reason ?? "", /Voice API/);
    assert.deepEqual(trace.api.map((r) => r.action), ["token", "hangup"]);
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assertPayloadsValid(trace);
  });

  it("PUT …/bxml replaces the running BXML (204); Basic auth works but is a warning", async () => {
    const voiceApi = await api();
    const url = await startBot(async (event) => {
      if (event.eventType === "initiate") return { status: 200, body: bxml(`<Gather gatherUrl="/g" maxDigits="1"/>`) };
      if (event.eventType === "gather") {
        const put = await fetch(`${event.callUrl}/bxml`, {
          method: "PUT",
          headers: { authorization: basic(CLIENT.clientId, CLIENT.clientSecret), "content-type": "application/xml" },
          body: `<?xml version="1.0" encoding="UTF-8"?><Bxml><SpeakSentence>Replaced</SpeakSentence><Hangup/></Bxml>`,
        });
        assert.equal(put.status, 204);
        return { status: 200, body: bxml(`<SpeakSentence>Old</SpeakSentence>`) };
      }
      return { status: 204 };
    });
    const trace = await simulateCall(url, { digits: ["1"], voiceApi });
    assert.deepEqual(trace.said, ["Replaced"]);
    assert.deepEqual(trace.api.map((r) => [r.action, r.status]), [["bxml", 204]]);
    assert.deepEqual(trace.warnings.map((w) => w.code), ["voice-api-basic-auth"]);
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
  });
});

describe("the stand-in answers errors as Bandwidth documents them", () => {
  it("token: a wrong secret is 401 invalid_client; another grant is 400", async () => {
    const voiceApi = await api();
    const wrong = await token(voiceApi, "not-the-secret");
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: string }).error, "invalid_client");
    const grant = await fetch(voiceApi.tokenUrl, { method: "POST", headers: { authorization: basic(CLIENT.clientId, CLIENT.clientSecret), "content-type": "application/x-www-form-urlencoded" }, body: "grant_type=password" });
    assert.equal(grant.status, 400);
    assert.equal(((await grant.json()) as { error: string }).error, "unsupported_grant_type");
  });

  it("update call: no token 401, unknown call 404, bad body 400, wrong type 415, invalid BXML 400, an ended call 409", async () => {
    const voiceApi = await api();
    const seen: Record<string, number | string> = {};
    const url = await startBot(async (event) => {
      if (event.eventType === "initiate") {
        const auth = await bearer(voiceApi);
        const post = (target: string, body: string, headers: Record<string, string> = {}) =>
          fetch(target, { method: "POST", headers: { authorization: auth, "content-type": "application/json", ...headers }, body });
        seen.noToken = (await fetch(event.callUrl, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status;
        seen.badToken = (await post(event.callUrl, `{"state":"completed"}`, { authorization: "Bearer nope" })).status;
        seen.unknown = (await post(event.callUrl.replace(event.callId, "c-00000000-00000000-0000-0000-0000-000000000000"), `{"state":"completed"}`)).status;
        const bad = await post(event.callUrl, `{"state":"active"}`);
        seen.bad = bad.status;
        const error = (await bad.json()) as { type: string; description: string };
        seen.badType = typeof error.type;
        seen.badDescription = error.description;
        seen.notAllowed = (await post(event.callUrl, JSON.stringify({ state: "completed", redirectUrl: "http://127.0.0.1:1/x" }))).status;
        seen.notJson = (await post(event.callUrl, "state=completed")).status;
        seen.type = (await post(event.callUrl, `{"state":"completed"}`, { "content-type": "text/plain" })).status;
        seen.invalidBxml = (await fetch(`${event.callUrl}/bxml`, { method: "PUT", headers: { authorization: auth, "content-type": "application/xml" }, body: "<Bxml><Gather maxDigits=\"0\"/></Bxml>" })).status;
        return { status: 200, body: bxml(`<SpeakSentence>Nothing changed</SpeakSentence>`) };
      }
      if (event.eventType === "disconnect") {
        seen.ended = (await fetch(event.callUrl, { method: "POST", headers: { authorization: await bearer(voiceApi), "content-type": "application/json" }, body: `{"state":"completed"}` })).status;
      }
      return { status: 204 };
    });
    const trace = await simulateCall(url, { voiceApi });
    assert.deepEqual(seen, { noToken: 401, badToken: 401, unknown: 404, bad: 400, badType: "string", badDescription: "redirectUrl is required when state is active", notAllowed: 400, notJson: 400, type: 415, invalidBxml: 400, ended: 409 });
    assert.deepEqual(trace.said, ["Nothing changed"], "no refused request changed the call");
    assert.ok(trace.api.filter((r) => r.action === "refused").every((r) => r.status >= 400 && r.error !== undefined));
    assert.equal(trace.cause, "hangup");
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
  });

  it("requests outside a simulated call find no call (404); the trace keeps passwords out", async () => {
    const voiceApi = await api();
    const update = await fetch(`${voiceApi.url}/accounts/9900000/calls/c-1`, { method: "POST", headers: { authorization: await bearer(voiceApi), "content-type": "application/json" }, body: `{"state":"completed"}` });
    assert.equal(update.status, 404);
    const url = await startBot(async (event) => {
      if (event.eventType === "initiate") {
        await fetch(event.callUrl, { method: "POST", headers: { authorization: await bearer(voiceApi), "content-type": "application/json" }, body: JSON.stringify({ redirectUrl: new URL("/r", event.callUrl).toString(), username: "u", password: "redirect-pass" }) });
        return { status: 200, body: bxml("<Pause/>") };
      }
      return { status: 204 };
    });
    const trace = await simulateCall(url, { voiceApi });
    assert.ok(!JSON.stringify(trace).includes("redirect-pass"));
    assert.ok(!JSON.stringify(trace).includes(CLIENT.clientSecret));
    // the redirect URL is on the stand-in's origin, not the bot's: refused like any callback to another origin
    assert.ok(trace.problems.some((p) => p.code === "url-refused" && p.event === "redirect"));
  });
});
