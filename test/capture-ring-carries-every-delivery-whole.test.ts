// The capture's hand-off from the receiver's thread to the writer thread is a ring of shared memory
// (templates/runtime/capture/record.ts): every delivery must come out of it whole and in order, whatever it
// carries: byte bodies at any alignment, text bodies with non-ASCII, a framework's parsed body, no body, short
// strings sent once then named by number (more of them than the table holds), long or one-off strings carried
// inline; through many wrap-arounds of a small ring; and a full ring drops deliveries (counted, told once)
// without losing the ones around them. Answers travel inline until one repeats (then by number), whatever
// their pattern. Entries are published to the writer thread in batches (writer.ts): a
// flush sees the last delivery recorded before it, a lone delivery still reaches its file without a flush,
// and deliveries recorded in bursts while the writer thread reads come out whole. Redaction is off here, so
// each entry can be compared field by field.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseCapture } from "../generated/capture.js";
import type { CaptureEntry } from "../generated/capture.js";
import type { CapturedDelivery } from "../generated/runtime/http/types.js";
import { captureFolder } from "./support/capture.js";

const { root, createCapture } = captureFolder("bw-capture-ring-");

/** What delivery `i` carries: its kind of body and strings chosen by `i`. */
function delivery(i: number): { sent: CapturedDelivery; body: string | null; omitted?: string } {
  const text = `{"n":${i},"note":"${"é€😀".repeat(i % 7)}${"x".repeat((i * 37) % 900)}"}`;
  const bytes = new TextEncoder().encode(text);
  const kind = i % 6;
  // bytes at every alignment: a view into a larger buffer, starting at i % 8
  const shifted = new Uint8Array(bytes.length + 8);
  shifted.set(bytes, i % 8);
  const body =
    kind === 0 ? shifted.subarray(i % 8, (i % 8) + bytes.length) : kind === 1 ? text : kind === 2 ? { parsed: { n: i } } : kind === 3 ? undefined : kind === 4 ? null : bytes;
  const answer = i % 5 === 0 ? `<Response><SpeakSentence>${"long answer ".repeat(60)}${i}</SpeakSentence></Response>` : "<Response/>";
  const sent: CapturedDelivery = {
    at: 1_750_000_000_000 + i,
    family: i % 2 === 0 ? "voice" : "messaging",
    path: "/callbacks/voice",
    method: i % 3 === 0 ? "GET" : "POST",
    url: i % 4 === 0 ? `/callbacks/voice?n=${i}` : "/callbacks/voice",
    eventType: `event-${i}`, // one-off short strings: more than the string table holds
    contentType: i % 9 === 0 ? undefined : "application/json",
    header: (name) => (name === "user-agent" ? `agent/${i % 3}` : undefined),
    body,
    response: { status: 200 + (i % 3), headers: { "content-type": "application/xml" }, body: answer },
    latencyMs: i / 1000,
  };
  const expected = kind === 2 ? JSON.stringify({ n: i }) : kind === 3 || kind === 4 ? "" : text;
  return { sent, body: expected };
}

function check(entry: CaptureEntry, i: number): void {
  const { sent, body } = delivery(i);
  assert.equal(entry.at, new Date(sent.at).toISOString(), `at of ${i}`);
  assert.equal(entry.family, sent.family);
  assert.equal(entry.event, sent.eventType);
  assert.equal(entry.method, sent.method);
  assert.equal(entry.url, sent.url);
  assert.deepEqual(entry.headers, { ...(sent.contentType === undefined ? {} : { "content-type": sent.contentType }), "user-agent": `agent/${i % 3}` });
  assert.equal(entry.body, body, `body of ${i}`);
  assert.deepEqual(entry.answer, { status: sent.response.status, contentType: "application/xml", body: sent.response.body });
  assert.equal(entry.latencyMs, Math.round(sent.latencyMs * 1000) / 1000);
}

function entriesOf(files: string[]): CaptureEntry[] {
  return files.flatMap((file) => parseCapture(readFileSync(file, "utf8")));
}

test("6 000 deliveries of every shape come out whole and in order through a 64 KiB ring that wraps many times", async () => {
  const capture = createCapture({ dir: join(root, "all"), redact: false, bufferBytes: 64 * 1024, maxBytes: 1024 * 1024 * 1024 });
  const total = 6000;
  for (let i = 0; i < total; i++) {
    capture.record(delivery(i).sent);
    if (i % 20 === 19) await capture.flush(); // the writer frees the ring; 20 deliveries always fit
  }
  const entries = entriesOf(await capture.flush());
  assert.equal(entries.length, total);
  for (const [i, entry] of entries.entries()) check(entry, i);
  assert.deepEqual(capture.stats, { recorded: total, written: total, dropped: 0 });
});

