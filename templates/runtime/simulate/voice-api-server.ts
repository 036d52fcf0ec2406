// Serves the Voice API stand-in (voice-api.ts) on 127.0.0.1 with node:http, for the length of a test
// or a `bw-codegen simulate call --voice-api PORT` run. node:http is imported when a server starts, so
// the simulator's modules stay loadable on edge runtimes.

import { BandwidthConfigError } from "../errors.js";
import { VoiceApiCore, type VoiceApiCredentials } from "./voice-api.js";

/** Options of {@link startVoiceApi}. */
export interface VoiceApiOptions extends VoiceApiCredentials {
  /** Port on 127.0.0.1 (default 0: a free port, see `url`). */
  readonly port?: number;
}

/** A running Voice API stand-in. Give it to `simulateCall` as `voiceApi`; point the bot at `url`. */
export interface VoiceApi {
  /** The Voice API's base URL, as Bandwidth's `https://voice.bandwidth.com/api/v2`: `http://127.0.0.1:PORT/api/v2`. */
  readonly url: string;
  /** The OAuth2 token endpoint, as Bandwidth's `https://api.bandwidth.com/api/v1/oauth2/token`. */
  readonly tokenUrl: string;
  /** The OAuth2 client id the stand-in accepts. */
  readonly clientId: string;
  /** The logic the simulator hands the call to (internal). */
  readonly core: VoiceApiCore;
  /** Stops the server (open connections are closed). */
  close(): Promise<void>;
}

/** The most bytes read of one request body (a BXML document is at most 64 KB). */
const MAX_REQUEST_BYTES = 1_048_576;

/**
 * Starts a local stand-in for the Voice API calls bots make mid-call (OAuth2 token, update call, update
 * call BXML) on 127.0.0.1. While `simulateCall(target, { voiceApi })` runs, events' `callUrl` points at
 * it and every request shows in the trace (`trace.api`) and changes the simulated call as Bandwidth does.
 *
 * @throws {BandwidthConfigError} without a client id and secret, or for a port outside 0-65535.
 * @example
 * const api = await startVoiceApi({ clientId: "bot", clientSecret: "s3cret" });
 * const bot = createBot({ voiceApiUrl: api.url, tokenUrl: api.tokenUrl, clientId: "bot", clientSecret: "s3cret" });
 * const trace = await simulateCall(bot.webhooks.fetch, { voiceApi: api, digits: ["0"] });
 * trace.api.map((r) => r.action); // ["token", "redirect"]
 * await api.close();
 */
export async function startVoiceApi(options: VoiceApiOptions): Promise<VoiceApi> {
  const core = new VoiceApiCore(options);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new BandwidthConfigError(`startVoiceApi: port must be an integer from 0 to 65535, not ${String(port)}`);
  const specifier = "node:http";
  const http = (await import(specifier)) as typeof import("node:http");
  const server = http.createServer((req, res) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    req.on("data", (chunk: Uint8Array) => {
      size += chunk.byteLength;
      if (size > MAX_REQUEST_BYTES) {
        res.writeHead(413, { "content-type": "application/json", connection: "close" }).end(JSON.stringify({ type: "validation", description: "the request body is too large" }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (res.headersSent) return;
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      const body = new TextDecoder().decode(Buffer.concat(chunks));
      const answer = core.handle({ method: req.method ?? "GET", path: req.url ?? "/", headers, body });
      res.writeHead(answer.status, { ...answer.headers, "content-length": String(Buffer.byteLength(answer.body)) }).end(answer.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const origin = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : port}`;
  return {
    url: `${origin}/api/v2`,
    tokenUrl: `${origin}/api/v1/oauth2/token`,
    clientId: options.clientId,
    core,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
