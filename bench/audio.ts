/**
 * Audio helpers (`bw-codegen/audio`) against the maintained npm libraries a user would otherwise pick:
 * alawmulaw (μ-law), wave-resampler (resampling), wavefile (WAV), and Node's Buffer / atob for base64.
 * Speed as ratios in one run (a fixed time per variant), correctness (μ-law against the ITU-T G.191
 * reference for all 65,536 samples; resampler frequency response and chunk joins), size and edge-safety.
 * Run by hand: `node --import tsx bench/audio.ts` (about 20 s); the figures go into docs/benchmarks.md.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { cpus, loadavg } from "node:os";
import { Resampler, base64ToBytes, bytesToBase64, mulawToPcm16, pcm16ToMulaw, readWav, resample, writeWav } from "../generated/audio.js";
import { decodeBase64Portable, encodeBase64Portable } from "../generated/runtime/audio/base64.js";
// Loaded by a computed name: their .d.ts files do not pass this repo's type-check (TS1540 under TypeScript 6).
const load = async (name: string): Promise<any> => {
  const namespace = await import(name);
  return namespace.default ?? namespace;
};
const [alawmulaw, waveResampler, wavefile] = await Promise.all([load("alawmulaw"), load("wave-resampler"), load("wavefile")]);
const { mulaw } = alawmulaw as unknown as { mulaw: { decode(x: Uint8Array): Int16Array; encode(x: Int16Array): Uint8Array } };
const waveResample = (waveResampler as unknown as { resample: (x: ArrayLike<number>, a: number, b: number, d?: object) => Float64Array }).resample;

const BUDGET_MS = Number(process.env.BENCH_MS ?? 600) / 5;
let sink = 0;

/** Operations per second of `fn`, over BUDGET_MS after a short warm-up. */
function rate(fn: () => unknown): number {
  const warm = performance.now();
  while (performance.now() - warm < BUDGET_MS / 5) sink ^= (fn() as { length?: number })?.length ?? 1;
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < BUDGET_MS) {
    for (let i = 0; i < 16; i++) sink ^= (fn() as { length?: number })?.length ?? 1;
    n += 16;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

const rows: string[][] = [];
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/**
 * One row: ours and the baseline measured in alternation, 5 rounds of BUDGET_MS / 5 each, so a change in
 * the machine's load hits both; the ratio is the median of the per-round ratios.
 */
const row = (what: string, ours: () => unknown, theirs: () => unknown, baseline: string) => {
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < 5; round++) {
    a.push(rate(ours));
    b.push(rate(theirs));
  }
  rows.push([what, `${fmt(median(a))}/s`, `${fmt(median(b))}/s (${baseline})`, `${median(a.map((x, i) => x / b[i])).toFixed(2)}×`]);
};
const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0));

// ---- μ-law
const second8k = Int16Array.from({ length: 8000 }, (_, i) => Math.round(12000 * Math.sin(i / 3) + 3000 * Math.sin(i / 17)));
const mulaw8k = pcm16ToMulaw(second8k);
const frame = mulaw8k.subarray(0, 160);
const out160 = new Int16Array(160);
row("μ-law decode, 20 ms frame (160 B)", () => mulawToPcm16(frame), () => mulaw.decode(frame), "alawmulaw");
row("μ-law decode into a reused buffer", () => mulawToPcm16(frame, out160), () => mulaw.decode(frame), "alawmulaw");
row("μ-law encode, 1 s (8,000 samples)", () => pcm16ToMulaw(second8k), () => mulaw.encode(second8k), "alawmulaw");

function g191(x: number): number {
  let a = x < 0 ? (~x >> 2) + 33 : (x >> 2) + 33;
  if (a > 0x1fff) a = 0x1fff;
  let s = 1;
  for (let i = a >> 6; i !== 0; i >>= 1) s++;
  const b = ((8 - s) << 4) | (15 - ((a >> s) & 15));
  return x >= 0 ? b | 0x80 : b;
}
const all = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);
const oursEnc = pcm16ToMulaw(all);
const theirsEnc = mulaw.encode(all);
let oursOff = 0;
let theirsOff = 0;
for (let i = 0; i < all.length; i++) {
  if (oursEnc[i] !== g191(all[i])) oursOff++;
  if (theirsEnc[i] !== g191(all[i])) theirsOff++;
}
const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
const decodeDiff = mulawToPcm16(codes).filter((v, i) => v !== mulaw.decode(codes)[i]).length;

