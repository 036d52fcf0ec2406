// The toll-free verification family: status webhooks with no type field, told apart by their structure.
import { isObject } from "../model/detect.js";
import { defineFamily } from "../model/family-definition.js";

export default defineFamily({
  name: "tfv",
  order: 4,
  description: "Toll-free verification status webhooks (JSON, signed with an HMAC header when a secret is set).",
  body: "json-object",
  // No type field: told apart by structure, in this order (CONTRIBUTING.md, "Families without a const discriminant").
  select: [
    { property: "errorCode", event: "failure" },
    { property: "errorMessage", event: "failure" },
    { property: "errors", event: "failure" },
    { property: "isBadRequest", event: "failure" }, // 2023 failure form
    { property: "declineReasonDescription", event: "denial" },
    { property: "denialReasonDescription", event: "denial" }, // 2023 spelling
    { property: "denialStatusCode", event: "denial" },
    { property: "additionalDenialReasons", event: "denial" },
    { property: "resubmitAllowed", event: "denial" },
    { property: "blocked", event: "blocked" },
    { property: "blockedReason", event: "blocked" },
    { event: "status" },
  ],
  union: "TfvCallback",
  eventTypeAlias: "TfvEventType",
  map: "TfvCallbackMap",
  handlers: "TfvHandlers",
  validator: "validateTfvCallback",
  dedupe: { datedBy: [] }, // TFV webhooks carry no time or id: VERIFIED, UNVERIFIED, VERIFIED again repeats a body byte for byte
  http: {
    path: "/callbacks/tfv",
    contentTypes: ["application/json"],
    ackStatus: 204, // the spec's expected reply
    doc: "Toll-free verification handlers (`status`, `denial`, `failure`, `blocked`).",
    signatureOption: "tfvSignatureSecrets",
  },
  reference: { displayName: "Toll-free verification", product: "Messaging" },
  // No type field: an account, a toll-free number and a status, error or denial.
  detect: {
    priority: 70,
    matches: (_text, json) =>
      isObject(json) &&
      !("eventType" in json) &&
      !("type" in json) &&
      "phoneNumber" in json &&
      ["accountId", "internalTicketNumber", "status", "errorCode", "declineReasonDescription", "denialStatusCode", "blocked"].some((key) => key in json),
  },
});
