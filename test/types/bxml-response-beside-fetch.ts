// Type-level test (compiled by `npm run typecheck`): a Workers / Hono file builds BXML with `BxmlResponse`
// and still has the Fetch API's own `Response` (importing `Response` from bw-codegen/bxml shadows it: TS7009).
import { BxmlResponse, SpeakSentence } from "bw-codegen/bxml";

export function fetchHandler(): Response {
  const bxml = BxmlResponse(SpeakSentence("Hello")).toXml();
  return new Response(bxml, { headers: { "content-type": "application/xml" } });
}
