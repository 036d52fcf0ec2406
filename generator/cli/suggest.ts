// "Did you mean …?" for the CLI: the known names closest to a mistyped one (edit distance), so an
// unknown command, option, kind or event name comes with the likely intended one.

/** Levenshtein distance (insertions, deletions, substitutions; a swap of two neighbours counts 1). */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2][j - 2] + 1);
      rows[i][j] = best;
    }
  }
  return rows[a.length][b.length];
}

/**
 * The known names closest to `name` (case-insensitive): those at the smallest distance found, at most
 * `limit`; none when every name is too far (more than a third of the name's length, at least 1, at most
 * 3 edits) to be a typo.
 *
 * @example
 * closestNames("answr", ["answer", "disconnect"]) // ["answer"]
 */
export function closestNames(name: string, known: readonly string[], limit = 3): string[] {
  const wanted = name.toLowerCase();
  const allowed = Math.min(3, Math.max(1, Math.floor(wanted.length / 3)));
  const scored = [...new Set(known)]
    .map((candidate) => ({ candidate, distance: editDistance(wanted, candidate.toLowerCase()) }))
    .filter((s) => s.distance <= allowed)
    .sort((x, y) => x.distance - y.distance || (x.candidate < y.candidate ? -1 : x.candidate > y.candidate ? 1 : 0));
  return scored.filter((s) => s.distance === scored[0].distance).slice(0, limit).map((s) => s.candidate);
}

/**
 * `" (did you mean answer?)"`, `" (did you mean a or b?)"`, or `""` when nothing is close.
 *
 * @example
 * `unknown event "answr"${didYouMean("answr", ["answer"])}` // 'unknown event "answr" (did you mean answer?)'
 */
export function didYouMean(name: string, known: readonly string[]): string {
  const names = closestNames(name, known);
  if (names.length === 0) return "";
  const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} or ${names[names.length - 1]}`;
  return ` (did you mean ${list}?)`;
}
