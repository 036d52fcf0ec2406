// `bw-codegen replay <capture…> --url URL`: re-delivers captured deliveries in order (Bandwidth's auth
// challenge included) and compares every answer with the recorded one (status; BXML element by element, so
// formatting is no difference). Exit 0 same answers, 1 any difference, 2 usage error; `--update` writes the
// new answers into the capture files instead.
import { writeFileSync } from "node:fs";
import { replayCapture } from "../../generated/testing.js";
import type { CaptureEntry } from "../../generated/capture.js";
import { parseArgs, UsageError } from "./args.js";
import { readCaptures } from "./capture-files.js";
import { painter, printable } from "./colour.js";
import type { Command } from "./command.js";
import { credentials } from "./simulate.js";

const HELP = `Usage: bw-codegen replay <capture…> --url URL [options]

Re-delivers the deliveries of a capture (files written by createCapture of bw-codegen/capture, or folders of
them) to your receiver, in the order they arrived, the way Bandwidth does (401 challenge, then the
credentials), and compares each answer with the recorded one: the status, BXML and other XML element by
element (element path, attributes, text; formatting is no difference), JSON value by value. A difference
names its element path, e.g. /Response/Gather[1]/SpeakSentence[1]/text().

Options:
  --url URL            the receiver's base URL (each delivery goes to URL + its recorded path)
  --username U         callback credentials (give both or neither; default: $BW_CALLBACK_USERNAME /
  --password P         $BW_CALLBACK_PASSWORD, as simulate reads them)
  --challenge-every    every delivery goes through the 401 challenge (default: the first one does, the
                       others carry the credentials at once: half the requests)
  --timeout SECONDS    give up on a delivery the receiver has not answered after this long (default 15):
                       it counts as a difference ("no answer"), and replay goes on with the next
  --update             accept the new answers: write them into the capture files (exit 0)
  --json               one JSON object per delivery, then a summary line

Exit status: 0 every answer is the recorded one (or --update); 1 a difference or a delivery without an
answer; 2 usage error.
`;

function show(value: string | undefined): string {
  if (value === undefined) return "(none)";
  return printable(JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value));
}

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: over the limit of 40 when the limit was set (issue 21); split it when it is next changed
async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { values: ["--url", "--username", "--password", "--timeout"], booleans: ["--update", "--json", "--challenge-every"] });
  const timeout = args.values.get("--timeout");
  const timeoutMs = timeout === undefined ? undefined : Math.round(Number(timeout) * 1000);
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new UsageError(`--timeout takes a number of seconds above 0, not ${timeout}`);
  const url = args.values.get("--url");
  if (url === undefined) throw new UsageError("--url is required (the receiver's base URL, e.g. http://127.0.0.1:3000)");
  if (!/^https?:\/\//i.test(url)) throw new UsageError(`--url must be an http(s) URL, not ${url}`);
  const files = readCaptures(args.positionals);
  const auth = credentials(args.values);
  const paint = painter(process.stdout);
  const json = args.booleans.has("--json");
  let different = 0;
  let total = 0;
  const socketRecords = files.reduce((sum, file) => sum + file.sockets.length, 0);
  for (const file of files) {
    const report = await replayCapture(url, file.entries, { ...auth, challenge: args.booleans.has("--challenge-every") ? "every" : "first", timeoutMs });
    const updated: CaptureEntry[] = [];
    for (const result of report.results) {
      total++;
      const same = result.differences.length === 0;
      if (!same) different++;
      updated.push(same || result.error !== undefined ? file.entries[result.index] : { ...file.entries[result.index], answer: result.actual });
      if (json) {
        process.stdout.write(`${JSON.stringify({ file: file.path, index: result.index, family: result.family, event: result.event, url: result.url, ok: same, status: result.actual.status, differences: result.differences, error: result.error })}\n`);
        continue;
      }
      // a capture comes from anywhere: what it names is printed without its control characters
      const head = `${same ? paint.green("✓") : paint.red("✗")} ${printable(`${file.path}#${result.index + 1} ${result.family} ${result.event ?? "?"} ${result.url}`)} ${result.actual.status === 0 ? "no answer" : result.actual.status}`;
      process.stdout.write(`${head}\n`);
      if (result.error !== undefined) process.stdout.write(`    ${paint.red(printable(result.error))}\n`);
      else for (const d of result.differences) process.stdout.write(`    ${printable(d.path)}: recorded ${show(d.recorded)}, now ${show(d.actual)}\n`);
    }
    if (args.booleans.has("--update") && report.results.some((r) => r.differences.length > 0 && r.error === undefined)) {
      // socket records are kept (after the deliveries: each carries its own time)
      writeFileSync(file.path, [...updated, ...file.sockets].map((entry) => `${JSON.stringify(entry)}\n`).join(""));
    }
  }
  const update = args.booleans.has("--update");
  if (json) process.stdout.write(`${JSON.stringify({ summary: true, deliveries: total, different, updated: update && different > 0, socketRecordsNotReplayed: socketRecords })}\n`);
  else {
    if (socketRecords > 0) process.stdout.write(`${socketRecords} socket records not replayed (drift checks them)\n`);
    process.stdout.write(`${total} deliveries replayed, ${different === 0 ? paint.green("no difference") : paint.red(`${different} different`)}${update && different > 0 ? " (capture updated)" : ""}\n`);
  }
  return different === 0 || update ? 0 : 1;
}

export const replayCommand: Command = { summary: "Replay captured deliveries against a receiver and diff its answers", help: HELP, run };
