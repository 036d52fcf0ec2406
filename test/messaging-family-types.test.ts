// Type-level checks for the non-voice families: this file is type-checked by `npm test`, and each line
// marked as an expected error must be a compile error. Plus runtime checks that the typed values validate.
import { test } from "node:test";
import assert from "node:assert/strict";
import type {
  EndpointHandlers,
  MessagingCallback,
  MessagingHandlers,
  NumbersHandlers,
  NumbersNotification,
  PortInOrderNotification,
  TfvCallback,
  TfvHandlers,
  TfvStatusCallback,
} from "../generated/index.js";
import { validateMessagingCallback } from "../generated/validators/messaging.js";
import { validateNumbersXml } from "../generated/validators/numbers.js";
import { validateTfvCallback } from "../generated/validators/tfv.js";

// Messaging handlers get the event of their type and return nothing.
export const messaging: MessagingHandlers = {
  messageReceived(event) {
    const text: string | undefined = event.message.text;
    const recipients: string[] = event.message.to;
    void text;
    void recipients;
    return undefined;
  },
  messageFailed(event) {
    const code: number | null | undefined = event.errorCode; // optional (Bandwidth's spec does not require it), and nullable (its 2025 specs)
    // @ts-expect-error errorCode may be absent on message-failed (the type says `| undefined`)
    const always: number = event.errorCode;
    // @ts-expect-error errorCode may be null (declared nullable by Bandwidth's 2025 specs: the type says `| null`)
    const present: number | undefined = event.errorCode;
    void code;
    void always;
    void present;
    return undefined;
  },
  // @ts-expect-error messaging events take no reply: a handler cannot return BXML
  messageDelivered: () => "<Response/>",
};

// Narrowing a batch element by `type`.
export function describe(event: MessagingCallback): string {
  // @ts-expect-error eventTime may be absent on message-read (optional in Bandwidth's spec)
  if (event.type === "message-read" && event.time === "") return event.eventTime;
  if (event.type === "message-read") return event.eventTime ?? event.time;
  if (event.type === "suggestion-response") return event.message.suggestionResponse?.postbackData ?? "";
  // @ts-expect-error eventTime exists only on message-read
  return event.eventTime;
}

// Numbers: the port-out validation request must be answered with a typed answer.
export const numbers: NumbersHandlers = {
  portOutValidationRequest(event) {
    const tns: string[] = event.TelephoneNumbers.TelephoneNumber;
    if (tns.length > 10) return { portable: false, errors: [{ code: 7517, description: "Too many numbers" }] };
    return { portable: true, pon: event.PON };
  },
  portIns(event) {
    const status: PortInOrderNotification["Status"] = event.Status;
    void status;
    return undefined;
  },
};
export const disputeWithoutErrors: NumbersHandlers = {
  // @ts-expect-error a dispute (portable: false) needs errors
  portOutValidationRequest: () => ({ portable: false }),
};
export function orderTypeOf(n: NumbersNotification): string {
  // @ts-expect-error the port-out validation request has no OrderType
  return n.OrderType;
}

// TFV: one method per shape; the status is a closed set.
export const tfv: TfvHandlers = {
  status(event) {
    const status: "VERIFIED" | "UNVERIFIED" | "PENDING" = event.status;
    void status;
    return undefined;
  },
  denial(event) {
    const reasons = event.additionalDenialReasons ?? [];
    return reasons.length > 0 ? undefined : undefined;
  },
};
export const badTfv: TfvStatusCallback = {
  accountId: "1",
  phoneNumber: "+18445550123",
  // @ts-expect-error not a TFV status
  status: "APPROVED",
};

// Endpoint: both shapes have their own methods.
export const endpoint: EndpointHandlers = {
  deviceConnected: (event) => void event.device?.deviceId,
  endpointConnected: (event) => void (event.timestamp satisfies number),
};

test("values written against the generated types validate at run time", () => {
  const tfvValue: TfvCallback = { accountId: "1", phoneNumber: "+18445550123", status: "VERIFIED" };
  assert.equal(validateTfvCallback(tfvValue).ok, true);
  const batch: MessagingCallback[] = [
    {
      type: "message-read",
      time: "2026-03-14T17:00:05.000Z",
      eventTime: "2026-03-14T17:00:04.812Z",
      description: "Message read",
      to: "+17045550187",
      message: { id: "m-1", owner: "BW", applicationId: "a", time: "2026-03-14T17:00:00.000Z", segmentCount: 1, direction: "out", to: ["+17045550187"], from: "BW" },
    },
  ];
  assert.equal(validateMessagingCallback(batch).ok, true);
  assert.equal(describe(batch[0]), "2026-03-14T17:00:04.812Z");
  const parsed = validateNumbersXml("<PortOutValidationRequest><TelephoneNumbers><TelephoneNumber>9195550142</TelephoneNumber></TelephoneNumbers></PortOutValidationRequest>");
  assert.equal(parsed.ok, true);
});
