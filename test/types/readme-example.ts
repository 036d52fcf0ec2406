// The README's code, compiled by `npm test` (tsc), so the documentation cannot drift from the API.
import http from "node:http";
import { createBandwidthWebhooks, validateVoiceCallback, type VoiceCallback, type MessagingCallback } from "../../generated/index.js";
import { Response, Gather, SpeakSentence, Transfer, PhoneNumber } from "../../generated/bxml/index.js";

declare function saveInbound(message: MessagingCallback["message"]): Promise<void>;
declare const body: string;

export function readmeHandlers(): http.Server {
  const webhooks = createBandwidthWebhooks({
    credentials: [{ username: "bw", password: process.env.BW_CALLBACK_PASSWORD! }],
    voice: {
      answer: (event) =>
        Response(
          Gather({ gatherUrl: "/callbacks/voice", maxDigits: 1 }, SpeakSentence(`Hello ${event.to}, press 1 for sales`)),
          Transfer({}, PhoneNumber("+19195550100")),
        ),
      gather: (event) => (event.digits === "1" ? Response(Transfer({}, PhoneNumber("+19195550101"))) : Response()),
      disconnect: (event) => void console.log(event.callId, event.cause),
    },
    messaging: { messageReceived: async (event) => void (await saveInbound(event.message)) },
  });
  return http.createServer(webhooks.node);
}

export function readmeValidation(): void {
  const result = validateVoiceCallback(JSON.parse(body));
  if (result.ok) {
    const event: VoiceCallback = result.value;
    void event;
  } else {
    console.error(result.errors);
  }
}
