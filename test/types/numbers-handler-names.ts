// Type-level test of the numbers handler names (issue 26): this file must compile, and every line marked with
// a ts-expect-error directive must be a compile error. The lowerCamelCase names are typed by their event; the earlier
// all-lower-case names still compile (deprecated: test/numbers-handler-names.test.ts reads their
// `@deprecated` tag and the deprecation TypeScript reports for the `earlier` object below).
import { createBandwidthWebhooks } from "../../generated/index.js";
import type { NumbersHandlers } from "../../generated/handlers.js";
import { Response, SpeakSentence } from "../../generated/bxml/index.js";

export const current: NumbersHandlers = {
  bulkPortIns: (event) => void event.OrderId,
  importTnOrders: (event) => void event.OrderId,
  lsrOrders: (event) => void event.OrderId,
  portIns: (event) => void event.OrderId,
  portOuts: (event) => void event.OrderId,
  tnOptions: (event) => void event.OrderId,
};

export const earlier: NumbersHandlers = {
  bulkPortins: (event) => void event.OrderId,
  importtnorders: (event) => void event.OrderId,
  lsrorders: (event) => void event.OrderId,
  portins: (event) => void event.OrderId,
  portouts: (event) => void event.OrderId,
  tnoptions: (event) => void event.OrderId,
};

export function receivers(): void {
  createBandwidthWebhooks({ credentials: [{ username: "bw", password: "pw" }], numbers: current });
  createBandwidthWebhooks({ credentials: [{ username: "bw", password: "pw" }], numbers: { importTnOrders: (event) => void event.Status } });
  // @ts-expect-error a name in neither style is no handler (excess property)
  createBandwidthWebhooks({ credentials: [{ username: "bw", password: "pw" }], numbers: { importTNOrders: () => undefined } });
  // @ts-expect-error an order notification takes no reply: BXML does not compile under the new name either
  createBandwidthWebhooks({ credentials: [{ username: "bw", password: "pw" }], numbers: { tnOptions: () => Response(SpeakSentence("hi")) } });
}

/** Reading a handler under an earlier name: TypeScript reports each of these as deprecated (strike-through in editors). */
export const readEarlier = [earlier.bulkPortins, earlier.importtnorders, earlier.lsrorders, earlier.portins, earlier.portouts, earlier.tnoptions];
/** The same under the current names: nothing deprecated. */
export const readCurrent = [current.bulkPortIns, current.importTnOrders, current.lsrOrders, current.portIns, current.portOuts, current.tnOptions];
