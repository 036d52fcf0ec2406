// bw-codegen/audio: G.711 μ-law against the ITU-T G.191 reference (published decode values, and the
// reference algorithm for all 65,536 inputs), round-trip error bounds; the resampler's frequency response
// (a 1 kHz tone survives 8→16→8 kHz, a 7 kHz tone at 16 kHz is removed going to 8 kHz) and chunked =
// one-shot; WAV round trips and every malformed-header refusal; base64 (portable and native paths) and
// the playAudio content types. Imported through the package's own entry, as a user would.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  Base64Error,
  Resampler,
  createResampler,
  type TelephonyRate,
  WavFormatError,
  base64ToBytes,
  base64ToPcm16,
  bytesToBase64,
  mulawToPcm16,
  pcm16ToBase64,
  pcm16ToMulaw,
  playAudioContentType,
  readWav,
  resample,
  writeWav,
} from "bw-codegen/audio";
import { decodeBase64Portable, encodeBase64Portable } from "../generated/runtime/audio/base64.js";
import { BandwidthConfigError } from "../generated/index.js";
import { REPO_ROOT } from "./support/cli.js";
import { rms, sine } from "./support/signal.js";

/** ITU-T G.191 (STL) g711.c `ulaw_compress`, transcribed sample by sample (no table). */
function g191Compress(x: number): number {
  let absno = x < 0 ? (~x >> 2) + 33 : (x >> 2) + 33;
  if (absno > 0x1fff) absno = 0x1fff;
  let i = absno >> 6;
  let segno = 1;
  while (i !== 0) {
    segno++;
    i >>= 1;
  }
  const high = 0x0008 - segno;
  const low = 0x000f - ((absno >> segno) & 0x000f);
  let out = (high << 4) | low;
  if (x >= 0) out |= 0x0080;
  return out;
}

const ALL_SAMPLES = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);

describe("μ-law (G.711)", () => {
  it("decodes to the published G.711 values (segment ends, zero, both extremes)", () => {
    const bytes = Uint8Array.from([0xff, 0xfe, 0xf0, 0xef, 0xe0, 0xdf, 0x80, 0x7f, 0x7e, 0x70, 0x00]);
    assert.deepEqual([...mulawToPcm16(bytes)], [0, 8, 120, 132, 372, 396, 32124, 0, -8, -120, -32124]);
  });

  it("encodes every 16-bit sample exactly as G.191's ulaw_compress", () => {
    const encoded = pcm16ToMulaw(ALL_SAMPLES);
    for (let i = 0; i < ALL_SAMPLES.length; i++) {
      if (encoded[i] !== g191Compress(ALL_SAMPLES[i])) assert.fail(`sample ${ALL_SAMPLES[i]}: ${encoded[i]} instead of ${g191Compress(ALL_SAMPLES[i])}`);
    }
  });

  it("round trips every code (but negative zero) and keeps every sample within half a quantisation step", () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const again = pcm16ToMulaw(mulawToPcm16(codes));
    for (let b = 0; b < 256; b++) assert.equal(again[b], b === 0x7f ? 0xff : b, `code ${b}`);
    const decoded = mulawToPcm16(pcm16ToMulaw(ALL_SAMPLES));
    for (let i = 0; i < ALL_SAMPLES.length; i++) {
      const x = ALL_SAMPLES[i];
      const magnitude = Math.min(Math.max(Math.abs(x), Math.abs(decoded[i])), 32124);
      // segment e spans 16-bit magnitudes [(132 << e) − 132, (132 << (e+1)) − 132) in steps of 8 << e; at a
      // segment boundary the larger step counts
      let e = 0;
      while (e < 7 && magnitude >= (132 << (e + 1)) - 132) e++;
      const bound = (8 << e) / 2 + 4; // half a step, plus the G.191 one's-complement offset of negative samples (up to 3)
      const error = Math.abs(decoded[i] - x);
      if (Math.abs(x) <= 32124 && error > bound) assert.fail(`sample ${x}: decoded ${decoded[i]}, error ${error} > ${bound}`);
    }
    assert.equal(decoded[0], -32124); // −32768 clips to the largest code
    assert.equal(decoded[65535], 32124);
  });

  it("is monotonic: a larger sample never encodes to a smaller decoded value", () => {
    const decoded = mulawToPcm16(pcm16ToMulaw(ALL_SAMPLES));
    for (let i = 1; i < decoded.length; i++) if (decoded[i] < decoded[i - 1]) assert.fail(`not monotonic at ${ALL_SAMPLES[i]}`);
  });

  it("writes into a caller's buffer and refuses one that is too small", () => {
    const out = new Int16Array(4);
    assert.equal(mulawToPcm16(Uint8Array.of(0x80, 0x00, 0xff, 0xff), out), out);
    assert.deepEqual([...out], [32124, -32124, 0, 0]);
    assert.deepEqual([...mulawToPcm16(Uint8Array.of(0x80), new Int16Array(3))], [32124]);
    assert.throws(() => mulawToPcm16(new Uint8Array(5), out), BandwidthConfigError);
    assert.throws(() => pcm16ToMulaw(new Int16Array(5), new Uint8Array(4)), BandwidthConfigError);
  });
});

