// Numbers product XML: turns the element tree of a `<Notification>` or `<PortOutValidationRequest>` into
// the JSON form the numbers schemas describe, and renders a handler's reply (the `<PortOutValidationResponse>`
// itself is built by port-out-response.ts). Parsing is done by the project's one XML parser (parser.ts: no DTD, no entity expansion
// beyond the five predefined entities, nothing fetched, size and depth limits).
//
// JSON form (CONTRIBUTING.md, "XML families"): the root's children become properties under their element
// names; text-only elements become trimmed strings (never numbers or booleans); element paths listed as
// arrays are always arrays (even with one or zero elements); other repeated elements become arrays too;
// attributes, comments and processing instructions are ignored.
import { BandwidthError } from "../errors.js";
import { parseXml, XmlParseError, type XmlElement, type XmlParseOptions } from "./parser.js";
import type { ValidateOptions, ValidationResult } from "../validation.js";
import { buildPortOutValidationResponse, PORT_OUT_ERROR_CODES, PORT_OUT_RESPONSE_CONTENT_TYPE, type PortOutValidationAnswer } from "./port-out-response.js";

export {
  PORT_OUT_ERROR_CODES,
  PORT_OUT_RESPONSE_CONTENT_TYPE,
  buildPortOutValidationResponse,
  type PortOutAcceptableValuesInput,
  type PortOutErrorCode,
  type PortOutValidationAnswer,
  type PortOutValidationErrorItem,
} from "./port-out-response.js";

/** Default limits for numbers XML: notifications are small (a few hundred bytes, depth 3). */
export const NUMBERS_XML_LIMITS: Required<XmlParseOptions> = { maxBytes: 256 * 1024, maxDepth: 16 };

/** Key under which non-blank text of an element that also has child elements is kept. */
export const MIXED_TEXT_KEY = "#text";

type JsonForm = { [key: string]: JsonValue };
type JsonValue = string | JsonForm | JsonValue[];

function setOwn(target: JsonForm, key: string, value: JsonValue): void {
  // An element may be called `__proto__`: define it as a plain own property, never touch the prototype.
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function containersOf(arrays: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const path of arrays) {
    const cut = path.lastIndexOf("/");
    const parent = cut < 0 ? "" : path.slice(0, cut);
    const child = cut < 0 ? path : path.slice(cut + 1);
    const list = map.get(parent);
    if (list) list.push(child);
    else map.set(parent, [child]);
  }
  return map;
}

function convert(element: XmlElement, path: string, arrays: ReadonlySet<string>, containers: Map<string, string[]>): JsonValue {
  const arrayChildren = containers.get(path);
  if (element.children.length === 0) {
    // A list element with text instead of child elements stays that text, so the schema reports it.
    const text = element.text.trim();
    if (!arrayChildren || text !== "") return text;
  }
  const out: JsonForm = {};
  for (const name of arrayChildren ?? []) setOwn(out, name, []);
  const repeated = new Set<string>();
  for (const child of element.children) {
    // an element called `__proto__` is dropped (as `__proto__` keys are from JSON bodies): handler code
    // merging the event into another object could otherwise set that object's prototype
    if (child.name === "__proto__") continue;
    const childPath = path === "" ? child.name : `${path}/${child.name}`;
    const value = convert(child, childPath, arrays, containers);
    const existing = Object.hasOwn(out, child.name) ? out[child.name] : undefined;
    if (arrays.has(childPath)) (existing as JsonValue[]).push(value);
    else if (existing === undefined) setOwn(out, child.name, value);
    else if (repeated.has(child.name)) (existing as JsonValue[]).push(value);
    else {
      repeated.add(child.name);
      setOwn(out, child.name, [existing, value]);
    }
  }
  const text = element.text.trim();
  if (text !== "" && element.children.length > 0) setOwn(out, MIXED_TEXT_KEY, text);
  return out;
}

/**
 * Convert a parsed XML element into its JSON form. `arrays` lists element paths relative to `root`
 * (`"CompletedTelephoneNumbers/TelephoneNumber"`) that are always arrays.
 *
 * @example
 * const root = parseXml("<Notification><OrderId>o-1</OrderId><CompletedTelephoneNumbers><TelephoneNumber>9195550142</TelephoneNumber></CompletedTelephoneNumbers></Notification>");
 * xmlToJsonForm(root, ["CompletedTelephoneNumbers/TelephoneNumber"]);
 * // { OrderId: "o-1", CompletedTelephoneNumbers: { TelephoneNumber: ["9195550142"] } }
 */
export function xmlToJsonForm(root: XmlElement, arrays: readonly string[]): Record<string, unknown> {
  const value = convert(root, "", new Set(arrays), containersOf(arrays));
  return typeof value === "string" ? (value === "" ? {} : { [MIXED_TEXT_KEY]: value }) : (value as Record<string, unknown>);
}

