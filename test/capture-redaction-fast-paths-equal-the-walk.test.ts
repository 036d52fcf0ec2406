// The capture writer thread's redaction has fast paths (its own HMAC-SHA256; per-capture caches of field
// kinds, pseudonyms, national numbers and URLs; compact JSON redacted in one pass, json-pass.ts) that must
// never change what is stored. Two oracles inside the code itself, over the published-like corpus, the leak
// corpus (test/fixtures/capture-leak: national numbers, SIP user names, credentials in every form) and a
// seeded fuzzed corpus (every kind of field, SIP Identity PASSporTs well-formed or not, e-mail addresses,
// stirShaken / diversion / business contact containers, credentials as strings, numbers and objects, kept subtrees
// holding credentials, national shapes, SIP URIs, URLs with user info and credential parameters, numbers
// sent as JSON numbers, <Gather> digits, escapes, odd number spellings, XML, form and plain bodies, bytes
// that are not UTF-8, a byte-order mark): (1) a compact JSON body redacted in one pass gives the same text
// and the same replaced pairs, in the same order, as the same value spelled with blanks, which only the
// parse/walk/stringify path takes; (2) one redactor over all deliveries (warm caches) gives, line for
// line, what a fresh redactor per delivery gives (cold caches), also going through them in reverse order;
// with and without `keep`.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { captureRedactor, deliveryLine } from "../generated/runtime/capture/entry.js";
import { redactCompactJson } from "../generated/runtime/capture/json-pass.js";
import type { CaptureRecord } from "../generated/runtime/capture/record.js";
import { random } from "./support/random.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PUBLISHED = join(ROOT, "test/fixtures/published-like");
const LEAK = join(ROOT, "test/fixtures/capture-leak");

const next = random(28);
const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
const hex = (n: number): string => Array.from({ length: n }, () => pick("0123456789abcdef".split(""))).join("");

const NUMBERS = Array.from({ length: 12 }, () => `+1919555${String(Math.floor(next() * 10_000)).padStart(4, "0")}`);
const IDS = Array.from({ length: 12 }, () => `c-${hex(8)}-${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`);
const UUIDS = Array.from({ length: 6 }, () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`);
const KEYS = [
  ...["from", "to", "owner", "callerId", "calledId", "tn", "diversion", "phoneNumber", "telephoneNumber"],
  ...["callId", "accountId", "applicationId", "id", "messageID", "sipCallId", "parentCallId"],
  ...["callUrl", "mediaUrl", "media", "mediaUrls", "recordingUri", "answerUrl"],
  ...["text", "body", "message", "tag", "eventType", "eventTime", "description", "errorMessage", "cause", "direction", "X-Account-Code", "sequenceNumber"],
  ...["customParams", "streamParams", "sipHeaders", "identity", "stirShaken", "diversion", "businessContact", "businessAddress"],
  ...["verstat", "attestationIndicator", "origTo", "reason", "firstName", "deviceName", "email", "latitude", "note", "streamName", "tn", "origid"],
  ...["password", "token", "apiKey", "pin", "accountPin", "username", "fallbackUsername", "digits", "uui", "transferTo"],
];
const CONTAINERS = ["customParams", "streamParams", "sipHeaders", "identity", "stirShaken", "diversion", "businessContact", "businessAddress"];
/** SIP Identity headers (SHAKEN PASSporTs): well-formed ones, one whose payload is not JSON, one that is not a JWT. */
const b64 = (value: unknown): string => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const PASSPORT_HEADER = b64({ alg: "ES256", ppt: "shaken", typ: "passport", x5u: "https://cert.example.com/shaken.pem" });
const IDENTITIES = [
  `${PASSPORT_HEADER}.${b64({ attest: "A", dest: { tn: ["19195550100"] }, iat: 1764929000, orig: { tn: "19195550142" }, origid: "49459a8a-42f6-351c-9361-adf57a9e08ca" })}.c2lnbmF0dXJl_-x;info=<https://cert.example.com/shaken.pem>;alg=ES256;ppt=shaken`,
  `${PASSPORT_HEADER}.${b64({ attest: "C", dest: { tn: [19195550100], uri: ["sip:alice@pbx.example.com"] }, orig: { tn: "442079460958" }, rcd: { nam: "Jane Doe" }, token: "t-1", tags: ["é😀"] })}.c2ln`,
  `${PASSPORT_HEADER}.${b64("not json")}.c2ln;info=<x>`,
  "not.a-jwt.at all;ppt=shaken",
];

