// Issue 14's changes, each as a mutation test: a field Bandwidth may leave out is removed from our full
// example and the payload stays valid (lenient and strict), the schema no longer lists it as required,
// and the type says `| undefined` (type-level lines below: `npm test` type-checks this file, and every
// `@ts-expect-error` line must be a compile error). Also the new voice fields, the `channels` range, the
// endpoint strings without an invented limit, and <Tag>'s length counted after trimming.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { loadCatalog } from "../generator/catalog.js";
import type {
  AnswerCallback,
  ConferenceRecordingAvailableCallback,
  DisconnectCallback,
  InitiateCallback,
  MessageFailedCallback,
  MessageReadCallback,
  MfaMessageFailedCallback,
  RecordCompleteCallback,
  RecordingAvailableCallback,
  TranscriptionAvailableCallback,
} from "../generated/index.js";
import { validateEndpointEvent } from "../generated/validators/endpoint.js";
import { validateMessagingCallback } from "../generated/validators/messaging.js";
import { validateMfaCallback } from "../generated/validators/mfa.js";
import { validateVoiceCallback } from "../generated/validators/voice.js";
import { validateBxml } from "../generated/bxml/index.js";
import { repoRoot } from "./support/drift.js";

const catalog = loadCatalog(join(repoRoot, "schemas"));
const schemaOf = (file: string) => catalog.events.find((e) => e.file === file)!.schema;

const ANSWER_TIME_EVENTS = [
  "answer", "bridgeComplete", "bridgeTargetComplete", "dtmf", "gather", "machineDetectionComplete",
  "mediaStreamRejected", "mediaStreamStarted", "mediaStreamStopped", "realTimeTranscriptionAvailable",
  "realTimeTranscriptionRejected", "realTimeTranscriptionStarted", "realTimeTranscriptionStopped",
  "recordComplete", "referComplete", "transferAnswer", "transferComplete",
];
const MEDIA_URL_EVENTS = ["recordComplete", "recordingAvailable", "conferenceRecordingAvailable", "transcriptionAvailable"];

type Validate = (value: unknown, options: { strict: boolean }) => { ok: boolean; errors?: unknown };
const MUTATIONS: { file: string; field: string; validate: Validate }[] = [
  ...ANSWER_TIME_EVENTS.map((e) => ({ file: `voice/${e}.schema.json`, field: "answerTime", validate: validateVoiceCallback as Validate })),
  ...MEDIA_URL_EVENTS.map((e) => ({ file: `voice/${e}.schema.json`, field: "mediaUrl", validate: validateVoiceCallback as Validate })),
  { file: "messaging/message-read.schema.json", field: "eventTime", validate: (v, o) => validateMessagingCallback([v], o) },
  { file: "messaging/message-failed.schema.json", field: "errorCode", validate: (v, o) => validateMessagingCallback([v], o) },
  { file: "mfa/message-failed.schema.json", field: "errorCode", validate: validateMfaCallback as Validate },
];

test("issue 14 lists answerTime on 17 voice events: all of them, and no voice event requires it", () => {
  assert.equal(ANSWER_TIME_EVENTS.length, 17);
  for (const e of catalog.events.filter((x) => x.family === "voice")) assert.ok(!e.schema.required.includes("answerTime"), e.file);
});

for (const { file, field, validate } of MUTATIONS) {
  test(`${file}: ${field} removed from the full example is still valid (lenient and strict) and not required`, () => {
    const schema = schemaOf(file);
    assert.ok(!schema.required.includes(field));
    const full = schema.examples.find((x: Record<string, unknown>) => field in x);
    assert.ok(full, `an example of ${file} must use ${field}`);
    const { [field]: _removed, ...without } = full;
    for (const strict of [false, true]) {
      const result = validate(without, { strict });
      assert.equal(result.ok, true, `${file} without ${field} (strict ${strict}): ${JSON.stringify(result.errors)}`);
    }
    // The mutation is not vacuous: breaking a field that stays required still fails.
    const kept = schema.required[1] as string;
    const { [kept]: _k, ...broken } = full;
    assert.equal(validate(broken, { strict: false }).ok, false, `${file} without ${kept} must fail`);
  });
}

