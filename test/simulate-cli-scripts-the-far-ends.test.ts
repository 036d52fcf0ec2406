/**
 * `bw-codegen simulate call --script` with the script fields for the far ends of a call (a busy
 * transfer target, a failed REFER), run as a user runs it (the real binary in a child process, against
 * a raw receiver on 127.0.0.1): the JSON lines carry the scripted causes and every payload validates;
 * a mistake in those fields is a usage error (exit 2) naming the field; --help documents them.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateVoiceCallback } from "../generated/validators/voice.js";
import { jsonLines, runCli, runCliAsync } from "./support/cli.js";
import { PASS, USER, startRaw } from "./support/simulate.js";

const xml = (body: string) => ({ status: 200, body: `<?xml version="1.0" encoding="UTF-8"?><Response>${body}</Response>` });
const creds = `username="${USER}" password="${PASS}"`;

describe("simulate call --script: the far ends", () => {
  let server: Awaited<ReturnType<typeof startRaw>>;
  const dir = mkdtempSync(join(tmpdir(), "bw-sim-script-"));
  before(async () => {
    server = await startRaw((_x, e) => {
      if (e?.eventType === "initiate") return xml(`<Transfer transferCompleteUrl="/done" ${creds}><PhoneNumber transferDisconnectUrl="/gone" ${creds}>+19195550101</PhoneNumber></Transfer>`);
      if (e?.eventType === "transferComplete") return xml(`<Refer referCompleteUrl="/refer"><SipUri>sip:agent@pbx.example.com</SipUri></Refer>`);
      if (e?.eventType === "referComplete") return xml("<SpeakSentence>Nobody could take your call</SpeakSentence>");
      return { status: 204 };
    });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("plays a busy transfer target and a failed REFER from the script; every payload validates", async () => {
    const file = join(dir, "far-ends.json");
    writeFileSync(file, JSON.stringify({ to: "sip:desk@bw.example.com", transfers: [{ targets: ["busy"] }], refers: [{ status: "failure" }] }));
    // referComplete carries no credentials (none are documented): this receiver challenges it, so only the transfer part is delivered
    const run = await runCliAsync(["simulate", "call", "--url", server.url, "--username", USER, "--password", PASS, "--script", file, "--json"]);
    const lines = jsonLines(run.stdout);
    const requests = lines.filter((l) => l.kind === "request");
    assert.deepEqual(requests.map((r) => [r.event, r.payload.cause]), [
      ["initiate", undefined],
      ["transferDisconnect", "busy"],
      ["transferComplete", "busy"],
      ["referComplete", undefined],
      ["disconnect", "callback-error"],
    ]);
    assert.equal(requests[3].payload.referCallStatus, "failure");
    for (const r of requests) assert.ok(validateVoiceCallback(r.payload, { strict: true }).ok, r.event);
    assert.equal(run.status, 1, "the dropped referComplete is a problem");
  });

  it("a mistake in the far-end fields is a usage error naming the field (exit 2)", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ connects: [{ endedBy: "nobody" }] }));
    const run = await runCliAsync(["simulate", "call", "--url", server.url, "--script", file]);
    assert.equal(run.status, 2, run.stderr);
    assert.match(run.stderr, /connects\[0\]\.endedBy/);
  });

  it("--help lists the far-end script fields", () => {
    const help = runCli(["simulate", "call", "--help"]).stdout;
    for (const field of ["transfers", "targets", "ringSeconds", "forward", "bridgeFailure", "refers", "connects"]) assert.match(help, new RegExp(`\\b${field}\\b`), field);
  });
});
