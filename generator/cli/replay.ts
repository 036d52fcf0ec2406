// `bw-codegen replay <capture…> --url URL`: re-delivers captured deliveries in order (Bandwidth's auth
// challenge included) and compares every answer with the recorded one (status; BXML element by element, so
// formatting is no difference); replays the captured sockets (media streams, transcription) among them in
// recorded order and compares what the server sent (event types, a playAudio's content type, the close code).
// Exit 0 same answers, 1 any difference, 2 usage error; `--update` writes the new answers (and the sockets as
// replayed) into the capture files instead, atomically.
import { replayCapture } from "../../generated/testing.js";
import type { ReplayResult, SocketReplayResult } from "../../generated/testing.js";
import type { CaptureEntry, SocketCaptureEntry } from "../../generated/capture.js";
import { socketSessions } from "../../generated/runtime/capture/socket-sessions.js";
import { parseArgs, UsageError } from "./args.js";
import { readCaptures, replaceCaptureFile, type CaptureFile } from "./capture-files.js";
import { recapturedWarning, watchCaptures } from "./capture-growth.js";
import { callbackUrlMistake, replayHint } from "./replay-hints.js";
import type { ReplayedStatus } from "./replay-hints.js";
import { painter, printable } from "./colour.js";
import type { Command } from "./command.js";
import { credentials } from "./simulate.js";

const HELP = `Usage: bw-codegen replay <capture…> --url URL [options]

Re-delivers the deliveries of a capture (files written by createCapture of bw-codegen/capture, or folders of
them) to your receiver, in the order they arrived, the way Bandwidth does (401 challenge, then the
credentials), and compares each answer with the recorded one: the status, the media type (content-type:
BXML sent as text/html is a difference, a charset is not), BXML and other XML element by element (element
path, attributes, text; formatting is no difference), JSON value by value. A difference names its element
path, e.g. /Response/Gather[1]/SpeakSentence[1]/text(). A delivery the receiver refused (wrong credentials,
method, content type, a body over the limit) is resent as it came, and its status compared.

Captured sockets (createStreamServer({ capture })) are replayed among the deliveries in the order they were
recorded (a stream opens after the answer that started it, its messages go while the call's deliveries go
on; sockets open at once where they did): replay opens each to its recorded path, sends the recorded
messages in order (a media payload the capture dropped is sent as μ-law silence of the recorded length),
and compares what your server sent: event types in order, a playAudio's
content type (never the audio), the close code. A difference names the socket and the message, e.g.
stream#1 out[1]: recorded "clear", now "playAudio audio/pcmu". A transcription socket's URL token is masked
in a capture: give the secret your server verifies tokens with and a fresh token is minted for the captured
call, otherwise the socket is skipped (counted).

Options:
  --url URL                 the receiver's base URL (each delivery goes to URL + its recorded path; a
                            callback URL such as simulate call's, …/callbacks/voice, is refused naming the base)
  --username U              callback credentials (give both or neither; default: $BW_CALLBACK_USERNAME /
  --password P              $BW_CALLBACK_PASSWORD, as simulate reads them)
  --socket-url URL          where the sockets go (ws://, wss://, http:// or https://; default: --url)
  --socket-username U       the media stream's Basic credentials (default: $BW_STREAM_USERNAME /
  --socket-password P       $BW_STREAM_PASSWORD, else the callback credentials)
  --transcription-secret S  mint transcription URL tokens (default: $BW_TRANSCRIPTION_SECRET; prefer the
                            variable: a command line is visible to other users of the machine)
  --challenge-every         every delivery goes through the 401 challenge (default: the first one does, the
                            others carry the credentials at once: half the requests)
  --timeout SECONDS         give up on a delivery the receiver has not answered after this long (default 15):
                            it counts as a difference ("no answer"), and replay goes on with the next
  --update                  accept the new answers: write them, and the sockets as replayed, into the
                            capture files (exit 0), each atomically (a temporary file in its folder,
                            fsynced, renamed over it, its mode kept: an interrupted update leaves the
                            old file whole); a file that grew while replaying (the receiver is
                            capturing into it) or is a symbolic link is left as it is (exit 1)
  --json                    one JSON object per delivery and per socket, then a summary line

Replay against a receiver with capture off: one capturing into the replayed folder records every
replayed delivery again (replay warns when a replayed file grew or a capture file appeared).

Exit status: 0 every answer and socket is the recorded one (or --update); 1 a difference, a delivery without
an answer, a socket that did not open, or a file --update could not rewrite; 2 usage error.
`;

