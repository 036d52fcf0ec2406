/**
 * One delivery as the receiver's thread hands it to the capture writer's thread: `RECORD_FIELDS` slots of a
 * flat array per delivery (a flat array of primitives is structured-cloned about twice as fast as one
 * object per delivery, and the clone is the main cost capture adds to a request). Byte bodies are copied
 * into one buffer per batch, transferred rather than cloned; their slot holds `[offset, length]`. `writer.ts` pushes the
 * slots in this order; `worker.ts` reads them back with {@link readRecord}.
 */

/** Slots per delivery. */
export const RECORD_FIELDS = 12;

/** One delivery, read back. */
export interface CaptureRecord {
  readonly at: number;
  readonly family: string;
  readonly event: string | undefined;
  readonly method: string;
  readonly url: string;
  readonly contentType: string | undefined;
  readonly userAgent: string | undefined;
  readonly body: string | Uint8Array | { readonly parsed: unknown } | null | undefined;
  readonly status: number;
  readonly answerType: string | undefined;
  readonly answerBody: string;
  readonly latencyMs: number;
}

/** The delivery whose slots start at `i`; a byte body's slot is `[offset, length]` in the batch's `bytes`. */
export function readRecord(slots: readonly unknown[], i: number, bytes: Uint8Array): CaptureRecord {
  const body = slots[i + 7];
  return {
    at: slots[i] as number,
    family: slots[i + 1] as string,
    event: slots[i + 2] as string | undefined,
    method: slots[i + 3] as string,
    url: slots[i + 4] as string,
    contentType: slots[i + 5] as string | undefined,
    userAgent: slots[i + 6] as string | undefined,
    body: Array.isArray(body) ? bytes.subarray(body[0] as number, (body[0] as number) + (body[1] as number)) : (body as CaptureRecord["body"]),
    status: slots[i + 8] as number,
    answerType: slots[i + 9] as string | undefined,
    answerBody: slots[i + 10] as string,
    latencyMs: slots[i + 11] as number,
  };
}
