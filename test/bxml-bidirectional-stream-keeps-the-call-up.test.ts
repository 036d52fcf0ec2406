// The voice-bot pattern in BXML: `bidirectionalStream()` builds <StartStream mode="bidirectional"> and the
// <StopStream wait="true"/> that holds the call while the socket is open; a document whose bidirectional
// stream nothing keeps alive (the call would end at once) gets a warning from parseBxml / validateBxml,
// from `bw-codegen validate`, and in development from the webhook runtime (logged once), while the
// correct pattern gets none. The runtime part runs over real HTTP on 127.0.0.1.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Hangup, Pause, Redirect, Response, SpeakSentence, StartStream, StopStream, type VoiceBxmlReply, bidirectionalStream, parseBxml, validateBxml } from "bw-codegen/bxml";
import { createBandwidthWebhooks } from "bw-codegen";
import { loadCatalog } from "../generator/catalog.js";
import { GOOD_AUTH, PASSWORD, USERNAME, send } from "./adapter-harness.js";
import { REPO_ROOT, runCli } from "./support/cli.js";

const STREAM = { destination: "wss://bot.example.com/media", name: "bot" } as const;
const warningsOf = (xml: string) => {
  const result = parseBxml(xml);
  assert.ok(result.ok, JSON.stringify(result));
  return result.warnings;
};
const KEEP_ALIVE = /bidirectional <StartStream> does not block and nothing after it keeps the call up/;

describe("bidirectionalStream()", () => {
  it("builds the bidirectional <StartStream> (credentials, params, event URL) and <StopStream wait=\"true\"/> for the same name", () => {
    const xml = Response(
      SpeakSentence("Connecting you."),
      ...bidirectionalStream({
        ...STREAM,
        credentials: { username: "bw", password: "s3cret" },
        streamParams: { customer: "42", lang: "en-US" },
        tracks: "inbound",
        streamEventUrl: "https://app.example.com/streams",
        streamEventMethod: "POST",
        streamEventCredentials: { username: "ev", password: "pw" },
      }),
      Hangup(),
    ).toXml();
    const parsed = parseBxml(xml);
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.warnings, []);
    const [, start, stop, hangup] = parsed.value.children;
    assert.deepEqual(start, {
      name: "StartStream",
      attributes: {
        destination: "wss://bot.example.com/media",
        name: "bot",
        mode: "bidirectional",
        tracks: "inbound",
        destinationUsername: "bw",
        destinationPassword: "s3cret",
        streamEventUrl: "https://app.example.com/streams",
        streamEventMethod: "POST",
        username: "ev",
        password: "pw",
      },
      children: [
        { name: "StreamParam", attributes: { name: "customer", value: "42" }, children: [] },
        { name: "StreamParam", attributes: { name: "lang", value: "en-US" }, children: [] },
      ],
    });
    assert.deepEqual(stop, { name: "StopStream", attributes: { name: "bot", wait: true }, children: [] });
    assert.equal(hangup.name, "Hangup");
  });

  it("sets no credential attribute when none are given, and types credentials as a pair", () => {
    const [start] = bidirectionalStream(STREAM);
    assert.deepEqual(start.attributes, { destination: STREAM.destination, name: "bot", mode: "bidirectional" });
    assert.deepEqual(start.children, []);
    // @ts-expect-error a user name without its password does not compile
    bidirectionalStream({ ...STREAM, credentials: { username: "bw" } });
    // @ts-expect-error the name is required: the <StopStream> names the stream
    bidirectionalStream({ destination: STREAM.destination });
  });

  it("leaves the 12-parameter limit to the usual check", () => {
    const streamParams = Object.fromEntries(Array.from({ length: 13 }, (_, i) => [`p${i}`, "v"]));
    assert.throws(() => Response(...bidirectionalStream({ ...STREAM, streamParams })).toXml(), /StartStream/);
  });
});