/** How long replay lets a capturing receiver write what it recorded before looking at the captures again (ms). */
const RECAPTURE_WAIT_MS = 100;

function show(value: string | undefined): string {
  if (value === undefined) return "(none)";
  return printable(JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value));
}

/** The socket options: --socket-url, the stream credentials, the transcription secret. */
function socketOptions(values: Map<string, string>, url: string, auth: { username?: string; password?: string }) {
  const target = values.get("--socket-url") ?? url;
  if (!/^(?:wss?|https?):\/\//i.test(target)) throw new UsageError(`--socket-url must be a ws(s) or http(s) URL, not ${target}`);
  const username = values.get("--socket-username") ?? (values.has("--socket-password") ? undefined : process.env.BW_STREAM_USERNAME || undefined);
  const password = values.get("--socket-password") ?? (values.has("--socket-username") ? undefined : process.env.BW_STREAM_PASSWORD || undefined);
  if ((username === undefined) !== (password === undefined)) throw new UsageError("give both --socket-username and --socket-password, or neither");
  const secret = values.get("--transcription-secret") ?? (process.env.BW_TRANSCRIPTION_SECRET || undefined);
  if (secret !== undefined && Buffer.byteLength(secret) < 16) throw new UsageError("the transcription secret must be at least 16 bytes long, as your server's verifier takes it");
  return { target, ...(username === undefined ? auth : { username, password }), ...(secret === undefined ? {} : { transcriptionSecret: secret }) };
}

interface Tally {
  total: number;
  different: number;
}

/** Prints every file's replayed deliveries (numbered within their file); returns the entries to write on --update, per file. */
function deliveriesOf(files: readonly CaptureFile[], results: readonly ReplayResult[], out: Printer, tally: Tally, replayed: ReplayedStatus[]): Map<CaptureFile, CaptureEntry[]> {
  const updatedEntries = new Map<CaptureFile, CaptureEntry[]>();
  let at = 0;
  for (const file of files) {
    const mine = results.slice(at, at + file.entries.length);
    at += file.entries.length;
    const updated: CaptureEntry[] = [];
    for (const global of mine) {
      const result = { ...global, index: global.index - (at - file.entries.length) };
      tally.total++;
      // a delivery refused for its credentials when recorded is refused again on purpose: no hint about them
      if (result.recorded.status !== 401) replayed.push({ status: result.actual.status, error: result.error });
      const same = result.differences.length === 0;
      if (!same) tally.different++;
      updated.push(same || result.error !== undefined ? file.entries[result.index] : { ...file.entries[result.index], answer: result.actual });
      out.delivery(file.path, result, same);
    }
    if (mine.some((r) => r.differences.length > 0 && r.error === undefined)) updatedEntries.set(file, updated);
  }
  return updatedEntries;
}

interface Printer {
  delivery(path: string, result: ReplayResult, same: boolean): void;
  socket(path: string, result: SocketReplayResult): void;
}

function printer(json: boolean): Printer {
  const paint = painter(process.stdout);
  const write = (text: string) => process.stdout.write(text);
  if (json) {
    return {
      delivery: (file, r, ok) =>
        write(`${JSON.stringify({ file, index: r.index, family: r.family, event: r.event, url: r.url, ok, status: r.actual.status, differences: r.differences, error: r.error })}\n`),
      socket: (file, r) =>
        write(`${JSON.stringify({ file, socket: r.kind, connection: r.connection, url: r.url, ok: r.differences.length === 0, skipped: r.skipped, recorded: r.recorded, actual: r.actual, differences: r.differences, error: r.error })}\n`),
    };
  }
  return {
    delivery(file, r, same) {
      // a capture comes from anywhere: what it names is printed without its control characters; a delivery
      // refused before its event was read (wrong credentials, method, content type, size) says so
      write(`${same ? paint.green("✓") : paint.red("✗")} ${printable(`${file}#${r.index + 1} ${r.family} ${r.event ?? (r.recorded.status >= 400 ? "(refused)" : "?")} ${r.url}`)} ${r.actual.status === 0 ? "no answer" : r.actual.status}\n`);
      if (r.error !== undefined) write(`    ${paint.red(printable(r.error))}\n`);
      else for (const d of r.differences) write(`    ${printable(d.path)}: recorded ${show(d.recorded)}, now ${show(d.actual)}\n`);
    },
    socket(file, r) {
      const name = printable(`${file} ${r.kind}#${r.connection} ${r.url}`);
      if (r.skipped !== undefined) {
        write(`- ${name} skipped: ${printable(r.skipped)}\n`);
        return;
      }
      const same = r.differences.length === 0;
      const what = r.actual === undefined || r.error !== undefined ? "" : ` ${r.actual.in} in, ${r.actual.out.length} out, close ${r.actual.close ?? "?"}`;
      write(`${same ? paint.green("✓") : paint.red("✗")} ${name}${what}\n`);
      if (r.error !== undefined) write(`    ${paint.red(printable(r.error))}\n`);
      else for (const d of r.differences) write(`    ${r.kind}#${r.connection} ${printable(d.path)}: recorded ${show(d.recorded)}, now ${show(d.actual)}\n`);
    },
  };
}

/** Each file's socket records, the replaced sessions' records swapped for their replay (in place of their first record in that file). */
function updatedSockets(file: CaptureFile, replacement: Map<SocketCaptureEntry, readonly SocketCaptureEntry[]>): SocketCaptureEntry[] {
  const out: SocketCaptureEntry[] = [];
  const done = new Set<readonly SocketCaptureEntry[]>();
  for (const entry of file.sockets) {
    const records = replacement.get(entry);
    if (records === undefined) out.push(entry);
    else if (!done.has(records)) {
      done.add(records);
      out.push(...records);
    }
  }
  return out;
}

/** --timeout SECONDS in milliseconds (undefined: the default). */
function timeoutOf(values: Map<string, string>): number | undefined {
  const timeout = values.get("--timeout");
  const timeoutMs = timeout === undefined ? undefined : Math.round(Number(timeout) * 1000);
  if (timeoutMs !== undefined && !(Number.isFinite(timeoutMs) && timeoutMs > 0)) throw new UsageError(`--timeout takes a number of seconds above 0, not ${timeout}`);
  return timeoutMs;
}

/** What replaying the captured sockets gave: the tally, and the records to write on --update. */
interface SocketsReplayed {
  readonly tally: { total: number; different: number; skipped: number };
  readonly replacement: Map<SocketCaptureEntry, readonly SocketCaptureEntry[]>;
  readonly touched: Set<CaptureFile>;
}

/** Prints every replayed socket (a socket's records may run over into the next file of a capture: named by the file it opened in); the tally and the records to write on --update. */
function socketsOf(files: readonly CaptureFile[], results: readonly SocketReplayResult[], out: Printer): SocketsReplayed {
  const fileOf = new Map<SocketCaptureEntry, CaptureFile>();
  for (const file of files) for (const entry of file.sockets) fileOf.set(entry, file);
  const sessions = socketSessions(files.flatMap((file) => file.sockets));
  const done: SocketsReplayed = { tally: { total: 0, different: 0, skipped: 0 }, replacement: new Map(), touched: new Set() };
  results.forEach((result, i) => {
    const session = sessions[i];
    const first = session.open ?? session.messages[0] ?? session.close;
    const file = first === undefined ? undefined : fileOf.get(first);
    out.socket(file?.path ?? "?", result);
    if (result.skipped !== undefined) {
      done.tally.skipped++;
      return;
    }
    done.tally.total++;
    if (result.differences.length === 0) return;
    done.tally.different++;
    if (result.error !== undefined || result.replayed === undefined) return;
    for (const entry of [session.open, ...session.messages, session.close]) {
      if (entry === undefined) continue;
      done.replacement.set(entry, result.replayed);
      const owner = fileOf.get(entry);
      if (owner !== undefined) done.touched.add(owner);
    }
  });
  return done;
}

/**
 * --update: rewrites each file with a new answer or socket, after the receiver had time to write what it
 * captured; a file that grew meanwhile (the receiver captures into it) is left alone: returned.
 */
async function writeUpdates(
  files: readonly CaptureFile[],
  updatedEntries: Map<CaptureFile, CaptureEntry[]>,
  sockets: SocketsReplayed,
  growth: ReturnType<typeof watchCaptures>,
): Promise<{ path: string; why: string }[]> {
  const notUpdated: { path: string; why: string }[] = [];
  await new Promise((resolve) => setTimeout(resolve, RECAPTURE_WAIT_MS)); // a capture writes what it recorded within ~20 ms
  for (const file of files) {
    const entries = updatedEntries.get(file);
    if (entries === undefined && !sockets.touched.has(file)) continue;
    if (growth.grew(file.path)) {
      notUpdated.push({ path: file.path, why: "it grew while replaying (the receiver is capturing into it)" }); // rewriting it would lose what the receiver appended
      continue;
    }
    // socket records after the deliveries (each carries its own time); atomically: an interrupted update
    // leaves the old file whole, and a link is not written through
    const text = [...(entries ?? file.entries), ...updatedSockets(file, sockets.replacement)].map((entry) => `${JSON.stringify(entry)}\n`).join("");
    let refused: string | undefined;
    try {
      refused = replaceCaptureFile(file.path, text);
    } catch (error) {
      refused = `it could not be rewritten (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); it is as it was`;
    }
    if (refused !== undefined) {
      notUpdated.push({ path: file.path, why: refused });
      continue;
    }
    growth.rebase(file.path);
  }
  return notUpdated;
}

async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    values: ["--url", "--username", "--password", "--socket-url", "--socket-username", "--socket-password", "--transcription-secret", "--timeout"],
    booleans: ["--update", "--json", "--challenge-every"],
  });
  const timeoutMs = timeoutOf(args.values);
  const url = args.values.get("--url");
  if (url === undefined) throw new UsageError("--url is required (the receiver's base URL, e.g. http://127.0.0.1:3000)");
  if (!/^https?:\/\//i.test(url)) throw new UsageError(`--url must be an http(s) URL, not ${url}`);
  const files = readCaptures(args.positionals);
  const mistake = callbackUrlMistake(url, files.flatMap((file) => file.entries.map((entry) => entry.url)));
  if (mistake !== undefined) throw new UsageError(mistake);
  const growth = watchCaptures(args.positionals, files.map((file) => file.path));
  const auth = credentials(args.values);
  const socketsOptions = socketOptions(args.values, url, auth);
  const json = args.booleans.has("--json");
  const update = args.booleans.has("--update");
  const out = printer(json);
  const deliveries: Tally = { total: 0, different: 0 };
  const replayed: ReplayedStatus[] = [];
  // every file at once: the sockets interleave with the deliveries in recorded order, across files too
  const report = await replayCapture(
    url,
    files.flatMap((file) => [...file.entries, ...file.sockets]),
    { ...auth, challenge: args.booleans.has("--challenge-every") ? "every" : "first", timeoutMs, sockets: socketsOptions },
  );
  const updatedEntries = deliveriesOf(files, report.results, out, deliveries, replayed);
  const sockets = socketsOf(files, report.sockets, out);
  const notUpdated = update ? await writeUpdates(files, updatedEntries, sockets, growth) : [];

  const hint = replayHint(replayed, url, auth.username !== undefined);
  if (hint !== undefined) process.stderr.write(hint);
  const warning = recapturedWarning(growth.changes());
  if (warning !== undefined) process.stderr.write(warning);
  for (const { path, why } of notUpdated) process.stderr.write(`bw-codegen replay: ${printable(path)} not updated: ${printable(why)}\n`);
  const different = deliveries.different + sockets.tally.different;
  const updated = update && different > 0 && notUpdated.length === 0;
  if (json) {
    const { total, different: socketsDifferent, skipped } = sockets.tally;
    process.stdout.write(`${JSON.stringify({ summary: true, deliveries: deliveries.total, different: deliveries.different, sockets: total, socketsDifferent, socketsSkipped: skipped, updated })}\n`);
  } else {
    const paint = painter(process.stdout);
    const verdict = (n: number) => (n === 0 ? paint.green("no difference") : paint.red(`${n} different`));
    const outcome = (n: number) => (update && n > 0 ? (notUpdated.length === 0 ? " (capture updated)" : ` (${notUpdated.length} file(s) not updated)`) : "");
    process.stdout.write(`${deliveries.total} deliveries replayed, ${verdict(deliveries.different)}${outcome(deliveries.different)}\n`);
    const { total, different: socketsDifferent, skipped } = sockets.tally;
    if (total + skipped > 0) {
      const skippedNote = skipped > 0 ? `; ${skipped} skipped` : "";
      process.stdout.write(`${total} socket${total === 1 ? "" : "s"} replayed, ${verdict(socketsDifferent)}${skippedNote}${outcome(socketsDifferent)}\n`);
    }
  }
  if (notUpdated.length > 0) return 1;
  return different === 0 || update ? 0 : 1;
}

export const replayCommand: Command = { summary: "Replay captured deliveries and sockets against a receiver and diff its answers", help: HELP, run };