/** Result of {@link parseNumbersXml}. */
export type NumbersXmlParse =
  | { ok: true; /** Root element name, e.g. `Notification`. */ root: string; value: Record<string, unknown> }
  | { ok: false; /** Where: `""` (the document), with line:column in the message. */ errors: { path: string; message: string }[] };

/**
 * Parse a numbers XML body safely and map it to its JSON form. `arraysByRoot` gives the always-array
 * element paths per root element name; an unexpected root is reported as an error.
 *
 * @example
 * const parsed = parseNumbersXml(body, { Notification: ["CompletedTelephoneNumbers/TelephoneNumber"] });
 * if (parsed.ok) console.log(parsed.root, parsed.value.OrderType);
 */
export function parseNumbersXml(
  text: string | Uint8Array,
  arraysByRoot: Readonly<Record<string, readonly string[]>>,
  options?: XmlParseOptions,
): NumbersXmlParse {
  let root: XmlElement;
  try {
    root = parseXml(text, { ...NUMBERS_XML_LIMITS, ...options });
  } catch (error) {
    if (error instanceof XmlParseError) return { ok: false, errors: [{ path: "", message: `not accepted as XML: ${error.message}` }] };
    throw error;
  }
  if (!Object.hasOwn(arraysByRoot, root.name)) {
    const known = Object.keys(arraysByRoot).map((n) => `<${n}>`).join(", ");
    return { ok: false, errors: [{ path: "", message: `root element <${root.name}> is not a numbers notification; expected ${known}` }] };
  }
  return { ok: true, root: root.name, value: xmlToJsonForm(root, arraysByRoot[root.name]) };
}

// ---------------------------------------------------------------------------------------------------
// An XML family as the generated validators and the handler runtime use it

/** What the generator knows about an XML family (from each schema's `x-bw.xml`). */
export interface XmlFamilySpec<T> {
  /** Family name for messages, e.g. `numbers`. */
  family: string;
  /** Always-array element paths per accepted root element name. */
  roots: Readonly<Record<string, readonly string[]>>;
  /** Root element name of each event. */
  rootOf: Readonly<Record<string, string>>;
  /** Events that alone have their root and are recognised by one element (event → element name). */
  identifiedBy?: Readonly<Record<string, string>>;
  /** The family's validator of the JSON form (names the event in `type`). */
  validate(input: unknown, options?: ValidateOptions): ValidationResult<T>;
  /** Parser limits (default {@link NUMBERS_XML_LIMITS}). */
  limits?: XmlParseOptions;
}

/** Validation of an XML document: the usual result, plus the root element name when the XML parsed. */
export type XmlValidationResult<T> = ValidationResult<T> & { root?: string };

/** Parsing and validating an XML family's bodies. */
export interface XmlFamily<T> {
  /** Body text → JSON form (for the handler runtime); throws on XML that is refused or has an unexpected root. */
  parseBody(text: string): Record<string, unknown>;
  /** Body text → validated JSON form, or `{ path, message }` errors (XML problems have path `""`). */
  validateXml(text: string | Uint8Array, options?: ValidateOptions): XmlValidationResult<T>;
}

/**
 * Bind an XML family's roots and validator into a body parser and an XML validator.
 *
 * @example
 * const numbers = createXmlFamily({ family: "numbers", roots, rootOf, validate: validateNumbersNotification });
 * const result = numbers.validateXml(body);
 * if (result.ok) console.log(result.type, result.value);
 */
export function createXmlFamily<T>(spec: XmlFamilySpec<T>): XmlFamily<T> {
  const limits = spec.limits ?? NUMBERS_XML_LIMITS;
  function rootMismatch(root: string, type: string | undefined): string | undefined {
    if (type === undefined) return undefined;
    const expected = Object.hasOwn(spec.rootOf, type) ? spec.rootOf[type] : undefined;
    if (expected === undefined || expected === root) return undefined;
    return `a ${spec.family} ${type} document has the root element <${expected}>, not <${root}>`;
  }
  return {
    parseBody(text: string): Record<string, unknown> {
      const parsed = parseNumbersXml(text, spec.roots, limits);
      if (!parsed.ok) throw new BandwidthError("BW_MALFORMED_XML", parsed.errors[0].message);
      const mismatch = rootMismatch(parsed.root, spec.validate(parsed.value).type);
      if (mismatch !== undefined) throw new BandwidthError("BW_INVALID_NOTIFICATION", mismatch);
      return parsed.value;
    },
    validateXml(text: string | Uint8Array, options?: ValidateOptions): XmlValidationResult<T> {
      const parsed = parseNumbersXml(text, spec.roots, limits);
      if (!parsed.ok) return { ok: false, errors: parsed.errors };
      const result = spec.validate(parsed.value, options);
      if (!result.ok && result.type === undefined) {
        // the root says which event this is, but the element that identifies it is missing
        const owners = Object.keys(spec.rootOf).filter((type) => spec.rootOf[type] === parsed.root);
        const element = owners.length === 1 && spec.identifiedBy !== undefined && Object.hasOwn(spec.identifiedBy, owners[0]) ? spec.identifiedBy[owners[0]] : undefined;
        if (element !== undefined) return { ok: false, type: owners[0], root: parsed.root, errors: [{ path: `/${element}`, message: `is required in <${parsed.root}>` }] };
      }
      const mismatch = rootMismatch(parsed.root, result.type);
      if (mismatch !== undefined) return { ok: false, type: result.type, root: parsed.root, errors: [{ path: "", message: mismatch }] };
      return { ...result, root: parsed.root };
    },
  };
}

