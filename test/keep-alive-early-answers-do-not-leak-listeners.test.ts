/**
 * A kept-alive connection sees one early answer per delivery (Bandwidth's credential-less first try
 * gets the 401 while its small body is discarded). Each such answer arms a discard deadline; its
 * listeners must go when the body ends, or they pile up on the socket for the life of the connection
 * (node's MaxListenersExceededWarning under load, and a slow leak).
 */

import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

test("30 challenged deliveries with bodies on one kept-alive socket leave no listener behind", async () => {
  const webhooks = createBandwidthWebhooks({ credentials: [{ username: "u", password: "p" }], voice: { answer: () => "<Response/>" }, logger: quiet });
  const server = http.createServer(webhooks.node);
  let serverSocket: net.Socket | undefined;
  server.on("connection", (socket) => {
    serverSocket = socket;
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const client = net.connect(port, "127.0.0.1");
  await once(client, "connect");
  try {
    const body = '{"eventType":"answer"}';
    const request = `POST /callbacks/voice HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    let received = "";
    client.on("data", (chunk) => {
      received += chunk;
    });
    let baseline = -1;
    for (let i = 1; i <= 30; i++) {
      client.write(request);
      while ((received.match(/HTTP\/1\.1 401/g) ?? []).length < i) await once(client, "data");
      await new Promise((resolve) => setImmediate(resolve));
      if (i === 1) baseline = serverSocket?.listenerCount("close") ?? -1;
    }
    assert.ok(baseline >= 0, "the server saw the connection");
    assert.equal(serverSocket?.listenerCount("close"), baseline, "the close listeners did not grow with the requests");
    assert.ok(!/connection: close/i.test(received), "the connection stayed alive throughout");
  } finally {
    client.destroy();
    server.close();
  }
});
