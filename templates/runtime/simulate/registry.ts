// Every verb executor the engine runs, by verb name: the single-leg verbs (executor.ts), the multi-leg
// ones (legs.ts), the call-control ones (call-control.ts) and the stream/transcription ones (streams.ts). A
// verb without one is "not simulated".

import { CALL_CONTROL_EXECUTORS } from "./call-control.js";
import { EXECUTORS } from "./executor.js";
import { LEG_EXECUTORS } from "./legs.js";
import { STREAM_EXECUTORS } from "./streams.js";
import type { Executor } from "./types.js";

/** The verbs the simulator runs. */
export const ALL_EXECUTORS: Readonly<Record<string, Executor>> = { ...EXECUTORS, ...LEG_EXECUTORS, ...CALL_CONTROL_EXECUTORS, ...STREAM_EXECUTORS };

/** The executor of a verb, or `undefined` when the simulator does not run it. */
export function executorOf(verb: string): Executor | undefined {
  return Object.hasOwn(ALL_EXECUTORS, verb) ? ALL_EXECUTORS[verb] : undefined;
}
