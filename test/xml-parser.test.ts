// Tests for the project's XML parser and escaping helpers (templates/runtime/xml/parser.ts, escape.ts): well-formedness
// rules with positions, DTD/entity rejection, limits, a differential test against fast-xml-parser and
// property tests (escape → parse gives the string back; arbitrary input never crashes the parser).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { parseXml, XmlParseError, type XmlElement } from "../templates/runtime/xml/parser.js";
import { escapeXmlText, escapeXmlAttribute, XmlCharacterError } from "../templates/runtime/xml/escape.js";

test("accepts the three XML declaration spellings, none, a BOM, comments and processing instructions", () => {
  const bodies = [
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response/>',
    "<?xml version='1.0' encoding='UTF-8'?><Response/>",
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<Response></Response>',
    "<Response/>",
    "\uFEFF<?xml version=\"1.0\"?><Response/>",
    "<!-- before --><?pi data?>\n<Response><!-- inside --><?pi?></Response>\n<!-- after -->\n",
  ];
  for (const body of bodies) {
    const root = parseXml(body);
    assert.equal(root.name, "Response", body);
    assert.deepEqual(root.children, [], body);
  }
});

test("builds the element tree: names, attributes, children, mixed nodes and text", () => {
  const root = parseXml(
    '<Response>\n  <SpeakSentence voice="julie">Hi &amp; <break time="1s"/> <![CDATA[<raw>]]>&#x41;&#66;</SpeakSentence>\n</Response>',
  );
  const speak = root.children[0];
  assert.equal(speak.name, "SpeakSentence");
  assert.deepEqual(speak.attributes, { voice: "julie" });
  assert.equal(speak.nodes.length, 3);
  assert.equal(speak.nodes[0], "Hi & ");
  assert.equal((speak.nodes[1] as XmlElement).name, "break");
  assert.equal(speak.nodes[2], " <raw>AB");
  assert.equal(speak.text, "Hi &  <raw>AB");
  assert.deepEqual(root.nodes[0], "\n  ");
  assert.equal(root.text, "\n  \n");
});

test("normalises line ends in text and whitespace in attribute values, keeping character references", () => {
  const root = parseXml('<a x="1\t2\r\n3&#9;4&#10;5&#13;">l1\r\nl2\rl3&#13;</a>');
  assert.equal(root.attributes.x, "1 2 3\t4\n5\r");
  assert.equal(root.text, "l1\nl2\nl3\r");
});

test("an attribute named __proto__ is an ordinary attribute", () => {
  const root = parseXml('<a __proto__="x" b="y"/>');
  assert.equal(Object.getPrototypeOf(root.attributes), Object.prototype);
  assert.deepEqual(Object.keys(root.attributes), ["__proto__", "b"]);
  assert.equal(root.attributes["__proto__"], "x");
});

const malformed: Array<[string, string, RegExp]> = [
  ["empty document", "", /1:1: document has no root element/],
  ["DOCTYPE", '<?xml version="1.0"?>\n<!DOCTYPE Response>\n<Response/>', /2:1: DOCTYPE/],
  ["entity declaration (billion laughs)", '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><lolz>&lol2;</lolz>', /DOCTYPE/],
  ["external entity (XXE)", '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>', /DOCTYPE/],
  ["DOCTYPE inside content", "<r><!DOCTYPE r></r>", /1:4: DOCTYPE/],
  ["undefined entity", "<r>R&D;</r>", /1:5: undefined entity "&D;"/],
  ["bare ampersand", "<r>R & D</r>", /1:6: "&" must start/],
  ["reference to a forbidden char", "<r>&#x1;</r>", /forbids/],
  ["reference to a surrogate", "<r>&#xD800;</r>", /forbids/],
  ["reference beyond Unicode", "<r>&#x110000;</r>", /forbids/],
  ["malformed char reference", "<r>&#x;</r>", /malformed character reference/],
  ["raw control character", "<r>a\u0007b</r>", /1:5: character U\+0007/],
  ["lone surrogate", "<r>\uD800</r>", /character U\+D800/],
  ["U+FFFF", "<r>\uFFFF</r>", /character U\+FFFF/],
  ["mismatched end tag", "<r>\n  <a></b>\n</r>", /2:6: end tag <\/b> does not match/],
  ["unclosed root", "<r><a/>", /<r> is not closed/],
  ["two roots", "<r/><r/>", /only one root/],
  ["text before root", "hello<r/>", /text is not allowed before/],
  ["text after root", "<r/>x", /text is not allowed after/],
  ["duplicate attribute", '<r a="1" a="2"/>', /duplicate attribute "a"/],
  ["unquoted attribute", "<r a=1/>", /must be quoted/],
  ["< in attribute", '<r a="<b>"/>', /"<" is not allowed in attribute values/],
  ["missing space between attributes", '<r a="1"b="2"/>', /expected whitespace/],
  ["]]> in text", "<r>a]]>b</r>", /"]]>" is not allowed in text/],
  ["unterminated comment", "<r><!-- x</r>", /unterminated comment/],
  ["-- in comment", "<r><!-- a -- b --></r>", /"--" is not allowed/],
  ["late XML declaration", '<r><?xml version="1.0"?></r>', /only allowed at the very start/],
  ["XML 1.1", '<?xml version="1.1"?><r/>', /unsupported XML version/],
  ["bad standalone", '<?xml version="1.0" standalone="maybe"?><r/>', /standalone/],
  ["bad element name", "<1r/>", /expected element name/],
  ["unterminated CDATA", "<r><![CDATA[x</r>", /unterminated CDATA/],
  ["unterminated start tag", '<r a="1"', /unterminated|must be quoted/],
];

