/**
 * `bw-codegen simulate call` and `simulate event` as a user runs them (the real binary in a child
 * process, asynchronously so the receivers in this process can answer): a readable transcript without
 * colour when piped, JSON lines with --json, exit 0 / 1 / 2 as documented, --help on both sub-commands;
 * `simulate event` sends messaging as Bandwidth's JSON array and numbers notifications as XML, with
 * --set edits, and refuses an event the schema rejects.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateMessagingCallback } from "../generated/validators/messaging.js";
import { validateNumbersXml } from "../generated/validators/numbers.js";
import { validateVoiceCallback } from "../generated/validators/voice.js";
import { adopt, limitChild } from "./support/children.js";
import { BIN, REPO_ROOT } from "./support/cli.js";
import { PASS, USER, startRaw, type RawExchange } from "./support/simulate.js";

function cli(args: string[], env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const base = { ...process.env };
    delete base.FORCE_COLOR;
    delete base.NO_COLOR;
    const child = adopt(spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, env: { ...base, ...env }, stdio: ["ignore", "pipe", "pipe"] }));
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    const unlimit = limitChild(child, (message) => (stderr += `\n${message}`));
    child.on("error", reject);
    child.on("close", (status) => {
      unlimit();
      resolve({ status, stdout, stderr });
    });
  });
}

const xml = (body: string) => ({ status: 200, body: `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>` });

describe("bw-codegen simulate", () => {
  let good: Awaited<ReturnType<typeof startRaw>>;
  let noHeader: Awaited<ReturnType<typeof startRaw>>;
  before(async () => {
    good = await startRaw((_x: RawExchange, e) => {
      if (e?.eventType === "initiate") return xml(`<Gather gatherUrl="/gather" maxDigits="2" username="${USER}" password="${PASS}"><SpeakSentence>Enter your code</SpeakSentence></Gather>`);
      if (e?.eventType === "gather") return xml(`<SpeakSentence>You entered ${String(e.digits)}</SpeakSentence>`);
      return { status: 204 };
    });
    noHeader = await startRaw(() => ({ status: 401 }), false);
  });
  after(async () => {
    await good.close();
    await noHeader.close();
  });

  it("call: prints a transcript (no colour when piped) and exits 0 when the flow ran to the end", async () => {
    const run = await cli(["simulate", "call", "--url", good.url, "--username", USER, "--password", PASS, "--digits", "42"]);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /caller hears: "Enter your code"/);
    assert.match(run.stdout, /caller presses: 42/);
    assert.match(run.stdout, /caller hears: "You entered 42"/);
    assert.match(run.stdout, /→ gather POST http:\/\/127\.0\.0\.1:\d+\/gather {2}401 challenge → credentials {2}200/);
    assert.match(run.stdout, /OK: the flow ran to the end/);
    assert.doesNotMatch(run.stdout, /\u001b\[/, "no ANSI codes when stdout is not a terminal");
    assert.ok(!run.stdout.includes(PASS), "the password is never printed");
    const forced = await cli(["simulate", "call", "--url", good.url, "--username", USER, "--password", PASS, "--digits", "42"], { FORCE_COLOR: "1" });
    assert.match(forced.stdout, /\u001b\[32mOK: the flow ran to the end/, "FORCE_COLOR turns colour on (the CLI's colour rule)");
  });

  it("call --json: one JSON object per line, payloads valid, a summary last", async () => {
    const run = await cli(["simulate", "call", "--url", good.url, "--username", USER, "--password", PASS, "--digits", "7", "--json"]);
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const summary = lines.at(-1);
    assert.equal(summary.kind, "summary");
    assert.equal(summary.ok, true);
    assert.deepEqual(summary.pressed, ["7"]);
    const requests = lines.filter((l) => l.kind === "request");
    assert.deepEqual(requests.map((r) => r.event), ["initiate", "gather", "disconnect"]);
    for (const r of requests) assert.ok(validateVoiceCallback(r.payload, { strict: true }).ok, r.event);
  });

  it("call --script: the caller's behaviour from a JSON file, overridden by --digits", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bw-sim-"));
    try {
      const file = join(dir, "flow.json");
      writeFileSync(file, JSON.stringify({ digits: ["11"], from: "+17045550111", seed: 3, startTime: "2026-06-01T09:00:00.000Z" }));
      const run = await cli(["simulate", "call", "--url", good.url, "--username", USER, "--password", PASS, "--script", file, "--json"]);
      assert.equal(run.status, 0, run.stderr);
      const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
      assert.equal(lines[0].payload.from, "+17045550111");
      assert.equal(lines[0].payload.eventTime, "2026-06-01T09:00:00.000Z");
      assert.deepEqual(lines.at(-1).pressed, ["11"]);
      const again = await cli(["simulate", "call", "--url", good.url, "--username", USER, "--password", PASS, "--script", file, "--digits", "99", "--json"]);
      const second = again.stdout.trim().split("\n").map((l) => JSON.parse(l));
      assert.deepEqual(second.at(-1).pressed, ["99"]);
      assert.equal(second[0].payload.callId, lines[0].payload.callId, "the same seed gives the same ids");
      writeFileSync(file, "{ not json");
      const broken = await cli(["simulate", "call", "--url", good.url, "--script", file]);
      assert.equal(broken.status, 2);
      assert.match(broken.stderr, /is not a usable JSON script/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("call: takes the credentials from BW_CALLBACK_USERNAME / BW_CALLBACK_PASSWORD when no flags give them", async () => {
    const run = await cli(["simulate", "call", "--url", good.url, "--json"], { BW_CALLBACK_USERNAME: USER, BW_CALLBACK_PASSWORD: PASS });
    assert.equal(run.status, 0, run.stderr);
    const first = JSON.parse(run.stdout.split("\n")[0]);
    assert.equal(first.auth, "challenged");
  });

  it("call: exits 1 when the receiver misbehaves (401 without WWW-Authenticate)", async () => {
    const run = await cli(["simulate", "call", "--url", noHeader.url, "--username", USER, "--password", PASS]);
    assert.equal(run.status, 1);
    assert.match(run.stdout, /callback-dropped: initiate: Bandwidth would drop this callback: 401 without WWW-Authenticate/);
    assert.match(run.stdout, /FAILED/);
  });

  it("call: exits 2 on usage errors", async () => {
    for (const args of [
      ["simulate", "call"],
      ["simulate", "call", "--url", good.url, "--username", USER],
      ["simulate", "call", "--url", "not a url"],
      ["simulate", "call", "--url", good.url, "--digits", "1,x"],
      ["simulate", "call", "--url", good.url, "--script", "/nonexistent/flow.json"],
      ["simulate", "dance"],
    ]) {
      const run = await cli(args);
      assert.equal(run.status, 2, `${args.join(" ")}: ${run.stderr}`);
      assert.match(run.stderr, /^bw-codegen simulate: /);
    }
  });

  it("--help on both sub-commands", async () => {
    const call = await cli(["simulate", "call", "--help"]);
    assert.equal(call.status, 0);
    assert.match(call.stdout, /^Usage: bw-codegen simulate call --url URL/);
    assert.match(call.stdout, /--digits 1,2#/);
    const event = await cli(["simulate", "event", "--help"]);
    assert.equal(event.status, 0);
    assert.match(event.stdout, /^Usage: bw-codegen simulate event <type>/);
    assert.match(event.stdout, /--set path=value/);
  });

  it("event: messaging goes as a JSON array, numbers as XML, voice with --set; all valid", async () => {
    const seen: RawExchange[] = [];
    const sink = await startRaw((x) => {
      seen.push(x);
      return { status: x.path.includes("messaging") ? 200 : 204 };
    });
    try {
      const base = sink.origin;
      const m = await cli(["simulate", "event", "message-received", "--url", `${base}/callbacks/messaging`, "--username", USER, "--password", PASS, "--set", "message.text=hello there"]);
      assert.equal(m.status, 0, m.stderr + m.stdout);
      const sent = JSON.parse(seen.at(-1)!.body);
      assert.ok(Array.isArray(sent) && sent.length === 1);
      assert.equal(sent[0].message.text, "hello there");
      assert.ok(validateMessagingCallback(sent).ok);
      const n = await cli(["simulate", "event", "portins", "--url", `${base}/callbacks/numbers`, "--username", USER, "--password", PASS, "--json"]);
      assert.equal(n.status, 0, n.stderr + n.stdout);
      assert.match(seen.at(-1)!.body, /^<\?xml version="1.0" encoding="UTF-8"\?><Notification>.*<OrderType>portins<\/OrderType>/);
      assert.ok(validateNumbersXml(seen.at(-1)!.body).ok);
      assert.equal(JSON.parse(n.stdout).ok, true);
      const g = await cli(["simulate", "event", "disconnect", "--url", `${base}/callbacks/voice`, "--username", USER, "--password", PASS, "--set", "cause=busy"]);
      assert.equal(g.status, 0, g.stderr);
      assert.equal(JSON.parse(seen.at(-1)!.body).cause, "busy");
      const bad = await cli(["simulate", "event", "disconnect", "--url", `${base}/callbacks/voice`, "--set", "callId=42"]);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /the event is not valid/);
      const unknown = await cli(["simulate", "event", "no-such-event", "--url", `${base}/x`]);
      assert.equal(unknown.status, 2);
    } finally {
      await sink.close();
    }
  });
});
