// A document-level BXML warning: a bidirectional <StartStream> that nothing after it keeps alive.
// <StartStream> does not block, so when the verbs after it end at once the document ends, the call
// hangs up and the voice bot's socket closes within a second (Bandwidth's StartStream docs, "Execution
// Behavior"). What keeps the call up: <StopStream name="…" wait="true"/> for that stream (waits until
// the socket closes), a long <Pause>, or a verb that hands the call on (Gather, Record, Conference,
// Bridge, Transfer, Forward, Redirect, Connect, Refer). Reported as a warning (valid BXML, likely a bug).

import { type BxmlIssues, type BxmlNode, issuesFull, step } from "./rules.js";

/** A <Pause> at least this long (seconds) counts as keeping the call up (Bandwidth's pipecat example uses a long one). */
export const LONG_PAUSE_SECONDS = 30;

/** Verbs after which the call goes on under other BXML or with another party, not at the document's end. */
const HANDS_ON: ReadonlySet<string> = new Set(["Gather", "Record", "Conference", "Bridge", "Transfer", "Forward", "Redirect", "Connect", "Refer"]);

const isTrue = (value: unknown): boolean => value === true || value === "true";

function keepsAlive(verb: BxmlNode, streamName: unknown): boolean {
  if (HANDS_ON.has(verb.name)) return true;
  const attributes = verb.attributes ?? {};
  if (verb.name === "Pause") {
    const duration = typeof attributes.duration === "string" ? Number(attributes.duration) : attributes.duration;
    return typeof duration === "number" && duration >= LONG_PAUSE_SECONDS;
  }
  return verb.name === "StopStream" && streamName !== undefined && attributes.name === streamName && isTrue(attributes.wait);
}

/**
 * Warns about each top-level bidirectional `<StartStream>` followed by nothing that keeps the call up.
 *
 * @example
 * checkStreamKeepsCallAlive(root, issues); // issues.warnings gets "/Response/StartStream[1]: … the call ends at once …"
 */
export function checkStreamKeepsCallAlive(root: BxmlNode, issues: BxmlIssues): void {
  const verbs = root.children;
  for (let i = 0; i < verbs.length; i++) {
    const verb = verbs[i];
    if (typeof verb !== "object" || verb === null || verb.name !== "StartStream" || verb.attributes?.mode !== "bidirectional") continue;
    const name = verb.attributes.name;
    let alive = false;
    for (let j = i + 1; j < verbs.length && !alive; j++) {
      const next = verbs[j];
      if (typeof next === "object" && next !== null && typeof next.name === "string") alive = keepsAlive(next, name);
    }
    if (alive || issuesFull(issues, true)) continue;
    const stop = typeof name === "string" ? `<StopStream name=${JSON.stringify(name)} wait="true"/>` : `a name="…" on it and <StopStream name="…" wait="true"/>`;
    issues.warnings.push({
      path: `/${root.name}/${step(verbs, i)}`,
      message:
        "a bidirectional <StartStream> does not block and nothing after it keeps the call up: the document ends, the call hangs up " +
        `and the stream closes at once. Add ${stop} after it (it waits until the socket closes), a <Pause> of ${LONG_PAUSE_SECONDS} s or more, or a verb that hands the call on`,
    });
  }
}
