// The `media` fast path (templates/runtime/sockets/fast-media.ts) never disagrees with the slow path it
// stands in for (`JSON.parse` + the generated validator + a strict base64 decode): for each frame it
// either declines (undefined: the slow path judges) or returns exactly what the slow path would. Fixed
// tricky frames plus generated ones (fast-check, seeded on failure).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { decodeBase64Portable } from "../generated/runtime/audio/base64.js";
import { decodeBase64Range, decodeMediaPayload, readMediaFast } from "../generated/runtime/sockets/fast-media.js";
import { validateStreamMessage } from "../generated/validators/stream.js";

const B64 = Buffer.from(Uint8Array.from({ length: 160 }, (_, i) => (i * 31) & 0xff)).toString("base64");

/** What the slow path makes of a frame: a media frame, or why not. */
function slow(text: string): { track: string; audio: number[] | "bad-base64"; sequenceNumber: unknown } | "not-media" {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "not-media";
  }
  const result = validateStreamMessage(value);
  if (!result.ok || result.type !== "media") return "not-media";
  const m = value as { track: string; payload: string; sequenceNumber?: unknown };
  let audio: number[] | "bad-base64";
  try {
    audio = [...decodeBase64Portable(m.payload)];
  } catch {
    audio = "bad-base64";
  }
  return { track: m.track, audio, sequenceNumber: m.sequenceNumber };
}

function agree(text: string): boolean {
  const fast = readMediaFast(text);
  if (fast === undefined) return true; // declined: the slow path decides
  const expected = slow(text);
  assert.notEqual(expected, "not-media", `fast path took a frame the validator refuses: ${text.slice(0, 120)}`);
  assert.deepEqual({ track: fast.track, audio: [...fast.audio], sequenceNumber: fast.sequenceNumber }, expected, text.slice(0, 120));
  return true;
}

const FRAMES: string[] = [
  `{"eventType":"media","track":"inbound","payload":"${B64}"}`,
  `{"track":"inbound","payload":"${B64}","eventType":"media","sequenceNumber":"17"}`,
  `{"eventType":"media","track":"outbound","payload":"${B64}","sequenceNumber":17}`,
  ` { "eventType" : "media" , "track" : "inbound" , "payload" : "${B64}" } `,
  `{"eventType":"media","track":"inbound","payload":"${B64}","extra":true,"more":null,"n":-1.5e3}`,
  `{"eventType":"media","track":"inbound","payload":"${B64}","sequenceNumber":1.5}`,
  `{"eventType":"media","track":"inbound","payload":"${B64}","sequenceNumber":true}`,
  `{"eventType":"media","track":"inbound","payload":"${B64}","sequenceNumber":null}`,
  `{"eventType":"media","track":"inbound","payload":"${B64}","nested":{"a":1}}`,
  `{"eventType":"media","track":"in\\u0062ound","payload":"${B64}"}`,
  `{"eventType":"media","track":1,"payload":"${B64}"}`,
  `{"eventType":"media","track":"inbound","payload":42}`,
  `{"eventType":"media","track":"inbound"}`,
  `{"eventType":"media","payload":"${B64}"}`,
  `{"eventType":"start","track":"inbound","payload":"${B64}"}`,
  `{"eventType":"media","eventType":"stop","track":"inbound","payload":"${B64}"}`,
  `{"eventType":"stop","eventType":"media","track":"inbound","payload":"${B64}"}`,
  `{"eventType":"media","track":"inbound","payload":"${B64}"} trailing`,
  `{"eventType":"media","track":"inbound","payload":"${B64}",}`,
  `{"eventType":"media","track":"inbound","payload":"${B64}"`,
  `{"eventType":"media","track":"inbound","payload":"not*base64"}`,
  `{"eventType":"media","track":"inbound","payload":"QUJD="}`,
  `{"eventType":"media","track":"inbound","payload":"QUI="}`,
  `{"eventType":"media","track":"inbound","payload":"QUI"}`,
  `{"eventType":"media","track":"inbound","payload":"Q"}`,
  `{"eventType":"media","track":"inbound","payload":""}`,
  `{"eventType":"media","track":"inbound","payload":"QU=I"}`,
  `{"eventType":"media","track":"inbound","payload":"QUJDé==="}`,
  `{"eventType":"media","track":"inbound","payload":"${B64}","x":tru}`,
  `{"eventType":"media","track":"inbound","payload":"${B64}","x":01}`,
  `["media"]`,
  `{}`,
  ``,
];

describe("the media fast path", () => {
  it("agrees with JSON.parse + validateStreamMessage + a strict base64 decode on tricky frames", () => {
    for (const text of FRAMES) agree(text);
    assert.ok(readMediaFast(FRAMES[0]) !== undefined, "the plain frame takes the fast path");
    assert.ok(readMediaFast(FRAMES[1]) !== undefined && readMediaFast(FRAMES[2]) !== undefined && readMediaFast(FRAMES[3]) !== undefined);
  });

  it("agrees on generated frames (keys in any order, extra fields, odd values)", () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.base64String(), fc.constant("media"));
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("eventType", "track", "payload", "sequenceNumber", "x", "y"), value),
        fc.constantFrom("", " ", "\n"),
        (object, space) => agree(JSON.stringify(object, null, space === "" ? undefined : space)),
      ),
      { numRuns: 2000 },
    );
  });

  for (const [name, decode] of [
    ["the portable range decoder", decodeBase64Range],
    ["the media payload decoder (the host's Buffer made strict, where there is one)", decodeMediaPayload],
  ] as const) {
    it(`${name} decodes like the strict portable decoder, or refuses where it throws`, () => {
      const alphabet = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n*é".split(""));
      fc.assert(
        fc.property(fc.oneof(fc.base64String(), fc.string(), fc.string({ unit: alphabet })), (text) => {
          let expected: number[] | undefined;
          try {
            expected = [...decodeBase64Portable(text)];
          } catch {
            expected = undefined;
          }
          const got = decode(`"${text}"`, 1, text.length + 1);
          assert.deepEqual(got === undefined ? undefined : [...got], expected, JSON.stringify(text));
        }),
        { numRuns: 5000 },
      );
    });
  }
});