// ---- resampling
const sine = (f: number, r: number, n: number) => Int16Array.from({ length: n }, (_, i) => Math.round(10000 * Math.sin((2 * Math.PI * f * i) / r)));
const level = (x: ArrayLike<number>, from: number, to: number) => {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return 20 * Math.log10(Math.sqrt(s / (to - from)) / (10000 / Math.SQRT2));
};
const speech16 = Int16Array.from({ length: 16000 }, (_, i) => Math.round(6000 * Math.sin(i / 5) + 4000 * Math.sin(i / 1.7)));
const up = new Resampler(8000, 16000);
const down = new Resampler(16000, 8000);
const down24 = new Resampler(24000, 8000);
const f8 = second8k.subarray(0, 160);
const f16 = speech16.subarray(0, 320);
const f24 = Int16Array.from({ length: 480 }, (_, i) => speech16[i % 16000]);
const cubic = { method: "cubic" };
const sinc = { method: "sinc" };
row("resample 8 → 16 kHz, 20 ms frame (streaming)", () => up.push(f8), () => waveResample(f8, 8000, 16000, { ...cubic }), "wave-resampler cubic + IIR LPF");
row("resample 16 → 8 kHz, 20 ms frame (streaming)", () => down.push(f16), () => waveResample(f16, 16000, 8000, { ...cubic }), "wave-resampler cubic + IIR LPF");
row("resample 16 → 8 kHz, 20 ms frame (streaming)", () => down.push(f16), () => waveResample(f16, 16000, 8000, { ...sinc }), "wave-resampler sinc + IIR LPF");
row("resample 24 → 8 kHz, 20 ms frame (streaming)", () => down24.push(f24), () => waveResample(f24, 24000, 8000, { ...cubic }), "wave-resampler cubic + IIR LPF");
const quality: string[][] = [];
const db = (v: number): string => (v === Number.NEGATIVE_INFINITY ? "silent (< 1 LSB)" : `${v.toFixed(1)} dB`);
for (const [name, fn] of [
  ["ours (Kaiser windowed sinc, 32 zero crossings)", (x: Int16Array, a: number, b: number) => resample(x, a as 8000, b as 8000)],
  ["wave-resampler cubic + IIR LPF (default)", (x: Int16Array, a: number, b: number) => waveResample(x, a, b, { method: "cubic" })],
  ["wave-resampler sinc + IIR LPF", (x: Int16Array, a: number, b: number) => waveResample(x, a, b, { method: "sinc" })],
  ["wave-resampler linear, no LPF", (x: Int16Array, a: number, b: number) => waveResample(x, a, b, { method: "linear" })],
] as const) {
  const pass = level(fn(sine(3400, 16000, 16000), 16000, 8000), 800, 7200);
  const alias = level(fn(sine(7000, 16000, 16000), 16000, 8000), 800, 7200);
  const edge = level(fn(sine(4300, 16000, 16000), 16000, 8000), 800, 7200);
  const alias24 = level(fn(sine(11000, 24000, 24000), 24000, 8000), 800, 7200);
  // chunk joins: 20 ms frames converted one by one (the library has no state) against the whole signal
  const whole = fn(second8k, 8000, 16000);
  let worst = 0;
  if (name.startsWith("ours")) {
    const r = new Resampler(8000, 16000);
    const parts: number[] = [];
    for (let i = 0; i < 8000; i += 160) parts.push(...r.push(second8k.subarray(i, i + 160)));
    parts.push(...r.flush());
    for (let i = 0; i < whole.length; i++) worst = Math.max(worst, Math.abs(parts[i] - whole[i]));
  } else {
    for (let i = 0; i < 8000; i += 160) {
      const part = fn(second8k.subarray(i, i + 160), 8000, 16000);
      for (let j = 0; j < part.length; j++) worst = Math.max(worst, Math.abs(part[j] - whole[2 * i + j]));
    }
  }
  quality.push([name, `${pass.toFixed(2)} dB`, db(edge), db(alias), db(alias24), `${Math.round(worst)}`]);
}

