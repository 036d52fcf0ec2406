/**
 * Handler names: an event's handler is found by its method name, or by an earlier name of that method
 * (`deprecatedMethods`, e.g. numbers `importtnorders` for `importTnOrders`) so a user's old handler still
 * runs; a handlers object that gives both names for one event is refused when it is configured.
 */

import { BandwidthConfigError } from "../errors.js";

/** The part of an event-table row that names its handler. */
export interface HandlerNames {
  readonly method: string;
  readonly deprecatedMethods?: readonly string[];
}

/**
 * The handler of one event: `handlers[method]`, else the first deprecated name given a function.
 *
 * @example
 * handlerOf({ importtnorders: fn }, { method: "importTnOrders", deprecatedMethods: ["importtnorders"] }); // fn
 */
export function handlerOf(handlers: Record<string, unknown>, info: HandlerNames): unknown {
  const handler = handlers[info.method];
  if (typeof handler === "function" || info.deprecatedMethods === undefined) return handler;
  for (const name of info.deprecatedMethods) {
    if (typeof handlers[name] === "function") return handlers[name];
  }
  return handler;
}

/**
 * Throws a {@link BandwidthConfigError} when `handlers` gives an event's handler under both its name and
 * a deprecated one (which of the two should run would be a guess).
 *
 * @example
 * refuseDoubleNames("bw-codegen webhooks", "numbers", numbersEvents, options.numbers ?? {});
 */
export function refuseDoubleNames(where: string, family: string, events: Iterable<HandlerNames>, handlers: object): void {
  const given = handlers as Record<string, unknown>;
  for (const info of events) {
    if (info.deprecatedMethods === undefined || typeof given[info.method] !== "function") continue;
    const old = info.deprecatedMethods.find((name) => typeof given[name] === "function");
    if (old !== undefined) {
      throw new BandwidthConfigError(
        `${where}: ${family}.${old} and ${family}.${info.method} are the same handler (${old} is its deprecated name); keep only ${info.method}`,
      );
    }
  }
}
