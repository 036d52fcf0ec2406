/**
 * The generated glue (`generated/webhooks.js`: createBandwidthWebhooks) against the real generated
 * validators and event tables: every voice and messaging schema example, delivered over real HTTP on
 * 127.0.0.1, gets the answer Bandwidth expects for its event kind, in lenient and in strict mode.
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createBandwidthWebhooks } from "../generated/index.js";
import { voiceEvents } from "../generated/events.js";
import type { MessagingHandlers, VoiceHandlers } from "../generated/index.js";
import { Hangup, Response, SpeakSentence } from "../generated/bxml/index.js";
import { GOOD_AUTH, PASSWORD, USERNAME, send } from "./adapter-harness.js";

interface Example {
  event: string;
  response: string;
  body: Record<string, unknown>;
}

function examples(family: string): Example[] {
  const dir = join(import.meta.dirname, "..", "schemas", family);
  return readdirSync(dir)
    .filter((name) => name.endsWith(".schema.json"))
    .flatMap((name) => {
      const schema = JSON.parse(readFileSync(join(dir, name), "utf8"));
      return (schema.examples ?? []).map((body: Record<string, unknown>) => ({
        event: schema["x-bw"].event,
        response: schema["x-bw"].response ?? "empty",
        body,
      }));
    });
}

// SpeakSentence is allowed everywhere, including conference-scope and transferAnswer BXML (checked in development mode).
const BXML = '<?xml version="1.0" encoding="UTF-8"?><Response><SpeakSentence>Thank you</SpeakSentence></Response>';
const voiceExamples = examples("voice");
const messagingExamples = examples("messaging");

/** Every voice handler answers BXML when its event takes BXML, and records what it saw. */
function voiceHandlers(seen: string[]): VoiceHandlers {
  const handlers: Record<string, (event: { eventType: string }) => unknown> = {};
  for (const [type, info] of Object.entries(voiceEvents)) {
    handlers[info.method] = (event) => {
      seen.push(event.eventType);
      return info.response === "empty" ? undefined : BXML;
    };
    void type;
  }
  return handlers as VoiceHandlers;
}

function messagingHandlers(seen: string[]): MessagingHandlers {
  const record = (event: { type: string }): undefined => {
    seen.push(event.type);
    return undefined;
  };
  return {
    messageReceived: record,
    messageDelivered: record,
    messageFailed: record,
    messageSending: record,
    messageSent: record,
    messageRead: record,
    suggestionResponse: record,
    requestedLocationResponse: record,
  };
}

