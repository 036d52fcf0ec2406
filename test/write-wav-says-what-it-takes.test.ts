// writeWav called the way a newcomer first tries it from JavaScript (the samples alone, or 16-bit samples as
// bytes) threw "unsupported encoding undefined", or wrote noise without a word: now each mistake is a
// WavFormatError naming what writeWav takes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WavFormatError, readWav, writeWav } from "../generated/audio.js";

describe("writeWav says what it takes", () => {
  it("the samples alone, or nothing: an error naming the object it takes", () => {
    for (const wrong of [new Int16Array(160), new Uint8Array(160), null, "audio"]) {
      assert.throws(
        () => writeWav(wrong as never),
        (error: unknown) => error instanceof WavFormatError && /takes one object: \{ encoding: "pcm16" \| "mulaw", sampleRate, channels, samples \}/.test(error.message),
      );
    }
  });

  it("samples of the wrong type for the encoding: an error naming the type, not a file of noise", () => {
    assert.throws(() => writeWav({ encoding: "pcm16", sampleRate: 8000, channels: 1, samples: new Uint8Array(320) as never }), /pcm16 samples must be an Int16Array/);
    assert.throws(() => writeWav({ encoding: "mulaw", sampleRate: 8000, channels: 1, samples: new Int16Array(160) as never }), /mulaw samples must be a Uint8Array/);
    assert.throws(() => writeWav({ encoding: "pcm16", sampleRate: 8000, channels: 1, samples: Array.from({ length: 160 }, () => 0) as never }), /must be an Int16Array/);
  });

  it("the right object still writes a file that reads back", () => {
    const samples = Int16Array.from({ length: 160 }, (_, i) => i * 100);
    const wav = readWav(writeWav({ encoding: "pcm16", sampleRate: 16000, channels: 1, samples }));
    assert.equal(wav.encoding, "pcm16");
    assert.deepEqual(wav.samples, samples);
  });
});
