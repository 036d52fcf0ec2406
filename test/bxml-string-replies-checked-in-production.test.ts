// A BXML reply returned as a string never went through the builder, so it is checked in production too
// (issue 26: it used to be sent as it was): an invalid string answers 500 and reaches onError; a valid one
// is sent; `validateBxml: false` turns the check off. A built document is still checked in development
// only. Over real HTTP on 127.0.0.1. Also: each handler interface's @example (generated/handlers.d.ts) is
// in test/types/handler-doc-examples.ts, which the type check compiles.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { Gather, Response } from "../generated/bxml/index.js";
import { loadCatalog } from "../generator/catalog.js";
import { GOOD_AUTH, PASSWORD, USERNAME, send } from "./adapter-harness.js";
import { REPO_ROOT } from "./support/cli.js";

const catalog = loadCatalog(join(REPO_ROOT, "schemas"));
const answer = JSON.stringify(catalog.events.find((e) => e.family === "voice" && e.event === "answer")!.schema.examples[0]);
const INVALID = '<?xml version="1.0" encoding="UTF-8"?><Response><Gather maxDigits="0"/></Response>';
const VALID = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';

const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))));

/** A receiver created with NODE_ENV=production, answering `answer` with `reply`. */
async function production(reply: () => unknown, validateBxml?: boolean): Promise<{ port: number; errors: string[] }> {
  const errors: string[] = [];
  const before = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    const webhooks = createBandwidthWebhooks({
      credentials: [{ username: USERNAME, password: PASSWORD }],
      ...(validateBxml !== undefined ? { validateBxml } : {}),
      voice: { answer: reply as () => string },
      onError: (error, info) => void errors.push(`${info.kind}: ${(error as Error).message}`),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    const server = createServer(webhooks.node);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return { port: (server.address() as AddressInfo).port, errors };
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
}

const post = (port: number) => send(port, { method: "POST", path: "/callbacks/voice", headers: { authorization: GOOD_AUTH, "content-type": "application/json" }, body: answer });

describe("BXML strings in production", () => {
  it("an invalid string is a 500 reported to onError, not sent", async () => {
    const { port, errors } = await production(() => INVALID);
    const res = await post(port);
    assert.equal(res.status, 500);
    assert.doesNotMatch(res.body, /Gather/);
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^bxml: .*maxDigits/);
  });

  it("a valid string is sent as it is", async () => {
    const { port, errors } = await production(() => VALID);
    const res = await post(port);
    assert.equal(res.status, 200);
    assert.equal(res.body, VALID);
    assert.deepEqual(errors, []);
  });

  it("validateBxml: false sends even an invalid string (the user's explicit choice)", async () => {
    const { port } = await production(() => INVALID, false);
    const res = await post(port);
    assert.equal(res.status, 200);
    assert.equal(res.body, INVALID);
  });

  it("a built document is not re-checked in production (the development check covers it)", async () => {
    const { port, errors } = await production(() => Response(Gather({ maxDigits: 1 })));
    const res = await post(port);
    assert.equal(res.status, 200);
    assert.deepEqual(errors, []);
  });
});

describe("handler interface examples", () => {
  it("every @example of generated/handlers.d.ts is in test/types/handler-doc-examples.ts (compiled by the type check)", () => {
    const declarations = readFileSync(join(REPO_ROOT, "generated", "handlers.d.ts"), "utf8");
    const compiled = readFileSync(join(REPO_ROOT, "test", "types", "handler-doc-examples.ts"), "utf8");
    const blocks = [...declarations.matchAll(/@example\n((?: \*(?: .*)?\n)+?) \*\/\nexport interface (\w+)/g)];
    assert.ok(blocks.length >= 8, `found ${blocks.length} examples`);
    for (const [, block, name] of blocks) {
      const lines = block.split("\n").map((l) => l.replace(/^ \* ?/, "")).filter((l) => l.trim() !== "");
      for (const line of lines) assert.ok(compiled.includes(line.startsWith("import ") ? line : `  ${line}`), `${name}: ${line}`);
    }
  });
});
