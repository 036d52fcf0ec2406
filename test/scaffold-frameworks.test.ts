/**
 * Scaffolds each framework (node, express, fastify, hono) as a new user would and checks the contract:
 * `npm install` (real, from the npm registry/cache; bw-codegen resolves to this checkout through `file:`),
 * `npm run typecheck` and `npm run build` pass, `npm start` (the build, in production mode) listens on $PORT and reads BW_CALLBACK_USERNAME /
 * BW_CALLBACK_PASSWORD, and Bandwidth's handshake (played with bw-codegen/testing) plus hostile requests
 * get the right answers on /callbacks/voice (POST and GET), /callbacks/messaging and /callbacks/numbers.
 * Without credentials the server refuses to start unless BW_ALLOW_UNAUTHENTICATED=1.
 *
 * One install per framework, in sequence. Every child process is started in its own process group and
 * killed (with its children) when its test ends, passed or failed.
 */

import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { basicAuthorization, deliverEvent } from "../generated/runtime/testing/index.js";
import { PROCESS_LIMIT_MS, adopt } from "./support/children.js";

const ROOT = resolve(import.meta.dirname, "..");
const BIN = join(ROOT, "bin", "bw-codegen.mjs");
const FRAMEWORKS = ["node", "express", "fastify", "hono"] as const;
const USER = "scaffold-user";
const PASS = "s3cret:with:colons";
const work = mkdtempSync(join(tmpdir(), "bw-scaffold-run-"));

/** Environment for child processes: ours without npm's per-script variables (they would steer the nested npm) and node:test's marker. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!/^(npm_|NODE_TEST_)/i.test(key)) env[key] = value;
  delete env.NODE_OPTIONS;
  delete env.PORT;
  delete env.BW_CALLBACK_USERNAME;
  delete env.BW_CALLBACK_PASSWORD;
  delete env.BW_ALLOW_UNAUTHENTICATED;
  return { ...env, ...extra };
}

function run(command: string, args: string[], cwd: string, timeoutMs = PROCESS_LIMIT_MS): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, env: childEnv({}), encoding: "utf8", timeout: timeoutMs, killSignal: "SIGKILL" });
  const hung = (result.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT" ? ` (killed after ${timeoutMs / 1000} s: hung)` : "";
  return { status: result.status, output: `${result.stdout}\n${result.stderr}${result.error ? `\n${result.error.message}${hung}` : ""}` };
}

const running = new Set<ChildProcess>();

/** Kills a child's whole process group (npm → sh → tsx → node) and waits for it to exit. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return;
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    // already gone
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
  running.delete(child);
}

after(async () => {
  await Promise.all([...running].map(stop));
  rmSync(work, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  /** Everything printed so far (stdout + stderr). */
  output(): string;
  /** Resolves with the base URL from the "listening on" line, or rejects with the output if the process exits first. */
  url: Promise<string>;
  exit: Promise<number | null>;
}

/** `npm start` in `dir` with `env`, in its own process group. */
function npmStart(dir: string, env: Record<string, string>): Started {
  const child = adopt(spawn("npm", ["start", "--silent"], { cwd: dir, env: childEnv(env), detached: true, stdio: ["ignore", "pipe", "pipe"] }), { group: true });
  running.add(child);
  let text = "";
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line within ${PROCESS_LIMIT_MS / 1000} s (hung):\n${text}`)), PROCESS_LIMIT_MS);
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before listening:\n${text}`));
    });
  });
  url.catch(() => {});
  return { child, output: () => text, url, exit };
}

const callFields = {
  eventTime: "2026-02-10T09:30:05.120Z",
  accountId: "7700001",
  applicationId: "a3f0c2de-1111-4b2c-9d3e-4f5a6b7c8d90",
  from: "+19195550111",
  to: "+19195550122",
  direction: "inbound",
  callId: "c-scaffold-e2e-1",
  callUrl: "https://voice.bandwidth.com/api/v2/accounts/7700001/calls/c-scaffold-e2e-1",
  startTime: "2026-02-10T09:30:00.000Z",
  answerTime: "2026-02-10T09:30:04.000Z",
};
const messageReceived = {
  type: "message-received",
  time: "2026-02-10T09:31:00.000Z",
  description: "Incoming message received",
  to: "+19195550122",
  message: {
    id: "m-scaffold-e2e-1",
    owner: "+19195550122",
    applicationId: "b4e1d3ef-2222-4c3d-8e4f-5a6b7c8d9e01",
    time: "2026-02-10T09:31:00.000Z",
    segmentCount: 1,
    direction: "in",
    to: ["+19195550122"],
    from: "+19195550111",
    text: "are you open today",
  },
};
const portinsXml =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Notification>\n  <SubscriptionId>sub-e2e-1</SubscriptionId>\n  <OrderType>portins</OrderType>\n' +
  "  <OrderId>order-e2e-1</OrderId>\n  <Status>COMPLETE</Status>\n  <CompletedTelephoneNumbers><TelephoneNumber>9195550133</TelephoneNumber></CompletedTelephoneNumbers>\n</Notification>";
