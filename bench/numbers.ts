/**
 * Parsing + validating a typical number-order notification (XML) with the generated
 * `validateNumbersXml` (our safe parser, the JSON form, the precompiled validator): target < 20 µs a
 * document. Compared with what a user would assemble: fast-xml-parser (values kept as strings, the
 * telephone-number list forced to an array, like our JSON form) followed by ajv compiled at start-up.
 */

import { readFileSync } from "node:fs";
import { XMLParser } from "fast-xml-parser";
import { validateNumbersXml } from "../generated/validators/numbers.js";
import { formatNs, measure, type Row } from "./harness.js";
import { runtimeAjv } from "./schemas.js";

const ORDERS_ID = "https://bw-codegen.dev/schemas/numbers/orders.schema.json";

export async function runNumbersBench(): Promise<Row[]> {
  const text = readFileSync(new URL("./fixtures/order-notification.xml", import.meta.url), "utf8");
  const ours = (): boolean => validateNumbersXml(text).ok;

  const parser = new XMLParser({
    ignoreAttributes: true,
    parseTagValue: false,
    trimValues: true,
    processEntities: true,
    isArray: (_name: string, path: unknown) => String(path) === "Notification.CompletedTelephoneNumbers.TelephoneNumber",
  });
  const check = runtimeAjv(["numbers"]).getSchema(ORDERS_ID);
  if (check === undefined) throw new Error("orders schema did not compile");
  const baseline = (): boolean => check((parser.parse(text) as { Notification: unknown }).Notification) as boolean;
  if (!ours() || !baseline()) throw new Error("the order notification fixture does not validate");

  const ns = await measure({ ours, baseline }, { batch: 20 });
  return [
    {
      group: "numbers",
      benchmark: `parse + validate an order notification (${Buffer.byteLength(text)} B of XML)`,
      ours: `validateNumbersXml ${formatNs(ns.ours)}`,
      baseline: `fast-xml-parser + ajv ${formatNs(ns.baseline)}`,
      ratio: `${(ns.ours / ns.baseline).toFixed(2)}×`,
      target: "< 20 µs",
      met: ns.ours < 20_000,
    },
  ];
}
