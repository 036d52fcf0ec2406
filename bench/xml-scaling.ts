/**
 * Worst-case XML cost per KB, from 8 KiB to 256 KiB: parsing must be linear, so the time per KB of the
 * largest document may not exceed that of the smallest by more than 1.5× (noise). Each case is a shape
 * that used to be quadratic: many sibling text elements without `&` (each text segment searched to the end
 * of the document for `&`), attribute values that take the slow path (TAB inside, same search), `parseBxml`
 * over unknown sibling elements (each issue's path counted the preceding siblings, issues capped only after
 * collecting them), and a numbers notification with many repeated elements.
 *
 *   node --expose-gc --import tsx bench/xml-scaling.ts   # prints one line per case (also `npm run bench -- --only xml`)
 */

import { parseXml } from "../generated/runtime/xml/parser.js";
import { parseBxml as parseBxmlWithRules } from "../generated/runtime/bxml/parse.js";
import { BXML_RULES } from "../generated/bxml/rules.js";
import { parseNumbersXml } from "../generated/runtime/xml/numbers.js";
import { formatNs, keep, type Row } from "./harness.js";

const SIZES_KIB = [8, 32, 128, 256] as const;
/** Largest per-KB cost over the smallest one that still counts as flat. */
const FLAT = 1.5;

interface Case {
  name: string;
  /** Builds a document of about `bytes` bytes. */
  build(bytes: number): string;
  run(doc: string): unknown;
}

function repeat(open: string, unit: string, close: string, bytes: number): string {
  const count = Math.max(1, Math.floor((bytes - open.length - close.length) / unit.length));
  return open + unit.repeat(count) + close;
}

const CASES: Case[] = [
  {
    name: "parseXml: sibling elements with text, no `&`",
    build: (bytes) => repeat("<Response>", "<a>text</a>", "</Response>", bytes),
    run: (doc) => parseXml(doc, { maxBytes: 1 << 20 }),
  },
  {
    name: "parseXml: attribute values with a TAB (slow path), no `&`",
    build: (bytes) => repeat("<Response>", '<a b="x\ty"/>', "</Response>", bytes),
    run: (doc) => parseXml(doc, { maxBytes: 1 << 20 }),
  },
  {
    name: "parseBxml: unknown sibling elements (one issue each, capped at 100)",
    build: (bytes) => repeat("<Response>", "<Foo/>", "</Response>", bytes),
    run: (doc) => parseBxmlWithRules(doc, BXML_RULES, (root) => root, { maxBytes: 1 << 20 }),
  },
  {
    name: "parseBxml: unknown attributes on sibling verbs (warnings)",
    build: (bytes) => repeat("<Response>", '<Pause duration="1" x="1"/>', "</Response>", bytes),
    run: (doc) => parseBxmlWithRules(doc, BXML_RULES, (root) => root, { maxBytes: 1 << 20 }),
  },
  {
    name: "numbers XML: notification with repeated TelephoneNumber elements",
    build: (bytes) =>
      repeat(
        "<Notification><OrderType>orders</OrderType><CompletedTelephoneNumbers>",
        "<TelephoneNumber>+15551230000</TelephoneNumber>",
        "</CompletedTelephoneNumbers></Notification>",
        bytes,
      ),
    run: (doc) => parseNumbersXml(doc, { Notification: ["CompletedTelephoneNumbers/TelephoneNumber"] }, { maxBytes: 1 << 20, maxDepth: 16 }),
  },
];

/** CPU time of this process in ns (on a shared, loaded machine wall time mostly measures the others). */
function cpuNs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

/**
 * Best CPU time of one call in ns for each document: 15 rounds, each timing every size in turn (so a
 * change in the machine's load hits all sizes alike) for about `budgetMs / 15 / sizes` each, after a clean
 * heap when `--expose-gc` is given; the minimum over rounds is the figure least disturbed by other
 * processes and by a collection landing in a round.
 */
function timeEach(run: (doc: string) => unknown, docs: readonly string[], budgetMs: number): number[] {
  for (const doc of docs) for (let i = 0; i < 5; i++) keep(run(doc)); // warm-up (JIT) on every size
  const gc = (globalThis as { gc?: () => void }).gc;
  const best = docs.map(() => Infinity);
  const slice = budgetMs / 15 / docs.length;
  for (let round = 0; round < 15; round++) {
    docs.forEach((doc, i) => {
      gc?.();
      const started = cpuNs();
      const wallStart = performance.now();
      let calls = 0;
      do {
        keep(run(doc));
        calls++;
      } while (performance.now() - wallStart < slice);
      best[i] = Math.min(best[i], (cpuNs() - started) / calls);
    });
  }
  return best;
}

export async function runXmlScalingBench(budgetMs = 4000): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of CASES) {
    const docs = SIZES_KIB.map((kib) => c.build(kib * 1024));
    const perKb = timeEach(c.run, docs, budgetMs).map((ns, i) => ns / (Buffer.byteLength(docs[i]) / 1024));
    const growth = perKb[perKb.length - 1] / perKb[0];
    rows.push({
      group: "xml",
      benchmark: `worst-case cost per KB, ${c.name}: ${SIZES_KIB.map((kib, i) => `${kib} KiB ${formatNs(perKb[i])}/KB`).join(", ")}`,
      ours: `256 KiB: ${formatNs(perKb[perKb.length - 1])}/KB`,
      baseline: `8 KiB: ${formatNs(perKb[0])}/KB`,
      ratio: `${growth.toFixed(2)}×`,
      target: `flat (≤ ${FLAT}×)`,
      met: growth <= FLAT,
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await runXmlScalingBench()) {
    process.stdout.write(`${row.benchmark} → ${row.ratio} (${row.met ? "flat" : "NOT flat"})\n`);
  }
}
