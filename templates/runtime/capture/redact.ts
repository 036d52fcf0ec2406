/**
 * Redaction of captured deliveries (`bw-codegen/capture`): personal data and identifiers are replaced by
 * pseudonyms that are consistent within one capture (the same number gives the same pseudonym, so a call's
 * callbacks still line up) and keep their shape (a pseudonymous E.164 number is still `+` and digits, a call
 * id still starts with `c-`), so the redacted events still pass validation. A pseudonym is derived from an
 * HMAC-SHA256 of the value under a key only the user holds (random per capture unless they give one): it
 * cannot be reversed or recomputed without that key.
 *
 * Edge-safe: the HMAC is injected (`capture/entry.ts` binds `hmac-sha256.ts`, the same bytes as node:crypto). What is replaced (JSON keys, XML
 * element names, query parameters): phone numbers (any E.164 anywhere, also in groups: `+44 20 7946 0958`, North American numbers in national
 * shapes (`9195550100`, `(919) 555-0100`) anywhere, the same pseudonym digits as their E.164 form, and
 * fields named like numbers, `from`, `to`, `owner`, caller ids, also as JSON numbers; the `Private` /
 * `Anonymous` forms identify nobody and stay), the request URL's path segments holding numbers or ids, ids (`…Id`, `…ID`,
 * `id`), URLs (`…Url`, `…Uri`, `media`, and any `http(s)://` value: the host stays, the path segments
 * holding digits (but versions like `v2` and segments under 3 characters) and every query value are replaced, credentials in the URL are dropped), message text
 * (`text`), `<Gather>` digits of 5 keys or more, SIP user names, SIP headers (`sipHeaders`, `uui`, `X-…` fields), every value under `streamParams` /
 * `customParams`, and ids (prefixed ids, UUIDs) found inside any other text (an error message). E-mail
 * addresses anywhere (internationalised ones too) become `u-<keyed hash>@example.invalid` (the same for one address in any case; a valid
 * address, never deliverable; the domain is not kept: a personal or small company's domain names the person
 * too). Names, addresses, contacts, notes, device names and locations (`PERSONAL_KEY`: `firstName`,
 * `deviceName`, `businessContact` and all under it, `city`, `email`, `latitude`…; numbers-family elements,
 * `XML_PERSONAL`: `<LoaAuthorizingPerson>`, `<ServiceAddress>`'s parts, `<Note>`, `<PON>`…) are replaced
 * whole; names the application or Bandwidth chose (a stream's, a conference's, a carrier's) and texts they
 * write (error messages, tags) keep their words, less the numbers, ids and e-mail addresses in them.
 * Containers: `stirShaken` and `diversion` have every value replaced but the members that identify nobody
 * (`verstat`, `attestationIndicator`; `reason`, `screen`, `privacy`, `counter`, `limit`; `origTo` is a number).
 * The SIP `identity` header (a SHAKEN PASSporT, `header.payload.signature;info=<…>;alg=ES256;ppt=shaken`)
 * keeps its shape: the header and the parameters as they were (but for the free-text patterns), the payload
 * decoded, its claims redacted (`orig.tn` / `dest.tn` get the digits of the pseudonym the same number got in
 * `from` / `to`, so a call's flow lines up; `origid` and every other string claim but `attest` replaced, `iat` kept) and
 * encoded again, the signature replaced (as many base64url characters from a keyed hash): it can no longer verify (its payload changed) and was
 * never meant to be checked from a capture. An `identity` that does not decode is replaced whole.
 * `keep` names fields to leave as they are.
 * Credentials (`maskCredentials`) become `***` whatever `keep` or `redact: false` say.
 *
 * Cost (it runs per delivery on the capture writer's thread): compact JSON is redacted in one pass over the
 * text (`json-pass.ts`), other JSON parsed and walked; pseudonyms, what a field or element name means and
 * redacted URLs are remembered per redactor, and the last Identity header (bounded maps, cleared when full). None of it changes the output:
 * every cached value is a pure function of the key and the input, and the one pass gives the walk's text
 * (test `capture-redaction-fast-paths-equal-the-walk`).
 */

import { type JsonRedaction, redactCompactJson } from "./json-pass.js";

/** Sets a member, also one named `__proto__` (a hostile body's key is recorded as a key, not as the object's prototype). */
function put(out: Record<string, unknown>, name: string, value: unknown): void {
  if (name === "__proto__") Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  else out[name] = value;
}

/** HMAC-SHA256 of a text under the capture's key (32 bytes). */
export type Hmac = (text: string) => Uint8Array;

/** Redaction settings of one capture. */
export interface RedactionOptions {
  readonly hmac: Hmac;
  /** Field names (JSON keys, XML element names, query parameters) never redacted, e.g. `["tag", "text"]`. */
  readonly keep?: readonly string[];
}

/** A redactor bound to one capture's key: every method is deterministic for that key. */
export interface Redactor {
  /**
   * Redacts one request body (JSON or XML text; anything else is replaced as a whole) and returns it with the
   * original → pseudonym pairs it replaced (used to redact the answer the same way).
   */
  body(text: string, contentType: string | undefined): { text: string; replaced: Map<string, string> };
  /** Redacts a request target's query string (`/callbacks/voice?from=%2B1…`), adding to `replaced`. */
  url(url: string, replaced: Map<string, string>): string;
  /** Replaces, in an answer, every value the request's redaction replaced (an echoed number, an id in a URL). */
  answer(text: string, replaced: Map<string, string>): string;
  /** The pseudonym of one value (same shape). */
  pseudonym(value: string): string;
}

/**
 * A phone number in free text, E.164 (also written in groups outside North America, `+44 20 7946 0958`,
 * `+33 1 23 45 67 89`: 8 to 15 digits) or North American in national shapes (`9195550100`, `19195550100`,
 * `919-555-0100`, `(919) 555-0100`, `919.555.0100`, `1 919 555 0100`): the numbers family writes
 * `<TelephoneNumber>7205550131</TelephoneNumber>` and its messages say "Telephone number 7205550136 is …".
 */
