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
import { CustomParam, Pause, Response, SpeakSentence, StartStream, StartTranscription, StopStream, StopTranscription, StreamParam } from "../generated/bxml/index.js";
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

const BOT = { endOfSpeechFrames: 10, bargeInFrames: 3, answerSeconds: 2 };

describe("a bidirectional stream against a voice bot", () => {
  it("streams the caller, plays the bot's answer, clears it on barge-in, and measures it", async () => {
    const running = await bot(streamVoice(), BOT);
    const trace = await simulateCall(running.url, { ...auth, seed: 11, speed: "max", startTime: "2026-12-05T10:00:00.000Z", caller: bargeInCaller });
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assert.deepEqual(events(trace), ["initiate", "mediaStreamStarted", "mediaStreamStopped", "disconnect"]);
    assertPayloadsValid(trace);
    assertSocketMessagesValid(running);
    // the handshake carried the verb's destination credentials
    assert.deepEqual(running.upgrades, [{ path: "/stream", authorization: `Basic ${Buffer.from(`${STREAM_USER}:${STREAM_PASS}`).toString("base64")}`, accepted: true }]);
    const messages = running.received.map((r) => r.message);
    assert.equal(messages[0].eventType, "start");
    assert.deepEqual(messages[0].streamParams, { customer: "48213" });
    assert.deepEqual(messages[0].metadata.tracks.map((t: { name: string }) => t.name), ["inbound", "outbound"]);
    assert.equal(messages[0].metadata.callId, trace.callId);
    assert.equal(messages.at(-1).eventType, "stop");
    const media = messages.filter((m) => m.eventType === "media");
    assert.ok(media.every((m) => Buffer.from(m.payload, "base64").length === 160), "20 ms μ-law frames");
    assert.equal(media.filter((m) => m.track === "inbound").length, media.filter((m) => m.track === "outbound").length);
    const started = trace.requests[1].payload as Record<string, any>;
    assert.equal(started.mediaStream.name, "bot");
    assert.equal(messages[0].metadata.streamId, started.mediaStream.id);
    const stopped = trace.requests[2].payload as Record<string, any>;
    assert.equal(stopped.cause, "closed");
    // the measures follow from the bot's own rules: it answers after 10 silent frames (heard from the next
    // frame on), and clears after 3 frames of the caller talking over it, which is also the double talk
    const m = trace.measures!;
    assert.deepEqual(m.utterances.map((u) => u.text), ["Hello there", "Wait, stop."]);
    assert.deepEqual(m.responses.map((r) => r.latencyMs), [BOT.endOfSpeechFrames * 20, BOT.endOfSpeechFrames * 20]);
    assert.equal(m.bargeIns.length, 1);
    assert.equal(m.bargeIns[0].at, m.utterances[1].start);
    assert.equal(m.bargeIns[0].clearMs, BOT.bargeInFrames * 20);
    assert.equal(m.bargeIns[0].doubleTalkMs, BOT.bargeInFrames * 20);
    assert.equal(m.doubleTalkMs, BOT.bargeInFrames * 20);
    // the bot's audio and the stereo mix are WAV files of the whole streamed call
    const botWav = readWav(trace.audio!.bot);
    const mix = readWav(trace.audio!.mix);
    assert.equal(botWav.channels, 1);
    assert.equal(mix.channels, 2);
    assert.equal(mix.samples.length, botWav.samples.length * 2);
    assert.ok(trace.audio!.seconds > 5);
  });

  it("gives the same trace, measures and audio for the same seed at speed max", async () => {
    const running = await bot(streamVoice(), BOT);
    const script = { ...auth, seed: 5, speed: "max" as const, startTime: "2026-12-05T10:00:00.000Z", caller: bargeInCaller };
    const first = await simulateCall(running.url, script);
    const second = await simulateCall(running.url, script);
    assert.deepEqual(comparable(second), comparable(first));
    assert.deepEqual(second.audio!.mix, first.audio!.mix);
    assert.deepEqual(second.measures, first.measures);
  });

  for (const format of ["audio/pcmu", 8000, 24000] as const) {
    it(`plays playAudio in ${format === "audio/pcmu" ? format : `linear PCM at ${format} Hz`}`, async () => {
      const running = await bot(streamVoice(), { ...BOT, format });
      const trace = await simulateCall(running.url, { ...auth, seed: 3, speed: "max", caller: bargeInCaller });
      assert.equal(trace.ok, true, JSON.stringify(trace.problems));
      assert.deepEqual(trace.measures!.responses.map((r) => r.latencyMs), [BOT.endOfSpeechFrames * 20, BOT.endOfSpeechFrames * 20]);
      assertSocketMessagesValid(running);
    });
  }

  it("reports and drops a bot's audio beyond 10 minutes queued", async () => {
    const running = await bot(streamVoice(), { ...BOT, format: "audio/pcmu", answerSeconds: 660 });
    const trace = await simulateCall(running.url, { ...auth, seed: 14, speed: "max", caller: { segments: [{ silence: 0.5 }, { tone: 440, seconds: 1 }], hangupAfter: 3 } });
    const problems = trace.problems.filter((p) => p.code === "socket-message-invalid");
    assert.ok(problems.length > 0 && problems.every((p) => /more than 600 s of audio queued/.test(p.message)), JSON.stringify(trace.problems.slice(0, 2)));
  });

  it("goes on with the next verb when the server closes the stream that <StopStream wait> holds", async () => {
    const running = await bot(
      () => ({
        initiate: (origin: string) =>
          Response(
            StartStream({ name: "bot", destination: `${origin}/stream`, mode: "bidirectional", streamEventUrl: "/callbacks/voice", ...auth, ...creds }),
            StopStream({ name: "bot", wait: true }),
            Pause({ duration: 1 }),
          ),
        mediaStreamStarted: () => undefined,
        mediaStreamStopped: () => undefined,
        disconnect: () => undefined,
      }),
      { ...BOT, closeAfterAnswers: 1 },
    );
    const trace = await simulateCall(running.url, { ...auth, seed: 4, speed: "max", caller: bargeInCaller });
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assert.deepEqual(trace.verbs.map((v) => v.verb), ["StartStream", "StopStream", "Pause"]);
    const stopped = trace.requests.find((r) => r.event === "mediaStreamStopped")!.payload as Record<string, any>;
    assert.equal(stopped.cause, "closed");
    assert.match(trace.entries.filter((e) => e.kind === "end").map((e) => (e as { reason: string }).reason).join(), /implicit <Hangup>/);
    assertPayloadsValid(trace);
  });
});

