/**
 * `bw-codegen simulate call --audio caller.wav --speed max --bot-audio … --mix …` against a voice bot on
 * 127.0.0.1: the caller's WAV file (48 kHz, 24-bit, stereo: converted to 8 kHz mono) is streamed, its
 * utterance found by level, the bot's answer measured, and both WAV files written. Plus the caller-audio
 * decoder on its own: every bit depth it takes gives the same 8 kHz signal length.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Response, StartStream, StopStream } from "../generated/bxml/index.js";
import { readWav } from "../generated/audio.js";
import { decodeCallerWav, findUtterances } from "../generated/runtime/simulate/caller-audio.js";
import { jsonLines, runCliAsync } from "./support/cli.js";
import { PASS, USER } from "./support/simulate.js";
import { STREAM_PASS, STREAM_USER, startVoiceBot, type VoiceBot } from "./support/voice-bot.js";

/** A WAV file: `seconds` of silence, a 440 Hz tone, silence again, at any rate / depth / channels. */
function wavFile(options: { rate: number; bits: 8 | 16 | 24 | 32; float?: boolean; channels: 1 | 2; parts: Array<[seconds: number, tone: boolean]> }): Uint8Array {
  const { rate, bits, channels } = options;
  const frames = options.parts.reduce((n, [s]) => n + Math.round(s * rate), 0);
  const width = bits / 8;
  const data = new Uint8Array(frames * channels * width);
  const view = new DataView(data.buffer);
  let f = 0;
  for (const [seconds, tone] of options.parts) {
    for (let i = 0; i < Math.round(seconds * rate); i++, f++) {
      const v = tone ? 0.3 * Math.sin((2 * Math.PI * 440 * i) / rate) : 0;
      for (let c = 0; c < channels; c++) {
        const at = (f * channels + c) * width;
        if (options.float === true) view.setFloat32(at, v, true);
        else if (bits === 8) view.setUint8(at, Math.round(v * 127) + 128);
        else if (bits === 16) view.setInt16(at, Math.round(v * 32767), true);
        else if (bits === 24) {
          const s = Math.round(v * 8388607);
          view.setUint8(at, s & 0xff);
          view.setUint8(at + 1, (s >> 8) & 0xff);
          view.setUint8(at + 2, (s >> 16) & 0xff);
        } else view.setInt32(at, Math.round(v * 2147483647), true);
      }
    }
  }
  const header = new Uint8Array(44);
  const h = new DataView(header.buffer);
  const text = (at: number, s: string) => {
    for (let i = 0; i < s.length; i++) h.setUint8(at + i, s.charCodeAt(i));
  };
  text(0, "RIFF");
  h.setUint32(4, 36 + data.length, true);
  text(8, "WAVE");
  text(12, "fmt ");
  h.setUint32(16, 16, true);
  h.setUint16(20, options.float === true ? 3 : 1, true);
  h.setUint16(22, channels, true);
  h.setUint32(24, rate, true);
  h.setUint32(28, rate * channels * width, true);
  h.setUint16(32, channels * width, true);
  h.setUint16(34, bits, true);
  text(36, "data");
  h.setUint32(40, data.length, true);
  const out = new Uint8Array(44 + data.length);
  out.set(header);
  out.set(data, 44);
  return out;
}

const PARTS: Array<[number, boolean]> = [[0.5, false], [1, true], [3, false]];

describe("the caller's WAV file", () => {
  for (const format of [
    { rate: 8000, bits: 16 as const, channels: 1 as const },
    { rate: 16000, bits: 16 as const, channels: 1 as const },
    { rate: 44100, bits: 16 as const, channels: 2 as const },
    { rate: 48000, bits: 24 as const, channels: 2 as const },
    { rate: 22050, bits: 8 as const, channels: 1 as const },
    { rate: 32000, bits: 32 as const, channels: 1 as const },
    { rate: 48000, bits: 32 as const, channels: 1 as const, float: true },
  ]) {
    it(`${format.rate} Hz ${format.bits}-bit${"float" in format ? " float" : ""} ${format.channels === 2 ? "stereo" : "mono"} becomes 8 kHz mono with its utterance where it is`, () => {
      const pcm = decodeCallerWav(wavFile({ ...format, parts: PARTS }), "caller.wav");
      assert.equal(Math.abs(pcm.length - 4.5 * 8000) <= 1, true, `${pcm.length} samples`);
      const utterances = findUtterances(pcm);
      assert.equal(utterances.length, 1);
      // the level detector works on 20 ms frames: the tone starts at 500 ms and ends at 1500 ms
      assert.ok(Math.abs(utterances[0].startMs - 500) <= 20 && Math.abs(utterances[0].endMs - 1500) <= 20, JSON.stringify(utterances));
    });
  }
});

describe("bw-codegen simulate call --audio --speed max --bot-audio --mix", () => {
  let bot: VoiceBot | undefined;
  const dir = mkdtempSync(join(tmpdir(), "bw-sim-audio-"));
  after(async () => {
    await bot?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("streams the file, measures the bot's answer and writes both WAV files", async () => {
    const started = await startVoiceBot({
      initiate: () =>
        Response(
          StartStream({ name: "bot", destination: `${started.wsOrigin}/stream`, mode: "bidirectional", destinationUsername: STREAM_USER, destinationPassword: STREAM_PASS }),
          StopStream({ name: "bot", wait: true }),
        ),
      disconnect: () => undefined,
    } as never);
    bot = started;
    const caller = join(dir, "caller.wav");
    writeFileSync(caller, wavFile({ rate: 48000, bits: 24, channels: 2, parts: PARTS }));
    const botWav = join(dir, "bot.wav");
    const mixWav = join(dir, "mix.wav");
    const run = await runCliAsync(["simulate", "call", "--url", started.url, "--username", USER, "--password", PASS, "--audio", caller, "--speed", "max", "--seed", "3", "--bot-audio", botWav, "--mix", mixWav, "--json"]);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const summary = jsonLines(run.stdout).at(-1)!;
    assert.equal(summary.measures.utterances.length, 1);
    assert.equal(summary.measures.responses[0].latencyMs, 200, "the bot answers after 10 silent frames");
    assert.equal(readWav(new Uint8Array(readFileSync(botWav))).channels, 1);
    assert.equal(readWav(new Uint8Array(readFileSync(mixWav))).channels, 2);
    assert.ok(started.received.every((r) => r.ok && r.strictOk));
  });

  it("refuses a bad --speed", async () => {
    const run = await runCliAsync(["simulate", "call", "--url", "http://127.0.0.1:9/callbacks/voice", "--speed", "fast"]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--speed must be max or a number/);
  });
});
