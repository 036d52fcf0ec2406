// parseBxml as a validator: realistic documents in every spelling Bandwidth's docs and SDKs produce are
// accepted; broken copies (unknown verbs, forbidden nesting, wrong attribute types/enums/ranges,
// wrong roots, not well-formed, DTDs, oversize) are rejected with element paths. One row per case.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseBxml, renderBxml, validateBxml } from "../generated/bxml/index.js";

const FIXTURES = join(import.meta.dirname, "fixtures", "bxml");
const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".xml"))
  .sort()
  .map((f) => ({ file: f, text: readFileSync(join(FIXTURES, f), "utf8") }));

test("every realistic fixture document is valid, with no warnings, even in strict mode", () => {
  assert.ok(fixtures.length >= 20);
  for (const { file, text } of fixtures) {
    const result = parseBxml(text, { strict: true });
    assert.ok(result.ok, `${file}: ${JSON.stringify(result.ok ? [] : result.errors)}`);
    assert.deepEqual(result.warnings, [], file);
    assert.ok(result.type === "Response" || result.type === "Bxml");
  }
});

test("render(parse(doc)) is equivalent to doc: it parses back to the same typed tree", () => {
  for (const { file, text } of fixtures) {
    const first = parseBxml(text);
    assert.ok(first.ok, file);
    const again = parseBxml(renderBxml(first.value));
    assert.ok(again.ok, file);
    assert.deepEqual(again.value, first.value, file);
  }
});

test("the typed tree carries typed attribute values and keeps SSML as nodes", () => {
  const result = parseBxml(readFileSync(join(FIXTURES, "ivr-menu.xml"), "utf8"));
  assert.ok(result.ok);
  const gather = result.value.children[0];
  assert.equal(gather.name, "Gather");
  assert.deepEqual(gather.attributes, {
    gatherUrl: "https://app.example.com/ivr/choice",
    maxDigits: 1,
    firstDigitTimeout: 10,
    interDigitTimeout: 2.5,
    terminatingDigits: "#",
    repeatCount: 3,
  });
  const ssml = parseBxml(readFileSync(join(FIXTURES, "ssml.xml"), "utf8"));
  assert.ok(ssml.ok);
  const speak = ssml.value.children[0];
  assert.equal(speak.name, "SpeakSentence");
  const names = speak.children.filter((c) => typeof c !== "string").map((c) => (c as { name: string }).name);
  assert.deepEqual(names, ["say-as", "break", "prosody", "p", "lang", "sub", "phoneme", "say-as"]);
});

