/**
 * The importable test helper (`bw-codegen/testing`, templates/runtime/testing/index.ts): it must speak
 * Bandwidth's handshake exactly (first request without credentials, then Basic credentials), return the
 * server's answer with XML parsed, and refuse to call a delivery successful when Bandwidth would never
 * have sent the credentials (no challenge, a challenge without WWW-Authenticate, a non-Basic challenge).
 * Real servers on 127.0.0.1: the generated webhooks on node:http, plus raw node:http servers that record
 * or misbehave.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { BandwidthConfigError, createBandwidthWebhooks } from "../generated/index.js";
import { Response, SpeakSentence, Hangup } from "../generated/bxml/index.js";
import { HandshakeError, basicAuthorization, deliverEvent } from "../generated/runtime/testing/index.js";

const USER = "bw-user";
const PASS = "pa:ss wörd";
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function example(family: string, file: string): Record<string, unknown> {
  const schema = JSON.parse(readFileSync(join(import.meta.dirname, "..", "schemas", family, file), "utf8"));
  return schema.examples[0];
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** A server that records every request and answers with `answer(request, index)`. */
function recordingServer(answer: (req: IncomingMessage, res: ServerResponse, index: number) => void) {
  const seen: { method: string; url: string; authorization: string | undefined; contentType: string | undefined; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        authorization: req.headers.authorization,
        contentType: req.headers["content-type"],
        body: Buffer.concat(chunks).toString(),
      });
      answer(req, res, seen.length - 1);
    });
  });
  return { server, seen };
}

describe("deliverEvent against the generated webhooks (node:http)", () => {
  let server: Server;
  let base: string;
  before(async () => {
    const webhooks = createBandwidthWebhooks({
      credentials: [{ username: USER, password: PASS }],
      realm: "scaffold tests",
      logger: quiet,
      voice: {
        answer: () => Response(SpeakSentence("Hello <there> & welcome"), Hangup()),
        disconnect: () => undefined,
      },
      messaging: { messageReceived: () => undefined },
      numbers: {
        portIns: () => undefined,
        portOutValidationRequest: () => ({ portable: false, errors: [{ code: 7513, description: "PIN does not match" }] }),
      },
    });
    server = createServer(webhooks.node);
    base = await listen(server);
  });
  after(() => close(server));

  it("answer: challenge 401 with the realm, then 200 with the BXML parsed", async () => {
    const result = await deliverEvent({ url: `${base}/callbacks/voice`, body: example("voice", "answer.schema.json"), username: USER, password: PASS });
    assert.deepEqual(result.challenge, { status: 401, wwwAuthenticate: 'Basic realm="scaffold tests"', realm: "scaffold tests" });
    assert.equal(result.status, 200);
    assert.equal(result.delivered, true);
    assert.match(result.contentType ?? "", /^application\/xml/);
    assert.equal(result.bxml?.name, "Response");
    assert.deepEqual(result.verbs, ["SpeakSentence", "Hangup"]);
    assert.equal(result.bxml?.children[0].text, "Hello <there> & welcome");
    assert.equal(result.xmlError, undefined);
  });

  it("answer delivered with GET (fields in the query string)", async () => {
    const result = await deliverEvent({ url: `${base}/callbacks/voice`, method: "GET", body: example("voice", "answer.schema.json"), username: USER, password: PASS });
    assert.equal(result.status, 200);
    assert.deepEqual(result.verbs, ["SpeakSentence", "Hangup"]);
  });

  it("disconnect: 204, no body, nothing parsed", async () => {
    const result = await deliverEvent({ url: `${base}/callbacks/voice`, body: example("voice", "disconnect.schema.json"), username: USER, password: PASS });
    assert.equal(result.status, 204);
    assert.equal(result.body, "");
    assert.equal(result.xml, undefined);
    assert.deepEqual(result.verbs, []);
  });

  it("messaging: an array of events is acknowledged", async () => {
    const result = await deliverEvent({ url: `${base}/callbacks/messaging`, body: [example("messaging", "message-received.schema.json")], username: USER, password: PASS });
    assert.equal(result.challenge?.status, 401);
    assert.equal(result.delivered, true);
  });

  it("numbers: an XML notification string is sent as application/xml and acknowledged with 200", async () => {
    const xml = "<Notification><SubscriptionId>s-1</SubscriptionId><OrderType>portins</OrderType><OrderId>o-1</OrderId><Status>COMPLETE</Status></Notification>";
    const result = await deliverEvent({ url: `${base}/callbacks/numbers`, body: xml, username: USER, password: PASS });
    assert.equal(result.status, 200);
  });

  it("numbers: the port-out validation answer comes back parsed (not as BXML)", async () => {
    const xml = "<PortOutValidationRequest><PON>p-1</PON><Pin>1234</Pin><TelephoneNumbers><TelephoneNumber>9195550142</TelephoneNumber></TelephoneNumbers></PortOutValidationRequest>";
    const result = await deliverEvent({ url: `${base}/callbacks/numbers`, body: xml, username: USER, password: PASS });
    assert.equal(result.status, 200);
    assert.equal(result.xml?.name, "PortOutValidationResponse");
    assert.equal(result.bxml, undefined);
    assert.match(result.body, /PIN does not match/);
  });

  it("a wrong password: challenged, then refused (401), not delivered", async () => {
    const result = await deliverEvent({ url: `${base}/callbacks/voice`, body: example("voice", "answer.schema.json"), username: USER, password: "wrong" });
    assert.equal(result.challenge?.status, 401);
    assert.equal(result.status, 401);
    assert.equal(result.delivered, false);
    assert.match(result.headers["www-authenticate"] ?? "", /^Basic realm=/);
  });

  it("malformed JSON from the caller: the server's 400 comes back with its JSON error parsed", async () => {
    const result = await deliverEvent({ url: `${base}/callbacks/voice`, body: "{ not json", contentType: "application/json", username: USER, password: PASS });
    assert.equal(result.status, 400);
    assert.equal((result.json as { error: string }).error, "malformed_json");
  });

  it("refuses half a credential pair", async () => {
    await assert.rejects(deliverEvent({ url: `${base}/callbacks/voice`, body: {}, username: USER }), BandwidthConfigError); // was a TypeError
  });
});

