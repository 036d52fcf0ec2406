/**
 * The close codes the socket runtime uses, one per kind of bad input (the table of docs/sockets.md; a
 * test keeps the two in step). Application codes are in 4000-4999 (RFC 6455 §7.4.2); an oversized
 * frame gets the standard 1009, since the `ws` layer refuses it itself before the frame is assembled.
 */

/**
 * The close codes the socket runtime closes with, and their reasons (also the close frame's `reason`).
 *
 * @example
 * onClose: (info) => {
 *   if (info.code === SOCKET_CLOSE_CODES.deadPeer.code) metrics.increment("bw_stream_dead_peer");
 * },
 */
export const SOCKET_CLOSE_CODES: {
  readonly normal: { readonly code: 1000; readonly reason: "normal" };
  readonly goingAway: { readonly code: 1001; readonly reason: "going away" };
  readonly tooLarge: { readonly code: 1009; readonly reason: "message too large" };
  readonly notJson: { readonly code: 4000; readonly reason: "not JSON" };
  readonly invalidMessage: { readonly code: 4001; readonly reason: "invalid message" };
  readonly unknownEventType: { readonly code: 4002; readonly reason: "unknown eventType" };
  readonly binaryFrame: { readonly code: 4003; readonly reason: "binary frame" };
  readonly beforeStart: { readonly code: 4004; readonly reason: "message before start" };
  readonly secondStart: { readonly code: 4005; readonly reason: "second start" };
  readonly afterStop: { readonly code: 4006; readonly reason: "message after stop" };
  readonly invalidBase64: { readonly code: 4007; readonly reason: "invalid base64" };
  readonly tokenMismatch: { readonly code: 4008; readonly reason: "token not for this call" };
  readonly handlerError: { readonly code: 4010; readonly reason: "handler failed" };
  readonly deadPeer: { readonly code: 4011; readonly reason: "ping timeout" };
  readonly backpressure: { readonly code: 4012; readonly reason: "outbound queue full" };
  readonly noStart: { readonly code: 4013; readonly reason: "no start" };
} = Object.freeze({
  normal: { code: 1000, reason: "normal" },
  goingAway: { code: 1001, reason: "going away" },
  tooLarge: { code: 1009, reason: "message too large" },
  notJson: { code: 4000, reason: "not JSON" },
  invalidMessage: { code: 4001, reason: "invalid message" },
  unknownEventType: { code: 4002, reason: "unknown eventType" },
  binaryFrame: { code: 4003, reason: "binary frame" },
  beforeStart: { code: 4004, reason: "message before start" },
  secondStart: { code: 4005, reason: "second start" },
  afterStop: { code: 4006, reason: "message after stop" },
  invalidBase64: { code: 4007, reason: "invalid base64" },
  tokenMismatch: { code: 4008, reason: "token not for this call" },
  handlerError: { code: 4010, reason: "handler failed" },
  deadPeer: { code: 4011, reason: "ping timeout" },
  backpressure: { code: 4012, reason: "outbound queue full" },
  noStart: { code: 4013, reason: "no start" },
} as const);

/** One entry of {@link SOCKET_CLOSE_CODES}. */
export type SocketCloseCode = (typeof SOCKET_CLOSE_CODES)[keyof typeof SOCKET_CLOSE_CODES];
