// The capture's redaction skips its phone-number expression (PHONE_TEXT) on a text its precheck
// (`mayHoldPhone`) says cannot hold a number, to spare the expression on times, words and enum values. The
// precheck must never say "no" to a text the expression matches: over every national and E.164 shape, glued
// to letters, digits, blanks and punctuation, and over seeded random texts of the characters that matter,
// whenever PHONE_TEXT finds a match, mayHoldPhone says yes. (And it does say no to a time, or it spares nothing.)
import assert from "node:assert/strict";
import { test } from "node:test";
import { mayHoldPhone, PHONE_TEXT } from "../generated/runtime/capture/redact.js";
import { random } from "./support/random.js";


const matches = (text: string): boolean => {
  PHONE_TEXT.lastIndex = 0;
  const found = PHONE_TEXT.test(text);
  PHONE_TEXT.lastIndex = 0;
  return found;
};

test("the phone precheck says yes to every text the phone expression matches", () => {
  const shapes = ["+19195550100", "+442071838750", "+1234567", "9195550100", "19195550100", "919-555-0100", "1-919-555-0100", "(919) 555-0100", "(919)555-0100", "1 (919) 555 0100", "919.555.0100", "1 919 555 0100", "(919)\u00a0555-0100", "(919)\t555.0100"];
  const glue = ["", " ", "a", "_", "1", "+", "-", ".", "(", ")", ":", "/", "T", "\u00a0", "é", "+1", "x-", ") "];
  let checked = 0;
  for (const shape of shapes) {
    for (const before of glue) {
      for (const after of glue) {
        const text = `${before}${shape}${after}`;
        if (matches(text)) {
          checked++;
          assert.ok(mayHoldPhone(text), `missed: ${JSON.stringify(text)}`);
        }
      }
    }
  }
  const next = random(28);
  const alphabet = "0123456789012345678923456789+-. ()\t\u00a0aZ_:T1";
  for (let i = 0; i < 200_000; i++) {
    let text = "";
    const length = 8 + Math.floor(next() * 18);
    for (let j = 0; j < length; j++) text += alphabet[Math.floor(next() * alphabet.length)];
    if (matches(text)) {
      checked++;
      assert.ok(mayHoldPhone(text), `missed: ${JSON.stringify(text)}`);
    }
  }
  assert.ok(checked > 1000, `only ${checked} texts held a number: the test checks too little`);
  assert.equal(mayHoldPhone("2026-12-05T09:53:54.123Z"), false, "a time is not a number: the precheck spares nothing");
});
