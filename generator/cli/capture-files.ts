// Reading captures for `replay`, `fixtures` and `drift`: each argument is a capture file (NDJSON) or a
// folder of them (`*.ndjson`, sorted by name, which is the order a capture writes them in). And rewriting one
// (`replay --update`) atomically: a temporary file in the same folder, written, fsynced, renamed over it.
import { randomBytes } from "node:crypto";
import { closeSync, constants, fchmodSync, fsyncSync, lstatSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
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

/**
 * Replaces the capture file `path` with `text` atomically: the text goes into a temporary file of the same
 * folder (`.<name>.<random>.tmp`, created exclusively, never through a link, not a `*.ndjson` a later read
 * would take for a capture), fsynced, given the file's mode, then renamed over it; the folder is fsynced
 * (where that is possible). A failure at any step removes the temporary file and leaves the old file whole.
 * A link is never written through: returns why the file was left alone (a symbolic link, not a regular
 * file), undefined once replaced; throws on a write failure (the old file still whole).
 *
 * @example
 * const refused = replaceCaptureFile("captures/capture-…-0001.ndjson", lines.join(""));
 */
export function replaceCaptureFile(path: string, text: string): string | undefined {
  const before = lstatSync(path);
  if (before.isSymbolicLink()) return "it is a symbolic link (not written through)";
  if (!before.isFile()) return "it is not a regular file";
  const folder = dirname(path);
  const temporary = join(folder, `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const { O_WRONLY, O_CREAT, O_EXCL } = constants;
  const fd = openSync(temporary, O_WRONLY | O_CREAT | O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
  try {
    try {
      const bytes = Buffer.from(text, "utf8");
      for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
      fchmodSync(fd, before.mode & 0o7777);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path); // rename replaces a link put there meanwhile, never its target
  } catch (error) {
    try {
      unlinkSync(temporary);
    } catch {
      // gone already
    }
    throw error;
  }
  try {
    const dir = openSync(folder, constants.O_RDONLY);
    try {
      fsyncSync(dir); // the rename itself reaches the disk
    } finally {
      closeSync(dir);
    }
  } catch {
    // a folder cannot be opened or fsynced everywhere (Windows): the file's own bytes are synced
  }
  return undefined;
}
