/**
 * The per-request work of the webhook runtime without any network: the core's pre-body checks (route,
 * method, Basic auth, content type) and `handle` (JSON.parse, validation, dispatch to the answer handler,
 * BXML render) for one answer callback, against what users write today (header compare, JSON.parse,
 * ajv compiled at start-up, bandwidth-sdk's BXML classes) and against JSON.parse alone. Same request
 * bytes, same BXML out. This isolates what the HTTP benchmark measures under network noise. Production
 * settings (`validateBxml: false`, the default when NODE_ENV=production); development mode, which
 * re-parses the returned BXML to validate it, is measured separately.
 */

import { createBandwidthWebhooks } from "../generated/webhooks.js";
import type { CoreRequest } from "../generated/index.js";
import { formatNs, measure, percent, type Row } from "./harness.js";
import { answerBxml, BENCH_AUTHORIZATION, BENCH_CREDENTIALS, BENCH_PATH, createTodaysHandler } from "./http-shared.js";
import { ANSWER_TEXT } from "./validators.js";

const headers: Record<string, string> = { authorization: BENCH_AUTHORIZATION, "content-type": "application/json", "content-length": String(ANSWER_TEXT.length) };
const raw = { headers };
const readHeader = (request: unknown, name: string): string | undefined => (request as typeof raw).headers[name];

/** One request through the core: pre-body checks, then handle; returns the body sent. */
function pipeline(validateBxml: boolean): () => string {
  const { core } = createBandwidthWebhooks({ credentials: [BENCH_CREDENTIALS], voice: { answer: answerBxml }, validateBxml });
  const route = core.match(BENCH_PATH);
  if (route === undefined) throw new Error("no voice route");
  return () => {
    // built once per request, as the adapters do
    const request: CoreRequest = {
      method: "POST",
      url: BENCH_PATH,
      authorization: headers.authorization,
      contentType: headers["content-type"],
      contentLength: headers["content-length"],
      contentEncoding: headers["content-encoding"],
      body: undefined,
      raw,
      readHeader,
    };
    const early = core.check(route, request);
    if (early !== undefined) return early.body;
    request.body = ANSWER_TEXT;
    const response = core.handle(route, request);
    if (response instanceof Promise) throw new Error("the answer handler is synchronous");
    return response.body;
  };
}

export async function runHandlerBench(): Promise<Row[]> {
  // production: validateBxml off (its default when NODE_ENV=production); development: on
  const ours = pipeline(false);
  const development = pipeline(true);
  const today = await createTodaysHandler();
  const theirs = (): string => today(headers.authorization, ANSWER_TEXT)[1];
  if (ours() !== theirs() || !ours().includes("<SpeakSentence>Hello")) throw new Error("the two pipelines answer different BXML");

  if (development() !== ours()) throw new Error("development mode answers differently");
  const ns = await measure({ "JSON.parse": () => JSON.parse(ANSWER_TEXT), ours, theirs, development }, { batch: 50 });
  return [
    {
      group: "handler",
      benchmark: "per-request work, no network: auth + JSON.parse + validate + dispatch + BXML render of an answer callback",
      ours: `bw-codegen core ${formatNs(ns.ours)}`,
      baseline: `header compare + JSON.parse + ajv + bandwidth-sdk BXML ${formatNs(ns.theirs)}`,
      ratio: `${(ns.theirs / ns.ours).toFixed(1)}× faster`,
      target: "",
    },
    {
      group: "handler",
      benchmark: "the same work, against JSON.parse of the request alone",
      ours: `bw-codegen core ${formatNs(ns.ours)}`,
      baseline: `JSON.parse ${formatNs(ns["JSON.parse"])}`,
      ratio: percent(ns.ours / ns["JSON.parse"]),
      target: "",
    },
    {
      group: "handler",
      benchmark: "development mode (NODE_ENV ≠ production: the returned BXML is re-parsed and validated before it is sent) vs production",
      ours: `development ${formatNs(ns.development)}`,
      baseline: `production ${formatNs(ns.ours)}`,
      ratio: `${(ns.development / ns.ours).toFixed(2)}×`,
      target: "",
    },
  ];
}