for (const [label, input, expected] of malformed) {
  test(`rejects malformed input: ${label}`, () => {
    assert.throws(() => parseXml(input), (error: unknown) => {
      assert.ok(error instanceof XmlParseError, `expected XmlParseError, got ${String(error)}`);
      assert.match(error.message, expected);
      return true;
    });
  });
}

test("enforces the size limit in UTF-8 bytes, for strings and byte arrays", () => {
  const doc = `<r>${"é".repeat(40)}</r>`; // 47 UTF-16 units, 87 bytes
  assert.equal(parseXml(doc, { maxBytes: 87 }).name, "r");
  assert.throws(() => parseXml(doc, { maxBytes: 86 }), /larger than 86 bytes/);
  const bytes = new TextEncoder().encode(doc);
  assert.equal(parseXml(bytes, { maxBytes: 87 }).text, "é".repeat(40));
  assert.throws(() => parseXml(bytes, { maxBytes: 86 }), /larger than 86 bytes/);
});

test("decodes byte input strictly as UTF-8", () => {
  assert.throws(() => parseXml(new Uint8Array([0x3c, 0x72, 0x3e, 0xff, 0x3c, 0x2f, 0x72, 0x3e])), /not valid UTF-8/);
  assert.throws(() => parseXml(new TextEncoder().encode('<?xml version="1.0" encoding="ISO-8859-1"?><r/>')), /only UTF-8/);
});

test("enforces the depth limit", () => {
  const deep = (n: number) => "<a>".repeat(n) + "</a>".repeat(n);
  assert.equal(parseXml(deep(10), { maxDepth: 10 }).name, "a");
  assert.throws(() => parseXml(deep(11), { maxDepth: 10 }), /nested deeper than 10/);
  // the default limit protects against very deep documents without a stack overflow
  assert.throws(() => parseXml(deep(100_000), { maxBytes: 10_000_000 }), XmlParseError);
});

test("escaping: markup characters, quotes and line-end characters", () => {
  assert.equal(escapeXmlText("plain"), "plain");
  assert.equal(escapeXmlText('Press 1 & say "yes" <now>'), "Press 1 &amp; say &quot;yes&quot; &lt;now&gt;");
  assert.equal(escapeXmlText("a\r\nb\tc"), "a&#13;\nb\tc");
  assert.equal(escapeXmlAttribute("a\r\nb\tc'"), "a&#13;&#10;b&#9;c&apos;");
  assert.equal(escapeXmlText("emoji 😀 ok"), "emoji 😀 ok");
});

test("escaping: forbidden characters throw a clear error or are removed on request", () => {
  assert.throws(() => escapeXmlText("a\u0000b"), (error: unknown) => {
    assert.ok(error instanceof XmlCharacterError);
    assert.equal(error.index, 1);
    assert.match(error.message, /U\+0000 at index 1 cannot be written in XML 1\.0/);
    return true;
  });
  assert.throws(() => escapeXmlAttribute("x\uDC00"), XmlCharacterError);
  assert.equal(escapeXmlText("a\u0000b\uD800c\uFFFEd<", "remove"), "abcd&lt;");
});

/** A random element tree that fast-xml-parser and our parser should read identically. */
const nameArb = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9._-]{0,8}$/);
const textArb = fc.string({ unit: fc.constantFrom("a", "b", " ", "&", "<", ">", '"', "'", "é", "😀", "]", "\n", "\t"), maxLength: 12 });
interface TreeNode {
  name: string;
  attributes: Record<string, string>;
  nodes: Array<TreeNode | string>;
}
const treeArb: fc.Arbitrary<TreeNode> = fc.letrec<{ node: TreeNode }>((tie) => ({
  node: fc.record({
    name: nameArb,
    attributes: fc.dictionary(nameArb, fc.string({ unit: fc.constantFrom("a", " ", "&", "<", ">", '"', "'", "é"), maxLength: 8 }), {
      maxKeys: 3,
    }),
    nodes: fc.array(fc.oneof({ depthSize: "small", withCrossShrink: true }, textArb, tie("node")), { maxLength: 4 }),
  }),
})).node;

function render(node: TreeNode): string {
  const attrs = Object.entries(node.attributes)
    .map(([k, v]) => ` ${k}="${escapeXmlAttribute(v)}"`)
    .join("");
  if (node.nodes.length === 0) return `<${node.name}${attrs}/>`;
  return `<${node.name}${attrs}>${node.nodes.map((n) => (typeof n === "string" ? escapeXmlText(n) : render(n))).join("")}</${node.name}>`;
}

