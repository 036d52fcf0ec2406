// The CLI does what its help and the README say (issue 26): `simulate call --digits ""` is the documented
// "time out"; an unreachable receiver's disconnect retry is marked as a retry, its time never goes back
// and "no answer" is said once; `simulate event` takes the handler name `scaffold --events` takes
// (messageReceived), suggests the closest type for a misspelt one, and its usage hint names
// `simulate event --help`; `generate --help` / `check --help` work without the generator's tools (an
// installed package), and the missing-tools message names the command once.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCliAsync } from "./support/cli.js";
import { bxmlAnswer as xml, PASS, USER, startRaw } from "./support/simulate.js";

const work = mkdtempSync(join(tmpdir(), "bw-cli-promises-"));
const running: { close(): Promise<void> }[] = [];
after(async () => {
  await Promise.all(running.map((r) => r.close()));
  rmSync(work, { recursive: true, force: true });
});

/** The CLI, run asynchronously (a test server answers it in this process); `nodeArgs` go before the binary. */
const cli = (args: string[], nodeArgs: string[] = []) => runCliAsync(args, { nodeArgs });


describe("simulate call", () => {
  it('--digits "" is accepted: the caller presses nothing at the Gather (time out)', async () => {
    const server = await startRaw((_x, e) =>
      e?.eventType === "initiate" ? xml(`<Gather gatherUrl="/g" maxDigits="1" username="${USER}" password="${PASS}"/>`) : e?.eventType === "gather" ? xml(`<SpeakSentence>digits=${String(e.digits ?? "")}.</SpeakSentence>`) : { status: 204 },
    );
    running.push(server);
    for (const digits of [["--digits", ""], ["--digits="]]) {
      const run = await cli(["simulate", "call", "--url", server.url, "--username", USER, "--password", PASS, ...digits]);
      assert.equal(run.status, 0, run.stderr + run.stdout);
      assert.match(run.stdout, /caller presses nothing \(timeout\)/);
      assert.match(run.stdout, /caller hears: "digits=\."/);
    }
  });

  it("an unreachable receiver: the disconnect retry is marked, times never go back, 'no answer' is said once", async () => {
    const server = await startRaw(() => ({ status: 204 }));
    const url = server.url;
    await server.close(); // nothing listens there any more
    const run = await cli(["simulate", "call", "--url", url, "--username", USER, "--password", PASS]);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /→ disconnect \(retry\) POST/);
    assert.doesNotMatch(run.stdout, /no answer\s+no answer/);
    const times = [...run.stdout.matchAll(/^\s*\+(\d+\.\d+)s/gm)].map((m) => Number(m[1]));
    assert.ok(times.length > 3, run.stdout);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), `the times never go back:\n${run.stdout}`);
  });
});

describe("simulate event", () => {
  it("takes the handler name (messageReceived) as scaffold --events does", async () => {
    const server = await startRaw(() => ({ status: 200 }));
    running.push(server);
    const run = await cli(["simulate", "event", "messageReceived", "--url", server.url, "--username", USER, "--password", PASS]);
    assert.equal(run.status, 0, run.stderr + run.stdout);
    const sent = JSON.parse(server.seen.at(-1)!.body);
    assert.equal(sent[0].type, "message-received");
  });

  it("a misspelt type gets a did-you-mean and the hint names simulate event --help", async () => {
    const run = await cli(["simulate", "event", "mesage-received", "--url", "http://127.0.0.1:9/"]);
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^bw-codegen simulate: unknown event type "mesage-received" \(did you mean message-received\?\)\n/);
    assert.match(run.stderr, /Run 'bw-codegen simulate event --help' for usage\./);
    const call = await cli(["simulate", "call"]);
    assert.match(call.stderr, /Run 'bw-codegen simulate call --help' for usage\./);
  });
});

describe("generate and check without the generator's tools (as in an installed package)", () => {
  // a resolve hook that makes the generator's tools unresolvable, as they are in a runtime install
  const hooks = join(work, "hide-tools.mjs");
  writeFileSync(
    hooks,
    `const HIDDEN = new Set(["typescript", "ts-morph", "json-schema-to-typescript", "ajv", "openapi3-ts", "yaml"]);
export async function resolve(specifier, context, next) {
  if (HIDDEN.has(specifier)) throw Object.assign(new Error("Cannot find package '" + specifier + "'"), { code: "ERR_MODULE_NOT_FOUND" });
  return next(specifier, context);
}\n`,
  );
  const register = join(work, "register.mjs");
  writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(`file://${hooks}`)});\n`);

  for (const command of ["generate", "check"]) {
    it(`${command} --help prints its help (exit 0); ${command} itself names what to install, prefixed once`, async () => {
      const help = await cli([command, "--help"], ["--import", register]);
      assert.equal(help.status, 0, help.stderr);
      assert.match(help.stdout, new RegExp(`^Usage: bw-codegen ${command}`));
      const run = await cli([command, "--out", join(work, "out")], ["--import", register]);
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stderr, new RegExp(`^bw-codegen ${command}: it needs the code generator's tools`));
      assert.equal(run.stderr.match(/bw-codegen (generate|check)/g)?.length, 1, run.stderr);
      assert.match(run.stderr, /npm install --save-dev typescript@/);
    });
  }
});
