/**
 * The user's path from the packed tarball, as a registry install would give it (issues 8.2, 12.1, 15):
 * `npm pack` once (from a copy of this checkout); the tarball ships no tests or benchmarks and runs its CLI
 * as compiled JavaScript. A runtime install (`--omit=dev`) has none of typescript, ts-morph,
 * json-schema-to-typescript, tsx or esbuild, yet `scaffold`, `validate` and the runtime work, and `generate`
 * names what to install. From that install, each framework is scaffolded (its bw-codegen dependency is the
 * tarball the parent installed), installed, type-checked, built, started with `npm start` (production),
 * answers the 401 -> 200 handshake, and on SIGTERM finishes a delivery in flight, exits 0 and frees its
 * port. `scaffold .` into an existing project merges package.json without touching the user's values.
 * The node project is the README's voice bot (`--stream`): `simulate call` plays a caller against it, and a
 * user's TypeScript over `bw-codegen/sockets` type-checks; without `ws`, `bw-codegen/sockets/node` names
 * `npm install ws` (issue 26). It has the flight recorder too (`--capture`): with BW_CAPTURE_DIR set the
 * server records simulated events, written by SIGTERM, and `replay` against it without capture is clean (issue 28).
 *
 * npm installs use the shared npm cache (`--prefer-offline`); every server is killed when the file ends.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { deliverEvent } from "../generated/runtime/testing/index.js";
import { killAll, portIsFree, run, startServer, stopGroup } from "./support/processes.js";
import type { Started } from "./support/processes.js";
import { WAIT_LIMIT_MS, settles, until } from "./support/until.js";

const ROOT = resolve(import.meta.dirname, "..");
const FRAMEWORKS = ["node", "express", "fastify", "hono"] as const;
const BUILD_TOOLS = ["typescript", "ts-morph", "json-schema-to-typescript", "tsx", "esbuild"];
const USER = "packed-user";
const PASS = "packed-secret";
const NPM_FLAGS = ["--prefer-offline", "--no-audit", "--no-fund"];
const work = mkdtempSync(join(tmpdir(), "bw-packed-"));
const runtimeDir = join(work, "runtime-user");
let tarball = "";

after(() => {
  killAll();
  rmSync(work, { recursive: true, force: true });
});

/** Packs a copy of the checkout (so the checkout itself is never touched while other tests run). */
before(() => {
  const copy = join(work, "source");
  mkdirSync(copy);
  for (const name of readdirSync(ROOT)) {
    if (name !== "node_modules" && name !== ".git") cpSync(join(ROOT, name), join(copy, name), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
  const packed = run("npm", ["pack", "--pack-destination", work], copy);
  assert.equal(packed.status, 0, packed.output);
  const names = readdirSync(work).filter((name) => name.endsWith(".tgz"));
  assert.equal(names.length, 1, packed.output);
  tarball = join(work, names[0]);
});

const callFields = {
  eventTime: "2026-03-01T12:00:01.000Z",
  accountId: "7700002",
  applicationId: "a3f0c2de-3333-4b2c-9d3e-4f5a6b7c8d90",
  from: "+19195550111",
  to: "+19195550122",
  direction: "inbound",
  callId: "c-packed-1",
  callUrl: "https://voice.bandwidth.com/api/v2/accounts/7700002/calls/c-packed-1",
  startTime: "2026-03-01T12:00:00.000Z",
  answerTime: "2026-03-01T12:00:01.000Z",
};

/** Every folder named like a build tool anywhere under node_modules (hoisted or nested). */
function buildToolsIn(nodeModules: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (!statSync(full).isDirectory()) continue;
      if (BUILD_TOOLS.includes(name) || name === "@esbuild") found.push(full);
      walk(full);
    }
  };
  walk(nodeModules);
  return found;
}

/**
 * Starts an authenticated voice delivery and sends only part of its body; `finish()` sends the rest and
 * resolves with the answer. Used to hold a delivery in flight across SIGTERM. It asks `Expect:
 * 100-continue` and waits for the server's `100 Continue`, so the server has the request before this
 * resolves, however loaded the machine.
 */
