// Type-level tests: this file must compile (`tsc --noEmit` runs in `npm test`), and every line
// marked @ts-expect-error must be a compile error, proving the generated types reject wrong code.
import type { AnswerCallback, VoiceCallback, VoiceCallbackMap, VoiceEventType, VoiceHandlers } from "../../generated/index.js";
import { validateVoiceCallback, isAnswerCallback } from "../../generated/validators/voice.js";

export const handlers: VoiceHandlers = {
  answer(event) {
    const id: string = event.callId;
    return `<Response><SpeakSentence>${id.length}</SpeakSentence></Response>`;
  },
  async initiate() {
    return "<Response/>";
  },
  disconnect(event) {
    void event.cause;
  },
  async recordingAvailable(event) {
    await Promise.resolve(event.recordingId);
  },
  conferenceCreated() {
    return undefined;
  },
};

export const wrongAsyncReply: VoiceHandlers = {
  // @ts-expect-error an async event (disconnect) cannot answer with BXML: Bandwidth ignores it
  disconnect() {
    return "<Response><Hangup/></Response>";
  },
};

export const missingBxml: VoiceHandlers = {
  // @ts-expect-error a BXML event (answer) must return BXML
  answer() {
    return 42;
  },
};

export const wrongEventType: VoiceHandlers = {
  answer(event) {
    // @ts-expect-error the answer handler receives an AnswerCallback, which has no `digits`
    return String(event.digits);
  },
};

export function narrowing(input: unknown): string {
  const result = validateVoiceCallback(input);
  if (!result.ok) return result.errors.map((e) => `${e.path}: ${e.message}`).join("\n");
  const event: VoiceCallback = result.value;
  if (event.eventType === "gather") return event.digits ?? "";
  // @ts-expect-error `digits` exists only on gather events: the union is discriminated by eventType
  return event.digits;
}

export function guards(input: unknown): string | null | undefined {
  if (isAnswerCallback(input)) {
    const answer: AnswerCallback = input;
    return answer.answerTime;
  }
  return undefined;
}

// @ts-expect-error "answered" is not a voice event type
export const notAnEvent: VoiceEventType = "answered";
export const mapEntry: VoiceCallbackMap["transferComplete"]["eventType"] = "transferComplete";
// @ts-expect-error types are closed: a misspelt property is a compile error (validators still accept unknown fields at run time)
export const misspelt: AnswerCallback["callID"] = "c-1";
