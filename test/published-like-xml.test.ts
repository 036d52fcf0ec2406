// Documents shaped like the BXML and numbers XML Bandwidth publishes (docs pages and its SDKs' unit tests:
// every verb and nested element, the SSML tags, the XML declarations of each SDK, pretty-printed and
// compact forms; order, port-in, disconnect, e911, tnoption, port-out and MESSAGING_LOST notifications
// and a port-out validation request), written in our own words and values. Each must be valid through
// the real CLI; a broken copy of each (unknown verb, forbidden nesting, wrong types, wrong root, not
// well-formed, XXE …) must fail at the element path that is wrong.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonLines, REPO_ROOT, runCli } from "./support/cli.js";

const BXML_DIR = join(REPO_ROOT, "test", "fixtures", "published-like", "bxml");
const NUMBERS_DIR = join(REPO_ROOT, "test", "fixtures", "published-like", "numbers");
const xmlFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".xml")).sort().map((f) => join(dir, f));

/** Validate many files in one CLI run; returns the result line of each file by base name. */
function validate(kind: string, files: string[], extra: string[] = []): Map<string, Record<string, any>> {
  const run = runCli(["validate", "--json", "--kind", kind, ...extra, ...files]);
  assert.ok(run.status === 0 || run.status === 1, `exit ${run.status}: ${run.stderr}`);
  const lines = jsonLines(run.stdout);
  assert.equal(lines.length, files.length, run.stdout);
  return new Map(lines.map((line) => [String(line.file).split(/[\\/]/).pop() as string, line]));
}

test("every published-like BXML document is valid, without warnings, as bxml and as auto", () => {
  const files = xmlFiles(BXML_DIR);
  assert.ok(files.length >= 20, "fixtures are present");
  for (const kind of ["bxml", "auto"]) {
    for (const [name, line] of validate(kind, files)) {
      assert.deepEqual(line.errors, [], `${kind} ${name}: ${JSON.stringify(line.errors)}`);
      assert.equal(line.valid, true, name);
      assert.equal(line.kind, "bxml", name);
      assert.equal(line.warnings, undefined, `${name}: ${JSON.stringify(line.warnings)}`);
    }
  }
});

test("the same documents pass --strict (no attribute in them is unknown)", () => {
  for (const [name, line] of validate("bxml", xmlFiles(BXML_DIR), ["--strict"])) assert.equal(line.valid, true, `${name}: ${JSON.stringify(line.errors)}`);
});

const NUMBERS_TYPES: Record<string, string> = {
  "disconnect.xml": "disconnects",
  "e911.xml": "e911s",
  "lsr-order.xml": "lsrorders",
  "messaging-lost.xml": "MESSAGING_LOST",
  "order-complete.xml": "orders",
  "port-out-validation.xml": "PortOutValidationRequest",
  "portin-exception.xml": "portins",
  "portin-foc.xml": "portins",
  "portin-note.xml": "portins",
  "portout-complete.xml": "portouts",
  "tnoptions.xml": "tnoptions",
};

test("every published-like numbers document is valid as numbers and as auto, with its type", () => {
  const files = xmlFiles(NUMBERS_DIR);
  assert.deepEqual(files.map((f) => f.split(/[\\/]/).pop()).sort(), Object.keys(NUMBERS_TYPES).sort());
  for (const kind of ["numbers", "auto"]) {
    for (const [name, line] of validate(kind, files)) {
      assert.deepEqual(line.errors, [], `${kind} ${name}: ${JSON.stringify(line.errors)}`);
      assert.equal(line.valid, true, name);
      assert.equal(line.kind, "numbers", name);
      assert.equal(line.type, NUMBERS_TYPES[name], name);
    }
  }
});