async function halfSentDelivery(base: string): Promise<{ finish(): Promise<{ status: number; body: string }> }> {
  const body = Buffer.from(JSON.stringify({ eventType: "answer", ...callFields }));
  const url = new URL("/callbacks/voice", base);
  let pending: ReturnType<typeof request> | undefined;
  let headersRead: () => void = () => {};
  const serverHasHeaders = new Promise<void>((resolve) => (headersRead = resolve));
  const answer = new Promise<{ status: number; body: string }>((resolveAnswer, reject) => {
    const req = request(url, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${USER}:${PASS}`).toString("base64")}`, "content-type": "application/json", "content-length": body.length, expect: "100-continue" },
    });
    req.on("response", (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () => resolveAnswer({ status: res.statusCode!, body: text }));
    });
    req.on("error", reject);
    req.on("continue", () => {
      req.write(body.subarray(0, 20));
      pending = req;
      headersRead();
    });
    req.flushHeaders();
  });
  answer.catch(() => {});
  await settles(Promise.race([serverHasHeaders, answer]), "the server's 100 Continue"); // the server has the request
  return {
    finish: () => {
      pending?.end(body.subarray(20));
      return answer;
    },
  };
}

/** A request on a new TCP connection (no pooled keep-alive socket). */
function freshConnection(base: string): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const req = request(new URL("/callbacks/voice", base), { method: "POST", agent: false }, (res) => {
      res.resume();
      resolveStatus(res.statusCode!);
    });
    req.on("error", reject);
    req.end();
  });
}

/** Starts a built receiver, plays the handshake, SIGTERMs it with a delivery in flight; checks exit 0 and the port. */
async function handshakeThenGracefulStop(command: string, args: string[], dir: string, env: Record<string, string> = {}, verbs = ["SpeakSentence"]): Promise<void> {
  const server = startServer(command, args, dir, { PORT: "0", BW_CALLBACK_USERNAME: USER, BW_CALLBACK_PASSWORD: PASS, ...env });
  try {
    await playAndStop(server, verbs);
  } finally {
    stopGroup(server);
  }
}

async function playAndStop(server: Started, verbs: string[]): Promise<void> {
  const base = await server.url;
  assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/, "binds 127.0.0.1 when HOST is not set");
  await until(() => /Mode: /.test(server.output())).catch(() => undefined); // the assertion below says what is missing
  assert.match(server.output(), /Mode: production/, "npm start runs with NODE_ENV=production");
  const answer = await deliverEvent({ url: `${base}/callbacks/voice`, body: { eventType: "answer", ...callFields }, username: USER, password: PASS });
  assert.equal(answer.challenge?.status, 401);
  assert.equal(answer.status, 200, answer.body);
  assert.deepEqual(answer.verbs, verbs);

  const inFlight = await halfSentDelivery(base);
  process.kill(server.child.pid!, "SIGTERM"); // the top process only (npm for `npm start`), as `kill -TERM` would
  await until(() => /SIGTERM: stopping/.test(server.output())).catch(() => undefined);
  assert.match(server.output(), /SIGTERM: stopping/, "the server itself got the signal");
  assert.equal(server.child.exitCode, null, `still running while a delivery is in flight:\n${server.output()}`);
  await assert.rejects(freshConnection(base), /ECONNREFUSED/, "no new connection is accepted after SIGTERM");
  const finished = await inFlight.finish();
  assert.equal(finished.status, 200, `the in-flight delivery is answered: ${finished.body}`);
  assert.match(finished.body, /<SpeakSentence>/);
  const code = await settles(server.exit, "exit after SIGTERM").catch(() => `still running after ${WAIT_LIMIT_MS / 1000} s`);
  assert.equal(code, 0, `exit code after SIGTERM:\n${server.output()}`);
  assert.ok(await portIsFree(Number(new URL(base).port)), "the port is free after exit");
}

