// What a callback family is, in one place: the shape of its requests, how it is served over HTTP, how
// the reference page groups it, what `scaffold` and `validate --kind auto` need to know. One definition
// file per family in generator/families/ (loaded by ./families.ts); every emitter and CLI command reads
// families through the model built from these (./build-model.ts), never from each other's output.
import type { EventSelectRule, WebhookMethod, WireFormat } from "../../templates/runtime/contract.js";

/** How the family is served by `createBandwidthWebhooks` (absent: schemas, types and validators only). */
export interface FamilyHttp {
  /** Default route path, e.g. `/callbacks/voice`. */
  readonly path: string;
  /** Accepted media types (lower case; `+json` / `+xml` suffixes are accepted too). */
  readonly contentTypes: readonly string[];
  /** Status of a plain acknowledgement. */
  readonly ackStatus: number;
  /** Methods the family arrives with (default POST); a GET carries the fields in the query string. */
  readonly methods?: readonly WebhookMethod[];
  /** The sender stops waiting after this many ms: the handler timeout never exceeds it. */
  readonly maxTimeoutMs?: number;
  /** One sentence for the handler option's JSDoc. */
  readonly doc: string;
  /** Signed families (TFV): the option naming the HMAC secrets; when given, every POST must carry a valid signature. */
  readonly signatureOption?: string;
  /**
   * Families whose sender reads a refusal as consent (numbers: port-out validation): the runtime export,
   * and its module under generated/, that answers in place of a 4xx/5xx (`WebhookFamily.failClosed`).
   */
  readonly failClosed?: { readonly export: string; readonly module: string };
}

/**
 * How a WebSocket family's opening handshake proves it comes from Bandwidth: `basic` (the verb's
 * `destinationUsername`/`destinationPassword`, sent as HTTP Basic in the `Authorization` header of the
 * upgrade request, up front), or `url-token` (the verb has no credential attribute: a secret, expiring
 * token the runtime signs goes in the destination URL's query parameter `query`).
 */
export type SocketAuth = { readonly kind: "basic" } | { readonly kind: "url-token"; readonly query: string };

/**
 * A WebSocket family: JSON text frames on a socket Bandwidth opens to your server because a BXML verb
 * named it (`<StartStream destination="wss://…">`). Instead of `http`: such a family is typed and
 * validated like the others, but it is no webhook (not in the OpenAPI document, the webhook receiver,
 * the queue worker, scaffold or `simulate event`); it is described by the AsyncAPI document instead.
 * Every event schema of the family says its `x-bw.direction` (`receive` or `send`, as seen from your server).
 */
export interface FamilySocket {
  /** The BXML verb whose `destination` attribute opens the socket. */
  readonly opener: string;
  /** Default path the socket runtime serves it at, e.g. `/sockets/stream` (the AsyncAPI channel address). */
  readonly path: string;
  /** How the opening handshake is authenticated. */
  readonly auth: SocketAuth;
  /** Every message, in the order it occurs on the socket (what arrives first to last, then what your server sends): the AsyncAPI document, the docs page and the direction unions list them so. */
  readonly flow: readonly string[];
  /** Name of the union type of the messages your server receives (generated when the family has both directions). */
  readonly receiveUnion?: string;
  /** Name of the union type of the messages your server may send. */
  readonly sendUnion?: string;
  /** Channel title (AsyncAPI, docs page). */
  readonly title: string;
  /** A paragraph for the AsyncAPI channel and the docs page: when the socket opens, what flows, when it closes. */
  readonly doc: string;
}

/** Where the family sits in the published reference (the OpenAPI tag and its product group). */
export interface FamilyReference {
  readonly displayName: string;
  readonly product: "Voice" | "Messaging" | "Numbers";
}

/** The route a scaffolded receiver serves for the family (absent: `scaffold` leaves it out). */
export interface FamilyScaffold {
  /** Methods as the scaffold's README and start-up log list them, e.g. `POST, GET`. */
  readonly methods: string;
  /** What arrives there, for the README's route table. */
  readonly what: string;
}

