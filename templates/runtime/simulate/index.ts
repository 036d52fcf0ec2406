// Entry point of the call simulator: turns a target (a URL, or an in-process `webhooks.fetch` /
// `webhooks.node` handler) into a transport and runs one simulated call against it. The BXML rules
// table is passed in by the generated `bw-codegen/testing` module (`simulateCall(target, script)`).

import { BandwidthConfigError } from "../errors.js";
import type { BxmlRules } from "../bxml/rules.js";
import type { Transport } from "./client.js";
import { loadCallerFiles } from "./caller-audio.js";
import { runCall } from "./engine.js";
import type { CallScript } from "./script.js";
import type { CallTrace } from "./trace.js";
import type { VoiceApi } from "./voice-api-server.js";

export type { CallScript, TransferScript, RecordScript, ForwardScript, ReferScript, ConnectScript, TargetOutcome } from "./script.js";
export { ScriptError, resolveScript } from "./script.js";
export type { CallTrace, TraceEntry, RequestEntry, VerbEntry, MediaEntry, ProblemEntry, WarningEntry, EndEntry, ApiEntry, SocketEntry } from "./trace.js";
export { startVoiceApi } from "./voice-api-server.js";
export type { VoiceApi, VoiceApiOptions } from "./voice-api-server.js";
export type { MediaScript } from "./media-script.js";
export type { CallerAudioScript, CallerSegment, WavSource } from "./caller-audio.js";
export type { BargeInMeasure, CallAudio, ResponseMeasure, VoiceMeasures } from "./measures.js";
export type { AuthOutcome, Transport } from "./client.js";
export { deliverCallback } from "./client.js";
export { VERBS, SEMANTICS } from "./semantics.js";
export { formatTranscript, formatJsonLines } from "./transcript.js";
export { runCall } from "./engine.js";
export type { EngineOptions } from "./engine.js";

/** A fetch handler (`webhooks.fetch`). */
export type FetchTarget = (request: Request) => Promise<Response>;
/** A node:http listener (`webhooks.node`): `(req, res) => void`. */
export type NodeTarget = (req: never, res: never) => void;

/**
 * What to call: a URL (`http://127.0.0.1:3000/callbacks/voice`), or an in-process handler, bare or as
 * `{ fetch }` / `{ node }` with the path of the voice route (default `/callbacks/voice`). A fetch
 * handler is called directly (no network); a node listener is served on 127.0.0.1 on a free port for
 * the length of the call.
 */
export type SimulationTarget = string | URL | FetchTarget | NodeTarget | { readonly fetch: FetchTarget; readonly path?: string } | { readonly node: NodeTarget; readonly path?: string };

/** The script plus the credentials configured at Bandwidth for the application. */
export interface SimulationOptions extends CallScript {
  readonly username?: string;
  readonly password?: string;
  /**
   * Origins besides the target's own that BXML may send callbacks to (e.g. `["https://status.example.com"]`);
   * callbacks to any other origin, and to schemes other than http(s), are refused (a `url-refused` problem).
   */
  readonly allowOrigins?: readonly string[];
  /** The most bytes read of one answer (default 1 MiB); a longer answer is a failed callback. */
  readonly maxAnswerBytes?: number;
  /**
   * A Voice API stand-in (`startVoiceApi`) the bot may call during this call: events' `callUrl` points at
   * it, and its update-call / update-call-BXML requests change the call as Bandwidth does (`trace.api`).
   */
  readonly voiceApi?: VoiceApi;
}

const DEFAULT_PATH = "/callbacks/voice";
const IN_PROCESS_ORIGIN = "http://bw-simulator.localhost";

interface Resolved {
  transport: Transport;
  url: string;
  close?: () => Promise<void>;
}

async function serveNode(handler: NodeTarget, path: string): Promise<Resolved> {
  const specifier = "node:http"; // loaded only for node listeners: the module stays edge-safe
  const http = (await import(specifier)) as typeof import("node:http");
  const server = http.createServer(handler as unknown as Parameters<typeof http.createServer>[0]);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    transport: (url, init) => fetch(url, init),
    url: `http://127.0.0.1:${port}${path}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

function fetchTransport(handler: FetchTarget): Transport {
  return (url, init) => handler(new Request(url, init));
}

async function resolveTarget(target: SimulationTarget): Promise<Resolved> {
  if (typeof target === "string" || target instanceof URL) {
    return { transport: (url, init) => fetch(url, init), url: String(target) };
  }
  if (typeof target === "function") {
    if (target.length >= 2) return serveNode(target as NodeTarget, DEFAULT_PATH);
    return { transport: fetchTransport(target as FetchTarget), url: IN_PROCESS_ORIGIN + DEFAULT_PATH };
  }
  const path = target.path ?? DEFAULT_PATH;
  if ("fetch" in target) return { transport: fetchTransport(target.fetch), url: IN_PROCESS_ORIGIN + path };
  if ("node" in target) return serveNode(target.node, path);
  throw new BandwidthConfigError("simulateCall: the target must be a URL, a fetch handler or a node:http listener");
}

/**
 * Runs one simulated call with the given rules table. `bw-codegen/testing` exports it bound to the
 * generated rules as `simulateCall(target, script)`.
 */
export async function simulateCallWithRules(rules: BxmlRules, target: SimulationTarget, options: SimulationOptions = {}): Promise<CallTrace> {
  const resolved = await resolveTarget(target);
  try {
    const { username, password, allowOrigins, maxAnswerBytes, voiceApi, ...rest } = options;
    const api = voiceApi !== undefined ? { voiceApi: { core: voiceApi.core, base: voiceApi.url } } : {};
    const script = rest.caller !== undefined ? { ...rest, caller: await loadCallerFiles(rest.caller) } : rest;
    return await runCall({ transport: resolved.transport, rules, url: resolved.url, username, password, allowOrigins, maxAnswerBytes, ...api }, script);
  } finally {
    await resolved.close?.();
  }
}
