// Injection: no string given to the builder — as text, attribute value, URL, attribute name or element
// name — can create an element or an attribute, or break well-formedness. Each adversarial string is
// tried in every place; the output either parses back to exactly the tree that was built, or rendering
// refuses with BxmlRenderError. Never anything else.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Bxml as SdkBxml } from "bandwidth-sdk";
import {
  BxmlRenderError,
  Gather,
  Hangup,
  parseBxml,
  PhoneNumber,
  PlayAudio,
  Redirect,
  renderBxml,
  Response,
  SpeakSentence,
  ssml,
  ssmlMarkup,
  StartStream,
  StreamParam,
  Tag,
  Transfer,
  type BxmlDocument,
} from "../generated/bxml/index.js";
import { parseXml, type XmlElement } from "../generated/runtime/xml/parser.js";

const ADVERSARIAL: string[] = [
  "</SpeakSentence><Transfer><PhoneNumber>+15550000000</PhoneNumber></Transfer><SpeakSentence>",
  "<Transfer><PhoneNumber>+15550000000</PhoneNumber></Transfer>",
  "&lt;Transfer&gt;&lt;PhoneNumber&gt;+15550000000&lt;/PhoneNumber&gt;&lt;/Transfer&gt;",
  "&lt;b&gt;",
  "R&D;",
  "Press 1 & say \"yes\" <now>",
  "]]>",
  "<![CDATA[</SpeakSentence>]]>",
  '" injected="1',
  "' injected='1",
  '"/><Hangup/><X a="',
  "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>",
  "&e;",
  "&#x3C;Hangup/&#x3E;",
  "<?xml version=\"1.0\"?>",
  "<!-- -->",
  "a\u0000b",
  "\u0007bell",
  "\u001b[31m",
  "lone \uD800 high",
  "lone \uDC00 low",
  "\uFFFE\uFFFF",
  "tab\tnew\nline\r\ncr\r",
  "\u2028\u2029\u0085",
  "emoji 😀 and é",
  "<break time=\"10s\"/>",
  "x".repeat(40_000),
  "&".repeat(5_000),
];

/** Count elements and attributes in a parsed document. */
function shape(element: XmlElement): { elements: number; attributes: number } {
  let elements = 1;
  let attributes = Object.keys(element.attributes).length;
  for (const child of element.children) {
    const s = shape(child);
    elements += s.elements;
    attributes += s.attributes;
  }
  return { elements, attributes };
}

/** Builders that put one string into one place. */
const PLACES: Array<[string, (s: string) => BxmlDocument, { elements: number; attributes: number }]> = [
  ["SpeakSentence text", (s) => Response(SpeakSentence(s)), { elements: 2, attributes: 0 }],
  ["SpeakSentence text inside Gather", (s) => Response(Gather({ gatherUrl: "/g" }, SpeakSentence(s))), { elements: 3, attributes: 1 }],
  ["SSML text", (s) => Response(SpeakSentence(["a ", ssml.emphasis(s), " b"])), { elements: 3, attributes: 0 }],
  ["SSML attribute", (s) => Response(SpeakSentence([ssml.sub("W3C", { alias: s })])), { elements: 3, attributes: 1 }],
  ["PlayAudio URL", (s) => Response(PlayAudio(s)), { elements: 2, attributes: 0 }],
  ["PlayAudio credentials", (s) => Response(PlayAudio("/a.wav", { username: s, password: s })), { elements: 2, attributes: 2 }],
  ["Gather URL", (s) => Response(Gather({ gatherUrl: s, maxDigits: 2 })), { elements: 2, attributes: 2 }],
  ["Redirect URL and tag", (s) => Response(Redirect({ redirectUrl: s, tag: s.slice(0, 256) })), { elements: 2, attributes: 2 }],
  ["Tag text", (s) => Response(Tag(s.slice(0, 256))), { elements: 2, attributes: 0 }],
  ["PhoneNumber text", (s) => Response(Transfer(PhoneNumber(s))), { elements: 3, attributes: 0 }],
  ["PhoneNumber uui", (s) => Response(Transfer(PhoneNumber("+15551234567", { uui: s.slice(0, 350) }))), { elements: 3, attributes: 1 }],
  ["StreamParam value", (s) => Response(StartStream({ destination: "wss://s.example.com" }, StreamParam({ name: "n", value: s.slice(0, 2048) }))), { elements: 3, attributes: 3 }],
];

