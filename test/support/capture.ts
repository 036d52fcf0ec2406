// The flight recorder's tests' common set-up: a temp folder for their captures, and a `createCapture` whose
// captures are all closed after the test file, also when an assertion failed first (a capture's writer
// thread must never keep the test process alive); the folder is removed after them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { createCapture as openCapture } from "../../generated/capture.js";

/**
 * A temp folder named from `prefix`, and `createCapture` as the package's, every capture it opens closed
 * after the file (before the folder is removed).
 *
 * @example
 * const { root, createCapture } = captureFolder("bw-capture-credentials-");
 */
export function captureFolder(prefix: string): { root: string; createCapture: typeof openCapture } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const opened: ReturnType<typeof openCapture>[] = [];
  after(async () => {
    for (const capture of opened) await capture.close().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });
  const createCapture: typeof openCapture = (options) => {
    const capture = openCapture(options);
    opened.push(capture);
    return capture;
  };
  return { root, createCapture };
}
