// What a handler of a BXML event may return: a BXML string, or any document object that can
// render itself (the generated BXML builder's documents do).

/** A rendered or renderable BXML document returned by a voice handler. */
export type BxmlReply = string | { toXml(): string };

/**
 * Render a handler's reply to the XML string that is sent to Bandwidth.
 *
 * @example
 * renderBxmlReply("<Response><Hangup/></Response>");
 */
export function renderBxmlReply(reply: BxmlReply): string {
  return typeof reply === "string" ? reply : reply.toXml();
}