test("documents that Bandwidth or its SDKs publish in these forms are accepted", () => {
  const dir = mkdtempSync(join(tmpdir(), "bw-published-like-"));
  try {
    const cases: Record<string, string> = {
      // node-sdk's SendDtmf unit test writes tone lengths of 5 ms (below the documented 50)
      "short-tones.xml": '<Response><SendDtmf toneDuration="5" toneInterval="5">1234</SendDtmf></Response>',
      // an integer attribute written as an integral decimal (JAXB style)
      "integral-decimal.xml": '<Bxml><Gather maxDigits="4.0" repeatCount="2.0"><PlayAudio>/a.wav</PlayAudio></Gather></Bxml>',
      // say-as values of the TTS engine (Amazon Polly) beyond Bandwidth's six, and its compact date format
      "polly-say-as.xml":
        '<Response><SpeakSentence>Code <say-as interpret-as="digits">4821</say-as>, <say-as interpret-as="spell-out">bw</say-as>, ' +
        '<say-as interpret-as="date" format="yyyymmdd">20270314</say-as>, <prosody rate="+10%">faster</prosody></SpeakSentence></Response>',
    };
    const files = Object.entries(cases).map(([name, xml]) => {
      writeFileSync(join(dir, name), xml);
      return join(dir, name);
    });
    for (const [name, line] of validate("bxml", files)) assert.equal(line.valid, true, `${name}: ${JSON.stringify(line.errors)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("old and SDK-misspelled attribute names are accepted with a warning that names the right one", () => {
  const dir = mkdtempSync(join(tmpdir(), "bw-published-like-"));
  try {
    const cases: Record<string, [string, string, RegExp]> = {
      // the 2023 docs spell the conference timeout calbackTimeout
      "old-name.xml": ['<Response><Conference calbackTimeout="5">room-2</Conference></Response>', "/Response/Conference[1]/@calbackTimeout", /did you mean "callbackTimeout"/],
      // python-sdk's serializer writes bridgeTargetCompleteFallback_url
      "sdk-spelling.xml": [
        '<Response><Bridge bridgeTargetCompleteFallback_url="https://backup.example.org/t">c-1a2b3c4d-5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9</Bridge></Response>',
        "/Response/Bridge[1]/@bridgeTargetCompleteFallback_url",
        /did you mean "bridgeTargetCompleteFallbackUrl"/,
      ],
    };
    const files = Object.entries(cases).map(([name, [xml]]) => {
      writeFileSync(join(dir, name), xml);
      return join(dir, name);
    });
    for (const [name, line] of validate("bxml", files)) {
      const [, path, message] = cases[name];
      assert.equal(line.valid, true, `${name}: ${JSON.stringify(line.errors)}`);
      assert.ok((line.warnings as string[]).some((w) => w.startsWith(`${path}: `) && message.test(w)), `${name}: ${JSON.stringify(line.warnings)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

interface BrokenCopy {
  /** what is wrong, for the failure message */
  what: string;
  /** fixture the copy is made from */
  from: string;
  /** text to replace in it (must occur) and its replacement */
  find: string | RegExp;
  replace: string;
  /** the error path expected, and what its message must say */
  path: string;
  message: RegExp;
}

const XXE = '<!DOCTYPE Response [<!ENTITY secret SYSTEM "file:///etc/passwd">]>';

const BXML_BROKEN: BrokenCopy[] = [
  { what: "unknown verb", from: "bridge.xml", find: /SpeakSentence/g, replace: "Speak", path: "/Response/Speak[1]", message: /not a BXML element/ },
  { what: "verb name in the wrong case", from: "redirect-and-tag.xml", find: "<Redirect ", replace: "<redirect ", path: "/Response/redirect[1]", message: /not a BXML element \(names are case-sensitive\)/ },
  { what: "verb nested in Gather", from: "gather-speak.xml", find: "<PlayAudio>https://media.example.org/prompts/hold-music.mp3</PlayAudio>", replace: '<Pause duration="1"/>', path: "/Response/Gather[1]/Pause[1]", message: /not allowed inside <Gather>/ },
  { what: "Gather inside Gather", from: "gather-repeat.xml", find: "</Gather>", replace: "<Gather/></Gather>", path: "/Response/Gather[1]/Gather[1]", message: /not allowed inside <Gather>/ },
  { what: "PhoneNumber outside Transfer", from: "transfer.xml", find: "<SpeakSentence>Transferring your call now.</SpeakSentence>", replace: "<PhoneNumber>+14045550100</PhoneNumber>", path: "/Response/PhoneNumber[1]", message: /belongs in <Transfer>/ },
  { what: "PhoneNumber inside Refer", from: "refer.xml", find: "<SipUri>sip:agent-42@contact-center.example.net</SipUri>", replace: "<PhoneNumber>+14045550100</PhoneNumber>", path: "/Response/Refer[1]/PhoneNumber[1]", message: /not allowed inside <Refer>/ },
  { what: "verb inside SpeakSentence", from: "ssml.xml", find: '<break strength="strong"/>', replace: '<Pause duration="1"/>', path: "/Response/SpeakSentence[1]/Pause[1]", message: /not allowed inside <SpeakSentence>/ },
  { what: "maxDigits not a number", from: "gather-speak.xml", find: 'maxDigits="1"', replace: 'maxDigits="one"', path: "/Response/Gather[1]/@maxDigits", message: /integer from 1 to 50/ },
  { what: "maxDigits out of range", from: "gather-speak.xml", find: 'maxDigits="1"', replace: 'maxDigits="51"', path: "/Response/Gather[1]/@maxDigits", message: /integer from 1 to 50, not 51/ },
  { what: "maxDigits a fraction", from: "java-style.xml", find: 'maxDigits="4"', replace: 'maxDigits="4.5"', path: "/Bxml/Gather[1]/@maxDigits", message: /integer/ },
  { what: "boolean spelled yes", from: "ring-pause-dtmf.xml", find: 'answerCall="false"', replace: 'answerCall="no"', path: "/Response/Ring[1]/@answerCall", message: /"true" or "false"/ },
  { what: "Python-style boolean", from: "recording-control.xml", find: 'multiChannel="true"', replace: 'multiChannel="True"', path: "/Response/StartRecording[1]/@multiChannel", message: /lower case/ },
  { what: "decimal that is text", from: "forward.xml", find: 'callTimeout="12.5"', replace: 'callTimeout="12.5s"', path: "/Response/Forward[1]/@callTimeout", message: /number from 1 to 300/ },
  { what: "unknown file format", from: "voicemail.xml", find: 'fileFormat="mp3"', replace: 'fileFormat="ogg"', path: "/Response/Record[1]/@fileFormat", message: /"wav", "mp3"/ },
  { what: "unknown track", from: "stream.xml", find: 'tracks="both"', replace: 'tracks="all"', path: "/Response/StartStream[1]/@tracks", message: /"inbound", "outbound", "both"/ },
  { what: "missing required destination", from: "stream.xml", find: ' destination="wss://stream.example.org/audio"', replace: "", path: "/Response/StartStream[1]/@destination", message: /required/ },
  { what: "missing required dtmfUrl", from: "csharp-style.xml", find: ' dtmfUrl="https://voice.example.org/dtmf"', replace: "", path: "/Response/StartGather[1]/@dtmfUrl", message: /required/ },
  { what: "negative tone length", from: "ring-pause-dtmf.xml", find: 'toneDuration="120"', replace: 'toneDuration="-120"', path: "/Response/SendDtmf[1]/@toneDuration", message: /number from 0 to 5000/ },
  { what: "DTMF text with a letter", from: "ring-pause-dtmf.xml", find: "1w2W3,4*#Ad", replace: "1x2", path: "/Response/SendDtmf[1]/text()", message: /DTMF characters/ },
  { what: "phone number that is not E.164", from: "transfer.xml", find: "+14045550188", replace: "call-me", path: "/Response/Transfer[1]/PhoneNumber[1]/text()", message: /E\.164/ },
  { what: "SIP URI without sip:", from: "transfer.xml", find: "sip:desk-7@pbx.example.net;transport=tls", replace: "desk-7@pbx.example.net", path: "/Response/Transfer[1]/SipUri[1]/text()", message: /SIP URI/ },
  { what: "Forward to something else", from: "forward.xml", find: 'to="+13035550142"', replace: 'to="front desk"', path: "/Response/Forward[1]/@to", message: /E\.164 number .* or a SIP URI/ },
  { what: "conference name with spaces", from: "conference.xml", find: "weekly_standup-room.3", replace: "weekly standup!", path: "/Response/Conference[1]/text()", message: /conference name/ },
  { what: "tag over 256 characters", from: "redirect-and-tag.xml", find: 'tag="step-2"', replace: `tag="${"t".repeat(257)}"`, path: "/Response/Redirect[1]/@tag", message: /at most 256 characters/ },
  { what: "Endpoint replaced by PhoneNumber", from: "connect.xml", find: "<Endpoint>ep-7c1d2e3f-40a5-4b6c</Endpoint>", replace: "<PhoneNumber>+15555550100</PhoneNumber>", path: "/Response/Connect[1]/PhoneNumber[1]", message: /not allowed inside <Connect>/ },
  { what: "unknown say-as interpretation", from: "ssml.xml", find: 'interpret-as="cardinal"', replace: 'interpret-as="banana"', path: "/Response/SpeakSentence[1]/say-as[1]/@interpret-as", message: /must be one of/ },
  { what: "break longer than 10 s", from: "ssml.xml", find: 'time="750ms"', replace: 'time="12s"', path: "/Response/SpeakSentence[1]/break[2]/@time", message: /at most 10s/ },
  { what: "language that is not listed", from: "ssml.xml", find: 'xml:lang="es-MX"', replace: 'xml:lang="es_MX"', path: "/Response/SpeakSentence[1]/lang[1]/@xml:lang", message: /must be one of/ },
  { what: "text directly in the root", from: "empty-bxml.xml", find: "<Bxml></Bxml>", replace: "<Bxml>hang up please</Bxml>", path: "/Bxml/text()", message: /text is not allowed/ },
  { what: "wrong root", from: "ring-pause-dtmf.xml", find: /Response>/g, replace: "Reply>", path: "/Reply", message: /root element must be <Response> or <Bxml>/ },
  { what: "root nested in a root", from: "java-style.xml", find: "<Pause ", replace: "<Response/><Pause ", path: "/Bxml/Response[1]", message: /root element and cannot be nested/ },
  { what: "not well-formed (unclosed)", from: "transfer.xml", find: "</Transfer>", replace: "", path: "", message: /not well-formed/ },
  { what: "not well-formed (raw ampersand)", from: "bridge.xml", find: "Please hold", replace: "Please hold & wait", path: "", message: /not well-formed.*&amp;/ },
  { what: "XXE", from: "ssml.xml", find: "<Response>", replace: `${XXE}<Response>`, path: "", message: /DOCTYPE declarations are not allowed/ },
];

const NUMBERS_BROKEN: BrokenCopy[] = [
  { what: "order without Status", from: "order-complete.xml", find: "<Status>COMPLETE</Status>", replace: "", path: "/Status", message: /required/ },
  { what: "FOC date that is not a date", from: "portin-foc.xml", find: "2026-06-01T14:00:00.000Z", replace: "next Monday", path: "/ActualFocDate", message: /ISO 8601/ },
  { what: "unknown order type", from: "tnoptions.xml", find: "<OrderType>tnoptions</OrderType>", replace: "<OrderType>tn-options</OrderType>", path: "/OrderType", message: /unknown numbers event type/ },
  { what: "PIN with a symbol (Bandwidth: alphanumeric)", from: "port-out-validation.xml", find: "<Pin>0427</Pin>", replace: "<Pin>04-AB</Pin>", path: "/Pin", message: /letters and digits/ },
  { what: "port-out request without its numbers", from: "port-out-validation.xml", find: /<TelephoneNumbers>[\s\S]*<\/TelephoneNumbers>/, replace: "", path: "/TelephoneNumbers", message: /is required in <PortOutValidationRequest>/ },
  { what: "PON over 25 characters", from: "port-out-validation.xml", find: "PO-2026-0415", replace: "PO-2026-0415-0000000000000", path: "/PON", message: /25/ },
  { what: "wrong root", from: "disconnect.xml", find: /Notification>/g, replace: "Notice>", path: "", message: /root element <Notice> is not a numbers notification/ },
  { what: "not well-formed", from: "e911.xml", find: "</Notification>", replace: "", path: "", message: /not accepted as XML/ },
  { what: "XXE", from: "messaging-lost.xml", find: "<Notification>", replace: `${XXE.replace("Response", "Notification")}<Notification>`, path: "", message: /DOCTYPE declarations are not allowed/ },
];

function checkBroken(kind: string, dir: string, copies: BrokenCopy[]): void {
  const tmp = mkdtempSync(join(tmpdir(), "bw-published-broken-"));
  try {
    const files = copies.map((copy, i) => {
      const original = readFileSync(join(dir, copy.from), "utf8");
      const broken = original.replace(copy.find, copy.replace);
      assert.notEqual(broken, original, `${copy.what}: the text to replace is in ${copy.from}`);
      const file = join(tmp, `broken-${i}.xml`);
      writeFileSync(file, broken);
      return file;
    });
    const results = validate(kind, files);
    copies.forEach((copy, i) => {
      const line = results.get(`broken-${i}.xml`) as Record<string, any>;
      assert.equal(line.valid, false, `${copy.what} was accepted`);
      const at = line.errors.filter((e: { path: string }) => e.path === copy.path);
      assert.ok(at.length > 0, `${copy.what}: no error at ${copy.path}: ${JSON.stringify(line.errors)}`);
      assert.ok(at.some((e: { message: string }) => copy.message.test(e.message)), `${copy.what}: ${JSON.stringify(at)}`);
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

test("a broken copy of each BXML document fails at the element path that is wrong", () => {
  checkBroken("bxml", BXML_DIR, BXML_BROKEN);
});

test("a broken copy of each numbers document fails at the path that is wrong", () => {
  checkBroken("numbers", NUMBERS_DIR, NUMBERS_BROKEN);
});

test("broken BXML is also refused by --kind auto", () => {
  checkBroken("auto", BXML_DIR, BXML_BROKEN.filter((c) => c.what !== "wrong root"));
});
