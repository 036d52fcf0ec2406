// The simulator follows Bandwidth's verb-credential rule (issue 26; /work/shared/reference auth.md §2,
// bxml-verbs.md): a verb's callbacks carry the credentials written on that verb, its fallback URL the
// verb's fallbackUsername/fallbackPassword, and never the application's. A verb without them gets none,
// so a receiver that challenges answers 401 and the callback is dropped: a problem naming the fix. Verbs
// after a hand-off (a Gather with gatherUrl, a Redirect) can never run: a warning (not a failure). The
// transcript and the JSON lines never print a password written in the receiver's BXML.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { Gather, Response, SpeakSentence, Transfer, PhoneNumber } from "../generated/bxml/index.js";
import { formatJsonLines, formatTranscript, simulateCall } from "../generated/testing.js";
import { bxmlAnswer as xml, closedAfterEach, PASS, USER, quiet, startRaw } from "./support/simulate.js";


const running = closedAfterEach();

describe("verb credentials", () => {
  it("a Gather with a gatherUrl and no credentials: its callback goes without any, the receiver's 401 drops it, the problem says what to add", async () => {
    const webhooks = createBandwidthWebhooks({
      credentials: [{ username: USER, password: PASS }],
      logger: quiet,
      voice: {
        initiate: () => Response(Gather({ gatherUrl: "/callbacks/voice", maxDigits: 1 }, SpeakSentence("Press 1"))),
        gather: () => Response(SpeakSentence("never heard")),
        disconnect: () => undefined,
      },
    });
    const trace = await simulateCall(webhooks.fetch, { username: USER, password: PASS, digits: ["1"] });
    assert.equal(trace.ok, false, "a flow whose gather callback is dropped did not run to the end");
    const gather = trace.requests.find((r) => r.event === "gather");
    assert.equal(gather?.auth, "none", "no credentials were sent with the gather callback");
    assert.equal(gather?.status, 401);
    assert.equal(trace.problems.length, 1, JSON.stringify(trace.problems));
    assert.equal(trace.problems[0].code, "callback-dropped");
    assert.match(trace.problems[0].message, /never the application's.*Add username and password on the element with gatherUrl/);
    assert.ok(!trace.said.includes("never heard"));
    assert.equal(trace.cause, "callback-error");
  });

  it("the same Gather with the verb's credentials runs to the end", async () => {
    const webhooks = createBandwidthWebhooks({
      credentials: [{ username: USER, password: PASS }],
      logger: quiet,
      voice: {
        initiate: () => Response(Gather({ gatherUrl: "/callbacks/voice", username: USER, password: PASS, maxDigits: 1 }, SpeakSentence("Press 1"))),
        gather: () => Response(SpeakSentence("heard")),
        disconnect: () => undefined,
      },
    });
    const trace = await simulateCall(webhooks.fetch, { username: USER, password: PASS, digits: ["1"] });
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assert.ok(trace.said.includes("heard"));
  });

  it("a fallback URL carries fallbackUsername/fallbackPassword, not the primary's credentials", async () => {
    const server = await startRaw((x, e) => {
      if (x.path === "/primary") return { status: 500 };
      if (x.path === "/backup") return xml("<Hangup/>");
      return e?.eventType === "initiate" ? xml(`<Redirect redirectUrl="/primary" redirectFallbackUrl="/backup" username="${USER}" password="${PASS}"/>`) : { status: 204 };
    });
    running.push(server);
    const trace = await simulateCall(server.url, { username: USER, password: PASS });
    const backup = trace.requests.find((r) => r.via === "fallback");
    assert.equal(backup?.auth, "none");
    assert.equal(backup?.status, 401);
    assert.ok(trace.problems.some((p) => /Add fallbackUsername and fallbackPassword on the element with redirectFallbackUrl/.test(p.message)), JSON.stringify(trace.problems));
    assert.equal(server.seen.filter((s) => s.path === "/backup" && s.authorization !== undefined).length, 0);
  });
});

describe("verbs that can never run", () => {
  it("verbs after a Gather with gatherUrl are a warning in the trace and the transcript; the flow still runs to the end", async () => {
    const auth = { username: USER, password: PASS };
    const webhooks = createBandwidthWebhooks({
      credentials: [auth],
      logger: quiet,
      voice: {
        initiate: () => Response(Gather({ gatherUrl: "/callbacks/voice", ...auth, maxDigits: 1 }, SpeakSentence("Press 1")), Transfer({}, PhoneNumber("+19195550100"))),
        gather: () => Response(SpeakSentence("Bye")),
        disconnect: () => undefined,
      },
    });
    const trace = await simulateCall(webhooks.fetch, { ...auth, digits: ["1"] });
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assert.equal(trace.warnings.length, 1);
    assert.equal(trace.warnings[0].code, "unreachable-verbs");
    assert.match(trace.warnings[0].message, /<Transfer> after the <Gather> with gatherUrl never runs/);
    const transcript = formatTranscript(trace);
    assert.match(transcript, /⚠ unreachable-verbs: <Transfer> after the <Gather>/);
    assert.match(transcript, /0 problems, 1 warning\)/);
  });

  it("a document with nothing after its hand-off has no warning", async () => {
    const server = await startRaw((_x, e) => (e?.eventType === "initiate" ? xml(`<SpeakSentence>Hi</SpeakSentence><Redirect redirectUrl="/r" username="${USER}" password="${PASS}"/>`) : e?.eventType === "redirect" ? xml("<Hangup/>") : { status: 204 }));
    running.push(server);
    const trace = await simulateCall(server.url, { username: USER, password: PASS });
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assert.deepEqual(trace.warnings, []);
  });
});

describe("passwords in the receiver's BXML", () => {
  it("are replaced by *** in the transcript and in the JSON lines", async () => {
    const server = await startRaw((_x, e) =>
      e?.eventType === "initiate" ? xml(`<Gather gatherUrl="/g" username="${USER}" password="${PASS}" gatherFallbackUrl="/f" fallbackUsername="f" fallbackPassword='fb-secret'/>`) : e?.eventType === "gather" ? xml("<Hangup/>") : { status: 204 },
    );
    running.push(server);
    const trace = await simulateCall(server.url, { username: USER, password: PASS });
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    for (const output of [formatTranscript(trace), formatJsonLines(trace)]) {
      assert.ok(!output.includes(PASS) && !output.includes("fb-secret"), output);
      assert.match(output, /password=\\?"\*\*\*\\?"/);
    }
  });
});
