// Socket records cross from the socket's thread to the capture's writer thread through a ring of shared
// memory of their own (templates/runtime/capture/socket-ring.ts): every kind must come out of it whole and
// in order (open with its URL and headers, text in and out with multi-byte UTF-8 (a leading byte-order mark
// kept: the text as it arrived; the reading end once dropped it), a binary frame's length,
// close with code and reason, media with its payload dropped or kept), through many wrap-arounds of a small
// ring; flush sees the last record; a full ring drops records (counted in socketStats.dropped, told once)
// without losing those around them; a capture that fails counts the records it never wrote as dropped; and
// one flush writes deliveries and socket records in arrival order.
// Redaction is off here (the URL's query values are still masked), so each entry can be compared whole.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseCapture, type SocketCaptureEntry } from "../generated/capture.js";
import type { CapturedDelivery } from "../generated/runtime/http/types.js";
import type { CapturedSocketMessage } from "../generated/sockets.js";
import { until } from "./support/until.js";
import { captureFolder } from "./support/capture.js";

const { root, createCapture } = captureFolder("bw-socket-ring-");

const PAYLOAD = Buffer.from(Uint8Array.from({ length: 160 }, (_, i) => (i * 13) & 0xff)).toString("base64");
const T0 = 1_750_000_000_000;

/** Record `i`: its kind chosen by `i`, texts of every length (to 3 KB) with multi-byte characters. */
function record(i: number): CapturedSocketMessage {
  const head = { at: T0 + i, kind: i % 5 === 4 ? ("transcription" as const) : ("stream" as const), connection: 1 + (i % 3) };
  const note = `${"é€😀".repeat(i % 7)}${"x".repeat((i * 37) % 3000)}`;
  switch (i % 8) {
    case 0:
      return { ...head, type: "open", url: `/sockets/stream?token=t${i}&n=${i}`, headers: { "user-agent": `agent/${i} ✓`, "sec-websocket-protocol": "bw" } };
    case 1:
      return { ...head, type: "in", text: JSON.stringify({ eventType: "start", n: i, note }) };
    case 2:
      return { ...head, type: "in", text: `${i % 16 === 2 ? "\uFEFF" : ""}not json ${i} ${note}` };
    case 3:
      return { ...head, type: "in", binaryBytes: i * 3 };
    case 4:
      return { ...head, type: "out", text: JSON.stringify({ eventType: "clear", n: i, note }) };
    case 5:
      return { ...head, type: "in", text: `{"eventType":"media","track":"inbound","sequenceNumber":"${i}","payload":"${PAYLOAD}"}` };
    case 6:
      return { ...head, type: "out", text: `{"eventType":"playAudio","media":{"contentType":"audio/pcmu","payload":"${PAYLOAD}"}}` };
    default:
      return { ...head, type: "close", code: 1000 + (i % 4000), reason: `bye ${i} ${"ü".repeat(i % 40)}` };
  }
}

/** The entry record `i` must give (redaction off). */
function expected(i: number, keepMedia: boolean): SocketCaptureEntry {
  const sent = record(i);
  const head = { v: 1 as const, socket: sent.kind, connection: sent.connection, at: new Date(sent.at).toISOString(), type: sent.type };
  switch (i % 8) {
    case 0:
      return { ...head, url: `/sockets/stream?token=***&n=***`, headers: sent.headers };
    case 2:
      return { ...head, message: sent.text };
    case 3:
      return { ...head, omitted: `a binary frame of ${i * 3} bytes` };
    case 5:
    case 6: {
      const message = JSON.parse(sent.text!);
      if (keepMedia) return { ...head, message: sent.text, event: message.eventType };
      if (i % 8 === 5) message.payload = "";
      else message.media.payload = "";
      return { ...head, message: JSON.stringify(message), event: message.eventType, omitted: "media payload (keepMedia: false)", payloadLength: PAYLOAD.length };
    }
    case 7:
      return { ...head, code: sent.code, reason: sent.reason };
    default:
      return { ...head, message: sent.text, event: JSON.parse(sent.text!).eventType };
  }
}

function socketEntries(files: string[]): SocketCaptureEntry[] {
  const sockets: SocketCaptureEntry[] = [];
  for (const file of files) parseCapture(readFileSync(file, "utf8"), sockets);
  return sockets;
}

for (const keepMedia of [false, true]) {
  test(`4 000 socket records of every kind come out whole and in order through a 64 KiB ring that wraps many times (keepMedia ${keepMedia})`, async () => {
    const capture = createCapture({ dir: join(root, `all-${keepMedia}`), redact: false, keepMedia, socketBufferBytes: 64 * 1024, maxBytes: 1024 * 1024 * 1024 });
    const total = 4000;
    for (let i = 0; i < total; i++) {
      capture.recordSocket(record(i));
      if (i % 8 === 7) await capture.flush(); // the writer frees the ring; 8 records (at most ~40 KB) always fit
    }
    capture.recordSocket(record(total)); // the last one, seen by the flush right after it
    const entries = socketEntries(await capture.flush());
    assert.equal(entries.length, total + 1);
    for (const [i, entry] of entries.entries()) assert.deepEqual(entry, expected(i, keepMedia), `record ${i}`);
    assert.deepEqual(capture.socketStats, { recorded: total + 1, dropped: 0 });
  });
}