describe("a long <Pause> keeping a stream up (Bandwidth's pipecat example)", () => {
  const pauseVoice = () => ({
    initiate: (origin: string) =>
      Response(
        StartStream({ name: "bot", destination: `${origin}/stream`, mode: "bidirectional", ...creds }),
        Pause({ duration: 3600 }),
        SpeakSentence("never heard: the caller hung up during the pause"),
      ),
    disconnect: () => undefined,
  });

  it("ends when the caller hangs up at the time the script says, not after the hour", async () => {
    const running = await bot(pauseVoice, BOT);
    const trace = await simulateCall(running.url, { ...auth, seed: 12, speed: "max", caller: { ...bargeInCaller, hangupAfter: 5 } });
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assert.deepEqual(trace.said, []);
    const disconnect = trace.requests.at(-1)!.payload as Record<string, string>;
    assert.equal(disconnect.eventType, "disconnect");
    assert.equal(Date.parse(disconnect.endTime) - Date.parse(disconnect.answerTime), 5000);
    assert.equal(running.received.at(-1)!.message.eventType, "stop");
  });

  it("without hangupAfter, the caller hangs up once they and the bot have been silent for 2 s", async () => {
    const running = await bot(pauseVoice, BOT);
    const trace = await simulateCall(running.url, { ...auth, seed: 13, speed: "max", caller: bargeInCaller });
    const disconnect = trace.requests.at(-1)!.payload as Record<string, string>;
    // the caller's script is 7.1 s long; the bot's last answer ended before that
    assert.equal(Date.parse(disconnect.endTime) - Date.parse(disconnect.answerTime), 7100 + 2000);
    assert.deepEqual(trace.said, []);
  });
});

describe("streams Bandwidth rejects", () => {
  const rejected = (trace: CallTrace) => trace.requests.filter((r) => r.event === "mediaStreamRejected").map((r) => r.payload as Record<string, any>);

  it("wrong destination credentials: the handshake is refused, mediaStreamRejected (connection-error)", async () => {
    const running = await bot(streamVoice({ destinationPassword: "wrong" }), BOT);
    const trace = await simulateCall(running.url, { ...auth, seed: 6, speed: "max", caller: bargeInCaller });
    assert.deepEqual(events(trace), ["initiate", "mediaStreamRejected", "disconnect"]);
    const [payload] = rejected(trace);
    assert.equal(payload.cause, "connection-error");
    assert.match(payload.errorMessage, /401/);
    assert.equal(payload.mediaStream.name, "bot");
    assert.equal(running.upgrades[0].accepted, false);
    assert.deepEqual(trace.problems.map((p) => p.code), ["stream-rejected"]);
    assert.equal(trace.ok, false);
    assertPayloadsValid(trace);
  });

  it("a duplicate name, and more than 4 tracks, are rejected; an unreachable destination too", async () => {
    const closed = await startVoiceBot({});
    const deadOrigin = closed.wsOrigin;
    await closed.close();
    const running = await bot(() => ({
      initiate: (origin: string) =>
        Response(
          StartStream({ name: "a", destination: `${origin}/stream`, tracks: "both", streamEventUrl: "/callbacks/voice", ...auth, ...creds }),
          StartStream({ name: "a", destination: `${origin}/stream`, streamEventUrl: "/callbacks/voice", ...auth, ...creds }),
          StartStream({ name: "d", destination: `${deadOrigin}/stream`, streamEventUrl: "/callbacks/voice", ...auth, ...creds }),
          StartStream({ name: "b", destination: `${origin}/stream`, tracks: "both", streamEventUrl: "/callbacks/voice", ...auth, ...creds }),
          StartStream({ name: "c", destination: `${origin}/stream`, streamEventUrl: "/callbacks/voice", ...auth, ...creds }),
          Pause({ duration: 1 }),
        ),
      mediaStreamStarted: () => undefined,
      mediaStreamStopped: () => undefined,
      mediaStreamRejected: () => undefined,
      disconnect: () => undefined,
    }));
    const trace = await simulateCall(running.url, { ...auth, seed: 7, speed: "max", allowOrigins: [deadOrigin.replace("ws:", "http:")] });
    const causes = rejected(trace).map((p) => [p.mediaStream.name, p.cause]);
    assert.deepEqual(causes, [["a", "duplicate"], ["d", "connection-error"], ["c", "track-limit"]]);
    assert.equal(rejected(trace)[0].originalMediaStream.name, "a");
    assert.equal(trace.requests.filter((r) => r.event === "mediaStreamStarted").length, 2);
    assert.equal(trace.requests.filter((r) => r.event === "mediaStreamStopped").length, 2);
    assertPayloadsValid(trace);
  });
});

