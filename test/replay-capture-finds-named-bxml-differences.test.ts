// replayCapture (bw-codegen/testing): a capture of a simulated multi-step call plus messaging and numbers
// deliveries replays clean against the same receiver (the recorded BXML was pretty-printed; formatting is no
// difference), and after a deliberate handler change the difference names the BXML element path.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { parseCapture } from "../generated/capture.js";
import { replayCapture } from "../generated/testing.js";
import { compareAnswers } from "../generated/runtime/capture/compare.js";
import { PASSWORD, USERNAME, recordCapture, startReceiver } from "./support/recorder.js";

const root = mkdtempSync(join(tmpdir(), "bw-replay-"));
after(() => rmSync(root, { recursive: true, force: true }));

test("a captured call, message and numbers notification replay clean, and a handler change is named by element path", async () => {
  const files = await recordCapture(join(root, "capture"));
  const entries = files.flatMap((file) => parseCapture(readFileSync(file, "utf8")));
  assert.deepEqual(
    entries.map((e) => `${e.family}:${e.event}`),
    ["voice:initiate", "voice:gather", "voice:disconnect", "messaging:message-received", "numbers:orders"],
  );
  const same = await startReceiver();
  try {
    const report = await replayCapture(same.url, entries, { username: USERNAME, password: PASSWORD });
    assert.deepEqual(report.results.flatMap((r) => r.differences), []);
    assert.equal(report.ok, true);
    // in process, against webhooks.fetch, too
    const inProcess = await replayCapture(same.webhooks.fetch, entries, { username: USERNAME, password: PASSWORD });
    assert.equal(inProcess.ok, true, JSON.stringify(inProcess.results.flatMap((r) => r.differences)));
  } finally {
    await same.close();
  }
  const changed = await startReceiver({ variant: "changed" });
  try {
    const report = await replayCapture(changed.webhooks.fetch, entries, { username: USERNAME, password: PASSWORD });
    assert.equal(report.ok, false);
    const different = report.results.filter((r) => r.differences.length > 0);
    assert.deepEqual(different.map((r) => r.event), ["gather"]);
    assert.deepEqual(
      different[0].differences.map((d) => d.path),
      ["/Response/SpeakSentence[1]/text()"],
    );
    assert.equal(different[0].differences[0].actual, "Sales is closed");
  } finally {
    await changed.close();
  }
});

test("compareAnswers: status, attributes, missing and extra elements, JSON values", () => {
  const xml = (body: string) => ({ status: 200, contentType: "application/xml", body });
  assert.deepEqual(compareAnswers(xml(`<Response><Gather maxDigits="1"/></Response>`), xml(`<Response>\n <Gather  maxDigits="1" ></Gather>\n</Response>`)), []);
  assert.deepEqual(
    compareAnswers(xml(`<Response><Gather maxDigits="1"/></Response>`), xml(`<Response><Gather maxDigits="2"/><Hangup/></Response>`)).map((d) => d.path),
    ["/Response/Gather[1]/@maxDigits", "/Response/Hangup[1]"],
  );
  assert.deepEqual(
    compareAnswers({ status: 400, contentType: "application/json", body: `{"error":"a","n":1}` }, { status: 200, contentType: "application/json", body: `{"n":1,"error":"b"}` }).map((d) => d.path),
    ["status", "$.error"],
  );
});