const RATES: TelephonyRate[] = [8000, 16000, 24000];

describe("resampling between 8, 16 and 24 kHz", () => {
  it("a 1 kHz tone survives 8 → 16 → 8, 8 → 24 → 8 and 16 → 24 → 16 kHz within 2 LSB (amplitude 10,000), away from the ends", () => {
    for (const [low, high] of [[8000, 16000], [8000, 24000], [16000, 24000]] as [TelephonyRate, TelephonyRate][]) {
      const x = sine(1000, low, low); // one second
      const y = resample(resample(x, low, high), high, low);
      assert.equal(y.length, x.length);
      let worst = 0;
      for (let i = 256; i < x.length - 256; i++) worst = Math.max(worst, Math.abs(y[i] - x[i]));
      assert.ok(worst <= 2, `${low} → ${high} → ${low}: max error ${worst}`);
    }
  });

  it("keeps telephone speech (300 to 3,400 Hz) within 0.1 dB going 16 → 8 kHz and 8 → 16 kHz", () => {
    for (const f of [300, 1000, 2000, 3000, 3400]) {
      for (const [from, to] of [[16000, 8000], [8000, 16000]] as [TelephonyRate, TelephonyRate][]) {
        const y = resample(sine(f, from, from), from, to);
        const gain = 20 * Math.log10(rms(y, 512, to - 512) / (10000 / Math.SQRT2));
        assert.ok(Math.abs(gain) <= 0.1, `${f} Hz ${from} → ${to}: ${gain.toFixed(3)} dB`);
      }
    }
  });

  it("removes a 7 kHz tone going 16 → 8 kHz (it would fold to 1 kHz): at least 60 dB down; the same for 11 kHz going 24 → 8 kHz", () => {
    for (const [f, from] of [[7000, 16000], [11000, 24000], [4500, 16000]] as [number, TelephonyRate][]) {
      const y = resample(sine(f, from, from), from, 8000);
      const level = rms(y, 512, 8000 - 512) / (10000 / Math.SQRT2);
      assert.ok(level <= 10 ** (-60 / 20), `${f} Hz at ${from}: ${(20 * Math.log10(level)).toFixed(1)} dB`);
    }
  });

  it("keeps a constant signal constant (unit gain at 0 Hz, every phase)", () => {
    for (const from of RATES) {
      for (const to of RATES) {
        const y = resample(new Int16Array(from / 10).fill(1234), from, to);
        for (let i = 200; i < y.length - 200; i++) if (y[i] !== 1234) assert.fail(`${from} → ${to}: ${y[i]} at ${i}`);
      }
    }
  });

  it("converts in chunks of any size to exactly the one-shot result (20 ms frames join without clicks)", () => {
    const signal = Int16Array.from({ length: 24000 * 0.5 }, (_, i) => Math.round(8000 * Math.sin(i / 7) + 3000 * Math.sin(i / 2.3) + ((i * 7919) % 2001) - 1000));
    for (const from of RATES) {
      for (const to of RATES) {
        const input = signal.subarray(0, (from / 8000) * 1999); // not a whole number of frames
        const whole = resample(input, from, to);
        assert.equal(whole.length, Math.ceil((input.length * to) / from));
        for (const size of [1, 7, from / 50, 1000]) {
          const resampler = new Resampler(from, to);
          const parts: number[] = [];
          for (let i = 0; i < input.length; i += size) parts.push(...resampler.push(input.subarray(i, i + size)));
          parts.push(...resampler.flush());
          assert.deepEqual(Int16Array.from(parts), whole, `${from} → ${to} in chunks of ${size}`);
        }
      }
    }
  });

  it("starts afresh after flush and reset", () => {
    const resampler = new Resampler(8000, 16000);
    const x = sine(440, 8000, 800);
    const first = [...resampler.push(x), ...resampler.flush()];
    const second = [...resampler.push(x), ...resampler.flush()];
    assert.deepEqual(second, first);
    resampler.push(sine(900, 8000, 333));
    resampler.reset();
    assert.deepEqual([...resampler.push(x), ...resampler.flush()], first);
  });

  it("refuses rates out of 8 to 192 kHz, or not whole (44.1 and 48 kHz are taken: audio-resampler-takes-synthesiser-rates)", () => {
    assert.throws(() => new Resampler(4000, 8000), /from must be a whole number of Hz from 8000 to 192000 .*not 4000/);
    assert.throws(() => resample(new Int16Array(1), 8000, 384000), BandwidthConfigError);
    assert.throws(() => createResampler({ from: 44100.5, to: 8000 }), /not 44100\.5/);
  });
});