function fuzzString(): string {
  switch (Math.floor(next() * 15)) {
    case 0:
    case 1:
      return pick(NUMBERS);
    case 2:
      return pick(["Anonymous", "Private", "restricted", "", "sip:+19195550100@example.com", "12345", "+1"]);
    case 3:
    case 4:
      return pick(IDS);
    case 5:
      return pick(UUIDS);
    case 6:
      return `https://${pick(["voice.bandwidth.com", "user:pass@media.example.com"])}/api/v2/accounts/${pick(["9901234", "9905678"])}/calls/${pick(IDS.slice(0, 2))}${pick(["", "/recordings/r-1", "?token=abc&n=%2B19195550100", "?api_key=k&sig=s&x=9195550142", "#frag", "/media/x y.mp3"])}`;
    case 7:
      return `Call ${pick(IDS)} from ${pick(NUMBERS)} failed: "busy" \\ ${pick(UUIDS).toUpperCase()}`;
    case 8:
      return `2026-12-05T08:${String(Math.floor(next() * 60)).padStart(2, "0")}:00.${Math.floor(next() * 1000)}Z`;
    case 9:
      return pick(["héllo wörld 😀", "line\nbreak\ttab", "quote \" and <tag> & amp", "\u2028sep\u0001ctl", "a&b<c>"]);
    case 10:
      return `${pick(NUMBERS)},${pick(NUMBERS)}`;
    case 11:
      return pick(["answer", "outbound", "message-received", "v2", "true", "1", "12345#", "4111111111111111", "0042"]);
    case 12:
      return pick([
        "9195550142",
        "(919) 555-0142",
        "919.555.0142",
        "1 919 555 0142",
        "called 919-555-0142 twice",
        "sip:alice.smith@pbx.example.com",
        "sip:+19195550100@example.com;user=phone",
        "sips:bob:s3cret@sbc.example.com",
        "sip:anonymous@anonymous.invalid",
        "Bearer abcdef123456",
        "see https://ops:pw-1@app.example.com/cb?sig=xyz&api_key=k1&user=phone",
        "token=abc&pass=def",
        "a 18005550100 toll-free",
        "write to Jane.Doe+cb@Example.co.uk or jane.doe+cb@example.co.uk",
        "mailto:ops@pbx.example.com, sip:ops@pbx.example.com",
        "jane@example.com",
        "35.7796",
        ...IDENTITIES,
      ]);
    default:
      return `${hex(8)}-${hex(4)} partial ${hex(8)}-`;
  }
}

function fuzzValue(depth: number): unknown {
  const roll = next();
  if (depth < 3 && roll < 0.12) return fuzzObject(depth + 1);
  if (depth < 3 && roll < 0.2) return Array.from({ length: Math.floor(next() * 3) }, () => (next() < 0.5 ? fuzzString() : fuzzValue(depth + 1)));
  if (roll < 0.3) return pick([0, 1, -3, 1.5, 123456789012, 9195550142, 19195550142, 1234567, 999999, 2 ** 53, true, false, null]);
  return fuzzString();
}

function fuzzObject(depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const count = 1 + Math.floor(next() * 7);
  for (let i = 0; i < count; i++) {
    const key = pick(KEYS);
    out[key] = CONTAINERS.includes(key) && depth < 3 ? fuzzObject(depth + 1) : fuzzValue(depth);
  }
  return out;
}

