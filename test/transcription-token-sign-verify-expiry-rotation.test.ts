// Transcription-socket tokens (templates/runtime/sockets/transcription-token.ts): a known answer computed
// outside this code base with openssl, round trips, expiry with the clock skew on both sides, rotation
// (every secret tried, the index reported), tampering with each part, a token for another call, and the
// destination URL the BXML carries. Failures carry a reason, never the token or a secret.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DEFAULT_TOKEN_CLOCK_SKEW_SECONDS,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  MAX_TOKEN_LIFETIME_SECONDS,
  createTranscriptionTokenVerifier,
  signTranscriptionToken,
  transcriptionDestination,
} from "../templates/runtime/sockets/transcription-token.js";

const CALL = "c-2f6a9d14-7c3b81e0-4e5d-49a2-b7f1-93c0de5a2b6f";
const SECRET = "transcription-secret-0001";
const OLD = "transcription-secret-0000";
const T0 = 1_765_000_000; // seconds
const at = (seconds: number) => () => seconds * 1000;

// printf 'bw-codegen transcription-token v1\n<CALL>\n1765000300' | openssl dgst -sha256 -hmac "$SECRET" -binary | basenc --base64url
const KNOWN = `v1.Yy0yZjZhOWQxNC03YzNiODFlMC00ZTVkLTQ5YTItYjdmMS05M2MwZGU1YTJiNmY.1765000300.IUjswsNjNppjU9KHx2Wnn3CK3xgIr8kmZTJ8kQMWy94`;

