/**
 * The simulator against the project's own socket runtime (`bw-codegen/sockets` + `bw-codegen/sockets/node`,
 * next to the generated webhooks on one port on 127.0.0.1): an echo bot gets `start` (its StreamParam),
 * every frame and `stop` with no message refused (no onInvalidMessage), echoes the caller back, and the
 * simulator hears it; wrong destination credentials get the runtime's 401 and a mediaStreamRejected; a
 * transcription consumer gets the caller's words.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { Pause, Response, StartStream, StartTranscription, StopStream, StreamParam } from "../generated/bxml/index.js";
import { readWav } from "../generated/audio.js";
import { createStreamServer, DEFAULT_SOCKET_PATHS } from "../generated/sockets.js";
import { attachStreamServer } from "../generated/sockets-node.js";
import { simulateCall } from "../generated/testing.js";
import { PASS, USER, assertPayloadsValid, events, quiet } from "./support/simulate.js";

const auth = { username: USER, password: PASS };
const STREAM = { username: "bw-stream", password: "stream:pass" };

interface Running {
  url: string;
  ws: string;
  invalid: unknown[];
  starts: Array<Record<string, unknown>>;
  stops: number;
  transcripts: string[];
  close(): Promise<void>;
}

const running: Running[] = [];
after(async () => {
  for (const r of running) await r.close();
});

async function start(voice: (ws: string) => Record<string, unknown>): Promise<Running> {
  // what the handlers saw; filled in (url, ws, close) once the server listens
  const state: Running = { invalid: [], starts: [], stops: 0, transcripts: [], url: "", ws: "", close: async () => undefined };
  let ws = "";
  const sockets = createStreamServer({
    logger: quiet,
    onInvalidMessage: (info: unknown) => void state.invalid.push(info),
    stream: {
      credentials: [STREAM],
      onStart: (_start: unknown, stream: { metadata: Record<string, unknown> }) => void state.starts.push(stream.metadata),
      onMedia: (frame: { track: string; audio: Uint8Array }, stream: { playAudio(audio: Uint8Array): void }) => {
        if (frame.track === "inbound") stream.playAudio(frame.audio); // echo the caller
      },
      onStop: () => void state.stops++,
    },
    transcription: {
      verifyToken: ({ url }: { url: string }) => new URL(url, "ws://x").searchParams.get("token") === "t0ken",
      onTranscription: (update: { transcript: string; isPartial: boolean }) => {
        if (!update.isPartial) state.transcripts.push(update.transcript);
      },
    },
  } as never);
  const handlers = voice("");
  const webhooks = createBandwidthWebhooks({
    credentials: [auth],
    logger: quiet,
    // the handlers are made again at each call, once the port (and so `ws`) is known
    voice: Object.fromEntries(Object.keys(handlers).map((name) => [name, (...args: unknown[]) => (voice(ws)[name] as (...a: unknown[]) => unknown)(...args)])),
  } as never);
  const server = createServer(webhooks.node);
  const attached = attachStreamServer(server, sockets);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  ws = `ws://127.0.0.1:${port}`;
  state.url = `http://127.0.0.1:${port}/callbacks/voice`;
  state.ws = ws;
  state.close = async () => {
    await attached.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  running.push(state);
  return state;
}

const caller = { segments: [{ silence: 0.5 }, { tone: 440, seconds: 1, text: "Hello there" }, { silence: 2 }] };

describe("simulated calls against bw-codegen/sockets", () => {
  it("an echo bot: start with its StreamParam, every frame accepted, the caller heard back", async () => {
    const r = await start((ws) => ({
      initiate: () =>
        Response(
          StartStream({ name: "echo", destination: `${ws}${DEFAULT_SOCKET_PATHS.stream}`, mode: "bidirectional", streamEventUrl: "/callbacks/voice", ...auth, destinationUsername: STREAM.username, destinationPassword: STREAM.password }, StreamParam({ name: "customer", value: "48213" })),
          StopStream({ name: "echo", wait: true }),
        ),
      mediaStreamStarted: () => undefined,
      mediaStreamStopped: () => undefined,
      disconnect: () => undefined,
    }));
    const trace = await simulateCall(r.url, { ...auth, seed: 21, speed: "max", caller });
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assert.deepEqual(events(trace), ["initiate", "mediaStreamStarted", "mediaStreamStopped", "disconnect"]);
    assertPayloadsValid(trace);
    assert.deepEqual(r.invalid, [], "the runtime refused none of the simulator's messages");
    assert.equal(r.starts.length, 1);
    assert.deepEqual({ ...(r.starts[0].params as object) }, { customer: "48213" });
    assert.equal(r.starts[0].callId, trace.callId);
    assert.equal(r.stops, 1);
    // the echo: the bot's audio holds the caller's tone, so it answered while the caller spoke (double talk)
    const bot = readWav(trace.audio!.bot);
    assert.equal(bot.channels, 1);
    assert.ok(trace.measures!.doubleTalkMs > 0, JSON.stringify(trace.measures));
  });

  it("wrong destination credentials: the runtime answers 401 and the simulator sends mediaStreamRejected", async () => {
    const r = await start((ws) => ({
      initiate: () =>
        Response(
          StartStream({ name: "echo", destination: `${ws}${DEFAULT_SOCKET_PATHS.stream}`, streamEventUrl: "/callbacks/voice", ...auth, destinationUsername: STREAM.username, destinationPassword: "wrong" }),
          Pause({ duration: 1 }),
        ),
      mediaStreamRejected: () => undefined,
      disconnect: () => undefined,
    }));
    const trace = await simulateCall(r.url, { ...auth, seed: 22, speed: "max", caller });
    assert.deepEqual(events(trace), ["initiate", "mediaStreamRejected", "disconnect"]);
    assert.match((trace.requests[1].payload as { errorMessage: string }).errorMessage, /401/);
    assert.equal(r.starts.length, 0);
    assertPayloadsValid(trace);
  });

  it("a transcription consumer behind a URL token gets the caller's words", async () => {
    const r = await start((ws) => ({
      initiate: () => Response(StartTranscription({ name: "live", destination: `${ws}${DEFAULT_SOCKET_PATHS.transcription}?token=t0ken` }), Pause({ duration: 3 })),
      disconnect: () => undefined,
    }));
    const trace = await simulateCall(r.url, { ...auth, seed: 23, speed: "max", caller });
    assert.equal(trace.ok, true, JSON.stringify(trace.problems));
    assert.deepEqual(r.invalid, []);
    assert.deepEqual(r.transcripts, ["Hello there"]);
  });
});
