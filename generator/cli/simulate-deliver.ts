// Delivery half of `bw-codegen simulate event`: sends the built event with Bandwidth's auth challenge
// (deliverEvent from bw-codegen/testing), judges the answer as Bandwidth would (2xx; BXML back and
// valid for events whose reply runs; nothing for events whose reply is ignored) and prints it. Problems
// fail (exit 1); warnings (BXML Bandwidth would ignore, a receiver that never asks for the credentials
// it is configured with) are printed and exit 0, since Bandwidth delivers those events all the same.
import { AnswerTooLargeError, deliverEvent, HandshakeError } from "../../generated/testing.js";
import { readAnswerText } from "../../generated/runtime/simulate/answer-body.js";
import { parseBxml } from "../../generated/bxml/index.js";

/** The user agent of the simulator's requests (simulate call sends the same, templates/runtime/simulate/client.ts). */
const SIMULATOR_USER_AGENT = "BandwidthAPI/v2 (bw-codegen simulate)";

export interface DeliverInput {
  schema: { family: string; event: string; response: string };
  url: string;
  username?: string;
  password?: string;
  body: unknown;
  json: boolean;
  color: boolean;
}

interface Outcome {
  event: string;
  family: string;
  url: string;
  ok: boolean;
  status: number;
  auth: string;
  problems: string[];
  warnings: string[];
  body: string;
}

/** Bandwidth's BXML size limit (64 KB). */
const MAX_BXML_BYTES = 65_536;

/** Problems and warnings of a delivered voice answer, judged as Bandwidth would. */
function judgeVoice(schema: DeliverInput["schema"], body: string, problems: string[], warnings: string[]): void {
  const empty = body.trim() === "";
  if (schema.response === "bxml" && empty) {
    problems.push(`${schema.event}: the answer is empty, but Bandwidth runs the BXML in the reply to this event: answer a <Response> document (an empty <Response/> hangs up)`);
  } else if (schema.response === "bxml" || (schema.response === "bxml-or-empty" && !empty)) {
    const bytes = Buffer.byteLength(body);
    if (bytes > MAX_BXML_BYTES) {
      problems.push(`the reply is ${bytes} bytes; Bandwidth accepts at most 64 KB (${MAX_BXML_BYTES} bytes) of BXML and ends the call (invalid-bxml)`);
      return;
    }
    const parsed = parseBxml(body);
    if (!parsed.ok) problems.push(...parsed.errors.map((e) => `invalid BXML: ${e.path === "" ? "" : `${e.path}: `}${e.message}`));
  } else if (body.trimStart().startsWith("<")) {
    warnings.push(`Bandwidth ignores the reply to ${schema.event}: this BXML never runs (answer 204)`);
  }
}

async function send(input: DeliverInput): Promise<Outcome> {
  const base = { event: input.schema.event, family: input.schema.family, url: input.url };
  const credentials = input.username !== undefined ? { username: input.username, password: input.password } : {};
  // keeps the last answer, so a 2xx to the request without credentials (Bandwidth takes it) can be judged
  let last: Response | undefined;
  const keep = async (url: string | URL, init?: RequestInit): Promise<Response> => {
    const response = await fetch(url, init);
    last = response.clone();
    return response;
  };
  const problems: string[] = [];
  const warnings: string[] = [];
  try {
    // the user agent simulate call sends too: a capture (or a log) tells simulated deliveries from others alike
    const r = await deliverEvent({ url: input.url, body: input.body, ...credentials, fetch: keep, headers: { "user-agent": SIMULATOR_USER_AGENT } });
    if (!r.delivered) problems.push(`answered ${r.status}: Bandwidth counts the event as not delivered`);
    if (r.delivered && input.schema.family === "voice") judgeVoice(input.schema, r.body, problems, warnings);
    return { ...base, ok: problems.length === 0, status: r.status, auth: r.challenge === undefined ? "none" : "challenged", problems, warnings, body: r.body };
  } catch (error) {
    if (error instanceof HandshakeError && error.challenge.status >= 200 && error.challenge.status < 300 && last !== undefined) {
      // Bandwidth takes a 2xx as delivered: a security warning about the receiver, not a failed delivery
      const body = await readAnswerText(last, 1_048_576).catch(() => "");
      warnings.push(`security: credentials are configured, but the request without them was answered ${error.challenge.status}: the endpoint never asks for them, so anyone can post events to it (answer 401 with WWW-Authenticate: Basic)`);
      if (input.schema.family === "voice") judgeVoice(input.schema, body, problems, warnings);
      return { ...base, ok: problems.length === 0, status: error.challenge.status, auth: "unprotected", problems, warnings, body };
    }
    if (error instanceof HandshakeError) {
      return { ...base, ok: false, status: error.challenge.status, auth: "dropped", problems: [`Bandwidth would drop this callback: ${error.message}`], warnings, body: "" };
    }
    if (error instanceof AnswerTooLargeError) {
      return { ...base, ok: false, status: error.status, auth: "answered", problems: [`Bandwidth would not take this answer: ${error.message}`], warnings, body: "" };
    }
    const cause = (error as Error & { cause?: Error }).cause;
    return { ...base, ok: false, status: 0, auth: "no-answer", problems: [`no answer: ${cause?.message ?? (error as Error).message}`], warnings, body: "" };
  }
}

/** Delivers, prints, and resolves to the exit code (0 delivered and answered right, 1 otherwise). */
export async function deliver(input: DeliverInput): Promise<number> {
  const outcome = await send(input);
  if (input.json) {
    process.stdout.write(`${JSON.stringify({ ...outcome, sent: input.body })}\n`);
    return outcome.ok ? 0 : 1;
  }
  const paint = (code: string, s: string) => (input.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const sent = typeof input.body === "string" ? input.body : JSON.stringify(input.body, null, 2);
  const lines = [
    `→ ${input.schema.event} (${input.schema.family}) POST ${input.url}`,
    paint("2", sent),
    `← ${outcome.status === 0 ? "no answer" : outcome.status} (${outcome.auth === "challenged" ? "401 challenge → credentials" : outcome.auth})`,
    ...(outcome.body.trim() !== "" ? [paint("2", outcome.body.trim())] : []),
    ...outcome.problems.map((p) => paint("31", `✗ ${p}`)),
    ...outcome.warnings.map((w) => paint("33", `⚠ ${w}`)),
    outcome.ok ? paint("32", "OK") : paint("31", "FAILED"),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return outcome.ok ? 0 : 1;
}
