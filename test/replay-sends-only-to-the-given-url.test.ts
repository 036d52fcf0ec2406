// A capture file is input from anywhere (a colleague, an incident ticket): replay must only ever send to the
// receiver it was given. A recorded `url` that is not a path (`:port/x` after a base URL without a port,
// `.evil.example/x`, `@host/x`, an absolute URL) would, glued to the base URL, name another host: such a delivery is refused (reported as a difference,
// exit 1), never sent, while the capture's ordinary paths still reach the given receiver.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { replayCapture } from "../generated/testing.js";

function server() {
  const seen: string[] = [];
  const s = createServer((request, response) => {
    seen.push(`${request.headers.host} ${request.url}`);
    request.resume();
    request.on("end", () => response.writeHead(204).end());
  });
  return { s, seen };
}

const target = server();
const elsewhere = server();
after(() => {
  for (const { s } of [target, elsewhere]) {
    s.closeAllConnections();
    s.close();
  }
});

const entry = (url: string) => ({
  v: 1 as const,
  at: "2026-12-05T08:00:00.000Z",
  family: "voice",
  event: "initiate",
  method: "POST",
  url,
  headers: { "content-type": "application/json" },
  body: "{}",
  answer: { status: 204, contentType: undefined, body: "" },
  latencyMs: 1,
});

test("replay sends only to the given URL, never to a host named by the capture", async () => {
  await new Promise<void>((resolve) => target.s.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => elsewhere.s.listen(0, "127.0.0.1", resolve));
  const port = (elsewhere.s.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${(target.s.address() as AddressInfo).port}`;
  const hostile = [`@127.0.0.1:${port}/stolen`, `http://127.0.0.1:${port}/stolen`];
  const report = await replayCapture(base, [entry("/callbacks/voice"), ...hostile.map(entry), entry("/callbacks/voice?x=1")]);
  assert.deepEqual(target.seen.map((line) => line.split(" ")[1]), ["/callbacks/voice", "/callbacks/voice?x=1"]);
  assert.equal(report.ok, false);
  for (const result of report.results.slice(1, 3)) assert.match(result.error ?? "", /not a path/, JSON.stringify(result));
  // a base URL without a port: a recorded url ":PORT/…" would give it one (another server), ".x/…" another host name
  const portless = await replayCapture("http://127.0.0.1", [entry(`:${port}/stolen`), entry(".invalid/stolen")]);
  assert.deepEqual(elsewhere.seen, [], "a delivery went to a host named by the capture");
  for (const result of portless.results) assert.match(result.error ?? "", /not a path/, JSON.stringify(result));
});
