// Media streams and live transcription in a simulated call: <StartStream>/<StopStream> open and close a
// WebSocket to `destination` (Basic credentials from destinationUsername/destinationPassword on the
// handshake), send `start`, 20 ms μ-law `media` frames per track, `stop`; a bidirectional stream's
// `playAudio` (every content type Bandwidth plays) is queued and played on the simulated clock, `clear`
// drops the queue. <StartTranscription>/<StopTranscription> send `start`, `transcription` updates from
// the caller's scripted utterances, `stop`. The mediaStream* and realTimeTranscription* callbacks go to
// the verb's event URL. The clock moves in 20 ms ticks while a socket is open: at `speed: "max"` each
// tick waits only for the receivers to answer (a double ping), so a streamed call runs as fast as the
// bot and gives the same trace for the same seed; at speed N a tick lasts 20/N ms of real time.
import { base64ToBytes, bytesToBase64 } from "../audio/base64.js";
import { mulawToPcm16, pcm16ToMulaw } from "../audio/mulaw.js";
import { resample } from "../audio/resample.js";
import type { BxmlNode } from "../bxml/rules.js";
import { rms, SPEECH_RMS } from "./caller-audio.js";
import { computeMeasures, type CallAudio, type VoiceMeasures } from "./measures.js";
import { callEvent, callUrl, Ids, isoDuration, type Leg } from "./payloads.js";
import { STREAM_SEMANTICS, VERBS } from "./semantics.js";
import { openSocket, type SimSocket } from "./socket-client.js";
import { scheduleTranscripts, type ScheduledTranscript } from "./transcription.js";
import type { CallTrace } from "./trace.js";
import type { CallbackTarget, Run } from "./types.js";

type TrackName = "inbound" | "outbound";

/** What the stream verbs do next: they never hand off to another document. */
type Next = "continue" | "stop";


interface StreamState {
  readonly id: string;
  readonly name: string;
  readonly destination: string;
  readonly tracks: readonly TrackName[];
  readonly bidirectional: boolean;
  readonly startMs: number;
  readonly socket: SimSocket;
  readonly target: CallbackTarget | undefined;
  readonly metadata: Record<string, unknown>;
  readonly leg: Leg;
  sent: number;
  played: number;
  clears: number;
  sequence: number;
}

interface TranscriptionState {
  readonly id: string;
  readonly name: string;
  readonly destination: string | undefined;
  readonly tracks: readonly TrackName[];
  readonly stabilized: boolean;
  readonly startMs: number;
  readonly socket: SimSocket | undefined;
  readonly target: CallbackTarget | undefined;
  readonly metadata: Record<string, unknown>;
  readonly leg: Leg;
  readonly schedule: ScheduledTranscript[];
  next: number;
}

const FRAME_SAMPLES = 160;
const FRAME_MS = 20;
const PCM_TYPE = /^audio\/(?:l16|pcm)\s*;(.*)$/i;

const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const trackList = (value: unknown): TrackName[] => (value === "both" ? ["inbound", "outbound"] : value === "outbound" ? ["outbound"] : ["inbound"]);
const uuidFrom = (ids: Ids): string => {
  const h = ids.callId().slice(2).split("-");
  return `${h[0]}-${h[2]}-${h[3]}-${h[4]}-${h[5]}`;
};
const params = (verb: BxmlNode, child: string): Record<string, string> | undefined => {
  const out: Record<string, string> = {};
  for (const c of verb.children) if (typeof c !== "string" && c.name === child && typeof c.attributes.name === "string") out[c.attributes.name] = String(c.attributes.value ?? "");
  return Object.keys(out).length > 0 ? out : undefined;
};

/** One call's streams, transcriptions, the bot's play queue and the audio recorded so far. */
export class MediaSession {
  private readonly run: Run;
  private readonly ids: Ids;
  readonly streams: Map<string, StreamState> = new Map();
  readonly transcriptions: Map<string, TranscriptionState> = new Map();
  private readonly anchorMs: number;
  /** Simulated time (epoch ms) up to which media has been sent. */
  private cursor = 0;
  private queue: Int16Array[] = [];
  private queueOffset = 0;
  private bot: Int16Array = new Int16Array(8000 * 60);
  private botLength = 0;
  private lastBotAudioMs = -Infinity;
  private readonly clears: number[] = [];
  /** Each transcription's object for its callbacks (stopped: with its duration). */
  private readonly objects: Map<TranscriptionState, (stopped?: boolean) => Record<string, unknown>> = new Map();
  private pumping = false;
  private deferred: Array<() => Promise<void>> = [];
  /** A stream opened at some point: the call has audio and measures. */
  private used = false;
  private readonly wallStart: number = Date.now();
  private tickWallStart = 0;
  private tickSimStart = 0;

