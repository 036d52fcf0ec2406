// The flow engine: plays Bandwidth's voice platform for one simulated call. Sends `initiate`/`answer`,
// delivers each callback through the auth-challenge client (with fallback URLs), parses every BXML
// reply with parseBxml (scoped for transferAnswer and conference replies), runs it verb by verb through
// the executors (executor.ts, semantics.ts), and ends the call with `disconnect`. Edge-safe: no node:
// imports; the HTTP transport and the BXML rules table are injected.

import { parseBxml } from "../bxml/parse.js";
import { BandwidthConfigError } from "../errors.js";
import type { BxmlNode, BxmlRules } from "../bxml/rules.js";
import { deliverCallback, type CallbackAnswer, type Transport } from "./client.js";
import { executorOf } from "./registry.js";
import { callEvent, Clock, Ids, type CallIdentity, type Leg } from "./payloads.js";
import { SEMANTICS, VERBS, type CallbackSpec } from "./semantics.js";
import { mediaCatchUp, mediaFinish, withMedia } from "./streams.js";
import { resolveScript, type CallScript, type ResolvedScript } from "./script.js";
import { TraceRecorder, type ApiEntry, type CallTrace, type ProblemEntry, type TraceEntry, type WarningEntry } from "./trace.js";
import type { BackgroundRecording, CallbackTarget, Doc, Next, Run } from "./types.js";
import type { CallChange, VoiceApiCore } from "./voice-api.js";

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
  /**
   * The Voice API stand-in that serves this call (`startVoiceApi`), and its base URL
   * (`http://127.0.0.1:PORT/api/v2`): events' `callUrl` points there, and its requests change the call.
   */
  readonly voiceApi?: { readonly core: VoiceApiCore; readonly base: string };
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

export type { CallbackTarget, Doc } from "./types.js";

/** Verb attributes for the trace, passwords hidden. */
const redact = (attributes: BxmlNode["attributes"]): Record<string, unknown> => {
  const copy: Record<string, unknown> = { ...attributes };
  for (const name of ["password", "fallbackPassword", "destinationPassword"]) if (copy[name] !== undefined) copy[name] = "***";
  return copy;
};

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** The answer body as the trace keeps it: at most 64 KB (the rest is never BXML Bandwidth would run). */
const keptBody = (body: string): string => (body.length > SEMANTICS.maxBxmlBytes ? body.slice(0, SEMANTICS.maxBxmlBytes) : body);

/** Both halves of a credential pair, or none. */
const ownCredentials = (username: string | undefined, password: string | undefined): { username?: string; password?: string } =>
  username !== undefined && password !== undefined ? { username, password } : {};

/** One simulated call's state. Executors read and change it through these methods. */
export class CallRun implements Run {
  readonly script: ResolvedScript;
  readonly ids: Ids;
  readonly clock: Clock;
  readonly trace: TraceRecorder = new TraceRecorder();
  readonly identity: CallIdentity;
  readonly a: Leg;
  /** Legs that have ended, by call id, with their cause. */
  readonly ended: Map<string, string> = new Map();
  readonly counters: { gather: number; transfer: number; record: number; refer: number; connect: number } = { gather: 0, transfer: 0, record: 0, refer: 0, connect: 0 };
  /** Gathers run so far on the current transfer's B-leg. */
  calleeGathers = 0;
  /** The running `<StartRecording>`, if any. */
  background: BackgroundRecording | undefined;
  /** Work on other calls that goes on after this call's disconnect (a bridge target's BXML). */
  private readonly deferred: Array<() => Promise<void>> = [];
  private readonly options: EngineOptions;
  private readonly startedAt: number = Date.now();
  /** Legs by call id (for the Voice API stand-in). */
  private readonly legs: Map<string, Leg> = new Map();
  /** Entries that arrived while a callback was out (recorded after its request). */
  private held: TraceEntry[] | undefined;
  /** Voice API changes not yet applied, by call id. */
  private readonly changes: Map<string, CallChange> = new Map();
  /** Origins callbacks may go to: the callback URL's, the script's disconnect URL's, the allowed ones. */
  private readonly origins: ReadonlySet<string>;

