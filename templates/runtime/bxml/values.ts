// BXML attribute values: what a rule accepts (for messages), checking a typed value against its rule,
// converting the text of a parsed attribute to its typed value, and writing numbers back as XML text.

import type { AttributeRule, BxmlAttributeValue } from "./rules.js";

/**
 * Describes what an attribute rule accepts.
 *
 * @example
 * expectation({ type: "integer", min: 1, max: 50 }); // "must be an integer from 1 to 50"
 */
export function expectation(rule: AttributeRule): string {
  switch (rule.type) {
    case "boolean":
      return 'must be "true" or "false"';
    case "enum":
      return `must be one of ${rule.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "integer":
    case "number": {
      const what = rule.type === "integer" ? "an integer" : "a number";
      if (rule.min !== undefined && rule.max !== undefined) return `must be ${what} from ${rule.min} to ${rule.max}`;
      if (rule.min !== undefined) return `must be ${what} of at least ${rule.min}`;
      if (rule.max !== undefined) return `must be ${what} of at most ${rule.max}`;
      return `must be ${what}`;
    }
    case "string":
      return rule.message ?? "must be a string";
  }
}

export function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

/**
 * Checks a typed attribute value; returns the problem or undefined. Strings where a number or boolean
 * is expected are problems (the JSON form holds typed values).
 *
 * @example
 * checkValue({ type: "integer", min: 1, max: 50 }, 0); // "must be an integer from 1 to 50, not 0"
 * checkValue({ type: "boolean" }, true);               // undefined
 */
export function checkValue(rule: AttributeRule, value: unknown): string | undefined {
  switch (rule.type) {
    case "string":
      if (typeof value !== "string") return `must be a string, not ${shown(value)}`;
      if (rule.maxLength !== undefined && value.length > rule.maxLength) {
        return `must be at most ${rule.maxLength} characters (has ${value.length})`;
      }
      if (rule.pattern !== undefined && !rule.pattern.test(value)) return `${rule.message ?? `must match ${String(rule.pattern)}`}, not ${shown(value)}`;
      return undefined;
    case "enum":
      return typeof value === "string" && rule.values.includes(value) ? undefined : `${expectation(rule)}, not ${shown(value)}`;
    case "boolean":
      if (typeof value === "boolean") return undefined;
      if (value === "True" || value === "False" || value === "TRUE" || value === "FALSE") {
        return `${expectation(rule)} in lower case, not ${shown(value)} (python-sdk writes Python's True/False; Bandwidth documents only lower case)`;
      }
      return `${expectation(rule)}, not ${shown(value)}`;
    case "integer":
    case "number":
      if (
        typeof value !== "number" ||
        !Number.isFinite(value) ||
        (rule.type === "integer" && !Number.isInteger(value)) ||
        (rule.min !== undefined && value < rule.min) ||
        (rule.max !== undefined && value > rule.max)
      ) {
        return `${expectation(rule)}, not ${shown(value)}`;
      }
      return undefined;
  }
}

const INTEGER_TEXT = /^[+-]?[0-9]+$/;
const DECIMAL_TEXT = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/;

/**
 * Converts an attribute value read from XML to its typed form. Values that do not convert stay
 * strings, so {@link checkValue} reports them with the rule's expectation.
 *
 * @example
 * convertValue({ type: "number" }, "1.5");  // 1.5
 * convertValue({ type: "boolean" }, "True"); // "True" (left for checkValue to report)
 */
export function convertValue(rule: AttributeRule, raw: string): BxmlAttributeValue {
  switch (rule.type) {
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : raw;
    case "integer":
      // an integral decimal ("5.0", as java-sdk's JAXB writes Doubles) is the integer it denotes
      if (INTEGER_TEXT.test(raw)) return Number(raw);
      return DECIMAL_TEXT.test(raw) && Number.isInteger(Number(raw)) ? Number(raw) : raw;
    case "number":
      return DECIMAL_TEXT.test(raw) ? Number(raw) : raw;
    default:
      return raw;
  }
}

/**
 * Writes a number the way Bandwidth reads it: plain decimal notation, never an exponent, and exact
 * (shortest round-trip digits).
 *
 * @example
 * formatNumber(1.5);  // "1.5"
 * formatNumber(1e-7); // "0.0000001"
 */
export function formatNumber(value: number): string {
  const text = String(value);
  if (!text.includes("e")) return text === "-0" ? "0" : text;
  // d.ddde±x → plain digits, keeping exactly the shortest round-trip digits JavaScript chose
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text) as RegExpExecArray;
  const sign = match[1];
  const digits = match[2] + (match[3] ?? "");
  const exponent = Number(match[4]);
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  return sign + (digits.length > exponent + 1 ? `${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}` : digits + "0".repeat(exponent + 1 - digits.length));
}
