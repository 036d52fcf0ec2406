// The `<PortOutValidationResponse>` a customer returns to a port-out validation request: the documented
// error codes, the answer's types and the builder that turns an answer into escaped XML.

import { BandwidthError } from "../errors.js";
import { escapeXmlText } from "./escape.js";

/** Error codes documented for `<PortOutValidationResponse>`, by meaning. */
export const PORT_OUT_ERROR_CODES: {
  readonly accountCodeMissing: 7510;
  readonly accountCodeInvalid: 7511;
  readonly pinMissing: 7512;
  readonly pinInvalid: 7513;
  readonly zipMissing: 7514;
  readonly zipInvalid: 7515;
  readonly telephoneNumberNotOnAccount: 7516;
  readonly tooManyTelephoneNumbers: 7517;
  readonly telephoneNumberNotActive: 7518;
  readonly customerInformationMismatch: 7519;
  readonly invalidRequest: 7598;
  readonly fatalProcessingError: 7599;
} = {
  accountCodeMissing: 7510,
  accountCodeInvalid: 7511,
  pinMissing: 7512,
  pinInvalid: 7513,
  zipMissing: 7514,
  zipInvalid: 7515,
  telephoneNumberNotOnAccount: 7516,
  tooManyTelephoneNumbers: 7517,
  telephoneNumberNotActive: 7518,
  customerInformationMismatch: 7519,
  invalidRequest: 7598,
  fatalProcessingError: 7599,
};

/** A documented port-out error code. 7510–7515, 7519, 7598 send the order to Exception; 7516–7518 cancel it; 7599 (and unknown codes) let the port succeed. */
export type PortOutErrorCode = (typeof PORT_OUT_ERROR_CODES)[keyof typeof PORT_OUT_ERROR_CODES];

/** One reason to dispute a port-out. */
export interface PortOutValidationErrorItem {
  /** Four-digit code; any other four-digit code is sent as given (Bandwidth ignores unknown codes: the port succeeds). */
  code: PortOutErrorCode | (number & {}) | `${number}`;
  /** Explanation, escaped on output. */
  description: string;
}

/** Your answer to a {@link PortOutValidationRequest}, before it is turned into XML. */
export type PortOutValidationAnswer =
  | { portable: true; pon?: string; acceptableValues?: PortOutAcceptableValuesInput }
  | { portable: false; pon?: string; errors: [PortOutValidationErrorItem, ...PortOutValidationErrorItem[]]; acceptableValues?: PortOutAcceptableValuesInput };

/** Values that would have validated (not passed on to the requesting carrier). Return every valid TN. */
export interface PortOutAcceptableValuesInput {
  pin?: string;
  accountNumber?: string;
  zipCode?: string;
  subscriberName?: string;
  telephoneNumbers?: readonly string[];
}

/** Content type to send the response with. */
export const PORT_OUT_RESPONSE_CONTENT_TYPE = "application/xml; charset=utf-8";

function element(name: string, value: string): string {
  return `<${name}>${escapeXmlText(value)}</${name}>`;
}

/**
 * Build the `<PortOutValidationResponse>` document for an answer. Every value is escaped; characters XML
 * cannot carry are refused (an error is thrown), as are a dispute without errors, a PON over 25
 * characters and codes that are not four digits.
 *
 * @example
 * buildPortOutValidationResponse({ portable: true });
 * buildPortOutValidationResponse({ portable: false, pon: request.PON, errors: [{ code: PORT_OUT_ERROR_CODES.pinInvalid, description: "PIN does not match" }] });
 */
export function buildPortOutValidationResponse(answer: PortOutValidationAnswer): string {
  if (typeof answer?.portable !== "boolean") throw new BandwidthError("BW_INVALID_REPLY", "portable must be true or false");
  const parts = ['<?xml version="1.0" encoding="UTF-8"?>', "<PortOutValidationResponse>", element("Portable", String(answer.portable))];
  if (answer.pon !== undefined) {
    if (answer.pon.length > 25) throw new BandwidthError("BW_INVALID_REPLY", `PON must be at most 25 characters; got ${answer.pon.length}`);
    parts.push(element("PON", answer.pon));
  }
  const errors = answer.portable ? [] : answer.errors;
  if (!answer.portable && (!Array.isArray(errors) || errors.length === 0)) {
    throw new BandwidthError("BW_INVALID_REPLY", "a disputed port-out (portable: false) needs at least one error");
  }
  if (errors.length > 0) {
    parts.push("<Errors>");
    for (const e of errors) {
      const code = String(e.code);
      if (!/^[0-9]{4}$/.test(code)) throw new BandwidthError("BW_INVALID_REPLY", `error code must be four digits; got ${JSON.stringify(code)}`);
      parts.push("<Error>", element("Code", code), element("Description", e.description), "</Error>");
    }
    parts.push("</Errors>");
  }
  const av = answer.acceptableValues;
  if (av) {
    parts.push("<AcceptableValues>");
    if (av.pin !== undefined) parts.push(element("Pin", av.pin));
    if (av.accountNumber !== undefined) parts.push(element("AccountNumber", av.accountNumber));
    if (av.zipCode !== undefined) parts.push(element("ZipCode", av.zipCode));
    if (av.subscriberName !== undefined) parts.push(element("SubscriberName", av.subscriberName));
    if (av.telephoneNumbers !== undefined) {
      parts.push("<TelephoneNumbers>");
      for (const tn of av.telephoneNumbers) parts.push(element("TelephoneNumber", tn));
      parts.push("</TelephoneNumbers>");
    }
    parts.push("</AcceptableValues>");
  }
  parts.push("</PortOutValidationResponse>");
  return parts.join("");
}
