// The server of bench/runtimes.ts, for every runtime (Node, Deno, Bun, and workerd through its default
// export): `/lib` is bw-codegen's voice route (webhooks.fetch; webhooks.node on Node, which has no Fetch
// server of its own), `/bare` the runtime's own bare handler (read the body, answer the same BXML bytes).
// Both answer the contract's answer-callback request. BXML is not re-validated (validateBxml: false, what
// production runs: NODE_ENV=production, which a Worker has no way to set). Port: first argument.
import { createBandwidthWebhooks } from "bw-codegen";
import { Response as Bxml, SpeakSentence } from "bw-codegen/bxml";

const BXML = String(Bxml(SpeakSentence("Hello")));
const HEADERS = { "content-type": "application/xml; charset=utf-8" };
const webhooks = createBandwidthWebhooks({
  credentials: [{ username: "bw-user", password: "p@ss:word:with:colons" }],
  validateBxml: false,
  paths: { voice: "/lib" },
  voice: { answer: () => BXML },
});

async function bare(request) {
  await request.arrayBuffer();
  return new Response(BXML, { headers: HEADERS });
}

function fetchHandler(request) {
  return new URL(request.url).pathname === "/bare" ? bare(request) : webhooks.fetch(request);
}

export default { fetch: fetchHandler };

const port = Number(globalThis.Deno?.args[0] ?? globalThis.process?.argv?.[2] ?? 0);
if (globalThis.Deno !== undefined) {
  globalThis.Deno.serve({ port, hostname: "127.0.0.1", onListen() {} }, fetchHandler);
} else if (globalThis.Bun !== undefined) {
  globalThis.Bun.serve({ port, hostname: "127.0.0.1", fetch: fetchHandler });
} else if (port > 0) {
  const http = await import("node:http");
  http
    .createServer((req, res) => {
      if (req.url !== "/bare") return webhooks.node(req, res);
      req.on("data", () => {});
      req.on("end", () => {
        res.writeHead(200, { ...HEADERS, "content-length": Buffer.byteLength(BXML) });
        res.end(BXML);
      });
    })
    .listen(port, "127.0.0.1");
}
