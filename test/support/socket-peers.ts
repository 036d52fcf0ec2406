// The socket tests' common clean-up: the HTTP servers and WebSocket clients a test file opens, all closed
// after the file, also when an assertion failed first (clients terminated, then each server's connections
// and the server itself). Call it at the top of the file: its `after` hook runs in the order registered.
import type { Server } from "node:http";
import { after } from "node:test";
import type { WebSocket } from "ws";

/**
 * Lists to push a test file's servers and clients into; all are closed after the file.
 *
 * @example
 * const { servers, clients } = closedAfterTheFile();
 */
export function closedAfterTheFile(): { servers: Server[]; clients: WebSocket[] } {
  const servers: Server[] = [];
  const clients: WebSocket[] = [];
  after(async () => {
    for (const ws of clients) ws.terminate();
    for (const server of servers) {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    }
  });
  return { servers, clients };
}
