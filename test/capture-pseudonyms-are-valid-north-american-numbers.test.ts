// A pseudonymous North American number is still a valid one (area code and exchange start with 2-9), in
// E.164 and in the national shapes that share its digits, so a receiver that checks numbers, or echoes one
// into BXML (`<PhoneNumber>` must match `^\+?[1-9]…`), answers the replayed capture as it answered Bandwidth.
// A fixed key makes the pseudonyms, and so the test, the same on every run.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseCapture } from "../generated/capture.js";
import { captureFolder } from "./support/capture.js";

const { root, createCapture } = captureFolder("bw-capture-nanp-");

test("pseudonyms of +1 numbers and of national numbers keep a valid area code and exchange", async () => {
  const capture = createCapture({ dir: root, key: "a fixed key for this test" });
  try {
    const numbers = Array.from({ length: 60 }, (_, i) => `+1919555${String(1000 + i).padStart(4, "0")}`);
    const nationals = Array.from({ length: 60 }, (_, i) => `704-555-${String(2000 + i)}`);
    capture.record({
      at: Date.now(),
      family: "voice",
      path: "/callbacks/voice",
      method: "POST",
      url: "/callbacks/voice",
      eventType: "initiate",
      contentType: "application/json",
      header: () => undefined,
      body: JSON.stringify({ eventType: "initiate", numbers, tag: nationals.join(" ") }),
      response: { status: 204, headers: {}, body: "" },
      latencyMs: 1,
    });
    const files = await capture.flush();
    const [entry] = parseCapture(readFileSync(files[0], "utf8"));
    const body = JSON.parse(entry.body!) as { numbers: string[]; tag: string };
    assert.equal(body.numbers.length, 60);
    for (const number of body.numbers) assert.match(number, /^\+1[2-9]\d{2}[2-9]\d{6}$/);
    const shaped = body.tag.split(" ");
    assert.equal(shaped.length, 60);
    for (const national of shaped) assert.match(national, /^[2-9]\d{2}-[2-9]\d{2}-\d{4}$/);
  } finally {
    await capture.close();
  }
});
