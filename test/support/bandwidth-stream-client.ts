// Bandwidth's side of a media stream, over a real WebSocket (`ws`): the client a <StartStream> opens to
// your server. HTTP Basic credentials on the opening handshake (destinationUsername/Password), a `start`
// (metadata in either tracks shape of media-streams.md, stream params), 20 ms μ-law `media` frames from a
// tone, silence or PCM source (the runtime's audio helpers), `stop`. Everything the server sends back is
// kept and checked with `validateStreamMessage` (strict by default): a valid `playAudio`/`clear` lands in
// `received`, anything else (binary, non-JSON, invalid) in `invalid`. A refused handshake rejects with a
// `HandshakeRefused` carrying the HTTP status and `WWW-Authenticate`, and never yields a socket.
import WebSocket from "ws";
import { base64ToBytes, bytesToBase64, mulawToPcm16, pcm16ToMulaw } from "../../generated/audio.js";
import type { StreamOutboundMessage, StreamPlayAudioMessage } from "../../generated/types.js";
import { validateStreamMessage } from "../../generated/validators/stream.js";
import { WAIT_LIMIT_MS, until } from "./until.js";

/** μ-law bytes in one 20 ms frame at 8 kHz. */
export const FRAME_BYTES = 160;
/** Milliseconds of audio in one frame. */
export const FRAME_MS = 20;

/** The opening handshake was answered with something other than 101 (no socket exists). */
export class HandshakeRefused extends Error {
  constructor(
    readonly status: number,
    readonly wwwAuthenticate: string | undefined,
    readonly body: string,
  ) {
    super(`the server refused the WebSocket upgrade with HTTP ${status}`);
    this.name = "HandshakeRefused";
  }
}

export interface StreamClientOptions {
  /** `ws://127.0.0.1:PORT/path` (the <StartStream destination>). */
  url: string;
  /** destinationUsername / destinationPassword, sent as HTTP Basic on the handshake. Omitted: no Authorization header. */
  username?: string;
  password?: string;
  /** Extra handshake headers (e.g. a hand-made Authorization). */
  headers?: Record<string, string>;
  /** Validate what the server sends in strict mode (unknown properties reported): true by default. */
  strict?: boolean;
}

export interface StartOptions {
  accountId?: string | number;
  callId?: string;
  streamId?: string;
  streamName?: string;
  /** The tracks announced: `inbound` by default. */
  tracks?: readonly ("inbound" | "outbound")[];
  /** `objects` (the docs: `{ name, mediaFormat }`) or `strings` (Bandwidth's pipecat tests: `["inbound"]`). */
  trackShape?: "objects" | "strings";
  /** `audio/PCMU` (the docs table) or `PCMU` (the docs example). */
  encoding?: "audio/PCMU" | "PCMU";
  /** <StreamParam> name → value; omitted when not given (as Bandwidth does). */
  streamParams?: Record<string, string>;
}

/** What the server sent that is not a valid stream message. */
export interface InvalidFrame {
  raw: string;
  binary: boolean;
  errors: readonly { path: string; message: string }[];
}

/** An outbound message with the time it arrived (performance.now()). */
export interface Received {
  message: StreamOutboundMessage;
  at: number;
}

// --- audio sources: 16-bit PCM at 8 kHz, turned into μ-law frames -------------------------------------

/** A sine tone at `hz`, `ms` long, peak `amplitude` (of 32767). */
export function tone(hz: number, ms: number, amplitude = 8000): Int16Array {
  const samples = new Int16Array(Math.round((ms * 8000) / 1000));
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 8000));
  return samples;
}

/** `ms` of digital silence. */
export function silence(ms: number): Int16Array {
  return new Int16Array(Math.round((ms * 8000) / 1000));
}

/** PCM (8 kHz) → μ-law frames of 160 bytes; the last one padded with μ-law silence (0xFF). */
export function mulawFrames(pcm: Int16Array): Uint8Array[] {
  const mulaw = pcm16ToMulaw(pcm);
  const frames: Uint8Array[] = [];
  for (let at = 0; at < mulaw.length; at += FRAME_BYTES) {
    const frame = new Uint8Array(FRAME_BYTES).fill(0xff);
    frame.set(mulaw.subarray(at, at + FRAME_BYTES));
    frames.push(frame);
  }
  return frames;
}

/** RMS of a `playAudio` message's audio (μ-law or 16-bit PCM), to tell an echoed tone from silence. */
export function playAudioRms(message: StreamPlayAudioMessage): number {
  const bytes = base64ToBytes(message.media.payload);
  const pcm =
    message.media.contentType === "audio/pcmu" ? mulawToPcm16(bytes) : new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
  let sum = 0;
  for (const sample of pcm) sum += sample * sample;
  return pcm.length === 0 ? 0 : Math.sqrt(sum / pcm.length);
}

// --- the client ---------------------------------------------------------------------------------------

