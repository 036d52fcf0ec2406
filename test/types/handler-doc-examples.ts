// Type-level tests (compiled by `npm run typecheck`; lines marked @ts-expect-error must be errors) of the
// promises issue 26 checked: each handler interface's @example in generated/handlers.d.ts compiles (it is
// here verbatim, inside a function; test/handler-doc-examples-compile.test.ts checks that); a handler of an
// event without a reply may return any value but BXML, sync or async (`(e) => db.insert(e)`); BXML or a
// string there does not compile; `BxmlResponse` builds BXML next to the Fetch API's own `Response`.
import type { EmergencyHandlers, EndpointHandlers, MessagingHandlers, MfaHandlers, NumbersHandlers, TfvHandlers, VoiceHandlers, WebRtcHandlers } from "bw-codegen";
import { Response, SpeakSentence } from "bw-codegen/bxml";

export function exampleVoiceHandlers(): unknown {
  const handlers: VoiceHandlers = {
    answer(event) {
      return Response(SpeakSentence("Hello " + event.to));
    },
  };
  return handlers;
}

export function exampleMessagingHandlers(): unknown {
  const handlers: MessagingHandlers = {
    messageDelivered(event, context) {
      console.log(context.eventType, event);
    },
  };
  return handlers;
}

export function exampleNumbersHandlers(): unknown {
  const handlers: NumbersHandlers = {
    messagingLost(event, context) {
      console.log(context.eventType, event);
    },
  };
  return handlers;
}

export function exampleTfvHandlers(): unknown {
  const handlers: TfvHandlers = {
    blocked(event, context) {
      console.log(context.eventType, event);
    },
  };
  return handlers;
}

export function exampleEndpointHandlers(): unknown {
  const handlers: EndpointHandlers = {
    deviceConnected(event, context) {
      console.log(context.eventType, event);
    },
  };
  return handlers;
}

export function exampleMfaHandlers(): unknown {
  const handlers: MfaHandlers = {
    messageDelivered(event, context) {
      console.log(context.eventType, event);
    },
  };
  return handlers;
}

export function exampleWebRtcHandlers(): unknown {
  const handlers: WebRtcHandlers = {
    onConnect(event, context) {
      console.log(context.eventType, event);
    },
  };
  return handlers;
}

export function exampleEmergencyHandlers(): unknown {
  const handlers: EmergencyHandlers = {
    callingQuery(event, context) {
      console.log(context.eventType, event);
    },
  };
  return handlers;
}
// ---- handlers of events without a reply: any value but BXML

import type { VoiceHandlers as Voice, MessagingHandlers as Messaging } from "bw-codegen";
import { BxmlResponse, Hangup } from "bw-codegen/bxml";

interface Row {
  id: number;
}
declare const db: { insert(event: unknown): Promise<Row>; insertSync(event: unknown): Row };

export const inserts: Voice = {
  disconnect: (event) => db.insert(event), // a Promise<{ id: number }>: ignored, compiles
  recordingAvailable: (event) => db.insertSync(event),
  async transferDisconnect(event) {
    await db.insert(event);
  },
};

export const messagingInserts: Messaging = { messageReceived: (event) => db.insert(event) };

export const asyncBxmlToAnAsyncEvent: Voice = {
  // @ts-expect-error Bandwidth ignores the reply to disconnect: a BXML document (even from an async handler) is refused
  disconnect: async () => BxmlResponse(Hangup()),
};

export const stringToAnAsyncEvent: Messaging = {
  // @ts-expect-error a string is what BXML looks like: refused for an event without a reply
  messageReceived: async () => "<Response><Hangup/></Response>",
};

