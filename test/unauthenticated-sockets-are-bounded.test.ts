/**
 * A client without credentials (or with a body over the limit) costs the server a bounded amount of
 * reading and time on EVERY adapter, over real sockets on 127.0.0.1: after the early 401/413 an unsized
 * body gets `Connection: close` and the server closes the socket while the client keeps streaming, and a
 * body announced small but dripped a byte at a time is dropped after the discard deadline (5 s) instead of
 * holding the socket open. The client gives up only after GIVE_UP_MS, a hang limit no loaded machine comes
 * near, so the check is "the server closed it", not a timing.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import type { Socket } from "node:net";
import { ADAPTERS, GOOD_AUTH, newLog, startServer, testOptions } from "./adapter-harness.js";

interface Outcome {
  /** The status line and headers of the first answer, lower-cased. */
  head: string;
  /** The server closed the socket (true), or it was still open when the client gave up (false). */
  closedByServer: boolean;
  /** Milliseconds from the first answer byte to the socket closing (Infinity: still open at the end); for messages. */
  closedAfterMs: number;
  /** Body bytes the client managed to write before the socket closed. */
  written: number;
}

/**
 * Opens a raw socket, sends `head`, then keeps sending body bytes (`chunk` every `everyMs`) until the
 * server closes the socket or `giveUpMs` passes.
 */
function streamUntilClosed(port: number, head: string, chunk: Buffer, everyMs: number, giveUpMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, "127.0.0.1");
    let received = "";
    let answeredAt = 0;
    let written = 0;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearInterval(pump);
      clearTimeout(giveUp);
      const closedByServer = socket.destroyed && answeredAt > 0;
      const closedAfterMs = closedByServer ? Date.now() - answeredAt : Infinity;
      socket.destroy();
      resolve({ head: received.split("\r\n\r\n")[0].toLowerCase(), closedByServer, closedAfterMs, written });
    };
    socket.on("data", (data: Buffer) => {
      if (answeredAt === 0) answeredAt = Date.now();
      received += data.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      socket.destroy();
      finish();
    });
    socket.write(head);
    const pump = setInterval(() => {
      if (socket.destroyed || socket.writableEnded) return;
      if (socket.writableLength < 1024 * 1024) {
        socket.write(chunk);
        written += chunk.length;
      }
    }, everyMs);
    const giveUp = setTimeout(finish, giveUpMs);
  });
}

const CHUNK = Buffer.alloc(64 * 1024, 0x61);
/** The client's give-up: only a server that never closes the socket reaches it. */
const GIVE_UP_MS = 60_000;
const chunked = (data: Buffer): Buffer => Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]);

describe("unauthenticated and over-limit bodies are not read to the end", () => {
  for (const adapter of ADAPTERS) {
    it(`${adapter}: 401 on an endless chunked body → Connection: close, the server closes the socket`, async () => {
      const server = await startServer(adapter, testOptions(newLog()));
      try {
        const head = "POST /callbacks/voice HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        const outcome = await streamUntilClosed(server.port, head, chunked(CHUNK), 1, GIVE_UP_MS);
        assert.match(outcome.head, /^http\/1\.1 401/);
        if (adapter !== "fetch") assert.match(outcome.head, /\r\nconnection: close/);
        assert.ok(outcome.closedByServer, `socket still open ${GIVE_UP_MS} ms after the 401 (${outcome.written} bytes accepted)`);
      } finally {
        await server.close();
      }
    });

    it(`${adapter}: 413 (authenticated, body over the limit, unsized) → the server closes the socket`, async () => {
      const server = await startServer(adapter, testOptions(newLog()));
      try {
        const head = `POST /callbacks/voice HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: ${GOOD_AUTH}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n`;
        const outcome = await streamUntilClosed(server.port, head, chunked(CHUNK), 1, GIVE_UP_MS);
        assert.match(outcome.head, /^http\/1\.1 413/);
        assert.ok(outcome.closedByServer, `socket still open ${GIVE_UP_MS} ms after the 413 (${outcome.written} bytes accepted)`);
      } finally {
        await server.close();
      }
    });

    it(`${adapter}: 401 on a small announced body dripped a byte every 250 ms → the server closes the socket`, async () => {
      const server = await startServer(adapter, testOptions(newLog()));
      try {
        const head = "POST /callbacks/voice HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{";
        const outcome = await streamUntilClosed(server.port, head, Buffer.from(" "), 250, GIVE_UP_MS);
        assert.match(outcome.head, /^http\/1\.1 401/);
        assert.ok(outcome.closedByServer, `socket still open ${GIVE_UP_MS} ms after the 401`);
      } finally {
        await server.close();
      }
    });
  }
});
