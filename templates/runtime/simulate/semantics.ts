// The one table of how the simulator plays Bandwidth: which callback each BXML verb sends, to which URL
// attribute (with which fallback, method and credential attributes), whether its reply is executed,
// and every default and choice the simulator makes where Bandwidth's documentation is silent.
// Correct a behaviour here, not in the executor.

/** Where one verb sends one kind of callback: attribute names on the verb (or its child). */
export interface CallbackSpec {
  /** Event type sent (`gather`, `transferComplete`, …). */
  readonly event: string;
  /** Attribute holding the URL; no URL = no callback. */
  readonly url: string;
  /** Attribute holding the HTTP method (default POST). */
  readonly method: string;
  /** Attribute holding the fallback URL, if the verb has one. */
  readonly fallbackUrl?: string;
  /** Attribute holding the fallback method. */
  readonly fallbackMethod?: string;
  /** `sync`: the reply is BXML that runs next; `async`: the reply body is ignored (2xx expected). */
  readonly mode: "sync" | "async";
  /** BXML scope the reply is checked against (`transferAnswer`, `conference`), if restricted. */
  readonly scope?: string;
  /** `false` when the verb has no credential attributes: the callback always arrives without credentials. */
  readonly credentials?: false;
}

/** What the simulator knows about one verb. */
export interface VerbSemantics {
  /** Callbacks the verb can send, in the order the simulator sends them. */
  readonly callbacks: readonly CallbackSpec[];
  /** Verbs after this one never run when this attribute is set (the callback's BXML replaces them); `"always"` for Redirect. */
  readonly handOff?: string;
  /** What the transcript says the verb does. */
  readonly summary: string;
}

const cb = (event: string, url: string, mode: "sync" | "async", fallback: boolean, scope?: string): CallbackSpec => {
  const stem = url.slice(0, -3); // "gatherUrl" -> "gather"
  return {
    event,
    url,
    method: `${stem}Method`,
    ...(fallback ? { fallbackUrl: `${stem}FallbackUrl`, fallbackMethod: `${stem}FallbackMethod` } : {}),
    mode,
    ...(scope !== undefined ? { scope } : {}),
  };
};

/**
 * Verb -> callback semantics (Bandwidth's BXML reference). Verbs not listed here run as "not simulated":
 * they are recorded in the trace and execution continues with the next verb.
 */
export const VERBS: Readonly<Record<string, VerbSemantics>> = {
  Gather: { callbacks: [cb("gather", "gatherUrl", "sync", true)], handOff: "gatherUrl", summary: "collects digits" },
  Redirect: { callbacks: [cb("redirect", "redirectUrl", "sync", true)], handOff: "always", summary: "fetches new BXML" },
  Transfer: {
    // transferAnswer / transferDisconnect are attributes of each <PhoneNumber>/<SipUri> child
    callbacks: [
      cb("transferAnswer", "transferAnswerUrl", "sync", true, "transferAnswer"),
      cb("transferDisconnect", "transferDisconnectUrl", "async", false),
      cb("transferComplete", "transferCompleteUrl", "sync", true),
    ],
    handOff: "transferCompleteUrl",
    summary: "dials 1-8 destinations at once, bridges the first that answers",
  },
  Record: {
    callbacks: [
      cb("recordComplete", "recordCompleteUrl", "sync", true),
      cb("recordingAvailable", "recordingAvailableUrl", "async", false),
      cb("transcriptionAvailable", "transcriptionAvailableUrl", "async", false), // only with transcribe="true"
    ],
    handOff: "recordCompleteUrl",
    summary: "records the caller",
  },
  StartRecording: {
    callbacks: [cb("recordingAvailable", "recordingAvailableUrl", "async", false), cb("transcriptionAvailable", "transcriptionAvailableUrl", "async", false)],
    summary: "starts a background recording",
  },
  StopRecording: { callbacks: [], summary: "stops the background recording (recordingAvailable goes to StartRecording's URL)" },
  PauseRecording: { callbacks: [], summary: "pauses the background recording" },
  ResumeRecording: { callbacks: [], summary: "resumes the background recording" },
  Conference: {
    callbacks: [
      cb("conferenceCreated", "conferenceEventUrl", "sync", true, "conference"),
      cb("conferenceMemberJoin", "conferenceEventUrl", "sync", true, "conference"),
      cb("conferenceMemberExit", "conferenceEventUrl", "sync", true, "conference"),
      cb("conferenceCompleted", "conferenceEventUrl", "async", false),
    ],
    summary: "joins a conference",
  },
  Bridge: {
    callbacks: [cb("bridgeComplete", "bridgeCompleteUrl", "sync", true), cb("bridgeTargetComplete", "bridgeTargetCompleteUrl", "sync", true)],
    handOff: "bridgeCompleteUrl",
    summary: "bridges another call",
  },
  StartGather: { callbacks: [cb("dtmf", "dtmfUrl", "async", false)], summary: "reports each digit pressed while other verbs run" },
  // mediaStreamStarted / Rejected / Stopped all go to streamEventUrl (streams.ts sends them)
  StartStream: { callbacks: [cb("mediaStreamStarted", "streamEventUrl", "async", false)], summary: "streams the call's audio to a WebSocket (does not block)" },
  StopStream: { callbacks: [], summary: "stops a stream (mediaStreamStopped goes to StartStream's URL); wait=\"true\" holds the call until the stream ends" },
  // realTimeTranscriptionStarted / Rejected / Stopped / Available all go to transcriptionEventUrl
  StartTranscription: { callbacks: [cb("realTimeTranscriptionStarted", "transcriptionEventUrl", "async", false)], summary: "transcribes the call live (to a WebSocket when destination is set)" },
  StopTranscription: { callbacks: [], summary: "stops one transcription, or all without a name" },
  Hangup: { callbacks: [], summary: "hangs up" },
  Pause: { callbacks: [], summary: "silence" },
  Ring: { callbacks: [], summary: "plays ringback" },
  SpeakSentence: { callbacks: [], summary: "speaks" },
  PlayAudio: { callbacks: [], summary: "plays audio" },
  SendDtmf: { callbacks: [], summary: "plays DTMF tones" },
  Tag: { callbacks: [], summary: "sets the call tag" },
  Forward: { callbacks: [], summary: "forwards the call; the application loses control" },
  StopGather: { callbacks: [], summary: "stops the StartGather (sends nothing)" },
  Refer: {
    // no credential attributes are documented on <Refer>: referComplete arrives without any
    callbacks: [{ ...cb("referComplete", "referCompleteUrl", "sync", false), credentials: false }],
    handOff: "referCompleteUrl",
    summary: "sends a SIP REFER; referComplete's BXML runs only when it failed",
  },
  // Connect Status events go to eventCallbackUrl, but their fields are not documented: not sent
  Connect: { callbacks: [], summary: "connects the call to a BRTC endpoint" },
};

