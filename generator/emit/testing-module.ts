// Emits generated/testing.ts, the `bw-codegen/testing` entry point: the hand-written test helpers
// (runtime/testing/index.ts: deliverEvent) plus the call simulator (runtime/simulate/) bound to the generated
// BXML rules table, so users write `simulateCall(webhooks.fetch, { digits: ["1"] })`. It names each export
// (test/public-api.json pins them): the engine's pieces (runCall, the semantics table, ...) stay internal.
import type { GeneratedFile } from "../generated-file.js";

export function emitTestingModule(): GeneratedFile {
  const contents = `/**
 * Test helpers for your own receiver: \`deliverEvent\` (one event, with Bandwidth's auth challenge) and
 * \`simulateCall\` (a whole simulated call: Bandwidth's side of the flow, verb by verb), and
 * \`replayCapture\` (a capture of real deliveries replayed, each answer compared with the recorded one).
 */
import { BXML_RULES } from "./bxml/rules.js";
import { simulateCallWithRules } from "./runtime/simulate/index.js";
import type { CallTrace, SimulationOptions, SimulationTarget } from "./runtime/simulate/index.js";
export { deliverEvent, HandshakeError } from "./runtime/testing/index.js";
export { AnswerTooLargeError } from "./runtime/simulate/answer-body.js";
export { replayCapture } from "./runtime/capture/replay.js";
export type { ReplayOptions, ReplayReport, ReplayResult, ReplayTarget } from "./runtime/capture/replay.js";
export type { AnswerDifference } from "./runtime/capture/compare.js";
export type { SocketReplayOptions, SocketReplayResult, SocketReplayTarget } from "./runtime/capture/socket-replay.js";
export type { SocketTranscript } from "./runtime/capture/socket-sessions.js";
export type { ChallengeAnswer, DeliveryOptions, DeliveryResult, FetchLike } from "./runtime/testing/index.js";
export { formatJsonLines, formatTranscript, ScriptError, startVoiceApi } from "./runtime/simulate/index.js";
export type {
  ApiEntry,
  BargeInMeasure,
  CallAudio,
  CallerAudioScript,
  CallerSegment,
  CallScript,
  CallTrace,
  ConnectScript,
  EndEntry,
  FetchTarget,
  ForwardScript,
  MediaEntry,
  MediaScript,
  NodeTarget,
  ProblemEntry,
  RecordScript,
  ReferScript,
  RequestEntry,
  ResponseMeasure,
  SimulationOptions,
  SimulationTarget,
  SocketEntry,
  TargetOutcome,
  TraceEntry,
  TransferScript,
  VerbEntry,
  VoiceApi,
  VoiceApiOptions,
  VoiceMeasures,
  WarningEntry,
  WavSource,
} from "./runtime/simulate/index.js";

/**
 * Plays Bandwidth's side of one call against your receiver and returns the trace.
 *
 * @example
 * const trace = await simulateCall(webhooks.fetch, { username: "bw", password: "s3cret", digits: ["1"] });
 * trace.said;  // ["Press 1 for sales"]
 * trace.ok;    // true: every callback was answered the way Bandwidth needs
 *
 * @example
 * // a voice bot: the caller's audio over the stream socket, the bot's answer measured
 * const trace = await simulateCall(webhooks.fetch, { speed: "max", seed: 1, caller: { segments: [{ silence: 1 }, { tone: 440, seconds: 2, text: "I need to change my booking" }, { silence: 3 }] } });
 * trace.measures?.responses[0].latencyMs; // ms from the end of the utterance to the bot's first audio
 * writeFileSync("bot.wav", trace.audio!.bot);
 */
export function simulateCall(target: SimulationTarget, script?: SimulationOptions): Promise<CallTrace> {
  return simulateCallWithRules(BXML_RULES, target, script);
}
`;
  return { path: "testing.ts", contents, source: "generator/emit/testing-module.ts" };
}