/** How `bw-codegen validate --kind auto` recognises a document of the family. */
export interface FamilyDetection {
  /** Lower runs first: the most specific families are tried before the catch-alls (voice last). */
  readonly priority: number;
  /** True when the document looks like this family; `json` is the parsed value, or undefined when the text is not JSON. */
  matches(text: string, json: unknown): boolean;
}

/** One earlier name of an event. */
export interface EventRename {
  /** The name Bandwidth used before. */
  readonly from: string;
  /** The current name: an event of the family (its schema's `x-bw.event`). */
  readonly to: string;
  /** Where and when the earlier name was used, in a few words. */
  readonly source: string;
}

/** One callback family. */
export interface FamilyDefinition {
  /** Folder under schemas/ and the `x-bw.family` value. */
  readonly name: string;
  /** Position in every listing (types, reference, CLI); lower first. */
  readonly order: number;
  /** One line for docs and the OpenAPI tag. */
  readonly description: string;
  /** How the request body arrives. */
  readonly body: WireFormat;
  /** Property whose value names the event (`eventType`, `type`); undefined for families discriminated otherwise. */
  readonly discriminant?: string;
  /**
   * Families whose event is not named by one property: ordered selection rules, the first that applies
   * names the event (TFV by structure, BRTC endpoint by `eventType` or `event`, numbers by `OrderType`
   * or `EventType`). See `EventSelectRule` in templates/runtime/contract.ts and CONTRIBUTING.md.
   */
  readonly select?: readonly EventSelectRule[];
  /** Name of the union type of all events of the family. */
  readonly union: string;
  /** Name of the event-type string union. */
  readonly eventTypeAlias: string;
  /** Name of the event → interface map type. */
  readonly map: string;
  /** Name of the handler interface (one optional method per event). Socket families: reserved for the socket runtime, not emitted yet. */
  readonly handlers: string;
  /** Name of the exported validator function (for `json-array` families: of one element). */
  readonly validator: string;
  /** `json-array` families: name of the exported validator of a whole request body (the array). */
  readonly batchValidator?: string;
  /**
   * Events Bandwidth has renamed: every earlier name it has used (in a spec, an SDK or a docs page) for
   * one of the family's events. An event arriving under an earlier name is validated by the current
   * schema, handled by the current handler (`context.receivedEventType` holds the name that arrived) and
   * reported once as drift. Payloads do not change the day a spec does, so an old name is never dropped.
   */
  readonly renames?: readonly EventRename[];
  /**
   * Handler method names that are not the camelCase of the event's wire name: event → name, in
   * lowerCamelCase words (Bandwidth's OrderType values are all lower case: `importtnorders` →
   * `importTnOrders`). The camelCase name the handler had before stays a deprecated alias: its method is
   * typed with `@deprecated` and still called; giving both is a configuration error. See
   * generator/model/handler-names.ts.
   */
  readonly handlerNames?: Readonly<Record<string, string>>;
  /**
   * At-least-once delivery: the fields (dotted paths) that date an event. An event's dedupe key (and its
   * job id in the queue) is its whole canonical JSON, given only to events that carry one of these: without
   * a date, two byte-identical deliveries may be two real events, so they are never deduplicated. `[]`:
   * the family's events are never deduplicated. Absent: the family has no async events (its replies are
   * awaited), never deduplicated either. CONTRIBUTING.md has the table and the reasons.
   */
  readonly dedupe?: {
    readonly datedBy: readonly string[];
    /**
     * `false` when Bandwidth does not resend an async event it got a 5xx for (voice: only after a
     * connection error; numbers notifications: never). When the dedupe store cannot be asked (unreachable
     * or full), such an event is then handled without dedupe rather than answered 503, which would lose it.
     * Absent: resent (messaging: for 24 h), so a 503 is a retry later.
     */
    readonly resentAfterError?: false;
  };
  readonly http?: FamilyHttp;
  /** A WebSocket family (media streams, real-time transcription): instead of `http`, never with it. */
  readonly socket?: FamilySocket;
  readonly reference: FamilyReference;
  readonly scaffold?: FamilyScaffold;
  readonly detect?: FamilyDetection;
}

/** Identity, typed: lets a definition file be checked against {@link FamilyDefinition} where it is written. */
export function defineFamily<const T extends FamilyDefinition>(definition: T): T {
  return definition;
}
