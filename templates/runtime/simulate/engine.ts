// The flow engine: plays Bandwidth's voice platform for one simulated call. Sends `initiate`/`answer`,
// delivers each callback through the auth-challenge client (with fallback URLs), parses every BXML
// reply with parseBxml (scoped for transferAnswer and conference replies), runs it verb by verb through
// the executors (executor.ts, semantics.ts), and ends the call with `disconnect`. Edge-safe: no node:
// imports; the HTTP transport and the BXML rules table are injected.

import { parseBxml } from "../bxml/parse.js";
import { BandwidthConfigError } from "../errors.js";
import type { BxmlNode, BxmlRules } from "../bxml/rules.js";
import { deliverCallback, type CallbackAnswer, type Transport } from "./client.js";
import { EXECUTORS, type Next } from "./executor.js";
import { LEG_EXECUTORS } from "./legs.js";
import { callEvent, Clock, Ids, type CallIdentity, type Leg } from "./payloads.js";
import { SEMANTICS, VERBS, type CallbackSpec } from "./semantics.js";
import { mediaCatchUp, mediaFinish, STREAM_EXECUTORS, withMedia } from "./streams.js";
import { resolveScript, type CallScript, type ResolvedScript } from "./script.js";
import { TraceRecorder, type CallTrace, type ProblemEntry } from "./trace.js";

/** What the engine needs from outside. */
export interface EngineOptions {
  /** Sends the HTTP requests (a `fetch`, or an in-process handler wrapped as one). */
  readonly transport: Transport;
  /** The generated BXML rules table (`BXML_RULES`). */
  readonly rules: BxmlRules;
  /** The URL of the first callback (initiate/answer), also the application's call-status URL. */
  readonly url: string;
  /** The callback credentials configured at Bandwidth (the application's); leave out for none. */
  readonly username?: string;
  readonly password?: string;
  /**
   * Origins (`https://other.example:8443`) besides the callback URL's own that BXML may send callbacks
   * to. Any other origin is refused (a `url-refused` problem): the simulator would otherwise send the
   * application's credentials wherever an answer points it.
   */
  readonly allowOrigins?: readonly string[];
  /** The most bytes read of one answer (default 1 MiB). */
  readonly maxAnswerBytes?: number;
}

/**
 * The origin of an absolute http(s) URL (`http://127.0.0.1:3000`).
 *
 * @throws {BandwidthConfigError} for a URL that is not http or https (`new URL` throws its own TypeError for one that is not absolute).
 */
export function httpOrigin(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new BandwidthConfigError(`${url}: only http and https URLs are allowed`);
  return parsed.origin;
}

/** Where one callback goes: URLs already resolved, credentials chosen. */
export interface CallbackTarget {
  readonly url: string;
  readonly method: "GET" | "POST";
  readonly username?: string;
  readonly password?: string;
  readonly fallback?: { readonly url: string; readonly method: "GET" | "POST"; readonly username?: string; readonly password?: string; readonly uncredentialed?: string };
  /**
   * Set when this is a verb's callback and the verb has no credentials for it: where they belong, in
   * words (`username/password on the element with gatherUrl`). Bandwidth then sends no credentials, so a
   * receiver that challenges answers 401 and the callback is dropped: the problem names the fix.
   */
  readonly uncredentialed?: string;
}

/** A BXML document to run and the URL it came from (relative URLs resolve against it). */
export interface Doc {
  readonly root: BxmlNode;
  readonly baseUrl: string;
}

/** Verb attributes for the trace, passwords hidden. */
const redact = (attributes: BxmlNode["attributes"]): Record<string, unknown> => {
  const copy: Record<string, unknown> = { ...attributes };
  for (const name of ["password", "fallbackPassword", "destinationPassword"]) if (copy[name] !== undefined) copy[name] = "***";
  return copy;
};

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** Both halves of a credential pair, or none. */
const ownCredentials = (username: string | undefined, password: string | undefined): { username?: string; password?: string } =>
  username !== undefined && password !== undefined ? { username, password } : {};

