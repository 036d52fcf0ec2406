// `replay` against a receiver that is capturing into the capture being replayed: every replayed delivery is
// recorded again (the folder doubles with each replay), and `--update` would rewrite a file the receiver is
// appending to. This notes the size of every replayed file and the capture files of every folder named
// before the replay, and says afterwards which of them grew or appeared.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** A file's size now; -1 when it is gone. */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

/** The capture files (`*.ndjson`) of `dir` now. */
function captureFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(".ndjson"))
      .map((name) => join(dir, name));
  } catch {
    return [];
  }
}

/** What changed under the replayed captures while replaying. */
export interface CaptureGrowth {
  /** `path` changed size since it was read (or since `rebase`). */
  grew(path: string): boolean;
  /** After writing `path` ourselves (`--update`): its new size is the one to compare with. */
  rebase(path: string): void;
  /** The files that grew and the capture files that appeared in a replayed folder, in that order. */
  changes(): { grown: string[]; added: string[] };
}

/**
 * Notes the sizes of `paths` (the files replay read) and the capture files of the folders among `args`.
 *
 * @example
 * const growth = watchCaptures(["captures"], ["captures/capture-…-0001.ndjson"]);
 * // … replay …
 * growth.changes() // { grown: ["captures/capture-…-0001.ndjson"], added: [] } when the receiver captured it again
 */
export function watchCaptures(args: readonly string[], paths: readonly string[]): CaptureGrowth {
  const sizes = new Map(paths.map((path) => [path, sizeOf(path)]));
  const folders = args.filter((arg) => statSync(arg, { throwIfNoEntry: false })?.isDirectory() === true);
  const known = new Set(folders.flatMap(captureFilesIn));
  return {
    grew: (path) => sizes.has(path) && sizeOf(path) !== sizes.get(path),
    rebase: (path) => void sizes.set(path, sizeOf(path)),
    changes: () => ({
      grown: [...sizes.keys()].filter((path) => sizeOf(path) !== sizes.get(path)),
      added: folders.flatMap(captureFilesIn).filter((path) => !known.has(path)),
    }),
  };
}

/** The warning `replay` prints (stderr) when the receiver captured the replayed deliveries again; undefined when it did not. */
export function recapturedWarning(changes: { grown: string[]; added: string[] }): string | undefined {
  const named = [...changes.grown.map((path) => `${path} grew`), ...changes.added.map((path) => `${path} appeared`)];
  if (named.length === 0) return undefined;
  return (
    `bw-codegen replay: warning: the receiver is capturing into the capture being replayed (${named.join(", ")}): ` +
    "the replayed deliveries were recorded again, and the next replay will send them twice. Replay against a receiver " +
    "with capture off (the scaffolded server: start it without BW_CAPTURE_DIR), or capturing into another folder.\n"
  );
}
