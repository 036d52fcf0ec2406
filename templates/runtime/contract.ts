/**
 * The contract between the generator and the runtime: the shapes both sides name. The generator imports
 * these types (generator/model/) to describe families; the runtime (http/, queue/) reads values of them
 * from the generated modules. One module, so a change to the contract is one change, seen by both.
 */

/** How a family's request body arrives: one JSON event, a JSON array of events (a batch), or an XML document. */
export type WireFormat = "json-object" | "json-array" | "xml";

/** The methods a family can arrive with; a GET carries the fields in the query string. */
export type WebhookMethod = "POST" | "GET";

/**
 * One rule for families whose event is not named by a single property (TFV, BRTC endpoint, numbers).
 * Rules are tried in order; the first that applies names the event:
 * `{ property }` applies when the property is present and names the event by its (string) value;
 * `{ property, event }` applies when the property is present (and not null) and names `event`;
 * `{ event }` always applies (a fallback, last).
 */
export type EventSelectRule = { property: string; event?: string } | { property?: undefined; event: string };

/**
 * What Bandwidth does with the answer to an event: `bxml` (executed on the call), `bxml-or-empty`,
 * `empty` (only acknowledged), `json` (a JSON answer, checked against its schema), or a family-specific
 * kind rendered by the family (`port-out-validation-response`).
 */
export type ResponseKind = "bxml" | "bxml-or-empty" | "empty" | "json" | "port-out-validation-response";

/**
 * Any value but BXML (a document built with bw-codegen/bxml, or a string): what a handler of an event
 * whose reply Bandwidth ignores may produce (a promise is not an object here: `NoReply` checks it as
 * `Promise<NotBxml>`). The value is ignored. BXML does not compile, since Bandwidth
 * would never run it (to change the call, answer a BXML event or use the REST API); a string does not
 * either (it is what BXML looks like): wrap such a call, `async (event) => { await redis.set(...); }`.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a function without a return statement produces void
export type NotBxml = number | boolean | bigint | symbol | null | undefined | void | (object & { readonly toXml?: never; readonly then?: never });

/**
 * What handlers of events without a reply return: nothing, or any value but BXML, sync or async.
 * `(event) => db.insert(event)` compiles (its result is ignored); `() => Response(...)` does not.
 */
export type NoReply = NotBxml | Promise<NotBxml>;
