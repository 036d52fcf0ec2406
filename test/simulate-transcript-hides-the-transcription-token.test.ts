// The transcription socket's URL token (`<StartTranscription destination="wss://…?token=v1.…">`, signed per
// call: it opens that call's transcription socket until it expires) was printed whole by `simulate call`,
// three times (the answer's BXML, the verb, the socket's start line), and in the --json lines. The
// transcript and the JSON lines now show `token=***`, as they show `password="***"`; the trace object itself
// keeps the URL (a test may need it), and the transcription still ran with the real token.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { Response, SpeakSentence, Pause, liveTranscription } from "../generated/bxml/index.js";
import { createStreamServer, createTranscriptionTokenVerifier } from "../generated/sockets.js";
import { attachStreamServer } from "../generated/sockets-node.js";
import { formatJsonLines, formatTranscript, simulateCall } from "../generated/testing.js";
import { PASS, USER, quiet } from "./support/simulate.js";

const SECRET = "a-transcription-secret-of-32-byt";
const http = createServer();
after(async () => {
  http.closeAllConnections?.();
  await new Promise((resolve) => http.close(resolve));
});

describe("simulate call hides the transcription URL token", () => {
  it("the transcript and the JSON lines show token=***; the call's transcription ran with the real token", async () => {
    const heard: string[] = [];
    const tokens = createTranscriptionTokenVerifier({ secrets: [SECRET] });
    const sockets = createStreamServer({
      logger: quiet,
      transcription: { verifyToken: tokens.verifyUpgrade, onTranscription: (update) => void heard.push(update.transcript) },
    });
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const port = (http.address() as AddressInfo).port;
    const webhooks = createBandwidthWebhooks({
      credentials: [{ username: USER, password: PASS }],
      logger: quiet,
      voice: {
        initiate: async (event) =>
          Response(
            await liveTranscription({ baseUrl: `ws://127.0.0.1:${port}/sockets/transcription`, secret: SECRET, callId: event.callId, name: "captions" }),
            SpeakSentence("Hello"),
            Pause({ duration: 5 }),
          ),
      },
    });
    http.on("request", webhooks.node);
    attachStreamServer(http, sockets);
    const trace = await simulateCall(`http://127.0.0.1:${port}/callbacks/voice`, {
      username: USER,
      password: PASS,
      speed: "max",
      seed: 5,
      caller: { segments: [{ silence: 1 }, { tone: 440, seconds: 1, text: "change my booking" }, { silence: 1 }] },
    });
    assert.equal(trace.ok, true, formatTranscript(trace));
    assert.deepEqual(heard, ["change my booking"], "the socket opened with the real token");
    const destination = String(trace.verbs.find((v) => v.verb === "StartTranscription")?.attributes.destination);
    const token = new URL(destination).searchParams.get("token")!;
    assert.match(token, /^v1\./);
    for (const [name, text] of [["transcript", formatTranscript(trace)], ["JSON lines", formatJsonLines(trace)]] as const) {
      assert.equal(text.includes(token), false, `${name} shows the token`);
      assert.equal(text.includes(token.split(".").at(-1)!), false, `${name} shows the token's MAC`);
      assert.match(text, /\/sockets\/transcription\?token=\*\*\*/, name);
    }
  });
});
