// The end-to-end proof of issue 23 (a): `bw-codegen simulate call` against the bot `bw-codegen scaffold
// --stream` writes, running as its own process on 127.0.0.1. The caller's audio is a 16 kHz WAV file the
// test writes (two utterances, the second talking over the bot's echo), at --speed max. The call runs to its
// end with 0 problems; the stream's start, media and stop go out; the bot's playAudio is heard (its WAV is
// loud where it echoes the caller, silent before); the barge-in gives a clear and the measures show it;
// mediaStreamStarted / mediaStreamStopped reach the receiver (the scaffold now sets streamEventUrl and its
// credentials: before, they were never sent). Every webhook payload and every socket message of the run (the
// socket through a relay at BW_STREAM_URL, which also checks that setting) validates with the project's
// validators, strict mode included.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { readWav, writeWav } from "../generated/audio.js";
import type { CallTrace } from "../generated/testing.js";
import { TEST_LIMIT_MS } from "./support/children.js";
import { jsonLines, runCliAsync } from "./support/cli.js";
import { killAll, startServer } from "./support/processes.js";
import { scaffoldEchoBot, startStreamRelay, type StreamRelay } from "./support/scaffolded-echo-bot.js";
import { assertPayloadsValid } from "./support/simulate.js";

const work = mkdtempSync(join(tmpdir(), "bw-sim-echo-"));
const USER = "bw";
const PASS = "s3cret:callback";
const STREAM_USER = "bw-stream";
const STREAM_PASS = "stream:secret";
let relay: StreamRelay | undefined;
after(async () => {
  killAll();
  await relay?.close();
  rmSync(work, { recursive: true, force: true });
});

const RATE = 16_000;
/** The caller, from the answer: silence through the greeting, "hello" (0.8 s), a 0.9 s pause, then 1.2 s over the echo. */
const CALLER: ReadonlyArray<readonly [hz: number, seconds: number]> = [[0, 6], [440, 0.8], [0, 0.9], [330, 1.2], [0, 2]];

function callerWav(): Uint8Array {
  const parts = CALLER.map(([hz, seconds]) => {
    const samples = new Int16Array(Math.round(seconds * RATE));
    for (let i = 0; i < samples.length; i++) samples[i] = hz === 0 ? 0 : Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / RATE));
    return samples;
  });
  const all = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  return writeWav({ encoding: "pcm16", sampleRate: RATE, channels: 1, samples: all });
}

/** RMS of `pcm` (8 kHz) between two times in seconds. */
function rmsBetween(pcm: Int16Array, from: number, to: number): number {
  let sum = 0;
  const a = Math.round(from * 8000);
  const b = Math.min(pcm.length, Math.round(to * 8000));
  for (let i = a; i < b; i++) sum += pcm[i] * pcm[i];
  return b > a ? Math.sqrt(sum / (b - a)) : 0;
}

