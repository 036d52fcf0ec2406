// What `replay` says when a whole replay went wrong the same way, so a newcomer is not left with one
// identical line per delivery: `--url` given as a callback URL (simulate's --url is one, replay's is the
// receiver's base URL; each delivery goes to URL + its recorded path), every answer a 401 (the
// credentials), or no answer at all (the receiver is not running there).

/** The usage error for a `--url` that already ends with a recorded delivery's path, or undefined. */
export function callbackUrlMistake(url: string, recordedPaths: readonly string[]): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `--url is not a URL: ${url}`;
  }
  const path = parsed.pathname.replace(/\/+$/, "");
  if (path === "") return undefined;
  const hit = recordedPaths.find((recorded) => {
    const bare = recorded.split("?")[0].replace(/\/+$/, "");
    return bare !== "" && path.endsWith(bare);
  });
  if (hit === undefined) return undefined;
  const base = `${parsed.origin}${path.slice(0, path.length - hit.split("?")[0].replace(/\/+$/, "").length)}`;
  return `--url is the receiver's base URL (each delivery goes to URL + its recorded path, e.g. ${hit.split("?")[0]}), not a callback URL: use --url ${base}`;
}

/** One replayed delivery as far as the hints care. */
export interface ReplayedStatus {
  /** The answer's status; 0 when there was no answer. */
  readonly status: number;
  readonly error?: string;
}

/** The hint (stderr) when every delivery failed alike, or undefined. */
export function replayHint(results: readonly ReplayedStatus[], url: string, withCredentials: boolean): string | undefined {
  if (results.length === 0) return undefined;
  if (results.every((r) => r.status === 0 && r.error !== undefined)) {
    return `bw-codegen replay: no delivery got an answer from ${url} (${results[0].error}): is the receiver running there?\n`;
  }
  if (results.every((r) => r.status === 401)) {
    return withCredentials
      ? "bw-codegen replay: every delivery was answered 401: the receiver refused the credentials given (--username / --password, or BW_CALLBACK_USERNAME / BW_CALLBACK_PASSWORD)\n"
      : "bw-codegen replay: every delivery was answered 401 and no credentials were given: pass the receiver's callback credentials with --username / --password (or set BW_CALLBACK_USERNAME / BW_CALLBACK_PASSWORD)\n";
  }
  return undefined;
}
