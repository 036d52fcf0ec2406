// `bw-codegen simulate`: plays Bandwidth's side against a local receiver. `simulate call` runs a whole
// simulated call (the flow engine in templates/runtime/simulate/) and prints a transcript or JSON
// lines; `simulate event` (simulate-event.ts) sends one event. Exit 0 when the flow ran to the end,
// 1 when the receiver misbehaved, 2 on usage errors. Light imports only (no TypeScript at run time).
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UsageError, parseArgs } from "./args.js";
import type { Command } from "./command.js";
import { colourEnabled } from "./colour.js";

const CALL_HELP = `Usage: bw-codegen simulate call --url URL [options]

Plays Bandwidth's side of one whole voice call against your receiver: the basic-auth challenge exactly as
Bandwidth does it, initiate (or answer), then every BXML verb your server answers with (Gather, Redirect,
Transfer, Record, Conference, Bridge, Refer, Connect, …), each callback it causes, and disconnect at the end. A
<StartStream> opens a real WebSocket to its destination (Basic credentials from destinationUsername /
destinationPassword) and streams the caller's audio as 20 ms μ-law frames; a bidirectional bot's playAudio
is played and its clear honoured; <StartTranscription> sends transcription updates from the caller's
utterances. Streams need the ws package (npm install --save-dev ws).

Options:
  --url URL            the application's callback URL (initiate/answer and disconnect go there)
  --username U         callback credentials configured at Bandwidth (give both or neither; default:
  --password P         $BW_CALLBACK_USERNAME / $BW_CALLBACK_PASSWORD, as the scaffolded receiver reads them)
  --from NUMBER        caller (default +19195550100)
  --to NUMBER          called number (default +19195550142)
  --outbound           an outbound call (answer) instead of an inbound one (initiate)
  --digits 1,2#        digits the caller presses at each <Gather>, comma-separated ("" = time out)
  --script FILE        a JSON call script (what the caller and the far ends do; fields below); the
                       options above override it
  --allow-origin URL   let BXML send callbacks (and the credentials) to this origin too (repeatable;
                       default: only the origin of --url and of the script's disconnectUrl; other
                       origins and schemes other than http(s) are refused and reported)
  --voice-api PORT     serve a stand-in for Bandwidth's Voice API on 127.0.0.1:PORT (0 = a free port) for
                       the call, so the bot can change it mid-call: POST /api/v1/oauth2/token (grant
                       client_credentials, Basic client id/secret), POST /api/v2/accounts/{accountId}/
                       calls/{callId} (state "completed" hangs up; redirectUrl redirects) and PUT …/bxml
                       (replaces the running BXML). Its base URL is printed on stderr before the call
                       starts; events' callUrl points at it. Each request shows in the transcript (⇐)
  --client-id ID       the OAuth2 client the stand-in accepts (default: $BW_CLIENT_ID /
  --client-secret S    $BW_CLIENT_SECRET); required with --voice-api
  --audio FILE         the caller's audio: a WAV file (any rate; 8/16/24/32-bit or float; mono or stereo),
                       from the moment the call is answered; utterances are found by level. For timed
                       segments with the words said (silence, tone, a WAV per utterance), use the
                       script's "caller": { "segments": [...] } (paths relative to the script file)
  --speed N|max        how fast time runs while a socket is open: 1 = real time (default), 2 = twice as
                       fast, max = as fast as the bot answers (same trace for the same seed when the bot
                       answers within its message handler)
  --bot-audio FILE     write what the bot played into the call as a WAV file (8 kHz mono)
  --mix FILE           write the call as a stereo WAV file: the caller left, the bot right
  --seed N             seed of the generated ids (same seed, same trace)
  --json               JSON lines (one trace entry per line, then a summary) instead of a transcript

Script fields (all optional; per-verb lists are used in order, the last entry repeats):
  digits, dtmf, hangupAtStep, conferenceSeconds, tag, seed, callbackTimeout, maxSteps, disconnectUrl
  transfers     [{ "targets": ["busy", "answer"], "ringSeconds": 5, "talkSeconds": 30, "hangupBy":
                "callee"|"caller", "calleeDigits": ["1"] }]: each destination answer|busy|rejected|no-answer;
                one that rings longer than the Transfer's callTimeout never answers (cause timeout)
  forward       { "outcome": "answer"|"busy"|"rejected"|"no-answer", "ringSeconds": 5, "talkSeconds": 30 }
  bridgeEndedBy "target" (bridgeComplete) or "caller" (bridgeTargetComplete, its BXML runs on the target)
  bridgeFailure "busy"|"rejected"|"unknown": the bridge cannot be made (bridgeComplete with that cause)
  refers        [{ "status": "success"|"failure", "referSipResponseCode": 202, "notifySipResponseCode": 200 }]
  connects      [{ "seconds": 30, "endedBy": "endpoint"|"caller" }]   (a <Connect>ed BRTC endpoint)
  recordings    [{ "seconds": 5, "endWith": "digit"|"silence"|"hangup", "digit": "#", "transcript": "…" }]

Colour only on a terminal (or with FORCE_COLOR), never with NO_COLOR set.
Exit status: 0 the flow ran to the end (warnings, ⚠, do not fail it: BXML answered to an event whose reply
Bandwidth ignores, a receiver that accepts requests without the credentials it is configured with, verbs
that can never run); 1 the receiver misbehaved (wrong auth challenge, error status, timeout, an answer over
1 MiB, an empty answer or invalid BXML or a reply over 64 KB to an event whose BXML Bandwidth runs, step
limit, a callback URL refused, a stream or transcription rejected, a socket message Bandwidth would not
take); 2 usage error. The transcript ends with the voice-AI measures when a stream ran: end of each caller
utterance to the bot's first audio, caller talking over the bot to the bot's clear, double talk.
`;

