// What a copy of Bandwidth's spec says that our schemas do not, per family and event: the findings of
// `bw-codegen drift --spec`. Event names are matched with our events through the families' `renames`
// (generator/families/<family>.ts): a known rename is reported as a rename (handled, not drift); an event the
// last checked spec had (SPEC_BASELINE) that is gone while a close new name appeared is one likely rename, as
// is a field of ours the spec no longer describes next to a close new one. Differences explained in
// allowlist.json are reported as known (not drift).
import { join } from "node:path";
import type { FamilyDefinition } from "../model/family-definition.js";
import { families as projectFamilies } from "../model/families.js";
import { REPO_ROOT } from "../paths.js";
import type { JsonSchema } from "../schema-refs.js";
import { editDistance } from "../cli/suggest.js";
import { type AllowListEntry, type DriftDifference, SchemaStore, allowListMatches, compareSchemas, loadAllowList } from "./compare.js";
import { SPEC_BASELINE, type SpecEvent, narrowed, specEvents } from "./spec-callbacks.js";

export type SpecDriftKind =
  | "new-event-type"
  | "removed-event-type"
  | "renamed-event"
  | "likely-renamed-event"
  | "new-field"
  | "removed-field"
  | "likely-renamed-field"
  | "new-enum-value"
  | "type-mismatch"
  | "required-change";

/** One difference between the spec and our schemas. */
export interface SpecFinding {
  family: string;
  /** Our event (the spec's name for a new event type). */
  event: string;
  kind: SpecDriftKind;
  /** Dotted field path (`[]` marks array items); "" for event-level findings. */
  path: string;
  /** The spec schema (`answerCallback`), "" for an event the spec no longer has. */
  spec: string;
  /** Our schema file relative to schemas/, "" for a new event type. */
  ours: string;
  /** New enum values, the spec's type. */
  values?: string[];
  /** Renames: the spec's name (`to`) for our name (`from`) of an event or a field. */
  rename?: { from: string; to: string };
  /** Explained (allowlist.json) or a rename the family already handles: reported, not drift. */
  known: boolean;
  detail: string;
}

export interface SpecDriftReport {
  /** Spec events compared with one of our schemas. */
  compared: number;
  findings: SpecFinding[];
  /** Any finding that is not known. */
  drift: boolean;
}

export interface SpecDriftOptions {
  store?: SchemaStore;
  families?: readonly FamilyDefinition[];
  allowList?: AllowListEntry[];
  baseline?: Readonly<Record<string, readonly string[]>>;
}

const KIND_OF: Record<DriftDifference["kind"], SpecDriftKind> = {
  "missing-property": "new-field",
  "not-in-spec": "removed-field",
  enum: "new-enum-value",
  type: "type-mismatch",
  nullable: "type-mismatch",
  required: "required-change",
};

/** Close enough to be one name changed: within half the longer name's length in edits. */
function close(a: string, b: string): number | undefined {
  const distance = editDistance(a.toLowerCase(), b.toLowerCase());
  return distance <= Math.floor(Math.max(a.length, b.length) / 2) ? distance : undefined;
}

/** Pair names of `added` with names of `gone` that are close, closest first; each name pairs at most once. */
function pairRenames(added: readonly string[], gone: readonly string[]): { from: string; to: string }[] {
  const candidates: { from: string; to: string; distance: number }[] = [];
  for (const to of added) for (const from of gone) {
    const distance = close(from, to);
    if (distance !== undefined) candidates.push({ from, to, distance });
  }
  candidates.sort((a, b) => a.distance - b.distance);
  const used = new Set<string>();
  const pairs: { from: string; to: string }[] = [];
  for (const c of candidates) {
    if (used.has(`f${c.from}`) || used.has(`t${c.to}`)) continue;
    used.add(`f${c.from}`);
    used.add(`t${c.to}`);
    pairs.push({ from: c.from, to: c.to });
  }
  return pairs;
}

/** Our events by family → event → schema file (from each schema's `x-bw`). */
function ourEvents(store: SchemaStore): Map<string, Map<string, string>> {
  const byFamily = new Map<string, Map<string, string>>();
  for (const [id, schema] of store.byId) {
    const meta = schema["x-bw"];
    if (typeof meta?.family !== "string" || typeof meta?.event !== "string") continue;
    const events = byFamily.get(meta.family) ?? new Map<string, string>();
    if (!events.has(meta.event)) events.set(meta.event, store.fileById.get(id) ?? id);
    byFamily.set(meta.family, events);
  }
  return byFamily;
}