describe("the packed tarball", () => {
  it("ships the compiled CLI, LICENSE and CHANGELOG, and no tests, benchmarks or TypeScript sources of the CLI", () => {
    const list = run("tar", ["tzf", tarball], work);
    assert.equal(list.status, 0, list.output);
    const files = list.output.split("\n").filter(Boolean);
    for (const needed of ["package/generator/cli/main.js", "package/generator/cli/scaffold.js", "package/bin/bw-codegen.mjs", "package/LICENSE", "package/CHANGELOG.md", "package/generated/index.js"]) {
      assert.ok(files.includes(needed), `${needed} is packed`);
    }
    const unwanted = files.filter((f) => /^package\/(test|bench|docs|\.ci)\//.test(f) || /^package\/generator\/.*\.ts$/.test(f));
    assert.deepEqual(unwanted, []);
    assert.ok(!existsSync(join(ROOT, "generator", "cli", "main.js")), "packing leaves no compiled files in the checkout");
  });
});

describe("a runtime user's install (npm install --omit=dev <tarball>)", () => {
  it("installs no build tool", () => {
    mkdirSync(runtimeDir);
    writeFileSync(join(runtimeDir, "package.json"), JSON.stringify({ name: "runtime-user", version: "1.0.0", private: true }, null, 2));
    const install = run("npm", ["install", "--omit=dev", ...NPM_FLAGS, tarball], runtimeDir);
    assert.equal(install.status, 0, install.output);
    assert.deepEqual(buildToolsIn(join(runtimeDir, "node_modules")), []);
  });

  it("validate works: a valid callback exits 0, a malformed one 1", () => {
    writeFileSync(join(runtimeDir, "answer.json"), JSON.stringify({ eventType: "answer", ...callFields }));
    writeFileSync(join(runtimeDir, "bad.json"), JSON.stringify({ eventType: "answer", ...callFields, callId: 42 }));
    const good = run("npx", ["--no-install", "bw-codegen", "validate", "answer.json"], runtimeDir);
    assert.equal(good.status, 0, good.output);
    const bad = run("npx", ["--no-install", "bw-codegen", "validate", "bad.json"], runtimeDir);
    assert.equal(bad.status, 1, bad.output);
    assert.match(bad.output, /callId/);
  });

  it("the runtime works: a node:http receiver answers the handshake with builder BXML", async () => {
    const script = `
      import { createServer } from "node:http";
      import { createBandwidthWebhooks } from "bw-codegen";
      import { Response, SpeakSentence } from "bw-codegen/bxml";
      const webhooks = createBandwidthWebhooks({ credentials: [{ username: "${USER}", password: "${PASS}" }], voice: { answer: () => Response(SpeakSentence("hi")) } });
      const server = createServer(webhooks.node).listen(0, "127.0.0.1", () => console.log("listening on http://127.0.0.1:" + server.address().port));
      process.on("SIGTERM", () => server.close(() => process.exit(0)));`;
    writeFileSync(join(runtimeDir, "server.mjs"), script);
    const server = startServer(process.execPath, ["server.mjs"], runtimeDir, {});
    const base = await server.url;
    const answer = await deliverEvent({ url: `${base}/callbacks/voice`, body: { eventType: "answer", ...callFields }, username: USER, password: PASS });
    assert.equal(answer.challenge?.status, 401);
    assert.equal(answer.status, 200, answer.body);
    assert.deepEqual(answer.verbs, ["SpeakSentence"]);
    process.kill(server.child.pid!, "SIGTERM");
    assert.equal(await server.exit, 0);
  });

  it("the installed package exports exactly the pinned entries and names; internal modules do not resolve", () => {
    const pins = readFileSync(join(ROOT, "test", "public-api.json"), "utf8");
    const script = `
      const pins = ${pins};
      const found = {};
      for (const entry of Object.keys(pins)) if (entry !== "bw-codegen/queue" && entry !== "bw-codegen/sockets/node") found[entry] = Object.keys(await import(entry)).sort();
      for (const internal of ["bw-codegen/runtime/webhooks.js", "bw-codegen/generated/index.js", "bw-codegen/validators/voice.ajv"]) {
        try { await import(internal); found[internal] = "resolved"; } catch (error) { found[internal] = error.code; }
      }
      console.log(JSON.stringify(found));`;
    const result = run(process.execPath, ["--input-type=module", "-e", script], runtimeDir);
    assert.equal(result.status, 0, result.output);
    const found = JSON.parse(result.output.trim().split("\n")[0]);
    const expected = JSON.parse(pins) as Record<string, { values: string[] }>;
    // bw-codegen/queue needs its optional peers (bullmq, ioredis) and bw-codegen/sockets/node its optional
    // peer ws, which a runtime install does not have; test/public-api.test.ts pins them from the checkout.
    for (const [entry, { values }] of Object.entries(expected)) {
      if (entry !== "bw-codegen/queue" && entry !== "bw-codegen/sockets/node") assert.deepEqual(found[entry], values, entry);
    }
    for (const internal of ["bw-codegen/runtime/webhooks.js", "bw-codegen/generated/index.js", "bw-codegen/validators/voice.ajv"]) {
      assert.equal(found[internal], "ERR_PACKAGE_PATH_NOT_EXPORTED", internal);
    }
  });

  it("bw-codegen/sockets/node without ws (an optional peer): import and require fail naming npm install ws", () => {
    const script = `
      const found = {};
      try { await import("bw-codegen/sockets/node"); found.import = "loaded"; } catch (error) { found.import = [error.code, error.message]; }
      try { (await import("node:module")).createRequire(process.cwd() + "/")("bw-codegen/sockets/node"); found.require = "loaded"; } catch (error) { found.require = [error.code, error.message]; }
      found.sockets = Object.keys(await import("bw-codegen/sockets")).includes("createStreamServer");
      console.log(JSON.stringify(found));`;
    const result = run(process.execPath, ["--input-type=module", "-e", script], runtimeDir);
    assert.equal(result.status, 0, result.output);
    const found = JSON.parse(result.output.trim().split("\n")[0]);
    for (const how of ["import", "require"]) {
      assert.equal(found[how][0], "BW_RUNTIME_UNSUPPORTED", `${how}: ${found[how]}`);
      assert.match(found[how][1], /needs the ws package .*: npm install ws$/, how);
    }
    assert.equal(found.sockets, true, "bw-codegen/sockets itself needs no ws");
  });

  it("generate and check fail with a message naming the packages to install; their --help works", () => {
    for (const command of ["generate", "check"]) {
      const help = run("npx", ["--no-install", "bw-codegen", command, "--help"], runtimeDir);
      assert.equal(help.status, 0, help.output);
      assert.match(help.output, new RegExp(`Usage: bw-codegen ${command}`));
      const result = run("npx", ["--no-install", "bw-codegen", command], runtimeDir);
      assert.equal(result.status, 1, result.output);
      assert.match(result.output, new RegExp(`bw-codegen ${command}: .*needs the code generator's tools`));
      assert.match(result.output, /npm install --save-dev typescript@\S+ ts-morph@\S+ json-schema-to-typescript@\S+/);
    }
  });
});

describe("the README's user path, literally (issue 26)", () => {
  const app = join(runtimeDir, "my-receiver");

  it("npx bw-codegen scaffold my-receiver --framework node; cd my-receiver && npm install; npm start: it builds, serves, stops", async () => {
    const scaffold = run("npx", ["--no-install", "bw-codegen", "scaffold", "my-receiver", "--framework", "node"], runtimeDir);
    assert.equal(scaffold.status, 0, scaffold.output);
    const install = run("npm", ["install", ...NPM_FLAGS], app);
    assert.equal(install.status, 0, install.output);
    assert.ok(!existsSync(join(app, "dist")), "nothing is built before npm start");
    await handshakeThenGracefulStop("npm", ["start", "--silent"], app);
    assert.ok(existsSync(join(app, "dist", "server.js")), "npm start built dist/ first");
  });
});

for (const framework of FRAMEWORKS) {
  describe(`scaffold --framework ${framework} from the installed package`, () => {
    const app = join(runtimeDir, `app-${framework}`);

    it("depends on the tarball the parent installed, and says so", () => {
      // node is scaffolded as the README's voice bot (`--stream`), with the flight recorder (`--capture`, off
      // unless BW_CAPTURE_DIR is set): the plain node receiver is the README path above
      const stream = framework === "node" ? ["--stream", "--capture"] : [];
      const scaffold = run("npx", ["--no-install", "bw-codegen", "scaffold", `app-${framework}`, "--framework", framework, ...stream], runtimeDir);
      assert.equal(scaffold.status, 0, scaffold.output);
      const pkg = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));
      if (framework === "node") assert.ok(pkg.dependencies.ws && pkg.devDependencies["@types/ws"], "the voice bot depends on ws (an optional peer of bw-codegen)");
      const expected = `file:${relative(app, tarball)}`;
      assert.equal(pkg.dependencies["bw-codegen"], expected);
      assert.ok(scaffold.output.includes(`bw-codegen dependency: "${expected}" (from ${join(runtimeDir, "package.json")})`), scaffold.output);
    });

    it("installs, type-checks and builds", () => {
      const install = run("npm", ["install", ...NPM_FLAGS], app);
      assert.equal(install.status, 0, install.output);
      const typecheck = run("npm", ["run", "typecheck"], app);
      assert.equal(typecheck.status, 0, typecheck.output);
      const build = run("npm", ["run", "build"], app);
      assert.equal(build.status, 0, build.output);
      assert.ok(existsSync(join(app, "dist", "server.js")));
    });

    it("npm start (production) plays the handshake; SIGTERM finishes the delivery in flight, exits 0, frees the port", async () => {
      await handshakeThenGracefulStop("npm", ["start", "--silent"], app, {}, framework === "node" ? ["SpeakSentence", "StartStream", "StopStream"] : ["SpeakSentence"]);
    });

    if (framework === "node") voiceBotFromTheReadme(app);
  });
}

