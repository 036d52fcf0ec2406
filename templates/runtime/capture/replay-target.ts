/**
 * Where replay sends one recorded request or socket: the base URL it was given plus the recorded path, and
 * nowhere else. A capture is input from anywhere (a colleague, an incident ticket): a recorded url that is
 * not a path (`:8080/x`, `.evil.example/x`, `@host/x`, `http://…`) would name another server once glued to
 * the base, so it is refused and nothing is sent. Edge-safe.
 */

import { BandwidthError } from "../errors.js";

/**
 * The URL to send to: `base` + `path`, when that stays on `base`'s origin.
 *
 * @example
 * replayTarget("http://127.0.0.1:3000", "/callbacks/voice"); // "http://127.0.0.1:3000/callbacks/voice"
 * replayTarget("http://127.0.0.1:3000", "@evil.example/x"); // throws BW_INVALID_CAPTURE
 */
export function replayTarget(base: string, path: string): string {
  const url = `${base}${path}`;
  let same = false;
  try {
    same = path.startsWith("/") && new URL(url).origin === new URL(base).origin;
  } catch {
    same = false;
  }
  if (!same) throw new BandwidthError("BW_INVALID_CAPTURE", `the recorded url ${JSON.stringify(path.slice(0, 200))} is not a path: not sent (replay only sends to ${base})`);
  return url;
}
