// docs/sockets.md's close-code table and SOCKET_CLOSE_CODES say the same: every code the runtime closes
// with is in the table with its exact reason, and the table lists no code the runtime does not use.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { SOCKET_CLOSE_CODES } from "../generated/sockets.js";
import { REPO_ROOT } from "./support/cli.js";

test("the close-code table of docs/sockets.md matches SOCKET_CLOSE_CODES", () => {
  const doc = readFileSync(join(REPO_ROOT, "docs/sockets.md"), "utf8");
  const section = doc.slice(doc.indexOf("## Close codes"), doc.indexOf("## Backpressure"));
  const rows = [...section.matchAll(/^\| (\d{4}) \| ([^|]+) \|/gm)].map((m): [number, string] => [Number(m[1]), m[2].trim()]);
  const codes = Object.values(SOCKET_CLOSE_CODES).map((c): [number, string] => [c.code, c.reason]);
  assert.deepEqual(rows.sort(), codes.sort());
  for (const [code] of codes) assert.ok(code === 1000 || code === 1001 || code === 1009 || (code >= 4000 && code <= 4999), String(code));
});
