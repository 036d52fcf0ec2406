// A WebSocket upgrade request sent over plain TCP, for tests that read the server's raw HTTP answer (a
// refusal's status and headers) or hold a socket the server must cut. The caller destroys the sockets in
// `opened` after each test.
import { connect as netConnect, type Socket } from "node:net";

/** What came back so far; `ended` turns true when the server closes the connection. */
export interface RawUpgradeState {
  answer: string;
  ended: boolean;
}

/** Sends `GET path` with the upgrade headers and `authorization` to 127.0.0.1:`port`; the socket goes in `opened`. */
export function openRawUpgrade(port: number, path: string, authorization: string, opened: Socket[]): RawUpgradeState {
  const socket = netConnect(port, "127.0.0.1");
  opened.push(socket);
  const state: RawUpgradeState = { answer: "", ended: false };
  socket.on("data", (chunk) => {
    state.answer += chunk.toString("latin1");
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    state.ended = true;
  });
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: ${authorization}\r\n\r\n`,
  );
  return state;
}
