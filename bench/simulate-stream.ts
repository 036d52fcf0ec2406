/**
 * How fast a streamed call runs at `speed: "max"`: a 60 s bidirectional call (the caller talks ten times,
 * the test voice bot answers each utterance with 2 s of audio) against a `ws` bot and the generated
 * webhooks on 127.0.0.1, timed wall-clock, three runs. Each 20 ms tick sends two media frames and waits
 * for two pings to come back. Run on its own: `node --import tsx bench/simulate-stream.ts`.
 */
import { Response, StartStream, StopStream } from "../generated/bxml/index.js";
import { simulateCall } from "../generated/testing.js";
import { PASS, USER } from "../test/support/simulate.js";
import { STREAM_PASS, STREAM_USER, startVoiceBot } from "../test/support/voice-bot.js";

const segments: Array<Record<string, unknown>> = [];
for (let i = 0; i < 10; i++) segments.push({ silence: 3 }, { tone: 440, seconds: 2, text: `utterance ${i + 1}` }, { silence: 1 });

const bot = await startVoiceBot({
  initiate: () =>
    Response(
      StartStream({ name: "bot", destination: `${bot.wsOrigin}/stream`, mode: "bidirectional", tracks: "both", destinationUsername: STREAM_USER, destinationPassword: STREAM_PASS }),
      StopStream({ name: "bot", wait: true }),
    ),
  disconnect: () => undefined,
} as never);
try {
  const times: number[] = [];
  let seconds = 0;
  for (let run = 0; run < 3; run++) {
    const started = performance.now();
    const trace = await simulateCall(bot.url, { username: USER, password: PASS, seed: 1, speed: "max", caller: { segments: segments as never, hangupAfter: 60 } });
    times.push(performance.now() - started);
    seconds = trace.audio?.seconds ?? 0;
    if (!trace.ok) throw new Error(JSON.stringify(trace.problems));
  }
  console.log(`${seconds.toFixed(1)} s streamed call (both tracks, bidirectional) at speed max: ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(", ")} wall-clock`);
} finally {
  await bot.close();
}
