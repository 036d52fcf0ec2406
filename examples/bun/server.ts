// A Bandwidth voice receiver on Bun:
//   bun add bw-codegen
//   BW_CALLBACK_USERNAME=bw BW_CALLBACK_PASSWORD='s3cret' bun server.ts
// test/runtimes-examples.test.ts runs this file.
import { createBandwidthWebhooks } from "bw-codegen";
import { Response as Bxml, SpeakSentence } from "bw-codegen/bxml";

const webhooks = createBandwidthWebhooks({
  credentials: [{ username: process.env.BW_CALLBACK_USERNAME ?? "bw", password: process.env.BW_CALLBACK_PASSWORD! }],
  voice: {
    answer: (event) => Bxml(SpeakSentence(`Hello from Bun, ${event.to}`)),
    initiate: () => Bxml(SpeakSentence("Hello from Bun")),
  },
});

Bun.serve({ port: Number(process.env.PORT ?? 3000), hostname: "127.0.0.1", fetch: webhooks.fetch });