export const PHONE_TEXT: RegExp = /\+[1-9]\d{6,14}|\+(?=(?:[ .-]?\d){8,15}(?![ .-]?\d))[2-9]\d{0,2}(?:[ .-]\d{1,4}){2,6}(?![\w])|(?<![\w+])(?:1[-. ]?)?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[-. ]?)[2-9]\d{2}[-. ]?\d{4}(?![\w])/g;
/** Ids inside free text ("Call c-8d1f…-61f0 is busy"): Bandwidth's prefixed ids and UUIDs. */
const ID_TOKEN = /\b(?:[a-z]{1,6}-)?[0-9a-f]{8}-[0-9a-f]{4,8}(?:-[0-9a-f]{4,12})+\b/gi;
const NOT_PERSONAL = /^(?:anonymous|private|restricted|unavailable|unknown)$/i;
const PHONE_KEY = /(?:number|^from$|^to$|^owner$|callerid$|calledid$|^tn$|^diversion$|phone|^transferTo$|^origTo$)/i;
/** The user part of a SIP URI that is a name, not a number (`sip:alice@pbx.example.com`); numbers are E.164 / national above. */
const SIP_USER = /\b(sips?:)([A-Za-z][^@\s"'<>;:]*)@/g;
const ID_KEY = /(?:^id$|Id$|ID$|^sipCallId$|^origid$)/;
const URL_KEY = /(?:url$|uri$|^media$|^mediaUrls?$)/i;
const TEXT_KEY = /^(?:text|body|message)$/;
const CONTAINER_KEY = /^(?:streamParams|customParams|sipHeaders|identity|stirShaken|diversion)$/;
/**
 * Members of a container (above) that identify nobody and are redacted by their own names, as outside it:
 * STIR/SHAKEN's `verstat` and `attestationIndicator` (`TN-Validation-Passed`, `A`: drift and replay need
 * them), the Diversion header's `origTo` (a number: the pseudonym `from`/`to` get) and its enum-like
 * parameters. Every other member (`originatingId`, a parameter nobody listed) is replaced.
 */
const SPARED = new Map<string, ReadonlySet<string>>([
  ["stirShaken", new Set(["verstat", "attestationIndicator"])],
  ["diversion", new Set(["origTo", "reason", "screen", "privacy", "counter", "limit"])],
]);
/**
 * A field holding a person's or a business contact's name, address, e-mail, location or notes (`firstName`,
 * `deviceName`, `callerName`, `businessAddress`, `addr1`, `city`, `zip`, `email`, `latitude`, `note`…), or
 * a container of them (`businessContact`): its value, every value under it, is replaced as a whole. Names
 * the application or Bandwidth chose (a stream's, a conference's, a carrier's) are not a person's: see
 * {@link NOT_A_PERSON}.
 */
const PERSONAL_KEY = /(?:name$|^c?nam$|address|^addr\d*$|^street|^city$|^zip|^postal|^postcode$|^plusfour$|^county$|^e-?mail|mail$|contact$|^notes?$|person$|^lat(?:itude)?$|^lng$|^lon(?:gitude)?$|dba$|information$|^isvReseller$|^subscriber$)/i;
/** Name fields whose value the application or Bandwidth chose: redacted as free text (numbers, ids, e-mails in them). */
const NOT_A_PERSON = /^(?:name|streamName|transcriptionName|conferenceName|carrierName|fileName|hostName|eventName|channelName)$/i;
/** The SIP Identity header (a SHAKEN PASSporT): redacted claim by claim, see `identity` in the redactor. */
const IDENTITY_KEY = /^identity$/i;
/**
 * An e-mail address in free text, also an internationalised one (`jürgen@müller.de`: letters, marks and digits
 * of any script); not the user part of a SIP URI (`sip:alice@pbx…`, the SIP user rule's) nor a URL's user
 * info (masked as a credential before). Replaced by `u-<keyed hash>@example.invalid`.
 */
const EMAIL = /(?<![\p{L}\p{M}\p{N}_.%+-])(?<!sips?:)[\p{L}\p{M}\p{N}_.%+-]+@[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?)+/gu;
const EMAIL_WHOLE = /^[\p{L}\p{M}\p{N}_.%+-]+@[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{M}\p{N}-]*[\p{L}\p{M}\p{N}])?)+$/u;
/** Whether a whole value is an e-mail address. */
const isEmail = (text: string): boolean => text.includes("@") && EMAIL_WHOLE.test(text);
/** PASSporT claims that identify nobody (the attestation level `A`/`B`/`C`): redacted as free text only. */
const PASSPORT_PLAIN = new Set(["attest"]);
const SIP_HEADER_KEY = /^(?:x-|uui$|p-asserted-identity$|remote-party-id$|history-info$)/i;
/**
 * A field (JSON key, XML element or attribute, query or form parameter) whose value is a credential:
 * `password`, `fallbackPassword`, `destinationUsername`, `token`, `apiKey`, `Authorization`, `secret`, …
 * Its value is stored as `***` whatever `keep` or `redact` say.
 */
const CREDENTIAL_NAME = /(?:passw(?:or)?d|passphrase|passcode|secret|token|authorization|credential|signature|api[-_]?key|private[-_]?key|username$|^(?:pass|pwd|pw|auth|sig|key|user)$)/i;
/** Whether a field's value is a credential (stored as `***`). */
export function isCredential(name: string): boolean {
  let known = credentialNames.get(name);
  if (known === undefined) {
    known = CREDENTIAL_NAME.test(name) || PIN_NAME.test(name);
    if (credentialNames.size >= 10_000) credentialNames.clear();
    credentialNames.set(name, known);
  }
  return known;
}
/** Field names seen, and whether each is a credential's (a receiver sees the same few names again and again). */
const credentialNames = new Map<string, boolean>();
/** A PIN (the numbers family's port-out `<Pin>`, the port-out passcode): `pin`, `PIN`, `accountPin`. */
const PIN_NAME = /^(?:pin|PIN|Pin)$|[a-z](?:Pin|PIN)$/;
/** Whether an XML attribute's value is a credential (`password`, `fallbackPassword`, `destinationUsername`, …): stored as `***`. */
export const isCredentialAttribute = (name: string): boolean => isCredential(name);