describe("transcription tokens", () => {
  it("sign writes the known answer (HMAC-SHA-256 over the context, callId and expiry)", async () => {
    assert.equal(DEFAULT_TOKEN_LIFETIME_SECONDS, 300);
    assert.equal(await signTranscriptionToken({ secret: SECRET, callId: CALL, now: at(T0) }), KNOWN);
  });

  it("verify accepts the token until its expiry plus the skew, and names the call", async () => {
    const verifier = (now: number) => createTranscriptionTokenVerifier({ secrets: [SECRET], now: at(now) });
    assert.deepEqual(await verifier(T0).verify(KNOWN), { ok: true, callId: CALL, expiresAt: T0 + 300, secretIndex: 0 });
    assert.equal((await verifier(T0 + 300 + DEFAULT_TOKEN_CLOCK_SKEW_SECONDS).verify(KNOWN)).ok, true);
    assert.deepEqual(await verifier(T0 + 300 + DEFAULT_TOKEN_CLOCK_SKEW_SECONDS + 1).verify(KNOWN), { ok: false, reason: "expired" });
    const strict = createTranscriptionTokenVerifier({ secrets: [SECRET], clockSkewSeconds: 0, now: at(T0 + 301) });
    assert.deepEqual(await strict.verify(KNOWN), { ok: false, reason: "expired" });
  });

  it("a verifier whose clock is behind accepts within the skew; a token from far ahead is refused", async () => {
    // the signer's clock was 1 hour + skew ahead of the verifier's: the expiry lies beyond any lifetime
    const far = await signTranscriptionToken({ secret: SECRET, callId: CALL, expiresInSeconds: MAX_TOKEN_LIFETIME_SECONDS, now: at(T0 + 31) });
    const verifier = createTranscriptionTokenVerifier({ secrets: [SECRET], now: at(T0) });
    assert.deepEqual(await verifier.verify(far), { ok: false, reason: "lifetime" });
    const near = await signTranscriptionToken({ secret: SECRET, callId: CALL, expiresInSeconds: MAX_TOKEN_LIFETIME_SECONDS, now: at(T0 + 30) });
    assert.equal((await verifier.verify(near)).ok, true);
  });

  it("rotation: every configured secret is accepted and reported by index; a retired one is not", async () => {
    const verifier = createTranscriptionTokenVerifier({ secrets: [SECRET, OLD], now: at(T0) });
    const byOld = await signTranscriptionToken({ secret: OLD, callId: CALL, now: at(T0) });
    assert.deepEqual(await verifier.verify(KNOWN), { ok: true, callId: CALL, expiresAt: T0 + 300, secretIndex: 0 });
    assert.deepEqual(await verifier.verify(byOld), { ok: true, callId: CALL, expiresAt: T0 + 300, secretIndex: 1 });
    const retired = createTranscriptionTokenVerifier({ secrets: [SECRET], now: at(T0) });
    assert.deepEqual(await retired.verify(byOld), { ok: false, reason: "mismatch" });
    const bytes = createTranscriptionTokenVerifier({ secrets: [new TextEncoder().encode(SECRET)], now: at(T0) });
    assert.equal((await bytes.verify(KNOWN)).ok, true);
  });

  it("tampering with any part, or a token for another call, is refused", async () => {
    const verifier = createTranscriptionTokenVerifier({ secrets: [SECRET], now: at(T0) });
    const [v, id, exp, mac] = KNOWN.split(".");
    const other = Buffer.from("c-00000000-0000000-other-call").toString("base64url");
    const flip = (text: string, i: number) => text.slice(0, i) + (text[i] === "A" ? "B" : "A") + text.slice(i + 1);
    const cases: Array<[string, string, string]> = [
      ["another call's id, same signature", [v, other, exp, mac].join("."), "mismatch"],
      ["a later expiry, same signature", [v, id, String(Number(exp) + 60), mac].join("."), "mismatch"],
      ["one MAC character changed", [v, id, exp, flip(mac, 5)].join("."), "mismatch"],
      ["last MAC character with spare bits set", [v, id, exp, mac.slice(0, -1) + (mac.endsWith("5") ? "4" : "5")].join("."), "malformed"],
      ["one callId character changed", [v, flip(id, 3), exp, mac].join("."), "mismatch"],
      ["version v2", ["v2", id, exp, mac].join("."), "malformed"],
      ["padded MAC", [v, id, exp, `${mac}=`].join("."), "malformed"],
      ["a character outside base64url in the MAC", [v, id, exp, `+${mac.slice(1)}`].join("."), "malformed"],
      ["a leading zero in the expiry", [v, id, `0${exp}`, mac].join("."), "malformed"],
      ["a fifth part", `${KNOWN}.x`, "malformed"],
      ["an empty callId", [v, "", exp, mac].join("."), "malformed"],
      ["a huge token", `${KNOWN}${"A".repeat(1000)}`, "malformed"],
      ["not a token", "hello", "malformed"],
      ["empty", "", "missing"],
    ];
    for (const [name, token, reason] of cases) {
      assert.deepEqual(await verifier.verify(token), { ok: false, reason }, name);
    }
    assert.deepEqual(await verifier.verify(undefined), { ok: false, reason: "missing" });
    assert.deepEqual(await verifier.verify(null), { ok: false, reason: "missing" });
  });

  it("verifyUrl reads the token query parameter (missing, twice, present)", async () => {
    const verifier = createTranscriptionTokenVerifier({ secrets: [SECRET], now: at(T0) });
    assert.equal((await verifier.verifyUrl(`/sockets/transcription?a=1&token=${KNOWN}`)).ok, true);
    assert.equal((await verifier.verifyUrl(new URL(`wss://bot.example.com/sockets/transcription?token=${KNOWN}`))).ok, true);
    assert.deepEqual(await verifier.verifyUrl("/sockets/transcription"), { ok: false, reason: "missing" });
    assert.deepEqual(await verifier.verifyUrl(`/sockets/transcription?token=${KNOWN}&token=${KNOWN}`), { ok: false, reason: "malformed" });
  });

  it("transcriptionDestination keeps the URL's query and adds the token; refuses ws:// off loopback and credentials in the URL", async () => {
    const url = await transcriptionDestination({ baseUrl: "wss://bot.example.com/sockets/transcription?tenant=7#frag", secret: SECRET, callId: CALL, now: at(T0) });
    assert.equal(url, `wss://bot.example.com/sockets/transcription?tenant=7&token=${KNOWN}`);
    const local = await transcriptionDestination({ baseUrl: "ws://127.0.0.1:8080/t", secret: SECRET, callId: CALL, now: at(T0) });
    assert.equal(local, `ws://127.0.0.1:8080/t?token=${KNOWN}`);
    await assert.rejects(transcriptionDestination({ baseUrl: "ws://bot.example.com/t", secret: SECRET, callId: CALL }), /wss:\/\//);
    await assert.rejects(transcriptionDestination({ baseUrl: "https://bot.example.com/t", secret: SECRET, callId: CALL }), /wss:\/\//);
    await assert.rejects(transcriptionDestination({ baseUrl: "wss://u:p@bot.example.com/t", secret: SECRET, callId: CALL }), /credentials/);
    await assert.rejects(transcriptionDestination({ baseUrl: "not a url", secret: SECRET, callId: CALL }), /absolute/);
  });

  it("configuration errors name the option and never the secret", async () => {
    await assert.rejects(signTranscriptionToken({ secret: "short", callId: CALL }), (error: Error) => /16 bytes/.test(error.message) && !error.message.includes("short"));
    await assert.rejects(signTranscriptionToken({ secret: SECRET, callId: "" }), /callId/);
    await assert.rejects(signTranscriptionToken({ secret: SECRET, callId: CALL, expiresInSeconds: MAX_TOKEN_LIFETIME_SECONDS + 1 }), /expiresInSeconds/);
    await assert.rejects(signTranscriptionToken({ secret: SECRET, callId: CALL, expiresInSeconds: 1.5 }), /expiresInSeconds/);
    assert.throws(() => createTranscriptionTokenVerifier({ secrets: [] }), /at least one secret/);
    assert.throws(() => createTranscriptionTokenVerifier({ secrets: [SECRET, "tiny-secret"] }), (error: Error) => /secrets\[1\]/.test(error.message) && !error.message.includes("tiny"));
    assert.throws(() => createTranscriptionTokenVerifier({ secrets: [SECRET], clockSkewSeconds: -1 }), /clockSkewSeconds/);
  });
});