describe("the README's voice-bot example", () => {
  it("measures the bot's answer and the barge-in as its comments say", async () => {
    const readmeAuth = { username: "bw", password: "readme-password" };
    let origin = "";
    const handlers = streamVoice({ ...readmeAuth })();
    const running = await startVoiceBot(
      Object.fromEntries(Object.entries(handlers).map(([name, handler]) => [name, (...args: unknown[]) => (handler as (o: string, ...a: unknown[]) => unknown)(origin, ...args)])),
      BOT,
      readmeAuth,
    );
    origin = running.wsOrigin;
    bots.push(running);
    const previous = process.env.BW_CALLBACK_PASSWORD;
    process.env.BW_CALLBACK_PASSWORD = readmeAuth.password;
    const { readmeVoiceBot } = await import("./types/readme-example.js");
    const { trace, first, bargeIn, wav } = await readmeVoiceBot(running).finally(() => {
      if (previous === undefined) delete process.env.BW_CALLBACK_PASSWORD;
      else process.env.BW_CALLBACK_PASSWORD = previous;
    });
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assert.equal(first.text, "I need to change my booking");
    assert.equal(first.latencyMs, BOT.endOfSpeechFrames * 20);
    assert.equal(bargeIn.clearMs, BOT.bargeInFrames * 20);
    assert.equal(readWav(wav).channels, 2);
  });
});

describe("live transcription", () => {
  it("sends start (customParams), partial and final transcription updates, stop, and the realTimeTranscription* callbacks", async () => {
    const running = await bot(() => ({
      initiate: (origin: string) =>
        Response(
          StartTranscription({ name: "live", destination: `${origin}/transcribe`, stabilized: false, transcriptionEventUrl: "/callbacks/voice", ...auth }, CustomParam({ name: "agent", value: "7" })),
          Pause({ duration: 6 }),
          StopTranscription({ name: "live" }),
        ),
      realTimeTranscriptionStarted: () => undefined,
      realTimeTranscriptionStopped: () => undefined,
      realTimeTranscriptionAvailable: () => undefined,
      disconnect: () => undefined,
    }));
    const trace = await simulateCall(running.url, { ...auth, seed: 8, speed: "max", caller: bargeInCaller });
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assert.deepEqual(events(trace), ["initiate", "realTimeTranscriptionStarted", "realTimeTranscriptionStopped", "realTimeTranscriptionAvailable", "disconnect"]);
    assertPayloadsValid(trace);
    assertSocketMessagesValid(running);
    const messages = running.received.map((r) => r.message);
    assert.equal(messages[0].eventType, "start");
    assert.deepEqual(messages[0].customParams, { agent: "7" });
    assert.equal(messages[0].metadata.stabilized, false);
    assert.equal(messages.at(-1).eventType, "stop");
    const updates = messages.filter((m) => m.eventType === "transcription");
    assert.deepEqual(updates.filter((u) => !u.isPartial).map((u) => u.transcript), ["Hello there", "Wait, stop."]);
    assert.deepEqual(updates.filter((u) => u.isPartial).map((u) => u.transcript), ["Hello", "Wait", "Wait, stop"]);
    const available = trace.requests[3].payload as Record<string, any>;
    assert.equal(available.realTimeTranscription.status, "available");
    assert.equal(available.realTimeTranscription.id, messages[0].metadata.realTimeTranscriptionId);
  });

  it("with stabilized (the default) sends only final updates", async () => {
    const running = await bot(() => ({
      initiate: (origin: string) => Response(StartTranscription({ destination: `${origin}/transcribe` }), Pause({ duration: 6 })),
      disconnect: () => undefined,
    }));
    const trace = await simulateCall(running.url, { ...auth, seed: 9, speed: "max", caller: bargeInCaller });
    const updates = running.received.map((r) => r.message).filter((m) => m.eventType === "transcription");
    assert.deepEqual(updates.map((u) => [u.isPartial, u.transcript]), [[false, "Hello there"], [false, "Wait, stop."]]);
    assertSocketMessagesValid(running);
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assert.equal(trace.measures, undefined, "no stream: no audio to measure");
  });
});
