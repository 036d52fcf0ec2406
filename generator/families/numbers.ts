// The numbers family: number-subscription notifications and the port-out validation request (XML bodies).
import { xmlRootName } from "../model/detect.js";
import { defineFamily } from "../model/family-definition.js";

const ROOTS = new Set(["Notification", "PortOutValidationRequest"]);

export default defineFamily({
  name: "numbers",
  order: 3,
  description:
    "Number-subscription notifications (one event per OrderType, and the MESSAGING_LOST event notification) and the port-out validation request (XML bodies). MESSAGING_PORTOUT_APPROVAL_STATUS, a webhook subscription type in Bandwidth's spec, is not modelled: no payload for it is published anywhere. A <Notification> naming it takes the unknown-event path (onUnknownEvent, then the family's 200 acknowledgement, in strict mode too).",
  body: "xml",
  // The JSON form of the XML has no root name: order notifications carry OrderType, event notifications
  // EventType, and only the port-out validation request has TelephoneNumbers (the root is checked when
  // parsing XML, against each schema's x-bw.xml.root).
  select: [{ property: "OrderType" }, { property: "EventType" }, { property: "TelephoneNumbers", event: "PortOutValidationRequest" }],
  union: "NumbersNotification",
  eventTypeAlias: "NumbersEventType",
  map: "NumbersNotificationMap",
  handlers: "NumbersHandlers",
  validator: "validateNumbersNotification",
  // OrderType values are one lower-case word on the wire; handlers are named in lowerCamelCase words
  // (the old all-lower-case names stay as deprecated aliases).
  handlerNames: {
    bulkPortins: "bulkPortIns",
    importtnorders: "importTnOrders",
    lsrorders: "lsrOrders",
    portins: "portIns",
    portouts: "portOuts",
    tnoptions: "tnOptions",
  },
  // only notifications with LastModifiedDate are dated; Bandwidth does not retry numbers notifications
  dedupe: { datedBy: ["LastModifiedDate"], resentAfterError: false },
  http: {
    path: "/callbacks/numbers",
    contentTypes: ["application/xml", "text/xml"],
    ackStatus: 200, // numbers notifications: anything but 200 counts as a failure
    failClosed: { export: "numbersFailClosed", module: "./runtime/xml/numbers.js" }, // a port-out validation refused 4xx/5xx is approved: dispute instead
    doc: "Number-subscription notification handlers (XML bodies).",
  },
  reference: { displayName: "Number notifications", product: "Numbers" },
  scaffold: { methods: "POST", what: "number-order and port notifications (XML)" },
  detect: { priority: 20, matches: (text, json) => (json === undefined ? ROOTS.has(xmlRootName(text) ?? "") : false) },
});
