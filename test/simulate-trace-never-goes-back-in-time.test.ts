// A simulated call's trace is in time order: each entry's `at` is at or after the one before. It was not
// when a <StopStream wait="true"> held a stream with no caller audio (the bot `scaffold --stream` writes,
// simulated by its own `npm run simulate`): the call ended at the verb's time, then the stream's `stop` was
// stamped at the last whole 20 ms frame before it, 10 ms earlier.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { Response, SpeakSentence, StartStream, StopStream } from "../generated/bxml/index.js";
import { simulateCall } from "../generated/testing.js";
import { PASS, USER } from "./support/simulate.js";
import { STREAM_PASS, STREAM_USER, startVoiceBot, type VoiceBot } from "./support/voice-bot.js";

const bots: VoiceBot[] = [];
after(async () => {
  for (const bot of bots) await bot.close();
});

/** Entries whose time is before the entry's before them. */
function backwards(entries: ReadonlyArray<{ kind: string; at: string }>): string[] {
  const out: string[] = [];
  for (let i = 1; i < entries.length; i++) if (Date.parse(entries[i].at) < Date.parse(entries[i - 1].at)) out.push(`${entries[i - 1].kind} ${entries[i - 1].at} → ${entries[i].kind} ${entries[i].at}`);
  return out;
}

for (const caller of [undefined, { segments: [{ silence: 6 }, { tone: 440, seconds: 0.8, text: "Hello" }, { silence: 1 }] }]) {
  test(`the trace is in time order: a greeting, then a held bidirectional stream (${caller === undefined ? "no caller audio" : "the caller talks"})`, async () => {
    let origin = "";
    const bot = await startVoiceBot({
      initiate: () =>
        Response(
          SpeakSentence("You are talking to an echo bot. Say something, and it says it back."),
          StartStream({ name: "bot", destination: `${origin}/stream`, mode: "bidirectional", destinationUsername: STREAM_USER, destinationPassword: STREAM_PASS, streamEventUrl: "/callbacks/voice", username: USER, password: PASS }),
          StopStream({ name: "bot", wait: true }),
        ),
      mediaStreamStarted: () => undefined,
      mediaStreamStopped: () => undefined,
      disconnect: () => undefined,
    });
    bots.push(bot);
    origin = bot.wsOrigin;
    const trace = await simulateCall(bot.url, { username: USER, password: PASS, speed: "max", seed: 3, ...(caller !== undefined ? { caller } : {}) });
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assert.ok(trace.entries.some((e) => e.kind === "socket" && e.message === "stop"));
    assert.deepEqual(backwards(trace.entries), []);
  });
}