  constructor(run: Run) {
    this.run = run;
    this.ids = new Ids((run.script.seed ^ 0x5f3759df) >>> 0);
    this.anchorMs = run.a.answerMs ?? run.clock.now();
  }

  private get speed(): number {
    return this.run.script.media.speed;
  }

  private active(): boolean {
    for (const t of this.transcriptions.values()) if (t.socket !== undefined) return true;
    return this.streams.size > 0;
  }

  private sample(ms: number): number {
    return Math.max(0, Math.round((ms - this.anchorMs) * 8));
  }

  private stamp(ms: number = this.cursor): string {
    return this.run.clock.iso(ms);
  }

  /**
   * A socket entry, at the media's time (the last whole frame, never after the call's clock) and never
   * before the entry above it: a stream stopped when the call ends between two frames is stopped then.
   */
  private entry(kind: "stream" | "transcription", name: string, message: string, text: string, payload?: unknown): void {
    const last = this.run.trace.entries.at(-1);
    const at = Math.max(Math.min(this.cursor || this.run.clock.now(), this.run.clock.now()), last !== undefined ? Date.parse(last.at) : 0);
    this.run.trace.add({ kind: "socket", at: this.stamp(at), socket: kind, name, message, text, ...(payload !== undefined ? { payload } : {}) });
  }

  /** Starts ticking from the current time when no socket was open. */
  private begin(): void {
    if (!this.active()) this.cursor = this.run.clock.now();
  }

  /** When the caller hangs up while a socket holds the call (epoch ms), or undefined (not scripted). */
  private callerHangupMs(): number | undefined {
    const caller = this.run.script.media.caller;
    if (caller.hangupAfterMs !== undefined) return this.anchorMs + caller.hangupAfterMs;
    if (caller.pcm.length === 0) return undefined; // no caller audio: the caller stays on the line
    const callerEnd = this.anchorMs + (caller.pcm.length * 1000) / 8000;
    return Math.max(callerEnd, this.lastBotAudioMs) + STREAM_SEMANTICS.callerHangsUpAfterSilenceMs;
  }

  /** Why the caller hung up, for the trace: at `hangupAfter`, or once their audio (a WAV or segments) ran out. */
  private callerHangupReason(): string {
    const after = this.run.script.media.caller.hangupAfterMs;
    return after !== undefined ? `the caller hung up (hangupAfter: ${after / 1000} s)` : "the caller hung up (the caller's audio ended)";
  }

  /** {@link mediaCatchUp}: pumps to `targetMs`, or to the caller's hangup before it (true: the call ended). */
  async catchUp(targetMs: number, beforeVerb: boolean): Promise<boolean> {
    if (!beforeVerb || !this.active() || this.run.isEnded(this.run.a)) {
      await this.pumpTo(targetMs);
      return false;
    }
    // tick by tick while the hangup time may still move (the bot's audio pushes it back)
    const last = this.run.trace.entries.at(-1);
    const floor = last !== undefined ? Date.parse(last.at) : 0;
    while (this.active() && this.cursor + FRAME_MS <= targetMs) {
      const hangup = this.callerHangupMs();
      if (hangup !== undefined && this.cursor >= hangup && this.cursor >= floor) {
        this.run.clock.cutTo(this.cursor);
        this.run.end(this.run.a, "hangup", this.callerHangupReason());
        await this.flushDeferred();
        return true;
      }
      await this.pumpTo(Math.min(targetMs, this.cursor + FRAME_MS));
    }
    await this.pumpTo(targetMs);
    return false;
  }

