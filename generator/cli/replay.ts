// `bw-codegen replay <capture…> --url URL`: re-delivers captured deliveries in order (Bandwidth's auth
// challenge included) and compares every answer with the recorded one (status; BXML element by element, so
// formatting is no difference). Exit 0 same answers, 1 any difference, 2 usage error; `--update` writes the
// new answers into the capture files instead.
import { writeFileSync } from "node:fs";
import { replayCapture } from "../../generated/testing.js";
import type { CaptureEntry } from "../../generated/capture.js";
import { parseArgs, UsageError } from "./args.js";
import { readCaptures } from "./capture-files.js";
import { recapturedWarning, watchCaptures } from "./capture-growth.js";
import { callbackUrlMistake, replayHint } from "./replay-hints.js";
import type { ReplayedStatus } from "./replay-hints.js";
import { painter } from "./colour.js";
import type { Command } from "./command.js";
import { credentials } from "./simulate.js";

const HELP = `Usage: bw-codegen replay <capture…> --url URL [options]

Re-delivers the deliveries of a capture (files written by createCapture of bw-codegen/capture, or folders of
them) to your receiver, in the order they arrived, the way Bandwidth does (401 challenge, then the
credentials), and compares each answer with the recorded one: the status, BXML and other XML element by
element (element path, attributes, text; formatting is no difference), JSON value by value. A difference
names its element path, e.g. /Response/Gather[1]/SpeakSentence[1]/text().

Options:
  --url URL            the receiver's base URL (each delivery goes to URL + its recorded path; a
                       callback URL such as simulate call's, …/callbacks/voice, is refused naming the base)
  --username U         callback credentials (give both or neither; default: $BW_CALLBACK_USERNAME /
  --password P         $BW_CALLBACK_PASSWORD, as simulate reads them)
  --challenge-every    every delivery goes through the 401 challenge (default: the first one does, the
                       others carry the credentials at once: half the requests)
  --update             accept the new answers: write them into the capture files (exit 0); a file that
                       grew while replaying (the receiver is capturing into it) is left as it is (exit 1)
  --json               one JSON object per delivery, then a summary line

Replay against a receiver with capture off: one capturing into the replayed folder records every
replayed delivery again (replay warns when a replayed file grew or a capture file appeared).

Exit status: 0 every answer is the recorded one (or --update); 1 a difference, a delivery without an
answer, or a file --update could not rewrite; 2 usage error.
`;

/** How long replay lets a capturing receiver write what it recorded before looking at the captures again (ms). */
const RECAPTURE_WAIT_MS = 100;

function show(value: string | undefined): string {
  if (value === undefined) return "(none)";
  return JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value);
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: over the limit of 40 when the limit was set (issue 21); split it when it is next changed
async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ["--url", "--username", "--password"], booleans: ["--update", "--json", "--challenge-every"] });
  const url = args.values.get("--url");
  if (url === undefined) throw new UsageError("--url is required (the receiver's base URL, e.g. http://127.0.0.1:3000)");
  if (!/^https?:\/\//i.test(url)) throw new UsageError(`--url must be an http(s) URL, not ${url}`);
  const files = readCaptures(args.positionals);
  const mistake = callbackUrlMistake(url, files.flatMap((file) => file.entries.map((entry) => entry.url)));
  if (mistake !== undefined) throw new UsageError(mistake);
  const replayed: ReplayedStatus[] = [];
  const growth = watchCaptures(args.positionals, files.map((file) => file.path));
  const notUpdated: string[] = [];
  const updates: { path: string; lines: string }[] = [];
  const auth = credentials(args.values);
  const paint = painter(process.stdout);
  const json = args.booleans.has("--json");
  let different = 0;
  let total = 0;
  const socketRecords = files.reduce((sum, file) => sum + file.sockets.length, 0);
  for (const file of files) {
    const report = await replayCapture(url, file.entries, { ...auth, challenge: args.booleans.has("--challenge-every") ? "every" : "first" });
    const updated: CaptureEntry[] = [];
    for (const result of report.results) {
      total++;
      replayed.push({ status: result.actual.status, error: result.error });
      const same = result.differences.length === 0;
      if (!same) different++;
      updated.push(same || result.error !== undefined ? file.entries[result.index] : { ...file.entries[result.index], answer: result.actual });
      if (json) {
        process.stdout.write(`${JSON.stringify({ file: file.path, index: result.index, family: result.family, event: result.event, url: result.url, ok: same, status: result.actual.status, differences: result.differences, error: result.error })}\n`);
        continue;
      }
      const head = `${same ? paint.green("✓") : paint.red("✗")} ${file.path}#${result.index + 1} ${result.family} ${result.event ?? "?"} ${result.url} ${result.actual.status === 0 ? "no answer" : result.actual.status}`;
      process.stdout.write(`${head}\n`);
      if (result.error !== undefined) process.stdout.write(`    ${paint.red(result.error)}\n`);
      else for (const d of result.differences) process.stdout.write(`    ${d.path}: recorded ${show(d.recorded)}, now ${show(d.actual)}\n`);
    }
    if (args.booleans.has("--update") && report.results.some((r) => r.differences.length > 0 && r.error === undefined)) {
      // socket records are kept (after the deliveries: each carries its own time)
      updates.push({ path: file.path, lines: [...updated, ...file.sockets].map((entry) => `${JSON.stringify(entry)}\n`).join("") });
    }
  }
  const update = args.booleans.has("--update");
  await new Promise((resolve) => setTimeout(resolve, RECAPTURE_WAIT_MS)); // a capture writes what it recorded within ~20 ms
  for (const { path, lines } of updates) {
    if (growth.grew(path)) notUpdated.push(path); // rewriting it would lose what the receiver appended
    else {
      writeFileSync(path, lines);
      growth.rebase(path);
    }
  }
  const hint = replayHint(replayed, url, auth.username !== undefined);
  if (hint !== undefined) process.stderr.write(hint);
  const warning = recapturedWarning(growth.changes());
  if (warning !== undefined) process.stderr.write(warning);
  for (const path of notUpdated) process.stderr.write(`bw-codegen replay: ${path} not updated: it grew while replaying (the receiver is capturing into it)\n`);
  if (json) process.stdout.write(`${JSON.stringify({ summary: true, deliveries: total, different, updated: update && different > 0 && notUpdated.length === 0, socketRecordsNotReplayed: socketRecords })}\n`);
  else {
    if (socketRecords > 0) process.stdout.write(`${socketRecords} socket records not replayed (drift checks them)\n`);
    process.stdout.write(`${total} deliveries replayed, ${different === 0 ? paint.green("no difference") : paint.red(`${different} different`)}${update && different > 0 ? (notUpdated.length === 0 ? " (capture updated)" : ` (${notUpdated.length} file(s) not updated)`) : ""}\n`);
  }
  if (notUpdated.length > 0) return 1;
  return different === 0 || update ? 0 : 1;
}

export const replayCommand: Command = { summary: "Replay captured deliveries against a receiver and diff its answers", help: HELP, run };