for (const strict of [false, true]) {
  describe(`createBandwidthWebhooks over node:http (${strict ? "strict" : "lenient"})`, () => {
    let server: Server;
    let port: number;
    const seen: string[] = [];
    const problems: unknown[] = [];
    before(async () => {
      const webhooks = createBandwidthWebhooks({
        credentials: [{ username: USERNAME, password: PASSWORD }],
        strict,
        voice: voiceHandlers(seen),
        messaging: messagingHandlers(seen),
        onInvalid: (report) => problems.push(report),
        onError: (error) => problems.push(error),
        onUnknownEvent: (_event, info) => void problems.push(info),
        logger: { warn: () => {}, error: () => {} },
      });
      server = createServer(webhooks.node);
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("has examples to deliver", () => {
      assert.ok(voiceExamples.length >= 2 * 28, `only ${voiceExamples.length} voice examples`);
      assert.ok(messagingExamples.length >= 2 * 8);
    });

    for (const [index, example] of voiceExamples.entries()) {
      const expected = example.response === "empty" ? 204 : 200;
      it(`voice ${example.event} example ${index} → ${expected}`, async () => {
        seen.length = 0;
        problems.length = 0;
        const response = await send(port, {
          path: "/callbacks/voice",
          headers: { authorization: GOOD_AUTH, "content-type": "application/json" },
          body: JSON.stringify(example.body),
        });
        assert.equal(response.status, expected, response.body);
        if (expected === 200) {
          assert.equal(response.headers["content-type"], "application/xml; charset=utf-8");
          assert.equal(response.body, BXML);
        } else assert.equal(response.body, "");
        assert.deepEqual(seen, [example.body.eventType]);
        assert.deepEqual(problems, []);
      });
    }

    it("messaging: a JSON array of every example → 200, the handler runs once per element, in order", async () => {
      seen.length = 0;
      problems.length = 0;
      const batch = messagingExamples.map((e) => e.body);
      const response = await send(port, {
        path: "/callbacks/messaging",
        headers: { authorization: GOOD_AUTH, "content-type": "application/json" },
        body: JSON.stringify(batch),
      });
      assert.equal(response.status, 200, response.body);
      assert.equal(response.body, "");
      assert.deepEqual(seen, batch.map((event) => event.type));
      assert.deepEqual(problems, []);
    });

    it("voice GET with the fields as query parameters (integers coerced by the schema) → 200 BXML", async () => {
      seen.length = 0;
      problems.length = 0;
      const example = voiceExamples.find((e) => e.event === "recordComplete" && typeof e.body.channels === "number");
      assert.ok(example, "a recordComplete example with channels");
      const flat = Object.entries(example.body).filter(([, v]) => typeof v !== "object");
      const query = new URLSearchParams(flat.map(([k, v]) => [k, String(v)])).toString();
      const response = await send(port, { method: "GET", path: `/callbacks/voice?${query}`, headers: { authorization: GOOD_AUTH } });
      assert.equal(response.status, 200, response.body);
      assert.equal(response.body, BXML);
      assert.deepEqual(problems, []);
    });

    it("a new field Bandwidth might add: accepted when lenient, 400 when strict", async () => {
      problems.length = 0;
      const body = { ...voiceExamples.find((e) => e.event === "answer")!.body, someFutureField: "x" };
      const response = await send(port, {
        path: "/callbacks/voice",
        headers: { authorization: GOOD_AUTH, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, strict ? 400 : 200, response.body);
      if (strict) assert.match(response.body, /someFutureField/);
    });

    it("a wrong type is reported (lenient: not dispatched, onInvalid, acknowledged; strict: 400 naming the field)", async () => {
      problems.length = 0;
      const body = { ...voiceExamples.find((e) => e.event === "disconnect")!.body, callId: 42 };
      const response = await send(port, {
        path: "/callbacks/voice",
        headers: { authorization: GOOD_AUTH, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (strict) {
        assert.equal(response.status, 400);
        assert.match(response.body, /"path":"\/callId"/);
      } else {
        assert.equal(response.status, 204);
        assert.equal((problems[0] as { errors: { path: string }[] }).errors[0].path, "/callId");
      }
    });

    it("an event type the schemas do not know → fallback, 204", async () => {
      problems.length = 0;
      const response = await send(port, {
        path: "/callbacks/voice",
        headers: { authorization: GOOD_AUTH, "content-type": "application/json" },
        body: JSON.stringify({ eventType: "somethingNew", callId: "c-1" }),
      });
      assert.equal(response.status, 204);
      assert.deepEqual(problems, [{ family: "voice", eventType: "somethingNew", known: false }]);
    });
  });
}

describe("createBandwidthWebhooks configuration", () => {
  it("needs at least one family", () => {
    assert.throws(() => createBandwidthWebhooks({ credentials: [{ username: "u", password: "p" }] }), /at least one family/);
  });

  it("serves only the families given, on configurable paths", async () => {
    const webhooks = createBandwidthWebhooks({
      credentials: [{ username: USERNAME, password: PASSWORD }],
      messaging: {},
      paths: { messaging: "/sms" },
      logger: { warn: () => {}, error: () => {} },
    });
    assert.deepEqual(
      webhooks.core.routes.map((r) => [r.path, r.family.name]),
      [["/sms", "messaging"]],
    );
    assert.equal(webhooks.core.match("/callbacks/voice"), undefined);
  });
});

describe("BXML replies with the generated builder and validator", () => {
  const cases: { name: string; reply: () => unknown; validateBxml?: boolean; status: number; body?: RegExp; errorKind?: string }[] = [
    {
      name: "a builder document → 200, rendered with text escaped",
      reply: () => Response(SpeakSentence("1 < 2 </SpeakSentence><Hangup/>"), Hangup()),
      status: 200,
      body: /^<\?xml[^>]*\?><Response><SpeakSentence>1 &lt; 2 &lt;\/SpeakSentence&gt;&lt;Hangup\/&gt;<\/SpeakSentence><Hangup\/><\/Response>$/,
    },
    { name: "a valid BXML string → 200", reply: () => "<Response><Pause duration=\"2\"/></Response>", status: 200 },
    { name: "an invalid BXML string in development → 500, onError(bxml)", reply: () => '<Response><Gather maxDigits="0"/></Response>', status: 500, errorKind: "bxml" },
    { name: "not XML at all in development → 500", reply: () => "hello", status: 500, errorKind: "bxml" },
    { name: "the same invalid string with validateBxml: false → sent", reply: () => '<Response><Gather maxDigits="0"/></Response>', validateBxml: false, status: 200 },
  ];
  for (const row of cases) {
    it(row.name, async () => {
      const errors: { kind: string; message: string }[] = [];
      const webhooks = createBandwidthWebhooks({
        credentials: [{ username: USERNAME, password: PASSWORD }],
        validateBxml: row.validateBxml ?? true,
        voice: { answer: row.reply as never },
        onError: (error, info) => void errors.push({ kind: info.kind, message: String((error as Error).message) }),
        logger: { warn: () => {}, error: () => {} },
      });
      const answer = voiceExamples.find((e) => e.event === "answer")!.body;
      const response = await webhooks.fetch(
        new Request("http://127.0.0.1/callbacks/voice", {
          method: "POST",
          headers: { authorization: GOOD_AUTH, "content-type": "application/json" },
          body: JSON.stringify(answer),
        }),
      );
      assert.equal(response.status, row.status);
      const text = await response.text();
      if (row.body) assert.match(text, row.body);
      assert.deepEqual(errors.map((e) => e.kind), row.errorKind ? [row.errorKind] : []);
      if (row.errorKind === "bxml") assert.match(errors[0].message, /BXML returned for "answer" is invalid/);
    });
  }
});

describe("handler types (compile-time; this file is type-checked by npm test)", () => {
  it("events are typed per handler, and async events cannot return BXML", () => {
    const webhooks = createBandwidthWebhooks({
      credentials: [{ username: USERNAME, password: PASSWORD }],
      logger: { warn: () => {}, error: () => {} },
      voice: {
        answer: (event, context) => {
          const callId: string = event.callId;
          const family: string = context.family;
          // @ts-expect-error AnswerCallback has no such field
          void event.notAField;
          return Response(SpeakSentence(`${callId} ${family}`));
        },
        // @ts-expect-error disconnect is asynchronous: Bandwidth ignores any reply, so returning BXML is a mistake
        disconnect: () => "<Response/>",
        conferenceMemberJoin: () => undefined, // bxml-or-empty: nothing is fine
      },
      messaging: {
        messageReceived: async (event) => {
          const text: string | undefined = event.message.text;
          void text;
        },
      },
    });
    assert.equal(typeof webhooks.node, "function");
  });
});