describe("the warning for a bidirectional stream nothing keeps alive", () => {
  const start = '<StartStream destination="wss://bot.example.com/media" name="bot" mode="bidirectional"/>';
  const cases: [string, string, boolean][] = [
    ["the stream is the last verb", `<Response>${start}</Response>`, true],
    ["only short verbs follow", `<Response>${start}<SpeakSentence>Hi</SpeakSentence><Pause duration="5"/></Response>`, true],
    ["<StopStream> without wait (it stops the stream)", `<Response>${start}<StopStream name="bot"/></Response>`, true],
    ["<StopStream wait=\"false\">", `<Response>${start}<StopStream name="bot" wait="false"/></Response>`, true],
    ["<StopStream wait=\"true\"> for another stream", `<Response>${start}<StopStream name="other" wait="true"/></Response>`, true],
    ["an unnamed stream", '<Response><StartStream destination="wss://b.example.com" mode="bidirectional"/><StopStream name="bot" wait="true"/></Response>', true],
    ["a <Bxml> root", `<Bxml>${start}<Hangup/></Bxml>`, true],
    ["<StopStream name wait=\"true\"> follows", `<Response>${start}<StopStream name="bot" wait="true"/></Response>`, false],
    ["it follows after other verbs", `<Response>${start}<SpeakSentence>Hi</SpeakSentence><StopStream name="bot" wait="true"/><Hangup/></Response>`, false],
    ["a long <Pause> follows", `<Response>${start}<Pause duration="3600"/></Response>`, false],
    ["a <Redirect> follows", `<Response>${start}<Redirect redirectUrl="https://app.example.com/next"/></Response>`, false],
    ["a <Gather> follows", `<Response>${start}<Gather gatherUrl="/g"/></Response>`, false],
    ["a one-way stream is last", '<Response><StartStream destination="wss://b.example.com" name="rec"/></Response>', false],
  ];
  for (const [name, xml, warns] of cases) {
    it(`${warns ? "warns" : "does not warn"} when ${name}`, () => {
      const warnings = warningsOf(xml).filter((w) => KEEP_ALIVE.test(w.message));
      assert.equal(warnings.length, warns ? 1 : 0, JSON.stringify(warnings));
      if (warns) assert.match(warnings[0].path, /^\/(Response|Bxml)\/StartStream\[1\]$/);
    });
  }

  it("names the fix, and validateBxml (the JSON form) warns the same way", () => {
    const [warning] = warningsOf(`<Response>${start}</Response>`);
    assert.match(warning.message, /Add <StopStream name="bot" wait="true"\/> after it/);
    const tree = { name: "Response", attributes: {}, children: [StartStream({ ...STREAM, mode: "bidirectional" }), Pause({ duration: 2 })] };
    assert.equal(validateBxml(tree).warnings.filter((w) => KEEP_ALIVE.test(w.message)).length, 1);
    const fixed = { ...tree, children: [...tree.children, StopStream({ name: "bot", wait: true })] };
    assert.deepEqual(validateBxml(fixed).warnings, []);
    const redirected = { ...tree, children: [...tree.children, Redirect({ redirectUrl: "/next" })] };
    assert.deepEqual(validateBxml(redirected).warnings, []);
  });

  it("bw-codegen validate prints it as a warning (the document stays valid)", () => {
    const dir = mkdtempSync(join(tmpdir(), "bxml-stream-"));
    const bad = join(dir, "bot.xml");
    const good = join(dir, "bot-ok.xml");
    writeFileSync(bad, `<Response>${start}</Response>`);
    writeFileSync(good, Response(...bidirectionalStream(STREAM)).toXml());
    const run = runCli(["validate", "--kind", "bxml", "--json", bad, good]);
    assert.equal(run.status, 0, run.stderr);
    const [first, second] = run.stdout.trim().split("\n").map((line) => JSON.parse(line));
    assert.equal(first.valid, true);
    assert.match(first.warnings[0], /^\/Response\/StartStream\[1\]: a bidirectional <StartStream> does not block/);
    assert.equal(second.valid, true);
    assert.equal(second.warnings, undefined);
  });
});

describe("in development, the webhook runtime logs the warning once per event type", () => {
  const catalog = loadCatalog(join(REPO_ROOT, "schemas"));
  const answer = JSON.stringify(catalog.events.find((e) => e.family === "voice" && e.event === "answer")!.schema.examples[0]);
  const warnings: string[] = [];
  let reply: VoiceBxmlReply = "";
  let server: Server;
  let port = 0;
  before(async () => {
    const webhooks = createBandwidthWebhooks({
      credentials: [{ username: USERNAME, password: PASSWORD }],
      voice: { answer: () => reply },
      logger: { debug() {}, info() {}, warn: (message: string) => void warnings.push(message), error() {} },
    });
    server = createServer(webhooks.node);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const deliver = () => send(port, { headers: { authorization: GOOD_AUTH, "content-type": "application/json" }, body: answer });

  it("says nothing for the correct pattern", async () => {
    reply = Response(SpeakSentence("Hello"), ...bidirectionalStream(STREAM));
    const res = await deliver();
    assert.equal(res.status, 200);
    assert.deepEqual(warnings.filter((w) => /StartStream/.test(w)), []);
  });

  it("warns (and still sends the BXML) when the stream is the last verb, once", async () => {
    reply = Response(SpeakSentence("Hello"), StartStream({ ...STREAM, mode: "bidirectional" }));
    for (let i = 0; i < 2; i++) {
      const res = await deliver();
      assert.equal(res.status, 200);
      assert.match(res.body, /mode="bidirectional"/);
    }
    const logged = warnings.filter((w) => /StartStream/.test(w));
    assert.equal(logged.length, 1, JSON.stringify(warnings));
    assert.match(logged[0], /BXML returned for "answer" \(voice\) has a warning: \/Response\/StartStream\[1\]: a bidirectional <StartStream> does not block/);
  });
});