/** A RIFF file from chunks (id, body); the RIFF size is computed unless given. */
function riff(chunks: [string, Uint8Array, number?][], riffSize?: number): Uint8Array {
  const parts: number[] = [..."RIFF"].map((c) => c.charCodeAt(0));
  parts.push(0, 0, 0, 0, ...[..."WAVE"].map((c) => c.charCodeAt(0)));
  for (const [id, body, declared] of chunks) {
    const size = declared ?? body.length;
    parts.push(...[...id].map((c) => c.charCodeAt(0)), size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, size >>> 24, ...body);
    if (declared === undefined && body.length % 2 === 1) parts.push(0);
  }
  const out = Uint8Array.from(parts);
  new DataView(out.buffer).setUint32(4, riffSize ?? out.length - 8, true);
  return out;
}
function fmt(tag: number, channels: number, rate: number, bits: number, overrides: { blockAlign?: number; byteRate?: number; extra?: number[] } = {}): Uint8Array {
  const body = new Uint8Array(16 + (overrides.extra?.length ?? 0));
  const v = new DataView(body.buffer);
  const align = overrides.blockAlign ?? (channels * bits) / 8;
  v.setUint16(0, tag, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, overrides.byteRate ?? rate * align, true);
  v.setUint16(12, align, true);
  v.setUint16(14, bits, true);
  body.set(overrides.extra ?? [], 16);
  return body;
}

