// The error a call script that cannot be used throws (its own file, so the script's parts can throw it
// without importing the script module).
import { BandwidthError } from "../errors.js";

/**
 * A script field that cannot be used; the message names it.
 *
 * @example
 * await assert.rejects(simulateCall(webhooks.fetch, { digits: ["x"] }), ScriptError); // "x" is not a DTMF digit
 */
export class ScriptError extends BandwidthError {
  constructor(message: string) {
    super("BW_INVALID_SCRIPT", message);
    this.name = "ScriptError";
  }
}