/** Our tree, with adjacent text merged and empty text dropped, in fast-xml-parser's preserveOrder shape. */
function normaliseTree(node: TreeNode): unknown {
  const merged: unknown[] = [];
  let pending = "";
  for (const n of node.nodes) {
    if (typeof n === "string") pending += n;
    else {
      if (pending !== "") merged.push({ "#text": pending });
      pending = "";
      merged.push(normaliseTree(n));
    }
  }
  if (pending !== "") merged.push({ "#text": pending });
  const out: Record<string, unknown> = { [node.name]: merged };
  if (Object.keys(node.attributes).length > 0) out[":@"] = { ...node.attributes };
  return out;
}

function fromParsed(element: XmlElement): unknown {
  return normaliseTree({ name: element.name, attributes: element.attributes, nodes: element.nodes.map((n) => (typeof n === "string" ? n : (fromParsedNode(n) as TreeNode))) });
}
function fromParsedNode(element: XmlElement): TreeNode {
  return { name: element.name, attributes: element.attributes, nodes: element.nodes.map((n) => (typeof n === "string" ? n : fromParsedNode(n))) };
}

test("differential: reads random documents exactly as fast-xml-parser does", () => {
  const reference = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: true,
    htmlEntities: false,
    allowBooleanAttributes: false,
  });
  fc.assert(
    fc.property(treeArb, (tree) => {
      // fast-xml-parser keeps tab/LF/CR in attribute values raw; keep those out of attributes here
      const xml = render(tree);
      const ours = fromParsed(parseXml(xml));
      const theirs = reference.parse(xml)[0];
      assert.deepEqual(ours, theirs);
      assert.deepEqual(ours, normaliseTree(tree));
    }),
    { numRuns: 500 },
  );
});

test("property: escaped text and attribute values parse back to the same string", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 40 }), (value) => {
      let text: string;
      let attr: string;
      try {
        text = escapeXmlText(value);
        attr = escapeXmlAttribute(value);
      } catch (error) {
        assert.ok(error instanceof XmlCharacterError);
        return; // the string holds a character XML cannot carry: refused, never emitted
      }
      const root = parseXml(`<r a="${attr}" b='${attr}'>${text}</r>`);
      assert.equal(root.text, value);
      assert.equal(root.attributes.a, value);
      assert.equal(root.attributes.b, value);
      assert.equal(root.children.length, 0);
    }),
    { numRuns: 2000 },
  );
});

test("fuzz: arbitrary input and mutated documents either parse or throw XmlParseError", () => {
  const seed = '<?xml version="1.0"?>\n<Response><Gather maxDigits="3"><SpeakSentence>A &amp; B<break time="1s"/></SpeakSentence></Gather><!--c--><![CDATA[x]]></Response>';
  const pieces = fc.constantFrom("<", ">", "&", ";", "/", "=", '"', "'", "!", "?", "-", "[", "]", "<!--", "-->", "<![CDATA[", "]]>", "&#", "x", "\u0000", "\uD800", " ");
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 60 }), fc.nat(seed.length), fc.nat(8), fc.array(pieces, { maxLength: 4 }), (noise, at, cut, inserts) => {
      for (const input of [noise, seed.slice(0, at) + inserts.join("") + seed.slice(at + cut)]) {
        try {
          const root = parseXml(input);
          assert.equal(typeof root.name, "string");
        } catch (error) {
          assert.ok(error instanceof XmlParseError, `unexpected ${String(error)} for ${JSON.stringify(input)}`);
          assert.ok(error.line >= 1 && error.column >= 1);
        }
      }
    }),
    { numRuns: 3000 },
  );
});

test("differential: never accepts a mutated document that fast-xml-parser's validator rejects (ours is stricter)", () => {
  const seed = '<?xml version="1.0"?>\n<Response><Gather maxDigits="3" a=\'x\'><SpeakSentence>A &amp; B<break time="1s"/></SpeakSentence></Gather><!--c--><Hangup/></Response>';
  const pieces = fc.constantFrom("<", ">", "&", ";", "/", "=", '"', "'", "!", "?", "-", "<!--", "-->", "&amp;", "&#x41;", "x", " ", "<a>", "</a>", "<b/>", "&lt;");
  fc.assert(
    fc.property(fc.nat(seed.length), fc.nat(6), fc.array(pieces, { maxLength: 3 }), (at, cut, inserts) => {
      const input = seed.slice(0, at) + inserts.join("") + seed.slice(at + cut);
      if (XMLValidator.validate(input) === true) return;
      assert.throws(() => parseXml(input), XmlParseError, `accepted what fast-xml-parser rejects: ${JSON.stringify(input)}`);
    }),
    { numRuns: 5000 },
  );
  // and some documents fast-xml-parser lets through that are not well-formed XML 1.0
  for (const input of ['<?xml ver="1.0"?><r/>', "<r>&undefined;</r>", "<r>\u0001</r>"]) {
    assert.throws(() => parseXml(input), XmlParseError, input);
  }
});