describe("WAV", () => {
  it("round trips 16-bit PCM and μ-law, mono and stereo, at any rate", () => {
    const pcm = Int16Array.from({ length: 1000 }, (_, i) => ((i * 2654435761) % 65536) - 32768);
    const mulaw = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff);
    for (const channels of [1, 2]) {
      for (const sampleRate of [8000, 22050, 48000]) {
        const a = readWav(writeWav({ encoding: "pcm16", sampleRate, channels, samples: pcm }));
        assert.deepEqual(a, { encoding: "pcm16", sampleRate, channels, samples: pcm });
        const b = readWav(writeWav({ encoding: "mulaw", sampleRate, channels, samples: mulaw }));
        assert.deepEqual(b, { encoding: "mulaw", sampleRate, channels, samples: mulaw });
      }
    }
    const file = writeWav({ encoding: "pcm16", sampleRate: 16000, channels: 1, samples: pcm });
    assert.equal(file.length, 44 + 2000); // the canonical 44-byte header
    const odd = writeWav({ encoding: "mulaw", sampleRate: 8000, channels: 1, samples: mulaw.subarray(0, 161) });
    assert.equal(odd.length % 2, 0); // the data chunk is padded to an even length
    assert.deepEqual(readWav(odd).samples, mulaw.subarray(0, 161));
  });

  it("reads files with other chunks around the data, a WAVE_FORMAT_EXTENSIBLE header, and a streamed (unknown) data size", () => {
    const data = Uint8Array.of(1, 0, 255, 255, 0, 128);
    const withList = riff([["LIST", Uint8Array.of(1, 2, 3)], ["fmt ", fmt(1, 1, 8000, 16)], ["data", data], ["id3 ", Uint8Array.of(9)]]);
    assert.deepEqual([...(readWav(withList).samples as Int16Array)], [1, -1, -32768]);
    const extensible = fmt(0xfffe, 1, 8000, 8, { extra: [22, 0, 8, 0, 4, 0, 0, 0, 7, 0, 0, 0, 0, 0, 16, 0, 128, 0, 0, 170, 0, 56, 155, 113] });
    assert.equal(readWav(riff([["fmt ", extensible], ["data", Uint8Array.of(0xff, 0x80)]])).encoding, "mulaw");
    const streamed = riff([["fmt ", fmt(1, 1, 8000, 16)], ["data", data, 0xffffffff]], 0xffffffff);
    assert.deepEqual([...(readWav(streamed).samples as Int16Array)], [1, -1, -32768]);
  });

  it("refuses malformed or unsupported headers with a message that says what is wrong", () => {
    const good = fmt(1, 1, 8000, 16);
    const data = new Uint8Array(4);
    const cases: [string, Uint8Array, RegExp][] = [
      ["too short", Uint8Array.of(82, 73, 70, 70), /too short/],
      ["not RIFF", new TextEncoder().encode("RIFX\0\0\0\0WAVEfmt "), /RIFF....WAVE/],
      ["no fmt", riff([["data", data]]), /data chunk comes before the fmt chunk/],
      ["no data", riff([["fmt ", good]]), /no data chunk/],
      ["two fmt", riff([["fmt ", good], ["fmt ", good], ["data", data]]), /two fmt chunks/],
      ["short fmt", riff([["fmt ", good.subarray(0, 14)], ["data", data]]), /fmt chunk is 14 bytes/],
      ["8-bit PCM", riff([["fmt ", fmt(1, 1, 8000, 8)], ["data", data]]), /only 16-bit PCM/],
      ["float", riff([["fmt ", fmt(3, 1, 8000, 32)], ["data", data]]), /format tag 0x0003/],
      ["A-law", riff([["fmt ", fmt(6, 1, 8000, 8)], ["data", data]]), /format tag 0x0006/],
      ["μ-law 16-bit", riff([["fmt ", fmt(7, 1, 8000, 16)], ["data", data]]), /μ-law samples are 8 bits/],
      ["3 channels", riff([["fmt ", fmt(1, 3, 8000, 16)], ["data", new Uint8Array(6)]]), /3 channels/],
      ["0 channels", riff([["fmt ", fmt(1, 0, 8000, 16, { blockAlign: 0 })], ["data", data]]), /0 channels/],
      ["rate 0", riff([["fmt ", fmt(1, 1, 0, 16)], ["data", data]]), /sample rate 0 Hz/],
      ["block align", riff([["fmt ", fmt(1, 2, 8000, 16, { blockAlign: 2 })], ["data", data]]), /block align is 2, 4 expected/],
      ["byte rate", riff([["fmt ", fmt(1, 1, 8000, 16, { byteRate: 8000 })], ["data", data]]), /byte rate is 8000, 16000 expected/],
      ["truncated data", riff([["fmt ", good], ["data", data, 400]]), /says 400 bytes but only 4 follow: truncated/],
      ["chunk past the end", riff([["fmt ", good], ["LIST", data, 0x7fffffff]]), /"LIST" chunk says 2147483647 bytes/],
      ["odd PCM data", riff([["fmt ", good], ["data", Uint8Array.of(1, 2, 3)]]), /3 bytes, not a whole number of 2-byte sample frames/],
      ["extensible too short", riff([["fmt ", fmt(0xfffe, 1, 8000, 16)], ["data", data]]), /EXTENSIBLE fmt chunk is 16 bytes/],
      ["65 chunks", riff([["fmt ", good], ...Array.from({ length: 64 }, (): [string, Uint8Array] => ["junk", new Uint8Array(0)]), ["data", data]]), /first 64 chunks/],
    ];
    for (const [name, bytes, message] of cases) assert.throws(() => readWav(bytes), (e: unknown) => e instanceof WavFormatError && message.test(e.message), name);
  });

  it("refuses to write what it cannot describe", () => {
    assert.throws(() => writeWav({ encoding: "pcm16", sampleRate: 8000, channels: 2, samples: new Int16Array(3) }), /do not make whole 2-channel frames/);
    assert.throws(() => writeWav({ encoding: "pcm16", sampleRate: 8000, channels: 6, samples: new Int16Array(6) }), /6 channels/);
    assert.throws(() => writeWav({ encoding: "mulaw", sampleRate: 0, channels: 1, samples: new Uint8Array(1) }), /sample rate 0/);
  });
});

