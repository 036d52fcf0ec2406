// The scaffolded echo bot (`bw-codegen scaffold --stream`), runnable without an install: the project is
// written to a directory and its node_modules link this checkout (as `bw-codegen`) and the few packages it
// needs. Plus a validating WebSocket relay to put between the simulator and the bot: it passes the
// handshake's Authorization on (and the bot's refusal back), forwards every message and ping both ways, and
// validates each message with the project's stream validator (lenient and strict), so a test sees every
// `start`/`media`/`stop` the simulator sends and every `playAudio`/`clear` the bot answers.
import { mkdirSync, symlinkSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import { buildScaffold, writeScaffold } from "../../generator/cli/scaffold.js";
import { validateStreamMessage } from "../../generated/validators/stream.js";
import { REPO_ROOT } from "./cli.js";

/** Writes the `--stream` node project to `dir` and links what it imports (no npm install). */
export function scaffoldEchoBot(dir: string): void {
  writeScaffold(dir, buildScaffold({ dir, framework: "node", stream: true }), false);
  linkScaffoldModules(dir);
}

/**
 * Links, in a scaffolded project at `dir`, this checkout (as `bw-codegen`) and the packages a scaffolded
 * project needs, with its framework's `packages` (no install).
 *
 * @example
 * linkScaffoldModules(dir, ["express"]);
 */
export function linkScaffoldModules(dir: string, packages: readonly string[] = []): void {
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(REPO_ROOT, join(dir, "node_modules", "bw-codegen"));
  for (const pkg of ["@types", "ws", "typescript", "tsx", ...packages]) symlinkSync(join(REPO_ROOT, "node_modules", pkg), join(dir, "node_modules", pkg));
}

/** One message through the relay, with its validation. */
export interface Relayed {
  readonly from: "simulator" | "bot";
  readonly message: { eventType?: unknown } & Record<string, unknown>;
  readonly ok: boolean;
  readonly strictOk: boolean;
  readonly errors: unknown;
}

export interface StreamRelay {
  /** ws://127.0.0.1:PORT (append the socket's path). */
  readonly origin: string;
  readonly relayed: Relayed[];
  /** Handshakes refused by the bot (status codes). */
  readonly refused: number[];
  close(): Promise<void>;
}

/** A close code that may be sent in a close frame (1005/1006 only describe one). */
const sendable = (code: number): number => (code >= 1000 && code < 5000 && code !== 1005 && code !== 1006 && code !== 1015 ? code : 1000);

/** Starts the relay on 127.0.0.1; each connection is relayed to `target()` + the request's path. */
export async function startStreamRelay(target: () => string): Promise<StreamRelay> {
  const relayed: Relayed[] = [];
  const refused: number[] = [];
  const sockets = new Set<WebSocket>();
  const record = (from: Relayed["from"], data: RawData): void => {
    let message: Relayed["message"];
    try {
      message = JSON.parse(String(data));
    } catch {
      relayed.push({ from, message: { eventType: "(not JSON)" }, ok: false, strictOk: false, errors: String(data).slice(0, 80) });
      return;
    }
    const lenient = validateStreamMessage(message);
    const strict = validateStreamMessage(message, { strict: true });
    relayed.push({ from, message, ok: lenient.ok, strictOk: strict.ok, errors: lenient.ok ? (strict.ok ? undefined : strict.errors) : lenient.errors });
  };
  const server = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ noServer: true, autoPong: false });
  server.on("upgrade", (req, socket, head) => {
    const authorization = req.headers.authorization;
    const upstream = new WebSocket(target() + (req.url ?? "/"), { headers: authorization !== undefined ? { authorization } : {} });
    sockets.add(upstream);
    upstream.once("unexpected-response", (_request, response) => {
      refused.push(response.statusCode ?? 0);
      const challenge = response.headers["www-authenticate"];
      socket.end(`HTTP/1.1 ${response.statusCode} Refused\r\n${challenge ? `www-authenticate: ${challenge}\r\n` : ""}connection: close\r\ncontent-length: 0\r\n\r\n`);
      upstream.terminate();
    });
    upstream.once("error", () => socket.destroy());
    upstream.once("open", () =>
      wss.handleUpgrade(req, socket, head, (client) => {
        sockets.add(client);
        client.on("message", (data, binary) => {
          record("simulator", data);
          upstream.send(data, { binary });
        });
        upstream.on("message", (data, binary) => {
          record("bot", data);
          client.send(data, { binary });
        });
        // the simulator's pings cross to the bot and its pongs come back: the simulated clock waits on the bot
        client.on("ping", (data) => upstream.ping(data));
        upstream.on("pong", (data) => client.pong(data));
        client.on("close", (code, reason) => upstream.close(sendable(code), reason));
        upstream.on("close", (code, reason) => client.close(sendable(code), reason));
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    relayed,
    refused,
    close: async () => {
      for (const socket of sockets) socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
