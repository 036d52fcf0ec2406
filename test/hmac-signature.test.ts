// TFV webhook signatures (x-bandwidth-signature-hmac-sha256): known answers computed independently with
// `openssl dgst -sha256 -hmac`, rotation, tampering, and the errors that say what went wrong.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SIGNATURE_HEADER,
  createSignatureVerifier,
  readSignatureHeader,
  signBody,
  verifySignature,
} from "../templates/runtime/auth/hmac.js";

// Known-answer vectors. Each MAC was computed outside this code base with
//   printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET"
const COMPACT = '{"accountId":"9901234","phoneNumber":"+18445550123","status":"VERIFIED","internalTicketNumber":"3f6c1e2a-9b7d-4c58-8e1f-0a2b4c6d8e90"}';
const PRETTY = '{\n  "accountId": "9901234",\n  "phoneNumber": "+18445550123",\n  "status": "VERIFIED"\n}';
const UTF8 = '{"errorMessage":"café ✓"}';
const vectors = [
  { name: "RFC 4231 test case 2", body: "what do ya want for nothing?", secret: "Jefe", mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
  { name: "compact TFV status body", body: COMPACT, secret: "tfv-shared-secret-0001", mac: "936f9a5a6c5726009fbb42f135f60c95fbfaa3491247be0e1ee3f9d970c53932" },
  { name: "pretty-printed body (whitespace is signed)", body: PRETTY, secret: "rotated-secret-key-2026", mac: "0cceedd35038597207b9f90618d928afda5e5e34d60994f541a9ef8bf0c7d37a" },
  { name: "non-ASCII body, signed as UTF-8 bytes", body: UTF8, secret: "tfv-shared-secret-0001", mac: "00ff60af3a0ff7b35d16e4565917e484aa32fb4319f7e709ae1c47272c22a235" },
];

for (const v of vectors) {
  test(`known answer: ${v.name}`, async () => {
    assert.equal(await signBody(v.body, v.secret), v.mac);
    assert.deepEqual(await verifySignature(v.body, v.mac, v.secret), { ok: true, secretIndex: 0 });
    // The same bytes given as Uint8Array and as ArrayBuffer verify too.
    const bytes = new TextEncoder().encode(v.body);
    assert.equal((await verifySignature(bytes, v.mac, v.secret)).ok, true);
    assert.equal((await verifySignature(bytes.buffer, v.mac, v.secret)).ok, true);
  });
}

test("rotation: any configured secret verifies, and the result says which one", async () => {
  const verifier = createSignatureVerifier(["new-secret-key-0002", "rotated-secret-key-2026", "tfv-shared-secret-0001"]);
  assert.deepEqual(await verifier.verify(PRETTY, vectors[2].mac), { ok: true, secretIndex: 1 });
  assert.deepEqual(await verifier.verify(COMPACT, vectors[1].mac), { ok: true, secretIndex: 2 });
});

test("the header is accepted with surrounding spaces and in upper case; a single-element array is one value", async () => {
  assert.equal((await verifySignature(COMPACT, `  ${vectors[1].mac.toUpperCase()} `, "tfv-shared-secret-0001")).ok, true);
  assert.equal((await verifySignature(COMPACT, [vectors[1].mac], "tfv-shared-secret-0001")).ok, true);
});

const failures: { name: string; body: unknown; header: string | string[] | undefined | null; reason: string; says: RegExp }[] = [
  { name: "no header", body: COMPACT, header: undefined, reason: "missing-header", says: /no x-bandwidth-signature-hmac-sha256 header.*sharedSecretKey/ },
  { name: "null header (Headers.get)", body: COMPACT, header: null, reason: "missing-header", says: /no x-bandwidth/ },
  { name: "empty header", body: COMPACT, header: "", reason: "missing-header", says: /no x-bandwidth/ },
  { name: "too short", body: COMPACT, header: vectors[1].mac.slice(0, 63), reason: "malformed-header", says: /64 hexadecimal digits.*63 characters/ },
  { name: "too long", body: COMPACT, header: `${vectors[1].mac}0`, reason: "malformed-header", says: /65 characters/ },
  { name: "not hex", body: COMPACT, header: `g${vectors[1].mac.slice(1)}`, reason: "malformed-header", says: /other than 0-9 and a-f/ },
  { name: "prefixed value", body: COMPACT, header: `sha256=${vectors[1].mac}`, reason: "malformed-header", says: /71 characters/ },
  { name: "header sent twice", body: COMPACT, header: [vectors[1].mac, vectors[1].mac], reason: "malformed-header", says: /sent 2 times/ },
  { name: "one flipped bit in the MAC", body: COMPACT, header: `${vectors[1].mac.slice(0, 63)}3`, reason: "mismatch", says: /does not match.*1 configured secret/ },
  { name: "one changed byte in the body", body: COMPACT.replace("VERIFIED", "VERIFIEd"), header: vectors[1].mac, reason: "mismatch", says: /exact bytes received/ },
  { name: "body re-serialised by a parser (whitespace lost)", body: JSON.stringify(JSON.parse(PRETTY)), header: vectors[2].mac, reason: "mismatch", says: /parsed and serialised again/ },
  { name: "body handed over already parsed", body: JSON.parse(COMPACT), header: vectors[1].mac, reason: "parsed-body", says: /not as the raw bytes received/ },
];

for (const f of failures) {
  test(`rejects: ${f.name} → ${f.reason}`, async () => {
    const secret = f.header === vectors[2].mac ? "rotated-secret-key-2026" : "tfv-shared-secret-0001";
    const result = await verifySignature(f.body as string, f.header, secret);
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.equal(result.reason, f.reason);
    assert.match(result.message, f.says);
  });
}

test("a wrong secret is a mismatch, not a crash; an empty secret list or empty secret is a configuration error", async () => {
  const result = await verifySignature(COMPACT, vectors[1].mac, "some-other-secret-000");
  assert.equal(result.ok, false);
  assert.throws(() => createSignatureVerifier([]), /at least one secret/);
  assert.throws(() => createSignatureVerifier(""), /must not be empty/);
});

test("readSignatureHeader reads Fetch Headers and node:http header records", () => {
  const mac = vectors[1].mac;
  assert.equal(readSignatureHeader(new Headers({ "X-Bandwidth-Signature-HMAC-SHA256": mac })), mac);
  assert.equal(readSignatureHeader({ [SIGNATURE_HEADER]: mac }), mac);
  assert.equal(readSignatureHeader({ "X-Bandwidth-Signature-Hmac-Sha256": mac }), mac);
  assert.equal(readSignatureHeader({ host: "example.com" }), undefined);
  assert.equal(readSignatureHeader(new Headers()), undefined);
});