  constructor(options: EngineOptions, script: ResolvedScript) {
    this.options = options;
    this.script = script;
    this.origins = new Set([options.url, ...(script.disconnectUrl !== undefined ? [script.disconnectUrl] : []), ...(options.allowOrigins ?? [])].map(httpOrigin));
    this.ids = new Ids(script.seed);
    this.clock = new Clock(script.startMs);
    this.identity = { accountId: script.accountId, applicationId: script.applicationId, ...(options.voiceApi !== undefined ? { apiBase: options.voiceApi.base } : {}) };
    const outbound = script.direction === "outbound";
    this.a = { callId: this.ids.callId(), from: script.from, to: script.to, direction: script.direction, startMs: script.startMs, answerMs: outbound ? script.startMs : undefined, tag: script.tag };
    this.legs.set(this.a.callId, this.a);
  }

  /** The BXML rules table the call checks documents with. */
  get rules(): BxmlRules {
    return this.options.rules;
  }

  /** A leg of this call by its id (the A-leg, and every leg a callback has been sent about). */
  legById(callId: string): Leg | undefined {
    return this.legs.get(callId);
  }

  /**
   * A change asked through the Voice API (update call / update call BXML). It takes effect on that leg
   * before its next verb, or when the callback it is waiting for answers (that answer's BXML is then
   * discarded); a later change replaces one not yet applied.
   */
  interrupt(callId: string, change: CallChange): void {
    this.changes.set(callId, change);
  }

  /** Whether a Voice API change waits for this leg (executors that loop stop early). */
  interrupted(leg: Leg): boolean {
    return this.changes.has(leg.callId);
  }

  /** Applies the waiting Voice API change: the document to run next, or `undefined` when the leg ends. */
  private async applyChange(leg: Leg): Promise<Doc | undefined> {
    const change = this.changes.get(leg.callId);
    this.changes.delete(leg.callId);
    if (change === undefined || this.isEnded(leg)) return undefined;
    if (change.kind === "hangup") {
      this.end(leg, "hangup", "hung up through the Voice API (update call, state: completed)");
      return undefined;
    }
    if (change.kind === "bxml") {
      this.note(leg, "the running BXML is replaced through the Voice API (update call BXML)");
      return { root: change.root, baseUrl: this.options.url };
    }
    if (change.tag !== undefined) leg.tag = change.tag === "" ? undefined : change.tag;
    this.note(leg, `redirected through the Voice API (update call) to ${change.url}`);
    if (!this.admits(change.url, "redirect", "redirectUrl")) {
      this.end(leg, "callback-error", "the redirect callback could not be delivered");
      return undefined;
    }
    const fallback = change.fallback !== undefined && this.admits(change.fallback.url, "redirect", "redirectFallbackUrl") ? change.fallback : undefined;
    const target: CallbackTarget = { url: change.url, method: change.method, ...ownCredentials(change.username, change.password), ...(fallback !== undefined ? { fallback: { ...fallback, ...ownCredentials(fallback.username, fallback.password) } } : {}) };
    return this.sendSync(leg, callEvent(this.identity, this.clock, leg, "redirect"), target);
  }

  /** Label of a leg in the trace. */
  legName(leg: Leg): string {
    return leg === this.a ? "A" : leg.parent !== undefined ? "B" : "target";
  }

  /** Whether a leg has ended: a Transfer B-leg also ends with the A-leg; a bridge target is a call of its own. */
  isEnded(leg: Leg): boolean {
    return this.ended.has(leg.callId) || ((leg === this.a || leg.parent !== undefined) && this.ended.has(this.a.callId));
  }

  /** Ends a leg (the A-leg ends the call); the first cause wins. */
  end(leg: Leg, cause: string, reason: string): void {
    if (this.ended.has(leg.callId)) return;
    this.ended.set(leg.callId, cause);
    if (leg === this.a) this.trace.add({ kind: "end", at: this.clock.iso(), cause, reason });
    else this.note(leg, `${this.legName(leg)}-leg ended (${cause}): ${reason}`);
  }

