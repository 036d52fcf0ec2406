// A tiny voice bot for the simulator's stream tests, on one node:http server on 127.0.0.1: the generated
// webhooks (credentials USER/PASS) and, on the same port, `ws` sockets: /stream (a media-stream bot that
// checks Basic credentials on the upgrade, validates every message it receives with the project's stream
// validator, answers each caller utterance with audio and clears it when the caller talks over it) and
// /transcribe (a transcription consumer that validates and keeps every message). All synchronous in the
// message handlers, so a `speed: "max"` run is repeatable.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import { createBandwidthWebhooks } from "../../generated/index.js";
import { base64ToBytes, bytesToBase64, mulawToPcm16, pcm16ToMulaw } from "../../generated/audio.js";
import { validateStreamMessage } from "../../generated/validators/stream.js";
import { validateTranscriptionMessage } from "../../generated/validators/transcription.js";
import { PASS, USER, quiet } from "./simulate.js";

export const STREAM_USER = "stream-user";
export const STREAM_PASS = "stream:secret";

/** How the bot answers. */
export interface BotBehaviour {
  /** Silent 20 ms frames after speech before the bot answers (default 10: 200 ms). */
  readonly endOfSpeechFrames?: number;
  /** Voiced frames heard while its answer plays before it sends `clear` (default 3). */
  readonly bargeInFrames?: number;
  /** Seconds of its answer (default 2). */
  readonly answerSeconds?: number;
  /** playAudio content type: "audio/pcmu" or a PCM rate (default 16000). */
  readonly format?: "audio/pcmu" | 8000 | 16000 | 24000;
  /** Close the socket (1000) after this many answers. */
  readonly closeAfterAnswers?: number;
}

export interface VoiceBot {
  readonly url: string;
  readonly origin: string;
  readonly wsOrigin: string;
  /** Every message each socket received, with the validator's verdict (lenient and strict). */
  readonly received: Array<{ path: string; message: any; ok: boolean; strictOk: boolean; errors: unknown }>;
  /** Authorization headers of the upgrades. */
  readonly upgrades: Array<{ path: string; authorization: string | undefined; accepted: boolean }>;
  close(): Promise<void>;
}

const frameRms = (pcm: Int16Array): number => {
  let sum = 0;
  for (const s of pcm) sum += s * s;
  return Math.sqrt(sum / pcm.length);
};

function answerAudio(behaviour: BotBehaviour): { contentType: string; payloads: string[] } {
  const format = behaviour.format ?? 16000;
  const rate = format === "audio/pcmu" ? 8000 : format;
  const seconds = behaviour.answerSeconds ?? 2;
  const samples = new Int16Array(Math.round(rate * seconds));
  for (let n = 0; n < samples.length; n++) samples[n] = Math.round(8000 * Math.sin((2 * Math.PI * 600 * n) / rate));
  const chunk = rate / 5; // 200 ms per message
  const payloads: string[] = [];
  for (let i = 0; i < samples.length; i += chunk) {
    const part = samples.subarray(i, i + chunk);
    if (format === "audio/pcmu") {
      payloads.push(bytesToBase64(pcm16ToMulaw(part)));
    } else {
      payloads.push(bytesToBase64(new Uint8Array(part.buffer.slice(part.byteOffset, part.byteOffset + part.byteLength))));
    }
  }
  return { contentType: format === "audio/pcmu" ? "audio/pcmu" : `audio/pcm;rate=${rate};channels=1;bit-depth=16;endian=little;encoding=signed`, payloads };
}

function streamBot(socket: WebSocket, behaviour: BotBehaviour, record: (message: unknown) => void): void {
  const endFrames = behaviour.endOfSpeechFrames ?? 10;
  const bargeFrames = behaviour.bargeInFrames ?? 3;
  const answer = answerAudio(behaviour);
  const answerFrames = Math.round((behaviour.answerSeconds ?? 2) * 50);
  let speaking = false;
  let silent = 0;
  let playingFor = -1; // frames heard since the answer was sent; -1 = not playing
  let voicedWhilePlaying = 0;
  let answers = 0;
  socket.on("message", (data) => {
    const message = JSON.parse(String(data));
    record(message);
    if (message.eventType !== "media" || message.track !== "inbound") return;
    const voiced = frameRms(mulawToPcm16(base64ToBytes(message.payload))) > 500;
    if (playingFor >= 0) {
      playingFor++;
      if (playingFor > answerFrames + 2) playingFor = -1;
      voicedWhilePlaying = voiced ? voicedWhilePlaying + 1 : 0;
      if (playingFor >= 0 && voicedWhilePlaying >= bargeFrames) {
        socket.send(JSON.stringify({ eventType: "clear" }));
        playingFor = -1;
        voicedWhilePlaying = 0;
      }
    }
    if (voiced) {
      speaking = true;
      silent = 0;
      return;
    }
    if (!speaking || ++silent < endFrames) return;
    speaking = false;
    for (const payload of answer.payloads) socket.send(JSON.stringify({ eventType: "playAudio", media: { contentType: answer.contentType, payload } }));
    playingFor = 0;
    voicedWhilePlaying = 0;
    if (++answers === behaviour.closeAfterAnswers) socket.close(1000, "done");
  });
}

/** The webhooks (voice handlers given) and the socket bot on one port. */
export async function startVoiceBot(voice: Record<string, unknown>, behaviour: BotBehaviour = {}, credentials = { username: USER, password: PASS }): Promise<VoiceBot> {
  const webhooks = createBandwidthWebhooks({ credentials: [credentials], logger: quiet, voice } as never);
  const server = createServer(webhooks.node as never);
  const received: VoiceBot["received"] = [];
  const upgrades: VoiceBot["upgrades"] = [];
  const expected = `Basic ${Buffer.from(`${STREAM_USER}:${STREAM_PASS}`).toString("base64")}`;
  const wss = new WebSocketServer({
    server,
    verifyClient: (info: { req: { url?: string; headers: Record<string, string | string[] | undefined> } }, done: (ok: boolean, code?: number) => void) => {
      const path = (info.req.url ?? "").split("?")[0];
      const authorization = info.req.headers.authorization as string | undefined;
      const accepted = path !== "/stream" || authorization === expected;
      upgrades.push({ path, authorization, accepted });
      done(accepted, accepted ? undefined : 401);
    },
  });
  wss.on("connection", (socket, request) => {
    const path = (request.url ?? "").split("?")[0];
    const validate = path === "/transcribe" ? validateTranscriptionMessage : validateStreamMessage;
    const record = (message: unknown) => {
      const lenient = validate(message);
      const strict = validate(message, { strict: true });
      received.push({ path, message, ok: lenient.ok, strictOk: strict.ok, errors: lenient.ok ? (strict.ok ? undefined : strict.errors) : lenient.errors });
    };
    if (path === "/stream") streamBot(socket, behaviour, record);
    else socket.on("message", (data) => record(JSON.parse(String(data))));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/callbacks/voice`,
    origin: `http://127.0.0.1:${port}`,
    wsOrigin: `ws://127.0.0.1:${port}`,
    received,
    upgrades,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
