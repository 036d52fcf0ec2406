// Delivery half of `bw-codegen simulate event`: sends the built event with Bandwidth's auth challenge
// (deliverEvent from bw-codegen/testing), judges the answer as Bandwidth would (2xx; BXML back and
// valid for events whose reply runs; nothing for events whose reply is ignored) and prints it.
import { AnswerTooLargeError, deliverEvent, HandshakeError } from "../../generated/testing.js";
import { parseBxml } from "../../generated/bxml/index.js";

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
  body: string;
}

async function send(input: DeliverInput): Promise<Outcome> {
  const base = { event: input.schema.event, family: input.schema.family, url: input.url };
  const credentials = input.username !== undefined ? { username: input.username, password: input.password } : {};
  try {
    const r = await deliverEvent({ url: input.url, body: input.body, ...credentials });
    const problems: string[] = [];
    if (!r.delivered) problems.push(`answered ${r.status}: Bandwidth counts the event as not delivered`);
    const executes = input.schema.response === "bxml" || (input.schema.response === "bxml-or-empty" && r.body.trim() !== "");
    if (r.delivered && input.schema.family === "voice" && executes) {
      const parsed = parseBxml(r.body);
      if (!parsed.ok) problems.push(...parsed.errors.map((e) => `invalid BXML: ${e.path === "" ? "" : `${e.path}: `}${e.message}`));
    } else if (r.delivered && input.schema.family === "voice" && r.body.trimStart().startsWith("<")) {
      problems.push(`Bandwidth ignores the reply to ${input.schema.event}: this BXML never runs (answer 204)`);
    }
    return { ...base, ok: problems.length === 0, status: r.status, auth: r.challenge === undefined ? "none" : "challenged", problems, body: r.body };
  } catch (error) {
    if (error instanceof HandshakeError) {
      return { ...base, ok: false, status: error.challenge.status, auth: "dropped", problems: [`Bandwidth would drop this callback: ${error.message}`], body: "" };
    }
    if (error instanceof AnswerTooLargeError) {
      return { ...base, ok: false, status: error.status, auth: "answered", problems: [`Bandwidth would not take this answer: ${error.message}`], body: "" };
    }
    const cause = (error as Error & { cause?: Error }).cause;
    return { ...base, ok: false, status: 0, auth: "no-answer", problems: [`no answer: ${cause?.message ?? (error as Error).message}`], body: "" };
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
    outcome.ok ? paint("32", "OK") : paint("31", "FAILED"),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return outcome.ok ? 0 : 1;
}