// The patterns below match any attribute, element, member or parameter (each scan is linear) and the name
// decides (`isCredential`, remembered per name): one pattern per credential word was several times slower.
/** Any attribute: ` name="value"` (either quote). */
const ATTRIBUTE = /(\s)([A-Za-z][\w.:-]*)(\s*=\s*)(["'])([^"']*)\4/g;
/** Any element with text only: `<name …>text</name>`. */
const TEXT_ELEMENT = /<((?:[\w.-]+:)?([A-Za-z_][\w.-]*))(\s[^>]*)?>([^<]*)<\/\1\s*>/g;
/** Any JSON member with a string value, as text: `"name": "value"`. */
const STRING_MEMBER = /"([\w.-]+)"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g;
/** Credentials inside any URL: `https://user:pass@host`, `sip:user:pass@host`. */
const URL_USERINFO = /(:\/\/)[^\s/?#@"'<>\\]+@/g;
const SIP_PASSWORD = /\b(sips?:[^\s:@"'<>;/]+:)[^\s@"'<>;/]+@/gi;
/** Any parameter of a query, a form body or SIP URI (`&amp;`-escaped in XML too): `token=…`. */
const PARAMETER = /([?&;](?:amp;)?)([\w.-]+)=([^&\s"'<>#]*)/g;
/** An `Authorization` value in free text. */
const AUTH_SCHEME = /\b(Basic|Bearer|Digest)\s+[A-Za-z0-9+/=._~-]{6,}/g;

/**
 * What a credential's value is stored as: `***`; a PIN of digits (the port-out `<Pin>`, whose schema wants
 * letters and digits) as as many zeros, so the stored event still validates (and replays as it did).
 */
function secret(name: string, value: string): string {
  return PIN_NAME.test(name) && /^\s*\d+\s*$/.test(value) ? value.replace(/\d/g, "0") : "***";
}

/** A parameter's value masked when its name is a credential's (`token`, `sig`, `api_key`; not `user=phone`). */
function maskParameter(whole: string, head: string, name: string): string {
  return name !== "user" && isCredential(name) ? `${head}${name}=***` : whole;
}

/**
 * The credentials free text can hold (a JSON string value, a query value, any text): user info in URLs,
 * credential parameters, `Basic …` values. Each scan only runs when the text has the character it needs.
 */
function maskInText(text: string): string {
  let out = text;
  if (out.includes("@")) out = out.replace(URL_USERINFO, "$1***@").replace(SIP_PASSWORD, "$1***@");
  if (out.includes("=")) out = out.replace(PARAMETER, maskParameter);
  if (out.includes("Basic ") || out.includes("Bearer ") || out.includes("Digest ")) out = out.replace(AUTH_SCHEME, "$1 ***");
  return out;
}

/** Credential attributes of an XML text. */
function maskAttributes(text: string): string {
  return text.includes("=") ? text.replace(ATTRIBUTE, (whole, space: string, name: string, eq: string, quote: string) => (isCredential(name) ? `${space}${name}${eq}${quote}***${quote}` : whole)) : text;
}

/** Credential attributes and elements of an XML text. */
function maskMarkup(text: string): string {
  const out = maskAttributes(text);
  return out.includes("</")
    ? out.replace(TEXT_ELEMENT, (whole, name: string, local: string, attrs: string | undefined, inner: string) => (isCredential(local) ? `<${name}${attrs ?? ""}>${secret(local, inner)}</${name}>` : whole))
    : out;
}

/**
 * Every credential in a text of any kind (a BXML answer, a body stored unredacted, a URL) replaced by `***`:
 * credential attributes, elements and JSON members, user info in URLs, credential query parameters,
 * `Basic …` / `Bearer …` values. Used whatever `redact` and `keep` say; `compare.ts` masks both answers
 * with it, so a credential stored as `***` compares equal to the real one.
 *
 * @example
 * maskCredentials('<Redirect redirectUrl="https://u:p@host/cb?token=abc"/>'); // '<Redirect redirectUrl="https://***@host/cb?token=***"/>'
 */
export function maskCredentials(text: string): string {
  if (text === "") return text;
  let out = text.includes("<") ? maskMarkup(text) : text;
  if (out.includes('"')) out = out.replace(STRING_MEMBER, (whole, name: string, colon: string, value: string) => (isCredential(name) ? `"${name}"${colon}"${secret(name, value)}"` : whole));
  return maskInText(out);
}

/** What a field name says about its values (bits), worked out once per name: names repeat in every delivery. */
const KEEP = 1;
const SIP_HEADER = 2;
const URL_FIELD = 4;
const TEXT_FIELD = 8;
const ID_FIELD = 16;
const PHONE_FIELD = 32;
const CONTAINER = 64;
const CREDENTIAL = 128;
const PERSONAL = 256;
const IDENTITY = 512;
/** Kinds whose object or array values hold personal values only. */
const OPENS = CONTAINER | PERSONAL;
/** Bounds of the per-capture caches (cleared when full; entries are pure functions of the key and the value). */
const CACHE_LIMIT = 50_000;
const NAME_LIMIT = 10_000;

/**
 * Whether `text` may hold an {@link ID_TOKEN}: 8 hex digits then `-` somewhere (every id token has them).
 * A scan of the characters, much cheaper than the token's expression on text that has none (times, words).
 */
function mayHoldId(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70)) run++;
    else if (c === 45 && run >= 8) return true;
    else run = 0;
  }
  return false;
}

/**
 * Whether `text` may hold a {@link PHONE_TEXT} number: `+` and a digit 1–9 (E.164), or 10 digits in a row
 * with at most 2 characters between two of them, none a letter or `_` (every national shape: `)` and a blank,
 * `-`, `.`, a blank). A time (`2026-12-05T09:53:54.123Z`: 8 digits, a letter, 9) has neither.
 */
export function mayHoldPhone(text: string): boolean {
  let digits = 0;
  let gap = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (++digits === 10) return true;
      gap = 0;
    } else if (c === 43) {
      const d = text.charCodeAt(i + 1);
      if (d >= 49 && d <= 57) return true;
      if (++gap > 2) digits = 0;
    } else if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || ++gap > 2) {
      digits = 0;
      gap = 0;
    }
  }
  return false;
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const BASE64URL_TEXT = /^[A-Za-z0-9_-]+$/;
/** Each base64url character's value, by character code. */
const BASE64URL_VALUE = new Uint8Array(128);
for (let i = 0; i < BASE64URL.length; i++) BASE64URL_VALUE[BASE64URL.charCodeAt(i)] = i;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

/** The UTF-8 text of an unpadded base64url segment (a JWT's), or `undefined` when it is not one. */
function fromBase64Url(segment: string): string | undefined {
  if (!BASE64URL_TEXT.test(segment) || segment.length % 4 === 1) return undefined;
  const bytes = new Uint8Array(Math.floor((segment.length * 3) / 4));
  let bits = 0;
  let buffer = 0;
  let n = 0;
  for (let i = 0; i < segment.length; i++) {
    buffer = ((buffer << 6) | BASE64URL_VALUE[segment.charCodeAt(i)]) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[n++] = (buffer >> bits) & 255;
    }
  }
  try {
    return utf8.decode(bytes.subarray(0, n));
  } catch {
    return undefined;
  }
}

/** A text as an unpadded base64url segment of its UTF-8 bytes. */
function toBase64Url(text: string): string {
  const bytes = utf8Encoder.encode(text);
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64URL[(n >> 18) & 63] + BASE64URL[(n >> 12) & 63];
    if (i + 1 < bytes.length) out += BASE64URL[(n >> 6) & 63];
    if (i + 2 < bytes.length) out += BASE64URL[n & 63];
  }
  return out;
}

