// The resampler takes any whole rate of 8 to 192 kHz since today, and cached every filter it built, by
// rate pair, forever: a bot converting each caller's WAV file from its own rate (8001 Hz, 8002 Hz, … →
// 8000) kept ~4.5 MB of coefficients per rate, without end. The cache now forgets the least recently used
// filters past MOST_CACHED_FILTER_TAPS (a resampler keeps the filter it was built with), and a filter
// built again converts sample for sample as before.
import assert from "node:assert/strict";
import { test } from "node:test";
import { cachedFilterTaps, createResampler, MOST_CACHED_FILTER_TAPS, resample } from "../generated/runtime/audio/resample.js";

const tone = (rate: number, length: number): Int16Array => Int16Array.from({ length }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)));

test("filters for many rate pairs are cached within the bound, and a rebuilt one converts the same", () => {
  const first = resample(tone(8001, 800), 8001, 8000); // 8001 → 8000 Hz: 8000 phases of 71 taps (568,000 taps)
  const held = createResampler({ from: 8001, to: 8000 }); // keeps its filter whatever the cache forgets
  let built = 0;
  for (let rate = 8002; rate < 8012; rate++) {
    resample(tone(rate, 100), rate, 8000);
    built += 8000 * 71;
    assert.ok(cachedFilterTaps() <= MOST_CACHED_FILTER_TAPS, `${cachedFilterTaps()} taps cached after ${rate} Hz (bound ${MOST_CACHED_FILTER_TAPS})`);
  }
  assert.ok(built > 2 * MOST_CACHED_FILTER_TAPS, "the test built more than the bound holds");
  assert.deepEqual(resample(tone(8001, 800), 8001, 8000), first, "a filter built again gives the same samples");
  const again = held.push(tone(8001, 800));
  assert.deepEqual([...again, ...held.flush()], [...first]);
});