/**
 * The README's voice bot (scaffold --stream, already installed and built as app-node): `npm start`, then
 * `npx bw-codegen simulate call … --script caller.json --bot-audio bot.wav` as the scaffold's Next: says (the
 * caller.json it wrote), and `--audio caller.wav --speed max` (written with `bw-codegen/audio`); and a user's own TypeScript using
 * `bw-codegen/sockets` + `bw-codegen/sockets/node` type-checks under node16 and bundler resolution.
 */
function voiceBotFromTheReadme(app: string): void {
  it("npm start, then simulate call --script caller.json (the scaffold's) and --audio caller.wav --speed max: the echo bot answers", async () => {
    const wav = `import { writeWav } from "bw-codegen/audio"; import { writeFileSync } from "node:fs";
      const parts = [[6, 0], [1, 440], [1.5, 0], [1, 330], [3, 0]]; // silence through the greeting, two utterances
      const pcm = new Int16Array(parts.reduce((n, [s]) => n + s * 8000, 0)); let i = 0;
      for (const [s, f] of parts) for (let k = 0; k < s * 8000; k++, i++) pcm[i] = f ? Math.round(8000 * Math.sin((2 * Math.PI * f * k) / 8000)) : 0;
      writeFileSync("caller.wav", writeWav({ encoding: "pcm16", sampleRate: 8000, channels: 1, samples: pcm }));`;
    const made = run(process.execPath, ["--input-type=module", "-e", wav], app);
    assert.equal(made.status, 0, made.output);
    const server = startServer("npm", ["start", "--silent"], app, { PORT: "0", BW_CALLBACK_USERNAME: USER, BW_CALLBACK_PASSWORD: PASS });
    try {
      const base = await server.url;
      await until(() => /Mode: /.test(server.output())).catch(() => undefined); // the assertion below says what is missing
      assert.match(server.output(), /WebSocket ws:\/\/127\.0\.0\.1:\d+\/sockets\/stream/);
      const credentials = ["--url", `${base}/callbacks/voice`, "--username", USER, "--password", PASS];
      // the scaffold's Next: line, with the caller.json it wrote: two utterances, the second over the echo
      const scripted = run("npx", ["--no-install", "bw-codegen", "simulate", "call", ...credentials, "--script", "caller.json", "--bot-audio", "bot.wav"], app);
      assert.equal(scripted.status, 0, scripted.output);
      assert.match(scripted.output, /2 playAudio and 1 clear received/);
      assert.match(scripted.output, /caller talks over the bot at \+[\d.]+s → clear after \d+ ms/);
      // the caller's own recording (the scaffold README's --audio line)
      const args = [...credentials, "--audio", "caller.wav", "--speed", "max", "--bot-audio", "bot.wav"];
      const call = run("npx", ["--no-install", "bw-codegen", "simulate", "call", ...args], app);
      assert.equal(call.status, 0, call.output);
      assert.match(call.output, /⇄ start stream "echo-bot" open to ws:/);
      assert.match(call.output, /2 playAudio and \d+ clear received/);
      assert.match(call.output, /Voice-AI measures:\n {2}caller stops at \+[\d.]+s → bot answers after \d+ ms\n {2}caller stops at/);
      assert.match(call.output, /OK: the flow ran to the end/);
      assert.ok(statSync(join(app, "bot.wav")).size > 44, "bot.wav holds what the bot said");
    } finally {
      stopGroup(server);
    }
  });

  it("--capture: BW_CAPTURE_DIR=captures npm start records simulated events, written by SIGTERM and redacted; replay against it without capture is clean", async () => {
    const env = { PORT: "0", BW_CALLBACK_USERNAME: USER, BW_CALLBACK_PASSWORD: PASS };
    const events = [["message-received", "messaging"], ["portins", "numbers"], ["disconnect", "voice"]];
    const recording = startServer("npm", ["start", "--silent"], app, { ...env, BW_CAPTURE_DIR: "captures" });
    try {
      const base = await recording.url;
      await until(() => /Capture: /.test(recording.output())).catch(() => undefined); // the assertion below says what is missing
      assert.match(recording.output(), /Capture: on, redacted NDJSON files in captures/);
      for (const [type, family] of events) {
        const sent = run("npx", ["--no-install", "bw-codegen", "simulate", "event", type, "--url", `${base}/callbacks/${family}`, "--username", USER, "--password", PASS], app);
        assert.equal(sent.status, 0, sent.output);
      }
      process.kill(recording.child.pid!, "SIGTERM"); // at once: the last event was answered a moment ago
      assert.equal(await settles(recording.exit, "exit after SIGTERM"), 0, recording.output());
    } finally {
      stopGroup(recording);
    }
    const folder = join(app, "captures");
    const text = readdirSync(folder).map((name) => readFileSync(join(folder, name), "utf8")).join("");
    const entries = text.trim().split("\n").map((line) => JSON.parse(line));
    assert.deepEqual(entries.map((entry) => entry.event), ["message-received", "portins", "disconnect"], "every event, the last one answered just before SIGTERM included");
    assert.doesNotMatch(text, new RegExp(PASS), "no credential");

    const plain = startServer("npm", ["start", "--silent"], app, env);
    try {
      const base = await plain.url;
      const replay = run("npx", ["--no-install", "bw-codegen", "replay", "captures", "--url", base, "--username", USER, "--password", PASS], app);
      assert.equal(replay.status, 0, replay.output);
      assert.match(replay.output, /3 deliveries replayed, no difference/);
      assert.doesNotMatch(replay.output, /warning/);
    } finally {
      stopGroup(plain);
    }
  });

  it("a user's TypeScript with createStreamServer + attachStreamServer type-checks (moduleResolution node16 and bundler)", () => {
    const dir = join(app, "user-ts");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "bot.ts"),
      `import { createServer } from "node:http";
import { createStreamServer } from "bw-codegen/sockets";
import { attachStreamServer } from "bw-codegen/sockets/node";
const sockets = createStreamServer<{ heard: number }>({
  stream: {
    credentials: [{ username: "bw", password: "s3cret" }],
    createState: () => ({ heard: 0 }),
    onMedia: (frame, stream) => {
      stream.state.heard += frame.audio.length;
      stream.playAudio(frame.audio);
      // @ts-expect-error the types resolved (not any): the state is { heard: number }
      stream.state.heard = "many";
    },
  },
});
export const attached = attachStreamServer(createServer(), sockets, { pingIntervalMs: 20000 });
`,
    );
    const tsc = join(app, "node_modules", "typescript", "bin", "tsc");
    // node16 checks the package's declarations too; bundler only the user's file (skipLibCheck: the same .d.ts, half the time)
    for (const [module, resolution, lib] of [["node16", "node16", []], ["preserve", "bundler", ["--skipLibCheck"]]] as const) {
      const flags = ["--ignoreConfig", "--noEmit", "--strict", "--module", module, "--moduleResolution", resolution, "--target", "es2022", "--types", "node", ...lib];
      const checked = run(process.execPath, [tsc, ...flags, "user-ts/bot.ts"], app);
      assert.equal(checked.status, 0, `${resolution}: ${checked.output}`);
    }
  });
}

