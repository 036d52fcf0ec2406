// Builds the core's request object (CoreRequest) for tests that drive a WebhookCore without an adapter.
import type { CoreRequest } from "../../generated/index.js";

/** A POST of `body` with Bandwidth's usual headers; `fields` overrides any of them. */
export function coreRequest(body: CoreRequest["body"], fields: Partial<CoreRequest> = {}): CoreRequest {
  return {
    method: "POST",
    url: "/callbacks/voice",
    authorization: undefined,
    contentType: "application/json",
    contentLength: undefined,
    contentEncoding: undefined,
    body,
    raw: {},
    readHeader: () => undefined,
    ...fields,
  };
}
