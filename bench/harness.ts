/**
 * Shared by the benchmark scripts: the row every benchmark reports, a tinybench wrapper that measures
 * sub-microsecond work in batches (one timer read per batch, not per call), and number formatting.
 */

import { Bench } from "tinybench";

/** One line of the results table. Every benchmark module returns a list of these. */
export interface Row {
  /** Which script produced it: `import`, `validators`, `messaging`, `numbers`, `http`, `bxml`. */
  group: string;
  /** What is measured, e.g. "validate answer callback vs JSON.parse of the same bytes". */
  benchmark: string;
  /** Our number, formatted, e.g. "412 ns". */
  ours: string;
  /** The baseline's number, formatted, with what the baseline is, e.g. "JSON.parse 2.1 µs". */
  baseline: string;
  /** ours / baseline (or the other way round for throughput), formatted, e.g. "19.6%". */
  ratio: string;
  /** The target from the issue, e.g. "≤ 20%"; "" when there is none. */
  target: string;
  /** Whether the target is met; `undefined` when there is no target. */
  met?: boolean;
}

/** Prevents the optimiser from discarding results of benchmarked calls. */
export let sink: unknown;
export function keep(value: unknown): void {
  sink = value;
}

export interface MeasureOptions {
  /** Time budget per task in ms (default 600). */
  time?: number;
  /** Calls per timed sample (default 200). */
  batch?: number;
}

/**
 * Runs each task with tinybench, `batch` calls per sample, in the order given, and returns the mean time
 * of ONE call in nanoseconds, by task name. All tasks of one comparison go in one call, so they share a
 * process, a warm-up and the machine's state at that moment.
 *
 * @example
 * const ns = await measure({ parse: () => JSON.parse(text), validate: () => check(value) });
 * console.log(ns.validate / ns.parse);
 */
export async function measure(tasks: Record<string, () => unknown>, options: MeasureOptions = {}): Promise<Record<string, number>> {
  const batch = options.batch ?? 200;
  const bench = new Bench({ time: options.time ?? 600, warmupTime: 200, throws: true });
  for (const [name, fn] of Object.entries(tasks)) {
    bench.add(name, () => {
      let last: unknown;
      for (let i = 0; i < batch; i++) last = fn();
      sink = last;
    });
  }
  await bench.run();
  const out: Record<string, number> = {};
  for (const task of bench.tasks) {
    const result = task.result;
    if (result.state !== "completed") throw new Error(`benchmark ${task.name} did not complete: ${result.state}`);
    out[task.name] = (result.latency.p50 * 1e6) / batch; // ms per batch → ns per call (median sample)
  }
  return out;
}

/** "412 ns", "2.31 µs", "14.2 ms". */
export function formatNs(ns: number): string {
  if (ns < 1000) return `${ns.toFixed(ns < 10 ? 1 : 0)} ns`;
  if (ns < 1e6) return `${(ns / 1000).toFixed(ns < 1e4 ? 2 : 1)} µs`;
  return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`;
}

/** "1.23 ms" from milliseconds. */
export function formatMs(ms: number): string {
  return formatNs(ms * 1e6);
}

/** "19.6%". */
export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio < 0.1 ? 2 : 1)}%`;
}

/** Median of a list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