describe("simulate call against the scaffolded echo bot", { timeout: TEST_LIMIT_MS }, () => {
  const dir = join(work, "bot");
  let url = "";
  let server: ReturnType<typeof startServer> | undefined;
  let lines: Record<string, any>[] = [];
  let status: number | null = null;
  let output = "";

  before(async () => {
    scaffoldEchoBot(dir);
    let botOrigin = "";
    relay = await startStreamRelay(() => botOrigin);
    server = startServer(process.execPath, ["--import", "tsx", "src/server.ts"], dir, {
      PORT: "0",
      BW_CALLBACK_USERNAME: USER,
      BW_CALLBACK_PASSWORD: PASS,
      BW_STREAM_USERNAME: STREAM_USER,
      BW_STREAM_PASSWORD: STREAM_PASS,
      BW_STREAM_URL: `${relay.origin}/sockets/stream`,
    });
    const base = await server.url;
    botOrigin = base.replace(/^http/, "ws");
    url = `${base}/callbacks/voice`;
    writeFileSync(join(work, "caller.wav"), callerWav());
    const cli = await runCliAsync(
      ["simulate", "call", "--url", url, "--username", USER, "--password", PASS, "--allow-origin", relay.origin.replace(/^ws/, "http"), "--audio", join(work, "caller.wav"), "--speed", "max", "--seed", "7", "--bot-audio", join(work, "bot.wav"), "--mix", join(work, "mix.wav"), "--json"],
      { cwd: work },
    );
    status = cli.status;
    output = cli.stdout + cli.stderr;
    lines = jsonLines(cli.stdout);
  });

  test("the call runs to its end with 0 problems, through the bot's StartStream and the StopStream that holds the call", () => {
    assert.equal(status, 0, output);
    const summary = lines.at(-1)!;
    assert.equal(summary.kind, "summary");
    assert.equal(summary.ok, true, output);
    assert.equal(summary.problems, 0, output);
    assert.equal(summary.cause, "hangup");
    const verbs = lines.filter((l) => l.kind === "verb").map((l) => l.verb);
    assert.deepEqual(verbs, ["SpeakSentence", "StartStream", "StopStream"]);
    const startStream = lines.find((l) => l.kind === "verb" && l.verb === "StartStream")!;
    assert.equal(startStream.attributes.destination, `${relay!.origin}/sockets/stream`, "BW_STREAM_URL is the destination");
    assert.equal(startStream.attributes.destinationUsername, STREAM_USER);
  });

  test("start, media and stop go out; the bot answers with playAudio and, on the barge-in, clear", () => {
    const fromSimulator = relay!.relayed.filter((r) => r.from === "simulator").map((r) => r.message.eventType);
    assert.equal(fromSimulator[0], "start");
    assert.equal(fromSimulator.at(-1), "stop");
    assert.ok(fromSimulator.slice(1, -1).length > 100 && fromSimulator.slice(1, -1).every((e) => e === "media"), "20 ms frames between start and stop");
    const fromBot = relay!.relayed.filter((r) => r.from === "bot").map((r) => r.message.eventType);
    assert.ok(fromBot.includes("playAudio"), fromBot.join());
    assert.ok(fromBot.indexOf("clear") > fromBot.indexOf("playAudio"), `a clear after the first playAudio: ${fromBot.join()}`);
    assert.deepEqual(relay!.refused, [], "the stream credentials in the BXML are the ones the bot's socket takes");
    const socketEntries = lines.filter((l) => l.kind === "socket").map((l) => l.message);
    assert.ok(socketEntries.includes("clear"));
  });

  test("the measures show the bot's answer after the first utterance and the barge-in's clear", () => {
    const measures = lines.at(-1)!.measures;
    assert.equal(measures.utterances.length, 2, JSON.stringify(measures));
    assert.ok(measures.responses[0].latencyMs > 0, "the bot answered the first utterance");
    assert.equal(measures.bargeIns.length, 1, JSON.stringify(measures.bargeIns));
    assert.ok(measures.bargeIns[0].clear !== undefined && measures.bargeIns[0].clearMs > 0, JSON.stringify(measures.bargeIns[0]));
    assert.ok(measures.doubleTalkMs > 0);
  });

  test("the bot's audio is heard: its WAV is loud where it echoes the caller, silent before", () => {
    const bot = readWav(readFileSync(join(work, "bot.wav")));
    assert.equal(bot.encoding, "pcm16");
    assert.equal(bot.sampleRate, 8000);
    const pcm = bot.samples as Int16Array;
    const measures = lines.at(-1)!.measures;
    // sample 0 is the answer; the caller's WAV starts there with 6 s of silence
    const answer = Date.parse(measures.utterances[0].start) - CALLER[0][1] * 1000;
    const echo = (Date.parse(measures.responses[0].botAudio) - answer) / 1000;
    assert.ok(rmsBetween(pcm, echo, echo + 0.5) > 1000, `the echo is loud at +${echo}s`);
    assert.ok(rmsBetween(pcm, 0, echo - 0.1) < 50, "the bot is silent before it answers");
    const mix = readWav(readFileSync(join(work, "mix.wav")));
    assert.equal(mix.channels, 2);
  });

  test("mediaStreamStarted and mediaStreamStopped reach the receiver, with the callback credentials", () => {
    const requests = lines.filter((l) => l.kind === "request");
    assert.deepEqual(
      requests.map((r) => r.event),
      ["initiate", "mediaStreamStarted", "mediaStreamStopped", "disconnect"],
    );
    for (const r of requests) {
      assert.equal(r.url, url);
      assert.ok(r.status >= 200 && r.status < 300, `${r.event}: ${r.status}`);
      assert.equal(r.auth, "challenged");
    }
    assert.match(server!.output(), /\[voice\] mediaStreamStarted callId=/);
    assert.match(server!.output(), /\[voice\] mediaStreamStopped callId=/);
  });

  test("every webhook payload and every socket message of the run validates (strict)", () => {
    assertPayloadsValid({ requests: lines.filter((l) => l.kind === "request") } as unknown as CallTrace);
    assert.ok(relay!.relayed.length > 100);
    const bad = relay!.relayed.filter((r) => !(r.ok && r.strictOk));
    assert.deepEqual(bad, [], "socket messages the project's stream validator refuses");
    for (const entry of lines.filter((l) => l.kind === "socket" && l.payload !== undefined)) {
      const strict = relay!.relayed.find((r) => r.message.eventType === entry.payload.eventType);
      assert.ok(strict, `${entry.message} went through the socket`);
    }
  });
});
