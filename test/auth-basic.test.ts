/**
 * Bandwidth's Basic-auth challenge at the unit level: every refusal reason, the exact challenge header,
 * realm quoting, rotation, and configuration errors that never reveal a secret.
 */

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { basicChallenge, createBasicAuth } from "../templates/runtime/auth/basic.js";
import type { AuthResult } from "../templates/runtime/auth/basic.js";
import { createWebhookCore } from "../templates/runtime/http/core.js";
import { coreRequest } from "./support/core-request.js";

const b64 = (value: string | Uint8Array): string => Buffer.from(value).toString("base64");
const pairs = [
  { username: "bandwidth", password: "a:b::c" },
  { username: "rotated", password: "pässwörd 🔑" },
];
const auth = createBasicAuth({ credentials: pairs, realm: "hooks" });

const ROWS: { name: string; header: string | undefined; expect: AuthResult }[] = [
  { name: "absent", header: undefined, expect: { ok: false, reason: "missing" } },
  { name: "empty", header: "", expect: { ok: false, reason: "missing" } },
  { name: "Bearer scheme", header: `Bearer ${b64("bandwidth:a:b::c")}`, expect: { ok: false, reason: "scheme" } },
  { name: "Basicx scheme", header: `Basicx ${b64("bandwidth:a:b::c")}`, expect: { ok: false, reason: "scheme" } },
  { name: "scheme only", header: "Basic ", expect: { ok: false, reason: "scheme" } },
  { name: "tab instead of space", header: `Basic\t${b64("bandwidth:a:b::c")}`, expect: { ok: false, reason: "scheme" } },
  { name: "bad base64 characters", header: "Basic ***", expect: { ok: false, reason: "base64" } },
  { name: "base64url alphabet", header: `Basic ${b64("bandwidth:a:b::c?>").replace(/\+/g, "-").replace(/\//g, "_")}`, expect: { ok: false, reason: "base64" } },
  { name: "impossible length", header: "Basic YWJjZ", expect: { ok: false, reason: "base64" } },
  { name: "three padding characters", header: "Basic YQ===", expect: { ok: false, reason: "base64" } },
  { name: "padding in the middle", header: "Basic YQ==YWJj", expect: { ok: false, reason: "base64" } },
  { name: "longer than 4 KiB decoded", header: `Basic ${b64("x".repeat(5000))}`, expect: { ok: false, reason: "base64" } },
  { name: "non-UTF-8 bytes", header: `Basic ${b64(new Uint8Array([0x61, 0x3a, 0xc3, 0x28]))}`, expect: { ok: false, reason: "utf8" } },
  { name: "no colon", header: `Basic ${b64("bandwidtha")}`, expect: { ok: false, reason: "format" } },
  { name: "empty user", header: `Basic ${b64(":a:b::c")}`, expect: { ok: false, reason: "format" } },
  { name: "empty password", header: `Basic ${b64("bandwidth:")}`, expect: { ok: false, reason: "format" } },
  { name: "wrong user", header: `Basic ${b64("bandwidth2:a:b::c")}`, expect: { ok: false, reason: "mismatch" } },
  { name: "wrong password", header: `Basic ${b64("bandwidth:a:b::d")}`, expect: { ok: false, reason: "mismatch" } },
  { name: "password cut at its first colon", header: `Basic ${b64("bandwidth:a")}`, expect: { ok: false, reason: "mismatch" } },
  { name: "user case differs", header: `Basic ${b64("Bandwidth:a:b::c")}`, expect: { ok: false, reason: "mismatch" } },
  { name: "first pair", header: `Basic ${b64("bandwidth:a:b::c")}`, expect: { ok: true, credentialIndex: 0 } },
  { name: "second pair (rotation), UTF-8 password", header: `Basic ${b64("rotated:pässwörd 🔑")}`, expect: { ok: true, credentialIndex: 1 } },
  { name: "lower-case scheme", header: `basic ${b64("bandwidth:a:b::c")}`, expect: { ok: true, credentialIndex: 0 } },
  { name: "mixed-case scheme, extra spaces", header: `bAsIc   ${b64("bandwidth:a:b::c")}  `, expect: { ok: true, credentialIndex: 0 } },
  { name: "no padding", header: `Basic ${b64("bandwidth:a:b::c").replace(/=+$/, "")}`, expect: { ok: true, credentialIndex: 0 } },
];

