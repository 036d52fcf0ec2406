// `bw-codegen replay` when the whole replay goes wrong the same way (a newcomer's first tries): `--url`
// given as a callback URL, as `simulate call --url` takes it, sent every delivery to
// /callbacks/voice/callbacks/voice (12 × "404"); wrong or missing credentials gave 12 × "recorded 200, now
// 401"; a receiver that is not running, 12 × "fetch failed". Now the callback URL is a usage error naming
// the base URL to use (exit 2), and the other two end with one line saying what to check (exit 1).
import assert from "node:assert/strict";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { TEST_LIMIT_MS } from "./support/children.js";
import { REPO_ROOT, runCliAsync } from "./support/cli.js";
import { PASSWORD, USERNAME, recordCapture, startReceiver } from "./support/recorder.js";

const root = join(REPO_ROOT, ".tmp", `replay-hints-${process.pid}`);
mkdirSync(root, { recursive: true });
after(() => rmSync(root, { recursive: true, force: true }));
const noEnvCredentials = { BW_CALLBACK_USERNAME: "", BW_CALLBACK_PASSWORD: "" };

test("replay: a callback URL as --url is exit 2 naming the base URL; 401s and no answers end with one line saying what to check", { timeout: TEST_LIMIT_MS }, async () => {
  const dir = join(root, "capture");
  await recordCapture(dir);
  const receiver = await startReceiver();
  try {
    const callbackUrl = await runCliAsync(["replay", dir, "--url", `${receiver.url}/callbacks/voice`, "--username", USERNAME, "--password", PASSWORD]);
    assert.equal(callbackUrl.status, 2, callbackUrl.stdout + callbackUrl.stderr);
    assert.equal(callbackUrl.stderr.split("\n")[0], `bw-codegen replay: --url is the receiver's base URL (each delivery goes to URL + its recorded path, e.g. /callbacks/voice), not a callback URL: use --url ${receiver.url}`);

    const wrong = await runCliAsync(["replay", dir, "--url", receiver.url, "--username", USERNAME, "--password", "not-it"]);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /every delivery was answered 401: the receiver refused the credentials given/);

    const none = await runCliAsync(["replay", dir, "--url", receiver.url], { env: noEnvCredentials });
    assert.equal(none.status, 1);
    assert.match(none.stderr, /every delivery was answered 401 and no credentials were given: pass the receiver's callback credentials with --username \/ --password/);
  } finally {
    await receiver.close();
  }
  const gone = await runCliAsync(["replay", dir, "--url", receiver.url, "--username", USERNAME, "--password", PASSWORD]);
  assert.equal(gone.status, 1);
  assert.match(gone.stderr, new RegExp(`no delivery got an answer from ${receiver.url.replace(/[.]/g, "\\.")} \\(.+\\): is the receiver running there\\?`));
});
