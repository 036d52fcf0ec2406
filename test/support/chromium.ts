// The headless Chromium the browser tests drive: Debian's /usr/bin/chromium, installed by .ci/run (a test
// never installs anything). Where it is missing: in CI (`CI` set, as .ci/run does) the browser tests FAIL
// saying what to install, since CI must run them; elsewhere they are skipped with a loud message naming
// the package, so `npm test` still runs everything else on a machine without Chromium.
import { existsSync } from "node:fs";

export const CHROMIUM = "/usr/bin/chromium";

/** Chromium's launch arguments: headless, and nothing that reaches the network on its own. */
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const MISSING = `${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium; .ci/run does)`;

/** True in CI, where a missing Chromium is a failure rather than a skip. */
const inCi = (): boolean => (process.env.CI ?? "") !== "" && process.env.CI !== "false";

/**
 * The node:test `skip` option for the browser tests: false where Chromium is installed, and in CI (the
 * tests then fail in `chromiumPath()`); otherwise the reason, also printed to stderr so nobody misses it.
 */
export function chromiumSkip(): string | false {
  if (existsSync(CHROMIUM) || inCi()) return false;
  process.stderr.write(`\n*** SKIPPED the headless Chromium tests: ${MISSING}. CI runs them. ***\n\n`);
  return `SKIPPED: ${MISSING}`;
}

/** The Chromium executable; throws saying what to install when it is missing. */
export function chromiumPath(): string {
  if (!existsSync(CHROMIUM)) throw new Error(`${MISSING}${inCi() ? " (CI must run the browser tests)" : ""}`);
  return CHROMIUM;
}