describe("createBasicAuth", () => {
  for (const row of ROWS) {
    it(`${row.name} → ${row.expect.ok ? "accepted" : row.expect.reason}`, () => {
      assert.deepEqual(auth.check(row.header), row.expect);
    });
  }

  it("the same pair twice in the list still matches (first index wins)", () => {
    const twice = createBasicAuth({ credentials: [pairs[1], pairs[0], pairs[0]] });
    assert.deepEqual(twice.check(`Basic ${b64("bandwidth:a:b::c")}`), { ok: true, credentialIndex: 1 });
  });

  it("accepts exactly the configured pairs (property: random pairs match themselves and nothing nearby)", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }).filter((u) => !u.includes(":")),
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.string({ minLength: 1, maxLength: 3 }),
        (username, password, noise) => {
          const verifier = createBasicAuth({ credentials: [{ username, password }] });
          assert.equal(verifier.check(`Basic ${b64(`${username}:${password}`)}`).ok, true);
          assert.equal(verifier.check(`Basic ${b64(`${username}:${password}${noise}`)}`).ok, false);
          assert.equal(verifier.check(`Basic ${b64(`${username}${noise}:${password}`)}`).ok, false);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("challenge", () => {
  it("is `Basic realm=\"…\"` with the realm quoted", () => {
    assert.equal(auth.challenge, 'Basic realm="hooks"');
    assert.equal(createBasicAuth({ credentials: pairs }).challenge, 'Basic realm="bandwidth-webhooks"');
    assert.equal(basicChallenge(""), 'Basic realm=""');
  });

  it('escapes " and \\ in the realm', () => {
    assert.equal(basicChallenge('my "app" \\ hooks'), 'Basic realm="my \\"app\\" \\\\ hooks"');
  });

  it("refuses control characters (header injection)", () => {
    assert.throws(() => basicChallenge("a\r\nSet-Cookie: x=1"), /control characters/);
  });
});

describe("configuration errors never contain a secret", () => {
  const cases: { name: string; credentials: unknown; message: RegExp }[] = [
    { name: "empty list", credentials: [], message: /at least one credential pair/ },
    { name: "empty username", credentials: [{ username: "", password: "hunter2-secret" }], message: /credentials\[0\]\.username/ },
    { name: "colon in username", credentials: [{ username: "us:er", password: "hunter2-secret" }], message: /must not contain ':'/ },
    { name: "empty password", credentials: [pairs[0], { username: "hunter2-user", password: "" }], message: /credentials\[1\]\.password/ },
    { name: "non-string password", credentials: [{ username: "u", password: 42 }], message: /credentials\[0\]\.password/ },
    { name: "too long", credentials: [{ username: "u", password: "hunter2-secret".repeat(400) }], message: /longer than 4096 bytes/ },
  ];
  for (const row of cases) {
    it(row.name, () => {
      assert.throws(
        () => createBasicAuth({ credentials: row.credentials as never }),
        (error: Error) => {
          assert.match(error.message, row.message);
          assert.ok(!/hunter2/.test(error.message), "the message must not echo the value");
          return true;
        },
      );
    });
  }
});

describe("running without credentials", () => {
  const family = {
    name: "voice",
    discriminant: "eventType",
    format: "json-object" as const,
    contentTypes: ["application/json"],
    events: {},
    validate: () => ({ ok: true as const, value: {} }),
  };
  const routes = [{ path: "/callbacks/voice", family, handlers: {} }];

  it("is refused unless explicitly opted out", () => {
    assert.throws(() => createWebhookCore({ routes }), /credentials are required.*allowUnauthenticated: true/s);
    assert.throws(() => createWebhookCore({ routes, credentials: [] }), /credentials are required/);
  });

  it("with allowUnauthenticated: true, works and prints a warning once", () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => void warnings.push(m), error: () => {} };
    const core = createWebhookCore({ routes, allowUnauthenticated: true, logger });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /WITHOUT authentication/);
    const route = core.match("/callbacks/voice")!;
    assert.equal(core.check(route, coreRequest(undefined, { authorization: undefined, contentLength: "2" })), undefined);
  });
});