const EVENT_HELP = `Usage: bw-codegen simulate event <type> --url URL [options]

<type> is the event's name on the wire (message-received) or its handler's name (messageReceived).
Sends one schema-valid event the way Bandwidth does (auth challenge included), built from the event
schema's first example: a voice event (answer, gather, disconnect, …) as a JSON object, a messaging event
(message-received, message-delivered, …) as Bandwidth's JSON array, a numbers notification (an order
type such as portins, orders, disconnects) as XML; toll-free verification, BRTC endpoint, MFA and WebRTC
events as JSON objects. Prints the answer; BXML answers are validated.

Options:
  --url URL            where to send it
  --username U         callback credentials (give both or neither; default: $BW_CALLBACK_USERNAME /
                       $BW_CALLBACK_PASSWORD)
  --password P
  --set path=value     change a field (dot path, e.g. --set digits=12 --set message.text=hi); the value
                       is read as JSON when it parses (numbers, true, objects), as text otherwise; repeatable
  --family NAME        the family (voice, messaging, numbers, tfv, endpoint, mfa, webrtc) when a type
                       name exists in several: message-delivered means messaging unless --family mfa
  --allow-invalid      send it even if the edited event fails the schema
  --json               print one JSON object instead of text

Exit status: 0 delivered (and, for a voice event whose reply Bandwidth executes, valid BXML back);
warnings (⚠) do not fail it: BXML answered to an event whose reply Bandwidth ignores, a receiver that
accepts the request without the credentials it is configured with (a security hole, but Bandwidth
delivers); 1 the receiver misbehaved (a wrong auth challenge, error status, timeout, an empty answer,
invalid BXML or a reply over 64 KB to an event whose BXML Bandwidth runs); 2 usage error (unknown type,
bad --set, invalid event).
`;

const HELP = `Usage: bw-codegen simulate <call|event> [options]

  call     play a whole simulated call against your receiver (bw-codegen simulate call --help)
  event    send one schema-valid event (bw-codegen simulate event --help)
`;

