// `bw-codegen fixtures --app MODULE` as a newcomer uses it (issue 28): the README's `--app src/webhooks.js`
// in a TypeScript project, where only src/webhooks.ts exists, wrote a test that could never import it and
// said "Run: node --test …" (exit 0). Now a module that does not exist is a usage error naming it (exit 2);
// a TypeScript one (src/app.ts, or src/app.js with only src/app.ts there) is accepted and the Run line says
// `node --import tsx --test`, under which the generated test passes; without --app the Run line names
// BW_REPLAY_URL.
import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { TEST_LIMIT_MS } from "./support/children.js";
import { BIN, REPO_ROOT, runAsync } from "./support/cli.js";
import { PASSWORD, USERNAME, recordCapture } from "./support/recorder.js";

// under the repository (git-ignored .tmp/), so the generated test resolves `bw-codegen/testing` by the package's own name
const root = join(REPO_ROOT, ".tmp", `fixtures-app-${process.pid}`);
mkdirSync(root, { recursive: true });
after(() => rmSync(root, { recursive: true, force: true }));

/** Runs node with `args` in the project folder; the generated test reports as a top-level run. */
const run = (args: string[], env: Record<string, string> = {}) => runAsync(process.execPath, args, { cwd: root, env });

test("fixtures --app: a missing module is exit 2 naming it; a TypeScript one runs under tsx and passes; no --app names BW_REPLAY_URL", { timeout: TEST_LIMIT_MS }, async () => {
  const capture = join(root, "capture");
  await recordCapture(capture);

  const missing = await run([BIN, "fixtures", capture, "--out", join(root, "none"), "--app", "src/nowhere.js"]);
  assert.equal(missing.status, 2, missing.stdout + missing.stderr);
  assert.match(missing.stderr, /^bw-codegen fixtures: --app src\/nowhere\.js: no such module/);

  mkdirSync(join(root, "src"));
  writeFileSync(
    join(root, "src", "webhooks.ts"),
    `import { createBandwidthWebhooks } from "bw-codegen";
import type { WebhookHandlers } from "bw-codegen";
export const webhooks: WebhookHandlers = createBandwidthWebhooks({
  credentials: [{ username: ${JSON.stringify(USERNAME)}, password: ${JSON.stringify(PASSWORD)} }],
  logger: { info() {}, warn() {}, error() {}, debug() {} },
  voice: {
    initiate: () => '<Response><Gather gatherUrl="/callbacks/voice" username=${JSON.stringify(USERNAME)} password=${JSON.stringify(PASSWORD)} maxDigits="1"><SpeakSentence>Press 1 for sales</SpeakSentence></Gather></Response>',
    gather: (event) => "<Response><SpeakSentence>Connecting you to sales, " + event.digits + "</SpeakSentence><Hangup/></Response>",
    disconnect: () => undefined,
  },
  messaging: { messageReceived: () => undefined, messageDelivered: () => undefined },
  numbers: { orders: () => undefined },
});
`,
  );
  const out = join(root, "test", "recorded");
  const written = await run([BIN, "fixtures", capture, "--out", out, "--app", "src/webhooks.js"]);
  assert.equal(written.status, 0, written.stdout + written.stderr);
  assert.match(written.stdout, /^Run: node --import tsx --test .*replay\.test\.mjs$/m);
  const env = { BW_CALLBACK_USERNAME: USERNAME, BW_CALLBACK_PASSWORD: PASSWORD, NODE_OPTIONS: "" };
  const passing = await run(["--import", "tsx", "--test", "--test-reporter=tap", join(out, "replay.test.mjs")], env);
  assert.equal(passing.status, 0, passing.stdout + passing.stderr);
  assert.match(passing.stdout, /# pass 6/);

  const byUrl = await run([BIN, "fixtures", capture, "--out", join(root, "by-url")]);
  assert.equal(byUrl.status, 0, byUrl.stderr);
  assert.match(byUrl.stdout, /^Run: BW_REPLAY_URL=http:\/\/127\.0\.0\.1:3000 node --test /m);
});