describe("deliverEvent speaks Bandwidth's handshake on the wire", () => {
  it("first request: no Authorization; second: Basic base64(user:password) and the same body", async () => {
    const { server, seen } = recordingServer((_req, res, index) => {
      if (index === 0) res.writeHead(401, { "www-authenticate": 'Basic realm=""' }).end();
      else res.writeHead(200, { "content-type": "text/xml" }).end("<Response><Hangup/></Response>");
    });
    const base = await listen(server);
    try {
      const body = { eventType: "answer", callId: "c-1" };
      const result = await deliverEvent({ url: `${base}/cb?x=1`, body, username: USER, password: PASS });
      assert.equal(seen.length, 2);
      assert.equal(seen[0].authorization, undefined);
      assert.equal(seen[1].authorization, `Basic ${Buffer.from(`${USER}:${PASS}`).toString("base64")}`);
      assert.equal(seen[0].body, JSON.stringify(body));
      assert.equal(seen[1].body, JSON.stringify(body));
      assert.equal(seen[1].contentType, "application/json");
      assert.equal(seen[1].url, "/cb?x=1");
      assert.equal(result.challenge?.realm, "");
      assert.deepEqual(result.verbs, ["Hangup"]);
    } finally {
      await close(server);
    }
  });

  it("bodyOnChallenge: false sends the first request without a body", async () => {
    const { server, seen } = recordingServer((_req, res, index) => {
      if (index === 0) res.writeHead(401, { "www-authenticate": "Basic realm=x" }).end();
      else res.writeHead(204).end();
    });
    const base = await listen(server);
    try {
      const result = await deliverEvent({ url: base, body: { a: 1 }, username: USER, password: PASS, bodyOnChallenge: false });
      assert.equal(seen[0].body, "");
      assert.equal(seen[1].body, '{"a":1}');
      assert.equal(result.challenge?.realm, "x");
      assert.equal(result.status, 204);
    } finally {
      await close(server);
    }
  });

  const misbehaving: { name: string; answer: (res: ServerResponse) => void; message: RegExp }[] = [
    { name: "accepts the unauthenticated request", answer: (res) => void res.writeHead(200).end(), message: /answered 200 instead of 401.*accepts unauthenticated/ },
    { name: "answers 401 without WWW-Authenticate", answer: (res) => void res.writeHead(401).end(), message: /no WWW-Authenticate header: Bandwidth does not retry/ },
    { name: "answers 401 with a Bearer challenge", answer: (res) => void res.writeHead(401, { "www-authenticate": "Bearer" }).end(), message: /not a Basic challenge/ },
    { name: "answers 403", answer: (res) => void res.writeHead(403).end(), message: /answered 403 instead of 401/ },
  ];
  for (const row of misbehaving) {
    it(`a server that ${row.name} fails the handshake (HandshakeError), and gets no second request`, async () => {
      const { server, seen } = recordingServer((_req, res) => row.answer(res));
      const base = await listen(server);
      try {
        await assert.rejects(deliverEvent({ url: base, body: { eventType: "answer" }, username: USER, password: PASS }), (error: unknown) => {
          assert.ok(error instanceof HandshakeError);
          assert.match(error.message, row.message);
          return true;
        });
        assert.equal(seen.length, 1);
      } finally {
        await close(server);
      }
    });
  }

  it("without credentials: one request, no challenge expected", async () => {
    const { server, seen } = recordingServer((_req, res) => void res.writeHead(204).end());
    const base = await listen(server);
    try {
      const result = await deliverEvent({ url: base, body: [{ type: "message-sent" }] });
      assert.equal(seen.length, 1);
      assert.equal(seen[0].authorization, undefined);
      assert.equal(result.challenge, undefined);
      assert.equal(result.status, 204);
    } finally {
      await close(server);
    }
  });

  it("an XML answer that is not well-formed: xmlError says where, xml stays undefined", async () => {
    const { server } = recordingServer((_req, res) => void res.writeHead(200, { "content-type": "application/xml" }).end("<Response><Hangup></Response>"));
    const base = await listen(server);
    try {
      const result = await deliverEvent({ url: base, body: {} });
      assert.equal(result.xml, undefined);
      assert.match(result.xmlError ?? "", /^\d+:\d+: /);
    } finally {
      await close(server);
    }
  });

  it("a server that never answers: the delivery is aborted after timeoutMs", async () => {
    const server = createServer(() => {});
    const base = await listen(server);
    try {
      await assert.rejects(deliverEvent({ url: base, body: {}, timeoutMs: 200 }));
    } finally {
      await close(server);
    }
  });
});

describe("basicAuthorization", () => {
  it("is Basic + base64 of the UTF-8 bytes of user:password (same as Buffer) for any strings", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), fc.string({ unit: "grapheme" }), (user, password) => {
        assert.equal(basicAuthorization(user, password), `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`);
      }),
    );
  });
});