  /** Runs `work` once this call has ended and its disconnect is sent (another call carrying on). */
  defer(work: () => Promise<void>): void {
    this.deferred.push(work);
  }

  note(leg: Leg, message: string): void {
    this.trace.add({ kind: "note", at: this.clock.iso(), leg: this.legName(leg), text: message });
  }

  problem(entry: Omit<ProblemEntry, "kind" | "at">): void {
    this.trace.problem({ at: this.clock.iso(), ...entry });
  }

  /** A likely mistake that does not fail the flow (exit 0). */
  warn(entry: Omit<WarningEntry, "kind" | "at">): void {
    this.hold({ kind: "warning", at: this.clock.iso(), ...entry });
  }

  /** Records a Voice API request (voice-api.ts). */
  recordApi(entry: ApiEntry): void {
    this.hold(entry);
  }

  /** Adds an entry, after the request of the callback that is out, if one is (the transcript stays in order). */
  private hold(entry: TraceEntry): void {
    if (this.held !== undefined) this.held.push(entry);
    else this.trace.add(entry);
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
      ...(creds.username === undefined ? (spec.credentials === false ? { uncredentialed: "" } : missing("username and password", spec.url)) : {}),
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
  private async send(event: Record<string, unknown>, target: CallbackTarget, leg: string, retry = false, willRetry = false): Promise<{ answer: CallbackAnswer; url: string }> {
    await mediaCatchUp(this);
    this.clock.advance(SEMANTICS.secondsPerCallback);
    let last: { answer: CallbackAnswer; url: string } | undefined;
    const attempts = [{ ...target, via: "primary" as const }, ...(target.fallback !== undefined ? [{ ...target.fallback, via: "fallback" as const }] : [])];
    for (const attempt of attempts) {
      this.held = [];
      const answer = await deliverCallback(this.options.transport, {
        url: attempt.url, method: attempt.method, payload: event, username: attempt.username, password: attempt.password, timeoutMs: this.script.callbackTimeoutMs,
        ...(this.options.maxAnswerBytes !== undefined ? { maxAnswerBytes: this.options.maxAnswerBytes } : {}),
      });
      this.trace.add({
        // a retry is sent later than the event's eventTime: its own time, so the transcript never goes back
        kind: "request", at: !retry && typeof event.eventTime === "string" ? event.eventTime : this.clock.iso(), event: String(event.eventType), method: attempt.method, url: attempt.url, leg, via: attempt.via,
        ...(retry ? { retry: true } : {}),
        auth: answer.auth, status: answer.status, latencyMs: answer.latencyMs, payload: event, body: keptBody(answer.body), contentType: answer.contentType,
        delivered: answer.delivered, ...(answer.error !== undefined ? { error: answer.error } : {}),
      });
      const held = this.held;
      this.held = undefined;
      for (const entry of held) this.trace.add(entry);
      if (willRetry && answer.connectionError) this.trace.add({ kind: "note", at: this.clock.iso(), leg, text: `${String(event.eventType)}: ${answer.error ?? "connection error"}: Bandwidth retries an asynchronous callback once, to the same URL` });
      else this.reportDelivery(String(event.eventType), attempt.url, answer, attempt.uncredentialed, retry);
      last = { answer, url: attempt.url };
      if (answer.delivered) break;
    }
    return last as { answer: CallbackAnswer; url: string };
  }

  private reportDelivery(event: string, url: string, answer: CallbackAnswer, uncredentialed?: string, retried = false): void {
    if (answer.auth === "unprotected") {
      // Bandwidth delivers it (a 2xx is a 2xx): a security hole in the receiver, not a failed delivery
      this.warn({ code: "unauthenticated-accepted", event, url, message: `${event}: security: credentials are configured, but the request without them was answered ${answer.status}: the endpoint never asks for them, so anyone can post events to it (answer 401 with WWW-Authenticate: Basic)` });
    }
    if (answer.delivered) return;
    if (uncredentialed === "" && answer.auth === "none" && answer.status === 401) {
      this.problem({
        code: "callback-dropped", event, url,
        message: `${event}: answered 401, and Bandwidth documents no credentials for this callback (its verb has no username/password attributes), so it always arrives without any: accept it on that URL without Basic auth`,
      });
      return;
    }
    if (uncredentialed !== undefined && answer.auth === "none" && answer.status === 401) {
      this.problem({
        code: "callback-dropped", event, url,
        message: `${event}: answered 401, and Bandwidth has no credentials to answer the challenge with: a verb's callbacks carry that verb's own credentials, never the application's, and this one has none. Add ${uncredentialed} (the pair your receiver checks)`,
      });
      return;
    }
    const dropped = answer.auth === "no-challenge-header" || answer.auth === "not-basic" || answer.auth === "rejected";
    const why = answer.error ?? `answered ${answer.status}${answer.status >= 500 ? " (server error)" : ""}`;
    const again = retried ? " (its one retry after a connection error failed too)" : "";
    this.problem({ code: dropped ? "callback-dropped" : "callback-failed", event, url, message: `${event}: Bandwidth would drop this callback: ${why}${again}` });
  }

  /**
   * Sends a BXML callback and returns the document it answered with; `undefined` when the call (or
   * leg) ended because the callback could not be delivered or its BXML was invalid.
   */
  async sendSync(leg: Leg, event: Record<string, unknown>, target: CallbackTarget, scope?: string): Promise<Doc | undefined> {
    this.legs.set(leg.callId, leg);
    const sent = await this.send(event, target, this.legName(leg));
    if (SEMANTICS.voiceApi.changeWinsOverPendingAnswer && this.changes.has(leg.callId) && scope !== "conference") {
      // CHOICE: the call was changed through the Voice API while this callback was out: the change wins
      this.note(leg, `the answer to ${String(event.eventType)} is set aside: the call was changed through the Voice API while the callback was out`);
      return this.applyChange(leg);
    }
    if (!sent.answer.delivered) {
      this.end(leg, "callback-error", `the ${String(event.eventType)} callback could not be delivered`);
      return undefined;
    }
    return this.parseReply(leg, String(event.eventType), sent.answer, sent.url, scope);
  }

  /**
   * Sends a BXML callback whose reply Bandwidth does not run this time (referComplete after a successful
   * REFER: the call is gone): delivered like any BXML callback, the answer is neither parsed nor judged.
   */
  async sendIgnoringReply(leg: Leg, event: Record<string, unknown>, target: CallbackTarget): Promise<{ delivered: boolean; body: string }> {
    const sent = await this.send(event, target, this.legName(leg));
    return { delivered: sent.answer.delivered, body: sent.answer.body };
  }

  private parseReply(leg: Leg, event: string, answer: CallbackAnswer, url: string, scope: string | undefined): Doc | undefined {
    if (answer.body.trim() === "") {
      if (!(SEMANTICS.emptyReplyAllowed as readonly string[]).includes(event)) {
        this.problem({
          code: "empty-reply", event, url,
          message: `${event}: answered ${answer.status} with an empty body, but Bandwidth runs the BXML in the reply to this event: answer a <Response> document (an empty <Response/> hangs up). The simulator runs it as <Response/>`,
        });
      }
      return { root: { name: "Response", attributes: {}, children: [] }, baseUrl: url };
    }
    const bytes = new TextEncoder().encode(answer.body).byteLength;
    if (bytes > SEMANTICS.maxBxmlBytes) {
      this.problem({ code: "reply-too-large", event, url, message: `${event}: the reply is ${bytes} bytes; Bandwidth accepts at most 64 KB (${SEMANTICS.maxBxmlBytes} bytes) of BXML and ends the call (invalid-bxml)` });
      this.end(leg, "invalid-bxml", `the BXML answered to ${event} is over 64 KB`);
      return undefined;
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
    const retries = SEMANTICS.asyncRetriesOnConnectionError;
    let sent = await this.send(event, { ...target, fallback: undefined }, leg, false, retries > 0);
    for (let retry = 1; retry <= retries && sent.answer.connectionError; retry++) {
      sent = await this.send(event, { ...target, fallback: undefined }, leg, true, retry < retries);
    }
    if (sent.answer.delivered && sent.answer.body.trimStart().startsWith("<")) {
      this.warn({ code: "bxml-ignored", event: String(event.eventType), url: sent.url, message: `${String(event.eventType)}: the receiver answered with BXML, but Bandwidth ignores the reply to this event (it never runs); answer 204` });
    }
  }

  /** Runs a document on a leg, verb by verb, following hand-offs to the documents callbacks answer with. */
  async runDocument(leg: Leg, doc: Doc): Promise<void> {
    this.legs.set(leg.callId, leg);
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
      if (this.changes.has(leg.callId)) return this.applyChange(leg);
      const step = this.trace.steps + 1;
      if (leg === this.a && this.script.hangupAtStep === step) {
        this.end(leg, "hangup", `the caller hung up at step ${step}`);
        return undefined;
      }
      const next: Next = await this.execute(leg, child, doc.baseUrl, step);
      if (next === "stop" || !this.withinTime()) return undefined;
      if (next !== "continue") return next;
    }
    if (this.changes.has(leg.callId) && !this.isEnded(leg)) return this.applyChange(leg);
    return undefined; // end of the document
  }

  private async execute(leg: Leg, verb: BxmlNode, baseUrl: string, step: number): Promise<Next> {
    if (await mediaCatchUp(this, true)) return "stop"; // the caller hung up while the last verb waited
    const executor = executorOf(verb.name);
    // a verb's tag (Conference's too) is the call's tag from this verb's callbacks on; "" removes it
    const tag = verb.attributes.tag;
    if (typeof tag === "string") leg.tag = tag === "" ? undefined : tag;
    const answers = !["Hangup", "Forward", "Redirect", "Tag"].includes(verb.name) && !(verb.name === "Ring" && verb.attributes.answerCall === false);
    if (leg.answerMs === undefined && answers) leg.answerMs = this.clock.now();
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
    const api = this.options.voiceApi?.core;
    api?.attach(this);
    try {
      return await this.play();
    } finally {
      api?.detach(this);
    }
  }

  private async play(): Promise<CallTrace> {
    const first = this.script.direction === "outbound" ? "answer" : "initiate";
    const doc = await this.sendSync(this.a, callEvent(this.identity, this.clock, this.a, first), this.applicationTarget());
    if (doc !== undefined) await this.runDocument(this.a, doc);
    if (!this.ended.has(this.a.callId)) this.end(this.a, "hangup", "the BXML ran out: implicit <Hangup>");
    await mediaFinish(this);
    const cause = this.ended.get(this.a.callId) ?? "hangup";
    const errorMessage = cause === "callback-error" ? "A callback could not be delivered" : cause === "invalid-bxml" ? "Invalid BXML" : SEMANTICS.errorMessages[cause];
    const disconnect = callEvent(this.identity, this.clock, this.a, "disconnect", { endTime: this.clock.iso(), cause, ...(errorMessage !== undefined ? { errorMessage } : {}) });
    const stopBackground = async () => {
      if (this.background !== undefined) await executorOf("StopRecording")!(this, this.background.leg, { name: "StopRecording", attributes: {}, children: [] }, this.options.url);
    };
    if (!SEMANTICS.backgroundRecordingAvailableAfterDisconnect) await stopBackground();
    await this.sendAsync("A", disconnect, this.applicationTarget(this.script.disconnectUrl ?? this.options.url));
    await stopBackground();
    for (const work of this.deferred) await work();
    return withMedia(this, this.trace.finish({ callId: this.a.callId, from: this.a.from, to: this.a.to, direction: this.a.direction }));
  }
}

/** Runs one simulated call. @throws {ScriptError} when the script cannot be used. */
export async function runCall(options: EngineOptions, script?: CallScript): Promise<CallTrace> {
  return new CallRun(options, resolveScript(script)).run();
}