describe("base64 payloads", () => {
  const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 151 + 7) & 0xff);

  it("encodes and decodes as Node's Buffer does, in the portable code and through the public helpers", () => {
    for (let n = 0; n <= 40; n++) {
      const b = bytes.subarray(0, n);
      const expected = Buffer.from(b).toString("base64");
      assert.equal(encodeBase64Portable(b), expected);
      assert.equal(bytesToBase64(b), expected);
      assert.deepEqual(decodeBase64Portable(expected), Uint8Array.from(b));
      assert.deepEqual(base64ToBytes(expected), Uint8Array.from(b));
      assert.deepEqual(decodeBase64Portable(expected.replace(/=+$/, "")), Uint8Array.from(b)); // padding optional
    }
    assert.throws(() => decodeBase64Portable("-_-_"), Base64Error); // the standard alphabet only
    assert.equal(bytesToBase64(new Uint8Array(100_000).fill(0xfb)), Buffer.alloc(100_000, 0xfb).toString("base64")); // past one String.fromCharCode batch
  });

  it("refuses text that is not base64, naming the place", () => {
    for (const [text, message] of [["ab$d", /"\$" at index 2/], ["abcde", /one character over/], ["ab=c", /misplaced padding|"="/], ["a===", /misplaced padding/], ["ab c", /" " at index 2/], ["é123", /"é" at index 0/]] as const) {
      assert.throws(() => decodeBase64Portable(text), (e: unknown) => e instanceof Base64Error && message.test(e.message), text);
      assert.throws(() => base64ToBytes(text), Base64Error, text);
    }
  });

  it("moves 16-bit samples as little-endian bytes, decoding into an Int16Array over the decoded bytes", () => {
    const samples = Int16Array.of(1, -1, 32767, -32768, 256);
    const text = pcm16ToBase64(samples);
    assert.equal(text, Buffer.from([1, 0, 255, 255, 255, 127, 0, 128, 0, 1]).toString("base64"));
    const back = base64ToPcm16(text);
    assert.deepEqual(back, samples);
    assert.equal(back.byteOffset % 2, 0);
    assert.equal(pcm16ToBase64(new Int16Array(samples.buffer, 2, 2)), Buffer.from([255, 255, 255, 127]).toString("base64")); // a view reads its own samples only
    assert.throws(() => base64ToPcm16("AAEC"), /even number of bytes, not 3/);
  });
});

describe("playAudio content types", () => {
  it("names μ-law and each PCM rate as Bandwidth's integrations do, and refuses other rates", () => {
    assert.equal(playAudioContentType({ encoding: "mulaw" }), "audio/pcmu");
    for (const rate of RATES) {
      assert.equal(playAudioContentType({ encoding: "pcm16", sampleRate: rate }), `audio/pcm;rate=${rate};channels=1;bit-depth=16;endian=little;encoding=signed`);
    }
    assert.throws(() => playAudioContentType({ encoding: "pcm16", sampleRate: 44100 as TelephonyRate }), /8000, 16000 or 24000 Hz, not 44100/);
    assert.throws(() => playAudioContentType({ encoding: "opus" } as never), /unknown encoding "opus"/);
  });
});

describe("edge-safety", () => {
  it("the entry and its modules import only each other and the error design (runtime/errors.js, itself import-free), and use no Node global (Buffer, process, require)", () => {
    const dir = join(REPO_ROOT, "generated", "runtime", "audio");
    const errors = join(REPO_ROOT, "generated", "runtime", "errors.js");
    assert.doesNotMatch(readFileSync(errors, "utf8"), /^\s*(import|export)\s[^;]*from\s/m, "runtime/errors.js imports nothing");
    const files = [join(REPO_ROOT, "generated", "audio.js"), errors, ...readdirSync(dir).filter((f) => f.endsWith(".js")).map((f) => join(dir, f))];
    assert.ok(files.length >= 6);
    for (const file of files) {
      const code = readFileSync(file, "utf8").replace(/\/\/.*|\/\*[\s\S]*?\*\//g, ""); // comments may name them
      for (const m of code.matchAll(/(?:import|export)\s[^;]*?from\s+"([^"]+)"/g)) assert.match(m[1], /^(\.\/(runtime\/audio\/)?[a-z0-9-]+|\.\.\/errors)\.js$/, `${file} imports ${m[1]}`);
      assert.doesNotMatch(code, /\b(Buffer|process|require|globalThis\.process)\b/, file);
    }
  });
});
