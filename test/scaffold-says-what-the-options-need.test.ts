// What the scaffold says matches the options used (issue 26): with --queue bullmq its README and the
// "Next:" lines name Redis, REDIS_URL, `npm run worker` and src/jobs/; without --queue they do not. And
// `npm install && npm start` runs: `start` builds first when dist/ is missing (prestart), but a `start`
// of the user's own (scaffold into an existing project) gets no prestart in front of it.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { buildScaffold } from "../generator/cli/scaffold.js";
import { mergePackageJson } from "../generator/cli/scaffold-package.js";
import { REPO_ROOT, runCli } from "./support/cli.js";

test("the README of a --queue bullmq scaffold says how to run Redis and the worker; the plain one does not", () => {
  const queued = buildScaffold({ dir: "queued", framework: "node", queue: "bullmq" }).get("README.md")!;
  for (const needed of [/## The queue/, /REDIS_URL/, /npm run worker/, /src\/jobs\//, /docker compose up -d redis/]) assert.match(queued, needed);
  const plain = buildScaffold({ dir: "plain", framework: "node" }).get("README.md")!;
  for (const absent of [/queue/i, /REDIS_URL/, /worker/, /src\/jobs/]) assert.doesNotMatch(plain, absent);
});

test("scaffold --queue bullmq prints the Redis and worker steps under Next:; without --queue it does not", () => {
  const work = mkdtempSync(join(tmpdir(), "bw-scaffold-next-"));
  try {
    const queued = runCli(["scaffold", join(work, "q"), "--queue", "bullmq"], { cwd: work });
    assert.equal(queued.status, 0, queued.stderr);
    const next = queued.stdout.slice(queued.stdout.indexOf("Next:"));
    assert.match(next, /npm run worker/);
    assert.match(next, /REDIS_URL/);
    const plain = runCli(["scaffold", join(work, "p")], { cwd: work });
    assert.equal(plain.status, 0, plain.stderr);
    assert.doesNotMatch(plain.stdout, /worker|REDIS_URL/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test("npm start builds first when dist/ is missing (prestart), and so does npm run worker", () => {
  const plain = JSON.parse(buildScaffold({ dir: "plain", framework: "node" }).get("package.json")!);
  assert.match(plain.scripts.prestart, /existsSync\('dist\/server\.js'\).*\|\| npm run build$/);
  const queued = JSON.parse(buildScaffold({ dir: "q", framework: "node", queue: "bullmq" }).get("package.json")!);
  assert.match(queued.scripts.preworker, /existsSync\('dist\/worker\.js'\).*\|\| npm run build$/);
});

test("scaffold into a project with its own start script adds no prestart in front of it", () => {
  const wanted = JSON.parse(buildScaffold({ dir: "mine", framework: "node" }).get("package.json")!);
  const merged = mergePackageJson(JSON.stringify({ name: "mine", scripts: { start: "node legacy.js" } }), wanted);
  const scripts = JSON.parse(merged.text).scripts;
  assert.equal(scripts.start, "node legacy.js");
  assert.equal(scripts.prestart, undefined);
  assert.ok(merged.unchanged.some((line) => line.startsWith("scripts.prestart: not added")), merged.unchanged.join("\n"));
  const fresh = JSON.parse(mergePackageJson(JSON.stringify({ name: "mine" }), wanted).text).scripts;
  assert.equal(fresh.prestart, wanted.scripts.prestart, "added with the receiver's own start");
});

test("every option `scaffold --help` lists is in the README's CLI table, and the README has the queue's section", () => {
  const help = runCli(["scaffold", "--help"]);
  assert.equal(help.status, 0);
  const options = [...help.stdout.slice(help.stdout.indexOf("Options:")).matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1]).filter((o) => o !== "--help");
  assert.ok(options.includes("--queue"), help.stdout);
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const row = readme.split("\n").find((line) => line.startsWith("| `bw-codegen scaffold "));
  assert.ok(row, "the README's CLI table has a scaffold row");
  for (const option of options) assert.ok(row.includes(option), `README's scaffold row names ${option}`);
  assert.match(readme, /^### Hand async events to a queue/m);
  assert.match(readme, /createBandwidthWorker/);
});

test("the note on the prestart not added comes after the user's own start it belongs to", () => {
  const wanted = JSON.parse(buildScaffold({ dir: "mine", framework: "node" }).get("package.json")!);
  const { unchanged } = mergePackageJson(JSON.stringify({ name: "mine", scripts: { start: "node legacy.js" } }), wanted);
  assert.ok(unchanged.findIndex((l) => l.startsWith("scripts.start: kept")) < unchanged.findIndex((l) => l.startsWith("scripts.prestart:")), unchanged.join("\n"));
});
