// The MFA family: multi-factor authentication (2FA) message delivery reports, one JSON object each.
import { isObject } from "../model/detect.js";
import { defineFamily } from "../model/family-definition.js";

export default defineFamily({
  name: "mfa",
  order: 6,
  description: "Multi-factor authentication (2FA) message delivery reports (JSON object).",
  body: "json-object",
  discriminant: "type",
  union: "MfaCallback",
  eventTypeAlias: "MfaEventType",
  map: "MfaCallbackMap",
  handlers: "MfaHandlers",
  validator: "validateMfaCallback",
  dedupe: { datedBy: ["time"] }, // the report carries its time
  http: {
    path: "/callbacks/mfa",
    contentTypes: ["application/json"],
    ackStatus: 200, // no reply contract documented; any 2xx
    doc: "MFA (2FA) delivery report handlers.",
  },
  reference: { displayName: "Multi-factor authentication", product: "Messaging" },
  // A single object with `type` and the 2FA `platform`.
  detect: { priority: 60, matches: (_text, json) => isObject(json) && "type" in json && "platform" in json },
});
