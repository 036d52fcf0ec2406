/**
 * Shared by the HTTP benchmark's load generator (bench/http.ts), its servers (bench/http-server.ts) and
 * the no-network handler benchmark (bench/handler.ts): credentials, route, and the answer every variant
 * gives, built with bw-codegen's typed BXML builder or with bandwidth-sdk's BXML classes (same bytes).
 */

import { Gather, Hangup, Response, SpeakSentence } from "../generated/bxml/index.js";
import type { AnswerCallback } from "../generated/types.js";
import addFormatsModule from "ajv-formats";
import { runtimeAjv } from "./schemas.js";

// ajv-formats ships CommonJS; depending on the loader its plugin is the default export or `.default` of it.
type FormatsPlugin = (ajv: never, options: { mode: "fast" | "full" }) => unknown;
const formatsModule = addFormatsModule as unknown as FormatsPlugin & { default?: FormatsPlugin };
const addFormats: FormatsPlugin = typeof formatsModule.default === "function" ? formatsModule.default : formatsModule;

/** The Basic-auth pair every benchmark server accepts, and every request carries. */
export const BENCH_CREDENTIALS = { username: "bench-user", password: "bench-password-7c1e" } as const;

/** The `Authorization` header of every benchmark request. */
export const BENCH_AUTHORIZATION = `Basic ${Buffer.from(`${BENCH_CREDENTIALS.username}:${BENCH_CREDENTIALS.password}`).toString("base64")}`;

/** The route every server answers. */
export const BENCH_PATH = "/callbacks/voice";

/** The first sentence of the answer BXML, the same in every variant. */
export function replyText(to: string): string {
  return `Hello, this is a reminder for ${to} about your appointment on Thursday.`;
}

/** The answer handler, with bw-codegen's typed BXML builder (the runtime renders the returned document). */
export function answerBxml(event: AnswerCallback): ReturnType<typeof Response> {
  return Response(
    SpeakSentence(replyText(event.to)),
    Gather({ gatherUrl: "/callbacks/voice/gather", maxDigits: 1 }, SpeakSentence("Press 1 to confirm, 2 to cancel.")),
    Hangup(),
  );
}

/**
 * What users write today without bw-codegen: compare the Authorization header, JSON.parse, ajv (voice
 * schemas compiled at start-up), dispatch on eventType, bandwidth-sdk's BXML classes. Returns
 * `(authorization, body) => [status, xml]`.
 */
export async function createTodaysHandler(): Promise<(authorization: string | undefined, body: string) => [number, string]> {
  // CommonJS modules: the exports are on `default` under plain node, on the namespace under some loaders
  const responseModule = await import("bandwidth-sdk/dist/models/bxml/Response.js");
  const verbsModule = await import("bandwidth-sdk/dist/models/bxml/verbs/index.js");
  const sdk = (responseModule.default ?? responseModule) as typeof import("bandwidth-sdk/dist/models/bxml/Response.js");
  const verbs = (verbsModule.default ?? verbsModule) as typeof import("bandwidth-sdk/dist/models/bxml/verbs/index.js");
  const ajv = runtimeAjv(["voice"]);
  const validators = new Map<string, (data: unknown) => boolean>();
  for (const name of ["answer", "disconnect", "gather"]) {
    const check = ajv.getSchema(`https://bw-codegen.dev/schemas/voice/${name}.schema.json`);
    if (check === undefined) throw new Error(`voice ${name} did not compile`);
    validators.set(name, (data) => check(data) as boolean);
  }
  return (authorization, body) => {
    if (authorization !== BENCH_AUTHORIZATION) return [401, ""];
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return [400, ""];
    }
    const validate = validators.get(String(event.eventType));
    if (validate === undefined || !validate(event)) return [400, ""];
    const xml = new sdk.Response([
      new verbs.SpeakSentence(replyText(String(event.to))),
      new verbs.Gather({ gatherUrl: "/callbacks/voice/gather", maxDigits: 1 }, new verbs.SpeakSentence("Press 1 to confirm, 2 to cancel.")),
      new verbs.Hangup(),
    ]).toBxml();
    return [200, xml];
  };
}

/** XML text escaping for the hand-written server's template literal (what a careful user writes). */
function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/**
 * A careful hand-written receiver without bw-codegen: compare the Authorization header, JSON.parse, ajv
 * with ajv-formats in "fast" mode (voice schemas compiled at start-up), dispatch on eventType, BXML as a
 * template literal with escaping. Same bytes as `answerBxml`. Returns `(authorization, body) => [status, xml]`.
 */
export function createHandWrittenHandler(): (authorization: string | undefined, body: string) => [number, string] {
  const ajv = runtimeAjv(["voice"], (instance) => addFormats(instance as never, { mode: "fast" }));
  const check = ajv.getSchema("https://bw-codegen.dev/schemas/voice/answer.schema.json");
  if (check === undefined) throw new Error("voice answer did not compile");
  return (authorization, body) => {
    if (authorization !== BENCH_AUTHORIZATION) return [401, ""];
    let event: Record<string, unknown>;
    try {
      event = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return [400, ""];
    }
    if (event.eventType !== "answer" || !check(event)) return [400, ""];
    const xml =
      `<?xml version="1.0" encoding="UTF-8"?><Response><SpeakSentence>${escapeXml(replyText(String(event.to)))}</SpeakSentence>` +
      `<Gather gatherUrl="/callbacks/voice/gather" maxDigits="1"><SpeakSentence>Press 1 to confirm, 2 to cancel.</SpeakSentence></Gather><Hangup/></Response>`;
    return [200, xml];
  };
}
