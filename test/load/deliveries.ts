// What the load and fault suite sends: Bandwidth-shaped messaging deliveries (a JSON array with one
// event, as Bandwidth sends them), a replay list with a share of duplicates (the same body sent again,
// as Bandwidth does when it thinks a delivery failed), and the credentials every process shares.
export const LOAD_CREDENTIALS = { username: "load-user", password: "load-password-3f9a" } as const;
export const LOAD_AUTHORIZATION = `Basic ${Buffer.from(`${LOAD_CREDENTIALS.username}:${LOAD_CREDENTIALS.password}`).toString("base64")}`;
export const MESSAGING_PATH = "/callbacks/messaging";

/** One message-delivered event with a unique message id (`to`: the recipient it was delivered to, `text`: its body, `recipients`: the message's). */
export function messagingEvent(id: string, index: number, to = "+17045550187", text = "", recipients: readonly string[] = [to]): Record<string, unknown> {
  const time = new Date(Date.UTC(2026, 2, 14, 16, 0, 0) + index).toISOString();
  return {
    type: "message-delivered",
    time,
    description: "ok",
    to,
    message: {
      id,
      owner: "+19195550142",
      applicationId: "5b2f0c4e-8a71-4d1e-9c3b-2e6f7a90d114",
      time,
      segmentCount: 1,
      direction: "out",
      to: recipients,
      from: "+19195550142",
      text,
    },
  };
}

/**
 * What identifies one event for counting (the receiver and worker print it as `handled <id>`): the
 * message id and the recipient, so the two callbacks of a group message (same message id and time, one
 * per recipient) are two events.
 */
export function handledId(event: { to?: unknown; message?: { id?: unknown } }): string {
  return `${String(event.message?.id ?? "?")}>${String(event.to ?? "?")}`;
}

/**
 * `pairs` group messages sent to two numbers: for each, two message-delivered callbacks with the same
 * message id and time and a different recipient (`to`). Each is its own event to handle once.
 */
export function groupMessagePairs(pairs: number, seed = 42): { deliveries: Delivery[]; unique: string[] } {
  const deliveries: Delivery[] = [];
  for (let i = 0; i < pairs; i++) {
    const recipients = ["+17045550187", "+17045550188"];
    for (const to of recipients) {
      const event = messagingEvent(`group-${seed}-${i.toString().padStart(6, "0")}`, 500_000 + i, to, "", recipients);
      deliveries.push({ id: handledId(event), body: JSON.stringify([event]) });
    }
  }
  return { deliveries, unique: deliveries.map((d) => d.id) };
}

export interface Delivery {
  readonly id: string;
  readonly body: string;
}

/**
 * `count` deliveries of which `duplicateShare` are re-sends of an earlier unique event (picked at random
 * with a seeded generator, placed shortly after the original so some overlap it in flight).
 */
export function replayList(count: number, duplicateShare: number, seed = 42): { deliveries: Delivery[]; unique: string[] } {
  let state = seed >>> 0;
  const random = (): number => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const uniqueCount = Math.round(count * (1 - duplicateShare));
  const unique: Delivery[] = [];
  for (let i = 0; i < uniqueCount; i++) {
    const event = messagingEvent(`load-${seed}-${i.toString().padStart(6, "0")}`, i);
    unique.push({ id: handledId(event), body: JSON.stringify([event]) });
  }
  const deliveries = [...unique];
  for (let d = 0; d < count - uniqueCount; d++) {
    const original = Math.floor(random() * uniqueCount);
    const at = Math.min(deliveries.length, deliveries.indexOf(unique[original]) + 1 + Math.floor(random() * 20));
    deliveries.splice(at, 0, unique[original]);
  }
  return { deliveries, unique: unique.map((u) => u.id) };
}