/**
 * Bandwidth's defaults (documented) and the simulator's own choices (marked CHOICE). Times in seconds
 * unless the name says ms.
 */
export const SEMANTICS = {
  /** Voice callback timeout: 15 s by default, `callbackTimeout` may set 1-25 s. */
  callbackTimeout: 15,
  callbackTimeoutRange: [1, 25] as const,
  /** CHOICE: a sync callback counts as failed (and its fallback URL is tried) on no answer, a connection error or any non-2xx status. */
  fallbackOnNon2xx: true,
  /** Async callbacks are retried once, to the same URL, on a connection error (documented). */
  asyncRetriesOnConnectionError: 1,
  /**
   * An empty 2xx answer to a callback whose reply Bandwidth runs is a problem (Bandwidth needs a BXML
   * document back: callbacks.md), except for these events, whose reply may be an empty 204 (documented).
   * CHOICE: the simulator then runs it as an empty `<Response/>` (hang up).
   */
  emptyReplyAllowed: ["conferenceCreated", "conferenceMemberJoin", "conferenceMemberExit", "conferenceRedirect"] as const,
  emptySyncReply: "hangup" as const,
  /**
   * Documented (auth.md, bxml-verbs.md): a verb's callbacks carry the credentials written on that verb
   * (`username`/`password`; `fallbackUsername`/`fallbackPassword` for its fallback URL) and never the
   * application's; a verb without them gets none, so a receiver that challenges drops its callbacks.
   */
  verbCredentials: "the verb's own, else none" as const,
  /** CHOICE: the simulator stops a flow after this many verbs (Bandwidth itself has no documented limit: a Redirect loop runs until the call's time limit). */
  maxSteps: 100,
  /** CHOICE: simulated call time limit (Bandwidth's maximum call length is not in our sources; 4 h). */
  maxCallSeconds: 14_400,
  /** CHOICE: real (wall-clock) time the whole simulated call may take, in ms. */
  maxRunMs: 120_000,
  /** Gather: maxDigits 50, interDigitTimeout 5 s, firstDigitTimeout 5 s, repeatCount 1, no terminating digit. */
  gather: { maxDigits: 50, interDigitTimeout: 5, firstDigitTimeout: 5, repeatCount: 1, terminatingDigits: "" },
  /** Record: terminatingDigits "#", maxDuration 60 s, silenceTimeout off, fileFormat wav. */
  record: { terminatingDigits: "#", maxDuration: 60, fileFormat: "wav" as const },
  /** Transfer / Forward: callTimeout 30 s. */
  transfer: { callTimeout: 30 },
  /** CHOICE: the order Bandwidth does not document: every leg's transferDisconnect before the A-leg's transferComplete. */
  transferDisconnectBeforeComplete: true,
  /** Pause 1 s, Ring 5 s by default. */
  pause: 1,
  ring: 5,
  /** CHOICE: how long simulated speech takes: 0.4 s per word (150 words a minute), 0.5 s per pressed digit, 3 s per played file. */
  secondsPerWord: 0.4,
  secondsPerDigit: 0.5,
  secondsPerAudioFile: 3,
  /** CHOICE: simulated network time added to the clock for each callback, so timestamps always advance. */
  secondsPerCallback: 0.05,
  /** CHOICE: recordingAvailable is sent right after recordComplete's reply arrives, before that BXML runs. */
  recordingAvailableAfterRecordComplete: true,
  /** CHOICE: a StartRecording still running when the call ends sends its recordingAvailable after disconnect (processing takes time). */
  backgroundRecordingAvailableAfterDisconnect: true,
  /** CHOICE: a conference member stays `conferenceSeconds` (script, default 10 s), then hangs up: conferenceMemberExit, conferenceCompleted, disconnect. */
  conferenceEndsWithCallerHangup: true,
  /** CHOICE: a Transfer callee answers after 5 s of ringing; a bridge lasts 30 s before one side leaves. */
  ringSecondsBeforeAnswer: 5,
  bridgeSeconds: 30,
  /** CHOICE: how long a `<Connect>`ed endpoint talks (script `connects[].seconds`), and how long a REFER takes to resolve. */
  connectSeconds: 30,
  referSeconds: 1,
  /** Documented defaults of the REFER's SIP codes the script may change: 202 (accepted) + NOTIFY 200 on success, 405 on failure. */
  refer: { success: { referSipResponseCode: 202, notifySipResponseCode: 200 }, failure: { referSipResponseCode: 405 } },
  /**
   * CHOICE: the errorMessage sent with each failure cause (Bandwidth documents the causes, not the
   * wording): transferDisconnect, transferComplete, bridgeComplete and disconnect.
   */
  errorMessages: { timeout: "Call timed out", busy: "Callee is busy", rejected: "Call rejected", unknown: "The bridge could not be made" } as Readonly<Record<string, string>>,
  /** CHOICE: a Transfer B-leg without a `tag` of its own carries the A-leg's tag; one with `tag` carries that (`""`: none). */
  bLegInheritsTag: true,
  /** CHOICE: a Forward answered in time makes the inbound call answered; the parties talk `forward.talkSeconds` (default 30 s). */
  forwardTalkSeconds: 30,
  /**
   * The Voice API stand-in (voice-api.ts). Documented: update call answers 200, update call BXML 204;
   * tokens are OAuth2 client credentials. CHOICE (Bandwidth does not say): a call that has ended answers
   * 409 (bandwidth.yml lists 409 Conflict for both calls); a change made while a callback is out wins
   * over that callback's answer (set aside); a change applies before the leg's next verb, so one made
   * during a verb that holds the call (a Transfer's talk time, a Conference) applies when that verb ends.
   */
  voiceApi: { tokenSeconds: 3600, endedCallStatus: 409, changeWinsOverPendingAnswer: true },
  /** BXML replies are at most 64 KB (enforced by parseBxml). */
  maxBxmlBytes: 65_536,
} as const;

