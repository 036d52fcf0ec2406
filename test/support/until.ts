// Waiting on another process or a Redis-backed queue to catch up: `until` polls a condition, `settles`
// awaits a promise. Both give up only after WAIT_LIMIT_MS, a limit that stops a hang (something that
// will never happen) and that no loaded machine comes near: they are not timing assertions.

/** Milliseconds after which a condition that still does not hold is a hang (the test fails). */
export const WAIT_LIMIT_MS = 120_000;

export async function until(check: () => boolean | Promise<boolean>, ms = WAIT_LIMIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting (${ms / 1000} s: hung)`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves as `promise` does; rejects (naming `what`) only when it has not settled after `ms`: a hang. */
export async function settles<T>(promise: Promise<T>, what: string, ms = WAIT_LIMIT_MS): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled after ${ms / 1000} s (hung)`)), ms);
  });
  try {
    return await Promise.race([promise, hung]);
  } finally {
    clearTimeout(timer);
  }
}
