// The capture's own HMAC-SHA256 (templates/runtime/capture/hmac-sha256.ts, which the writer thread uses for
// pseudonyms instead of node:crypto's per-call `createHmac`) gives the same 32 bytes as node:crypto for every
// key length (empty, under, at and over the 64-byte block, which RFC 2104 hashes first) and every message
// length across the one- and two-block boundaries (55, 56, 63, 64 bytes of UTF-8 after the 64-byte key block),
// ASCII and multi-byte text, called many times on one key (its buffers are reused between calls).
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { test } from "node:test";
import { hmacSha256 } from "../generated/runtime/capture/hmac-sha256.js";

test("the capture's HMAC-SHA256 equals node:crypto's for all key and message lengths", () => {
  for (const keyLength of [0, 1, 16, 32, 55, 63, 64, 65, 100, 200]) {
    const key = randomBytes(keyLength);
    const hmac = hmacSha256(key);
    for (let length = 0; length < 200; length++) {
      const texts = ["x".repeat(length), randomBytes(length).toString("base64").slice(0, length), `${"é€😀".repeat(length % 23)}${"a".repeat(length)}`, "\u0000".repeat(length)];
      for (const text of texts) {
        assert.deepEqual(Buffer.from(hmac(text)), createHmac("sha256", key).update(text).digest(), `key ${keyLength} bytes, text ${JSON.stringify(text)}`);
      }
    }
    const long = "+19195550100 ".repeat(500); // larger than the reused buffer: it grows
    assert.deepEqual(Buffer.from(hmac(long)), createHmac("sha256", key).update(long).digest());
    assert.deepEqual(Buffer.from(hmac("short")), createHmac("sha256", key).update("short").digest(), "a short text after a long one");
  }
});

test("a text with a lone surrogate is hashed as node:crypto hashes it (U+FFFD)", () => {
  const key = randomBytes(32);
  const hmac = hmacSha256(key);
  for (const text of ["\uD800", "a\uDC00b", "\uD83D\uDE00\uD800"]) assert.deepEqual(Buffer.from(hmac(text)), createHmac("sha256", key).update(text).digest());
});