  /** Sends media (and due transcription updates) up to `targetMs`; the clock itself is not moved. */
  async pumpTo(targetMs: number): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.tickWallStart = Date.now();
      this.tickSimStart = this.cursor;
      while (this.active() && this.cursor + FRAME_MS <= targetMs) await this.tick(targetMs);
      if (!this.active()) this.cursor = Math.max(this.cursor, targetMs);
    } finally {
      this.pumping = false;
    }
    await this.flushDeferred();
  }

  private async flushDeferred(): Promise<void> {
    while (this.deferred.length > 0) {
      const next = this.deferred.shift()!;
      await next();
    }
  }

  /** One 20 ms tick (or, with only transcription sockets open, a jump to the next update due). */
  private async tick(targetMs: number): Promise<void> {
    if (this.streams.size === 0) {
      let due = targetMs;
      for (const t of this.transcriptions.values()) if (t.socket !== undefined && t.next < t.schedule.length) due = Math.min(due, this.anchorMs + t.schedule[t.next].dueMs);
      this.cursor = Math.max(this.cursor + FRAME_MS, Math.min(targetMs, due));
      this.sendTranscripts();
      return;
    }
    const s = this.sample(this.cursor);
    const callerPcm = this.run.script.media.caller.pcm;
    const caller = new Int16Array(FRAME_SAMPLES);
    if (s < callerPcm.length) caller.set(callerPcm.subarray(s, Math.min(s + FRAME_SAMPLES, callerPcm.length)));
    const bot = this.dequeue();
    this.record(s, bot);
    const frames: Record<TrackName, string> = { inbound: bytesToBase64(pcm16ToMulaw(caller)), outbound: bytesToBase64(pcm16ToMulaw(bot)) };
    for (const stream of this.streams.values()) {
      for (const track of stream.tracks) {
        stream.socket.send({ eventType: "media", track, sequenceNumber: String(++stream.sequence), payload: frames[track] });
        stream.sent++;
      }
    }
    this.cursor += FRAME_MS;
    this.sendTranscripts();
    await this.barrier();
  }

  private sendTranscripts(): void {
    for (const t of this.transcriptions.values()) {
      if (t.socket === undefined) continue;
      while (t.next < t.schedule.length && this.anchorMs + t.schedule[t.next].dueMs <= this.cursor) {
        const { message } = t.schedule[t.next++];
        t.socket.send(message);
        this.entry("transcription", t.name, "transcription", `${message.isPartial === true ? "partial" : "final"}: ${JSON.stringify(message.transcript)}`, message);
      }
    }
  }

  /** At speed max: every open stream socket has answered two pings. Else: real time, scaled. */
  private async barrier(): Promise<void> {
    const speed = this.speed;
    if (speed === Infinity) {
      await Promise.all([...this.streams.values()].map((s) => s.socket.settle()));
      return;
    }
    const due = this.tickWallStart + (this.cursor - this.tickSimStart) / speed;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  private dequeue(): Int16Array {
    const out = new Int16Array(FRAME_SAMPLES);
    let o = 0;
    while (o < FRAME_SAMPLES && this.queue.length > 0) {
      const head = this.queue[0];
      const take = Math.min(FRAME_SAMPLES - o, head.length - this.queueOffset);
      out.set(head.subarray(this.queueOffset, this.queueOffset + take), o);
      o += take;
      this.queueOffset += take;
      if (this.queueOffset >= head.length) {
        this.queue.shift();
        this.queueOffset = 0;
      }
    }
    // the bot is talking when what it plays is above the speech level (an echo of silence is silence)
    if (o > 0 && rms(out, 0, FRAME_SAMPLES) > SPEECH_RMS) this.lastBotAudioMs = this.cursor + FRAME_MS;
    return out;
  }

  private record(at: number, frame: Int16Array): void {
    const end = at + frame.length;
    if (end > this.bot.length) {
      const grown = new Int16Array(Math.max(end, this.bot.length * 2));
      grown.set(this.bot.subarray(0, this.botLength));
      this.bot = grown;
    }
    this.bot.set(frame, at);
    this.botLength = Math.max(this.botLength, end);
  }

  private queued(): boolean {
    return this.queue.length > 0;
  }

  private queuedSamples(): number {
    let n = -this.queueOffset;
    for (const chunk of this.queue) n += chunk.length;
    return n;
  }

  /** A message from a stream's server: playAudio / clear on a bidirectional stream. */
  private received(stream: StreamState, message: unknown, raw: string): void {
    const kind = typeof message === "object" && message !== null ? (message as { eventType?: unknown }).eventType : undefined;
    const invalid = (why: string) =>
      this.run.problem({ code: "socket-message-invalid", event: String(kind ?? "?"), url: stream.destination, message: `stream ${JSON.stringify(stream.name)}: ${why}: ${raw.length > 120 ? `${raw.slice(0, 120)}…` : raw}` });
    if (kind !== "playAudio" && kind !== "clear") {
      invalid("the server sent a message Bandwidth does not take (playAudio or clear)");
      return;
    }
    if (!stream.bidirectional) {
      invalid(`${kind} on a unidirectional stream (mode="bidirectional" is needed): Bandwidth does not play it`);
      return;
    }
    if (kind === "clear") {
      stream.clears++;
      this.queue = [];
      this.queueOffset = 0;
      this.clears.push(this.cursor - this.anchorMs);
      this.entry("stream", stream.name, "clear", "the bot cleared its queued audio");
      return;
    }
    const media = (message as { media?: { contentType?: unknown; payload?: unknown } }).media;
    if (typeof media?.contentType !== "string" || typeof media.payload !== "string") {
      invalid("playAudio needs media.contentType and media.payload");
      return;
    }
    const pcm = this.decode(media.contentType, media.payload);
    if (typeof pcm === "string") {
      invalid(pcm);
      return;
    }
    stream.played++;
    if (this.queuedSamples() + pcm.length > STREAM_SEMANTICS.maxQueuedSeconds * 8000) {
      invalid(`more than ${STREAM_SEMANTICS.maxQueuedSeconds} s of audio queued: this playAudio is dropped`);
      return;
    }
    if (!this.queued()) this.entry("stream", stream.name, "playAudio", `the bot plays audio (${media.contentType})`);
    if (pcm.length > 0) this.queue.push(pcm);
  }

  /** A playAudio payload as 8 kHz PCM, or why it cannot be played. */
  private decode(contentType: string, payload: string): Int16Array | string {
    let bytes: Uint8Array;
    try {
      bytes = base64ToBytes(payload);
    } catch (error) {
      return `playAudio payload is not base64 (${(error as Error).message})`;
    }
    const type = contentType.trim().toLowerCase();
    if (type === "audio/pcmu" || type === "audio/basic" || type === "audio/x-mulaw") return mulawToPcm16(bytes);
    const pcm = PCM_TYPE.exec(type);
    if (pcm === null) return `playAudio content type ${JSON.stringify(contentType)} is not one Bandwidth plays (audio/pcmu, audio/pcm;rate=8000|16000|24000;…)`;
    const fields = new Map(pcm[1].split(";").map((p) => p.trim().split("=") as [string, string]));
    const rate = Number(fields.get("rate") ?? 8000);
    if (rate !== 8000 && rate !== 16000 && rate !== 24000) return `playAudio PCM at ${rate} Hz: Bandwidth plays 8000, 16000 or 24000 Hz`;
    if ((fields.get("channels") ?? "1") !== "1" || (fields.get("bit-depth") ?? "16") !== "16") return "playAudio PCM must be mono 16-bit";
    if (bytes.length % 2 !== 0) return `playAudio PCM payload of ${bytes.length} bytes is not whole 16-bit samples`;
    const big = fields.get("endian") === "big";
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const samples = new Int16Array(bytes.length / 2);
    for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(2 * i, !big);
    return rate === 8000 ? samples : resample(samples, rate, 8000);
  }

  private event(leg: Leg, type: string, fields: Record<string, unknown>): Record<string, unknown> {
    return callEvent(this.run.identity, this.run.clock, leg, type, fields);
  }

  private streamObject(s: { id: string; name: string; destination: string; startMs: number; tracks: readonly TrackName[] }, stopped = false): Record<string, unknown> {
    return {
      id: s.id, name: s.name, destination: s.destination, startTime: this.run.clock.iso(s.startMs), tracks: [...s.tracks], type: "WebSocket",
      ...(stopped ? { duration: isoDuration((this.run.clock.now() - s.startMs) / 1000) } : {}),
    };
  }

  private trackCount(kind: "stream" | "transcription"): number {
    let n = 0;
    for (const s of kind === "stream" ? this.streams.values() : this.transcriptions.values()) n += s.tracks.length;
    return n;
  }

  /** The destination, if the simulator may connect to it (ws/wss, an allowed origin). */
  private admitted(destination: string | undefined, event: string): string | undefined {
    if (destination === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(destination);
    } catch {
      this.run.problem({ code: "invalid-bxml", event, message: `${event}: destination ${JSON.stringify(destination)} is not an absolute URL` });
      return undefined;
    }
    if (url.protocol !== "ws:" && url.protocol !== "wss:") {
      this.run.problem({ code: "url-refused", event, url: destination, message: `${event}: destination must be a ws:// or wss:// URL, not ${url.protocol}` });
      return undefined;
    }
    const http = `${url.protocol === "wss:" ? "https:" : "http:"}//${url.host}/`;
    return this.run.admits(http, event, "destination") ? url.toString() : undefined;
  }

  async startStream(leg: Leg, verb: BxmlNode, baseUrl: string): Promise<Next> {
    const a = verb.attributes;
    const spec = VERBS.StartStream.callbacks[0];
    const target = this.run.target(a, spec, baseUrl);
    const destination = this.admitted(str(a.destination), "mediaStreamStarted");
    if (destination === undefined) return "continue";
    const id = `s-${uuidFrom(this.ids)}`;
    const described = { id, name: str(a.name) ?? id, destination, startMs: this.run.clock.now(), tracks: trackList(a.tracks) };
    const reject = async (cause: string, errorMessage: string, original?: StreamState) => {
      this.run.problem({ code: "stream-rejected", event: "mediaStreamRejected", url: destination, message: `stream ${JSON.stringify(described.name)} rejected (${cause}): ${errorMessage}` });
      if (target !== undefined) {
        await this.run.sendAsync(this.run.legName(leg), this.event(leg, "mediaStreamRejected", { cause, errorMessage, mediaStream: this.streamObject(described), ...(original !== undefined ? { originalMediaStream: this.streamObject(original) } : {}) }), target);
      }
      return "continue" as const;
    };
    const original = this.streams.get(described.name);
    if (original !== undefined) return reject("duplicate", `a stream named ${JSON.stringify(described.name)} is already running on this call`, original);
    if (this.trackCount("stream") + described.tracks.length > STREAM_SEMANTICS.maxTracks) {
      return reject("track-limit", `at most ${STREAM_SEMANTICS.maxTracks} tracks may stream at once (tracks="both" counts 2); ${this.trackCount("stream")} already do`);
    }
    await this.pumpTo(this.run.clock.now());
    let state: StreamState | undefined;
    const opened = await openSocket({
      url: destination,
      username: str(a.destinationUsername),
      password: str(a.destinationPassword),
      timeoutMs: STREAM_SEMANTICS.handshakeTimeoutMs,
      onMessage: (message, raw) => {
        if (state !== undefined) this.received(state, message, raw);
      },
      onClose: (code, reason) => {
        if (state !== undefined && this.streams.get(state.name) === state && state.socket.peerClose !== undefined) this.peerClosed(state, code, reason);
      },
    });
    if (!opened.ok) return reject("connection-error", opened.message);
    this.begin();
    const metadata = {
      accountId: this.run.identity.accountId, callId: leg.callId, streamId: id, streamName: described.name,
      tracks: described.tracks.map((name) => ({ name, mediaFormat: { encoding: STREAM_SEMANTICS.encoding, sampleRate: 8000 } })),
    };
    state = { ...described, bidirectional: a.mode === "bidirectional", socket: opened.socket, target, metadata, leg, sent: 0, played: 0, clears: 0, sequence: 0 };
    this.used = true;
    this.streams.set(described.name, state);
    const streamParams = params(verb, "StreamParam");
    const start = { eventType: "start", metadata, ...(streamParams !== undefined ? { streamParams } : {}) };
    opened.socket.send(start);
    this.entry("stream", described.name, "start", `stream ${JSON.stringify(described.name)} open to ${destination} (${described.tracks.join(" + ")}${state.bidirectional ? ", bidirectional" : ""})`, start);
    if (target !== undefined) await this.run.sendAsync(this.run.legName(leg), this.event(leg, "mediaStreamStarted", { mediaStream: this.streamObject(described) }), target);
    return "continue";
  }

  /** The server closed the socket: mediaStreamStopped (closed on 1000/1001, else connection-error), after the tick. */
  private peerClosed(stream: StreamState, code: number, reason: string): void {
    this.streams.delete(stream.name);
    const normal = code === 1000 || code === 1001;
    this.entry("stream", stream.name, "closed", `the server closed stream ${JSON.stringify(stream.name)} (${code}${reason !== "" ? ` ${reason}` : ""})${this.summary(stream)}`);
    if (!normal) this.run.problem({ code: "stream-failed", event: "mediaStreamStopped", url: stream.destination, message: `stream ${JSON.stringify(stream.name)}: the server closed the socket abnormally (${code}${reason !== "" ? ` ${reason}` : ""})` });
    this.deferred.push(() => this.stopped(stream, normal ? "closed" : "connection-error", normal ? undefined : `the WebSocket closed with code ${code}`));
  }

  private summary(stream: StreamState): string {
    return `: ${stream.sent} media frames sent${stream.bidirectional ? `, ${stream.played} playAudio and ${stream.clears} clear received` : ""}`;
  }

  private async stopped(stream: StreamState, cause: string, errorMessage?: string): Promise<void> {
    if (this.streams.size === 0) {
      this.queue = [];
      this.queueOffset = 0;
    }
    if (stream.target === undefined) return;
    const event = this.event(stream.leg, "mediaStreamStopped", { cause, ...(errorMessage !== undefined ? { errorMessage } : {}), mediaStream: this.streamObject(stream, true) });
    await this.run.sendAsync(this.run.legName(stream.leg), event, stream.target);
  }

  /** Ends a stream from our side: `stop`, close 1000, mediaStreamStopped. */
  private async stopStream(stream: StreamState, why: string): Promise<void> {
    this.streams.delete(stream.name);
    const stop = { eventType: "stop", metadata: stream.metadata };
    stream.socket.send(stop);
    stream.socket.close(1000, "stream stopped");
    this.entry("stream", stream.name, "stop", `stream ${JSON.stringify(stream.name)} stopped (${why})${this.summary(stream)}`, stop);
    await this.stopped(stream, "closed");
  }

  async stopStreamVerb(leg: Leg, verb: BxmlNode): Promise<Next> {
    await this.pumpTo(this.run.clock.now());
    const name = str(verb.attributes.name) ?? "";
    const stream = this.streams.get(name);
    if (stream === undefined) {
      this.run.note(leg, `no stream named ${JSON.stringify(name)} is running: StopStream has no effect`);
      return "continue";
    }
    if (verb.attributes.wait !== true) {
      await this.stopStream(stream, "<StopStream>");
      return "continue";
    }
    this.run.note(leg, `waiting for stream ${JSON.stringify(name)} to end (wait="true")`);
    await this.holdWhile(() => this.streams.get(name) === stream);
    if (this.streams.get(name) === stream && this.run.isEnded(this.run.a)) await this.stopStream(stream, "the call ended");
    return this.run.isEnded(leg) ? "stop" : "continue";
  }

  /** Moves the clock tick by tick while `holding()`, until the caller hangs up or a limit is reached. */
  private async holdWhile(holding: () => boolean): Promise<void> {
    const script = this.run.script;
    const callerEnd = this.anchorMs + (script.media.caller.pcm.length * 1000) / 8000;
    this.tickWallStart = Date.now();
    this.tickSimStart = this.cursor;
    while (holding() && this.active()) {
      const now = this.cursor;
      const hangupAt = script.media.caller.hangupAfterMs;
      const callerDone = hangupAt !== undefined ? now >= this.anchorMs + hangupAt : now >= callerEnd && now - Math.max(callerEnd, this.lastBotAudioMs) >= STREAM_SEMANTICS.callerHangsUpAfterSilenceMs;
      if (callerDone) {
        this.run.end(this.run.a, "hangup", this.callerHangupReason());
        break;
      }
      if ((now - script.startMs) / 1000 > script.maxCallSeconds || Date.now() - this.wallStart > script.maxRunMs) break; // the engine reports the limit
      this.pumping = true;
      try {
        await this.tick(this.cursor + FRAME_MS);
      } finally {
        this.pumping = false;
      }
      // the call's clock follows the media while the stream holds the call
      if (this.run.clock.now() < this.cursor) this.run.clock.advance((this.cursor - this.run.clock.now()) / 1000);
      await this.flushDeferred();
    }
  }

  async startTranscription(leg: Leg, verb: BxmlNode, baseUrl: string): Promise<Next> {
    const a = verb.attributes;
    const target = this.run.target(a, VERBS.StartTranscription.callbacks[0], baseUrl);
    const rawDestination = str(a.destination);
    const destination = rawDestination === undefined ? undefined : this.admitted(rawDestination, "realTimeTranscriptionStarted");
    if (rawDestination !== undefined && destination === undefined) return "continue";
    const id = `t-${uuidFrom(this.ids)}`;
    const stabilized = a.stabilized !== false;
    const described = { id, name: str(a.name) ?? id, startMs: this.run.clock.now(), tracks: trackList(a.tracks), destination, stabilized };
    const object = (stopped = false): Record<string, unknown> => ({
      id, name: described.name, startTime: this.run.clock.iso(described.startMs), tracks: [...described.tracks],
      ...(destination !== undefined ? { destination } : {}), stabilized,
      ...(stopped ? { duration: isoDuration((this.run.clock.now() - described.startMs) / 1000) } : {}),
    });
    const reject = async (cause: string, errorMessage: string, original?: TranscriptionState) => {
      this.run.problem({ code: "stream-rejected", event: "realTimeTranscriptionRejected", ...(destination !== undefined ? { url: destination } : {}), message: `transcription ${JSON.stringify(described.name)} rejected (${cause}): ${errorMessage}` });
      if (target !== undefined && destination !== undefined) {
        const originalObject = original !== undefined ? { id: original.id, name: original.name, startTime: this.run.clock.iso(original.startMs), tracks: [...original.tracks] } : undefined;
        await this.run.sendAsync(this.run.legName(leg), this.event(leg, "realTimeTranscriptionRejected", { cause, errorMessage, realTimeTranscription: object(), ...(originalObject !== undefined ? { originalTranscription: originalObject } : {}) }), target);
      }
      return "continue" as const;
    };
    const original = this.transcriptions.get(described.name);
    if (original !== undefined) return reject("duplicate", `a transcription named ${JSON.stringify(described.name)} is already running on this call`, original);
    if (this.trackCount("transcription") + described.tracks.length > STREAM_SEMANTICS.maxTracks) return reject("track-limit", `at most ${STREAM_SEMANTICS.maxTracks} tracks may be transcribed at once`);
    await this.pumpTo(this.run.clock.now());
    let socket: SimSocket | undefined;
    let state: TranscriptionState | undefined;
    if (destination !== undefined) {
      const opened = await openSocket({
        url: destination, timeoutMs: STREAM_SEMANTICS.handshakeTimeoutMs,
        onMessage: () => undefined,
        onClose: (code) => {
          if (state !== undefined && this.transcriptions.get(state.name) === state && state.socket?.peerClose !== undefined) {
            this.transcriptions.delete(state.name);
            this.entry("transcription", state.name, "closed", `the server closed transcription ${JSON.stringify(state.name)} (${code})`);
            const s = state;
            this.deferred.push(() => this.transcriptionStopped(s, code === 1000 || code === 1001 ? "closed" : "connection-error"));
          }
        },
      });
      if (!opened.ok) return reject("connection-error", opened.message);
      socket = opened.socket;
      this.begin();
    }
    const metadata = { accountId: this.run.identity.accountId, callId: leg.callId, realTimeTranscriptionId: id, transcriptionName: described.name, tracks: described.tracks.map((name) => ({ name })), stabilized };
    const fromMs = this.run.clock.now() - this.anchorMs;
    const schedule = described.tracks.includes("inbound")
      ? scheduleTranscripts(this.run.script.media.caller.utterances, { fromMs, anchorMs: this.anchorMs, stabilized, language: this.run.script.media.caller.language, track: "inbound" })
      : [];
    state = { ...described, socket, target, metadata, leg, schedule, next: 0 };
    this.transcriptions.set(described.name, state);
    if (socket !== undefined) {
      const customParams = params(verb, "CustomParam");
      const start = { eventType: "start", metadata, ...(customParams !== undefined ? { customParams } : {}) };
      socket.send(start);
      this.entry("transcription", described.name, "start", `transcription ${JSON.stringify(described.name)} open to ${destination}`, start);
      if (target !== undefined) await this.run.sendAsync(this.run.legName(leg), this.event(leg, "realTimeTranscriptionStarted", { realTimeTranscription: object() }), target);
    }
    this.objects.set(state, object);
    return "continue";
  }

  private async transcriptionStopped(t: TranscriptionState, cause: string): Promise<void> {
    if (t.target === undefined) return;
    const object = this.objects.get(t)!;
    const leg = this.run.legName(t.leg);
    if (t.destination !== undefined) {
      await this.run.sendAsync(leg, this.event(t.leg, "realTimeTranscriptionStopped", { cause, ...(cause !== "closed" ? { errorMessage: "the WebSocket closed abnormally" } : {}), realTimeTranscription: object(true) }), t.target);
    }
    const available = { ...object(), status: "available", url: `${callUrl(this.run.identity, t.leg.callId)}/transcriptions/${t.id}`, completedTime: this.run.clock.iso() };
    await this.run.sendAsync(leg, this.event(t.leg, "realTimeTranscriptionAvailable", { realTimeTranscription: available }), t.target);
  }

  private async stopTranscription(t: TranscriptionState, why: string): Promise<void> {
    this.transcriptions.delete(t.name);
    if (t.socket !== undefined) {
      const stop = { eventType: "stop", metadata: t.metadata };
      t.socket.send(stop);
      t.socket.close(1000, "transcription stopped");
      this.entry("transcription", t.name, "stop", `transcription ${JSON.stringify(t.name)} stopped (${why})`, stop);
    }
    await this.transcriptionStopped(t, "closed");
  }

  async stopTranscriptionVerb(leg: Leg, verb: BxmlNode): Promise<Next> {
    await this.pumpTo(this.run.clock.now());
    const name = str(verb.attributes.name);
    const which = name === undefined ? [...this.transcriptions.values()] : [this.transcriptions.get(name)].filter((t): t is TranscriptionState => t !== undefined);
    if (which.length === 0) this.run.note(leg, name === undefined ? "no transcription is running" : `no transcription named ${JSON.stringify(name)} is running: StopTranscription has no effect`);
    for (const t of which) await this.stopTranscription(t, "<StopTranscription>");
    return "continue";
  }

  /** The end of the call: media up to now, then every stream and transcription stopped. */
  async finish(): Promise<void> {
    await this.pumpTo(this.run.clock.now());
    for (const stream of [...this.streams.values()]) await this.stopStream(stream, "the call ended");
    for (const t of [...this.transcriptions.values()]) await this.stopTranscription(t, "the call ended");
  }

  /** The measures and audio, when a stream ran. */
  result(): { measures: VoiceMeasures; audio: CallAudio } | undefined {
    if (!this.used) return undefined;
    return computeMeasures({ anchorMs: this.anchorMs, caller: this.run.script.media.caller.pcm, bot: this.bot.slice(0, this.botLength), utterances: this.run.script.media.caller.utterances, clears: this.clears });
  }
}