/** A JSON object's text, parsed, or `undefined`. */
function jsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A character XML escapes (`answer` also looks for the escaped form of a value holding one). */
const XML_SPECIAL = /[&<>]/;
const HTTP = /^https?:\/\//i;
/** Whether `text` starts with `http://` or `https://`, any case. */
const startsWithHttp = (text: string): boolean => (text.charCodeAt(0) | 32) === 104 && HTTP.test(text);

/**
 * Numbers-family elements whose text is personal, from the notifications and the port-in / port-out,
 * E911, LIDB, DLDA, CSR and notification-group orders they report: ids, numbers (`TelephoneNumber`,
 * `AccountNumber`, `BillingTelephoneNumber`, `HouseNumber`), names (`SubscriberName`, `BusinessName`,
 * `FirstName`, `LastName`, `CallerName`, `LoaAuthorizingPerson`, `MiddleInitial`, LIDB's
 * `SubscriberInformation`), address parts (`ServiceAddress`'s `HousePrefix`/`HouseSuffix`, `PreDirectional`,
 * `StreetName`, `StreetSuffix`, `PostDirectional`, `AddressLine2`, `City`, `Zip`, `PlusFour`, `County`),
 * contacts (`Email`, `EmailAddress`, `Phone`, `Contact…`), order notes (`Note`), the requesting carrier's
 * `PON`. Enum-like, status, date and code elements stay: `Status`, `OrderType`, `SubscriberType`,
 * `StateCode`, `Country`, `…Type` (`AddressType`), `Code`, `LastModifiedDate`, `ActualFocDate`…; `Message` and
 * `Description` are Bandwidth's texts: their numbers, ids and e-mails are replaced (the free-text pass).
 */
const XML_PERSONAL = /(?:Id$|ID$|Number|^Tn$|TN$|Url$|Name$|Address|Street|City|Zip|PlusFour|Postal|County|Email|Contact|Phone|Person$|Initial$|^House|Directional$|Information$|^Notes?$|^PON$|^Text$)/;
const ID_PREFIX = /^[a-z]{1,6}-/;

const DIGITS = "0123456789";
const NANP_LEAD = "23456789";
/** North American toll-free area codes: 800, 822, 833, 844, 855, 866, 877, 880–889. */
const TOLL_FREE = /^\+18(?:00|22|33|44|55|66|77|8\d)/;
const HEX_LOWER = "abcdef";
const HEX_UPPER = "ABCDEF";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A character of the same kind as `c` (digit, hex letter, letter, other) picked by the keyed byte `b`. */
function sameKind(c: string, b: number): string {
  if (c >= "0" && c <= "9") return DIGITS[b % 10];
  if (c >= "a" && c <= "f") return HEX_LOWER[b % 6];
  if (c >= "A" && c <= "F") return HEX_UPPER[b % 6];
  if (c >= "g" && c <= "z") return LOWER[b % 26];
  if (c >= "G" && c <= "Z") return UPPER[b % 26];
  return c.charCodeAt(0) > 127 ? LOWER[b % 26] : c;
}

/**
 * Builds the redactor of one capture.
 *
 * @example
 * const redactor = createRedactor({ hmac: (text) => createHmac("sha256", key).update(text).digest() });
 * redactor.pseudonym("+19195550100"); // "+1" and 10 other digits, the same every time for this key
 */