/**
 * Render a numbers handler's answer for a family-specific response kind: a port-out validation answer
 * (object) is built into XML, a string is sent as it is. Port-out validation **fails closed**: no answer
 * (no `portOutValidationRequest` handler, or one that returns nothing) is not the plain 200, which
 * Bandwidth takes as approval, but a dispute with code 7598 (the order goes to Exception for review, it is
 * neither approved nor cancelled); approve with `{ portable: true }`.
 *
 * @example
 * renderNumbersReply("port-out-validation-response", { portable: true }); // '<?xml …><PortOutValidationResponse>…'
 */
export function renderNumbersReply(kind: string, result: unknown): string | undefined {
  if (result === undefined || result === null) return kind === "port-out-validation-response" ? portOutNotAnswered() : undefined;
  if (typeof result === "string") return result;
  if (kind === "port-out-validation-response" && typeof result === "object") return buildPortOutValidationResponse(result as PortOutValidationAnswer);
  throw new BandwidthError("BW_INVALID_REPLY", `a numbers handler returned ${typeof result} for a ${kind} reply; return a PortOutValidationAnswer object or an XML string`);
}

/** What a port-out validation request nobody answered gets: a dispute (7598), never an approval. */
export const PORT_OUT_NOT_ANSWERED_DESCRIPTION =
  "port-out validation is not answered by this server (no portOutValidationRequest handler, or it returned nothing or failed)";

let notAnswered: string | undefined;
function portOutNotAnswered(): string {
  return (notAnswered ??= buildPortOutValidationResponse({
    portable: false,
    errors: [{ code: PORT_OUT_ERROR_CODES.invalidRequest, description: PORT_OUT_NOT_ANSWERED_DESCRIPTION }],
  }));
}

/** The root element's name at the start of an XML text (after a BOM, the declaration, comments, a DOCTYPE); `undefined` when none is seen. */
export function sniffRootElement(text: string): string | undefined {
  const match = /^\uFEFF?(?:\s|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^[>]*(?:\[[^\]]*\])?\s*>)*<([A-Za-z_][\w.:-]*)/.exec(text);
  return match === null ? undefined : match[1];
}

/**
 * The numbers family's answer in place of a refusal (400, 413, 415, 500…; see `http/fail-closed.ts`): a
 * port-out validation request answered anything but a 200 `<PortOutValidationResponse>` is approved by
 * Bandwidth, so a refused request gets a 7598 dispute (the order goes to Exception for review) unless its
 * body is plainly a `<Notification>` (those keep their refusal: Bandwidth retries a non-200 notification).
 * A refusal made before the body was read (415, an announced 413) cannot be told apart: disputed.
 *
 * @example
 * numbersFailClosed({ status: 400, headers: {}, body: '{"error":"malformed_xml"}' }, "<PortOutValidationRequest><Pin>"); // { contentType, body: '<?xml …<Code>7598</Code>…' }
 */
export function numbersFailClosed(refusal: { readonly status: number; readonly body: string }, text: string | undefined): { contentType: string; body: string } | undefined {
  if (text !== undefined && sniffRootElement(text) === "Notification") return undefined;
  let body: string;
  try {
    body = buildPortOutValidationResponse({
      portable: false,
      errors: [{ code: PORT_OUT_ERROR_CODES.invalidRequest, description: `${PORT_OUT_REFUSED_DESCRIPTION} (${refusalReason(refusal)})` }],
    });
  } catch {
    body = portOutNotAnswered();
  }
  return { contentType: PORT_OUT_RESPONSE_CONTENT_TYPE, body };
}

/** The start of the dispute's description when this server refused the request itself. */
export const PORT_OUT_REFUSED_DESCRIPTION = "port-out validation request refused by this server";

function refusalReason(refusal: { readonly status: number; readonly body: string }): string {
  try {
    const parsed = JSON.parse(refusal.body) as { error?: unknown };
    if (typeof parsed.error === "string" && /^[a-z_]{1,40}$/.test(parsed.error)) return `${refusal.status} ${parsed.error}`;
  } catch {
    // not one of the core's JSON answers
  }
  return String(refusal.status);
}
