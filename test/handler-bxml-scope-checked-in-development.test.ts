// In development mode the BXML a handler returns is checked before it is sent, including the verb
// restrictions Bandwidth applies where the reply runs: conference events accept only conference verbs
// (anything else rejects the whole document) and transferAnswer BXML runs on the B-leg without
// Transfer/Bridge/Conference/Forward. Over real HTTP on 127.0.0.1, through the generated glue.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createBandwidthWebhooks } from "../generated/index.js";
import { loadCatalog } from "../generator/catalog.js";
import { GOOD_AUTH, PASSWORD, USERNAME, send } from "./adapter-harness.js";
import { REPO_ROOT } from "./support/cli.js";

const catalog = loadCatalog(join(REPO_ROOT, "schemas"));
const example = (event: string) => JSON.stringify(catalog.events.find((e) => e.family === "voice" && e.event === event)!.schema.examples[0]);
const TRANSFER = '<?xml version="1.0" encoding="UTF-8"?><Response><Transfer><PhoneNumber>+19195550100</PhoneNumber></Transfer></Response>';
const SPEAK = '<?xml version="1.0" encoding="UTF-8"?><Response><SpeakSentence>Welcome to the conference</SpeakSentence></Response>';

let reply = SPEAK;
const errors: { kind: string; message: string }[] = [];
let server: Server;
let port = 0;

before(async () => {
  const webhooks = createBandwidthWebhooks({
    credentials: [{ username: USERNAME, password: PASSWORD }],
    validateBxml: true,
    voice: { conferenceCreated: () => reply, transferAnswer: () => reply, answer: () => reply },
    onError: (error, info) => void errors.push({ kind: info.kind, message: String((error as Error).message) }),
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  server = createServer(webhooks.node);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const rows: { event: string; bxml: string; status: number }[] = [
  { event: "conferenceCreated", bxml: SPEAK, status: 200 },
  { event: "conferenceCreated", bxml: TRANSFER, status: 500 },
  { event: "transferAnswer", bxml: SPEAK, status: 200 },
  { event: "transferAnswer", bxml: TRANSFER, status: 500 },
  { event: "answer", bxml: TRANSFER, status: 200 },
];

for (const row of rows) {
  test(`${row.event} answering ${row.bxml === TRANSFER ? "<Transfer>" : "<SpeakSentence>"} → ${row.status}`, async () => {
    reply = row.bxml;
    errors.length = 0;
    const res = await send(port, { headers: { authorization: GOOD_AUTH, "content-type": "application/json" }, body: example(row.event) });
    assert.equal(res.status, row.status, res.body);
    if (row.status === 200) assert.equal(res.body, row.bxml);
    else {
      assert.equal(errors.length, 1);
      assert.equal(errors[0].kind, "bxml");
      assert.match(errors[0].message, /Transfer/);
      assert.doesNotMatch(res.body, /Transfer/); // the generic 500 body does not echo the document
    }
  });
}
