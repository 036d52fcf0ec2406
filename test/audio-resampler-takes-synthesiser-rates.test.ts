// The resampler took only 8, 16 and 24 kHz, so a bot whose speech synthesiser speaks at 22.05, 44.1 or 48 kHz
// (or a model that listens at 48 kHz) could not use it: "from must be 8000, 16000 or 24000 Hz, not 44100".
// The filter was already built for any rational ratio; it now takes any whole rate of 8 to 192 kHz, with
// the same guarantees: the band kept (within 0.1 dB), what would fold back removed (60 dB), chunked equal
// to one-shot, and a ratio whose filter would be huge refused with a way out.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createResampler, resample } from "../generated/audio.js";
import { random } from "./support/random.js";
import { rms, sine } from "./support/signal.js";

const dB = (y: Int16Array, margin: number): number => 20 * Math.log10(rms(y, margin, y.length - margin) / (10000 / Math.SQRT2));

describe("the resampler takes a synthesiser's rates", () => {
  it("a 1 kHz and a 3 kHz tone from 11.025, 22.05, 32, 44.1 and 48 kHz to 8, 16 and 24 kHz (and back up) keep their level within 0.1 dB", () => {
    for (const from of [11025, 22050, 32000, 44100, 48000]) {
      for (const to of [8000, 16000, 24000]) {
        for (const f of [1000, 3000]) {
          const down = resample(sine(f, from, from), from, to);
          assert.equal(down.length, to);
          assert.ok(Math.abs(dB(down, 512)) <= 0.1, `${f} Hz ${from} → ${to}: ${dB(down, 512).toFixed(3)} dB`);
          const up = resample(sine(f, to, to), to, from);
          assert.equal(up.length, from);
          assert.ok(Math.abs(dB(up, 2048)) <= 0.1, `${f} Hz ${to} → ${from}: ${dB(up, 2048).toFixed(3)} dB`);
        }
      }
    }
  });

  it("removes what would fold back into the band: 5 kHz at 44.1 and 48 kHz going to 8 kHz, 13 kHz going to 16 kHz, at least 60 dB down", () => {
    for (const [f, from, to] of [[5000, 44100, 8000], [5000, 48000, 8000], [13000, 44100, 16000], [4500, 22050, 8000]]) {
      const y = resample(sine(f, from, from), from, to);
      assert.ok(dB(y, 512) <= -60, `${f} Hz ${from} → ${to}: ${dB(y, 512).toFixed(1)} dB`);
    }
  });

  it("streaming 44.1 kHz → 16 kHz in chunks of random sizes gives the one-shot conversion, sample for sample", () => {
    const next = random(441);
    const x = sine(700, 44100, 44100 * 2);
    const whole = resample(x, 44100, 16000);
    const streaming = createResampler({ from: 44100, to: 16000 });
    const parts: number[] = [];
    for (let at = 0; at < x.length; ) {
      const length = Math.min(x.length - at, Math.floor(next() * 3000));
      parts.push(...streaming.push(x.subarray(at, at + length)));
      at += length;
    }
    parts.push(...streaming.flush());
    assert.deepEqual(Int16Array.from(parts), whole);
  });

  it("a ratio that would need a huge filter is refused with a way out; rates out of 8 to 192 kHz are refused", () => {
    assert.throws(() => createResampler({ from: 191999, to: 8000 }), /needs 8000 filter phases .*convert to a nearby common rate first/);
    assert.throws(() => createResampler({ from: 7999, to: 8000 }), /from must be a whole number of Hz from 8000 to 192000/);
    assert.throws(() => createResampler({ from: 8000, to: 200000 }), /to must be a whole number of Hz from 8000 to 192000/);
  });
});