/** Odd but valid JSON spellings of the same value: whitespace, number notations, needless escapes, duplicate keys. */
function oddJson(value: Record<string, unknown>): string {
  const text = JSON.stringify(value, null, pick([0, 1, 2, "\t"]));
  return pick([
    text,
    text.replace(/:(\d+)([,}])/, ":$1.0$2"),
    text.replace(/:1\.5([,}])/, ":15e-1$1"),
    text.replace(/"from":/, '"fr\\u006fm":'),
    text.replace(/\//g, "\\/"),
    text.replace(/^\{/, `{"from":"${pick(NUMBERS)}",`),
    text.replace(/^\{/, '{"tag":-0,"to":1E2,'),
    text.replace(/^\{/, `{"10":"${pick(NUMBERS)}","2":true,`),
    text.replace(/^\{/, '{"text":"\\u001f\\u001F\\ud83d\\ude00 \\n","tag":"\uD83D\uDE00\uD800","to":"\uDC00",'),
    text.replace(/^\{/, `{"customParams":{"a":[1,2.5,1e+21,true,false,null,"${pick(NUMBERS)}"]},"1x":1,`),
    text.replace(/^\{/, `{"customParams":{"long":"${"é1aZ-".repeat(2000)}"},`), // a pseudonym longer than its scratch space
    text.replace(/^\{/, '{"tn":9195550142,"callId":12345678,"pin":1234,"token":{"a":"b","n":[1,true,null]},"password":["x"],'),
    text.replace(/^\{/, '{"latitude":35.7796,"longitude":-78.5e-1,"firstName":7,"stirShaken":{"verstat":"TN-Validation-Passed","attestationIndicator":"A","counter":2,"originatingId":"o-1"},"diversion":{"origTo":"9195550142","counter":1,"x":3},'),
    text.replace(/^\{/, '{"identity":{"token":"t-1","pin":"1234","n":9195550142,"u":"https://a:b@h.example.com/?token=z"},"tag":"PIN 9195550142","customParams":{"apiKey":7,"x":"y"},'),
    `\uFEFF${text}`,
    text.replace(/^\{/, '{"__proto__":{"from":"+19195550177","token":"t-2","n":9195550177},"x":{"__proto__":"919-555-0177"},'),
    ` ${text}\n`,
  ]);
}

/** A BXML answer echoing a value of the request, and a URL of it (a call's callUrl comes back in a Redirect). */
const REPLY = (echo: string, url = ""): string =>
  `<?xml version="1.0" encoding="UTF-8"?><Response><Transfer transferCallerId="${echo}" username="u" password="p&amp;w"><PhoneNumber>${echo}</PhoneNumber></Transfer><SpeakSentence>${echo.replace(/&/g, "&amp;").replace(/</g, "&lt;")}</SpeakSentence><Redirect redirectUrl="${url.replace(/&/g, "&amp;").replace(/"/g, "&quot;")}"/></Response>`;

function record(family: string, contentType: string | undefined, body: string | Uint8Array, url: string, answerBody: string, n: number): CaptureRecord {
  // arrival times as the receiver reads them (fractional ms), across days, years and the 1970 and 9999 edges
  const at = n % 50 === 0 ? [-1.5, 0, 0.9, -86_400_000, 253_402_300_799_999.5, 253_402_300_800_000][(n / 50) % 6] : Date.UTC(2026, 11, 5) + n * 3_599_999.7 - (n % 3) * 1e11;
  return { at, family, event: "answer", method: "POST", url, contentType, userAgent: "BandwidthAPI/v2", body, status: 200, answerType: "application/xml", answerBody, latencyMs: n / 7 };
}

/** Delivery `n` of the fuzzed corpus: JSON in odd spellings, a messaging array, XML, a form, plain text or bytes that are not UTF-8. */
function fuzzDelivery(n: number): CaptureRecord {
  const value = fuzzObject(0);
  const strings = Object.values(value).filter((v): v is string => typeof v === "string");
  const echo = strings.length === 0 ? pick(NUMBERS) : pick(strings);
  const url = strings.find((v) => v.startsWith("https://")) ?? "";
  const query = next() < 0.3 ? `?customParams=${encodeURIComponent(JSON.stringify(fuzzObject(1)))}&to=${encodeURIComponent(pick(NUMBERS))}&n=[1,2` : "";
  const kind = Math.floor(next() * 12);
  const bodies: (() => string | Uint8Array)[] = [
    () => JSON.stringify([value, fuzzObject(0)]),
    () =>
      `<Notification><OrderId>${pick(UUIDS)}</OrderId><TelephoneNumber>${pick(NUMBERS).slice(2)}</TelephoneNumber><Message>${fuzzString().replace(/[<&]/g, "")}</Message><Status>COMPLETE</Status></Notification>`,
    () => new URLSearchParams(Object.entries(value).map(([k, v]) => [k, String(v)])).toString(),
    () => `plain text from ${pick(NUMBERS)}`,
    () => new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
  ];
  const body = kind < 7 ? oddJson(value) : bodies[kind - 7]();
  const type = kind < 8 ? pick(["application/json", "application/json; charset=utf-8", undefined]) : (["application/xml", "application/x-www-form-urlencoded", "text/plain", "text/plain"] as const)[kind - 8];
  return record(pick(["voice", "messaging"]), type, body, `/callbacks/voice${query}`, next() < 0.7 ? REPLY(echo, url) : "", n);
}

/** Every delivery of the corpus, in order. */
function corpus(): CaptureRecord[] {
  const out: CaptureRecord[] = [];
  const folders = [...["voice", "messaging", "numbers", "tfv", "endpoint", "mfa", "webrtc"].map((family) => [PUBLISHED, family]), ...["voice", "messaging", "numbers", "tfv", "endpoint"].map((family) => [LEAK, family])];
  for (const [corpus, family] of folders) {
    for (const name of readdirSync(join(corpus, family)).sort()) {
      const text = readFileSync(join(corpus, family, name), "utf8");
      const type = name.endsWith(".xml") ? "application/xml" : "application/json";
      const echo = (text.match(/\+[1-9]\d{6,14}/) ?? [pick(NUMBERS)])[0];
      const url = (text.match(/https:\/\/[^"<\s]+/) ?? [""])[0];
      out.push(record(family, type, new TextEncoder().encode(text), `/callbacks/${family}`, REPLY(echo, url), out.length));
      let compact = text;
      try {
        compact = JSON.stringify(JSON.parse(text));
      } catch {
        // XML, or JSON with a trailing comma as published: kept as it is
      }
      out.push(record(family, type, compact, `/callbacks/${family}?from=${encodeURIComponent(echo)}&tag=t1`, REPLY(pick(IDS)), out.length));
    }
  }
  for (const name of readdirSync(join(PUBLISHED, "bxml")).sort()) {
    out.push(record("voice", "application/json", JSON.stringify(fuzzObject(0)), "/callbacks/voice", readFileSync(join(PUBLISHED, "bxml", name), "utf8"), out.length));
  }
  for (let i = 0; i < 600; i++) out.push(fuzzDelivery(out.length));
  const deep = `${"[".repeat(20_000)}"${pick(NUMBERS)}"${"]".repeat(20_000)}`; // deeper than a recursive walk goes
  out.push(record("voice", "application/json", deep, "/callbacks/voice", "", out.length));
  return out;
}

const deliveries = corpus();
const key = randomBytes(32);
const KEEPS = [[], ["tag", "text", "callUrl", "to", "customParams", "identity", "X-Account-Code", "Message", "pin"]];

/** Whether the one pass takes `text` at all (with a redaction that changes nothing): else it would not be tested here. */
const takenByThePass = (text: string): boolean =>
  redactCompactJson(text, { keeps: () => false, opens: () => false, spares: () => false, masks: () => false, string: (_k, t) => t, kept: (_k, t) => t, scalar: () => undefined }) === text;

/** The JSON bodies of the corpus as compact text (the one pass) and the same value with blanks (the walk). */
function jsonPairs(): { compact: string; spaced: string; type: string | undefined }[] {
  const out: { compact: string; spaced: string; type: string | undefined }[] = [];
  for (const delivery of deliveries) {
    const text = typeof delivery.body === "string" ? delivery.body : new TextDecoder().decode(delivery.body);
    const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
    try {
      const value: unknown = JSON.parse(text.slice(bom.length));
      out.push({ compact: bom + JSON.stringify(value), spaced: bom + JSON.stringify(value, null, 1), type: delivery.contentType });
    } catch {
      // not JSON, or nested deeper than JSON.stringify goes (the warm/cold test has it)
    }
  }
  return out;
}

for (const keep of KEEPS) {
  test(`a compact JSON body redacted in one pass equals the walk's redaction of the same value (keep: ${keep.join(", ") || "none"})`, () => {
    const pairs = jsonPairs();
    const taken = pairs.filter(({ compact }) => takenByThePass(compact.replace(/^\uFEFF/, ""))).length;
    assert.ok(taken >= pairs.length / 2, `the one pass took only ${taken} of ${pairs.length} bodies: the oracle compares nothing`);
    assert.ok(pairs.every(({ spaced }) => spaced.length < 3 || !takenByThePass(spaced.replace(/^\uFEFF/, ""))), "the one pass took a body with blanks");
    const onePass = captureRedactor(key, keep);
    const walk = captureRedactor(key, keep);
    for (const [i, { compact, spaced, type }] of pairs.entries()) {
      const fast = onePass.body(compact, type);
      const slow = walk.body(spaced, type);
      assert.equal(fast.text, slow.text, `body ${i}: ${compact.slice(0, 200)}`);
      assert.deepEqual([...fast.replaced], [...slow.replaced], `body ${i}, replaced pairs`);
    }
  });

  test(`redacted lines are the same with warm or cold caches, in order or reversed (keep: ${keep.join(", ") || "none"})`, () => {
    const cold = deliveries.map((delivery) => deliveryLine(delivery, captureRedactor(key, keep)));
    assert.ok(cold.some((line, i) => line !== deliveryLine(deliveries[i], undefined)), "nothing was redacted: the corpus is broken");
    const warm = captureRedactor(key, keep);
    for (let i = 0; i < deliveries.length; i++) assert.equal(deliveryLine(deliveries[i], warm), cold[i], `delivery ${i}, warm`);
    const reversed = captureRedactor(key, keep);
    for (let i = deliveries.length - 1; i >= 0; i--) assert.equal(deliveryLine(deliveries[i], reversed), cold[i], `delivery ${i}, reversed`);
  });
}

test("a URL's credentials are masked when it comes again (the redacted-URL cache)", () => {
  const redactor = captureRedactor(key, []);
  const body = JSON.stringify({ eventType: "answer", callUrl: "https://ops:url-pass-9@voice.example.com/calls/c-1?token=tok-9&api_key=key-9&n=%2B19195550142" });
  for (let round = 0; round < 3; round++) {
    const line = deliveryLine(record("voice", "application/json", body, "/callbacks/voice?sig=sig-9", "", round), redactor);
    for (const secret of ["url-pass-9", "tok-9", "key-9", "sig-9", "9195550142"]) assert.ok(!line.includes(secret), `round ${round}: ${secret} in ${line}`);
  }
});

test("a __proto__ key's values are redacted like any other", () => {
  const number = "+19195550123";
  const body = `{"__proto__":{"from":"${number}"},"eventType":"answer","x":{"__proto__":"${number}"}}`;
  const line = deliveryLine(record("voice", "application/json", body, "/callbacks/voice", "", 0), captureRedactor(key, []));
  assert.ok(!line.includes(number.slice(2)), line);
});
