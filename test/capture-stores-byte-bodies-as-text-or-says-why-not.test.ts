// The writer thread decodes a byte body straight from the shared ring (no copy first) when it is valid UTF-8,
// and writes the lines of a poll into one reused buffer, in pieces when they outgrow it. What reaches the file
// must be what a strict UTF-8 decoder says: the text (a byte-order mark kept) when the bytes are valid,
// `null` with `omitted: "not UTF-8 text"` when they are not (overlong forms, encoded surrogates, cut
// sequences, bytes that never occur, seeded random bytes); and a burst larger than that buffer, and a line
// larger than it, come out whole and in order. Redaction is off, so bodies compare as they are.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseCapture } from "../generated/capture.js";
import type { CaptureEntry } from "../generated/capture.js";
import type { CapturedDelivery } from "../generated/runtime/http/types.js";
import { captureFolder } from "./support/capture.js";
import { random } from "./support/random.js";

const { root, createCapture } = captureFolder("bw-capture-bytes-");
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** What a strict decoder makes of `bytes`: the text, or null. */
function expected(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

function delivery(i: number, body: Uint8Array): CapturedDelivery {
  return {
    at: 1_750_000_000_000 + i,
    family: "voice",
    path: "/callbacks/voice",
    method: "POST",
    url: "/callbacks/voice",
    eventType: "answer",
    contentType: "application/octet-stream",
    header: () => undefined,
    body,
    response: { status: 204, headers: {}, body: "" },
    latencyMs: 0.1,
  };
}

async function capturedBodies(dir: string, bodies: readonly Uint8Array[]): Promise<CaptureEntry[]> {
  const capture = createCapture({ dir: join(root, dir), redact: false, maxPending: 1_000_000, bufferBytes: 64 * 1024 * 1024 });
  for (let i = 0; i < bodies.length; i++) capture.record(delivery(i, bodies[i]));
  const files = await capture.close();
  assert.deepEqual(capture.stats, { recorded: bodies.length, written: bodies.length, dropped: 0 });
  return files.flatMap((file) => parseCapture(readFileSync(file, "utf8")));
}

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);
const text = (value: string): Uint8Array => new TextEncoder().encode(value);

test("a byte body is stored as its text when it is UTF-8, and left out (saying why) when it is not", async () => {
  const next = random(2812);
  const bodies: Uint8Array[] = [
    text('{"eventType":"answer","to":"+19195550122"}'),
    text("é€😀 \u0000 \u2028 \"quoted\" \\ back"),
    bytes(0xef, 0xbb, 0xbf, 0x7b, 0x7d), // a byte-order mark, then {}
    bytes(0xef, 0xbb, 0xbf),
    bytes(0x80), // a continuation byte alone
    bytes(0xc0, 0xaf), // an overlong "/"
    bytes(0xe0, 0x80, 0xaf), // overlong, three bytes
    bytes(0xed, 0xa0, 0x80), // an encoded surrogate (U+D800)
    bytes(0xf0, 0x9f, 0x98), // a four-byte sequence cut short
    bytes(0xf4, 0x90, 0x80, 0x80), // past U+10FFFF
    bytes(0xf5, 0x80, 0x80, 0x80),
    bytes(0xff),
    bytes(0x61, 0x62, 0xc3), // cut at the end
    new Uint8Array(0),
  ];
  // seeded random bytes, mostly ASCII with some high bytes, so both outcomes occur
  for (let i = 0; i < 400; i++) {
    const body = new Uint8Array(1 + Math.floor(next() * 40));
    for (let j = 0; j < body.length; j++) body[j] = next() < 0.8 ? 0x20 + Math.floor(next() * 95) : 0x80 + Math.floor(next() * 128);
    bodies.push(body);
  }
  // valid multi-byte text cut at every length
  const emoji = text("a€😀é");
  for (let end = 0; end <= emoji.length; end++) bodies.push(emoji.subarray(0, end));

  const entries = await capturedBodies("utf8", bodies);
  assert.equal(entries.length, bodies.length);
  let valid = 0;
  for (let i = 0; i < bodies.length; i++) {
    const want = expected(bodies[i]);
    if (want !== null) valid++;
    assert.equal(entries[i].body, want, `body ${i}`);
    assert.equal(entries[i].omitted, want === null ? "not UTF-8 text" : undefined, `omitted ${i}`);
  }
  assert.ok(valid > 20 && valid < bodies.length - 20, `both outcomes occur (${valid} valid of ${bodies.length})`);
});

test("a burst larger than the writer's line buffer, and a line larger than it, come out whole and in order", async () => {
  const bodies: Uint8Array[] = [];
  for (let i = 0; i < 3000; i++) bodies.push(text(`{"n":${i},"note":"${"é\"".repeat(i % 300)}"}`)); // about 3 MiB of lines in one poll
  bodies.splice(1500, 0, text(`{"huge":"${'"\\'.repeat(400_000)}"}`)); // escaped, a line of over 1.6 MB
  const entries = await capturedBodies("burst", bodies);
  assert.equal(entries.length, bodies.length);
  for (let i = 0; i < bodies.length; i++) assert.equal(entries[i].body, expected(bodies[i]), `body ${i}`);
});
