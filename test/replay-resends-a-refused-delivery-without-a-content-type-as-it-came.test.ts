// replay resends a delivery the receiver refused as it came (its method, content type, size). One recorded
// without a Content-Type (answered 415) was resent with `text/plain;charset=UTF-8`: fetch gives a string
// body a content type of its own, so a receiver that takes text/plain (or a changed one) was tested with
// another request than the recorded one. The body now goes as bytes: no Content-Type where none came. Against a real HTTP server on 127.0.0.1 that records what arrives.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { replayCapture } from "../generated/testing.js";

const arrived: { contentType: string | undefined; length: string | undefined; body: string }[] = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk: Buffer) => (body += chunk.toString()));
  req.on("end", () => {
    arrived.push({ contentType: req.headers["content-type"], length: req.headers["content-length"], body });
    res.writeHead(415, { "content-type": "application/json" }).end('{"error":"unsupported media type"}');
  });
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const refused = (headers: Record<string, string>, body: string | null) => ({
  v: 1 as const,
  at: "2026-12-05T10:00:00.000Z",
  family: "voice",
  event: undefined,
  method: "POST",
  url: "/callbacks/voice",
  headers,
  body,
  ...(body === null ? { omitted: "not read: answered 415 before the body" } : {}),
  answer: { status: 415, contentType: "application/json", body: '{"error":"unsupported media type"}' },
  latencyMs: 0,
});

test("a refused delivery recorded without a Content-Type is resent without one", async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const report = await replayCapture(base, [refused({}, null)], { username: "u", password: "p" });
  assert.deepEqual(report.results[0].differences, []);
  assert.deepEqual(arrived, [{ contentType: undefined, length: "0", body: "" }]);
});
