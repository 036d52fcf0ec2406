// A Bandwidth voice receiver on Deno, with no permission the library does not need:
//   deno add npm:bw-codegen
//   deno run --allow-net --allow-env=BW_CALLBACK_USERNAME,BW_CALLBACK_PASSWORD,PORT main.ts
// (the env permission is for this file's own settings; bw-codegen itself needs only the network).
// test/runtimes-examples.test.ts runs this file with exactly those flags.
import { createBandwidthWebhooks } from "bw-codegen";
import { Response as Bxml, SpeakSentence } from "bw-codegen/bxml";

const webhooks = createBandwidthWebhooks({
  credentials: [{ username: Deno.env.get("BW_CALLBACK_USERNAME") ?? "bw", password: Deno.env.get("BW_CALLBACK_PASSWORD")! }],
  voice: {
    answer: (event) => Bxml(SpeakSentence(`Hello from Deno, ${event.to}`)),
    initiate: () => Bxml(SpeakSentence("Hello from Deno")),
  },
});

Deno.serve({ port: Number(Deno.env.get("PORT") ?? 8000), hostname: "127.0.0.1" }, webhooks.fetch);
