// The precompiled validators must load and run where code generation from strings is forbidden
// (Cloudflare Workers, strict CSP): no ajv compile at import, no eval, no new Function, no require.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "./support/cli.js";

test("generated validators import and validate under --disallow-code-generation-from-strings", () => {
  const script = `
    const m = await import(${JSON.stringify(join(REPO_ROOT, "generated", "validators", "voice.js"))});
    const ok = m.validateVoiceCallback({ eventType: "disconnect", eventTime: "2025-03-01T10:00:00Z" });
    const strict = m.validateVoiceCallback({ eventType: "nope" }, { strict: true });
    process.stdout.write(JSON.stringify({ ok: ok.ok, errors: ok.errors?.length ?? 0, unknown: strict.unknownType }));
  `;
  const run = spawnSync(process.execPath, ["--disallow-code-generation-from-strings", "--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const out = JSON.parse(run.stdout);
  assert.equal(out.ok, false); // required fields missing: the validator ran
  assert.ok(out.errors > 0);
  assert.equal(out.unknown, true);
});

test("generated validator modules are plain ESM: no require(), no eval, no new Function", () => {
  const dir = join(REPO_ROOT, "generated", "validators");
  const files = readdirSync(dir).filter((f) => f.endsWith(".js"));
  assert.ok(files.length > 0);
  for (const file of files) {
    const code = readFileSync(join(dir, file), "utf8");
    assert.doesNotMatch(code, /\brequire\(/, file);
    assert.doesNotMatch(code, /\beval\(|new Function\(/, file);
  }
});
