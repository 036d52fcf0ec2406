// README.md's "Simulate a call" transcript is what its own command prints against its own handler
// example (issue 26: it had drifted from what the example answers). generator/readme-transcript.ts
// (`npm run readme-transcript`) writes it from a real run; this test runs the same and compares,
// ignoring only what changes between runs: latencies and the random call id. The same for its voice-AI
// transcript (issue 23): generator/readme-voice-transcript.ts (`npm run readme-voice-transcript`) runs the
// README's command against the echo bot `scaffold --stream` writes, with examples/echo-bot/caller.json.
import assert from "node:assert/strict";
import { test } from "node:test";
import { readmeBlock, readmeTranscript } from "../generator/readme-transcript.js";
import { readmeVoiceBlock, readmeVoiceTranscript } from "../generator/readme-voice-transcript.js";

const normalise = (text: string): string => text.replace(/\b\d+(\.\d+)? ms\b/g, "N ms").replace(/\bc-[0-9a-f-]{20,}\b/g, "c-ID");

test("the README's simulate call transcript is what the README's command prints against the README's example", async () => {
  const block = readmeBlock();
  assert.ok(block !== undefined, "README.md has the transcript block");
  const real = await readmeTranscript();
  assert.equal(normalise(block), normalise(real), "run `npm run readme-transcript` to regenerate it");
});

test("the README's voice-AI transcript (measures included) is what its command prints against the scaffolded echo bot", async () => {
  const block = readmeVoiceBlock();
  assert.ok(block !== undefined, "README.md has the voice-AI transcript block");
  assert.match(block, /^Voice-AI measures:$/m);
  const real = await readmeVoiceTranscript();
  assert.equal(normalise(block), normalise(real), "run `npm run readme-voice-transcript` to regenerate it");
});
