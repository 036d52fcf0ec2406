// Payload factory of the simulator: ids shaped like Bandwidth's (seeded, so a run can be repeated), a
// simulated clock that only moves forward, call legs, and the voice events built from them with the
// fields Bandwidth's reference lists for each event type.

/** A small seeded PRNG (mulberry32): the same seed gives the same ids. */
export class Ids {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  private next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  private hex(length: number): string {
    let out = "";
    for (let i = 0; i < length; i++) out += Math.floor(this.next() * 16).toString(16);
    return out;
  }
  /** `c-15ac29a2-1331029c-2cb0-4a07-b215-b22865662d85`, as Bandwidth writes call ids. */
  callId(): string {
    return `c-${this.hex(8)}-${this.hex(8)}-${this.hex(4)}-${this.hex(4)}-${this.hex(4)}-${this.hex(12)}`;
  }
  recordingId(): string {
    return `r-${this.hex(8)}-${this.hex(8)}-${this.hex(4)}-${this.hex(4)}-${this.hex(4)}-${this.hex(12)}`;
  }
  conferenceId(): string {
    return `conf-${this.hex(8)}-${this.hex(8)}-${this.hex(4)}-${this.hex(4)}-${this.hex(4)}-${this.hex(12)}`;
  }
}

/** Simulated time: starts at the script's start time and only advances. */
export class Clock {
  private ms: number;
  constructor(startMs: number) {
    this.ms = startMs;
  }
  /** Advances by `seconds` (rounded to the millisecond). */
  advance(seconds: number): void {
    this.ms += Math.max(0, Math.round(seconds * 1000));
  }
  /** Seconds since the epoch, as a number of ms. */
  now(): number {
    return this.ms;
  }
  iso(ms: number = this.ms): string {
    return new Date(ms).toISOString();
  }
  /** Cuts the last wait short: back to `ms`, never forward (the caller hung up during a <Pause>). */
  cutTo(ms: number): void {
    this.ms = Math.min(this.ms, ms);
  }
}

/** One call leg (the caller's call, a transfer B-leg, a bridge target). */
export interface Leg {
  readonly callId: string;
  readonly from: string;
  readonly to: string;
  readonly direction: "inbound" | "outbound";
  readonly startMs: number;
  answerMs: number | undefined;
  tag: string | undefined;
  /** B-leg of a Transfer: the A-leg id and the transfer caller id / number dialled. */
  readonly parent?: { readonly callId: string; readonly transferCallerId: string; readonly transferTo: string };
}

/** Fields every event of a call shares. */
export interface CallIdentity {
  readonly accountId: string;
  readonly applicationId: string;
  /** Base of `callUrl` (default Bandwidth's `https://voice.bandwidth.com/api/v2`; the Voice API stand-in's when one serves the call). */
  readonly apiBase?: string;
}

/** ISO 8601 duration in seconds, as Bandwidth writes it (`PT13.564S`). */
export function isoDuration(seconds: number): string {
  return `PT${Number(seconds.toFixed(3))}S`;
}

export function callUrl(identity: CallIdentity, callId: string): string {
  return `${identity.apiBase ?? "https://voice.bandwidth.com/api/v2"}/accounts/${identity.accountId}/calls/${callId}`;
}

/**
 * A voice event about `leg`: eventType, eventTime and the call fields (from/to/direction, callId,
 * callUrl, startTime, answerTime once answered, tag once set, the transfer fields on a B-leg), then
 * the event's own fields. `answerTime` is left out of `initiate` (Bandwidth sends none).
 */
export function callEvent(
  identity: CallIdentity,
  clock: Clock,
  leg: Leg,
  eventType: string,
  fields: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> {
  const event: Record<string, unknown> = {
    eventType,
    eventTime: clock.iso(),
    accountId: identity.accountId,
    applicationId: identity.applicationId,
    from: leg.from,
    to: leg.to,
    direction: leg.direction,
    callId: leg.callId,
    callUrl: callUrl(identity, leg.callId),
    startTime: clock.iso(leg.startMs),
  };
  if (leg.answerMs !== undefined && eventType !== "initiate") event.answerTime = clock.iso(leg.answerMs);
  if (leg.tag !== undefined && eventType !== "initiate") event.tag = leg.tag;
  if (leg.parent !== undefined) {
    event.parentCallId = leg.parent.callId;
    event.transferCallerId = leg.parent.transferCallerId;
    event.transferTo = leg.parent.transferTo;
  }
  return Object.assign(event, fields);
}

/** A conference event: only the conference fields (plus the member's call fields for join/exit). */
export function conferenceEvent(
  clock: Clock,
  conference: { readonly conferenceId: string; readonly name: string; readonly tag: string | undefined },
  eventType: string,
  member?: Leg,
): Record<string, unknown> {
  const event: Record<string, unknown> = { eventType, eventTime: clock.iso(), conferenceId: conference.conferenceId, name: conference.name };
  if (member !== undefined) {
    event.from = member.from;
    event.to = member.to;
    event.callId = member.callId;
  }
  if (conference.tag !== undefined) event.tag = conference.tag;
  return event;
}

/** The fields of a finished recording (recordComplete / recordingAvailable). */
export function recordingFields(
  identity: CallIdentity,
  clock: Clock,
  callId: string,
  recording: { readonly recordingId: string; readonly startMs: number; readonly endMs: number; readonly fileFormat: string; readonly channels: number; readonly pausedMs?: number },
): Record<string, unknown> {
  return {
    recordingId: recording.recordingId,
    mediaUrl: `${callUrl(identity, callId)}/recordings/${recording.recordingId}/media`,
    startTime: clock.iso(recording.startMs),
    endTime: clock.iso(recording.endMs),
    // paused time (PauseRecording … ResumeRecording) is not part of the recording
    duration: isoDuration((recording.endMs - recording.startMs - (recording.pausedMs ?? 0)) / 1000),
    channels: recording.channels,
    fileFormat: recording.fileFormat,
  };
}