/** Streams and live transcription (streams.ts): Bandwidth's limits and the simulator's choices (CHOICE). */
export const STREAM_SEMANTICS = {
  /** At most 4 tracks stream at once per call ("both" counts 2); the same limit for transcriptions (documented). */
  maxTracks: 4,
  /** `mediaFormat.encoding` in `start`: the docs' table spelling (their example says `PCMU`; receivers must take both). */
  encoding: "audio/PCMU" as const,
  /** CHOICE: a WebSocket handshake not finished in 10 s is a connection-error rejection. */
  handshakeTimeoutMs: 10_000,
  /** CHOICE: 20 ms μ-law frames (160 bytes), the usual telephony framing (the size is not documented). */
  frameMs: 20,
  /** CHOICE: what Bandwidth itself plays (SpeakSentence, PlayAudio) is silence on the outbound track; the bot's playAudio is heard. */
  bxmlMediaOnOutboundTrack: "silence" as const,
  /**
   * CHOICE: while a socket is open and the call waits (<StopStream wait="true">, a long <Pause>), the caller hangs up
   * 2 s after their audio is over and the bot is silent (unless `caller.hangupAfter` says when); checked between
   * verbs and at every tick of a StopStream wait. Without caller audio, only a StopStream wait ends this way.
   */
  callerHangsUpAfterSilenceMs: 2000,
  /** CHOICE: at the end of the call streams and transcriptions stop (stop message, *Stopped callbacks) before `disconnect`. */
  streamsStopBeforeDisconnect: true,
  /** CHOICE: the simulator queues at most 10 minutes of a bot's audio (Bandwidth documents no limit); more is reported and dropped. */
  maxQueuedSeconds: 600,
  /** CHOICE: a server closing with 1000/1001 stops the stream with cause `closed`, any other code with `connection-error`. */
  peerCloseCodes: [1000, 1001] as const,
} as const;