function checkPlace(label: string, build: (s: string) => BxmlDocument, expected: { elements: number; attributes: number }, input: string): void {
  let doc: BxmlDocument;
  let xml: string;
  try {
    doc = build(input);
    xml = doc.toXml();
  } catch (error) {
    assert.ok(error instanceof BxmlRenderError, `${label}: unexpected ${String(error)}`);
    assert.ok(error.issues.length > 0 && error.issues.every((i) => i.path.startsWith("/Response")), `${label}: ${error.message}`);
    return;
  }
  const tree = parseXml(xml); // well-formed, or this throws
  assert.deepEqual(shape(tree), expected, `${label}: ${JSON.stringify(input).slice(0, 80)} changed the document's shape`);
  const parsed = parseBxml(xml, { strict: true });
  assert.ok(parsed.ok, `${label}: ${JSON.stringify(parsed.ok ? [] : parsed.errors)}`);
  assert.deepEqual(parsed.value, doc, `${label}: the string did not come back unchanged`);
}

for (const [label, build, expected] of PLACES) {
  test(`injection: adversarial strings as ${label}`, () => {
    for (const input of ADVERSARIAL) checkPlace(label, build, expected, input);
  });
}

test("injection, property: arbitrary strings in every place never change the document's shape", () => {
  const unit = fc.oneof(
    fc.constantFrom("<", ">", "&", ";", '"', "'", "/", "=", "!", "?", "[", "]", "-", "#", "x", "\u0000", "\uD800", "\uDC00", "\r", "\n", " "),
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  );
  fc.assert(
    fc.property(fc.constantFrom(...PLACES), fc.string({ unit, maxLength: 40 }), ([label, build, expected], input) => checkPlace(label, build, expected, input)),
    { numRuns: 3000 },
  );
});

test("forbidden characters are refused with the path, or removed when asked; never emitted", () => {
  const doc = Response(Gather({ gatherUrl: "/g\u0001" }, SpeakSentence("ok")), SpeakSentence("bad\uD800"));
  assert.throws(() => doc.toXml(), (error: unknown) => {
    assert.ok(error instanceof BxmlRenderError);
    assert.equal(error.issues[0].path, "/Response/Gather[1]/@gatherUrl");
    assert.match(error.issues[0].message, /U\+0001 at index 2 cannot be written in XML 1\.0/);
    return true;
  });
  const cleaned = doc.toXml({ invalidChars: "remove" });
  assert.equal(cleaned, '<?xml version="1.0" encoding="UTF-8"?><Response><Gather gatherUrl="/g"><SpeakSentence>ok</SpeakSentence></Gather><SpeakSentence>bad</SpeakSentence></Response>');
});

test("JavaScript callers cannot smuggle names: unknown element names, attribute names and value types are refused", () => {
  const cases: Array<[string, unknown]> = [
    ["element name with markup", { name: "Response", attributes: {}, children: [{ name: 'Hangup/><Transfer', attributes: {}, children: [] }] }],
    ["attribute name with markup", { name: "Response", attributes: {}, children: [{ name: "Pause", attributes: { 'duration="1" x': 1 }, children: [] }] }],
    ["unknown attribute", { name: "Response", attributes: {}, children: [{ name: "Hangup", attributes: { onload: "x" }, children: [] }] }],
    ["attribute on the root", { name: "Response", attributes: { xmlns: "http://evil" }, children: [] }],
    ["object as attribute value", { name: "Response", attributes: {}, children: [{ name: "Pause", attributes: { duration: { toString: () => '1"/><Transfer' } }, children: [] }] }],
    ["NaN", { name: "Response", attributes: {}, children: [{ name: "Pause", attributes: { duration: Number.NaN }, children: [] }] }],
    ["Infinity", { name: "Response", attributes: {}, children: [{ name: "Ring", attributes: { duration: Number.POSITIVE_INFINITY }, children: [] }] }],
    ["object as text", { name: "Response", attributes: {}, children: [{ name: "PlayAudio", attributes: {}, children: [{ toString: () => "</PlayAudio>" }] }] }],
    ["unknown root", { name: "Transfer", attributes: {}, children: [] }],
    ["null child", { name: "Response", attributes: {}, children: [null] }],
    ["element in text-only element", { name: "Response", attributes: {}, children: [{ name: "PlayAudio", attributes: {}, children: [{ name: "Hangup", attributes: {}, children: [] }] }] }],
  ];
  const cyclic: { name: string; attributes: object; children: unknown[] } = { name: "emphasis", attributes: {}, children: ["bad\u0000"] };
  cyclic.children.push(cyclic);
  cases.push(["a cyclic tree", { name: "Response", attributes: {}, children: [{ name: "SpeakSentence", attributes: {}, children: [cyclic] }] }]);
  for (const [label, tree] of cases) {
    assert.throws(() => renderBxml(tree as never), BxmlRenderError, label);
  }
});

