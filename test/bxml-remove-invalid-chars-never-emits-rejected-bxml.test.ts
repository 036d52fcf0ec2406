// toXml({ invalidChars: "remove" }) drops the characters XML 1.0 cannot carry and then checks what is left:
// it either returns a document our own parser accepts, or refuses with a BxmlRenderError naming the element.
// Never a document parseBxml rejects (e.g. SpeakSentence("\ud83d") used to render as an empty, invalid
// <SpeakSentence></SpeakSentence>).
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  BxmlRenderError,
  Gather,
  parseBxml,
  PhoneNumber,
  PlayAudio,
  Response,
  SpeakSentence,
  Tag,
  Transfer,
  type BxmlDocument,
} from "../generated/bxml/index.js";

test("a text that is only invalid characters is refused with the element's path, not rendered empty", () => {
  for (const [doc, path] of [
    [Response(SpeakSentence("\ud83d")), "/Response/SpeakSentence[1]"],
    [Response(SpeakSentence("\u0000\u0001")), "/Response/SpeakSentence[1]"],
    [Response(PlayAudio("\udc00")), "/Response/PlayAudio[1]"],
    [Response(Transfer({}, PhoneNumber("\uffff"))), "/Response/Transfer[1]/PhoneNumber[1]"],
  ] as const) {
    assert.throws(
      () => doc.toXml({ invalidChars: "remove" }),
      (error: unknown) => error instanceof BxmlRenderError && error.issues.some((issue) => issue.path.startsWith(path)),
    );
  }
});

test("removal that leaves valid content renders it, and the parser accepts the result", () => {
  const xml = Response(SpeakSentence("Hel\u0000lo \ud83d\ude00 w\ud800orld"), Tag("a\u0007b")).toXml({ invalidChars: "remove" });
  assert.equal(xml, '<?xml version="1.0" encoding="UTF-8"?><Response><SpeakSentence>Hello \ud83d\ude00 world</SpeakSentence><Tag>ab</Tag></Response>');
  assert.equal(parseBxml(xml).ok, true);
});

test("the default policy still refuses invalid characters", () => {
  assert.throws(() => Response(SpeakSentence("a\ud83d")).toXml(), BxmlRenderError);
});

const piece = fc.constantFrom("a", " ", "1", "+", "\ud83d", "\ude00", "\ud83d\ude00", "\u0000", "\u0008", "\u000b", "\ufffe", "\uffff", "\t", "\n", "&", "<");
const text = fc.array(piece, { minLength: 0, maxLength: 6 }).map((parts) => parts.join(""));

test("property: with invalidChars 'remove' the output always parses, or rendering throws BxmlRenderError", () => {
  fc.assert(
    fc.property(text, text, text, (speak, tag, url) => {
      const docs: BxmlDocument[] = [
        Response(SpeakSentence(speak)),
        Response(Tag(tag), PlayAudio(url)),
        Response(Gather({ gatherUrl: url, maxDigits: 1 }, SpeakSentence(speak))),
        Response(Transfer({ transferCallerId: tag }, PhoneNumber(`+1555${speak}`))),
      ];
      for (const doc of docs) {
        let xml: string;
        try {
          xml = doc.toXml({ invalidChars: "remove" });
        } catch (error) {
          assert.ok(error instanceof BxmlRenderError, String(error));
          continue;
        }
        const parsed = parseBxml(xml);
        assert.equal(parsed.ok, true, `${JSON.stringify(xml)} was emitted but the parser rejects it`);
      }
    }),
    { numRuns: 2000, seed: 16 },
  );
});