// ---- WAV
const tenSeconds = Int16Array.from({ length: 80000 }, (_, i) => second8k[i % 8000]);
const wavBytes = writeWav({ encoding: "pcm16", sampleRate: 8000, channels: 1, samples: tenSeconds });
const WaveFile = (wavefile as unknown as { WaveFile: new (bytes?: Uint8Array) => any }).WaveFile;
row("WAV read, 10 s 8 kHz 16-bit", () => readWav(wavBytes), () => new WaveFile(wavBytes).getSamples(false, Int16Array), "wavefile");
row(
  "WAV write, 10 s 8 kHz 16-bit",
  () => writeWav({ encoding: "pcm16", sampleRate: 8000, channels: 1, samples: tenSeconds }),
  () => {
    const w = new WaveFile();
    w.fromScratch(1, 8000, "16", tenSeconds);
    return w.toBuffer();
  },
  "wavefile",
);
const truncated = wavBytes.subarray(0, 1000);
let wavefileTruncated = "accepted";
try {
  const w = new WaveFile(truncated);
  wavefileTruncated = `accepted (${w.getSamples(false, Int16Array).length} samples read from a data chunk that claims 80,000)`;
} catch (error) {
  wavefileTruncated = `refused: ${(error as Error).message}`;
}

// ---- base64
const payload = bytesToBase64(frame);
const pcmPayloadBytes = new Uint8Array(960).map((_, i) => (i * 31) & 0xff);
const pcmPayload = bytesToBase64(pcmPayloadBytes);
const atobDecode = (t: string) => {
  const s = atob(t);
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
};
const btoaEncode = (b: Uint8Array) => {
  let s = "";
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return btoa(s);
};
row("base64 decode, 160 B μ-law payload", () => base64ToBytes(payload), () => atobDecode(payload), "atob + copy loop (edge-safe)");
row("base64 decode, 160 B μ-law payload", () => decodeBase64Portable(payload), () => (new Uint8Array(Buffer.from(payload, "base64"))), "Node Buffer (not edge-safe)");
row("base64 decode, 960 B PCM payload", () => base64ToBytes(pcmPayload), () => atobDecode(pcmPayload), "atob + copy loop (edge-safe)");
row("base64 encode, 160 B", () => bytesToBase64(frame), () => btoaEncode(frame), "btoa + string loop (edge-safe)");
row("base64 encode, 960 B", () => encodeBase64Portable(pcmPayloadBytes), () => Buffer.from(pcmPayloadBytes.buffer, pcmPayloadBytes.byteOffset, 960).toString("base64"), "Node Buffer (not edge-safe)");

// ---- size and edge-safety
const sizeOf = (dir: string, match: (f: string) => boolean): number =>
  readdirSync(dir, { recursive: true })
    .map(String)
    .filter(match)
    .reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
const ours = sizeOf("generated/runtime/audio", (f) => f.endsWith(".js"));
const libs = ["alawmulaw", "wave-resampler", "wavefile"].map((name) => {
  const dir = join("node_modules", name);
  const dist = readdirSync(join(dir, "dist")).map((f) => statSync(join(dir, "dist", f)).size).reduce((a, b) => a + b, 0);
  const source = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith(".js") && !f.startsWith("dist") && !f.startsWith("scripts")).map((f) => readFileSync(join(dir, f), "utf8")).join("\n");
  const node = /\bBuffer\b|require\(["']fs|from ["']fs/.test(source) ? "uses Buffer / fs" : "typed arrays only";
  return `${name}: ${(dist / 1024).toFixed(1)} KiB minified bundle, ${node}`;
});

console.log(`Node ${process.version}, ${cpus()[0]?.model} × ${cpus().length}, load ${loadavg().map((l) => l.toFixed(1)).join(" ")}, ${BUDGET_MS * 5} ms per variant in 5 alternating rounds\n`);
console.log("| what | bw-codegen/audio | baseline | ratio |\n| --- | --- | --- | --- |");
for (const r of rows) console.log(`| ${r.join(" | ")} |`);
console.log(`\nμ-law encode, all 65,536 samples against G.191 ulaw_compress: ours ${oursOff} differ, alawmulaw ${theirsOff} differ; decode tables differ in ${decodeDiff} of 256 codes.`);
console.log("\n| resampler | 3.4 kHz, 16 → 8 kHz | 4.3 kHz at 16 kHz → 8 kHz (folds to 3.7 kHz) | 7 kHz at 16 kHz → 8 kHz (folds to 1 kHz) | 11 kHz at 24 kHz → 8 kHz | worst jump at 20 ms joins, 8 → 16 kHz (LSB) |\n| --- | --- | --- | --- | --- | --- |");
for (const q of quality) console.log(`| ${q.join(" | ")} |`);
console.log(`\nwavefile on a truncated file: ${wavefileTruncated}`);
console.log(`size: ours ${(ours / 1024).toFixed(1)} KiB unminified JS (generated/runtime/audio); ${libs.join("; ")}`);
if (sink === 0.5) console.log(sink);
