// Deliveries several tests send as they are: a voice `disconnect` and a numbers order notification, written
// once (Bandwidth's shapes; a test names the call or order so its handler's record tells them apart).

/** A voice `disconnect` callback of the call `callId` (an inbound call that the caller hung up). */
export const voiceDisconnect = (callId: string) => ({
  eventType: "disconnect",
  eventTime: "2026-12-05T11:00:00.000Z",
  accountId: "9900000",
  applicationId: "0e5c5a1e-0000-4000-8000-000000000001",
  from: "+19195550100",
  to: "+19195550199",
  direction: "inbound",
  callId,
  callUrl: `https://voice.bandwidth.com/api/v2/accounts/9900000/calls/${callId}`,
  startTime: "2026-12-05T10:59:00.000Z",
  endTime: "2026-12-05T11:00:00.000Z",
  cause: "hangup",
});

/** A numbers order notification (XML); without `dated` it has no LastModifiedDate, so no dedupe key. */
export const orderNotification = (orderId: string, dated = true): string =>
  `<Notification><SubscriptionId>s-1</SubscriptionId><Status>COMPLETE</Status><OrderId>${orderId}</OrderId><OrderType>orders</OrderType>${dated ? "<LastModifiedDate>2026-12-05T11:00:00.000Z</LastModifiedDate>" : ""}</Notification>`;

/** POSTs one delivery (XML when `body` is a string, else JSON) with `authorization`; resolves to the status, body read. */
export async function postDelivery(target: string, body: unknown, authorization: string): Promise<number> {
  const xml = typeof body === "string";
  const response = await fetch(target, {
    method: "POST",
    headers: { authorization, "content-type": xml ? "application/xml" : "application/json" },
    body: xml ? body : JSON.stringify(body),
  });
  await response.text();
  return response.status;
}
