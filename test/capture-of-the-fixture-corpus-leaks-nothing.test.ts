// Leak test of the flight recorder: every published-like fixture (test/fixtures/published-like/<family>/,
// JSON and numbers XML; the bxml/ documents are answers, not deliveries) and every delivery of the leak
// corpus (test/fixtures/capture-leak/: numbers in national shapes, in SIP URIs, tags, URLs and error texts,
// credentials in fields, URLs and the port-out <Pin>; the SIP Identity PASSporT, Diversion and STIR/SHAKEN of
// inbound calls, e-mail addresses in tags and texts, a port-in notification's names, address and contacts, a
// TFV status with the business contact, a device's and a location's personal values) goes through a receiver
// with capture on, and the capture files (with every PASSporT payload in them decoded) hold none of the
// original phone numbers (E.164 or national, the PASSporT's digits), none of the original ids, e-mail
// addresses, names and addresses, no credential of the corpus, and neither the callback password nor the
// Authorization header's credentials.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { createBandwidthWebhooks } from "../generated/index.js";
import { captureFolder } from "./support/capture.js";


const CORPORA = [fileURLToPath(new URL("./fixtures/published-like/", import.meta.url)), fileURLToPath(new URL("./fixtures/capture-leak/", import.meta.url))];
const FAMILIES = ["voice", "messaging", "numbers", "tfv", "endpoint", "mfa", "webrtc"] as const;
const USER = "leak-test-user";
const PASSWORD = "leak-test-password-7f3a";
const { root, createCapture } = captureFolder("bw-capture-leak-");