function readScript(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read --script ${path}: ${(error as Error).message}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("the script must be a JSON object");
    return value as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--script ${path} is not a usable JSON script: ${(error as Error).message}`);
  }
}

/** The --url value (or another URL flag's), checked. */
export function checkUrl(value: string | undefined, flag = "--url"): string {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${flag} ${value} is not an absolute URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`${flag} must be http or https, not ${url.protocol}`);
  return url.toString();
}

/** Every value of a repeatable flag (parseArgs keeps the last one only). */
export function repeated(argv: readonly string[], flag: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") break;
    if (argv[i] === flag) out.push(argv[++i] ?? "");
    else if (argv[i].startsWith(`${flag}=`)) out.push(argv[i].slice(flag.length + 1));
  }
  return out;
}

/**
 * --username/--password, else BW_CALLBACK_USERNAME / BW_CALLBACK_PASSWORD from the environment (the
 * scaffolded receiver's variables; keeps the password out of the shell history and `ps`).
 */
export function credentials(values: Map<string, string>): { username?: string; password?: string } {
  const username = values.get("--username") ?? (values.has("--password") ? undefined : process.env.BW_CALLBACK_USERNAME || undefined);
  const password = values.get("--password") ?? (values.has("--username") ? undefined : process.env.BW_CALLBACK_PASSWORD || undefined);
  if ((username === undefined) !== (password === undefined)) throw new UsageError("give both --username and --password, or neither");
  return username === undefined ? {} : { username, password };
}

/** --voice-api PORT with its OAuth2 client (flags, else BW_CLIENT_ID / BW_CLIENT_SECRET), or `undefined`. */
export function voiceApiOptions(values: Map<string, string>): { port: number; clientId: string; clientSecret: string } | undefined {
  const raw = values.get("--voice-api");
  if (raw === undefined) {
    if (values.has("--client-id") || values.has("--client-secret")) throw new UsageError("--client-id and --client-secret go with --voice-api PORT");
    return undefined;
  }
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw new UsageError(`--voice-api must be a port from 0 to 65535 (0: a free one), not ${JSON.stringify(raw)}`);
  const clientId = values.get("--client-id") ?? (process.env.BW_CLIENT_ID || undefined);
  const clientSecret = values.get("--client-secret") ?? (process.env.BW_CLIENT_SECRET || undefined);
  if (clientId === undefined || clientSecret === undefined) throw new UsageError("--voice-api needs the OAuth2 client the bot uses: --client-id and --client-secret (or $BW_CLIENT_ID and $BW_CLIENT_SECRET)");
  return { port, clientId, clientSecret };
}

/** Colour on a TTY (or with FORCE_COLOR), never with NO_COLOR: the CLI's one rule (colour.ts). */
export function useColour(): boolean {
  return colourEnabled(process.stdout);
}

/** --audio, --speed, --seed into the script; the script's caller WAV paths resolved against the script's folder. */
function mediaOptions(values: Map<string, string>, script: Record<string, unknown>): void {
  const caller = script.caller;
  if (caller !== null && typeof caller === "object" && !Array.isArray(caller) && values.has("--script")) {
    const base = dirname(resolve(values.get("--script")!));
    const c = caller as { wav?: unknown; segments?: unknown };
    const fix = (p: unknown) => (typeof p === "string" ? resolve(base, p) : p);
    script.caller = {
      ...c,
      ...(c.wav !== undefined ? { wav: fix(c.wav) } : {}),
      ...(Array.isArray(c.segments) ? { segments: c.segments.map((seg: unknown) => (seg !== null && typeof seg === "object" && "wav" in seg ? { ...seg, wav: fix((seg as { wav: unknown }).wav) } : seg)) } : {}),
    };
  }
  if (values.has("--audio")) script.caller = { ...(typeof script.caller === "object" && script.caller !== null ? script.caller : {}), wav: resolve(values.get("--audio")!), segments: undefined };
  if (values.has("--speed")) {
    const speed = values.get("--speed")!;
    const n = Number(speed);
    if (speed !== "max" && !(Number.isFinite(n) && n > 0)) throw new UsageError(`--speed must be max or a number above 0, not ${speed}`);
    script.speed = speed === "max" ? "max" : n;
  }
  if (values.has("--seed")) {
    const seed = Number(values.get("--seed"));
    if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be a whole number, not ${values.get("--seed")}`);
    script.seed = seed;
  }
}

