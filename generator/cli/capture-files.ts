// Reading captures for `replay`, `fixtures` and `drift`: each argument is a capture file (NDJSON) or a
// folder of them (`*.ndjson`, sorted by name, which is the order a capture writes them in).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseCapture } from "../../generated/capture.js";
import type { CaptureEntry, SocketCaptureEntry } from "../../generated/capture.js";
import { UsageError } from "./args.js";

export interface CaptureFile {
  path: string;
  entries: CaptureEntry[];
  /** The socket records of the file (`createStreamServer({ capture })`), in file order. */
  sockets: SocketCaptureEntry[];
}

/** The capture files the arguments name, in order, parsed (a line that is no entry is a usage error naming it). */
export function readCaptures(args: readonly string[]): CaptureFile[] {
  if (args.length === 0) throw new UsageError("name at least one capture file or folder");
  const paths: string[] = [];
  for (const arg of args) {
    let isDir: boolean;
    try {
      isDir = statSync(arg).isDirectory();
    } catch {
      throw new UsageError(`no such file or folder: ${arg}`);
    }
    if (isDir) {
      const files = readdirSync(arg)
        .filter((name) => name.endsWith(".ndjson"))
        .sort()
        .map((name) => join(arg, name));
      if (files.length === 0) throw new UsageError(`no .ndjson capture files in ${arg}`);
      paths.push(...files);
    } else {
      paths.push(arg);
    }
  }
  return paths.map((path) => {
    try {
      const sockets: SocketCaptureEntry[] = [];
      return { path, entries: parseCapture(readFileSync(path, "utf8"), sockets), sockets };
    } catch (error) {
      throw new UsageError(`${path}: ${(error as Error).message}`);
    }
  });
}
