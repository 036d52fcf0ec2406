/**
 * Validating one voice callback (an `answer`) with the precompiled validators, against `JSON.parse` of
 * the same bytes (the target: validation costs ≤ 20% of parsing), against the raw compiled function
 * (what the discriminant dispatch costs), and against ajv + ajv-formats enforcing `date-time`/`uri`/`uuid`
 * (the naive alternative, which the schemas avoid by treating formats as annotations).
 */

import { readFileSync } from "node:fs";
import addFormatsModule from "ajv-formats";
import { validateVoiceCallback } from "../generated/validators/voice.js";
import * as compiled from "../generated/validators/voice.ajv.js";
import { formatNs, measure, percent, type Row } from "./harness.js";
import { runtimeAjv } from "./schemas.js";

// ajv-formats ships CommonJS; depending on the loader its plugin is the default export or `.default` of it.
type FormatsPlugin = (ajv: unknown, options: { mode: "full" | "fast" }) => unknown;
const formatsModule = addFormatsModule as unknown as FormatsPlugin & { default?: FormatsPlugin };
const addFormats: FormatsPlugin = typeof formatsModule.default === "function" ? formatsModule.default : formatsModule;

const ANSWER_ID = "https://bw-codegen.dev/schemas/voice/answer.schema.json";

/** The answer callback as Bandwidth sends it: compact JSON. */
export const ANSWER_TEXT: string = JSON.stringify(JSON.parse(readFileSync(new URL("./fixtures/answer-callback.json", import.meta.url), "utf8")));

export async function runValidatorsBench(): Promise<Row[]> {
  const value = JSON.parse(ANSWER_TEXT) as Record<string, unknown>;
  const raw = compiled.lenient_answer;
  if (!validateVoiceCallback(value).ok || !raw(value)) throw new Error("the answer fixture does not validate");

  const full = runtimeAjv(["voice"], (ajv) => addFormats(ajv, { mode: "full" })).getSchema(ANSWER_ID);
  const fast = runtimeAjv(["voice"], (ajv) => addFormats(ajv, { mode: "fast" })).getSchema(ANSWER_ID);
  if (full === undefined || fast === undefined || !full(value) || !fast(value)) throw new Error("ajv-formats baselines do not accept the fixture");

  const ns = await measure({
    "JSON.parse": () => JSON.parse(ANSWER_TEXT),
    validateVoiceCallback: () => validateVoiceCallback(value),
    "compiled lenient_answer": () => raw(value),
    "ajv + ajv-formats full": () => full(value),
    "ajv + ajv-formats fast": () => fast(value),
  });
  const parse = ns["JSON.parse"];
  const ours = ns.validateVoiceCallback;
  const bytes = Buffer.byteLength(ANSWER_TEXT);
  return [
    {
      group: "validators",
      benchmark: `validate an answer callback (${bytes} B) vs JSON.parse of the same bytes`,
      ours: `validateVoiceCallback ${formatNs(ours)}`,
      baseline: `JSON.parse ${formatNs(parse)}`,
      ratio: percent(ours / parse),
      target: "≤ 20%",
      met: ours / parse <= 0.2,
    },
    {
      group: "validators",
      benchmark: "discriminant dispatch: validateVoiceCallback vs the raw compiled answer validator",
      ours: `validateVoiceCallback ${formatNs(ours)}`,
      baseline: `lenient_answer ${formatNs(ns["compiled lenient_answer"])}`,
      ratio: `${(ours / ns["compiled lenient_answer"]).toFixed(2)}×`,
      target: "",
    },
    {
      group: "validators",
      benchmark: "naive alternative: ajv + ajv-formats (full) enforcing date-time/uri/uuid, vs JSON.parse",
      ours: `ajv-formats full ${formatNs(ns["ajv + ajv-formats full"])}`,
      baseline: `JSON.parse ${formatNs(parse)}`,
      ratio: percent(ns["ajv + ajv-formats full"] / parse),
      target: "",
    },
    {
      group: "validators",
      benchmark: "ajv + ajv-formats (fast) enforcing formats, vs JSON.parse",
      ours: `ajv-formats fast ${formatNs(ns["ajv + ajv-formats fast"])}`,
      baseline: `JSON.parse ${formatNs(parse)}`,
      ratio: percent(ns["ajv + ajv-formats fast"] / parse),
      target: "",
    },
  ];
}