test("a full ring drops deliveries (counted, told once); those before and after it are whole", async () => {
  const warnings: string[] = [];
  const logger = { info() {}, debug() {}, error() {}, warn: (line: string) => void warnings.push(line) };
  const capture = createCapture({ dir: join(root, "full"), redact: false, bufferBytes: 64 * 1024, logger });
  const kept: number[] = [];
  for (let i = 0; i < 400; i++) {
    const before = capture.stats.dropped;
    capture.record(delivery(i).sent); // no flush: about 64 KiB of them fit
    if (capture.stats.dropped === before) kept.push(i);
  }
  assert.ok(kept.length > 0 && kept.length < 400, `some kept, some dropped (${kept.length} kept)`);
  assert.equal(capture.stats.dropped, 400 - kept.length);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /buffer is full/);
  await capture.flush();
  capture.record(delivery(400).sent);
  kept.push(400);
  const entries = entriesOf(await capture.flush());
  assert.equal(entries.length, kept.length);
  for (const [n, entry] of entries.entries()) check(entry, kept[n]);
});

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test("every flush sees the last delivery recorded before it, whatever part of a batch it ends", async () => {
  const capture = createCapture({ dir: join(root, "flush-each"), redact: false });
  for (let i = 0; i < 100; i++) {
    capture.record(delivery(i).sent);
    const entries = entriesOf(await capture.flush());
    assert.equal(entries.length, i + 1, `after delivery ${i}`);
    check(entries[i], i);
  }
  assert.deepEqual(capture.stats, { recorded: 100, written: 100, dropped: 0 });
});

test("a lone delivery, and the tail of a batch, reach the file without any flush", { timeout: 60_000 }, async () => {
  const capture = createCapture({ dir: join(root, "no-flush"), redact: false });
  capture.record(delivery(0).sent);
  while (capture.stats.written < 1) await settle(5); // published by the timer, read by the writer's poll
  for (let i = 1; i < 38; i++) capture.record(delivery(i).sent); // one batch and a part of the next
  while (capture.stats.written < 38) await settle(5);
  const entries = entriesOf(await capture.flush());
  assert.equal(entries.length, 38);
  for (const [i, entry] of entries.entries()) check(entry, i);
});

test("deliveries recorded in bursts while the writer thread reads come out whole and in order", async () => {
  const capture = createCapture({ dir: join(root, "bursts"), redact: false, bufferBytes: 256 * 1024, maxBytes: 1024 * 1024 * 1024 });
  const kept: number[] = [];
  let i = 0;
  for (let burst = 0; i < 3000; burst++) {
    for (let n = 0; n < (burst % 45) + 1 && i < 3000; n++, i++) {
      const before = capture.stats.dropped;
      capture.record(delivery(i).sent);
      if (capture.stats.dropped === before) kept.push(i);
    }
    await settle(burst % 3); // the publishing timer and the writer's polls fall between and within bursts
  }
  const entries = entriesOf(await capture.flush());
  assert.equal(entries.length, kept.length);
  assert.ok(kept.length > 0);
  for (const [n, entry] of entries.entries()) check(entry, kept[n]);
  assert.deepEqual(capture.stats, { recorded: kept.length, written: kept.length, dropped: 3000 - kept.length });
});

test("answers that change every time, repeat, alternate or run long all come out whole and in order", async () => {
  const capture = createCapture({ dir: join(root, "answers"), redact: false, maxBytes: 1024 * 1024 * 1024 });
  const answerOf = (i: number): string =>
    i < 5000
      ? `<Response><SpeakSentence>call ${i}</SpeakSentence></Response>` // one-off: more than the string table holds
      : i < 5100
        ? `<Response><Pause duration="${Math.floor(i / 3)}"/></Response>` // the same text three times in a row
        : i < 5200
          ? i % 2 === 0
            ? "<Response/>"
            : "<Response><Hangup/></Response>" // two alternating
          : `<Response><SpeakSentence>${"long ".repeat(120)}</SpeakSentence></Response>`; // one long text, repeated
  const total = 5300;
  for (let i = 0; i < total; i++) {
    const { sent } = delivery(i);
    // a new string object each time, as a handler rendering its BXML gives
    capture.record({ ...sent, response: { ...sent.response, body: answerOf(i).split("").join("") } });
    if (i % 200 === 199) await capture.flush();
  }
  const entries = entriesOf(await capture.flush());
  assert.equal(entries.length, total);
  for (const [i, entry] of entries.entries()) {
    assert.equal(entry.answer.body, answerOf(i), `answer of ${i}`);
    assert.equal(entry.event, `event-${i}`, `event of ${i}`); // the strings around the answer still line up
    assert.equal(entry.url, delivery(i).sent.url);
  }
  assert.deepEqual(capture.stats, { recorded: total, written: total, dropped: 0 });
});
