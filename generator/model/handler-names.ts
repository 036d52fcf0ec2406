// Handler method names: each event's handler is the lowerCamelCase of its wire name (`message-received`
// → `messageReceived`), unless its family's definition names it in `handlerNames` (Bandwidth's
// all-lower-case OrderType values: `importtnorders` → `importTnOrders`). The plain camelCase a renamed
// handler had before stays a deprecated alias: typed with `@deprecated`, still called by the runtime.
import { camelCase } from "../schema-transforms.js";
import type { FamilyDefinition } from "./family-definition.js";
import { earlierNames, familyByName, families } from "./families.js";

type Named = Pick<FamilyDefinition, "handlerNames">;

/**
 * The handler method name of one event of a family.
 *
 * @example
 * handlerName(familyByName("numbers"), "importtnorders"); // "importTnOrders"
 */
export function handlerName(family: Named, event: string): string {
  const named = family.handlerNames !== undefined && Object.hasOwn(family.handlerNames, event) ? family.handlerNames[event] : undefined;
  return named ?? camelCase(event);
}

/** The deprecated handler names of one event (the camelCase it had before `handlerNames` renamed it), or []. */
export function deprecatedHandlerNames(family: Named, event: string): string[] {
  const before = camelCase(event);
  return handlerName(family, event) === before ? [] : [before];
}

/**
 * Every name a user may give an event by on the command line (`scaffold --events`, `simulate event`):
 * the wire name, the handler name, its deprecated handler names and the names Bandwidth used before.
 */
export function eventNames(familyName: string, event: string, among: readonly FamilyDefinition[] = families): string[] {
  const family = familyByName(familyName, among);
  return [...new Set([event, handlerName(family, event), ...deprecatedHandlerNames(family, event), ...earlierNames(familyName, event, among)])];
}
