// "Credentials never reach the file in any form", whatever `keep` or `redact` say: a password / token / api
// key field of a JSON body (also nested, also named in `keep`), a `<Password>` of a numbers XML body, user
// info in a URL (`https://user:pass@host`) in a field or in free text, a credential query parameter of the
// request URL or of a URL in a body or in the BXML answer, `Basic …` in free text, and the verb credentials
// of the answer. A capture made with `redact: false` stores bodies as they arrived but for those. The
// capture still replays clean against the same receiver (credentials compare equal to the stored `***`).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { replayCapture } from "../generated/testing.js";
import { captureFolder } from "./support/capture.js";

const { root, createCapture } = captureFolder("bw-capture-credentials-");

const USER = "cred-user";
const PASSWORD = "cred-callback-pw-1";
const authorization = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
const silent = { info() {}, warn() {}, error() {}, debug() {} };
/** Every secret below: none may be in a capture file. */
const SECRETS = ["json-pw-2", "nested-secret-3", "url-pass-4", "url-token-5", "free-pass-6", "query-token-7", "query-pw-8", "xml-pw-9", "answer-pass-10", "answer-token-11", "verb-pw-12", "api-key-13", "Zm9vOmJhcjE0", "kept-pw-15", PASSWORD, authorization.slice(6)];

const initiate = {
  eventType: "initiate",
  eventTime: "2025-04-02T14:07:12.108Z",
  accountId: "9901234",
  applicationId: "3f7c2a61-8d4e-4b0a-9c55-0e1d2b7a6f48",
  from: "+19195550142",
  to: "+17045550187",
  direction: "inbound",
  callId: "c-2b6e0f4a-71c9d3e8-5a2b-4c61-8e0f-93d7a1b4c2e5",
  callUrl: "https://voice.bandwidth.com/api/v2/accounts/9901234/calls/c-2b6e0f4a-71c9d3e8-5a2b-4c61-8e0f-93d7a1b4c2e5",
  startTime: "2025-04-02T14:07:12.108Z",
  // fields Bandwidth does not send today: a hostile or future body
  password: "json-pw-2",
  apiKey: "api-key-13",
  credentials: { user: "someone", secret: "nested-secret-3" },
  fetchUrl: "https://someone:url-pass-4@media.example.com/a.wav?token=url-token-5",
  errorMessage: "could not fetch https://someone:free-pass-6@media.example.com/b.wav (Authorization: Basic Zm9vOmJhcjE0)",
};
const orderXml = `<?xml version="1.0"?><Notification><Status>COMPLETE</Status><OrderType>orders</OrderType><OrderId>a8c3e1f0-7b2d-4c5e-9a1f-3d6b8e0c2f47</OrderId><Password>xml-pw-9</Password><CallbackPassword>kept-pw-15</CallbackPassword></Notification>`;

function receiver(capture: ReturnType<typeof createCapture>) {
  return createBandwidthWebhooks({
    capture,
    credentials: [{ username: USER, password: PASSWORD }],
    logger: silent,
    voice: {
      initiate: () =>
        `<Response><Redirect redirectUrl="https://bot:answer-pass-10@app.example.com/next?step=2&amp;token=answer-token-11"/><Gather gatherUrl="/g" username="u" password="verb-pw-12"/></Response>`,
    },
    numbers: { orders: () => undefined },
  });
}

async function deliverAll(webhooks: ReturnType<typeof receiver>): Promise<void> {
  const post = (path: string, body: string, type: string) =>
    webhooks.fetch(new Request(`http://127.0.0.1${path}`, { method: "POST", headers: { authorization, "content-type": type }, body }));
  assert.equal((await post("/callbacks/voice?token=query-token-7&password=query-pw-8&tenant=acme", JSON.stringify(initiate), "application/json")).status, 200);
  assert.equal((await post("/callbacks/numbers", orderXml, "application/xml")).status, 200);
}

function capturedText(files: string[]): string {
  return files.map((file) => readFileSync(file, "utf8")).join("");
}

for (const [name, options] of [
  ["redacted (the default)", {}],
  ["redacted, with keep naming the credential fields", { keep: ["password", "credentials", "fetchUrl", "errorMessage", "token", "Password", "CallbackPassword", "apiKey"] }],
  ["unredacted (redact: false)", { redact: false }],
] as const) {
  test(`a capture ${name} stores no credential in any form`, async () => {
    const capture = createCapture({ dir: join(root, name.replace(/\W+/g, "-")), ...options });
    const webhooks = receiver(capture);
    await deliverAll(webhooks);
    const files = await capture.flush();
    const text = capturedText(files);
    assert.equal(text.trim().split("\n").length, 2, text);
    assert.deepEqual(
      SECRETS.filter((secret) => text.includes(secret)),
      [],
      text,
    );
    // the rest is still there where it is no credential: the query's other parameter, the URL's host
    assert.match(text, /tenant=acme/);
    assert.match(text, /media\.example\.com/);
    // and the capture replays clean: a credential compares equal to the stored ***
    const report = await replayCapture(webhooks.fetch, text, { username: USER, password: PASSWORD });
    assert.deepEqual(report.results.flatMap((r) => r.differences), []);
  });
}
