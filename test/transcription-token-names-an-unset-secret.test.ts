// docs/sockets.md and the verifier's own example wrote `secrets: [process.env.TOKEN_SECRET!,
// process.env.OLD_TOKEN_SECRET!]`: a newcomer without an old secret got "secrets[1] must be a string or a
// Uint8Array" at start-up, with no hint why. The error now says the entry is undefined (an environment
// variable not set?), and the examples add the old secret only when it is set.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { createTranscriptionTokenVerifier } from "../generated/sockets.js";

describe("an unset transcription secret", () => {
  it("is named as undefined, by index, never by value", () => {
    assert.throws(
      () => createTranscriptionTokenVerifier({ secrets: ["a-secret-of-at-least-16-bytes", undefined as never] }),
      (error: unknown) => error instanceof Error && error.message === "bw-codegen transcription token: secrets[1] must be a string or a Uint8Array (it is undefined: an environment variable not set?)",
    );
    assert.throws(() => createTranscriptionTokenVerifier({ secrets: [42 as never] }), (error: unknown) => error instanceof Error && !error.message.includes("undefined") && !error.message.includes("42"));
  });

  it("the docs' rotation example adds the old secret only when it is set", () => {
    for (const file of ["docs/sockets.md", "templates/runtime/sockets/transcription-token.ts", "docs/api.md"]) {
      const text = readFileSync(new URL(`../${file}`, import.meta.url), "utf8");
      assert.doesNotMatch(text, /process\.env\.OLD_TOKEN_SECRET!/, file);
      assert.match(text, /process\.env\.OLD_TOKEN_SECRET \? \[process\.env\.OLD_TOKEN_SECRET\] : \[\]/, file);
    }
  });
});