type Row = [label: string, xml: string, path: string, message: RegExp];
const R = (body: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>`;

const invalid: Row[] = [
  // well-formedness and safety
  ["not well-formed: unclosed element", R("<Hangup>"), "", /not well-formed XML at line 1, column \d+: end tag <\/Response> does not match start tag <Hangup>/],
  ["not well-formed: truncated", '<?xml version="1.0"?><Response><SpeakSentence>Hi', "", /not well-formed XML.*not closed/],
  ["not well-formed: bare ampersand in text", R("<SpeakSentence>Press 1 & say yes</SpeakSentence>"), "", /"&" must start/],
  ["not well-formed: undefined entity (R&D;)", R("<SpeakSentence>R&D;</SpeakSentence>"), "", /undefined entity "&D;"/],
  ["DOCTYPE with an entity", '<?xml version="1.0"?><!DOCTYPE Response [<!ENTITY x "<Hangup/>">]><Response>&x;</Response>', "", /DOCTYPE declarations are not allowed/],
  ["external entity", '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Response/>', "", /DOCTYPE/],
  ["empty file", "", "", /no root element/],
  ["JSON instead of XML", '{"eventType":"answer"}', "", /text is not allowed before the root element/],
  ["forbidden control character", R("<SpeakSentence>a\u0001b</SpeakSentence>"), "", /U\+0001 is not allowed/],
  ["over 64 KB", R(`<SpeakSentence>${"a".repeat(65_536)}</SpeakSentence>`), "", /larger than 65536 bytes \(Bandwidth's BXML limit is 64 KB\)/],
  // roots
  ["wrong root", "<Request><Hangup/></Request>", "/Request", /root element must be <Response> or <Bxml>, not <Request>/],
  ["lower-case root", "<response/>", "/response", /root element must be/],
  ["verb as root", "<Hangup/>", "/Hangup", /root element must be/],
  ["root nested in a root", "<Bxml><Response><Hangup/></Response></Bxml>", "/Bxml/Response[1]", /<Response> is a root element and cannot be nested/],
  // elements and nesting
  ["unknown verb", R("<Hangup/><Dial>+15551234567</Dial>"), "/Response/Dial[1]", /<Dial> is not a BXML element/],
  ["wrong case verb", R("<hangup/>"), "/Response/hangup[1]", /is not a BXML element \(names are case-sensitive\)/],
  ["PhoneNumber directly in Response", R("<PhoneNumber>+15551234567</PhoneNumber>"), "/Response/PhoneNumber[1]", /<PhoneNumber> belongs in <Transfer>/],
  ["Gather inside Transfer", R("<Transfer><Gather/></Transfer>"), "/Response/Transfer[1]/Gather[1]", /<Gather> is not allowed inside <Transfer>; <Gather> belongs in <Response> or <Bxml>/],
  ["Hangup inside Gather", R("<Gather><Hangup/></Gather>"), "/Response/Gather[1]/Hangup[1]", /not allowed inside <Gather>/],
  ["SSML outside SpeakSentence", R("<break time=\"1s\"/>"), "/Response/break[1]", /<break> belongs in/],
  ["SSML tag not in the subset", R("<SpeakSentence>Hi <mark name=\"x\"/></SpeakSentence>"), "/Response/SpeakSentence[1]/mark[1]", /is not a BXML element/],
  ["element inside a text-only element", R("<Transfer><PhoneNumber><b>+15551234567</b></PhoneNumber></Transfer>"), "/Response/Transfer[1]/PhoneNumber[1]/b[1]", /\(text only\)/],
  ["text inside Response", R("hello<Hangup/>"), "/Response/text()", /text is not allowed in <Response>/],
  ["content in an empty verb", R("<Hangup>now</Hangup>"), "/Response/Hangup[1]/text()", /<Hangup> takes no content/],
  ["Transfer without destinations", R("<Transfer/>"), "/Response/Transfer[1]", /must contain 1 to 8 of <PhoneNumber>, <SipUri>, not 0/],
  ["Transfer with nine destinations", R(`<Transfer>${"<PhoneNumber>+15551234567</PhoneNumber>".repeat(9)}</Transfer>`), "/Response/Transfer[1]", /1 to 8 .* not 9/],
  ["Refer with two SipUris", R("<Refer><SipUri>sip:a@b.c</SipUri><SipUri>sip:d@e.f</SipUri></Refer>"), "/Response/Refer[1]", /exactly 1/],
  ["too many StreamParams", R(`<StartStream destination="wss://s.example.com">${'<StreamParam name="a" value="b"/>'.repeat(13)}</StartStream>`), "/Response/StartStream[1]", /at most 12/],
  ["Gather prompt limit", R(`<Gather repeatCount="11"><SpeakSentence>a</SpeakSentence><SpeakSentence>b</SpeakSentence></Gather>`), "/Response/Gather[1]", /repeatCount × number of prompts must not exceed 20 \(here 11 × 2 = 22\)/],
  // text content
  ["SpeakSentence without text", R("<SpeakSentence/>"), "/Response/SpeakSentence[1]", /needs content that is not blank/],
  ["blank SpeakSentence", R("<SpeakSentence>   </SpeakSentence>"), "/Response/SpeakSentence[1]", /not blank/],
  ["PhoneNumber that is not E.164", R("<Transfer><PhoneNumber>555-1234</PhoneNumber></Transfer>"), "/Response/Transfer[1]/PhoneNumber[1]/text()", /must be an E.164 phone number/],
  ["second PhoneNumber wrong", R("<Transfer><PhoneNumber>+15551234567</PhoneNumber><PhoneNumber>abc</PhoneNumber></Transfer>"), "/Response/Transfer[1]/PhoneNumber[2]/text()", /E.164/],
  ["SipUri without sip:", R("<Transfer><SipUri>agent@pbx.example.com</SipUri></Transfer>"), "/Response/Transfer[1]/SipUri[1]/text()", /must be a SIP URI/],
  ["Conference name in an attribute (python-sdk bug)", R('<Conference name="room1"/>'), "/Response/Conference[1]/text()", /text is required/],
  ["Conference name with spaces", R("<Conference>my room</Conference>"), "/Response/Conference[1]/text()", /conference name/],
  ["SendDtmf with letters", R("<SendDtmf>12x</SendDtmf>"), "/Response/SendDtmf[1]/text()", /DTMF characters/],
  ["SendDtmf too long", R(`<SendDtmf>${"1".repeat(51)}</SendDtmf>`), "/Response/SendDtmf[1]/text()", /1 to 50/],
  ["PlayAudio without URL", R("<PlayAudio/>"), "/Response/PlayAudio[1]/text()", /text is required/],
  ["Tag over 256 characters", R(`<Tag>${"t".repeat(257)}</Tag>`), "/Response/Tag[1]/text()", /at most 256 characters \(has 257\)/],
  ["Bridge without call id", R("<Bridge/>"), "/Response/Bridge[1]/text()", /text is required/],
  // attributes
  ["maxDigits out of range", R('<Gather maxDigits="0"/>'), "/Response/Gather[1]/@maxDigits", /^must be an integer from 1 to 50, not 0$/],
  ["maxDigits not a number", R('<Gather maxDigits="four"/>'), "/Response/Gather[1]/@maxDigits", /must be an integer from 1 to 50, not "four"/],
  ["maxDigits with a fraction", R('<Gather maxDigits="2.5"/>'), "/Response/Gather[1]/@maxDigits", /integer/],
  ["maxDigits with spaces", R('<Gather maxDigits=" 4"/>'), "/Response/Gather[1]/@maxDigits", /integer/],
  ["second Gather wrong", R('<Gather maxDigits="4"/><Gather maxDigits="51"/>'), "/Response/Gather[2]/@maxDigits", /from 1 to 50, not 51/],
  ["decimal below range", R('<Pause duration="0.05"/>'), "/Response/Pause[1]/@duration", /must be a number from 0.1 to 86400/],
  ["decimal not a number", R('<Ring duration="5s"/>'), "/Response/Ring[1]/@duration", /must be a number/],
  ["callTimeout above range", R('<Transfer callTimeout="301"><PhoneNumber>+15551234567</PhoneNumber></Transfer>'), "/Response/Transfer[1]/@callTimeout", /from 1 to 300/],
  ["python-style boolean", R('<Ring answerCall="True"/>'), "/Response/Ring[1]/@answerCall", /must be "true" or "false" in lower case, not "True" \(python-sdk/],
  ["boolean as a number", R('<StopStream name="s" wait="1"/>'), "/Response/StopStream[1]/@wait", /must be "true" or "false", not "1"/],
  ["method in lower case", R('<Redirect redirectUrl="/r" redirectMethod="post"/>'), "/Response/Redirect[1]/@redirectMethod", /one of "GET", "POST", not "post"/],
  ["enum value unknown", R('<Record fileFormat="ogg"/>'), "/Response/Record[1]/@fileFormat", /one of "wav", "mp3"/],
  ["tracks not in the enum", R('<StartStream destination="wss://s" tracks="all"/>'), "/Response/StartStream[1]/@tracks", /inbound/],
  ["tag over 256 characters", R(`<Hangup/><Redirect redirectUrl="/r" tag="${"t".repeat(300)}"/>`), "/Response/Redirect[1]/@tag", /at most 256 characters \(has 300\)/],
  ["missing required attribute", R("<Redirect/>"), "/Response/Redirect[1]/@redirectUrl", /is required on <Redirect>/],
  ["missing required destination", R("<StartStream/>"), "/Response/StartStream[1]/@destination", /is required/],
  ["StreamParam without value", R('<StartStream destination="wss://s"><StreamParam name="a"/></StartStream>'), "/Response/StartStream[1]/StreamParam[1]/@value", /is required/],
  ["caller id not E.164", R('<Transfer transferCallerId="555-1234"><PhoneNumber>+15551234567</PhoneNumber></Transfer>'), "/Response/Transfer[1]/@transferCallerId", /E.164 number .* or one of Restricted/],
  ["Forward to nowhere", R('<Forward to="frontdesk"/>'), "/Response/Forward[1]/@to", /E.164 number .* or a SIP URI/],
  ["say-as date without format", R('<SpeakSentence><say-as interpret-as="date">1/2/2026</say-as></SpeakSentence>'), "/Response/SpeakSentence[1]/say-as[1]/@format", /required when interpret-as is "date"/],
  ["break longer than 10 s", R('<SpeakSentence>a<break time="12s"/></SpeakSentence>'), "/Response/SpeakSentence[1]/break[1]/@time", /at most 10s/],
  ["lang not in the list", R('<SpeakSentence><lang xml:lang="xx-YY">hi</lang></SpeakSentence>'), "/Response/SpeakSentence[1]/lang[1]/@xml:lang", /must be one of/],
];

for (const [label, xml, path, message] of invalid) {
  test(`rejects: ${label}`, () => {
    const result = parseBxml(xml);
    assert.equal(result.ok, false, `${label} was accepted`);
    if (result.ok) return;
    const match = result.errors.find((e) => e.path === path && message.test(e.message));
    assert.ok(match, `expected ${path}: ${message}, got ${JSON.stringify(result.errors)}`);
  });
}

test("unknown attributes are warnings (Bandwidth ignores them), with a spelling hint; errors in strict mode", () => {
  const xml = R('<Bridge bridgeTargetCompleteFallback_url="/x">c-1</Bridge><Conference calbackTimeout="5">room</Conference><StartStream destination="wss://s" destination_username="u"/>');
  const lenient = parseBxml(xml);
  assert.ok(lenient.ok);
  assert.deepEqual(
    lenient.warnings.map((w) => w.path),
    ["/Response/Bridge[1]/@bridgeTargetCompleteFallback_url", "/Response/Conference[1]/@calbackTimeout", "/Response/StartStream[1]/@destination_username"],
  );
  assert.match(lenient.warnings[0].message, /did you mean "bridgeTargetCompleteFallbackUrl"\?/);
  assert.match(lenient.warnings[1].message, /did you mean "callbackTimeout"\?/);
  assert.match(lenient.warnings[2].message, /did you mean "destinationUsername"\?/);
  // unknown attributes are left out of the typed tree, so it renders cleanly
  assert.deepEqual(lenient.value.children[0].attributes, {});
  assert.doesNotMatch(lenient.value.toXml(), /_url|calback|destination_username/);
  const strict = parseBxml(xml, { strict: true });
  assert.equal(strict.ok, false);
  if (!strict.ok) assert.equal(strict.errors.length, 3);
});

test("an unknown attribute is a warning in lenient mode and an error in strict mode on every element alike, <SipUri> inside <Refer> too (Bandwidth's Java SDK writes them)", () => {
  const xml = R('<Refer><SipUri transferAnswerUrl="/a" uui="abc">sip:a@b.c</SipUri></Refer>');
  const lenient = parseBxml(xml);
  assert.ok(lenient.ok, JSON.stringify(!lenient.ok && lenient.errors));
  assert.deepEqual(lenient.warnings.map((w) => w.path), ["/Response/Refer[1]/SipUri[1]/@transferAnswerUrl", "/Response/Refer[1]/SipUri[1]/@uui"]);
  assert.match(lenient.warnings[0].message, /unknown attribute on <SipUri>: Bandwidth ignores attributes it does not know/);
  const strict = parseBxml(xml, { strict: true });
  assert.equal(strict.ok, false);
  if (!strict.ok) assert.deepEqual(strict.errors.map((e) => e.path), ["/Response/Refer[1]/SipUri[1]/@transferAnswerUrl", "/Response/Refer[1]/SipUri[1]/@uui"]);
  // the JSON form, checked by validateBxml, follows the same rule
  const json = { name: "Response", attributes: {}, children: [{ name: "Refer", attributes: {}, children: [{ name: "SipUri", attributes: { uui: "abc" }, children: ["sip:a@b.c"] }] }] };
  const checked = validateBxml(json);
  assert.ok(checked.ok, JSON.stringify(checked));
  assert.deepEqual(checked.warnings.map((w) => w.path), ["/Response/Refer[1]/SipUri[1]/@uui"]);
  assert.equal(validateBxml(json, { strict: true }).ok, false);
});

test("scopes: conference BXML allows only six verbs; transferAnswer BXML excludes Transfer and friends", () => {
  const conference = parseBxml(R("<SpeakSentence>Welcome</SpeakSentence><StartRecording/><Gather/>"), { scope: "conference" });
  assert.equal(conference.ok, false);
  if (!conference.ok) assert.deepEqual(conference.errors.map((e) => e.path), ["/Response/Gather[1]"]);
  assert.ok(parseBxml(R("<PlayAudio>/a.wav</PlayAudio><StopRecording/>"), { scope: "conference" }).ok);
  const answer = parseBxml(R('<SpeakSentence>Hi</SpeakSentence><Transfer><PhoneNumber>+15551234567</PhoneNumber></Transfer>'), { scope: "transferAnswer" });
  assert.equal(answer.ok, false);
  if (!answer.ok) assert.match(answer.errors[0].message, /<Transfer> is not allowed in transferAnswer BXML/);
});

test("SSML escaped as text (java-sdk) is valid text but gets a warning", () => {
  const result = parseBxml(R('<SpeakSentence>Hello &lt;break time="1s"/&gt; world</SpeakSentence>'));
  assert.ok(result.ok);
  assert.equal(result.warnings.length, 1);
  assert.equal(result.warnings[0].path, "/Response/SpeakSentence[1]/text()");
  assert.match(result.warnings[0].message, /read as text, not SSML/);
  assert.deepEqual(result.value.children[0].children, ['Hello <break time="1s"/> world']);
});

test("phone numbers without the leading + (as some SDK tests write them) are accepted; garbage is not", () => {
  assert.ok(parseBxml(R('<Forward to="19195554321" from="19195554322"/><Transfer transferCallerId="19195550000"><PhoneNumber>19195551234</PhoneNumber></Transfer>')).ok);
  assert.equal(parseBxml(R('<Forward to="call-me"/>')).ok, false);
});

test("malformed input of any kind is a result, never an exception", () => {
  for (const input of ["<", "<Response", "<<<>>>", "\u0000", "<Response a='1' a='2'/>", "<?xml?>", "]]>", new Uint8Array([0xff, 0xfe])]) {
    const result = parseBxml(input);
    assert.equal(result.ok, false);
  }
});

test("byte input is decoded as UTF-8 and the 64 KB limit counts bytes", () => {
  const text = R(`<SpeakSentence>${"é".repeat(30_000)}</SpeakSentence>`); // 60 000 bytes of é
  assert.ok(parseBxml(new TextEncoder().encode(text)).ok);
  const over = R(`<SpeakSentence>${"é".repeat(33_000)}</SpeakSentence>`); // < 65 536 characters, > 65 536 bytes
  assert.ok(over.length < 65_536);
  assert.equal(parseBxml(over).ok, false);
});