/** One simulated call's state. Executors read and change it through these methods. */
export class CallRun {
  readonly script: ResolvedScript;
  readonly ids: Ids;
  readonly clock: Clock;
  readonly trace: TraceRecorder = new TraceRecorder();
  readonly identity: CallIdentity;
  readonly a: Leg;
  /** Legs that have ended, by call id, with their cause. */
  readonly ended: Map<string, string> = new Map();
  readonly counters: { gather: number; transfer: number; record: number } = { gather: 0, transfer: 0, record: 0 };
  /** Gathers run so far on the current transfer's B-leg. */
  calleeGathers = 0;
  /** The running `<StartRecording>`, if any. */
  background:
    | { startMs: number; spec: CallbackTarget | undefined; transcription: CallbackTarget | undefined; fileFormat: string; channels: number; leg: Leg }
    | undefined;
  private readonly options: EngineOptions;
  private readonly startedAt: number = Date.now();
  /** Origins callbacks may go to: the callback URL's, the script's disconnect URL's, the allowed ones. */
  private readonly origins: ReadonlySet<string>;

  constructor(options: EngineOptions, script: ResolvedScript) {
    this.options = options;
    this.script = script;
    this.origins = new Set([options.url, ...(script.disconnectUrl !== undefined ? [script.disconnectUrl] : []), ...(options.allowOrigins ?? [])].map(httpOrigin));
    this.ids = new Ids(script.seed);
    this.clock = new Clock(script.startMs);
    this.identity = { accountId: script.accountId, applicationId: script.applicationId };
    const outbound = script.direction === "outbound";
    this.a = { callId: this.ids.callId(), from: script.from, to: script.to, direction: script.direction, startMs: script.startMs, answerMs: outbound ? script.startMs : undefined, tag: script.tag };
  }

  /** Label of a leg in the trace. */
  legName(leg: Leg): string {
    return leg === this.a ? "A" : leg.parent !== undefined ? "B" : "target";
  }

  isEnded(leg: Leg): boolean {
    return this.ended.has(leg.callId) || this.ended.has(this.a.callId);
  }

  /** Ends a leg (the A-leg ends the call); the first cause wins. */
  end(leg: Leg, cause: string, reason: string): void {
    if (this.ended.has(leg.callId)) return;
    this.ended.set(leg.callId, cause);
    if (leg === this.a) this.trace.add({ kind: "end", at: this.clock.iso(), cause, reason });
    else this.note(leg, `${this.legName(leg)}-leg ended (${cause}): ${reason}`);
  }

  note(leg: Leg, message: string): void {
    this.trace.add({ kind: "note", at: this.clock.iso(), leg: this.legName(leg), text: message });
  }

  problem(entry: Omit<ProblemEntry, "kind" | "at">): void {
    this.trace.problem({ at: this.clock.iso(), ...entry });
  }

  /** Resolves a URL attribute against the URL that served the BXML. */
  resolve(url: string, baseUrl: string): string {
    return new URL(url, baseUrl).toString();
  }

  /** The callback target a verb's attributes describe for `spec`, or `undefined` when its URL attribute is absent. */
  target(attributes: BxmlNode["attributes"], spec: CallbackSpec, baseUrl: string): CallbackTarget | undefined {
    const url = text(attributes[spec.url]);
    if (url === undefined) return undefined;
    let target: CallbackTarget;
    try {
      target = this.targetOf(attributes, spec, url, baseUrl);
    } catch {
      this.problem({ code: "invalid-bxml", event: spec.event, message: `${spec.event}: ${spec.url}=${JSON.stringify(url)} cannot be resolved against ${baseUrl}: Bandwidth cannot send this callback` });
      return undefined;
    }
    if (!this.admits(target.url, spec.event, spec.url)) return undefined;
    if (target.fallback !== undefined && !this.admits(target.fallback.url, spec.event, spec.fallbackUrl ?? "fallbackUrl")) return { ...target, fallback: undefined };
    return target;
  }

