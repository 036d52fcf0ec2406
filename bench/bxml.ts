/**
 * BXML benchmark: building + rendering a typical and a tiny document with the generated builder, side
 * by side in one run with a hand-written template literal that escapes (the limit) and with
 * bandwidth-sdk's BXML classes; and parsing + validating the typical document.
 *
 * Run alone: `node --import tsx bench/bxml.ts` (prints a table), or through bench/run.ts.
 */

import { Bxml as SdkBxml } from "bandwidth-sdk";
import { Response, Gather, SpeakSentence, Transfer, PhoneNumber, parseBxml } from "../generated/bxml/index.js";
import { parseXml } from "../generated/runtime/xml/parser.js";
import { formatNs, measure, percent, type Row } from "./harness.js";

/** Text that needs escaping (&, quotes, <, >). */
const PROMPT = 'Press 1 & say "yes" <now>';
const FIRST = "+15551234567";
const SECOND = "+15557654321";

const AMP = /&/g;
const LT = /</g;
const GT = />/g;
const QUOT = /"/g;
const APOS = /'/g;
const SPECIAL = /[&<>"']/;
/** The usual hand-written escape: five replaces behind a test. */
function esc(value: string): string {
  if (!SPECIAL.test(value)) return value;
  return value.replace(AMP, "&amp;").replace(LT, "&lt;").replace(GT, "&gt;").replace(QUOT, "&quot;").replace(APOS, "&apos;");
}

function typicalTemplate(prompt: string, a: string, b: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Gather gatherUrl="${esc("/gather")}" maxDigits="${4}" terminatingDigits="${esc("#")}"><SpeakSentence>${esc(prompt)}</SpeakSentence></Gather><Transfer><PhoneNumber>${esc(a)}</PhoneNumber><PhoneNumber>${esc(b)}</PhoneNumber></Transfer></Response>`;
}

function typicalBuilder(prompt: string, a: string, b: string): string {
  return Response(
    Gather({ gatherUrl: "/gather", maxDigits: 4, terminatingDigits: "#" }, SpeakSentence(prompt)),
    Transfer(PhoneNumber(a), PhoneNumber(b)),
  ).toXml();
}

function typicalSdk(prompt: string, a: string, b: string): string {
  return new SdkBxml.Response([
    new SdkBxml.Gather({ gatherUrl: "/gather", maxDigits: 4, terminatingDigits: "#" }, new SdkBxml.SpeakSentence(prompt)),
    new SdkBxml.Transfer({}, [new SdkBxml.PhoneNumber(a), new SdkBxml.PhoneNumber(b)]),
  ]).toBxml();
}

const TINY_TEXT = "Thanks for calling.";
const tinyTemplate = (text: string): string => `<?xml version="1.0" encoding="UTF-8"?><Response><SpeakSentence>${esc(text)}</SpeakSentence></Response>`;
const tinyBuilder = (text: string): string => Response(SpeakSentence(text)).toXml();
const tinySdk = (text: string): string => new SdkBxml.Response(new SdkBxml.SpeakSentence(text)).toBxml();

export async function runBxmlBench(): Promise<Row[]> {
  const typicalXml = typicalBuilder(PROMPT, FIRST, SECOND);
  // sanity: all three produce documents our parser accepts as the same tree (the SDK's only differs in escaping style)
  if (!parseBxml(typicalXml).ok || !parseBxml(typicalTemplate(PROMPT, FIRST, SECOND)).ok) throw new Error("bench documents do not validate");

  const render = await measure({
    "template typical": () => typicalTemplate(PROMPT, FIRST, SECOND),
    "builder typical": () => typicalBuilder(PROMPT, FIRST, SECOND),
    "sdk typical": () => typicalSdk(PROMPT, FIRST, SECOND),
    "template tiny": () => tinyTemplate(TINY_TEXT),
    "builder tiny": () => tinyBuilder(TINY_TEXT),
    "sdk tiny": () => tinySdk(TINY_TEXT),
  });
  const parse = await measure({
    "parseXml typical": () => parseXml(typicalXml),
    "parseBxml typical": () => parseBxml(typicalXml),
  });

  const typicalRatio = render["builder typical"] / render["template typical"];
  const sdkSpeedup = render["sdk typical"] / render["builder typical"];
  const tinyRatio = render["builder tiny"] / render["template tiny"];
  return [
    {
      group: "bxml",
      benchmark: "render typical doc (Gather+SpeakSentence needing escapes, Transfer with 2 PhoneNumbers): builder vs escaping template literal",
      ours: `builder ${formatNs(render["builder typical"])}`,
      baseline: `template ${formatNs(render["template typical"])}`,
      ratio: `${typicalRatio.toFixed(2)}×`,
      target: "≤ 2×",
      met: typicalRatio <= 2,
    },
    {
      group: "bxml",
      benchmark: "render typical doc: bandwidth-sdk BXML classes vs builder",
      ours: `builder ${formatNs(render["builder typical"])}`,
      baseline: `bandwidth-sdk ${formatNs(render["sdk typical"])}`,
      ratio: `${sdkSpeedup.toFixed(0)}× faster`,
      target: "≥ 50× faster",
      met: sdkSpeedup >= 50,
    },
    {
      group: "bxml",
      benchmark: "render tiny doc (one SpeakSentence): builder vs template literal (and bandwidth-sdk)",
      ours: `builder ${formatNs(render["builder tiny"])}`,
      baseline: `template ${formatNs(render["template tiny"])}, sdk ${formatNs(render["sdk tiny"])}`,
      ratio: `${tinyRatio.toFixed(2)}×`,
      target: "",
    },
    {
      group: "bxml",
      benchmark: "parse + validate typical doc (parseBxml) vs well-formedness parse only (parseXml)",
      ours: `parseBxml ${formatNs(parse["parseBxml typical"])}`,
      baseline: `parseXml ${formatNs(parse["parseXml typical"])}`,
      ratio: `${percent(parse["parseXml typical"] / parse["parseBxml typical"])} is XML parsing`,
      target: "< 10 µs",
      met: parse["parseBxml typical"] < 10_000,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runBxmlBench();
  console.log("| benchmark | ours | baseline | ratio | target | met |");
  console.log("| --- | --- | --- | --- | --- | --- |");
  for (const r of rows) console.log(`| ${r.benchmark} | ${r.ours} | ${r.baseline} | ${r.ratio} | ${r.target} | ${r.met === undefined ? "" : r.met ? "yes" : "NO"} |`);
}
