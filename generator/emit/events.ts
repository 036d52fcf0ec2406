// Emits generated/events.ts: per family, the table the handler runtime dispatches with
// (event name → handler method, expected response kind, payload type name).
import type { Model } from "../model/build-model.js";
import type { GeneratedFile } from "../generated-file.js";
import { deprecatedHandlerNames, handlerName } from "../model/handler-names.js";

export function emitEvents(model: Model): GeneratedFile[] {
  const parts: string[] = [
    `/** What the handler runtime needs to know about one event. */`,
    `export interface EventInfo {`,
    `  /** Name of the handler method, e.g. \`conferenceMemberJoin\`. */`,
    `  readonly method: string;`,
    `  /** Earlier names of the handler method, still called (deprecated); giving one with \`method\` is a configuration error. */`,
    `  readonly deprecatedMethods?: readonly string[];`,
    `  /** What Bandwidth expects back: \`bxml\` (executed), \`bxml-or-empty\`, or \`empty\` (acknowledge). */`,
    `  readonly response: string;`,
    `  /** Payload interface name. */`,
    `  readonly title: string;`,
    `  /** Where Bandwidth restricts the verbs of the reply: \`conference\` or \`transferAnswer\` BXML. */`,
    `  readonly scope?: string;`,
    `  /** Socket messages: \`receive\` (Bandwidth sends it to your server) or \`send\` (your server sends it). */`,
    `  readonly direction?: "receive" | "send";`,
    `}`,
    ``,
  ];
  for (const family of model.families) {
    const events = family.events;
    if (!events.length) continue;
    const rows = events.map(
      (e) =>
        `  ${JSON.stringify(e.event)}: { method: ${JSON.stringify(handlerName(family, e.event))}${deprecatedMethods(family, e.event)}, response: ${JSON.stringify(e.meta.response ?? "empty")}, title: ${JSON.stringify(e.title)}${typeof e.meta.bxmlScope === "string" ? `, scope: ${JSON.stringify(e.meta.bxmlScope)}` : ""}${e.meta.direction !== undefined ? `, direction: ${JSON.stringify(e.meta.direction)}` : ""} },`,
    );
    // Renamed events are not rows: the validator names them by their current name (families.ts, renames).
    parts.push(`/** ${family.name} events by \`${family.discriminant ?? "name"}\` (current names; earlier names of renamed events are mapped by the validator). */`);
    parts.push(`export const ${family.name}Events: Readonly<Record<string, EventInfo>> = Object.freeze({\n${rows.join("\n")}\n});`, "");
  }
  return [{ path: "events.ts", contents: parts.join("\n"), source: "schemas/**/*.schema.json (x-bw)" }];
}

/** `, deprecatedMethods: [...]` for an event whose handler was renamed, else nothing. */
function deprecatedMethods(family: Model["families"][number], event: string): string {
  const names = deprecatedHandlerNames(family, event);
  return names.length === 0 ? "" : `, deprecatedMethods: ${JSON.stringify(names)}`;
}
