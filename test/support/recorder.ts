// Shared set-up of the flight-recorder tests: a receiver (voice IVR, messaging, numbers) on a real
// node:http server on 127.0.0.1, and a capture of a simulated multi-step call plus messaging and numbers
// deliveries made against it with capture on. `variant: "changed"` is the same receiver after a deliberate
// handler change (the gather answer says something else).
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createBandwidthWebhooks } from "../../generated/index.js";
import { createCapture } from "../../generated/capture.js";
import type { CaptureSink } from "../../generated/capture.js";
import { deliverEvent, simulateCall } from "../../generated/testing.js";

export const USERNAME = "bw-user";
export const PASSWORD = "recorder-s3cret";
const silent = { info() {}, warn() {}, error() {}, debug() {} };

export interface Receiver {
  url: string;
  webhooks: ReturnType<typeof createBandwidthWebhooks>;
  close(): Promise<void>;
}

/** The receiver under test; `capture` records into that folder. */
export async function startReceiver(options: { variant?: "original" | "changed"; capture?: CaptureSink } = {}): Promise<Receiver> {
  const changed = options.variant === "changed";
  const webhooks = createBandwidthWebhooks({
    credentials: [{ username: USERNAME, password: PASSWORD }],
    logger: silent,
    ...(options.capture === undefined ? {} : { capture: options.capture }),
    voice: {
      initiate: () => `<Response><Gather gatherUrl="/callbacks/voice" username="${USERNAME}" password="${PASSWORD}" maxDigits="1"><SpeakSentence>Press 1 for sales</SpeakSentence></Gather></Response>`,
      gather: (event) =>
        changed
          ? `<Response><SpeakSentence>Sales is closed</SpeakSentence><Hangup/></Response>`
          : `<Response>\n  <SpeakSentence>Connecting you to sales, ${event.digits}</SpeakSentence>\n  <Hangup/>\n</Response>`,
      disconnect: () => undefined,
    },
    messaging: { messageReceived: () => undefined, messageDelivered: () => undefined },
    numbers: { orders: () => undefined },
  });
  const server: Server = createServer(webhooks.node);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    webhooks,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const MESSAGE_RECEIVED = [
  {
    type: "message-received",
    time: "2026-03-14T15:09:26.535Z",
    description: "Incoming message received",
    to: "+19195550142",
    message: {
      id: "1589228074636lm4k2je7j7jklbn2",
      owner: "+19195550142",
      applicationId: "93de2206-9669-4e07-948d-329f4b722ee2",
      time: "2026-03-14T15:09:26.535Z",
      segmentCount: 1,
      direction: "in",
      to: ["+19195550142"],
      from: "+19195550100",
      text: "hello",
    },
  },
];

/** Records a capture into `dir` (a simulated call, a messaging event, a numbers notification); resolves to its files. */
export async function recordCapture(dir: string): Promise<string[]> {
  const capture = createCapture({ dir });
  const receiver = await startReceiver({ capture });
  try {
    const trace = await simulateCall(`${receiver.url}/callbacks/voice`, { username: USERNAME, password: PASSWORD, digits: ["1"] });
    if (!trace.ok) throw new Error(`the simulated call failed: ${JSON.stringify(trace.problems)}`);
    const credentials = { username: USERNAME, password: PASSWORD };
    await deliverEvent({ url: `${receiver.url}/callbacks/messaging`, body: MESSAGE_RECEIVED, ...credentials });
    const xml = readFileSync(new URL("../fixtures/published-like/numbers/order-complete.xml", import.meta.url), "utf8");
    await deliverEvent({ url: `${receiver.url}/callbacks/numbers`, body: xml, ...credentials });
    return await capture.close();
  } finally {
    await receiver.close();
    await capture.close().catch(() => undefined); // closed already on success; on a failure its thread must not keep the process alive
  }
}