const portOutXml =
  "<PortOutValidationRequest><PON>pon-e2e-1</PON><Pin>0427</Pin><TelephoneNumbers><TelephoneNumber>9195550144</TelephoneNumber></TelephoneNumbers></PortOutValidationRequest>";

/** A raw request (for hostile cases the helper would not send). */
async function raw(url: string, init: RequestInit): Promise<{ status: number; headers: Headers; body: string }> {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** The scaffolded src/config.ts, as imported here. */
interface ConfigModule {
  loadConfig(env: Record<string, string | undefined>): {
    port: number;
    host: string | undefined;
    credentials: { username: string; password: string }[];
    allowUnauthenticated: boolean;
  };
  ConfigError: new (message: string) => Error;
}

const timings: string[] = [];
after(() => {
  if (timings.length) process.stdout.write(`# scaffold timings: ${timings.join("; ")}\n`);
});

for (const framework of FRAMEWORKS) {
  describe(`scaffold --framework ${framework}: install, typecheck, start, handshake`, () => {
    const dir = join(work, `receiver-${framework}`);

    it("scaffolds, installs (bw-codegen linked to this checkout), type-checks and builds", () => {
      const t0 = Date.now();
      const scaffold = spawnSync(process.execPath, [BIN, "scaffold", dir, "--framework", framework], { encoding: "utf8", timeout: PROCESS_LIMIT_MS, killSignal: "SIGKILL" });
      assert.equal(scaffold.status, 0, scaffold.stderr);
      const t1 = Date.now();
      const install = run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund"], dir);
      assert.equal(install.status, 0, install.output);
      const t2 = Date.now();
      assert.equal(realpathSync(join(dir, "node_modules", "bw-codegen")), realpathSync(ROOT), "bw-codegen is this checkout (symlink)");
      // stricter than the scaffold's own setting (skipLibCheck): bw-codegen's declarations must also check
      // cleanly in a user's project, with only that project's packages (no peer leaking from the checkout)
      const typecheck = run("npm", ["run", "typecheck", "--", "--skipLibCheck", "false"], dir);
      assert.equal(typecheck.status, 0, typecheck.output);
      const build = run("npm", ["run", "build"], dir);
      assert.equal(build.status, 0, build.output);
      timings.push(`${framework}: scaffold ${t1 - t0} ms, install ${t2 - t1} ms, typecheck ${Date.now() - t2} ms`);
    });

    it("npm start listens on $PORT and plays Bandwidth's handshake on every route", async () => {
      const t0 = Date.now();
      const server = npmStart(dir, { PORT: "0", HOST: "127.0.0.1", BW_CALLBACK_USERNAME: USER, BW_CALLBACK_PASSWORD: PASS });
      try {
        const base = await server.url;
        timings.push(`${framework}: start ${Date.now() - t0} ms`);
        assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
        const credentials = { username: USER, password: PASS };

        const answer = await deliverEvent({ url: `${base}/callbacks/voice`, body: { eventType: "answer", ...callFields }, ...credentials });
        assert.equal(answer.challenge?.status, 401);
        assert.match(answer.challenge?.wwwAuthenticate ?? "", /^Basic realm="[^"]*"$/);
        assert.equal(answer.status, 200, answer.body);
        assert.match(answer.contentType ?? "", /xml/);
        assert.deepEqual(answer.verbs, ["SpeakSentence"]);
        assert.match(answer.bxml!.children[0].text, /Hello/);

        const initiateGet = await deliverEvent({ url: `${base}/callbacks/voice`, method: "GET", body: { eventType: "initiate", ...callFields }, ...credentials });
        assert.equal(initiateGet.status, 200, initiateGet.body);
        assert.deepEqual(initiateGet.verbs, ["SpeakSentence"]);

        const disconnect = await deliverEvent({
          url: `${base}/callbacks/voice`,
          body: { eventType: "disconnect", ...callFields, endTime: "2026-02-10T09:33:00.000Z", cause: "hangup" },
          ...credentials,
        });
        assert.equal(disconnect.challenge?.status, 401);
        assert.equal(disconnect.status, 204);
        assert.equal(disconnect.body, "");

        const messaging = await deliverEvent({ url: `${base}/callbacks/messaging`, body: [messageReceived], ...credentials });
        assert.equal(messaging.challenge?.status, 401);
        assert.ok(messaging.delivered, `messaging: ${messaging.status} ${messaging.body}`);

        const numbers = await deliverEvent({ url: `${base}/callbacks/numbers`, body: portinsXml, ...credentials });
        assert.equal(numbers.challenge?.status, 401);
        assert.equal(numbers.status, 200, numbers.body);

        const portOut = await deliverEvent({ url: `${base}/callbacks/numbers`, body: portOutXml, ...credentials });
        assert.equal(portOut.status, 200, portOut.body);
        assert.equal(portOut.xml?.name, "PortOutValidationResponse");

        // hostile and broken deliveries
        const wrong = await deliverEvent({ url: `${base}/callbacks/voice`, body: { eventType: "answer", ...callFields }, username: USER, password: "guess" });
        assert.equal(wrong.status, 401);
        assert.match(wrong.headers["www-authenticate"] ?? "", /^Basic realm=/);
        const wrongUser = await deliverEvent({ url: `${base}/callbacks/messaging`, body: [messageReceived], username: "admin", password: PASS });
        assert.equal(wrongUser.status, 401);
        const auth = basicAuthorization(USER, PASS);
        const garbage = await raw(`${base}/callbacks/voice`, { method: "POST", headers: { authorization: "Basic !!!not-base64", "content-type": "application/json" }, body: "{}" });
        assert.equal(garbage.status, 401);
        const bearer = await raw(`${base}/callbacks/numbers`, { method: "POST", headers: { authorization: `Bearer ${PASS}`, "content-type": "application/xml" }, body: portinsXml });
        assert.equal(bearer.status, 401);
        const malformed = await raw(`${base}/callbacks/voice`, { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body: '{"eventType":"answer",' });
        assert.equal(malformed.status, 400);
        const xxe = await raw(`${base}/callbacks/numbers`, {
          method: "POST",
          headers: { authorization: auth, "content-type": "application/xml" },
          body: '<?xml version="1.0"?><!DOCTYPE n [<!ENTITY x SYSTEM "file:///etc/passwd">]><Notification><OrderId>&x;</OrderId></Notification>',
        });
        assert.equal(xxe.status, 400);
        assert.doesNotMatch(xxe.body, /root:/);
        const wrongType = await raw(`${base}/callbacks/voice`, { method: "POST", headers: { authorization: auth, "content-type": "text/plain" }, body: "hello" });
        assert.equal(wrongType.status, 415);
        const tooBig = await raw(`${base}/callbacks/messaging`, {
          method: "POST",
          headers: { authorization: auth, "content-type": "application/json" },
          body: JSON.stringify([{ ...messageReceived, padding: "x".repeat(2 * 1024 * 1024) }]),
        });
        assert.equal(tooBig.status, 413);
        const unknownEvent = await deliverEvent({ url: `${base}/callbacks/voice`, body: { eventType: "somethingNew", callId: "c-1" }, ...credentials });
        assert.ok(unknownEvent.status < 300, `an unknown event type is acknowledged, got ${unknownEvent.status}`);
        const put = await raw(`${base}/callbacks/voice`, { method: "PUT", headers: { authorization: auth } });
        assert.equal(put.status, 405);
        const getMessaging = await raw(`${base}/callbacks/messaging`, { headers: { authorization: auth } });
        assert.equal(getMessaging.status, 405);
        const empty = await raw(`${base}/callbacks/voice`, { method: "POST", headers: { authorization: auth, "content-type": "application/json" }, body: "" });
        assert.equal(empty.status, 400);
        const bigUnauthenticated = await raw(`${base}/callbacks/voice`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: "x".repeat(2 * 1024 * 1024),
        });
        assert.equal(bigUnauthenticated.status, 401, "credentials are checked before the body");
        const hugeHeader = await raw(`${base}/callbacks/voice`, { method: "POST", headers: { authorization: `Basic ${"A".repeat(12_000)}`, "content-type": "application/json" }, body: "{}" });
        assert.equal(hugeHeader.status, 401);

        const log = server.output();
        assert.doesNotMatch(log, new RegExp(PASS.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), "the password is never printed");
        assert.doesNotMatch(log, /are you open today|0427/, "message text and the port-out PIN are not logged");
        assert.match(log, /\[voice\] answer callId=c-scaffold-e2e-1/);
      } finally {
        await stop(server.child);
      }
    });

    it("refuses to start without credentials, with a clear message", async () => {
      const server = npmStart(dir, { PORT: "0", HOST: "127.0.0.1" });
      try {
        const code = await server.exit;
        assert.notEqual(code, 0);
        assert.match(server.output(), /Not starting: BW_CALLBACK_USERNAME and BW_CALLBACK_PASSWORD are not set/);
        assert.match(server.output(), /BW_ALLOW_UNAUTHENTICATED=1/);
      } finally {
        await stop(server.child);
      }
    });

    it("the scaffold's own npm test passes", () => {
      const test = run("npm", ["test"], dir);
      assert.equal(test.status, 0, test.output);
      assert.match(test.output, /(#|ℹ) pass [1-9]/);
      assert.match(test.output, /(#|ℹ) fail 0/);
    });
  });
}

describe("scaffolded settings (node project)", () => {
  const dir = join(work, "receiver-node");

  it("BW_ALLOW_UNAUTHENTICATED=1 starts without credentials, warns, and accepts an unauthenticated delivery", async () => {
    const server = npmStart(dir, { PORT: "0", HOST: "127.0.0.1", BW_ALLOW_UNAUTHENTICATED: "1" });
    try {
      const base = await server.url;
      assert.match(server.output(), /WARNING: .*WITHOUT authentication/);
      const result = await deliverEvent({ url: `${base}/callbacks/voice`, body: { eventType: "answer", ...callFields } });
      assert.equal(result.status, 200);
      assert.deepEqual(result.verbs, ["SpeakSentence"]);
    } finally {
      await stop(server.child);
    }
  });

  it("the types are enforced in the project: BXML returned from an async event, or a misspelt field, fails npm run typecheck", () => {
    const file = join(dir, "src", "wrong.ts");
    writeFileSync(
      file,
      'import type { VoiceHandlers } from "bw-codegen";\n' +
        "export const wrong: VoiceHandlers = {\n" +
        '  disconnect: () => "<Response/>",\n' +
        "  answer: (event) => `${event.callIdd}`,\n" +
        "};\n",
    );
    try {
      const typecheck = run("npm", ["run", "typecheck"], dir);
      assert.notEqual(typecheck.status, 0);
      assert.match(typecheck.output, /src\/wrong\.ts\(3,\d+\): error TS2322/);
      assert.match(typecheck.output, /src\/wrong\.ts\(4,\d+\): error TS2551: Property 'callIdd' does not exist/);
    } finally {
      rmSync(file);
    }
  });

  it("loadConfig: PORT defaults to 3000, bad values and half a credential pair are refused", async () => {
    const { loadConfig, ConfigError } = (await import(pathToFileURL(join(dir, "src", "config.ts")).href)) as ConfigModule;
    const creds = { BW_CALLBACK_USERNAME: "u", BW_CALLBACK_PASSWORD: "p" };
    assert.equal(loadConfig({ ...creds }).port, 3000);
    assert.equal(loadConfig({ ...creds, PORT: "8080" }).port, 8080);
    assert.equal(loadConfig({ ...creds }).host, "127.0.0.1", "only this machine unless HOST says otherwise");
    assert.equal(loadConfig({ ...creds, HOST: "0.0.0.0" }).host, "0.0.0.0");
    assert.deepEqual(loadConfig({ ...creds }).credentials, [{ username: "u", password: "p" }]);
    for (const env of [{ ...creds, PORT: "http" }, { ...creds, PORT: "70000" }, { BW_CALLBACK_USERNAME: "u" }, { BW_CALLBACK_PASSWORD: "p" }, { BW_CALLBACK_USERNAME: "a:b", BW_CALLBACK_PASSWORD: "p" }, {}]) {
      assert.throws(() => loadConfig(env), ConfigError, JSON.stringify(env));
    }
    const open = loadConfig({ BW_ALLOW_UNAUTHENTICATED: "1" });
    assert.equal(open.allowUnauthenticated, true);
    assert.deepEqual(open.credentials, []);
    // an opt-out never disables credentials that are set
    assert.equal(loadConfig({ ...creds, BW_ALLOW_UNAUTHENTICATED: "1" }).allowUnauthenticated, false);
    assert.match(readFileSync(join(dir, ".env.example"), "utf8"), /BW_CALLBACK_USERNAME=\nBW_CALLBACK_PASSWORD=/);
  });
});
