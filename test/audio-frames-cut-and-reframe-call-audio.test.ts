// The audio helpers had no way to cut audio into frames of a fixed duration, which a voice bot needs both
// ways: Bandwidth's frame size is not documented (20 ms is usual, not promised) while speech models want
// fixed frames, and a long answer goes out better as several playAudio messages than one of megabytes. Now
// `chunkAudio` cuts a buffer (views) and `createAudioFramer` re-frames a stream of chunks of any size: every
// sample comes out once, in order, whatever the chunk sizes (random sizes from a seeded generator).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { chunkAudio, createAudioFramer, frameSamples, pcm16ToMulaw } from "../generated/audio.js";
import { createStreamServer } from "../generated/sockets.js";
import { random as seeded } from "./support/random.js";

const ramp = (n: number): Int16Array => Int16Array.from({ length: n }, (_, i) => (i * 37) % 30000);

describe("frames of a fixed duration", () => {
  it("frameSamples: ms at a telephony rate, whole samples only", () => {
    assert.equal(frameSamples({ ms: 20 }), 160);
    assert.equal(frameSamples({ ms: 100, sampleRate: 24000 }), 2400);
    assert.equal(frameSamples({ ms: 10, sampleRate: 16000 }), 160);
    assert.throws(() => frameSamples({ ms: 0.1 }), /not a whole positive number of samples/);
    assert.throws(() => frameSamples({ ms: 0 }), /not a whole positive number of samples/);
    assert.throws(() => frameSamples({ ms: 20, sampleRate: 44100 as never }), /8000, 16000 or 24000 Hz, not 44100/);
  });

  it("chunkAudio cuts μ-law or PCM into views of the frame size, the last one shorter", () => {
    const mulaw = pcm16ToMulaw(ramp(1000));
    const parts = chunkAudio(mulaw, { ms: 20 });
    assert.deepEqual(parts.map((p) => p.length), [160, 160, 160, 160, 160, 160, 40]);
    assert.ok(parts.every((p) => p instanceof Uint8Array && p.buffer === mulaw.buffer), "views, no copy");
    assert.deepEqual(Uint8Array.from(parts.flatMap((p) => [...p])), mulaw);
    const pcm = ramp(4800);
    const blocks = chunkAudio(pcm, { ms: 100, sampleRate: 24000 });
    assert.deepEqual(blocks.map((b) => b.length), [2400, 2400]);
    assert.ok(blocks.every((b) => b instanceof Int16Array));
    assert.deepEqual(chunkAudio(new Uint8Array(0), 160), []);
    assert.throws(() => chunkAudio([1, 2, 3] as never, 160), /Uint8Array \(μ-law\) or an Int16Array/);
    assert.throws(() => chunkAudio(mulaw, 0), /whole positive number of samples/);
  });

  it("createAudioFramer: chunks of random sizes come out as whole frames, every sample once and in order", () => {
    const random = seeded(28);
    for (const [encoding, frame] of [["pcm16", { ms: 100, sampleRate: 24000 }], ["mulaw", { ms: 20 }], ["pcm16", 7]] as const) {
      const total = 50_000;
      const source = encoding === "mulaw" ? pcm16ToMulaw(ramp(total)) : ramp(total);
      const framer = encoding === "mulaw" ? createAudioFramer({ encoding, frame }) : createAudioFramer({ encoding, frame });
      const size = framer.frameSamples;
      const out: number[] = [];
      let at = 0;
      while (at < total) {
        const length = Math.min(total - at, Math.floor(random() * 3 * size));
        for (const f of (framer.push as (c: Uint8Array | Int16Array) => (Uint8Array | Int16Array)[])(source.slice(at, at + length))) {
          assert.equal(f.length, size);
          out.push(...f);
        }
        at += length;
        assert.ok(framer.pending < size);
      }
      const rest = framer.flush();
      assert.equal(rest?.length ?? 0, total % size);
      if (rest !== undefined) out.push(...rest);
      assert.equal(framer.flush(), undefined);
      assert.deepEqual(out, [...source], `${encoding} frames of ${size}`);
    }
  });

  it("a framer keeps its type: a PCM framer refuses μ-law bytes; frames it returns are the caller's to keep", () => {
    const framer = createAudioFramer({ encoding: "pcm16", frame: 4 });
    // @ts-expect-error a pcm16 framer takes an Int16Array
    assert.throws(() => framer.push(new Uint8Array(8)), /takes an Int16Array/);
    const [first] = framer.push(Int16Array.of(1, 2, 3, 4, 5));
    framer.push(Int16Array.of(9, 9, 9, 9));
    assert.deepEqual([...first], [1, 2, 3, 4], "not overwritten by later pushes");
    assert.throws(() => createAudioFramer({ encoding: "alaw" as never, frame: 4 }), /"mulaw" or "pcm16"/);
  });

  it("a long answer cut into 200 ms playAudio messages: each message small, the audio whole and in order", async () => {
    const sent: string[] = [];
    let played = false;
    const answer = ramp(24000 * 3 + 100); // 3 s of 24 kHz PCM and a bit
    const sockets = createStreamServer({
      logger: { warn() {}, error() {} },
      stream: {
        allowUnauthenticated: true,
        onStart: (_start, stream) => {
          for (const part of chunkAudio(answer, { ms: 200, sampleRate: 24000 })) played = stream.playAudio(part, { encoding: "pcm16", sampleRate: 24000 });
        },
      },
    });
    const decision = await sockets.authorizeUpgrade({ url: "/sockets/stream", headers: {} });
    const connection = sockets.accept({ send: (text) => void sent.push(text), close() {} }, decision as Extract<typeof decision, { ok: true }>);
    connection.message(JSON.stringify({ eventType: "start", metadata: { accountId: "1", callId: "c-1", streamId: "s-1", streamName: "bot", tracks: ["inbound"] } }));
    assert.equal(played, true);
    assert.equal(sent.length, 16);
    const bytes = sent.map((text) => Buffer.from(JSON.parse(text).media.payload, "base64"));
    assert.ok(bytes.slice(0, -1).every((b) => b.length === 9600), "200 ms of 24 kHz 16-bit PCM each");
    const joined = Buffer.concat(bytes);
    assert.deepEqual(new Int16Array(joined.buffer, joined.byteOffset, joined.length / 2), answer);
  });
});
