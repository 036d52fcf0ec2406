// Where bw-codegen's own folders are, resolved from this file (works from a checkout and when installed).
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** Root of the bw-codegen package (the folder holding schemas/, generator/, generated/). */
export const REPO_ROOT: string = join(dirname(fileURLToPath(import.meta.url)), "..");
