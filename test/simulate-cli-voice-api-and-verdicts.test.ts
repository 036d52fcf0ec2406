/**
 * The CLI side of the Voice API stand-in and of the verdicts (runs of the CLI binary against receivers
 * on 127.0.0.1): `simulate call --voice-api 0` prints the stand-in's base URL on stderr, a bot that
 * follows the events' callUrl hangs the call up through it and the transcript shows the request;
 * --voice-api without a client is a usage error. `simulate event`: BXML answered to an event whose reply
 * Bandwidth ignores, and a receiver that never challenges, are warnings (exit 0); an empty answer to a
 * BXML event fails (exit 1).
 */
import { afterEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { runCliAsync } from "./support/cli.js";
import { PASS, USER, startRaw } from "./support/simulate.js";

let running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.close()));
  running = [];
});

const CLIENT_ID = "cli-bot";
const CLIENT_SECRET = "cli-bot-secret";
const env = { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined };

/** A bot that answers initiate with a Gather, and on gather hangs the call up through event.callUrl (token URL from the same origin). */
async function hangingUpBot(): Promise<string> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const event = JSON.parse(Buffer.concat(chunks).toString()) as { eventType: string; callUrl: string };
      let body = "";
      if (event.eventType === "initiate") body = `<Response><Gather gatherUrl="/g" maxDigits="1"><SpeakSentence>Press any key to hang up</SpeakSentence></Gather></Response>`;
      if (event.eventType === "gather") {
        const origin = new URL(event.callUrl).origin;
        const token = await fetch(`${origin}/api/v1/oauth2/token`, {
          method: "POST",
          headers: { authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64")}`, "content-type": "application/x-www-form-urlencoded" },
          body: "grant_type=client_credentials",
        });
        const { access_token } = (await token.json()) as { access_token: string };
        await fetch(event.callUrl, { method: "POST", headers: { authorization: `Bearer ${access_token}`, "content-type": "application/json" }, body: `{"state":"completed"}` });
        body = `<Response><SpeakSentence>Not heard</SpeakSentence></Response>`;
      }
      res.writeHead(body === "" ? 204 : 200, { "content-type": "application/xml", "content-length": String(Buffer.byteLength(body)) }).end(body);
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

describe("simulate call --voice-api", () => {
  it("prints the stand-in's URL; the bot hangs up through it; the transcript shows the request", async () => {
    const url = await hangingUpBot();
    const run = await runCliAsync(["simulate", "call", "--url", url, "--digits", "5", "--voice-api", "0"], { env: { ...env, BW_CLIENT_ID: CLIENT_ID, BW_CLIENT_SECRET: CLIENT_SECRET } });
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stderr, /Voice API stand-in for this call on http:\/\/127\.0\.0\.1:\d+\/api\/v2 \(OAuth2 token: http:\/\/127\.0\.0\.1:\d+\/api\/v1\/oauth2\/token, client id cli-bot\)/);
    assert.match(run.stdout, /⇐ Voice API POST \/api\/v1\/oauth2\/token {2}200 {2}OAuth2 token/);
    assert.match(run.stdout, /⇐ Voice API POST \/api\/v2\/accounts\/9900000\/calls\/c-[0-9a-f-]+ {2}200 {2}hang up the call/);
    assert.match(run.stdout, /call ended: hangup \(hung up through the Voice API/);
    assert.doesNotMatch(run.stdout, /caller hears: "Not heard"/);
    assert.match(run.stdout, /the answer to gather is set aside: the call was changed through the Voice API/);
    const times = [...run.stdout.matchAll(/^\s*\+(\d+\.\d+)s/gm)].map((m) => Number(m[1]));
    assert.deepEqual(times, [...times].sort((a, b) => a - b), `the requests made during a callback come after it, and times never go back:\n${run.stdout}`);
    assert.ok(!run.stdout.includes(CLIENT_SECRET) && !run.stderr.includes(CLIENT_SECRET), "the client secret is never printed");
  });

  it("--voice-api without a client id and secret, or with a bad port, is a usage error", async () => {
    const bare = { ...env, BW_CLIENT_ID: undefined, BW_CLIENT_SECRET: undefined };
    const noClient = await runCliAsync(["simulate", "call", "--url", "http://127.0.0.1:9/x", "--voice-api", "0"], { env: bare });
    assert.equal(noClient.status, 2);
    assert.match(noClient.stderr, /--voice-api needs the OAuth2 client the bot uses: --client-id and --client-secret/);
    const badPort = await runCliAsync(["simulate", "call", "--url", "http://127.0.0.1:9/x", "--voice-api", "http", "--client-id", "a", "--client-secret", "b"], { env: bare });
    assert.equal(badPort.status, 2);
    assert.match(badPort.stderr, /--voice-api must be a port from 0 to 65535/);
  });
});

describe("simulate event verdicts", () => {
  it("BXML answered to disconnect is a warning (exit 0); an endpoint that never challenges is a security warning (exit 0)", async () => {
    const bxmlBack = await startRaw(() => ({ status: 200, body: "<Response><Hangup/></Response>" }));
    running.push(bxmlBack);
    const ignored = await runCliAsync(["simulate", "event", "disconnect", "--url", bxmlBack.url, "--username", USER, "--password", PASS], { env });
    assert.equal(ignored.status, 0, ignored.stdout + ignored.stderr);
    assert.match(ignored.stdout, /⚠ Bandwidth ignores the reply to disconnect: this BXML never runs/);
    const open = await startRaw(() => ({ status: 204 }), false);
    running.push(open);
    const unprotected = await runCliAsync(["simulate", "event", "disconnect", "--url", open.url, "--username", USER, "--password", PASS, "--json"], { env });
    assert.equal(unprotected.status, 0, unprotected.stdout + unprotected.stderr);
    const outcome = JSON.parse(unprotected.stdout) as { ok: boolean; auth: string; warnings: string[] };
    assert.equal(outcome.ok, true);
    assert.equal(outcome.auth, "unprotected");
    assert.match(outcome.warnings[0], /^security: credentials are configured, but the request without them was answered 204/);
  });

  it("an empty answer to gather (whose BXML Bandwidth runs) fails", async () => {
    const empty = await startRaw(() => ({ status: 200 }));
    running.push(empty);
    const run = await runCliAsync(["simulate", "event", "gather", "--url", empty.url, "--username", USER, "--password", PASS], { env });
    assert.equal(run.status, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /✗ gather: the answer is empty, but Bandwidth runs the BXML in the reply to this event/);
  });
});