export function createRedactor(options: RedactionOptions): Redactor {
  const keep = new Set(options.keep ?? []);
  const cache = new Map<string, string>();
  const nationals = new Map<string, string>(); // national-shape numbers and their pseudonyms
  const kinds = new Map<string, number>();
  /** Redacted URLs with the pairs they noted (a call's `callUrl` comes back in each of its callbacks). */
  const urls = new Map<string, { readonly text: string; readonly pairs: readonly (readonly [string, string])[] }>();
  /** The last Identity header redacted, and its redaction with the pairs it noted. */
  let lastIdentity = "";
  let lastIdentityOut: { readonly text: string; readonly pairs: readonly (readonly [string, string])[] } = { text: "", pairs: [] };

  function kindOf(key: string): number {
    let kind = kinds.get(key);
    if (kind !== undefined) return kind;
    kind =
      (keep.has(key) ? KEEP : 0) |
      (SIP_HEADER_KEY.test(key) ? SIP_HEADER : 0) |
      (URL_KEY.test(key) ? URL_FIELD : 0) |
      (TEXT_KEY.test(key) ? TEXT_FIELD : 0) |
      (ID_KEY.test(key) ? ID_FIELD : 0) |
      (PHONE_KEY.test(key) ? PHONE_FIELD : 0) |
      (CONTAINER_KEY.test(key) ? CONTAINER : 0) |
      (PERSONAL_KEY.test(key) && !NOT_A_PERSON.test(key) ? PERSONAL : 0) |
      (IDENTITY_KEY.test(key) ? IDENTITY : 0) |
      (isCredential(key) ? CREDENTIAL : 0);
    if (kinds.size >= NAME_LIMIT) kinds.clear();
    kinds.set(key, kind);
    return kind;
  }

  /** Enough keyed bytes for `length` characters (HMAC in counter mode). */
  function stream(value: string, length: number): Uint8Array {
    const first = options.hmac(value);
    if (first.length >= length) return first;
    const out = new Uint8Array(length);
    out.set(first);
    for (let filled = first.length, round = 1; filled < length; round++) {
      const more = options.hmac(`${round}:${value}`);
      out.set(more.subarray(0, Math.min(more.length, length - filled)), filled);
      filled += more.length;
    }
    return out;
  }

  /** Same shape: digits stay digits (the first digit of an E.164 number stays; a +1 number keeps a valid area code and exchange), hex letters hex, letters letters. */
  function pseudonym(value: string): string {
    const known = cache.get(value);
    if (known !== undefined) return known;
    const bytes = stream(value, value.length);
    const prefix = value.startsWith("+") ? 2 : (ID_PREFIX.exec(value)?.[0].length ?? 0);
    // a North American number stays one: its area code and exchange start with 2-9 (BXML and carriers check)
    const nanp = value.length === 12 && value.startsWith("+1") && /^\+1\d{10}$/.test(value);
    // a toll-free number keeps its toll-free area code (it names a service, not a person; TFV checks it)
    const tollFree = nanp && TOLL_FREE.test(value);
    let out = value.slice(0, prefix);
    for (let i = prefix; i < value.length; i++) {
      const c = value[i];
      const b = bytes[i];
      if (tollFree && i < 5) out += c;
      else if (nanp && (i === 2 || i === 5)) out += NANP_LEAD[b % 8];
      else out += sameKind(c, b);
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(value, out);
    return out;
  }

  /**
   * An e-mail address's pseudonym: `u-` and 12 hex digits of its keyed hash (of the address in lower case:
   * `Jane@X.com` and `jane@x.com` line up) at `example.invalid`. Still a valid address (a `format: email`
   * field still validates) that can never be delivered (`.invalid` is reserved). The domain is not kept: a
   * person's own domain (`jane@smith-family.name`) or a small company's names them as well as the address.
   */
  function emailPseudonym(address: string): string {
    return `u-${hexOf(address.toLowerCase())}@example.invalid`;
  }

  /** A value replaced as a whole: an e-mail address by its e-mail pseudonym, anything else by its pseudonym. */
  function whole(text: string): string {
    return isEmail(text) ? emailPseudonym(text) : pseudonym(text);
  }

  function note(replaced: Map<string, string>, from: string, to: string): string {
    if (from !== to && from.length >= 3) replaced.set(from, to);
    // a North American E.164 number an answer may echo in its national form (`<PhoneNumber>9195550100`)
    if (from.length === 12 && from.startsWith("+1") && to.startsWith("+1") && /^\+1\d{10}$/.test(from)) replaced.set(from.slice(2), to.slice(2));
    return to;
  }

  /** Free text: every E.164 number and every id-looking token in it. */
  function phones(text: string, replaced: Map<string, string>, done?: ReadonlySet<string>): string {
    // each scan only when the text can hold a match (most values are words, times, enum values)
    const masked = maskInText(text);
    // e-mail addresses first: a number or id inside one goes with the address
    const mails = masked.includes("@") ? masked.replace(EMAIL, (match) => (done?.has(match) ? match : note(replaced, match, emailPseudonym(match)))) : masked;
    const numbers = mayHoldPhone(mails) ? mails.replace(PHONE_TEXT, (match) => (done?.has(match) ? match : note(replaced, match, phonePseudonym(match)))) : mails;
    const users = numbers.includes("sip") ? numbers.replace(SIP_USER, (whole, scheme: string, user: string) => (NOT_PERSONAL.test(user) || done?.has(whole) ? whole : `${scheme}${note(replaced, user, pseudonym(user))}@`)) : numbers;
    return mayHoldId(users) ? users.replace(ID_TOKEN, (match) => (done?.has(match) ? match : note(replaced, match, pseudonym(match)))) : users;
  }

  /**
   * A phone number's pseudonym: E.164 as any value; a North American number in a national shape gets the
   * digits of its E.164 form's pseudonym in its own layout, so `919-555-0100` and `+19195550100` line up
   * (and a national echo of an E.164 number in the answer is replaced too, see `answer`).
   */
  function phonePseudonym(match: string): string {
    if (match.startsWith("+")) return /^\+\d+$/.test(match) ? pseudonym(match) : groupedPseudonym(match);
    const known = nationals.get(match);
    if (known !== undefined) return known;
    const digits = match.replace(/\D/g, "");
    const national = pseudonym(`+1${digits.slice(-10)}`).slice(2);
    let skip = digits.length - 10; // a leading 1 stays
    let i = 0;
    const out = match.replace(/\d/g, (d) => (skip-- > 0 ? d : national[i++]));
    if (nationals.size >= CACHE_LIMIT) nationals.clear();
    nationals.set(match, out);
    return out;
  }

  /** An E.164 number written in groups (`+44 20 7946 0958`): the digits its unbroken form's pseudonym gets, in its own layout. */
  function groupedPseudonym(match: string): string {
    const whole = pseudonym(`+${match.replace(/\D/g, "")}`);
    let i = 1;
    return match.replace(/\d/g, (d) => whole[i++] ?? d);
  }

  /** {@link urlOf}, remembered per URL with the pairs it noted (noted again, in the same order, on a repeat). */
  function redactUrl(text: string, replaced: Map<string, string>): string {
    let known = urls.get(text);
    if (known === undefined) {
      const own = new Map<string, string>();
      known = { text: urlOf(text, own), pairs: [...own] };
      if (urls.size >= CACHE_LIMIT) urls.clear();
      urls.set(text, known);
    }
    for (const [from, to] of known.pairs) replaced.set(from, to);
    return known.text;
  }

  /**
   * {@link identityOf}, the last one remembered with the pairs it noted (as {@link redactUrl}): an inbound
   * call's header comes again in the same body (`identity`, `sipHeaders.identity`), rarely in another call.
   */
  function redactIdentity(text: string, replaced: Map<string, string>): string {
    if (text !== lastIdentity) {
      const own = new Map<string, string>();
      lastIdentityOut = { text: identityOf(text, own), pairs: [...own] };
      lastIdentity = text;
    }
    for (const [from, to] of lastIdentityOut.pairs) replaced.set(from, to);
    return lastIdentityOut.text;
  }

  /**
   * The SIP Identity header (a SHAKEN PASSporT: `header.payload.signature;info=<…pem>;alg=ES256;ppt=shaken`)
   * with the same shape: the header (algorithm, type, the signing carrier's certificate URL) kept but for the
   * free-text patterns; the payload decoded and redacted claim by claim (`orig.tn` / `dest.tn` get the digits
   * of the pseudonym `from` / `to` got, `origid` and every other string claim but `attest` a pseudonym, `iat`
   * kept) and encoded again; the signature replaced by as many base64url characters (see {@link signature}: it
   * can no longer verify, the payload changed); the parameters kept but for the free-text patterns. Anything
   * that does not decode: replaced whole.
   */
  function identityOf(text: string, replaced: Map<string, string>): string {
    const semi = text.indexOf(";");
    const token = semi === -1 ? text : text.slice(0, semi);
    const parts = token.split(".");
    const headerText = parts.length === 3 ? passportHeader(parts[0]) : undefined;
    const payload = headerText !== undefined ? jsonObject(fromBase64Url(parts[1])) : undefined;
    if (payload === undefined || !BASE64URL_TEXT.test(parts[2])) return note(replaced, text, pseudonym(text));
    const header = phones(headerText!, replaced);
    const claimed = JSON.stringify(claims(payload, "", replaced));
    const params = semi === -1 ? "" : phones(text.slice(semi), replaced);
    const out = `${header === headerText ? parts[0] : toBase64Url(header)}.${toBase64Url(claimed)}.${signature(parts[2])}${params}`;
    return note(replaced, text, out);
  }

  /**
   * A replaced signature: as many base64url characters, from one keyed hash of it (cycled). Not a pseudonym
   * of the cache: a signature never comes again in another field, and each call has its own.
   */
  function signature(text: string): string {
    const bytes = options.hmac(text);
    let out = "";
    for (let i = 0; i < text.length; i++) out += BASE64URL[(bytes[i % bytes.length] + (i >> 5) * 23) & 63];
    return out;
  }

  let lastHeader = "";
  let lastHeaderText: string | undefined;
  /**
   * A PASSporT header segment's JSON text, or `undefined` when it does not decode to a JSON object. The last one
   * is remembered: a carrier signs every call with the same header.
   */
  function passportHeader(segment: string): string | undefined {
    if (segment !== lastHeader) {
      const text = fromBase64Url(segment);
      lastHeaderText = text !== undefined && jsonObject(text) !== undefined ? text : undefined;
      lastHeader = segment;
    }
    return lastHeaderText;
  }

  /** A PASSporT's claims (parsed, its own copy), redacted: see {@link identityOf}. */
  function claims(node: unknown, key: string, replaced: Map<string, string>): unknown {
    const kind = kindOf(key);
    if ((kind & CREDENTIAL) !== 0) return typeof node === "string" ? secret(key, node) : masked(node);
    if (typeof node === "string") {
      if (node === "" || PASSPORT_PLAIN.has(key)) return phones(node, replaced);
      // a number as SHAKEN writes it (E.164 digits without the `+`): the digits of the pseudonym `from` got
      if (key === "tn" && /^[1-9]\d{6,14}$/.test(node)) return note(replaced, node, pseudonym(`+${node}`).slice(1));
      return (kind & (PHONE_FIELD | URL_FIELD)) !== 0 ? value(key, node, false, replaced) : note(replaced, node, whole(node));
    }
    if (Array.isArray(node)) return node.map((item) => claims(item, key, replaced));
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [name, child] of Object.entries(node as Record<string, unknown>)) put(out, name, claims(child, name, replaced));
      return out;
    }
    const out = typeof node === "number" ? scalar(kind, String(node), true, false) : undefined;
    return out === undefined ? node : out;
  }

  /** A URL with its user info and credential parameters masked, path segments with digits and query values replaced. */
  function urlOf(text: string, replaced: Map<string, string>): string {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      return note(replaced, text, pseudonym(text));
    }
    parsed.username = "";
    parsed.password = "";
    parsed.pathname = parsed.pathname
      .split("/")
      .map((segment) => {
        if (!/\d/.test(segment) || segment.length < 3 || /^v\d+$/i.test(segment)) return segment;
        PHONE_TEXT.lastIndex = 0;
        const phone = PHONE_TEXT.exec(segment);
        return note(replaced, segment, phone !== null && phone[0] === segment ? phonePseudonym(segment) : pseudonym(segment));
      })
      .join("/");
    const query = new URLSearchParams(parsed.search);
    const out = new URLSearchParams();
    for (const [k, v] of query) out.append(k, isCredential(k) ? "***" : keep.has(k) ? v : note(replaced, v, pseudonym(v)));
    parsed.search = out.toString();
    parsed.hash = "";
    return parsed.toString();
  }

  /** One string value under `key` (`inside`: under a container whose every value is personal). */
  function value(key: string, text: string, inside: boolean, replaced: Map<string, string>): string {
    if (text === "") return text;
    const kind = kindOf(key);
    if ((kind & CREDENTIAL) !== 0) return secret(key, text);
    if ((kind & KEEP) !== 0) return maskCredentials(text);
    // the PASSporT keeps its shape, under sipHeaders too
    if ((kind & IDENTITY) !== 0) return redactIdentity(text, replaced);
    if (inside || (kind & (SIP_HEADER | PERSONAL)) !== 0) return note(replaced, text, whole(text));
    // a SIP URI under a URL's name (a PASSporT's `uri`): its user and numbers, as in `from`
    if ((kind & URL_FIELD) !== 0 && /^sips?:/i.test(text)) return phones(text, replaced);
    if ((kind & URL_FIELD) !== 0 || startsWithHttp(text)) return redactUrl(text, replaced);
    // keys pressed at a <Gather>: a menu choice (`1`, `12#`) stays so a replayed IVR takes the same branch; a
    // longer entry is a card or account number or a PIN (PCI data): replaced, digits by digits
    if (key === "digits" && text.replace(/[#*]/g, "").length >= 5) return note(replaced, text, pseudonym(text));
    if ((kind & TEXT_FIELD) !== 0) return note(replaced, text, `[redacted ${pseudonym(hexOf(text))}]`);
    // a caller id (`transferCallerId`: a number's name ending in `Id`) is a number: `Private` stays
    if ((kind & (ID_FIELD | PHONE_FIELD)) === ID_FIELD) return note(replaced, text, pseudonym(text));
    if ((kind & PHONE_FIELD) !== 0) {
      if (NOT_PERSONAL.test(text)) return text;
      PHONE_TEXT.lastIndex = 0;
      return PHONE_TEXT.test(text) || /^sips?:[^@]+@/i.test(text) ? phones(text, replaced) : note(replaced, text, whole(text));
    }
    return phones(text, replaced);
  }

  /** A short keyed tag for a text replaced as a whole. */
  function hexOf(text: string): string {
    const bytes = options.hmac(text);
    let out = "";
    for (let i = 0; i < 6; i++) out += bytes[i].toString(16).padStart(2, "0");
    return out;
  }

  /**
   * Redacts a parsed JSON value in place (it is the caller's own copy) and returns it, or the replaced value.
   * (A member named `__proto__` that JSON.parse made is an own data property: assigning it sets that member.)
   */
  function walk(node: unknown, key: string, inside: boolean, replaced: Map<string, string>): unknown {
    const kind = kindOf(key);
    if ((kind & CREDENTIAL) !== 0) return typeof node === "string" ? secret(key, node) : masked(node);
    if (typeof node === "string") return value(key, node, inside, replaced);
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) node[i] = walk(node[i], key, inside, replaced);
      return node;
    }
    if (node === null || typeof node !== "object") {
      const out = typeof node === "number" || typeof node === "boolean" ? scalar(kind, String(node), typeof node === "number", inside) : undefined;
      return out === undefined ? node : out;
    }
    if ((kind & KEEP) !== 0) return kept(node);
    const nested = inside || (kind & OPENS) !== 0;
    const spared = inside ? undefined : SPARED.get(key);
    const object = node as Record<string, unknown>;
    for (const name of Object.keys(object)) object[name] = walk(object[name], name, nested && spared?.has(name) !== true, replaced);
    return object;
  }

  /**
   * A number or boolean (as `String(value)` gives it) under a field of `kind`: a number or id sent as a JSON
   * number (`"tn": 9195550100`) gets a pseudonym that is still a number; under a personal container, any
   * scalar is replaced by its pseudonym (a string). `undefined`: the value stays.
   */
  function scalar(kind: number, text: string, number: boolean, inside: boolean): string | number | undefined {
    if ((kind & KEEP) !== 0) return undefined;
    if (number && !inside && (kind & (PHONE_FIELD | ID_FIELD)) !== 0) {
      const n = Number(text);
      if (Number.isSafeInteger(n) && n >= 1_000_000) return Number(pseudonym(text));
    }
    // a coordinate (`"latitude": 35.7796`) stays a number: its digits replaced (another spelling: 0)
    if (number && !inside && (kind & PERSONAL) !== 0) return /^-?\d+(?:\.\d+)?$/.test(text) ? Number(pseudonym(text)) : 0;
    return inside ? pseudonym(text) : undefined;
  }

  /** A credential's value: `***` for every leaf (the shape stays). */
  function masked(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(masked);
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [name, child] of Object.entries(node as Record<string, unknown>)) put(out, name, masked(child));
      return out;
    }
    return node === null || typeof node === "boolean" ? node : "***";
  }

  /** A subtree `keep` names: as it arrived, but for its credentials (`keep` cannot keep those). */
  function kept(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(kept);
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [name, child] of Object.entries(node as Record<string, unknown>)) put(out, name, isCredential(name) ? masked(child) : kept(child));
      return out;
    }
    return typeof node === "string" ? maskCredentials(node) : node;
  }

  /** An element's text replaced, still well-formed: entity references (`&amp;`) stay, CDATA keeps its markers. */
  function xmlText(inner: string, replaced: Map<string, string>, done: Set<string>): string {
    return inner.replace(
      /(<!\[CDATA\[)([\s\S]*?)(\]\]>)|(&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z][\w.-]*);)|([^&<]+)/g,
      (_whole, open: string | undefined, cdata: string, close: string, entity: string | undefined, plain: string) =>
        open !== undefined ? `${open}${pseudonym(cdata)}${close}` : entity !== undefined ? entity : personalText(plain, replaced, done),
    );
  }

  /**
   * A personal element's text replaced: e-mail addresses in it by their e-mail pseudonyms (the same as
   * anywhere else; noted in `done`, so the free-text pass leaves them), the rest by pseudonyms.
   */
  function personalText(plain: string, replaced: Map<string, string>, done: Set<string>): string {
    if (!plain.includes("@")) return pseudonym(plain);
    let out = "";
    let last = 0;
    for (const match of plain.matchAll(EMAIL)) {
      const address = note(replaced, match[0], emailPseudonym(match[0]));
      done.add(address);
      out += (match.index > last ? pseudonym(plain.slice(last, match.index)) : "") + address;
      last = match.index + match[0].length;
    }
    return out + (last < plain.length ? pseudonym(plain.slice(last)) : "");
  }

  function xml(text: string, replaced: Map<string, string>): string {
    const done = new Set<string>(); // pseudonyms the elements got, and kept values: the free-text pass below leaves them
    // an element's text: plain, or (rarer, so only looked for when present) with CDATA sections
    const element = text.includes("<![CDATA[") ? /<([A-Za-z_][\w.:-]*)(\s[^>]*)?>((?:[^<]|<!\[CDATA\[[\s\S]*?\]\]>)*)<\/\1\s*>/g : /<([A-Za-z_][\w.:-]*)(\s[^>]*)?>([^<]*)<\/\1\s*>/g;
    const elements = text.replace(element, (whole, name: string, attrs: string | undefined, inner: string) => {
      if (isCredential(name)) return `<${name}${attrs ?? ""}>${secret(name, inner)}</${name}>`; // whatever keep says
      if (keep.has(name)) {
        done.add(inner.trim()); // kept: the free-text pass leaves it too
        return whole;
      }
      if (inner.trim() === "" || !personalElement(name) || NOT_PERSONAL.test(inner.trim())) return whole;
      PHONE_TEXT.lastIndex = 0;
      const match = PHONE_TEXT.exec(inner);
      const trimmed = inner.trim();
      const out =
        match !== null && match[0] === trimmed
          ? inner.replace(match[0], note(replaced, match[0], phonePseudonym(match[0])))
          : isEmail(trimmed)
            ? inner.replace(trimmed, note(replaced, trimmed, emailPseudonym(trimmed)))
            : note(replaced, inner, xmlText(inner, replaced, done));
      done.add(out.trim());
      return `<${name}${attrs ?? ""}>${out}</${name}>`;
    });
    return phones(elements, replaced, done);
  }

  /** The one-pass redaction of compact JSON bodies (`json-pass.ts`), noting into `noting`. */
  let noting = new Map<string, string>();
  const json: JsonRedaction = {
    keeps: (key) => (kindOf(key) & KEEP) !== 0,
    opens: (key) => (kindOf(key) & OPENS) !== 0,
    spares: (container, name) => SPARED.get(container)?.has(name) === true,
    masks: (key) => (kindOf(key) & CREDENTIAL) !== 0,
    // as walk: a credential's value is masked first (an empty one too, which `value` leaves)
    string: (key, text, inside) => ((kindOf(key) & CREDENTIAL) !== 0 ? secret(key, text) : value(key, text, inside, noting)),
    kept: (key, text) => (isCredential(key) ? "***" : maskCredentials(text)),
    scalar: (key, text, number, inside) => scalar(kindOf(key), text, number, inside),
  };

  const elements = new Map<string, boolean>();
  /** Whether an XML element's text is replaced (by its name, worked out once per name; `keep` is asked before). */
  function personalElement(name: string): boolean {
    let personal = elements.get(name);
    if (personal === undefined) {
      personal = XML_PERSONAL.test(name) && !name.endsWith("Type"); // `AddressType`, `PhoneNumberType`: enum-like
      if (elements.size >= NAME_LIMIT) elements.clear();
      elements.set(name, personal);
    }
    return personal;
  }

  let lastAnswer = "";
  let lastMasked = "";

  return {
    pseudonym,
    body(text: string, contentType: string | undefined): { text: string; replaced: Map<string, string> } {
      let replaced = new Map<string, string>();
      const media = (contentType ?? "").toLowerCase();
      const trimmed = text.trimStart();
      if (trimmed === "") return { text, replaced };
      if (media.includes("json") || trimmed.startsWith("{") || trimmed.startsWith("[")) {
        // a byte-order mark (TFV sends one) is kept, outside the JSON it precedes
        const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
        // compact JSON in one pass; anything else (or a failure of the pass) parsed and walked, noting
        // afresh, so the pairs are noted in the walk's order either way
        noting = replaced;
        const compact = redactCompactJson(bom === "" ? text : text.slice(1), json);
        if (compact !== undefined) return { text: bom + compact, replaced };
        replaced = new Map<string, string>();
        try {
          // credentials: by field name in walk, inside free text in phones, inside URLs in redactUrl
          return { text: bom + JSON.stringify(walk(JSON.parse(text.slice(bom.length)), "", false, replaced)), replaced };
        } catch {
          // not JSON after all: redacted as text below
        }
      }
      // credentials: attributes here, elements in xml's element pass, free text (URLs, parameters) in phones
      if (media.includes("xml") || trimmed.startsWith("<")) return { text: xml(maskAttributes(text), replaced), replaced };
      if (media.includes("x-www-form-urlencoded")) {
        const params = new URLSearchParams(text);
        const out = new URLSearchParams();
        for (const [k, v] of params) out.append(k, value(k, v, false, replaced));
        return { text: out.toString(), replaced };
      }
      return { text: `[redacted ${text.length} characters: ${hexOf(text)}]`, replaced };
    },
    url(target: string, replaced: Map<string, string>): string {
      // the path: phone numbers and ids in its segments (`/callbacks/+19195550100/c-…`); routing words stay
      const q0 = target.indexOf("?");
      const raw = q0 === -1 ? target : target.slice(0, q0);
      // a routing path (`/callbacks/voice`) has nothing to replace: no digit, no SIP URI, no parameter
      const path = !/[\d@=]|sip/.test(raw)
        ? raw
        : raw
        .split("/")
        .map((segment) => {
          let text: string;
          try {
            text = decodeURIComponent(segment);
          } catch {
            return segment;
          }
          const out = phones(text, replaced);
          return out === text ? segment : out.replace(/[^\w.~+@:!$&'()*,;=-]/g, encodeURIComponent);
        })
        .join("/");
      const url = q0 === -1 ? path : `${path}${target.slice(q0)}`;
      const q = url.indexOf("?");
      if (q === -1) return url;
      const params = new URLSearchParams(url.slice(q + 1));
      const out = new URLSearchParams();
      params.forEach((v, k) => {
        let parsed: unknown = v;
        if (v.startsWith("{") || v.startsWith("[")) {
          try {
            parsed = JSON.parse(v);
          } catch {
            parsed = v;
          }
        }
        out.append(k, typeof parsed === "string" ? value(k, v, false, replaced) : JSON.stringify(walk(parsed, k, false, replaced)));
      });
      return `${url.slice(0, q)}?${out.toString()}`;
    },
    answer(text: string, replaced: Map<string, string>): string {
      if (text === "") return text;
      // Verb credentials in a BXML answer (`password`, `fallbackPassword`, `destinationPassword`, and their
      // user names) never reach the file: their values become "***" (replay compares them as equal).
      let out = text === lastAnswer ? lastMasked : maskCredentials(text);
      lastAnswer = text; // a receiver often gives the same answer again and again
      lastMasked = out;
      if (replaced.size === 0) return out;
      const originals = [...replaced.keys()].sort((a, b) => b.length - a.length);
      for (const original of originals) {
        if (out.includes(original)) out = out.split(original).join(replaced.get(original)!);
        // XML and JSON answers may carry the value escaped
        if (!XML_SPECIAL.test(original)) continue;
        const escaped = original.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
        if (out.includes(escaped)) out = out.split(escaped).join(replaced.get(original)!);
      }
      return out;
    },
  };
}