describe("scaffold . into an existing project", () => {
  const dir = join(work, "existing");
  const placeholderTest = 'echo "Error: no test specified" && exit 1';

  it("merges what the receiver needs into package.json, keeps every value the user set, and prints both", () => {
    mkdirSync(dir);
    const mine = { name: "my-existing-app", version: "2.3.4", description: "mine", license: "ISC", scripts: { start: "node legacy.js", test: placeholderTest, lint: "echo lint" } };
    writeFileSync(join(dir, "package.json"), `${JSON.stringify(mine, null, 2)}\n`);
    const install = run("npm", ["install", ...NPM_FLAGS, tarball], dir);
    assert.equal(install.status, 0, install.output);
    const scaffold = run("npx", ["--no-install", "bw-codegen", "scaffold", ".", "--framework", "express"], dir);
    assert.equal(scaffold.status, 0, scaffold.output);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    for (const [key, value] of Object.entries({ name: "my-existing-app", version: "2.3.4", description: "mine", license: "ISC" })) assert.equal(pkg[key], value, key);
    assert.equal(pkg.scripts.start, "node legacy.js", "the user's start script is kept");
    assert.equal(pkg.scripts.lint, "echo lint");
    assert.equal(pkg.scripts.build, "tsc -p tsconfig.build.json");
    assert.equal(pkg.scripts.dev, "exec tsx watch src/server.ts");
    assert.equal(pkg.scripts.test, "node --import tsx --test test/*.test.ts", "npm init's failing placeholder is replaced");
    assert.equal(pkg.type, "module");
    assert.equal(pkg.dependencies["bw-codegen"], `file:../${tarball.slice(work.length + 1)}`, "the installed bw-codegen is kept");
    assert.ok(pkg.dependencies.express && pkg.devDependencies.typescript && pkg.devDependencies.tsx);
    assert.match(scaffold.output, /merged +package\.json:\n/);
    assert.match(scaffold.output, /type: set to "module"/);
    assert.match(scaffold.output, /scripts\.build: added "tsc -p tsconfig\.build\.json"/);
    assert.match(scaffold.output, /dependencies\.express: added/);
    assert.match(scaffold.output, /not changed \(you have a value\) in package\.json:\n +scripts\.start: kept "node legacy\.js" \(the receiver's is "NODE_ENV=production exec node dist\/server\.js"\)/);
    assert.match(scaffold.output, /bw-codegen dependency: kept the one package\.json has/);
    assert.match(scaffold.output, /npm run build && NODE_ENV=production node dist\/server\.js +# production/, "the user's start was kept: the receiver's command is printed instead of npm start");
  });

  it("installs, builds and serves; SIGTERM stops it gracefully", async () => {
    const install = run("npm", ["install", ...NPM_FLAGS], dir);
    assert.equal(install.status, 0, install.output);
    const build = run("npm", ["run", "build"], dir);
    assert.equal(build.status, 0, build.output);
    // the user's own `start` was kept, so run the build the way the receiver's start script would
    await handshakeThenGracefulStop("node", ["dist/server.js"], dir, { NODE_ENV: "production" });
  });
});