/** --bot-audio / --mix: the WAV files of a streamed call. */
function writeAudio(values: Map<string, string>, audio: { bot: Uint8Array; mix: Uint8Array } | undefined): void {
  for (const [flag, key] of [["--bot-audio", "bot"], ["--mix", "mix"]] as const) {
    if (!values.has(flag)) continue;
    if (audio === undefined) {
      process.stderr.write(`bw-codegen simulate: ${flag}: no stream ran in this call, so there is no audio to write\n`);
      continue;
    }
    writeFileSync(values.get(flag)!, audio[key]);
  }
}

async function runCallCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, {
    values: ["--url", "--username", "--password", "--from", "--to", "--digits", "--script", "--allow-origin", "--voice-api", "--client-id", "--client-secret", "--audio", "--speed", "--bot-audio", "--mix", "--seed"],
    booleans: ["--json", "--outbound"],
    emptyAllowed: ["--digits"],
  });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const url = checkUrl(args.values.get("--url"));
  const { username, password } = credentials(args.values);
  const script: Record<string, unknown> = args.values.has("--script") ? readScript(args.values.get("--script")!) : {};
  if (args.values.has("--from")) script.from = args.values.get("--from");
  if (args.values.has("--to")) script.to = args.values.get("--to");
  if (args.booleans.has("--outbound")) script.direction = "outbound";
  if (args.values.has("--digits")) script.digits = args.values.get("--digits")!.split(",").map((d) => d.trim());
  mediaOptions(args.values, script);
  const allowOrigins = repeated(argv, "--allow-origin").map((value) => new URL(checkUrl(value, "--allow-origin")).origin);
  const apiOptions = voiceApiOptions(args.values);
  const { simulateCall, formatTranscript, formatJsonLines, ScriptError, startVoiceApi } = await import("../../generated/testing.js");
  let trace: Awaited<ReturnType<typeof simulateCall>>;
  let voiceApi: Awaited<ReturnType<typeof startVoiceApi>> | undefined;
  try {
    if (apiOptions !== undefined) {
      try {
        voiceApi = await startVoiceApi(apiOptions);
      } catch (error) {
        throw new UsageError(`--voice-api ${apiOptions.port}: cannot serve the Voice API stand-in: ${(error as Error).message}`);
      }
      process.stderr.write(`bw-codegen: Voice API stand-in for this call on ${voiceApi.url} (OAuth2 token: ${voiceApi.tokenUrl}, client id ${voiceApi.clientId})\n`);
    }
    trace = await simulateCall(url, { ...script, username, password, allowOrigins, ...(voiceApi !== undefined ? { voiceApi } : {}) });
  } catch (error) {
    if (error instanceof ScriptError) throw new UsageError(`bad script: ${error.message}`);
    throw error;
  } finally {
    await voiceApi?.close();
  }
  process.stdout.write(args.booleans.has("--json") ? formatJsonLines(trace) : formatTranscript(trace, { color: useColour() }));
  writeAudio(args.values, trace.audio);
  return trace.ok ? 0 : 1;
}

export const simulateCommand: Command & { helpFor(argv: string[]): string } = {
  summary: "Simulate a call (or one event) from Bandwidth against a local receiver",
  help: HELP,
  subcommands: ["call", "event"],
  helpFor: (argv) => (argv[0] === "call" ? CALL_HELP : argv[0] === "event" ? EVENT_HELP : HELP),
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "call") return runCallCommand(rest);
    if (sub === "event") return (await import("./simulate-event.js")).runEventCommand(rest);
    throw new UsageError(sub === undefined ? "say which: simulate call or simulate event" : `unknown sub-command "${sub}" (call or event)`);
  },
};
