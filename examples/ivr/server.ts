// Runs the IVR (ivr.ts) on node:http: `node --import tsx examples/ivr/server.ts`. Reads its settings
// from the environment, prints the URL it listens on, and shuts down gracefully on SIGTERM/SIGINT.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createIvr } from "./ivr.js";

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`examples/ivr: set ${name} (see examples/ivr/README.md)`);
    process.exit(2);
  }
  return value;
}

const ivr = createIvr({
  username: required("BW_CALLBACK_USERNAME"),
  password: required("BW_CALLBACK_PASSWORD"),
  sales: process.env.IVR_SALES ?? "+19195550101",
  support: process.env.IVR_SUPPORT ?? "+19195550102",
  onHangUp: (callId, cause) => console.log(`call ${callId} ended: ${cause}`),
});

const server = http.createServer(ivr.node);
server.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? "127.0.0.1", () => {
  const { address, port } = server.address() as AddressInfo;
  console.log(`IVR listening on http://${address}:${port}/callbacks/voice`);
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