test("prototype pollution does not add attributes", () => {
  const proto = Object.prototype as Record<string, unknown>;
  proto.gatherUrl = "https://evil.example.com";
  try {
    assert.equal(Response(Gather()).toXml(), '<?xml version="1.0" encoding="UTF-8"?><Response><Gather/></Response>');
  } finally {
    delete proto.gatherUrl;
  }
});

test("SSML only through typed nodes or the validated ssmlMarkup entry point", () => {
  // text that looks like SSML stays text
  const asText = Response(SpeakSentence('Hello <break time="1s"/>')).toXml();
  assert.match(asText, /Hello &lt;break time=&quot;1s&quot;\/&gt;/);
  // the explicit entry point parses real SSML and validates it
  const asSsml = Response(SpeakSentence(ssmlMarkup('Hello <break time="1s"/>'))).toXml();
  assert.match(asSsml, /<SpeakSentence>Hello <break time="1s"\/><\/SpeakSentence>/);
  // and cannot be used to leave SpeakSentence or to add verbs
  for (const markup of [
    "</SpeakSentence><Transfer><PhoneNumber>+15550000000</PhoneNumber></Transfer><SpeakSentence>",
    "<Transfer><PhoneNumber>+15550000000</PhoneNumber></Transfer>",
    "<break time=\"1s\" onload=\"x\"/>",
    "<!DOCTYPE x>",
    "&xxe;",
    "<speak>hi</speak>",
    "<break time=\"20s\"/>",
  ]) {
    assert.throws(() => ssmlMarkup(markup), BxmlRenderError, markup);
  }
});

test("contrast: bandwidth-sdk's regex un-escaping lets the same text create a live <Transfer>; ours does not", () => {
  const attack = "Hi <Transfer><PhoneNumber>+15550000000</PhoneNumber></Transfer>";
  const sdkXml = new SdkBxml.Response(new SdkBxml.SpeakSentence(attack)).toBxml();
  const sdkTree = parseXml(sdkXml);
  assert.equal(sdkTree.children[0].children[0]?.name, "Transfer", "the SDK output should show the known flaw (pinned 8.1.4)");
  const ours = parseXml(Response(SpeakSentence(attack)).toXml());
  assert.equal(ours.children[0].children.length, 0);
  assert.equal(ours.children[0].text, attack);
  // and the SDK produces XML that is not well-formed for ordinary text, where ours is fine
  const text = 'Press 1 & say "yes" <now>';
  assert.throws(() => parseXml(new SdkBxml.Response(new SdkBxml.SpeakSentence(text)).toBxml()));
  assert.equal(parseXml(Response(SpeakSentence(text)).toXml()).children[0].text, text);
});

test("the tree from parseBxml re-renders safely even when the source used entities and CDATA", () => {
  const parsed = parseBxml("<Response><SpeakSentence>&lt;Transfer&gt;<![CDATA[<Hangup/>]]></SpeakSentence><Hangup/></Response>");
  assert.ok(parsed.ok);
  const xml = parsed.value.toXml();
  assert.equal(shape(parseXml(xml)).elements, 3);
  assert.match(xml, /<SpeakSentence>&lt;Transfer&gt;&lt;Hangup\/&gt;<\/SpeakSentence><Hangup\/>/);
  void Hangup;
});