const sessions: WeakMap<Run, MediaSession> = new WeakMap();

/** The call's media session (made on first use). */
export function mediaOf(callRun: Run): MediaSession {
  let session = sessions.get(callRun);
  if (session === undefined) {
    session = new MediaSession(callRun);
    sessions.set(callRun, session);
  }
  return session;
}

/**
 * Brings the media up to the clock (the engine calls it before each verb and each callback). Before a verb
 * (`beforeVerb`), a caller whose script says they hang up during the last wait (a long <Pause> keeping a
 * stream up) hangs up then: the call ends at that time and this returns true.
 */
export async function mediaCatchUp(callRun: Run, beforeVerb = false): Promise<boolean> {
  const session = sessions.get(callRun);
  if (session === undefined) return false;
  return session.catchUp(callRun.clock.now(), beforeVerb);
}

/** Stops every stream and transcription at the end of the call. */
export async function mediaFinish(callRun: Run): Promise<void> {
  await sessions.get(callRun)?.finish();
}

/** The trace with the voice-AI measures and the call's audio, when a stream ran. */
export function withMedia(callRun: Run, trace: CallTrace): CallTrace {
  const result = sessions.get(callRun)?.result();
  return result === undefined ? trace : { ...trace, measures: result.measures, audio: result.audio };
}

/** The executors of the stream and transcription verbs. */
export const STREAM_EXECUTORS: Readonly<Record<string, (run: Run, leg: Leg, verb: BxmlNode, baseUrl: string) => Promise<Next>>> = {
  StartStream: (r, leg, verb, baseUrl) => mediaOf(r).startStream(leg, verb, baseUrl),
  StopStream: (r, leg, verb) => mediaOf(r).stopStreamVerb(leg, verb),
  StartTranscription: (r, leg, verb, baseUrl) => mediaOf(r).startTranscription(leg, verb, baseUrl),
  StopTranscription: (r, leg, verb) => mediaOf(r).stopTranscriptionVerb(leg, verb),
};
