// Type-level tests for the generated BXML builder: this file must compile (`tsc --noEmit` runs in
// `npm test`), and every line marked @ts-expect-error must be a compile error, proving the types
// enforce nesting rules, required attributes and attribute types.
import {
  Bxml,
  Conference,
  Connect,
  Endpoint,
  Forward,
  Gather,
  Hangup,
  Pause,
  PhoneNumber,
  PlayAudio,
  Record,
  Redirect,
  Refer,
  ReferSipUri,
  Response,
  Ring,
  SipUri,
  SpeakSentence,
  ssml,
  ssmlMarkup,
  StartGather,
  StartStream,
  StartTranscription,
  CustomParam,
  StopStream,
  StreamParam,
  Tag,
  Transfer,
  parseBxml,
  type BxmlDocument,
  type GatherElement,
  type ResponseDocument,
  type VoiceBxmlReply,
} from "../../generated/bxml/index.js";

// ---- what must compile
export const typical: ResponseDocument = Response(
  Gather({ gatherUrl: "/g", maxDigits: 4, terminatingDigits: "#" }, SpeakSentence('Press 1 & say "yes"'), PlayAudio("/beep.wav")),
  Transfer({ transferCallerId: "+15550000000", callTimeout: 15.5 }, PhoneNumber("+15551234567"), SipUri("sip:a@b.example.com", { uui: "x;encoding=base64" })),
  Hangup(),
);
export const noAttributes = Response(Gather(SpeakSentence("Hi")), Transfer(PhoneNumber("+15551234567")), Pause(), Tag(), Tag("vip"));
export const bxmlRoot: BxmlDocument<"Bxml"> = Bxml(Pause({ duration: 2 }), Redirect({ redirectUrl: "/next", redirectMethod: "GET" }));
export const withSsml = SpeakSentence(["Code ", ssml.sayAs("A7Q", { "interpret-as": "characters" }), ssml.break({ time: "1s" }), ssml.p([ssml.s("One."), ssml.s("Two.")])], { voice: "julie" });
export const customVoice = SpeakSentence("Hi", { voice: "some-new-voice", locale: "en_US" }); // open enumerations accept new names
export const markup = SpeakSentence(ssmlMarkup('Hi <break time="1s"/>'));
export const streams = StartStream({ destination: "wss://s.example.com", tracks: "both" }, StreamParam({ name: "a", value: "b" }));
export const transcription = StartTranscription({ name: "t" }, CustomParam({ name: "a", value: "b" }));
export const connect = Connect({ eventCallbackUrl: "/e" }, Endpoint("ep-1"));
export const refer = Refer({ referCompleteUrl: "/r" }, ReferSipUri("sip:a@b"));
export const booleans = [Ring({ answerCall: false }), StopStream({ name: "s", wait: true }), Record({ transcribe: true, fileFormat: "mp3" })];
export const reply: VoiceBxmlReply = Math.random() > 0.5 ? typical : "<Response/>";
export const jsonForm: GatherElement = { name: "Gather", attributes: { maxDigits: 3 }, children: [{ name: "SpeakSentence", attributes: {}, children: ["Hi"] }] };
const parsed = parseBxml("<Response/>");
if (parsed.ok) {
  const first = parsed.value.children[0];
  if (first?.name === "Gather") {
    const digits: number | undefined = first.attributes.maxDigits; // the parsed tree is typed per element
    void digits;
  }
}

// ---- forbidden nesting
// @ts-expect-error a Response cannot hold a PhoneNumber
Response(PhoneNumber("+15551234567"));
// @ts-expect-error Transfer takes only PhoneNumber / SipUri
Transfer(Gather());
// @ts-expect-error Transfer takes only PhoneNumber / SipUri (with attributes too)
Transfer({ callTimeout: 10 }, SpeakSentence("hi"));
// @ts-expect-error Transfer needs at least one destination
Transfer();
// @ts-expect-error Gather takes only its audio verbs
Gather({ maxDigits: 1 }, Hangup());
// @ts-expect-error Gather cannot nest Gather
Gather(Gather());
// @ts-expect-error SSML is not a verb
Response(ssml.break({ time: "1s" }));
// @ts-expect-error a verb is not SSML content
SpeakSentence(["Hi", Hangup()]);
// @ts-expect-error StartStream takes StreamParam, not CustomParam
StartStream({ destination: "wss://s" }, CustomParam({ name: "a", value: "b" }));
// @ts-expect-error Refer takes the URI-only SipUri, not the Transfer one with attributes
Refer({}, SipUri("sip:a@b", { transferAnswerUrl: "/a" }));
// @ts-expect-error Refer takes exactly one SipUri
Refer({}, ReferSipUri("sip:a@b"), ReferSipUri("sip:c@d"));
// @ts-expect-error Connect takes Endpoint children
Connect({}, PhoneNumber("+15551234567"));
// @ts-expect-error s cannot contain p
ssml.s([ssml.p("x")]);

// ---- wrong attribute types, unknown attributes, missing required attributes
// @ts-expect-error maxDigits is a number, not a string
Gather({ maxDigits: "4" });
// @ts-expect-error gatherMethod is GET or POST
Gather({ gatherMethod: "post" });
// @ts-expect-error answerCall is a boolean, not the python-style string
Ring({ answerCall: "True" });
// @ts-expect-error unknown attribute
Gather({ gatherURL: "/g" });
// @ts-expect-error redirectUrl is required
Redirect({});
// @ts-expect-error Redirect needs its attributes
Redirect();
// @ts-expect-error dtmfUrl is required
StartGather({ dtmfMethod: "POST" });
// @ts-expect-error StartStream needs destination
StartStream({ name: "s" });
// @ts-expect-error Forward needs to
Forward({ from: "+15551234567" });
// @ts-expect-error text content is a string
PhoneNumber(15551234567);
// @ts-expect-error Conference name is text content, not an attribute (python-sdk bug)
Conference({ name: "room" });
// @ts-expect-error fileFormat is wav or mp3
Record({ fileFormat: "ogg" });
// @ts-expect-error say-as needs interpret-as
ssml.sayAs("A7Q", {});
// @ts-expect-error SpeakSentence content is text or SSML nodes, not a number
SpeakSentence(42);
// @ts-expect-error a handler reply is a built document or a string
export const wrongReply: VoiceBxmlReply = { toXml: () => "<Response/>" };

// ---- voice handlers return built documents (or strings)
import type { VoiceHandlers } from "../../generated/index.js";
export const voiceHandlers: VoiceHandlers = {
  answer: () => Response(SpeakSentence("Welcome"), Redirect({ redirectUrl: "/menu" })),
  gather: async (event) => (event.digits === "1" ? Response(Transfer(PhoneNumber("+15551234567"))) : "<Response><Hangup/></Response>"),
  conferenceCreated: () => undefined,
};
export const objectReply: VoiceHandlers = {
  // @ts-expect-error any object with toXml is not a BXML document: use the builder
  answer: () => ({ toXml: () => "<Response/>" }),
};
