// Shared set-up of the flight-recorder tests: a receiver (voice IVR, messaging, numbers) on a real
// node:http server on 127.0.0.1, and a capture of a simulated multi-step call plus messaging and numbers
// deliveries made against it with capture on. `variant: "changed"` is the same receiver after a deliberate
// handler change (the gather answer says something else). With `stream: true` the call also opens a
// bidirectional media stream to a bot (`createStreamServer` + `attachStreamServer` on the same server, given
// the same capture): the bot answers `start` with a playAudio and the first media frame with `clear`;
// `variant: "bot-changed"` is the bot after a deliberate change (a second playAudio instead of the clear).
// The variant can be switched on a running receiver (`receiver.variant = …`), so a replay goes to the very
// receiver that was recorded (its stream destination, an absolute URL, names its port).
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createBandwidthWebhooks } from "../../generated/index.js";
import { createCapture } from "../../generated/capture.js";
import { createStreamServer } from "../../generated/sockets.js";
import type { StreamServer } from "../../generated/sockets.js";
import { attachStreamServer } from "../../generated/sockets-node.js";
import type { CaptureSink } from "../../generated/capture.js";
import type { SocketCaptureSink } from "../../generated/sockets.js";
import { deliverEvent, simulateCall } from "../../generated/testing.js";
import { until } from "./until.js";

export const USERNAME = "bw-user";
export const PASSWORD = "recorder-s3cret";
/** The media stream's Basic credentials (`destinationUsername` / `destinationPassword`). */
export const STREAM_USERNAME = "bw-stream";
export const STREAM_PASSWORD = "stream-s3cret-pw";
/** 20 ms of μ-law silence: what the bot plays. */
const SILENCE = new Uint8Array(160).fill(0xff);

export type Variant = "original" | "changed" | "bot-changed";
const silent = { info() {}, warn() {}, error() {}, debug() {} };

export interface Receiver {
  url: string;
  webhooks: ReturnType<typeof createBandwidthWebhooks>;
  /** The bot (`stream: true`), for in-process socket replay. */
  sockets: StreamServer | undefined;
  /** The stream destination the initiate answer names (`stream: true`). */
  streamUrl: string;
  /** What the handlers and the bot do; switch it to replay a deliberate change against the same receiver. */
  variant: Variant;
  close(): Promise<void>;
}

/** The receiver under test; `capture` records into that folder. */
export async function startReceiver(options: { variant?: Variant; capture?: CaptureSink; stream?: boolean } = {}): Promise<Receiver> {
  const receiver = { variant: options.variant ?? "original", streamUrl: "" } as Receiver;
  const stream = (): string =>
    options.stream
      ? `<StartStream name="bot" mode="bidirectional" destination="${receiver.streamUrl}" destinationUsername="${STREAM_USERNAME}" destinationPassword="${STREAM_PASSWORD}"/>`
      : "";
  const webhooks = createBandwidthWebhooks({
    credentials: [{ username: USERNAME, password: PASSWORD }],
    logger: silent,
    ...(options.capture === undefined ? {} : { capture: options.capture }),
    voice: {
      initiate: () =>
        `<Response>${stream()}<Gather gatherUrl="/callbacks/voice" username="${USERNAME}" password="${PASSWORD}" maxDigits="1"><SpeakSentence>Press 1 for sales</SpeakSentence></Gather></Response>`,
      gather: (event) =>
        receiver.variant === "changed"
          ? `<Response><SpeakSentence>Sales is closed</SpeakSentence><Hangup/></Response>`
          : `<Response>\n  <SpeakSentence>Connecting you to sales, ${event.digits}</SpeakSentence>\n  <Hangup/>\n</Response>`,
      disconnect: () => undefined,
    },
    messaging: { messageReceived: () => undefined, messageDelivered: () => undefined },
    numbers: { orders: () => undefined },
  });
  const server: Server = createServer(webhooks.node);
  const sockets = options.stream
    ? createStreamServer<{ frames: number }>({
        logger: silent,
        // a capture of bw-codegen/capture records the sockets too; a bare CaptureSink only deliveries
        ...(options.capture !== undefined && "recordSocket" in options.capture ? { capture: options.capture as CaptureSink & SocketCaptureSink } : {}),
        stream: {
          credentials: [{ username: STREAM_USERNAME, password: STREAM_PASSWORD }],
          createState: () => ({ frames: 0 }),
          onStart: (_start, s) => void s.playAudio(SILENCE),
          onMedia: (_frame, s) => {
            if (++s.state.frames !== 1) return;
            if (receiver.variant === "bot-changed") s.playAudio(SILENCE);
            else s.clear();
          },
        },
      })
    : undefined;
  const attached = sockets === undefined ? undefined : attachStreamServer(server, sockets);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    streamUrl: `ws://127.0.0.1:${port}/sockets/stream`,
    webhooks,
    sockets,
    close: async () => {
      await attached?.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  });
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

/**
 * Records a capture into `dir` (a simulated call, a messaging event, a numbers notification); resolves to its
 * files. `keep`: the receiver stays up (the caller closes it), so a replay can go to the very receiver recorded.
 */
export async function recordCapture(dir: string): Promise<string[]>;
export async function recordCapture(dir: string, options: { stream?: boolean; keep: true }): Promise<{ files: string[]; receiver: Receiver }>;
export async function recordCapture(dir: string, options: { stream?: boolean; keep?: boolean } = {}): Promise<string[] | { files: string[]; receiver: Receiver }> {
  const capture = createCapture({ dir });
  const receiver = await startReceiver({ capture, stream: options.stream });
  let kept = false;
  try {
    const trace = await simulateCall(`${receiver.url}/callbacks/voice`, { username: USERNAME, password: PASSWORD, digits: ["1"], speed: "max", seed: 7 });
    if (!trace.ok) throw new Error(`the simulated call failed: ${JSON.stringify(trace.problems)}`);
    // the server's side of the stream's close is recorded once it has seen it
    await until(() => (receiver.sockets?.openSockets ?? 0) === 0);
    const credentials = { username: USERNAME, password: PASSWORD };
    await deliverEvent({ url: `${receiver.url}/callbacks/messaging`, body: MESSAGE_RECEIVED, ...credentials });
    const xml = readFileSync(new URL("../fixtures/published-like/numbers/order-complete.xml", import.meta.url), "utf8");
    await deliverEvent({ url: `${receiver.url}/callbacks/numbers`, body: xml, ...credentials });
    const files = await capture.close();
    kept = options.keep === true;
    return kept ? { files, receiver } : files;
  } finally {
    if (!kept) await receiver.close();
    await capture.close().catch(() => undefined); // closed already on success; on a failure its thread must not keep the process alive
  }
}