test("the new voice fields: typed, optional, and wrong types refused", () => {
  const answer = schemaOf("voice/answer.schema.json").examples[1];
  const disconnect = schemaOf("voice/disconnect.schema.json").examples[1];
  const initiate = schemaOf("voice/initiate.schema.json").examples[1];
  assert.ok("sipCallId" in answer && "sipResponseCode" in disconnect && "sipHeaders" in initiate);
  for (const [value, ok] of [
    [{ ...disconnect, sipResponseCode: 603 }, true],
    [{ ...disconnect, sipResponseCode: null }, true],
    [{ ...disconnect, sipResponseCode: "486" }, false],
    [{ ...disconnect, sipResponseCode: 99 }, true], // Bandwidth states no range (issue 24): RFC 3261's 100-699 is not checked
    [{ ...initiate, sipHeaders: { "x-a": "1" } }, true],
    [{ ...initiate, sipHeaders: { "x-a": 1 } }, false],
    [{ ...initiate, sipHeaders: "x-a: 1" }, false],
    [{ ...answer, sipCallId: 12 }, false],
  ] as const) {
    assert.equal(validateVoiceCallback(value, { strict: true }).ok, ok, JSON.stringify(value).slice(-80));
  }
  // A header key the docs do not show (not x-...) is still accepted, in strict mode too.
  assert.equal(validateVoiceCallback({ ...initiate, sipHeaders: { "p-asserted-identity": "<sip:+1@x>" } }, { strict: true }).ok, true);
});

test("channels is any integer from 1 up (spec: integer), not 1|2", () => {
  const recording = schemaOf("voice/recordingAvailable.schema.json").examples[0];
  for (const [channels, ok] of [[1, true], [2, true], [4, true], [0, false], [1.5, false], ["2", false]] as const) {
    assert.equal(validateVoiceCallback({ ...recording, channels }, { strict: true }).ok, ok, String(channels));
  }
});

test("endpoint tag and deviceName take any length (the spec's `maximum` on a string constrains nothing)", () => {
  const event = schemaOf("endpoint/device-connected.schema.json").examples.find((x: Record<string, unknown>) => x.device);
  const long = "t".repeat(5000);
  const result = validateEndpointEvent({ ...event, tag: long, device: { ...event.device, deviceName: long } }, { strict: true });
  assert.equal(result.ok, true, JSON.stringify(!result.ok && result.errors));
});

test("<Tag> is at most 256 characters after Bandwidth trims surrounding whitespace", () => {
  const doc = (text: string) => ({ name: "Response", attributes: {}, children: [{ name: "Tag", attributes: {}, children: [text] }] });
  assert.equal(validateBxml(doc(`\n    ${"a".repeat(256)}\n  `)).ok, true);
  assert.equal(validateBxml(doc(` ${"a".repeat(257)} `)).ok, false);
  // Only XML whitespace is trimmed: a no-break space is content and counts.
  assert.equal(validateBxml(doc(`\u00a0${"a".repeat(256)}`)).ok, false);
});

// Type level: the optional fields are `| undefined` for handlers.
export function typeLevel(
  a: AnswerCallback,
  r: RecordCompleteCallback,
  ra: RecordingAvailableCallback,
  cr: ConferenceRecordingAvailableCallback,
  ta: TranscriptionAvailableCallback,
  read: MessageReadCallback,
  failed: MessageFailedCallback,
  mfa: MfaMessageFailedCallback,
  d: DisconnectCallback,
  i: InitiateCallback,
): unknown[] {
  // @ts-expect-error answerTime may be absent
  const answerTime: string | null = a.answerTime;
  // @ts-expect-error mediaUrl may be absent (recordComplete)
  const m1: string | null = r.mediaUrl;
  // @ts-expect-error mediaUrl may be absent (recordingAvailable)
  const m2: string | null = ra.mediaUrl;
  // @ts-expect-error mediaUrl may be absent (conferenceRecordingAvailable)
  const m3: string | null = cr.mediaUrl;
  // @ts-expect-error mediaUrl may be absent (transcriptionAvailable)
  const m4: string | null = ta.mediaUrl;
  // @ts-expect-error eventTime may be absent on message-read
  const readAt: string = read.eventTime;
  // @ts-expect-error errorCode may be absent on message-failed
  const code: number = failed.errorCode;
  // @ts-expect-error errorCode may be absent on MFA message-failed
  const mfaCode: number = mfa.errorCode;
  const sip: number | null | undefined = d.sipResponseCode;
  const callId: string | null | undefined = d.sipCallId;
  const header: string | undefined = i.sipHeaders?.["x-customer-id"];
  return [answerTime, m1, m2, m3, m4, readAt, code, mfaCode, sip, callId, header];
}
