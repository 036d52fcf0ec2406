/**
 * The route table: compiles the mounted families into per-route state (accepted methods and media
 * types, event table, acknowledgement, timeout) and matches a request target to its route.
 */

import { BandwidthConfigError } from "../errors.js";
import { handlerOf, refuseDoubleNames } from "./handler-names.js";
import { ack, methodNotAllowed } from "./responses.js";
import type { CoreResponse, CoreRoute, FamilyEventInfo, WebhookRoute } from "./types.js";

/** Compiled per-route state. */
export interface RouteState extends CoreRoute {
  readonly events: Map<string, FamilyEventInfo>;
  readonly handlers: Record<string, unknown>;
  readonly ack: CoreResponse;
  readonly accepts: (mediaType: string) => boolean;
  readonly acceptsPost: boolean;
  readonly acceptsGet: boolean;
  readonly methodNotAllowed: CoreResponse;
  /** The handler timeout: `timeoutMs`, or less when the family's sender gives up sooner. */
  readonly timeoutMs: number;
}

/** The compiled routes, in mounting order and by path. */
export interface RouteTable {
  readonly routes: RouteState[];
  readonly byPath: Map<string, RouteState>;
}

function compileRoute(route: WebhookRoute, path: string, timeoutMs: number): RouteState {
  const family = route.family;
  const accepted = new Set(family.contentTypes.map((type) => type.toLowerCase()));
  const suffix = family.format === "xml" ? "+xml" : "+json";
  const methods = family.methods ?? ["POST"];
  return {
    path,
    family,
    events: new Map(Object.entries(family.events)),
    handlers: (route.handlers ?? {}) as Record<string, unknown>,
    ack: ack(family.ackStatus ?? 204),
    accepts: (mediaType: string): boolean => accepted.has(mediaType) || mediaType.endsWith(suffix),
    acceptsPost: methods.includes("POST"),
    acceptsGet: methods.includes("GET"),
    methodNotAllowed: methodNotAllowed(methods),
    timeoutMs: family.maxTimeoutMs !== undefined && family.maxTimeoutMs < timeoutMs ? family.maxTimeoutMs : timeoutMs,
  };
}

/** With a queue, the receiver must not also handle the events the worker handles: refused at construction. */
function refuseQueuedHandlers(state: RouteState): void {
  for (const info of state.events.values()) {
    if (info.response === "empty" && typeof handlerOf(state.handlers, info) === "function") {
      const given = typeof state.handlers[info.method] === "function" ? info.method : (info.deprecatedMethods ?? []).find((name) => typeof state.handlers[name] === "function");
      throw new BandwidthConfigError(`bw-codegen webhooks: ${state.family.name}.${given} is handled by the queue's worker when queue is set; move it to createBandwidthWorker`);
    }
  }
}

/**
 * Compiles the routes; throws on a bad path, an XML family without a parser, two families on one path,
 * a handler given under both its name and its deprecated name, or (`queued`) a receiver handler for an event the queue's worker handles.
 */
export function compileRoutes(mounted: readonly WebhookRoute[], timeoutMs: number, queued = false): RouteTable {
  const byPath = new Map<string, RouteState>();
  const routes: RouteState[] = [];
  for (const route of mounted) {
    const family = route.family;
    if (typeof route.path !== "string" || !route.path.startsWith("/")) {
      throw new BandwidthConfigError(`bw-codegen webhooks: the ${family.name} route path must start with '/'`);
    }
    if (family.format === "xml" && typeof family.parseBody !== "function") {
      throw new BandwidthConfigError(`bw-codegen webhooks: the ${family.name} family needs parseBody (XML)`);
    }
    const path = route.path.length > 1 && route.path.endsWith("/") ? route.path.slice(0, -1) : route.path;
    if (byPath.has(path)) throw new BandwidthConfigError(`bw-codegen webhooks: two families are mounted on ${path}`);
    const state = compileRoute(route, path, timeoutMs);
    refuseDoubleNames("bw-codegen webhooks", family.name, state.events.values(), state.handlers);
    if (queued) refuseQueuedHandlers(state);
    byPath.set(path, state);
    routes.push(state);
  }
  return { routes, byPath };
}

/** The route for a request target (path + optional query), ignoring one trailing slash; `undefined` = not ours. */
export function matchRoute(byPath: Map<string, RouteState>, url: string): RouteState | undefined {
  const q = url.indexOf("?");
  let path = q < 0 ? url : url.slice(0, q);
  let route = byPath.get(path);
  if (route === undefined && path.length > 1 && path.charCodeAt(path.length - 1) === 0x2f) {
    path = path.slice(0, -1);
    route = byPath.get(path);
  }
  return route;
}
