/**
 * Validating a messaging callback body (a JSON array of 1–3 events, as Bandwidth batches them) against
 * `JSON.parse` of the same bytes. Uses the generated batch validator `validateMessagingCallback` when it
 * exists, else validates each element with `validateMessagingEvent` (what the handler runtime does).
 */

import { readFileSync } from "node:fs";
import * as messaging from "../generated/validators/messaging.js";
import { formatNs, measure, percent, type Row } from "./harness.js";

type Check = (input: unknown) => { ok: boolean };

function fixture(name: string): string {
  return JSON.stringify(JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), "utf8")));
}

/** The array validator, and what it is called in the table. */
function arrayValidator(): [string, Check] {
  const batch = (messaging as Record<string, unknown>).validateMessagingCallback;
  if (typeof batch === "function") return ["validateMessagingCallback", batch as Check];
  const one = messaging.validateMessagingEvent as Check;
  return [
    "validateMessagingEvent per element",
    (input: unknown) => {
      const items = input as unknown[];
      for (let i = 0; i < items.length; i++) if (!one(items[i]).ok) return { ok: false };
      return { ok: true };
    },
  ];
}

export async function runMessagingBench(): Promise<Row[]> {
  const [name, validate] = arrayValidator();
  const rows: Row[] = [];
  for (const [file, label] of [
    ["messaging-1", "1 event (message-delivered)"],
    ["messaging-3", "3 events (received, delivered, failed)"],
  ] as const) {
    const text = fixture(file);
    const value = JSON.parse(text) as unknown;
    if (!validate(value).ok) throw new Error(`${file} does not validate`);
    const ns = await measure({ "JSON.parse": () => JSON.parse(text), validate: () => validate(value) });
    const ratio = ns.validate / ns["JSON.parse"];
    rows.push({
      group: "messaging",
      benchmark: `validate a messaging array of ${label}, ${Buffer.byteLength(text)} B, vs JSON.parse of the same bytes`,
      ours: `${name} ${formatNs(ns.validate)}`,
      baseline: `JSON.parse ${formatNs(ns["JSON.parse"])}`,
      ratio: percent(ratio),
      target: "≤ 20%",
      met: ratio <= 0.2,
    });
  }
  return rows;
}
