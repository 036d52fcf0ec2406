// createAudioFramer promises frames that are "fresh arrays, yours". A chunk pushed as a Node Buffer (a
// Uint8Array: what `Buffer.from(payload, "base64")`, a stream or many speech SDKs give) was cut with
// `slice`, which on a Buffer returns a view of the same memory: a caller that reused or cleared its chunk
// buffer changed the frames already handed out (audio sent to a speech model or the call garbled). The
// frames are copies now, whatever Uint8Array the chunk is.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createAudioFramer } from "../generated/audio.js";

test("frames cut from a Buffer chunk keep their samples when the chunk is reused", () => {
  const framer = createAudioFramer({ encoding: "mulaw", frame: 4 });
  const chunk = Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const frames = framer.push(chunk);
  chunk.fill(0xff); // the caller reuses its buffer for the next read
  assert.deepEqual(
    frames.map((frame) => [...frame]),
    [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ],
  );
  const next = framer.push(Buffer.from([11, 12]));
  assert.deepEqual(next.map((frame) => [...frame]), [[9, 10, 11, 12]]);
  assert.equal(framer.flush(), undefined);
});