  /**
   * Whether the simulator sends a callback to `url`: http(s) only, and only to an allowed origin (else a
   * `url-refused` problem, and nothing is sent: not the payload, not the application's credentials).
   */
  admits(url: string, event: string, attribute: string): boolean {
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      this.problem({ code: "url-refused", event, url: `${parsed.protocol}…`, message: `${event}: ${attribute} uses the scheme ${parsed.protocol.slice(0, -1)}: callbacks go over http or https only; the simulator sends nothing there` });
      return false;
    }
    if (this.origins.has(parsed.origin)) return true;
    this.problem({
      code: "url-refused", event, url,
      message: `${event}: ${attribute} points to ${parsed.origin}, outside the origin of the callback URL (${httpOrigin(this.options.url)}): the simulator does not send callbacks, or the application's credentials, there unless you allow it (--allow-origin ${parsed.origin}, option allowOrigins)`,
    });
    return false;
  }

  private targetOf(attributes: BxmlNode["attributes"], spec: CallbackSpec, url: string, baseUrl: string): CallbackTarget {
    // a verb's callbacks carry that verb's credentials and nothing else (never the application's)
    const creds = ownCredentials(text(attributes.username), text(attributes.password));
    const fallbackUrl = spec.fallbackUrl !== undefined ? text(attributes[spec.fallbackUrl]) : undefined;
    const fallbackCreds = ownCredentials(text(attributes.fallbackUsername), text(attributes.fallbackPassword));
    const missing = (names: string, attribute: string): { uncredentialed?: string } => ({ uncredentialed: `${names} on the element with ${attribute}` });
    return {
      url: this.resolve(url, baseUrl),
      method: attributes[spec.method] === "GET" ? "GET" : "POST",
      ...creds,
      ...(creds.username === undefined ? missing("username and password", spec.url) : {}),
      ...(fallbackUrl !== undefined
        ? {
            fallback: {
              url: this.resolve(fallbackUrl, baseUrl),
              method: attributes[spec.fallbackMethod ?? ""] === "GET" ? "GET" : "POST",
              ...fallbackCreds,
              ...(fallbackCreds.username === undefined ? missing("fallbackUsername and fallbackPassword", spec.fallbackUrl ?? "its fallback URL") : {}),
            },
          }
        : {}),
    };
  }

  /** The application's callback target (initiate/answer/disconnect): the credentials given to the simulator. */
  applicationTarget(url: string = this.options.url): CallbackTarget {
    return { url, method: "POST", ...ownCredentials(this.options.username, this.options.password) };
  }

  /** Sends one callback (and its fallback when the primary fails), recording each request. */
  private async send(event: Record<string, unknown>, target: CallbackTarget, leg: string, retry = false): Promise<{ answer: CallbackAnswer; url: string }> {
    await mediaCatchUp(this);
    this.clock.advance(SEMANTICS.secondsPerCallback);
    let last: { answer: CallbackAnswer; url: string } | undefined;
    const attempts = [{ ...target, via: "primary" as const }, ...(target.fallback !== undefined ? [{ ...target.fallback, via: "fallback" as const }] : [])];
    for (const attempt of attempts) {
      const answer = await deliverCallback(this.options.transport, {
        url: attempt.url, method: attempt.method, payload: event, username: attempt.username, password: attempt.password, timeoutMs: this.script.callbackTimeoutMs,
        ...(this.options.maxAnswerBytes !== undefined ? { maxAnswerBytes: this.options.maxAnswerBytes } : {}),
      });
      this.trace.add({
        // a retry is sent later than the event's eventTime: its own time, so the transcript never goes back
        kind: "request", at: !retry && typeof event.eventTime === "string" ? event.eventTime : this.clock.iso(), event: String(event.eventType), method: attempt.method, url: attempt.url, leg, via: attempt.via,
        ...(retry ? { retry: true } : {}),
        auth: answer.auth, status: answer.status, latencyMs: answer.latencyMs, payload: event, body: answer.body, contentType: answer.contentType,
        delivered: answer.delivered, ...(answer.error !== undefined ? { error: answer.error } : {}),
      });
      this.reportDelivery(String(event.eventType), attempt.url, answer, attempt.uncredentialed);
      last = { answer, url: attempt.url };
      if (answer.delivered) break;
    }
    return last as { answer: CallbackAnswer; url: string };
  }

  private reportDelivery(event: string, url: string, answer: CallbackAnswer, uncredentialed?: string): void {
    if (answer.auth === "unprotected") {
      this.problem({ code: "unauthenticated-accepted", event, url, message: `${event}: the request without credentials was answered ${answer.status}: the endpoint does not ask Bandwidth for its credentials (expected 401 with WWW-Authenticate: Basic)` });
    }
    if (answer.delivered) return;
    if (uncredentialed !== undefined && answer.auth === "none" && answer.status === 401) {
      this.problem({
        code: "callback-dropped", event, url,
        message: `${event}: answered 401, and Bandwidth has no credentials to answer the challenge with: a verb's callbacks carry that verb's own credentials, never the application's, and this one has none. Add ${uncredentialed} (the pair your receiver checks)`,
      });
      return;
    }
    const dropped = answer.auth === "no-challenge-header" || answer.auth === "not-basic" || answer.auth === "rejected";
    const why = answer.error ?? `answered ${answer.status}${answer.status >= 500 ? " (server error)" : ""}`;
    this.problem({ code: dropped ? "callback-dropped" : "callback-failed", event, url, message: `${event}: Bandwidth would drop this callback: ${why}` });
  }

  /**
   * Sends a BXML callback and returns the document it answered with; `undefined` when the call (or
   * leg) ended because the callback could not be delivered or its BXML was invalid.
   */
  async sendSync(leg: Leg, event: Record<string, unknown>, target: CallbackTarget, scope?: string): Promise<Doc | undefined> {
    const sent = await this.send(event, target, this.legName(leg));
    if (!sent.answer.delivered) {
      this.end(leg, "callback-error", `the ${String(event.eventType)} callback could not be delivered`);
      return undefined;
    }
    return this.parseReply(leg, String(event.eventType), sent.answer, sent.url, scope);
  }

  private parseReply(leg: Leg, event: string, answer: CallbackAnswer, url: string, scope: string | undefined): Doc | undefined {
    if (answer.body.trim() === "") {
      if (scope !== "conference") this.note(leg, `${event} was answered ${answer.status} with no BXML: it runs as an empty <Response/> (hang up)`);
      return { root: { name: "Response", attributes: {}, children: [] }, baseUrl: url };
    }
    const mediaType = (answer.contentType ?? "").split(";")[0].trim().toLowerCase();
    if (!mediaType.endsWith("xml")) this.note(leg, `${event}: the BXML came with Content-Type ${answer.contentType ?? "(none)"}; Bandwidth expects application/xml`);
    const parsed = parseBxml(answer.body, this.options.rules, (root) => root, scope !== undefined ? { scope } : undefined);
    if (!parsed.ok) {
      const first = parsed.errors[0];
      this.problem({ code: "invalid-bxml", event, url, message: `${event}: invalid BXML: ${first.path === "" ? "" : `${first.path}: `}${first.message}`, errors: parsed.errors });
      this.end(leg, "invalid-bxml", `the BXML answered to ${event} is invalid`);
      return undefined;
    }
    return { root: parsed.value, baseUrl: url };
  }

  /** Sends an async callback (reply ignored; retried once on a connection error). */
  async sendAsync(leg: string, event: Record<string, unknown>, target: CallbackTarget): Promise<void> {
    let sent = await this.send(event, { ...target, fallback: undefined }, leg);
    for (let retry = 0; retry < SEMANTICS.asyncRetriesOnConnectionError && sent.answer.connectionError; retry++) {
      sent = await this.send(event, { ...target, fallback: undefined }, leg, true);
    }
    if (sent.answer.delivered && sent.answer.body.trimStart().startsWith("<")) {
      this.problem({ code: "bxml-ignored", event: String(event.eventType), url: sent.url, message: `${String(event.eventType)}: the receiver answered with BXML, but Bandwidth ignores the reply to this event (it never runs); answer 204` });
    }
  }

  /** Runs a document on a leg, verb by verb, following hand-offs to the documents callbacks answer with. */
  async runDocument(leg: Leg, doc: Doc): Promise<void> {
    let current: Doc | undefined = doc;
    while (current !== undefined) {
      const next: Doc | undefined = await this.runVerbs(leg, current);
      current = next;
    }
  }

  /**
   * Warns about verbs after a hand-off (a `<Redirect>`, a `<Gather>` with `gatherUrl`, a `<Transfer>` with
   * `transferCompleteUrl` …): the callback's BXML replaces the rest of the document, so they never run.
   */
  private warnUnreachable(doc: Doc): void {
    const verbs = doc.root.children.filter((child): child is BxmlNode => typeof child !== "string");
    const at = verbs.findIndex((verb) => {
      const handOff = VERBS[verb.name]?.handOff;
      return handOff === "always" || (handOff !== undefined && typeof verb.attributes[handOff] === "string");
    });
    if (at < 0 || at === verbs.length - 1) return;
    const handOff = VERBS[verbs[at].name].handOff as string;
    const after = verbs.slice(at + 1).map((verb) => `<${verb.name}>`).join(", ");
    const by = handOff === "always" ? `<${verbs[at].name}>` : `<${verbs[at].name}> with ${handOff}`;
    this.trace.add({
      kind: "warning", at: this.clock.iso(), code: "unreachable-verbs",
      message: `${after} after the ${by} never ${at === verbs.length - 2 ? "runs" : "run"}: the BXML its callback answers with replaces the rest of this document. Move ${at === verbs.length - 2 ? "it" : "them"} into that answer (or before the ${verbs[at].name})`,
    });
  }

  private async runVerbs(leg: Leg, doc: Doc): Promise<Doc | undefined> {
    this.warnUnreachable(doc);
    for (const child of doc.root.children) {
      if (typeof child === "string") continue;
      if (this.isEnded(leg) || !this.withinLimits()) return undefined;
      const step = this.trace.steps + 1;
      if (leg === this.a && this.script.hangupAtStep === step) {
        this.end(leg, "hangup", `the caller hung up at step ${step}`);
        return undefined;
      }
      const next: Next = await this.execute(leg, child, doc.baseUrl, step);
      if (next === "stop" || !this.withinTime()) return undefined;
      if (next !== "continue") return next;
    }
    return undefined; // end of the document
  }

  private async execute(leg: Leg, verb: BxmlNode, baseUrl: string, step: number): Promise<Next> {
    if (await mediaCatchUp(this, true)) return "stop"; // the caller hung up while the last verb waited
    const executor = EXECUTORS[verb.name] ?? LEG_EXECUTORS[verb.name] ?? STREAM_EXECUTORS[verb.name];
    const tag = verb.attributes.tag;
    if (typeof tag === "string" && verb.name !== "Conference") leg.tag = tag === "" ? undefined : tag;
    if (leg.answerMs === undefined && !["Hangup", "Forward", "Redirect", "Tag"].includes(verb.name)) leg.answerMs = this.clock.now();
    const detail = executor === undefined ? "not simulated: execution continues with the next verb" : undefined;
    this.trace.add({ kind: "verb", at: this.clock.iso(), step, leg: this.legName(leg), verb: verb.name, attributes: redact(verb.attributes), ...(detail !== undefined ? { detail } : {}) });
    if (executor === undefined) return "continue";
    return executor(this, leg, verb, baseUrl);
  }

  private withinLimits(): boolean {
    if (this.trace.steps >= this.script.maxSteps) {
      this.problem({ code: "step-limit", message: `stopped after ${this.script.maxSteps} verbs (maxSteps): a Redirect loop? Bandwidth would keep running it until the call's time limit` });
      this.end(this.a, "hangup", `the simulator's step limit (${this.script.maxSteps})`);
      return false;
    }
    return this.withinTime();
  }

  private withinTime(): boolean {
    if (this.ended.has(this.a.callId)) return true;
    const simulated = (this.clock.now() - this.script.startMs) / 1000;
    if (simulated > this.script.maxCallSeconds || Date.now() - this.startedAt > this.script.maxRunMs) {
      this.problem({ code: "time-limit", message: simulated > this.script.maxCallSeconds ? `the call passed ${this.script.maxCallSeconds} s of simulated time` : `the run took more than ${this.script.maxRunMs} ms` });
      this.end(this.a, "hangup", "time limit");
      return false;
    }
    return true;
  }

  /** The whole call: first callback, its BXML, the end of the call and `disconnect`. */
  async run(): Promise<CallTrace> {
    const first = this.script.direction === "outbound" ? "answer" : "initiate";
    const doc = await this.sendSync(this.a, callEvent(this.identity, this.clock, this.a, first), this.applicationTarget());
    if (doc !== undefined) await this.runDocument(this.a, doc);
    if (!this.ended.has(this.a.callId)) this.end(this.a, "hangup", "the BXML ran out: implicit <Hangup>");
    await mediaFinish(this);
    const cause = this.ended.get(this.a.callId) ?? "hangup";
    const errorMessage = cause === "callback-error" ? "A callback could not be delivered" : cause === "invalid-bxml" ? "Invalid BXML" : undefined;
    const disconnect = callEvent(this.identity, this.clock, this.a, "disconnect", { endTime: this.clock.iso(), cause, ...(errorMessage !== undefined ? { errorMessage } : {}) });
    const stopBackground = async () => {
      if (this.background !== undefined) await EXECUTORS.StopRecording(this, this.background.leg, { name: "StopRecording", attributes: {}, children: [] }, this.options.url);
    };
    if (!SEMANTICS.backgroundRecordingAvailableAfterDisconnect) await stopBackground();
    await this.sendAsync("A", disconnect, this.applicationTarget(this.script.disconnectUrl ?? this.options.url));
    await stopBackground();
    return withMedia(this, this.trace.finish({ callId: this.a.callId, from: this.a.from, to: this.a.to, direction: this.a.direction }));
  }
}

/** Runs one simulated call. @throws {ScriptError} when the script cannot be used. */
export async function runCall(options: EngineOptions, script?: CallScript): Promise<CallTrace> {
  return new CallRun(options, resolveScript(script)).run();
}
