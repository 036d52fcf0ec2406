// `stream.playAudio(samples)` with an Int16Array of PCM and no format compiled (the parameter was the union
// `Uint8Array | Int16Array` with an optional format) and threw only at run time, in the middle of a call. The
// signature now has two overloads: μ-law (or any) bytes with an optional format, and an Int16Array with its
// PCM format, required. `npm run typecheck` checks the @ts-expect-error lines (each fails to compile if the
// mistake compiles); at run time the same calls still throw a clear error for JavaScript callers.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createStreamServer, type PlayAudioFormat, type Stream } from "../generated/sockets.js";

const START = {
  eventType: "start",
  metadata: { accountId: "5551234", callId: "c-play", streamId: "s-1", streamName: "bot", tracks: [{ name: "inbound", mediaFormat: { encoding: "PCMU", sampleRate: 8000 } }] },
};

async function aStream(): Promise<{ stream: Stream<unknown>; sent: string[] }> {
  let stream: Stream<unknown> | undefined;
  const sockets = createStreamServer({ logger: { warn() {}, error() {} }, stream: { allowUnauthenticated: true, onStart: (_start, s) => void (stream = s) } });
  const decision = await sockets.authorizeUpgrade({ url: "/sockets/stream", headers: {} });
  const sent: string[] = [];
  const connection = sockets.accept({ send: (text) => void sent.push(text), close() {} }, decision as Extract<typeof decision, { ok: true }>);
  connection.message(JSON.stringify(START));
  return { stream: stream!, sent };
}

describe("playAudio's types say which audio needs which format", () => {
  it("an Int16Array without its PCM format, or with μ-law, does not compile, and throws for JavaScript callers", async () => {
    const { stream, sent } = await aStream();
    const pcm = new Int16Array(320);
    // @ts-expect-error 16-bit samples need { encoding: "pcm16", sampleRate }
    assert.throws(() => stream.playAudio(pcm), /for 16-bit PCM pass \{ encoding: "pcm16", sampleRate \}/);
    // @ts-expect-error an Int16Array is not μ-law
    assert.throws(() => stream.playAudio(pcm, { encoding: "mulaw" }), /μ-law audio is a Uint8Array/);
    assert.deepEqual(sent, []);
  });

  it("the right calls compile and send: μ-law bytes, PCM samples with their rate, bytes with a format held in a variable", async () => {
    const { stream, sent } = await aStream();
    assert.equal(stream.playAudio(new Uint8Array(160).fill(0xff)), true);
    assert.equal(stream.playAudio(new Int16Array(320), { encoding: "pcm16", sampleRate: 16000 }), true);
    const format: PlayAudioFormat = Math.random() < 2 ? { encoding: "pcm16", sampleRate: 24000 } : { encoding: "mulaw" };
    assert.equal(stream.playAudio(new Uint8Array(480), format), true);
    assert.deepEqual(
      sent.map((text) => JSON.parse(text).media.contentType),
      ["audio/pcmu", "audio/pcm;rate=16000;channels=1;bit-depth=16;endian=little;encoding=signed", "audio/pcm;rate=24000;channels=1;bit-depth=16;endian=little;encoding=signed"],
    );
  });
});