const E164 = /\+[1-9]\d{6,14}/g;
/** North American numbers in national shapes, written out independently of the redactor's pattern. */
const NATIONAL = /(?<![\w+])(?:\(\d{3}\) ?|\d{3}[-. ]?)\d{3}[-. ]?\d{4}(?!\w)/g;
const CREDENTIAL_KEY = /(?:password|secret|token|apikey|^pin$)/i;
const CREDENTIAL_ELEMENT = /<(Pin|Password|Passcode)>([^<]+)<\/\1>/g;
const PHONE_KEY = /(?:number|^from$|^to$|^owner$|callerid$|calledid$|^tn$|phone)/i;
const ID_KEY = /(?:^id$|Id$|ID$)/;
const PERSONAL_ELEMENT = /(?:Id$|ID$|Number|^Tn$|TN$|Name$|Person$|^Note$|^City$|^Street|^Email$|^Phone$|^AddressLine)/;
/** JSON fields holding a person's or a business contact's data, and containers whose every value is such. */
const PERSONAL_KEY = /^(?:firstName|lastName|deviceName|displayName|businessDba|isvReseller|additionalInformation|latitude|longitude|email|x-customer|carrierNote)$/;
const PERSONAL_CONTAINER = /^(?:businessAddress|businessContact)$/;
/** An e-mail address (not a SIP URI's user: `sip:` before it). */
const EMAIL = /(?<![\w.%+:-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g;
/** A PASSporT (the SIP Identity header) anywhere: its payload segment. */
const PASSPORT = /eyJ[A-Za-z0-9_-]+\.(eyJ[A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+/g;

/** A PASSporT's original payload and signature segments and every claim but the attestation level. */
function passportOriginals(identity: string, add: (value: string) => void): void {
  const [token] = identity.split(";");
  const [, payload, signature] = token.split(".");
  add(payload);
  add(signature);
  const claims = (node: unknown, key: string): void => {
    if (typeof node === "string" && key !== "attest") add(node);
    else if (Array.isArray(node)) for (const item of node) claims(item, key);
    else if (node !== null && typeof node === "object") for (const [k, v] of Object.entries(node)) claims(v, k);
  };
  claims(JSON.parse(Buffer.from(payload, "base64url").toString("utf8")), "");
}
const NOT_PERSONAL = /^(?:anonymous|private|restricted|unavailable|unknown)$/i;

/** Every original value the capture must not contain: phone numbers and ids of 6 characters or more. */
function originals(text: string): Set<string> {
  const found = new Set<string>(text.match(E164) ?? []);
  for (const national of text.match(NATIONAL) ?? []) if (!/^\d{4}-\d{2}/.test(national)) found.add(national);
  // credentials: in URLs (user info, token= parameters), `Basic …`, XML elements (as the element), JSON fields
  for (const match of text.matchAll(/:\/\/([^/@\s"]+)@/g)) found.add(match[1]);
  for (const match of text.matchAll(/[?&]token=([^&"\\\s]+)/g)) found.add(match[1]);
  for (const match of text.matchAll(/Basic ([A-Za-z0-9+/=]{8,})/g)) found.add(match[1]);
  for (const match of text.matchAll(CREDENTIAL_ELEMENT)) found.add(match[0]);
  const add = (value: string): void => {
    const v = value.trim();
    if (v.length >= 6 && !NOT_PERSONAL.test(v) && !/^(?:true|false|null)$/.test(v)) found.add(v);
  };
  for (const match of text.matchAll(EMAIL)) if (!NOT_PERSONAL.test(match[0].split("@")[0])) add(match[0]);
  if (text.trimStart().startsWith("<")) {
    for (const match of text.matchAll(/<([A-Za-z_][\w.-]*)>([^<]+)<\/\1>/g)) if (PERSONAL_ELEMENT.test(match[1])) add(match[2]);
    return found;
  }
  const walk = (node: unknown, key: string, personal = false): void => {
    if (typeof node === "string" && key === "identity") passportOriginals(node, add);
    else if (typeof node === "string" && (personal || PHONE_KEY.test(key) || ID_KEY.test(key) || CREDENTIAL_KEY.test(key) || PERSONAL_KEY.test(key))) add(node);
    else if (Array.isArray(node)) for (const item of node) walk(item, key, personal);
    else if (node !== null && typeof node === "object") for (const [k, v] of Object.entries(node)) walk(v, k, personal || PERSONAL_CONTAINER.test(k));
  };
  try {
    walk(JSON.parse(text.replace(/,\s*([}\]])/g, "$1")), "");
  } catch {
    // a fixture that is not JSON even without trailing commas: its E.164 numbers are still checked
  }
  return found;
}

test("capturing every published-like delivery leaks no phone number, no id and no credential", async () => {
  const capture = createCapture({ dir: root });
  const silent = { info() {}, warn() {}, error() {}, debug() {} };
  const webhooks = createBandwidthWebhooks({
    capture,
    credentials: [{ username: USER, password: PASSWORD }],
    logger: silent,
    voice: {},
    messaging: {},
    numbers: {},
    tfv: {},
    endpoint: {},
    mfa: {},
    webrtc: {},
  });
  const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
  const secrets = new Set<string>();
  let sent = 0;
  for (const family of FAMILIES) {
    for (const corpus of CORPORA) {
      if (!existsSync(join(corpus, family))) continue;
      for (const name of readdirSync(join(corpus, family)).sort()) {
      const text = readFileSync(join(corpus, family, name), "utf8");
      for (const value of originals(text)) secrets.add(value);
      const contentType = name.endsWith(".xml") ? "application/xml" : "application/json";
      const answer = await webhooks.fetch(new Request(`http://127.0.0.1/callbacks/${family}`, { method: "POST", headers: { authorization, "content-type": contentType }, body: text }));
      assert.notEqual(answer.status, 401);
      sent++;
      }
    }
  }
  const files = await capture.close();
  const stored = files.map((file) => readFileSync(file, "utf8")).join("");
  // what a PASSporT in the capture carries, decoded
  const captured = stored + [...stored.matchAll(PASSPORT)].map((match) => Buffer.from(match[1], "base64url").toString("utf8")).join("\n");
  assert.equal(stored.trim().split("\n").length, sent, "one entry per delivery");
  assert.ok(secrets.size > 50, `only ${secrets.size} originals found: the corpus walk is broken`);
  const leaked = [...secrets].filter((value) => captured.includes(value) || captured.includes(JSON.stringify(value).slice(1, -1)));
  assert.deepEqual(leaked, [], "original phone numbers or ids in the capture");
  for (const credential of [PASSWORD, authorization.slice(6), USER]) assert.ok(!captured.includes(credential), "a credential is in the capture");
});