test("a full socket ring drops records (counted in socketStats.dropped, told once); those before and after it are whole", async () => {
  const warnings: string[] = [];
  const logger = { info() {}, debug() {}, error() {}, warn: (line: string) => void warnings.push(line) };
  const capture = createCapture({ dir: join(root, "full"), redact: false, socketBufferBytes: 64 * 1024, logger });
  const kept: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const before = capture.socketStats.dropped;
    capture.recordSocket(record(i)); // no flush: about 64 KiB of them fit
    if (capture.socketStats.dropped === before) kept.push(i);
  }
  assert.ok(kept.length > 0 && kept.length < 2000, `some kept, some dropped (${kept.length} kept)`);
  assert.deepEqual(capture.socketStats, { recorded: kept.length, dropped: 2000 - kept.length });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /socket records' buffer is full/);
  await capture.flush();
  capture.recordSocket(record(2000));
  kept.push(2000);
  const entries = socketEntries(await capture.flush());
  assert.equal(entries.length, kept.length);
  for (const [n, entry] of entries.entries()) assert.deepEqual(entry, expected(kept[n], false), `record ${kept[n]}`);
});

test("one flush writes deliveries and socket records in the order they arrived", async () => {
  const capture = createCapture({ dir: join(root, "order"), redact: false });
  const delivery = (at: number): CapturedDelivery => ({
    at,
    family: "voice",
    path: "/callbacks/voice",
    method: "POST",
    url: "/callbacks/voice",
    eventType: "answer",
    contentType: "application/json",
    header: () => undefined,
    body: `{"n":${at - T0}}`,
    response: { status: 200, headers: { "content-type": "application/xml" }, body: "<Response/>" },
    latencyMs: 1,
  });
  // a call's webhook, its stream's messages, another webhook, more messages: one flush for all of it
  const order: string[] = [];
  for (let i = 0; i < 40; i++) {
    if (i % 10 === 0) {
      capture.record(delivery(T0 + i));
      order.push(`delivery ${i}`);
    } else {
      capture.recordSocket({ at: T0 + i, kind: "stream", connection: 1, type: "in", text: `{"eventType":"clear","n":${i}}` });
      order.push(`socket ${i}`);
    }
  }
  const files = await capture.flush();
  const lines = files.flatMap((file) => readFileSync(file, "utf8").trim().split("\n")).map((line) => JSON.parse(line));
  assert.deepEqual(
    lines.map((line) => (line.socket === undefined ? `delivery ${JSON.parse(line.body).n}` : `socket ${JSON.parse(line.message).n}`)),
    order,
  );
});

test("socket records a failed capture never wrote are counted as dropped, not lost silently", async () => {
  const blocker = join(root, "a-file");
  writeFileSync(blocker, "not a folder");
  const errors: string[] = [];
  const capture = createCapture({ dir: join(blocker, "captures"), logger: { warn() {}, error: (line: string) => void errors.push(line) } });
  for (let i = 0; i < 10; i++) capture.recordSocket(record(i));
  assert.deepEqual(await capture.flush(), []);
  await until(() => !capture.active);
  assert.equal(errors.length, 1);
  assert.deepEqual(capture.socketStats, { recorded: 10, dropped: 10 });
  capture.recordSocket(record(10)); // capture is off: nothing more is taken
  assert.deepEqual(capture.socketStats, { recorded: 10, dropped: 10 });
});

test("a message too large for the ring crosses without its payload when that is dropped (length kept); kept, it is dropped and counted", async () => {
  const long = "QUJD".repeat(60_000); // 240 000 base64 characters: more than the 64 KiB ring
  const play = `{"eventType":"playAudio","media":{"contentType":"audio/pcmu","payload":"${long}"}}`;
  const media = `{"eventType":"media","track":"inbound","sequenceNumber":"7","payload":"${long}"}`;
  const other = JSON.stringify({ eventType: "clear", note: "é".repeat(40_000) }); // no payload to drop: too large
  const sent = (i: number, text: string): CapturedSocketMessage => ({ at: T0 + i, kind: "stream", connection: 1, type: i === 1 ? "in" : "out", text });
  for (const keepMedia of [false, true]) {
    const capture = createCapture({ dir: join(root, `large-${keepMedia}`), redact: false, keepMedia, socketBufferBytes: 64 * 1024, logger: { warn() {}, error() {} } });
    capture.recordSocket(sent(0, play));
    capture.recordSocket(sent(1, media));
    capture.recordSocket(sent(2, other));
    capture.recordSocket(sent(3, '{"eventType":"clear"}'));
    const entries = socketEntries(await capture.flush());
    if (keepMedia) {
      assert.deepEqual(capture.socketStats, { recorded: 1, dropped: 3 });
      assert.deepEqual(
        entries.map((e) => e.message),
        ['{"eventType":"clear"}'],
      );
    } else {
      assert.deepEqual(capture.socketStats, { recorded: 3, dropped: 1 });
      assert.deepEqual(
        entries.map((e) => [e.type, e.message, e.payloadLength]),
        [
          ["out", '{"eventType":"playAudio","media":{"contentType":"audio/pcmu","payload":""}}', long.length],
          ["in", '{"eventType":"media","track":"inbound","sequenceNumber":"7","payload":""}', long.length],
          ["out", '{"eventType":"clear"}', undefined],
        ],
      );
    }
  }
});
