// `npm run demo` keeps its promise (issue 26): it prints the two curl lines only once the receiver listens
// (with the URL the receiver reports), and running those lines exactly as printed gives Bandwidth's 401
// challenge, then 200 with the BXML greeting of the scaffolded voice handler (the event it sends has every
// field Bandwidth always sends, so it is dispatched). The demo scaffolds into a temporary folder
// (BW_DEMO_DIR), runs `npm install` there (shared npm cache) and is stopped (its process group) on every path.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import { childEnv, killAll, startServer, stopGroup } from "./support/processes.js";

const ROOT = resolve(import.meta.dirname, "..");
const work = mkdtempSync(join(tmpdir(), "bw-demo-"));

after(() => {
  killAll();
  rmSync(work, { recursive: true, force: true });
});

test("npm run demo prints its curl lines after the server listens, and they answer 401 then 200 with the greeting", { timeout: 300_000 }, async () => {
  const demo = startServer(process.execPath, ["--import", "tsx", join(ROOT, "generator", "cli", "demo.ts")], ROOT, { PORT: "0", BW_DEMO_DIR: join(work, "demo") });
  try {
    await demo.url;
    for (let i = 0; i < 100 && !/-> 200/.test(demo.output()); i++) await new Promise((r) => setTimeout(r, 100));
    const output = demo.output();
    const listening = output.indexOf("listening on");
    const firstCurl = output.indexOf("  curl ");
    assert.ok(firstCurl > listening, `the curl lines come after "listening on":\n${output}`);
    const curls = output.split("\n").filter((line) => line.startsWith("  curl "));
    assert.equal(curls.length, 2, output);

    const play = (line: string): string => {
      const result = spawnSync("sh", ["-c", `${line.trim()} --silent --show-error --max-time 20`], { env: childEnv(), encoding: "utf8" });
      assert.equal(result.status, 0, result.stderr);
      return result.stdout;
    };
    const challenge = play(curls[0]);
    assert.match(challenge, /^HTTP\/1\.1 401/);
    assert.match(challenge, /^www-authenticate: Basic realm=/im);
    const answered = play(curls[1]);
    assert.match(answered, /^HTTP\/1\.1 200/);
    assert.match(answered, /<Response><SpeakSentence>Hello! This call is answered by your bw-codegen webhook receiver\. Goodbye\.<\/SpeakSentence><\/Response>/);
  } finally {
    stopGroup(demo);
  }
});