export interface BandwidthStreamClient {
  readonly socket: WebSocket;
  /** Valid messages from the server, in order. */
  readonly received: Received[];
  /** Frames from the server that are not valid stream messages. */
  readonly invalid: InvalidFrame[];
  /** Resolves with the close code and reason once the socket is closed (either side). */
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The `start` message sent (after `start()`). */
  readonly started: Record<string, unknown> | undefined;
  start(options?: StartOptions): Promise<void>;
  /** One `media` frame (bytes are base64-encoded; sequenceNumber a string, counting from 1). */
  media(bytes: Uint8Array, track?: "inbound" | "outbound"): Promise<void>;
  /** Sends PCM as 20 ms μ-law frames; paced at one per 20 ms when `realtime` (default), at once otherwise. */
  play(pcm: Int16Array, options?: { realtime?: boolean; track?: "inbound" | "outbound" }): Promise<void>;
  stop(): Promise<void>;
  /** Any text or bytes, as they are (bad-input tests). */
  raw(data: string | Uint8Array): Promise<void>;
  /** Waits (up to the hang limit) until a received message matches; returns it. */
  waitFor(predicate: (message: StreamOutboundMessage) => boolean, what: string): Promise<StreamOutboundMessage>;
  /** Closes from Bandwidth's side (1000) and waits for the close. */
  close(code?: number, reason?: string): Promise<{ code: number; reason: string }>;
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/**
 * Opens the socket as Bandwidth would. Resolves once the upgrade completed; rejects with
 * {@link HandshakeRefused} when the server answers the handshake with an HTTP status (e.g. 401).
 */
export function connectBandwidthStream(options: StreamClientOptions): Promise<BandwidthStreamClient> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.username !== undefined || options.password !== undefined) headers.authorization = basic(options.username ?? "", options.password ?? "");
  const socket = new WebSocket(options.url, { headers, handshakeTimeout: WAIT_LIMIT_MS });
  const strict = options.strict ?? true;
  const received: Received[] = [];
  const invalid: InvalidFrame[] = [];
  let sequence = 0;
  let started: Record<string, unknown> | undefined;
  let metadata: Record<string, unknown> | undefined;

  socket.on("message", (data, isBinary) => {
    const raw = Buffer.isBuffer(data) ? data.toString("utf8") : Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.from(data).toString("utf8");
    if (isBinary) return void invalid.push({ raw, binary: true, errors: [{ path: "", message: "a binary frame (Bandwidth's messages are JSON text)" }] });
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      return void invalid.push({ raw, binary: false, errors: [{ path: "", message: `not JSON: ${(error as Error).message}` }] });
    }
    const result = validateStreamMessage(value, { strict });
    if (!result.ok) return void invalid.push({ raw, binary: false, errors: result.errors });
    const type = (result.value as { eventType: string }).eventType;
    if (type !== "playAudio" && type !== "clear")
      return void invalid.push({ raw, binary: false, errors: [{ path: "/eventType", message: `${type} is sent by Bandwidth, never to it` }] });
    received.push({ message: result.value as StreamOutboundMessage, at: performance.now() });
  });

  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on("close", (code, reason) => resolve({ code, reason: reason.toString("utf8") }));
  });

  const send = (text: string | Uint8Array): Promise<void> =>
    new Promise((resolve, reject) => socket.send(text, { binary: typeof text !== "string" }, (error) => (error ? reject(error) : resolve())));

  const client: BandwidthStreamClient = {
    socket,
    received,
    invalid,
    closed,
    get started() {
      return started;
    },
    async start(start = {}) {
      const names = start.tracks ?? ["inbound"];
      const encoding = start.encoding ?? "audio/PCMU";
      const tracks = (start.trackShape ?? "objects") === "strings" ? [...names] : names.map((name) => ({ name, mediaFormat: { encoding, sampleRate: 8000 } }));
      metadata = {
        accountId: start.accountId ?? "5590123",
        callId: start.callId ?? "c-2f6a9d14-7c3b81e0-4e5d-49a2-b7f1-93c0de5a2b6f",
        streamId: start.streamId ?? "s-4b2e8f17-0c9a-4d3e-b6f1-7a5c2e9d8b03",
        streamName: start.streamName ?? "voice-bot",
        tracks,
      };
      started = { eventType: "start", metadata, ...(start.streamParams ? { streamParams: start.streamParams } : {}) };
      await send(JSON.stringify(started));
    },
    media(bytes, track = "inbound") {
      sequence++;
      return send(JSON.stringify({ eventType: "media", track, sequenceNumber: String(sequence), payload: bytesToBase64(bytes) }));
    },
    async play(pcm, { realtime = true, track = "inbound" } = {}) {
      const frames = mulawFrames(pcm);
      const begin = performance.now();
      for (let i = 0; i < frames.length; i++) {
        if (socket.readyState !== WebSocket.OPEN) return;
        if (realtime) {
          const due = begin + i * FRAME_MS - performance.now();
          if (due > 0) await new Promise((resolve) => setTimeout(resolve, due));
        }
        await client.media(frames[i], track);
      }
    },
    stop() {
      return send(JSON.stringify({ eventType: "stop", metadata: metadata ?? {} }));
    },
    raw(data) {
      return send(data);
    },
    async waitFor(predicate, what) {
      let found: StreamOutboundMessage | undefined;
      await until(() => {
        found = received.find((entry) => predicate(entry.message))?.message;
        if (found === undefined && socket.readyState === WebSocket.CLOSED) throw new Error(`the socket closed before ${what} arrived`);
        return found !== undefined;
      }).catch((error: Error) => {
        throw new Error(`${error.message} (waiting for ${what}; received ${received.length} valid, ${invalid.length} invalid)`);
      });
      return found!;
    },
    async close(code = 1000, reason = "") {
      if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) socket.close(code, reason);
      return closed;
    },
  };

  return new Promise((resolve, reject) => {
    socket.once("open", () => resolve(client));
    socket.once("unexpected-response", (_request, response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const header = response.headers["www-authenticate"];
        reject(new HandshakeRefused(response.statusCode ?? 0, Array.isArray(header) ? header.join(", ") : header, Buffer.concat(chunks).toString("utf8")));
        socket.terminate();
      });
      response.on("error", () => socket.terminate());
    });
    socket.once("error", (error) => reject(error));
  });
}
