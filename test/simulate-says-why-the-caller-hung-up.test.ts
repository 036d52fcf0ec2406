// A streamed call ended by the caller said "the caller hung up (end of the caller's script)" even when the
// caller was a WAV file (`--audio`, no script) or hung up at `hangupAfter` mid-speech. The reason now says
// which: the caller's audio ended, or hangupAfter.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Response, StartStream, StopStream } from "../generated/bxml/index.js";
import { simulateCall } from "../generated/testing.js";
import { PASS, USER } from "./support/simulate.js";
import { STREAM_PASS, STREAM_USER, startVoiceBot, type VoiceBot } from "./support/voice-bot.js";

const bots: VoiceBot[] = [];
after(async () => {
  for (const bot of bots) await bot.close();
});

async function streamingBot(): Promise<VoiceBot> {
  let origin = "";
  const running = await startVoiceBot({
    initiate: () =>
      Response(
        StartStream({ name: "bot", destination: `${origin}/stream`, mode: "bidirectional", destinationUsername: STREAM_USER, destinationPassword: STREAM_PASS }),
        StopStream({ name: "bot", wait: true }),
      ),
    disconnect: () => undefined,
  });
  origin = running.wsOrigin;
  bots.push(running);
  return running;
}

describe("simulate call says why the caller hung up", () => {
  it("audio that runs out: the caller's audio ended (not a script's end)", async () => {
    const bot = await streamingBot();
    const trace = await simulateCall(bot.url, { username: USER, password: PASS, seed: 2, speed: "max", caller: { segments: [{ silence: 0.5 }, { tone: 440, seconds: 0.5 }, { silence: 0.5 }] } });
    const end = trace.entries.find((e) => e.kind === "end");
    assert.equal(trace.cause, "hangup");
    assert.equal(end?.kind === "end" ? end.reason : undefined, "the caller hung up (the caller's audio ended)");
  });

  it("hangupAfter: says so, with its time", async () => {
    const bot = await streamingBot();
    const trace = await simulateCall(bot.url, { username: USER, password: PASS, seed: 2, speed: "max", caller: { segments: [{ silence: 0.5 }, { tone: 440, seconds: 5 }], hangupAfter: 1.5 } });
    const end = trace.entries.find((e) => e.kind === "end");
    assert.equal(end?.kind === "end" ? end.reason : undefined, "the caller hung up (hangupAfter: 1.5 s)");
  });
});
