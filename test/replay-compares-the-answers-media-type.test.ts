// What a demanding user found replaying a capture of a simulated call: an answer whose BXML stayed the same
// but went out as `text/html` (a framework's default after a refactor) was "no difference", while Bandwidth
// reads BXML sent as `application/xml`; replay now names it (`content-type`), a charset or case difference
// is none, and an empty answer's media type is not compared. And `fixtures` named a refused delivery's
// fixture `…-voice-unknown.json`: it is named by its answer (`…-voice-refused-401.json`).
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { replayCapture, simulateCall } from "../generated/testing.js";
import { compareAnswers } from "../generated/runtime/capture/compare.js";
import { fixturesCommand } from "../generator/cli/fixtures.js";
import { captureFolder } from "./support/capture.js";

const { root, createCapture } = captureFolder("bw-replay-media-type-");
const scratch = mkdtempSync(join(tmpdir(), "bw-fixtures-refused-"));
after(() => rmSync(scratch, { recursive: true, force: true }));
const credentials = { username: "bw-user", password: "media-type-s3cret" };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

test("an answer's media type is compared: the same BXML sent as text/html is a difference, a charset is not", async () => {
  const capture = createCapture({ dir: join(root, "call") });
  const webhooks = createBandwidthWebhooks({
    credentials: [credentials],
    logger: quiet,
    capture,
    voice: {
      initiate: () => `<Response><Gather gatherUrl="/callbacks/voice" username="${credentials.username}" password="${credentials.password}" maxDigits="1"><SpeakSentence>Press 1</SpeakSentence></Gather></Response>`,
      gather: () => "<Response><SpeakSentence>Bye</SpeakSentence><Hangup/></Response>",
      disconnect: () => undefined,
    },
  });
  const trace = await simulateCall({ fetch: (request) => webhooks.fetch(request), path: "/callbacks/voice" }, { ...credentials, digits: ["1"], speed: "max" });
  assert.equal(trace.ok, true, JSON.stringify(trace.problems));
  const text = (await capture.close()).map((file) => readFileSync(file, "utf8")).join("");

  /** The same receiver behind a front that rewrites the answers' Content-Type. */
  const retyped = (contentType: (original: string | null) => string | null) => async (request: Request) => {
    const response = await webhooks.fetch(request);
    const headers = new Headers(response.headers);
    const type = contentType(headers.get("content-type"));
    if (type === null) headers.delete("content-type");
    else headers.set("content-type", type);
    return new Response(response.status === 204 ? null : await response.text(), { status: response.status, headers });
  };
  const same = await replayCapture(webhooks.fetch, text, credentials);
  assert.deepEqual(same.results.flatMap((r) => r.differences), []);

  const html = await replayCapture(retyped((t) => (t?.includes("xml") ? "text/html; charset=utf-8" : t)), text, credentials);
  assert.deepEqual(
    html.results.map((r) => [r.event, r.differences]),
    [
      ["initiate", [{ path: "content-type", recorded: "application/xml; charset=utf-8", actual: "text/html; charset=utf-8" }]],
      ["gather", [{ path: "content-type", recorded: "application/xml; charset=utf-8", actual: "text/html; charset=utf-8" }]],
      ["disconnect", []], // 204, no body: its media type is not compared
    ],
  );
  const charset = await replayCapture(retyped((t) => (t?.includes("xml") ? "Application/XML" : t)), text, credentials);
  assert.deepEqual(charset.results.flatMap((r) => r.differences), []);
  const none = await replayCapture(retyped((t) => (t?.includes("xml") ? null : t)), text, credentials);
  assert.deepEqual(none.results.map((r) => r.differences.map((d) => d.path)), [["content-type"], ["content-type"], []]);

  assert.deepEqual(compareAnswers({ status: 200, contentType: "application/json", body: "" }, { status: 200, contentType: "text/plain", body: "" }), []);
});

test("fixtures names a refused delivery's fixture by its answer, not as unknown", async () => {
  const line = (event: string | undefined, status: number, omitted?: string) =>
    JSON.stringify({ v: 1, at: "2026-12-05T08:00:00.000Z", family: "voice", event, method: "POST", url: "/callbacks/voice", headers: {}, body: omitted === undefined ? "{}" : null, ...(omitted === undefined ? {} : { omitted }), answer: { status, body: "" }, latencyMs: 0 });
  const file = join(scratch, "capture.ndjson");
  writeFileSync(file, `${line("initiate", 200)}\n${line(undefined, 401, "not read: answered 401 before the body")}\n${line(undefined, 400)}\n${line(undefined, 200)}\n`);
  const out = join(scratch, "fixtures");
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  let code: number;
  try {
    code = await fixturesCommand.run([file, "--out", out]);
  } finally {
    process.stdout.write = write;
  }
  assert.equal(code, 0);
  assert.deepEqual(readdirSync(out).sort(), ["001-voice-initiate.json", "002-voice-refused-401.json", "003-voice-refused-400.json", "004-voice-unknown.json", "replay.test.mjs"]);
});
