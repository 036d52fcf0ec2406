// The unit every emitter produces: a file path inside generated/, its contents, and what it was generated from.

export interface GeneratedFile {
  /** Path relative to the output folder, forward slashes. */
  path: string;
  contents: string;
  /** What the file is generated from, for its header (e.g. `schemas/voice/*.schema.json`). */
  source: string;
}
