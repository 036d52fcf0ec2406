/**
 * Structural comparison of a recorded answer with a new one (`bw-codegen replay`, `replayCapture`): the
 * status; the media type of an answer with a body (Bandwidth reads BXML sent as `application/xml`: one now
 * sent as `text/html` is a difference; parameters such as the charset are not); an XML body (BXML, numbers replies) element by element: name, attributes (order ignored) and
 * text (surrounding whitespace ignored), so formatting is not a difference and a difference names its
 * element path (`/Response/Gather[1]/SpeakSentence[1]`); a JSON body value by value; anything else as
 * text. Credentials (`maskCredentials` of redact.ts) are masked in both first: stored as `***`, they are
 * no difference; nor is a transcription URL token in an attribute (`destination="wss://…?token=…"`, signed
 * afresh at every call). Edge-safe.
 */

import { parseXml } from "../xml/parser.js";
import type { XmlElement } from "../xml/parser.js";
import type { CapturedAnswer } from "./format.js";
import { isCredentialAttribute, maskCredentials } from "./redact.js";

/** One difference between the recorded answer and the new one. */
export interface AnswerDifference {
  /** `status`, `content-type`, an element path (`/Response/Gather[1]/@maxDigits`, `/Response/SpeakSentence[1]/text()`), a JSON path (`$.reason`) or `body`. */
  readonly path: string;
  readonly recorded: string | undefined;
  readonly actual: string | undefined;
}

const looksXml = (answer: CapturedAnswer): boolean =>
  (answer.contentType ?? "").toLowerCase().includes("xml") || answer.body.trimStart().startsWith("<");
const looksJson = (answer: CapturedAnswer): boolean => (answer.contentType ?? "").toLowerCase().includes("json");

/** The media type of a Content-Type value, lower case, without parameters (undefined: none). */
function mediaType(contentType: string | undefined): string | undefined {
  const type = contentType?.split(";")[0].trim().toLowerCase();
  return type === "" ? undefined : type;
}

function text(element: XmlElement): string {
  return element.nodes
    .filter((node): node is string => typeof node === "string")
    .join("")
    .trim()
    .replace(/\s+/g, " ");
}

/**
 * An attribute value with the value of a URL's transcription token (`?token=…`, signed per call with an
 * expiry: different at every call, and a credential) replaced by `***`, so a `<StartTranscription>`
 * destination compares by everything else.
 */
function withoutToken(value: string | undefined): string | undefined {
  if (value === undefined || !/^(?:wss?|https?):\/\/[^?#]*\?(?:[^#]*&)?token=/i.test(value)) return value;
  return value.replace(/([?&]token=)[^&#]*/gi, "$1***");
}

function compareElements(a: XmlElement | undefined, b: XmlElement | undefined, path: string, out: AnswerDifference[]): void {
  if (a === undefined || b === undefined || a.name !== b.name) {
    out.push({ path, recorded: a === undefined ? undefined : `<${a.name}>`, actual: b === undefined ? undefined : `<${b.name}>` });
    return;
  }
  for (const name of [...new Set([...Object.keys(a.attributes), ...Object.keys(b.attributes)])].sort()) {
    // a verb credential is stored as "***" (capture/redact.ts): any value compares equal to it
    if (isCredentialAttribute(name) && (a.attributes[name] === "***" || b.attributes[name] === "***") && (a.attributes[name] === undefined) === (b.attributes[name] === undefined)) continue;
    if (withoutToken(a.attributes[name]) !== withoutToken(b.attributes[name])) out.push({ path: `${path}/@${name}`, recorded: a.attributes[name], actual: b.attributes[name] });
  }
  const ta = text(a);
  const tb = text(b);
  if (ta !== tb) out.push({ path: `${path}/text()`, recorded: ta, actual: tb });
  const counts = new Map<string, number>();
  const length = Math.max(a.children.length, b.children.length);
  for (let i = 0; i < length; i++) {
    const name = (a.children[i] ?? b.children[i]).name;
    const n = (counts.get(name) ?? 0) + 1;
    counts.set(name, n);
    compareElements(a.children[i], b.children[i], `${path}/${name}[${n}]`, out);
  }
}

function compareJson(a: unknown, b: unknown, path: string, out: AnswerDifference[]): void {
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object" && Array.isArray(a) === Array.isArray(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    for (const key of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort()) {
      compareJson(ao[key], bo[key], Array.isArray(a) ? `${path}[${key}]` : `${path}.${key}`, out);
    }
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, recorded: JSON.stringify(a), actual: JSON.stringify(b) });
}

/**
 * The differences between a recorded answer and a new one (empty: the same answer).
 *
 * @example
 * compareAnswers({ status: 200, contentType: "application/xml", body: "<Response><Hangup/></Response>" },
 *   { status: 200, contentType: "application/xml", body: "<Response>\n  <Pause duration=\"1\"/>\n</Response>" });
 * // [{ path: "/Response/Hangup[1]", recorded: "<Hangup>", actual: "<Pause>" }]
 */
export function compareAnswers(recordedAnswer: CapturedAnswer, actualAnswer: CapturedAnswer): AnswerDifference[] {
  // credentials are stored as *** (capture/redact.ts): both sides are masked alike, so a credential is no difference
  const recorded = { ...recordedAnswer, body: maskCredentials(recordedAnswer.body) };
  const actual = { ...actualAnswer, body: maskCredentials(actualAnswer.body) };
  const out: AnswerDifference[] = [];
  if (recorded.status !== actual.status) out.push({ path: "status", recorded: String(recorded.status), actual: String(actual.status) });
  const recordedType = mediaType(recorded.contentType);
  if (recorded.body.trim() !== "" && recordedType !== undefined && recordedType !== mediaType(actual.contentType)) {
    out.push({ path: "content-type", recorded: recorded.contentType, actual: actual.contentType });
  }
  if (recorded.body.trim() === actual.body.trim()) return out;
  if (looksXml(recorded) && looksXml(actual)) {
    try {
      const a = parseXml(recorded.body);
      const b = parseXml(actual.body);
      compareElements(a, b, `/${a.name}`, out);
      return out;
    } catch {
      // not well-formed: compared as text below
    }
  }
  if (looksJson(recorded) && looksJson(actual)) {
    try {
      compareJson(JSON.parse(recorded.body), JSON.parse(actual.body), "$", out);
      return out;
    } catch {
      // compared as text below
    }
  }
  out.push({ path: "body", recorded: recorded.body, actual: actual.body });
  return out;
}
