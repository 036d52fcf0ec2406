// A capture file is input from anywhere (a colleague's, an incident ticket's, one whose writer was killed
// mid-line): `parseCapture` (behind replay, fixtures and drift) skips a last line cut short while it was
// written, and refuses, naming the line and what is wrong, an entry whose fields are not what the recorder
// writes (`headers: null`, a body that is no string, an answer without a text body), before anything is sent,
// instead of replay failing half-way with a TypeError. `__proto__` keys stay plain keys.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { parseCapture } from "../generated/capture.js";
import { replayCapture } from "../generated/testing.js";

const good = {
  v: 1,
  at: "2026-12-05T08:00:00.000Z",
  family: "voice",
  event: "initiate",
  method: "POST",
  url: "/callbacks/voice",
  headers: { "content-type": "application/json" },
  body: "{}",
  answer: { status: 204, body: "" },
  latencyMs: 1,
};
const line = (value: unknown): string => `${JSON.stringify(value)}\n`;

test("a last line cut short while it was written is skipped; one in the middle is refused", () => {
  const whole = line(good) + line({ ...good, event: "answer" });
  const cut = whole + line({ ...good, event: "disconnect" }).slice(0, 40);
  assert.deepEqual(parseCapture(cut).map((e) => e.event), ["initiate", "answer"]);
  assert.throws(() => parseCapture(`${line(good).slice(0, 40)}\n${line(good)}`), { code: "BW_INVALID_CAPTURE", message: /line 1: not JSON/ });
});

test("an entry whose fields are not what the recorder writes is refused, naming the line and the field", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...good, headers: null }, /line 2: headers/],
    [{ ...good, headers: { "user-agent": 7 } }, /line 2: headers/],
    [{ ...good, body: { eventType: "initiate" } }, /line 2: body/],
    [{ ...good, answer: { status: 200, body: 5 } }, /line 2: answer\.body/],
    [{ ...good, method: 1 }, /line 2: method/],
    [{ ...good, family: null }, /line 2: family/],
    [["not", "an", "entry"] as unknown as Record<string, unknown>, /line 2: not an object/],
  ];
  for (const [entry, message] of cases) assert.throws(() => parseCapture(line(good) + line(entry)), { code: "BW_INVALID_CAPTURE", message }, JSON.stringify(entry));
});

test("__proto__ keys of a hostile entry stay plain keys", () => {
  const text = line(good).replace('"latencyMs"', '"__proto__":{"polluted":true},"latencyMs"');
  const [entry] = parseCapture(text);
  assert.equal(({} as { polluted?: boolean }).polluted, undefined);
  assert.equal((entry as unknown as { polluted?: boolean }).polluted, undefined);
});

const seen: string[] = [];
const server = createServer((request, response) => {
  seen.push(request.url ?? "");
  request.resume();
  request.on("end", () => response.writeHead(204).end());
});
after(() => {
  server.closeAllConnections();
  server.close();
});

test("replay refuses such a capture before sending anything", async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await assert.rejects(replayCapture(url, line(good) + line({ ...good, headers: null })), { code: "BW_INVALID_CAPTURE" });
  assert.deepEqual(seen, []);
  // and a capture cut short replays what it holds
  const report = await replayCapture(url, line(good) + line(good).slice(0, 30));
  assert.equal(report.results.length, 1);
  assert.equal(report.ok, true);
});