/** Field-level findings of one spec event against one of our schemas, with close new/removed pairs as renames. */
function fieldFindings(doc: JsonSchema, e: SpecEvent, event: string, ours: string, store: SchemaStore, allowList: AllowListEntry[]): SpecFinding[] {
  const diffs = compareSchemas(e.schema, { spec: e.spec, doc, ours, store, extras: true });
  const findings: SpecFinding[] = diffs.map((d) => ({
    family: e.family,
    event,
    kind: KIND_OF[d.kind],
    path: d.property,
    spec: e.spec,
    ours: d.ours,
    ...(d.values === undefined ? {} : { values: d.values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))) }),
    known: allowList.some((a) => allowListMatches(a, d)),
    detail: d.problem,
  }));
  const parent = (path: string): string => path.replace(/\.?[^.]*$/, "");
  const leaf = (path: string): string => path.slice(path.lastIndexOf(".") + 1);
  const added = findings.filter((f) => f.kind === "new-field" && !f.known);
  const gone = findings.filter((f) => f.kind === "removed-field" && !f.known);
  const renamed: SpecFinding[] = [];
  for (const group of new Set(added.map((f) => parent(f.path)))) {
    const inGroup = (list: SpecFinding[]): SpecFinding[] => list.filter((f) => parent(f.path) === group);
    for (const pair of pairRenames(inGroup(added).map((f) => leaf(f.path)), inGroup(gone).map((f) => leaf(f.path)))) {
      const from = group ? `${group}.${pair.from}` : pair.from;
      const to = group ? `${group}.${pair.to}` : pair.to;
      for (const f of findings) if ((f.kind === "new-field" && f.path === to) || (f.kind === "removed-field" && f.path === from)) f.kind = "likely-renamed-field";
      renamed.push({ family: e.family, event, kind: "likely-renamed-field", path: to, spec: e.spec, ours, rename: { from, to }, known: false, detail: `ours has ${from}, the spec now has ${to} instead` });
    }
  }
  return [...findings.filter((f) => f.kind !== "likely-renamed-field"), ...renamed];
}

/**
 * Compare a parsed copy of Bandwidth's spec with our schemas.
 *
 * @example
 * const report = specDrift(loadBandwidthSpec("bandwidth.yml"));
 * report.findings.filter((f) => !f.known); // [{ family: "voice", event: "answer", kind: "new-field", path: "futureField", … }]
 */
export function specDrift(doc: JsonSchema, options: SpecDriftOptions = {}): SpecDriftReport {
  const store = options.store ?? SchemaStore.fromDirectory(join(REPO_ROOT, "schemas"));
  const families = options.families ?? projectFamilies;
  const allowList = options.allowList ?? loadAllowList();
  const baseline = options.baseline ?? SPEC_BASELINE;
  const ours = ourEvents(store);
  const inSpec = specEvents(doc);
  const findings: SpecFinding[] = [];
  let compared = 0;
  for (const family of [...new Set([...Object.keys(baseline), ...inSpec.map((e) => e.family)])]) {
    const renames = families.find((f) => f.name === family)?.renames ?? [];
    const events = ours.get(family) ?? new Map<string, string>();
    const specList = inSpec.filter((e) => e.family === family);
    const compare = (e: SpecEvent, event: string): void => {
      compared++;
      // Under another name, a shared schema is narrowed to our name: the validator maps the name that arrives.
      const seen = e.discriminant !== undefined && event !== e.event ? { ...e, schema: narrowed(doc, e.spec, e.discriminant, event) } : e;
      findings.push(...fieldFindings(doc, seen, event, events.get(event)!, store, allowList));
    };
    const covered = new Set<string>();
    const unmatched: SpecEvent[] = [];
    for (const e of specList) {
      const rename = renames.find((r) => r.from === e.event && events.has(r.to));
      if (events.has(e.event)) {
        covered.add(e.event);
        compare(e, e.event);
      } else if (rename !== undefined) {
        covered.add(rename.to);
        findings.push({ family, event: rename.to, kind: "renamed-event", path: "", spec: e.spec, ours: events.get(rename.to)!, rename: { from: rename.to, to: e.event }, known: true, detail: `the spec names our ${rename.to} "${e.event}", a rename the family handles (${rename.source})` });
        compare(e, rename.to);
      } else unmatched.push(e);
    }
    const gone = (baseline[family] ?? []).filter((event) => !covered.has(event) && events.has(event));
    const pairs = pairRenames(unmatched.map((e) => e.event), gone);
    for (const e of unmatched) {
      const pair = pairs.find((p) => p.to === e.event);
      if (pair === undefined) {
        findings.push({ family, event: e.event, kind: "new-event-type", path: "", spec: e.spec, ours: "", known: false, detail: `the spec describes a ${family} event "${e.event}" (${e.spec}) that has no schema of ours` });
        continue;
      }
      findings.push({
        family,
        event: pair.from,
        kind: "likely-renamed-event",
        path: "",
        spec: e.spec,
        ours: events.get(pair.from)!,
        rename: pair,
        known: false,
        detail: `the spec no longer has our ${pair.from} and now has "${e.event}": if Bandwidth renamed it, add { from: "${pair.from}", to: "${e.event}" } to the renames in generator/families/${family}.ts and rename the schema`,
      });
      compare(e, pair.from);
    }
    for (const event of gone.filter((g) => !pairs.some((p) => p.from === g))) {
      findings.push({ family, event, kind: "removed-event-type", path: "", spec: "", ours: events.get(event)!, known: false, detail: `the spec no longer describes our ${family} event ${event}` });
    }
  }
  const order = (f: SpecFinding): string => `${f.family}\u0000${f.event}\u0000${f.path}\u0000${f.kind}`;
  findings.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  return { compared, findings, drift: findings.some((f) => !f.known) };
}
