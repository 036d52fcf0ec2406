/**
 * The simulator sends callbacks (and with them the application's credentials) only to the origin of the
 * callback URL the user gave, the script's disconnect URL, and origins the user allows (`allowOrigins`,
 * `--allow-origin`). A BXML URL pointing anywhere else, or using a scheme other than http(s) (`data:`,
 * `file:`), is refused: nothing is sent, and the trace reports a `url-refused` problem.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { simulateCall, type CallTrace } from "../generated/testing.js";
import { runCliAsync } from "./support/cli.js";
import { PASS, USER, startRaw } from "./support/simulate.js";

interface Seen {
  url: string;
  authorization: string | null;
}

/** An in-process receiver: challenges, then answers initiate with `bxml`; records every request. */
function receiver(bxml: string): { seen: Seen[]; fetch: (request: Request) => Promise<Response> } {
  const seen: Seen[] = [];
  return {
    seen,
    async fetch(request) {
      seen.push({ url: request.url, authorization: request.headers.get("authorization") });
      if (request.headers.get("authorization") === null) return new Response(null, { status: 401, headers: { "www-authenticate": 'Basic realm="r"' } });
      const event = (await request.json()) as { eventType: string };
      if (event.eventType === "initiate") return new Response(`<Response>${bxml}</Response>`, { headers: { "content-type": "application/xml" } });
      return new Response(null, { status: 204 });
    },
  };
}

const refused = (trace: CallTrace) => trace.entries.filter((e) => e.kind === "problem" && e.code === "url-refused");

describe("simulateCall: callback URLs are confined to allowed origins", () => {
  it("a Redirect to another origin is not sent (no credentials leave) and is reported", async () => {
    const target = receiver(`<Redirect redirectUrl="http://elsewhere.example:8080/steal" username="${USER}" password="${PASS}"/>`);
    const trace = await simulateCall({ fetch: target.fetch }, { username: USER, password: PASS });
    assert.deepEqual(target.seen.filter((s) => !s.url.startsWith("http://bw-simulator.localhost/")), []);
    const problems = refused(trace);
    assert.equal(problems.length, 1);
    assert.match(problems[0].kind === "problem" ? problems[0].message : "", /redirectUrl points to http:\/\/elsewhere\.example:8080, outside the origin of the callback URL .*--allow-origin http:\/\/elsewhere\.example:8080/);
    assert.equal(trace.ok, false);
  });

  it("the same Redirect is sent, with the credentials, once its origin is allowed", async () => {
    const target = receiver(`<Redirect redirectUrl="http://elsewhere.example:8080/next" username="${USER}" password="${PASS}"/>`);
    const trace = await simulateCall({ fetch: target.fetch }, { username: USER, password: PASS, allowOrigins: ["http://elsewhere.example:8080"] });
    assert.equal(refused(trace).length, 0);
    const sent = target.seen.filter((s) => s.url.startsWith("http://elsewhere.example:8080/next"));
    assert.equal(sent.length, 2, "challenge, then with credentials");
    assert.notEqual(sent[1].authorization, null);
  });

  it("a data: URL (or any scheme but http/https) is refused and reported", async () => {
    for (const url of ["data:text/xml,hello", "file:///etc/passwd"]) {
      const target = receiver(`<Gather gatherUrl="${url}" maxDigits="1" username="${USER}" password="${PASS}"/>`);
      const trace = await simulateCall({ fetch: target.fetch }, { username: USER, password: PASS, digits: ["1"] });
      assert.deepEqual(target.seen.filter((s) => !s.url.startsWith("http://bw-simulator.localhost/")), []);
      const problems = refused(trace);
      assert.equal(problems.length, 1, url);
      assert.match(problems[0].kind === "problem" ? problems[0].message : "", /callbacks go over http or https only/);
    }
  });

  it("a fallback URL outside the origin is dropped, the primary (same origin) still sent", async () => {
    const target = receiver(`<Redirect redirectUrl="/next" redirectFallbackUrl="https://elsewhere.example/fallback" username="${USER}" password="${PASS}" fallbackUsername="${USER}" fallbackPassword="${PASS}"/>`);
    const trace = await simulateCall({ fetch: target.fetch }, { username: USER, password: PASS });
    assert.ok(target.seen.some((s) => s.url === "http://bw-simulator.localhost/next"));
    assert.ok(!target.seen.some((s) => s.url.includes("elsewhere")));
    assert.equal(refused(trace).length, 1);
  });
});

describe("bw-codegen simulate call --allow-origin", () => {
  let first: Awaited<ReturnType<typeof startRaw>>;
  let second: Awaited<ReturnType<typeof startRaw>>;
  before(async () => {
    second = await startRaw(() => ({ status: 200, body: "<Response><Hangup/></Response>" }));
    first = await startRaw((_x, e) => (e?.eventType === "initiate" ? { status: 200, body: `<Response><Redirect redirectUrl="${second.url}" username="${USER}" password="${PASS}"/></Response>` } : { status: 204 }));
  });
  after(async () => {
    await first.close();
    await second.close();
  });

  const cli = (args: string[]) => runCliAsync(args, { env: { NO_COLOR: "1" } });

  it("refuses the other port without the flag (exit 1, nothing sent there), sends it with the flag", async () => {
    const without = await cli(["simulate", "call", "--url", first.url, "--username", USER, "--password", PASS]);
    assert.equal(without.status, 1, without.stderr + without.stdout);
    assert.match(without.stdout, new RegExp(`outside the origin of the callback URL.*--allow-origin ${second.origin.replace(/[.]/g, "\\.")}`));
    assert.equal(second.seen.length, 0);
    const allowed = await cli(["simulate", "call", "--url", first.url, "--username", USER, "--password", PASS, "--allow-origin", second.origin]);
    assert.equal(allowed.status, 0, allowed.stderr + allowed.stdout);
    assert.equal(second.seen.length, 2);
  });

  it("--allow-origin must be an http(s) URL (usage error, exit 2)", async () => {
    const run = await cli(["simulate", "call", "--url", first.url, "--allow-origin", "data:x"]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--allow-origin must be http or https/);
  });
});
