// A WebSocket client can send a credential as a subprotocol (`Sec-WebSocket-Protocol: bearer.<token>`, a bare
// JWT, an API key): the open record stored the header as it arrived. It is now kept only when it is a plain
// list of protocol names, and stored as `***` otherwise, with redaction on or off (credentials are never
// stored). A plain list (`audio.v1, base64.binary.k8s.io`) is kept: replay sends it again.
import assert from "node:assert/strict";
import { test } from "node:test";
import { captureRedactor } from "../generated/runtime/capture/entry.js";
import { socketEntryOf } from "../generated/runtime/capture/socket-entry.js";

const open = (protocol: string) => ({ at: Date.UTC(2026, 11, 5), kind: "stream" as const, connection: 1, type: "open" as const, url: "/stream", headers: { "user-agent": "BandwidthAPI/v2", "sec-websocket-protocol": protocol } });

test("a token in sec-websocket-protocol is stored as ***; a plain list of protocol names as it arrived", () => {
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib3QifQ.x7Ck0Gg3oQn2Yk2nV5uRsw";
  const tokens = [`bearer.${jwt}`, jwt, "audio, api-key.9f2c41d7e8b3a6c5", "v1, 5c0ffee0-1ace-4b1d-9e57-0123456789ab", "token=s3cr3t-value"];
  const plain = ["audio.v1", "audio.v1, base64.binary.k8s.io", "bw-stream"];
  for (const redactor of [captureRedactor(new Uint8Array(32), []), undefined]) {
    for (const protocol of tokens) {
      const entry = socketEntryOf(open(protocol), { redactor, keepMedia: false });
      assert.equal(entry.headers?.["sec-websocket-protocol"], "***", protocol);
      assert.equal(entry.headers?.["user-agent"], "BandwidthAPI/v2");
    }
    for (const protocol of plain) assert.equal(socketEntryOf(open(protocol), { redactor, keepMedia: false }).headers?.["sec-websocket-protocol"], protocol);
  }
});
