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
