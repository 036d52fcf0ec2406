// The headless Chromium the browser tests drive: Debian's /usr/bin/chromium. Where it is missing, it is
// installed with apt-get (as root, or through passwordless sudo), as .ci/run does, so `npm test` works
// on a fresh Debian machine; anywhere else the test fails saying what to install.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";

export const CHROMIUM = "/usr/bin/chromium";

/** Chromium's launch arguments: headless, and nothing that reaches the network on its own. */
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  const root = process.getuid?.() === 0;
  const sudo = root ? [] : spawnSync("sudo", ["-n", "true"]).status === 0 ? ["sudo"] : undefined;
  if (!sudo) throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)`);
  const run = (args: string[]) => spawnSync(sudo[0] ?? args[0], sudo.length ? args : args.slice(1), { stdio: "inherit", timeout: 900_000 });
  run(["apt-get", "update", "-qq"]);
  run(["apt-get", "install", "-y", "-qq", "chromium"]);
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is still missing after apt-get install chromium`);
  return CHROMIUM;
}
