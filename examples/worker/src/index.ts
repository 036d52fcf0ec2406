// A Bandwidth voice receiver as a Cloudflare Worker (no `nodejs_compat` needed): `npx wrangler dev`, or
// `npx wrangler deploy` after `npx wrangler secret put BW_CALLBACK_PASSWORD`. Bandwidth's callback URL
// is `https://<your worker>/callbacks/voice`. test/runtimes-examples.test.ts bundles this file with
// esbuild and runs it in workerd.
import { createBandwidthWebhooks } from "bw-codegen";
import { Response as Bxml, SpeakSentence } from "bw-codegen/bxml";

/** The Worker's bindings (wrangler.toml `[vars]` and secrets). */
interface Env {
  BW_CALLBACK_USERNAME: string;
  BW_CALLBACK_PASSWORD: string;
}

// Built on the first request (a Worker's bindings arrive with the request), then reused.
let webhooks: ReturnType<typeof createBandwidthWebhooks> | undefined;

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    webhooks ??= createBandwidthWebhooks({
      credentials: [{ username: env.BW_CALLBACK_USERNAME, password: env.BW_CALLBACK_PASSWORD }],
      voice: {
        answer: (event) => Bxml(SpeakSentence(`Hello from a Worker, ${event.to}`)),
        initiate: () => Bxml(SpeakSentence("Hello from a Worker")),
      },
    });
    return webhooks.fetch(request);
  },
};
